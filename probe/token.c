/* token.c - classifies a Negotiate/NTLM token with the capture library's decoders
 * (cap_token_decode, cap_classify): the probe never parses token bytes itself.
 * References: RFC 4178 (SPNEGO), RFC 2743 §3.1, RFC 4120 (AP-REQ, KRB-ERROR), MS-NLMP.
 */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/authhdr.h"
#include "negscope/classify.h"
#include "negscope/token.h"

static enum probe_used_mech mech_of(enum cap_token_mech m)
{
	switch (m) {
	case CAP_TMECH_KERBEROS: return PROBE_USED_KERBEROS;
	case CAP_TMECH_NTLM: return PROBE_USED_NTLM;
	case CAP_TMECH_NONE: return PROBE_USED_NONE;
	default: break;
	}
	return PROBE_USED_OTHER;
}

void probe_token_describe(const uint8_t *p, size_t len, struct probe_token_desc *d)
{
	struct cap_token *t;

	memset(d, 0, sizeof(*d));
	d->neg_state = -1;
	d->krb_error = -1;
	d->etype = d->kvno = -1;
	if (len == 0) {
		snprintf(d->summary, sizeof(d->summary), "empty token");
		return;
	}
	t = malloc(sizeof(*t)); /* several KiB: keep it off the stack */
	if (t == NULL) {
		snprintf(d->summary, sizeof(d->summary), "%zu-byte token (not decoded: out of memory)",
			 len);
		return;
	}
	cap_token_init(t);
	cap_token_decode((struct cap_span){p, len}, t);
	cap_classify(t, d->summary, sizeof(d->summary));
	if (t->status != CAP_OK && t->err[0] != '\0') {
		size_t used = strlen(d->summary);

		snprintf(d->summary + used, sizeof(d->summary) - used, " [%s]", t->err);
	}
	d->decoded = t->recognised && t->status == CAP_OK;
	d->mech = mech_of(t->mech);
	d->spnego = t->spnego != 0;
	d->neg_state = t->neg_state;
	d->krb_msg = t->krb_msg_type;
	d->krb_error = t->error_code;
	if (t->error_name != NULL)
		snprintf(d->krb_error_name, sizeof(d->krb_error_name), "%s", t->error_name);
	snprintf(d->sname, sizeof(d->sname), "%s", t->sname);
	snprintf(d->realm, sizeof(d->realm), "%s", t->realm);
	d->etype = t->etype;
	d->kvno = t->kvno;
	d->mutual_required = t->mutual != 0;
	d->ntlm_type = t->ntlm_type;
	snprintf(d->ntlm_user, sizeof(d->ntlm_user), "%s", t->user);
	snprintf(d->ntlm_domain, sizeof(d->ntlm_domain), "%s", t->domain);
	free(t);
}

/* Appends n bytes of s to out (cut at cap, always NUL-terminated). */
static void append(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
	if (*used + 1 >= cap)
		return;
	if (n > cap - 1 - *used)
		n = cap - 1 - *used;
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
}

void probe_auth_value_shown(const char *value, char *out, size_t cap)
{
	struct cap_authhdr *h;
	struct cap_span v = {(const uint8_t *)value, strlen(value)};
	size_t used = 0, at = 0;
	char tok[48];

	if (cap == 0)
		return;
	out[0] = '\0';
	h = malloc(sizeof(*h));
	if (h != NULL) {
		cap_authhdr_init(h);
		cap_authhdr_parse(h, CAP_HDR_WWW_AUTHENTICATE, v);
	}
	if (h == NULL || h->status != CAP_OK) {
		/* tokens cannot be told from parameters: nothing after the scheme */
		size_t sp = strcspn(value, " ");

		append(out, cap, &used, value, sp);
		if (value[sp] != '\0') {
			snprintf(tok, sizeof(tok), " <%zu chars>", v.len - sp - 1);
			append(out, cap, &used, tok, strlen(tok));
		}
		free(h);
		return;
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct cap_auth_challenge *ch = &h->ch[i];
		size_t off;

		if (!ch->has_token68)
			continue;
		off = (size_t)(ch->token68.p - v.p);
		append(out, cap, &used, value + at, off - at);
		snprintf(tok, sizeof(tok), "<token, %zu chars>", ch->token68.len);
		append(out, cap, &used, tok, strlen(tok));
		at = off + ch->token68.len;
	}
	append(out, cap, &used, value + at, v.len - at);
	free(h);
}
