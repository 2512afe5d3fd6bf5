/* tree.h - prints a decoded token (struct cap_token) as an indented text tree or as one
 * JSON object (json.h), for `negcap --decode` and negprobe's token dumps.
 *
 * Secret material -- NTLM LM/NT responses, NTProofStr, session keys, MICs, Kerberos
 * encrypted parts and authenticators, SPNEGO mechListMIC, Basic passwords -- is shown as
 * its length only, unless CAP_TREE_SHOW_SECRETS is given.  Names (users, domains, SPNs),
 * nonces and public fields are always shown.
 *
 * JSON keys are stable snake_case; secrets are {"len":N} (plus "hex" with
 * CAP_TREE_SHOW_SECRETS); absent optional fields are omitted.
 */
#ifndef NEGSCOPE_TREE_H
#define NEGSCOPE_TREE_H

#include <stdio.h>

#include "negscope/json.h"
#include "negscope/token.h"

#define CAP_TREE_SHOW_SECRETS 0x1u

/* Indented text, starting at indent levels of two spaces. */
void cap_tree_print(FILE *fp, const struct cap_token *t, unsigned flags, unsigned indent);

/* One JSON object value (use after cap_json_key or as an array element or top level). */
void cap_tree_json(struct cap_json *j, const struct cap_token *t, unsigned flags);

#endif /* NEGSCOPE_TREE_H */
