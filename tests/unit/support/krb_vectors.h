/* krb_vectors.h - test support: Kerberos PDUs (port 88) out of real pcaps.
 *
 * Reads a capture with libpcap, strips Ethernet/VLAN/SLL/NULL/raw IP,
 * IPv4/IPv6, UDP/TCP, and returns every Kerberos message seen on port 88.
 * TCP: the 4-byte record marker is removed; records spanning segments are
 * joined when the segments arrive in order (no retransmission handling
 * beyond skipping repeats).  Each PDU carries the 1-based frame number of
 * its last packet, which is the frame tshark reports it in.
 */
#ifndef NEGSCOPE_TEST_KRB_VECTORS_H
#define NEGSCOPE_TEST_KRB_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct krb_pdu {
	unsigned frame;
	int tcp;
	uint8_t *data;  /* owned (malloc) */
	size_t len;
};

struct krb_pdus {
	struct krb_pdu *v;
	size_t n, cap;
};

/* 0 on success; -1 with a message in err (e.g. file missing). */
int krb_pdus_load(const char *pcap_path, struct krb_pdus *out, char *err,
		  size_t errlen);
void krb_pdus_free(struct krb_pdus *p);

/* Kerberos messages carried in HTTP Negotiate tokens instead (any TCP
 * port, one segment per header block): the base64 after "Negotiate " is
 * decoded and the RFC 1964 krb5 GSS token located by its mech OID
 * (1.2.840.113554.1.2.2 or the Microsoft 1.2.840.48018.1.2.2) followed by
 * a 2-byte TOK_ID; the Kerberos message after it is returned.  Test-only
 * scanning: the project's SPNEGO/GSS decoders are tested elsewhere. */
int krb_http_pdus_load(const char *pcap_path, struct krb_pdus *out, char *err,
		       size_t errlen);

/* Writes each message as one UDP datagram 10.0.0.1:50000 -> 10.0.0.2:88
 * (Ethernet, IPv4) into a new pcap, so that tshark and krb_pdus_load can
 * both read messages made in a test.  0, or -1 with a message. */
struct cap_span;
int krb_pcap_write_udp(const char *path, const struct cap_span *msgs, size_t n,
		       char *err, size_t errlen);

/* NEGSCOPE_CAPTURES_DIR from the environment, else the build-time path. */
const char *krb_captures_dir(void);
/* NEGSCOPE_SAMPLES_DIR likewise. */
const char *krb_samples_dir(void);

#endif /* NEGSCOPE_TEST_KRB_VECTORS_H */
