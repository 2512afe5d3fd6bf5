/* fuzz_der_krb.c - fuzz target: the DER reader and the Kerberos message decoder.
 *
 * One input is read as: a Kerberos message (cap_krb_decode), a Kerberos-over-TCP record
 * (cap_krb_tcp_record, then the PDU inside), and a generic DER tree (cap_der_walk, with
 * every primitive value handed to the value parsers).  Everything decoded is rendered
 * through the name tables and string helpers, into a small and a large buffer, so that
 * the cut-to-fit paths run too.  No allocation: nothing to free.
 */
#include <string.h>

#include "fuzz_target.h"
#include "negscope/der.h"
#include "negscope/krb5.h"

static volatile size_t sink_len;

static void use_str(const char *s)
{
	if (s != NULL)
		sink_len += strlen(s);
}

static void render_span(struct cap_span s)
{
	char small[9], big[512];

	use_str(cap_krb_span_str(s, small, sizeof(small)));
	use_str(cap_krb_span_str(s, big, sizeof(big)));
}

static void render_principal(const struct cap_krb_principal *p)
{
	char small[7], big[512];

	use_str(cap_krb_principal_str(p, small, sizeof(small)));
	use_str(cap_krb_principal_str(p, big, sizeof(big)));
	use_str(cap_krb_name_type_name(p->name_type));
}

static void render_enc(const struct cap_krb_enc *e)
{
	if (e->present)
		use_str(cap_krb_etype_name(e->etype));
}

static void render_ticket(const struct cap_krb_ticket *t)
{
	if (!t->present)
		return;
	render_span(t->realm);
	render_principal(&t->sname);
	render_enc(&t->enc_part);
}

static void render_msg(const struct cap_krb_msg *m)
{
	size_t i;
	unsigned bit;

	use_str(cap_krb_msg_type_name(m->msg_type));
	for (bit = 0; bit < 32; bit++) {
		if (m->anomalies & (1u << bit))
			use_str(cap_krb_anomaly_name(1u << bit));
		if (m->req.kdc_options & CAP_KRB_BIT(bit))
			use_str(cap_krb_kdc_option_name(bit));
		if (m->ap_req.ap_options & CAP_KRB_BIT(bit))
			use_str(cap_krb_ap_option_name(bit));
		if (m->pa_pac_options & CAP_KRB_BIT(bit))
			use_str(cap_krb_pac_option_name(bit));
	}
	for (i = 0; i < m->npadata && i < CAP_KRB_MAX_PADATA; i++)
		use_str(cap_krb_padata_name(m->padata[i].type));
	for (i = 0; i < m->netype_info && i < CAP_KRB_MAX_ETYPE_INFO; i++) {
		use_str(cap_krb_etype_name(m->etype_info[i].etype));
		render_span(m->etype_info[i].salt);
	}
	render_ticket(&m->pa_tgs_req.ticket);
	render_principal(&m->pa_for_user.user_name);
	render_span(m->pa_for_user.user_realm);

	render_principal(&m->req.cname);
	render_principal(&m->req.sname);
	render_span(m->req.realm);
	for (i = 0; i < m->req.netypes && i < CAP_KRB_MAX_ETYPES; i++)
		use_str(cap_krb_etype_name(m->req.etypes[i]));
	for (i = 0; i < m->req.nadditional_tickets && i < CAP_KRB_MAX_ADDL_TICKETS; i++)
		render_ticket(&m->req.additional_tickets[i]);

	render_span(m->rep.crealm);
	render_principal(&m->rep.cname);
	render_ticket(&m->rep.ticket);
	render_enc(&m->rep.enc_part);

	render_ticket(&m->ap_req.ticket);
	render_enc(&m->ap_req.authenticator);
	render_enc(&m->ap_rep.enc_part);

	if (m->err.present) {
		use_str(cap_krb_error_name(m->err.error_code));
		use_str(cap_krb_error_text(m->err.error_code));
		render_span(m->err.crealm);
		render_principal(&m->err.cname);
		render_span(m->err.realm);
		render_principal(&m->err.sname);
		render_span(m->err.e_text);
		use_str(cap_krb_kerb_err_data_type_name(m->err.kerb_err_data_type));
	}
	for (i = 0; i < m->cred.ntickets && i < CAP_KRB_MAX_CRED_TICKETS; i++)
		render_ticket(&m->cred.tickets[i]);
}

static int visit(const struct cap_der *d, unsigned depth, void *arg)
{
	char oid[64];
	int64_t v;
	uint32_t bits;
	size_t nbits;
	unsigned anom = 0;

	(void)depth;
	(void)arg;
	use_str(cap_der_universal_name(d->tag));
	if (d->cls != CAP_DER_UNIVERSAL || d->constructed)
		return 0;
	switch (d->tag) {
	case CAP_DER_TAG_INTEGER:
	case CAP_DER_TAG_ENUMERATED:
		(void)cap_der_int64_value(d->value, &v, &anom);
		break;
	case CAP_DER_TAG_BIT_STRING:
		(void)cap_der_bits32_value(d->value, &bits, &nbits, &anom);
		break;
	case CAP_DER_TAG_GENERALIZED_TIME:
		(void)cap_der_gentime_value(d->value, &v, &anom);
		break;
	case CAP_DER_TAG_OID:
		(void)cap_der_oid_str(d->value, oid, sizeof(oid));
		(void)cap_der_oid_str(d->value, oid, 6);
		(void)cap_der_oid_eq(d->value, "1.2.840.113554.1.2.2");
		break;
	default:
		break;
	}
	for (anom &= (1u << CAP_DER_ANOM_COUNT) - 1; anom != 0; anom &= anom - 1)
		use_str(cap_der_anomaly_name(anom & -anom));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_krb_msg msg; /* large: keep it off the stack */
	struct cap_span in = cap_span_of(data, size);
	struct cap_span pdu;
	struct cap_der_limits lim = {8, 256};
	struct cap_der_budget budget;
	uint32_t reclen;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	(void)cap_krb_peek_type(in);
	(void)cap_krb_decode(in, &msg);
	render_msg(&msg);

	if (cap_krb_tcp_record(in, &pdu, &reclen) != CAP_MALFORMED) {
		(void)cap_krb_decode(pdu, &msg);
		render_msg(&msg);
	}

	(void)cap_der_walk(in, NULL, visit, NULL);
	(void)cap_der_walk(in, &lim, visit, NULL);

	/* Small DER caps: a decode stopped anywhere must leave a consistent message. */
	cap_der_budget_init(&budget, &lim);
	(void)cap_krb_decode_capped(in, &msg, &budget);
	render_msg(&msg);
	return 0;
}
