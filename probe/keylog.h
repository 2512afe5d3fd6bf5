/* keylog.h - negprobe --keylog FILE: the TLS key log of negprobe's own sessions. */
#ifndef NEGSCOPE_PROBE_KEYLOG_H
#define NEGSCOPE_PROBE_KEYLOG_H

#include <stddef.h>

/* Before libcurl is initialised: with file, the key log goes there (NSS key log format,
 * appended, created mode 0600), as with curl's SSLKEYLOGFILE, which negprobe honours
 * when --keylog is not given (libcurl reads it). 0, or -1 with a one-line message in err
 * when the file cannot be written. */
int probe_keylog_setup(const char *file, char *err, size_t errlen);

#endif /* NEGSCOPE_PROBE_KEYLOG_H */
