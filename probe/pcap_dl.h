/* pcap_dl.h - libpcap for negprobe is loaded at run time, only for --capture.
 *
 * negprobe is not linked with libpcap: a check without --capture would otherwise pay, at
 * every start, for loading and relocating libpcap and what it pulls in (libdbus,
 * libsystemd, libgcrypt, ...).  pcap_dl.c defines the pcap_* functions the capture
 * library calls and forwards them to the libpcap that probe_pcap_load() opened.
 */
#ifndef PROBE_PCAP_DL_H
#define PROBE_PCAP_DL_H

#include <stddef.h>

/* Loads libpcap (once; later calls return the first outcome).  0, or -1 with a one-line
 * message in err.  No pcap_* function may be called before it returned 0. */
int probe_pcap_load(char *err, size_t errlen);

#endif /* PROBE_PCAP_DL_H */
