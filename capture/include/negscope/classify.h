/* classify.h - a one-line, human classification of a decoded token.
 *
 * Examples:
 *   SPNEGO init → Kerberos AP-REQ for HTTP/crm.example.test@EXAMPLE.TEST (aes256-cts, kvno 3, mutual)
 *   NTLM NEGOTIATE (raw, inside Negotiate: NTLM fallback)
 *   SPNEGO resp reject → KRB-ERROR KRB_AP_ERR_MODIFIED
 *   SPNEGO resp accept-incomplete → NTLM CHALLENGE from EXAMPLE (inside Negotiate: NTLM fallback)
 * The text is UTF-8 ("→" is U+2192); it names what the token is, never a secret.
 */
#ifndef NEGSCOPE_CLASSIFY_H
#define NEGSCOPE_CLASSIFY_H

#include <stddef.h>

#include "negscope/token.h"

/* Writes the classification into out (NUL-terminated, cut to fit).  Returns the length
 * written. */
size_t cap_classify(const struct cap_token *t, char *out, size_t cap);

/* Short etype name for summaries: "aes256-cts", "aes128-cts", "rc4-hmac", ...; falls back
 * to cap_krb_etype_name(), then "etype N" (written into buf when needed). */
const char *cap_classify_etype(int etype, char *buf, size_t cap);

#endif /* NEGSCOPE_CLASSIFY_H */
