/* krb_ticket.c - decodes the decrypted parts of tickets, authenticators and AP-REPs.
 *
 * References: RFC 4120 §5.3 (EncTicketPart, AuthorizationData), §5.5.1 (Authenticator),
 * §5.5.2 (EncAPRepPart), §5.2.6.1 (AD-IF-RELEVANT); RFC 4121 §4.1.1 (the GSS checksum
 * of an AP-REQ: flags, channel bindings, KRB-CRED); MS-PAC §2.4 (AD-WIN2K-PAC).
 *
 * The plaintext is read through the DER reader with the default caps, like any bytes
 * from the wire (a key could be right and the sender still hostile).
 */
#include <stdlib.h>
#include <string.h>

#include "negscope/der.h"
#include "negscope/krb5.h"
#include "proto/krb_ticket.h"

enum { AD_IF_RELEVANT = 1, AD_WIN2K_PAC = 128 };
#define GSS_CHECKSUM_TYPE 0x8003
/* AuthorizationData nests AD-IF-RELEVANT in AD-IF-RELEVANT at most this deep. */
#define AD_MAX_NEST 4

static int64_t rd_int(struct cap_der_reader *r, uint32_t n, int opt, int *present)
{
	struct cap_der_reader f;
	int64_t v = 0;

	if (present != NULL)
		*present = 0;
	if (!(opt ? cap_der_ctx_opt(r, n, &f) : cap_der_ctx(r, n, &f)))
		return 0;
	if (cap_der_int64(&f, &v) && present != NULL)
		*present = 1;
	if (!cap_der_ok(&f))
		cap_cur_fail(&r->cur, f.cur.status);
	return v;
}

static int rd_time(struct cap_der_reader *r, uint32_t n, int opt, int64_t *t)
{
	struct cap_der_reader f;
	struct cap_span s;

	if (!(opt ? cap_der_ctx_opt(r, n, &f) : cap_der_ctx(r, n, &f)))
		return 0;
	if (!cap_der_gentime(&f, &s, t)) {
		cap_cur_fail(&r->cur, f.cur.status);
		return 0;
	}
	return 1;
}

static void rd_string(struct cap_der_reader *r, uint32_t n, char *out, size_t len)
{
	struct cap_der_reader f;
	struct cap_span s;

	out[0] = '\0';
	if (!cap_der_ctx(r, n, &f))
		return;
	if (cap_der_string(&f, &s, NULL))
		cap_krb_span_str(s, out, len);
	else
		cap_cur_fail(&r->cur, f.cur.status);
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF
 * KerberosString }: components joined by '/'. */
static void rd_principal(struct cap_der_reader *r, uint32_t n, char *out, size_t len)
{
	struct cap_krb_principal p;
	struct cap_der_reader f, s, l;
	struct cap_span comp;

	memset(&p, 0, sizeof(p));
	out[0] = '\0';
	if (!cap_der_ctx(r, n, &f) || !cap_der_seq(&f, &s))
		return;
	(void)rd_int(&s, 0, 0, NULL);
	if (cap_der_ctx(&s, 1, &f) && cap_der_seq(&f, &l)) {
		while (cap_der_left(&l) > 0 && cap_der_string(&l, &comp, NULL)) {
			if (p.ncomponents < CAP_KRB_MAX_COMPONENTS)
				p.components[p.ncomponents++] = comp;
			p.ncomponents_seen++;
		}
	}
	p.present = 1;
	cap_krb_principal_str(&p, out, len);
}

/* AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0] Int32, ad-data [1] OCTET
 * STRING }; AD-IF-RELEVANT holds another AuthorizationData.  Finds the PAC. */
static void rd_authdata(struct cap_der_reader *r, struct cap_krb_ticket_view *v, int nest)
{
	struct cap_der_reader l, e, f, inner;
	struct cap_span data;
	int64_t type;

	if (nest > AD_MAX_NEST || !cap_der_seq(r, &l))
		return;
	while (cap_der_left(&l) > 0 && cap_der_seq(&l, &e)) {
		type = rd_int(&e, 0, 0, NULL);
		if (!cap_der_ctx(&e, 1, &f) || !cap_der_octets(&f, &data))
			return;
		if (type == AD_IF_RELEVANT) {
			inner = cap_der_enter(&e, data);
			rd_authdata(&inner, v, nest + 1);
		} else if (type == AD_WIN2K_PAC && !v->pac.present) {
			(void)cap_krb_pac_decode(data, &v->pac);
		}
	}
}

/* EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING } */
static void rd_key(struct cap_der_reader *r, uint32_t n, int opt, int32_t *type,
		   struct cap_span *key)
{
	struct cap_der_reader f, s, k;

	if (!(opt ? cap_der_ctx_opt(r, n, &f) : cap_der_ctx(r, n, &f)) || !cap_der_seq(&f, &s))
		return;
	*type = (int32_t)rd_int(&s, 0, 0, NULL);
	if (cap_der_ctx(&s, 1, &k))
		(void)cap_der_octets(&k, key);
}

/* EncTicketPart ::= [APPLICATION 3] SEQUENCE { flags [0] TicketFlags, key [1]
 *     EncryptionKey, crealm [2] Realm, cname [3] PrincipalName, transited [4]
 *     TransitedEncoding, authtime [5], starttime [6] OPTIONAL, endtime [7],
 *     renew-till [8] OPTIONAL, caddr [9] OPTIONAL, authorization-data [10] OPTIONAL } */
enum cap_status krbt_enc_ticket_part(struct cap_span plain, struct cap_krb_ticket_view *v,
				     int32_t *key_type, struct cap_span *key_out)
{
	struct cap_der_budget b;
	struct cap_der_reader c, app, s, f;
	int64_t ignored;

	cap_der_budget_init(&b, NULL);
	c = cap_der_reader(plain, &b);
	key_out->p = NULL;
	key_out->len = 0;
	if (!cap_der_expect(&c, CAP_DER_APPLICATION, 1, 3, &app) || !cap_der_seq(&app, &s))
		return CAP_MALFORMED;
	if (cap_der_ctx(&s, 0, &f))
		(void)cap_der_bits32(&f, &v->flags, NULL);
	rd_key(&s, 1, 0, key_type, key_out);
	rd_string(&s, 2, v->crealm, sizeof(v->crealm));
	rd_principal(&s, 3, v->cname, sizeof(v->cname));
	(void)cap_der_ctx(&s, 4, &f); /* transited: not shown */
	(void)rd_time(&s, 5, 0, &v->authtime);
	v->has_starttime = rd_time(&s, 6, 1, &v->starttime) != 0;
	(void)rd_time(&s, 7, 0, &v->endtime);
	(void)rd_time(&s, 8, 1, &ignored);
	(void)cap_der_ctx_opt(&s, 9, &f);
	if (cap_der_ctx_opt(&s, 10, &f))
		rd_authdata(&f, v, 0);
	if (!cap_der_ok(&s) || key_out->p == NULL)
		return cap_der_ok(&s) ? CAP_MALFORMED : s.cur.status;
	v->decoded = true;
	return CAP_OK;
}

/* The GSS checksum (RFC 4121 §4.1.1): Lgth (4, LE), Bnd (Lgth bytes), Flags (4, LE),
 * then with GSS_C_DELEG_FLAG: DlgOpt (2, LE) = 1, Dlgth (2, LE), Deleg (a KRB-CRED). */
static void rd_gss_checksum(struct cap_span ck, struct cap_krb_ticket_view *v)
{
	struct cap_cursor c = cap_cur_from_span(ck);
	uint32_t lgth = cap_cur_le32(&c);
	struct cap_cursor bnd = cap_cur_sub(&c, lgth);
	struct cap_krb_msg *cred;
	uint16_t dlgth;

	v->gss_flags = cap_cur_le32(&c);
	if (!cap_cur_ok(&c))
		return;
	v->gss_checksum = true;
	while (cap_cur_left(&bnd) > 0)
		if (cap_cur_u8(&bnd) != 0)
			v->cbt_present = true;
	if (!(v->gss_flags & CAP_GSS_C_DELEG_FLAG) || cap_cur_left(&c) < 4 ||
	    cap_cur_le16(&c) != 1)
		return;
	dlgth = cap_cur_le16(&c);
	if (dlgth > cap_cur_left(&c))
		return;
	v->deleg_cred = true;
	/* struct cap_krb_msg is large: off the stack. */
	cred = malloc(sizeof(*cred));
	if (cred == NULL)
		return;
	if (cap_krb_decode(cap_cur_span(&c, dlgth), cred) == CAP_OK &&
	    cred->msg_type == CAP_KRB_CRED && cred->cred.ntickets > 0 &&
	    cred->cred.tickets[0].sname.ncomponents > 0 &&
	    cap_span_eq(cred->cred.tickets[0].sname.components[0], "krbtgt"))
		v->deleg_tgt = true;
	free(cred);
}

/* Authenticator ::= [APPLICATION 2] SEQUENCE { authenticator-vno [0], crealm [1],
 *     cname [2], cksum [3] Checksum OPTIONAL, cusec [4], ctime [5], subkey [6]
 *     OPTIONAL, seq-number [7] OPTIONAL, authorization-data [8] OPTIONAL }
 * Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING } */
enum cap_status krbt_authenticator(struct cap_span plain, struct cap_krb_ticket_view *v,
				   int64_t *cusec_out)
{
	struct cap_der_budget b;
	struct cap_der_reader c, app, s, f, k, ck;
	struct cap_span sum;
	char scratch[8];

	cap_der_budget_init(&b, NULL);
	c = cap_der_reader(plain, &b);
	if (!cap_der_expect(&c, CAP_DER_APPLICATION, 1, 2, &app) || !cap_der_seq(&app, &s))
		return CAP_MALFORMED;
	(void)rd_int(&s, 0, 0, NULL);
	rd_string(&s, 1, scratch, sizeof(scratch));
	(void)cap_der_ctx(&s, 2, &f);
	if (cap_der_ctx_opt(&s, 3, &f) && cap_der_seq(&f, &k)) {
		int64_t type = rd_int(&k, 0, 0, NULL);

		if (cap_der_ctx(&k, 1, &ck) && cap_der_octets(&ck, &sum) &&
		    type == GSS_CHECKSUM_TYPE)
			rd_gss_checksum(sum, v);
	}
	*cusec_out = rd_int(&s, 4, 0, NULL);
	(void)rd_time(&s, 5, 0, &v->ctime);
	if (!cap_der_ok(&s))
		return s.cur.status;
	v->auth_decrypted = true;
	return CAP_OK;
}

/* EncAPRepPart ::= [APPLICATION 27] SEQUENCE { ctime [0], cusec [1], subkey [2]
 *     OPTIONAL, seq-number [3] OPTIONAL } */
enum cap_status krbt_ap_rep_part(struct cap_span plain, int64_t *ctime_out,
				 int64_t *cusec_out)
{
	struct cap_der_budget b;
	struct cap_der_reader c, app, s;

	cap_der_budget_init(&b, NULL);
	c = cap_der_reader(plain, &b);
	if (!cap_der_expect(&c, CAP_DER_APPLICATION, 1, 27, &app) || !cap_der_seq(&app, &s))
		return CAP_MALFORMED;
	(void)rd_time(&s, 0, 0, ctime_out);
	*cusec_out = rd_int(&s, 1, 0, NULL);
	return cap_der_ok(&s) ? CAP_OK : s.cur.status;
}
