/* keylog_opt.h - negcap --keylog FILE: NSS key logs read into the TLS secrets table, and
 * the key logs that pcapng Decryption Secrets Blocks carry. */
#ifndef NEGSCOPE_CLI_KEYLOG_OPT_H
#define NEGSCOPE_CLI_KEYLOG_OPT_H

#include <stddef.h>

#include "negscope/source.h"
#include "negscope/tls.h"

#define NEGCAP_MAX_KEYLOGS 16
#define NEGCAP_KEYLOG_FILE_MAX (256u * 1024u * 1024u) /* bytes read of one key log */

/* Reads one key log file into k.  0, or -1 with a one-line message in err. */
int negcap_keylog_load(struct cap_tls_keylog *k, const char *path, char *err, size_t errlen);
/* Adds the NSS key logs of the source's Decryption Secrets Blocks from the from-th on;
 * returns how many blocks the source has now (the next call's from). */
size_t negcap_keylog_from_source(struct cap_tls_keylog *k, const struct cap_source *src,
				 size_t from);

#endif /* NEGSCOPE_CLI_KEYLOG_OPT_H */
