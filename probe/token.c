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
#include "negscope/dynbuf.h"
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

/* The value with each token replaced by its size, into o.  Cut at o's cap: a cut ends
 * the text there (cap_dynbuf refuses every later add); the result says whether it was. */
static enum cap_dyn_err shown(const struct cap_authhdr *h, const char *value,
			      struct cap_dynbuf *o)
{
	size_t len = strlen(value), at = 0;
	enum cap_dyn_err e;

	if (h == NULL || h->status != CAP_OK) {
		/* tokens cannot be told from parameters: nothing after the scheme */
		size_t sp = strcspn(value, " ");

		e = cap_dynbuf_add(o, value, sp);
		if (e != CAP_DYN_OK || value[sp] == '\0')
			return e;
		return cap_dynbuf_addf(o, " <%zu chars>", len - sp - 1);
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct cap_auth_challenge *ch = &h->ch[i];
		size_t off;

		if (!ch->has_token68)
			continue;
		off = (size_t)(ch->token68.p - (const uint8_t *)value);
		e = cap_dynbuf_add(o, value + at, off - at);
		if (e == CAP_DYN_OK)
			e = cap_dynbuf_addf(o, "<token, %zu chars>", ch->token68.len);
		if (e != CAP_DYN_OK)
			return e;
		at = off + ch->token68.len;
	}
	return cap_dynbuf_add(o, value + at, len - at);
}

void probe_auth_value_shown(const char *value, char *out, size_t cap)
{
	struct cap_authhdr *h;
	struct cap_dynbuf o;

	if (cap == 0)
		return;
	cap_dynbuf_init_fixed(&o, out, cap);
	h = malloc(sizeof(*h));
	if (h != NULL) {
		cap_authhdr_init(h);
		cap_authhdr_parse(h, CAP_HDR_WWW_AUTHENTICATE,
				  (struct cap_span){(const uint8_t *)value, strlen(value)});
	}
	/* a cut value stays cut: the line says as much as fits */
	(void)shown(h, value, &o);
	free(h);
}
