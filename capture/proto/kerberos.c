/* kerberos.c - decodes Kerberos V5 messages into struct cap_krb_msg.
 *
 * References: RFC 4120 §5 (ASN.1 of every message, Appendix A), RFC 4120
 * §7.2.2 (TCP record marker), MS-KILE §2.2 (KERB-ERROR-DATA,
 * KERB-EXT-ERROR, PA-PAC-OPTIONS, PA-SUPPORTED-ENCTYPES), MS-SFU §2.2.1
 * (PA-FOR-USER), RFC 6113 §5.4 (PA-FX-FAST framing).
 *
 * Every read goes through cursor.h/der.h.  Errors are collected in a
 * struct dec: the first hard error (MALFORMED/LIMIT/UNSUPPORTED) wins;
 * running out of bytes is kept apart and becomes TRUNCATED only if the
 * message's outer TLV really was cut (otherwise a child overran its parent:
 * MALFORMED).  Values inside PA-DATA / e-data OCTET STRINGs are decoded
 * with their own struct dec, so a bad one costs an anomaly, not the message.
 */
#include <string.h>

#include "negscope/der.h"
#include "negscope/dynbuf.h"
#include "negscope/krb5.h"

struct dec {
	struct cap_krb_msg *m;
	enum cap_status hard;   /* first error other than TRUNCATED */
	int trunc;              /* some read ran out of bytes */
	int in_error;           /* decoding KRB-ERROR e-data */
	struct cap_der_budget *budget; /* shared by every struct dec of one message */
	unsigned depth;         /* of the value this struct dec decodes */
};

static void dec_init(struct dec *d, struct cap_krb_msg *m, const struct dec *parent)
{
	d->m = m;
	d->hard = CAP_OK;
	d->trunc = 0;
	d->in_error = parent != NULL ? parent->in_error : 0;
	d->budget = parent != NULL ? parent->budget : NULL;
	d->depth = parent != NULL ? parent->depth : 0;
}

/* A cursor over a value kept as a span (a PA-DATA or e-data OCTET STRING, FAST
 * armor): one level below the struct dec that found it, on the same budget. */
static struct cap_der_reader nested(const struct dec *d, struct cap_span v)
{
	struct cap_der_reader at = cap_der_reader(cap_span_of(NULL, 0), d->budget);

	at.depth = d->depth;
	return cap_der_enter(&at, v);
}

static void note(struct dec *d, const struct cap_der_reader *c)
{
	if (c->cur.status == CAP_TRUNCATED)
		d->trunc = 1;
	else if (c->cur.status != CAP_OK && d->hard == CAP_OK)
		d->hard = c->cur.status;
}

/* Final status; complete = the enclosing TLV was wholly captured. */
static enum cap_status dec_result(const struct dec *d, int complete)
{
	if (d->hard != CAP_OK)
		return d->hard;
	if (d->trunc)
		return complete ? CAP_MALFORMED : CAP_TRUNCATED;
	return complete ? CAP_OK : CAP_TRUNCATED;
}

static void anom(struct dec *d, unsigned bit)
{
	d->m->anomalies |= bit;
}

/* Records non-minimal DER of the next TLV (tolerated, named). */
static void der_anom(struct dec *d, const struct cap_der_reader *c)
{
	struct cap_der e;

	if (cap_der_peek(&c->cur, &e) && e.anomalies != 0)
		anom(d, CAP_KRB_ANOM_NONMINIMAL_DER);
}

/* Closes a cursor: notes its status and flags unread bytes. */
static void done(struct dec *d, struct cap_der_reader *c)
{
	note(d, c);
	if (cap_der_ok(c) && cap_der_left(c) > 0)
		anom(d, CAP_KRB_ANOM_UNKNOWN_FIELD);
}

static int fld(struct dec *d, struct cap_der_reader *c, uint32_t n,
	       struct cap_der_reader *in)
{
	der_anom(d, c);
	return cap_der_ctx(c, n, in);
}

static int fld_opt(struct dec *d, struct cap_der_reader *c, uint32_t n,
		   struct cap_der_reader *in)
{
	der_anom(d, c);
	return cap_der_ctx_opt(c, n, in);
}

static int seq(struct dec *d, struct cap_der_reader *c, struct cap_der_reader *in)
{
	der_anom(d, c);
	return cap_der_seq(c, in);
}

/* One universal primitive TLV of the given tag. */
static int prim(struct dec *d, struct cap_der_reader *c, uint32_t tag,
		struct cap_der *e)
{
	struct cap_der_reader t = *c;

	if (!cap_der_read(&t, e)) {
		cap_cur_fail(&c->cur, t.cur.status);
		return 0;
	}
	if (e->cls != CAP_DER_UNIVERSAL || e->tag != tag || e->constructed) {
		cap_cur_fail(&c->cur, CAP_MALFORMED);
		return 0;
	}
	if (e->anomalies != 0)
		anom(d, CAP_KRB_ANOM_NONMINIMAL_DER);
	*c = t;
	return 1;
}

static int64_t rd_int(struct dec *d, struct cap_der_reader *c)
{
	struct cap_der e;
	enum cap_status s;
	unsigned an = 0;
	int64_t v = 0;

	if (!prim(d, c, CAP_DER_TAG_INTEGER, &e))
		return 0;
	s = cap_der_int64_value(e.value, &v, &an);
	if (s != CAP_OK) {
		cap_cur_fail(&c->cur, s);
		return 0;
	}
	if (an != 0)
		anom(d, CAP_KRB_ANOM_NONMINIMAL_DER);
	return v;
}

/* Int32; values 2^31..2^32-1 are taken as their two's complement, since
 * some encoders write negative etypes/name types as unsigned. */
static int32_t rd_int32(struct dec *d, struct cap_der_reader *c)
{
	int64_t v = rd_int(d, c);

	if (v >= INT32_MIN && v <= INT32_MAX)
		return (int32_t)v;
	if (v > INT32_MAX && v <= (int64_t)UINT32_MAX)
		return (int32_t)(v - 4294967296LL);
	cap_cur_fail(&c->cur, CAP_MALFORMED);
	return 0;
}

/* UInt32; negative Int32 values are taken modulo 2^32 (old encoders sent
 * nonces signed). */
static uint32_t rd_uint32(struct dec *d, struct cap_der_reader *c)
{
	int64_t v = rd_int(d, c);

	if (v >= 0 && v <= (int64_t)UINT32_MAX)
		return (uint32_t)v;
	if (v >= INT32_MIN && v < 0)
		return (uint32_t)(v + 4294967296LL);
	cap_cur_fail(&c->cur, CAP_MALFORMED);
	return 0;
}

static void rd_octets(struct dec *d, struct cap_der_reader *c, struct cap_span *out)
{
	struct cap_der e;

	if (prim(d, c, CAP_DER_TAG_OCTET_STRING, &e))
		*out = e.value;
}

/* KerberosString ::= GeneralString (IA5 contents); others tolerated. */
static void rd_string(struct dec *d, struct cap_der_reader *c, struct cap_span *out)
{
	uint32_t tag = 0;

	der_anom(d, c);
	if (cap_der_string(c, out, &tag) && tag != CAP_DER_TAG_GENERAL_STRING)
		anom(d, CAP_KRB_ANOM_NOT_GENERAL_STRING);
}

static void rd_time(struct dec *d, struct cap_der_reader *c, int64_t *t,
		    struct cap_span *str)
{
	struct cap_der e;
	enum cap_status s;
	unsigned an = 0;

	if (!prim(d, c, CAP_DER_TAG_GENERALIZED_TIME, &e))
		return;
	s = cap_der_gentime_value(e.value, t, &an);
	if (s != CAP_OK) {
		cap_cur_fail(&c->cur, s);
		return;
	}
	if (str != NULL)
		*str = e.value;
}

static uint32_t rd_flags(struct dec *d, struct cap_der_reader *c)
{
	struct cap_der e;
	enum cap_status s;
	uint32_t v = 0;

	if (!prim(d, c, CAP_DER_TAG_BIT_STRING, &e))
		return 0;
	s = cap_der_bits32_value(e.value, &v, NULL, NULL);
	if (s != CAP_OK)
		cap_cur_fail(&c->cur, s);
	return v;
}

/* Explicitly tagged field holding one value: [n] X.  Helpers so that each
 * SEQUENCE reads like its ASN.1. */
static int64_t fld_int(struct dec *d, struct cap_der_reader *s, uint32_t n, int opt,
		       int *present)
{
	struct cap_der_reader f;
	int64_t v = 0;

	if (present != NULL)
		*present = 0;
	if (!(opt ? fld_opt(d, s, n, &f) : fld(d, s, n, &f)))
		return 0;
	v = rd_int(d, &f);
	done(d, &f);
	if (present != NULL && cap_der_ok(&f))
		*present = 1;
	return v;
}

static int32_t fld_int32(struct dec *d, struct cap_der_reader *s, uint32_t n)
{
	struct cap_der_reader f;
	int32_t v = 0;

	if (!fld(d, s, n, &f))
		return 0;
	v = rd_int32(d, &f);
	done(d, &f);
	return v;
}

static void fld_string(struct dec *d, struct cap_der_reader *s, uint32_t n, int opt,
		       struct cap_span *out, int *present)
{
	struct cap_der_reader f;

	if (!(opt ? fld_opt(d, s, n, &f) : fld(d, s, n, &f)))
		return;
	rd_string(d, &f, out);
	done(d, &f);
	if (present != NULL && cap_der_ok(&f))
		*present = 1;
}

static void fld_time(struct dec *d, struct cap_der_reader *s, uint32_t n, int opt,
		     int64_t *t, struct cap_span *str, int *present)
{
	struct cap_der_reader f;

	if (!(opt ? fld_opt(d, s, n, &f) : fld(d, s, n, &f)))
		return;
	rd_time(d, &f, t, str);
	done(d, &f);
	if (present != NULL && cap_der_ok(&f))
		*present = 1;
}

static void pvno_check(struct dec *d, int64_t pvno, const struct cap_der_reader *s)
{
	if (cap_der_ok(s) && pvno != 5)
		anom(d, CAP_KRB_ANOM_BAD_PVNO);
}

static void type_check(struct dec *d, int64_t mt, int expect,
		       const struct cap_der_reader *s)
{
	if (cap_der_ok(s) && mt != expect)
		anom(d, CAP_KRB_ANOM_MSG_TYPE_MISMATCH);
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32,
 *                              name-string [1] SEQUENCE OF KerberosString } */
static void dec_principal(struct dec *d, struct cap_der_reader *c,
			  struct cap_krb_principal *p)
{
	struct cap_der_reader s, f, l;
	struct cap_span comp;

	if (!seq(d, c, &s)) {
		note(d, c);
		return;
	}
	p->present = 1;
	p->name_type = fld_int32(d, &s, 0);
	if (fld(d, &s, 1, &f)) {
		if (seq(d, &f, &l)) {
			while (cap_der_left(&l) > 0) {
				comp.p = NULL;
				comp.len = 0;
				rd_string(d, &l, &comp);
				if (!cap_der_ok(&l))
					break;
				if (p->ncomponents < CAP_KRB_MAX_COMPONENTS)
					p->components[p->ncomponents++] = comp;
				else
					anom(d, CAP_KRB_ANOM_TOO_MANY_COMPONENTS);
				p->ncomponents_seen++;
			}
			done(d, &l);
		}
		done(d, &f);
	}
	done(d, &s);
	note(d, c);
	if (cap_der_ok(&s) && p->ncomponents_seen == 0)
		anom(d, CAP_KRB_ANOM_EMPTY_NAME);
}

/* EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL,
 *                              cipher [2] OCTET STRING } */
static void dec_enc(struct dec *d, struct cap_der_reader *c, struct cap_krb_enc *e)
{
	struct cap_der_reader s, f;

	if (!seq(d, c, &s)) {
		note(d, c);
		return;
	}
	e->present = 1;
	e->etype = fld_int32(d, &s, 0);
	if (fld_opt(d, &s, 1, &f)) {
		e->kvno = rd_uint32(d, &f);
		e->kvno_present = cap_der_ok(&f);
		done(d, &f);
	}
	if (fld(d, &s, 2, &f)) {
		rd_octets(d, &f, &e->cipher);
		done(d, &f);
	}
	done(d, &s);
	note(d, c);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0] INTEGER (5),
 *     realm [1] Realm, sname [2] PrincipalName, enc-part [3] EncryptedData } */
static void dec_ticket(struct dec *d, struct cap_der_reader *c,
		       struct cap_krb_ticket *t)
{
	struct cap_der_reader app, s, f;
	struct cap_der_reader peek = *c;
	struct cap_der e;

	(void)cap_der_read(&peek, &e);
	t->raw = e.tlv;
	der_anom(d, c);
	if (!cap_der_expect(c, CAP_DER_APPLICATION, 1, 1, &app)) {
		note(d, c);
		return;
	}
	t->present = 1;
	if (seq(d, &app, &s)) {
		t->tkt_vno = fld_int(d, &s, 0, 0, NULL);
		pvno_check(d, t->tkt_vno, &s);
		fld_string(d, &s, 1, 0, &t->realm, NULL);
		if (fld(d, &s, 2, &f)) {
			dec_principal(d, &f, &t->sname);
			done(d, &f);
		}
		if (fld(d, &s, 3, &f)) {
			dec_enc(d, &f, &t->enc_part);
			done(d, &f);
		}
		done(d, &s);
	}
	done(d, &app);
	note(d, c);
}

/* AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1],
 *     ap-options [2] APOptions, ticket [3] Ticket,
 *     authenticator [4] EncryptedData } -- called on the SEQUENCE's parent */
static void dec_ap_req_body(struct dec *d, struct cap_der_reader *app,
			    struct cap_krb_ap_req *r)
{
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	r->present = 1;
	r->pvno = fld_int(d, &s, 0, 0, NULL);
	pvno_check(d, r->pvno, &s);
	r->msg_type = fld_int(d, &s, 1, 0, NULL);
	type_check(d, r->msg_type, CAP_KRB_AP_REQ, &s);
	if (fld(d, &s, 2, &f)) {
		r->ap_options = rd_flags(d, &f);
		done(d, &f);
	}
	if (fld(d, &s, 3, &f)) {
		dec_ticket(d, &f, &r->ticket);
		done(d, &f);
	}
	if (fld(d, &s, 4, &f)) {
		dec_enc(d, &f, &r->authenticator);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
}

/* PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING }
 * l is the contents of a SEQUENCE OF PA-DATA. */
static void dec_padata_list(struct dec *d, struct cap_der_reader *l)
{
	struct cap_krb_msg *m = d->m;
	struct cap_der_reader s, f;
	struct cap_krb_padata pa;

	while (cap_der_left(l) > 0) {
		memset(&pa, 0, sizeof(pa));
		if (!seq(d, l, &s))
			break;
		pa.type = fld_int32(d, &s, 1);
		if (fld(d, &s, 2, &f)) {
			rd_octets(d, &f, &pa.value);
			done(d, &f);
		}
		done(d, &s);
		if (m->npadata < CAP_KRB_MAX_PADATA)
			m->padata[m->npadata++] = pa;
		else
			anom(d, CAP_KRB_ANOM_TOO_MANY_PADATA);
		m->npadata_seen++;
		if (!cap_der_ok(&s))
			break;
	}
	note(d, l);
}

/* ETYPE-INFO2-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] KerberosString
 *     OPTIONAL, s2kparams [2] OCTET STRING OPTIONAL }
 * ETYPE-INFO-ENTRY  ::= SEQUENCE { etype [0] Int32, salt [1] OCTET STRING
 *     OPTIONAL } */
static void dec_etype_info(struct dec *d, struct cap_der_reader *c, int info2)
{
	struct cap_krb_msg *m = d->m;
	struct cap_der_reader l, s, f;
	struct cap_krb_etype_info ei;

	if (!seq(d, c, &l)) {
		note(d, c);
		return;
	}
	while (cap_der_left(&l) > 0) {
		memset(&ei, 0, sizeof(ei));
		ei.from_info2 = info2;
		if (!seq(d, &l, &s))
			break;
		ei.etype = fld_int32(d, &s, 0);
		if (fld_opt(d, &s, 1, &f)) {
			if (info2)
				rd_string(d, &f, &ei.salt);
			else
				rd_octets(d, &f, &ei.salt);
			ei.salt_present = cap_der_ok(&f);
			done(d, &f);
		}
		if (info2 && fld_opt(d, &s, 2, &f)) {
			rd_octets(d, &f, &ei.s2kparams);
			ei.s2kparams_present = cap_der_ok(&f);
			done(d, &f);
		}
		done(d, &s);
		if (!cap_der_ok(&s))
			break;
		if (m->netype_info < CAP_KRB_MAX_ETYPE_INFO)
			m->etype_info[m->netype_info++] = ei;
		else
			anom(d, CAP_KRB_ANOM_TOO_MANY_ETYPE_INFO);
		m->netype_info_seen++;
	}
	done(d, &l);
	note(d, c);
}

/* PA-FOR-USER ::= SEQUENCE { userName [0] PrincipalName, userRealm [1]
 *     Realm, cksum [2] Checksum, auth-package [3] KerberosString }
 * Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING } */
static void dec_for_user(struct dec *d, struct cap_der_reader *c,
			 struct cap_krb_pa_for_user *u)
{
	struct cap_der_reader s, f, k, ck;
	struct cap_span cksum;

	if (!seq(d, c, &s)) {
		note(d, c);
		return;
	}
	u->present = 1;
	if (fld(d, &s, 0, &f)) {
		dec_principal(d, &f, &u->user_name);
		done(d, &f);
	}
	fld_string(d, &s, 1, 0, &u->user_realm, NULL);
	if (fld(d, &s, 2, &f)) {
		if (seq(d, &f, &k)) {
			u->cksum_type = fld_int32(d, &k, 0);
			/* the checksum bytes themselves are not kept */
			if (fld(d, &k, 1, &ck)) {
				rd_octets(d, &ck, &cksum);
				done(d, &ck);
			}
			done(d, &k);
		}
		done(d, &f);
	}
	fld_string(d, &s, 3, 0, &u->auth_package, NULL);
	done(d, &s);
	note(d, c);
}

/* KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN } */
static void dec_pac_request(struct dec *d, struct cap_der_reader *c)
{
	struct cap_der_reader s, f;
	int v = 0;

	if (seq(d, c, &s)) {
		if (fld(d, &s, 0, &f)) {
			cap_der_bool(&f, &v);
			done(d, &f);
		}
		done(d, &s);
	}
	note(d, c);
	d->m->pa_pac_request = v;
	d->m->pa_pac_request_present = 1;
}

/* PA-PAC-OPTIONS ::= SEQUENCE { KerberosFlags [0] PAC-OptionFlags } */
static void dec_pac_options(struct dec *d, struct cap_der_reader *c)
{
	struct cap_der_reader s, f;

	if (seq(d, c, &s)) {
		if (fld(d, &s, 0, &f)) {
			d->m->pa_pac_options = rd_flags(d, &f);
			done(d, &f);
		}
		done(d, &s);
	}
	note(d, c);
	d->m->pa_pac_options_present = 1;
}

/* PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq }
 * KrbFastArmoredReq ::= SEQUENCE { armor [0] KrbFastArmor OPTIONAL,
 *     req-checksum [1] Checksum, enc-fast-req [2] EncryptedData }
 * KrbFastArmor ::= SEQUENCE { armor-type [0] Int32,
 *     armor-value [1] OCTET STRING }
 * PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep }
 * KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData } */
static void dec_fast(struct dec *d, struct cap_der_reader *c, int reply,
		     struct cap_krb_fast *x)
{
	struct cap_der_reader ch, s, f, a, k, v, app;
	struct cap_span armor;

	if (!fld(d, c, 0, &ch)) {
		note(d, c);
		return;
	}
	x->present = 1;
	x->is_reply = reply;
	if (seq(d, &ch, &s)) {
		if (reply) {
			if (fld(d, &s, 0, &f)) {
				dec_enc(d, &f, &x->enc);
				done(d, &f);
			}
		} else {
			if (fld_opt(d, &s, 0, &f)) {
				if (seq(d, &f, &a)) {
					x->armor_type = fld_int32(d, &a, 0);
					armor.p = NULL;
					armor.len = 0;
					if (fld(d, &a, 1, &v)) {
						rd_octets(d, &v, &armor);
						done(d, &v);
					}
					x->armor_present = cap_der_ok(&a);
					done(d, &a);
					/* FX_FAST_ARMOR_AP_REQUEST: an AP-REQ */
					v = nested(d, armor);
					if (x->armor_present && x->armor_type == 1 &&
					    cap_der_expect(&v, CAP_DER_APPLICATION, 1,
							   CAP_KRB_AP_REQ, &app)) {
						dec_ap_req_body(d, &app, &x->armor_ap_req);
						done(d, &app);
					}
					note(d, &v);
				}
				done(d, &f);
			}
			if (fld(d, &s, 1, &f)) {
				if (seq(d, &f, &k)) {
					x->cksum_type = fld_int32(d, &k, 0);
					if (fld(d, &k, 1, &v)) {
						rd_octets(d, &v, &armor);
						done(d, &v);
					}
					done(d, &k);
				}
				done(d, &f);
			}
			if (fld(d, &s, 2, &f)) {
				dec_enc(d, &f, &x->enc);
				done(d, &f);
			}
		}
		done(d, &s);
	}
	done(d, &ch);
	note(d, c);
}

/* 12 little-endian bytes: NTSTATUS, reserved, flags (MS-KILE 2.2.2). */
static int dec_ext_error(struct cap_krb_error *e, struct cap_span v)
{
	struct cap_cursor c = cap_cur_from_span(v);

	if (v.len != 12)
		return 0;
	e->ntstatus = cap_cur_le32(&c);
	e->ext_reserved = cap_cur_le32(&c);
	e->ext_flags = cap_cur_le32(&c);
	e->ext_error_present = cap_cur_ok(&c);
	return e->ext_error_present;
}

/* Decodes one padata value in its own struct dec; 1 if it decoded. */
static int dec_padata_value(struct dec *parent, struct cap_krb_padata *pa)
{
	struct cap_krb_msg *m = parent->m;
	struct cap_der_reader c = nested(parent, pa->value);
	struct cap_der_reader app;
	struct dec d;

	dec_init(&d, m, parent);
	d.depth = c.depth;
	if (pa->value.p == NULL)
		return 0; /* cut before its value: nothing to look into */
	switch (pa->type) {
	case CAP_KRB_PA_TGS_REQ:
		if (m->pa_tgs_req.present)
			return 0;
		if (cap_der_expect(&c, CAP_DER_APPLICATION, 1, CAP_KRB_AP_REQ,
				   &app)) {
			dec_ap_req_body(&d, &app, &m->pa_tgs_req);
			done(&d, &app);
		}
		break;
	case CAP_KRB_PA_ENC_TIMESTAMP:
		if (parent->in_error)
			return 0;
		dec_enc(&d, &c, &m->pa_enc_timestamp);
		break;
	case CAP_KRB_PA_PW_SALT:
		/* In a Windows KRB-ERROR this carries KERB-EXT-ERROR. */
		if (parent->in_error && pa->value.len == 12)
			return dec_ext_error(&m->err, pa->value);
		return 0;
	case CAP_KRB_PA_ETYPE_INFO:
		dec_etype_info(&d, &c, 0);
		break;
	case CAP_KRB_PA_ETYPE_INFO2:
		dec_etype_info(&d, &c, 1);
		break;
	case CAP_KRB_PA_PAC_REQUEST:
		dec_pac_request(&d, &c);
		break;
	case CAP_KRB_PA_FOR_USER:
		dec_for_user(&d, &c, &m->pa_for_user);
		break;
	case CAP_KRB_PA_FX_FAST:
		if (m->pa_fx_fast.present)
			return 0;
		dec_fast(&d, &c, m->msg_type != CAP_KRB_AS_REQ &&
				 m->msg_type != CAP_KRB_TGS_REQ, &m->pa_fx_fast);
		break;
	case CAP_KRB_PA_SUPPORTED_ETYPES:
		m->pa_supported_etypes = cap_cur_le32(&c.cur);
		m->pa_supported_etypes_present = cap_der_ok(&c);
		break;
	case CAP_KRB_PA_PAC_OPTIONS:
		dec_pac_options(&d, &c);
		break;
	default:
		return 0;
	}
	done(&d, &c);
	if (dec_result(&d, 1) != CAP_OK) {
		anom(parent, CAP_KRB_ANOM_PADATA_UNDECODED);
		return 0;
	}
	return 1;
}

static void dec_padata_values(struct dec *d)
{
	size_t i;

	for (i = 0; i < d->m->npadata; i++)
		d->m->padata[i].decoded = dec_padata_value(d, &d->m->padata[i]);
}

/* padata [n] SEQUENCE OF PA-DATA OPTIONAL */
static void fld_padata(struct dec *d, struct cap_der_reader *s, uint32_t n)
{
	struct cap_der_reader f, l;

	if (!fld_opt(d, s, n, &f))
		return;
	if (seq(d, &f, &l))
		dec_padata_list(d, &l);
	done(d, &f);
}

/* SEQUENCE OF Ticket into a capped array. */
static void dec_tickets(struct dec *d, struct cap_der_reader *c,
			struct cap_krb_ticket *arr, size_t cap, size_t *n,
			size_t *seen)
{
	struct cap_der_reader l;
	struct cap_krb_ticket scratch;

	if (!seq(d, c, &l)) {
		note(d, c);
		return;
	}
	while (cap_der_left(&l) > 0) {
		struct cap_krb_ticket *t = *n < cap ? &arr[*n] : &scratch;

		memset(&scratch, 0, sizeof(scratch));
		dec_ticket(d, &l, t);
		if (!t->present)
			break;
		if (*n < cap)
			(*n)++;
		else
			anom(d, CAP_KRB_ANOM_TOO_MANY_TICKETS);
		(*seen)++;
		if (!cap_der_ok(&l))
			break;
	}
	done(d, &l);
	note(d, c);
}

/* HostAddresses ::= SEQUENCE OF SEQUENCE { addr-type [0] Int32,
 *                                          address [1] OCTET STRING } */
static void dec_addresses(struct dec *d, struct cap_der_reader *c,
			  struct cap_krb_kdc_req *r)
{
	struct cap_der_reader l, s, f;
	struct cap_krb_address a;

	if (!seq(d, c, &l)) {
		note(d, c);
		return;
	}
	while (cap_der_left(&l) > 0) {
		memset(&a, 0, sizeof(a));
		if (!seq(d, &l, &s))
			break;
		a.addr_type = fld_int32(d, &s, 0);
		if (fld(d, &s, 1, &f)) {
			rd_octets(d, &f, &a.address);
			done(d, &f);
		}
		done(d, &s);
		if (!cap_der_ok(&s))
			break;
		if (r->naddresses < CAP_KRB_MAX_ADDRESSES)
			r->addresses[r->naddresses++] = a;
		else
			anom(d, CAP_KRB_ANOM_TOO_MANY_ADDRESSES);
		r->naddresses_seen++;
	}
	done(d, &l);
	note(d, c);
}

/* KDC-REQ-BODY ::= SEQUENCE { kdc-options [0], cname [1] OPTIONAL,
 *     realm [2], sname [3] OPTIONAL, from [4] OPTIONAL, till [5],
 *     rtime [6] OPTIONAL, nonce [7], etype [8] SEQUENCE OF Int32,
 *     addresses [9] OPTIONAL, enc-authorization-data [10] OPTIONAL,
 *     additional-tickets [11] SEQUENCE OF Ticket OPTIONAL } */
static void dec_req_body(struct dec *d, struct cap_der_reader *c,
			 struct cap_krb_kdc_req *r)
{
	struct cap_der_reader s, f, l;
	int32_t et;

	if (!seq(d, c, &s)) {
		note(d, c);
		return;
	}
	if (fld(d, &s, 0, &f)) {
		r->kdc_options = rd_flags(d, &f);
		done(d, &f);
	}
	if (fld_opt(d, &s, 1, &f)) {
		dec_principal(d, &f, &r->cname);
		done(d, &f);
	}
	fld_string(d, &s, 2, 0, &r->realm, NULL);
	if (fld_opt(d, &s, 3, &f)) {
		dec_principal(d, &f, &r->sname);
		done(d, &f);
	}
	fld_time(d, &s, 4, 1, &r->from, NULL, &r->from_present);
	fld_time(d, &s, 5, 0, &r->till, &r->till_str, NULL);
	fld_time(d, &s, 6, 1, &r->rtime, NULL, &r->rtime_present);
	if (fld(d, &s, 7, &f)) {
		r->nonce = rd_uint32(d, &f);
		done(d, &f);
	}
	if (fld(d, &s, 8, &f)) {
		if (seq(d, &f, &l)) {
			while (cap_der_left(&l) > 0) {
				et = rd_int32(d, &l);
				if (!cap_der_ok(&l))
					break;
				if (r->netypes < CAP_KRB_MAX_ETYPES)
					r->etypes[r->netypes++] = et;
				else
					anom(d, CAP_KRB_ANOM_TOO_MANY_ETYPES);
				r->netypes_seen++;
			}
			done(d, &l);
		}
		done(d, &f);
	}
	if (fld_opt(d, &s, 9, &f)) {
		dec_addresses(d, &f, r);
		done(d, &f);
	}
	if (fld_opt(d, &s, 10, &f)) {
		dec_enc(d, &f, &r->enc_authorization_data);
		done(d, &f);
	}
	if (fld_opt(d, &s, 11, &f)) {
		dec_tickets(d, &f, r->additional_tickets, CAP_KRB_MAX_ADDL_TICKETS,
			    &r->nadditional_tickets, &r->nadditional_tickets_seen);
		done(d, &f);
	}
	done(d, &s);
	note(d, c);
}

/* KDC-REQ ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2] INTEGER,
 *     padata [3] SEQUENCE OF PA-DATA OPTIONAL, req-body [4] KDC-REQ-BODY } */
static void dec_kdc_req(struct dec *d, struct cap_der_reader *app, int type)
{
	struct cap_krb_kdc_req *r = &d->m->req;
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	r->present = 1;
	r->pvno = fld_int(d, &s, 1, 0, NULL);
	pvno_check(d, r->pvno, &s);
	r->msg_type = fld_int(d, &s, 2, 0, NULL);
	type_check(d, r->msg_type, type, &s);
	fld_padata(d, &s, 3);
	if (fld(d, &s, 4, &f)) {
		dec_req_body(d, &f, r);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
	dec_padata_values(d);
}

/* KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPTIONAL,
 *     crealm [3] Realm, cname [4] PrincipalName, ticket [5] Ticket,
 *     enc-part [6] EncryptedData } */
static void dec_kdc_rep(struct dec *d, struct cap_der_reader *app, int type)
{
	struct cap_krb_kdc_rep *r = &d->m->rep;
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	r->present = 1;
	r->pvno = fld_int(d, &s, 0, 0, NULL);
	pvno_check(d, r->pvno, &s);
	r->msg_type = fld_int(d, &s, 1, 0, NULL);
	type_check(d, r->msg_type, type, &s);
	fld_padata(d, &s, 2);
	fld_string(d, &s, 3, 0, &r->crealm, NULL);
	if (fld(d, &s, 4, &f)) {
		dec_principal(d, &f, &r->cname);
		done(d, &f);
	}
	if (fld(d, &s, 5, &f)) {
		dec_ticket(d, &f, &r->ticket);
		done(d, &f);
	}
	if (fld(d, &s, 6, &f)) {
		dec_enc(d, &f, &r->enc_part);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
	dec_padata_values(d);
}

/* AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0], msg-type [1],
 *     enc-part [2] EncryptedData } */
static void dec_ap_rep(struct dec *d, struct cap_der_reader *app)
{
	struct cap_krb_ap_rep *r = &d->m->ap_rep;
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	r->present = 1;
	r->pvno = fld_int(d, &s, 0, 0, NULL);
	pvno_check(d, r->pvno, &s);
	r->msg_type = fld_int(d, &s, 1, 0, NULL);
	type_check(d, r->msg_type, CAP_KRB_AP_REP, &s);
	if (fld(d, &s, 2, &f)) {
		dec_enc(d, &f, &r->enc_part);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
}

/* KRB-CRED ::= [APPLICATION 22] SEQUENCE { pvno [0], msg-type [1],
 *     tickets [2] SEQUENCE OF Ticket, enc-part [3] EncryptedData } */
static void dec_cred(struct dec *d, struct cap_der_reader *app)
{
	struct cap_krb_cred *r = &d->m->cred;
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	r->present = 1;
	r->pvno = fld_int(d, &s, 0, 0, NULL);
	pvno_check(d, r->pvno, &s);
	r->msg_type = fld_int(d, &s, 1, 0, NULL);
	type_check(d, r->msg_type, CAP_KRB_CRED, &s);
	if (fld(d, &s, 2, &f)) {
		dec_tickets(d, &f, r->tickets, CAP_KRB_MAX_CRED_TICKETS,
			    &r->ntickets, &r->ntickets_seen);
		done(d, &f);
	}
	if (fld(d, &s, 3, &f)) {
		dec_enc(d, &f, &r->enc_part);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
}

/* e-data forms, told apart by shape:
 *   METHOD-DATA      SEQUENCE OF SEQUENCE { [1] Int32, [2] OCTET STRING }
 *   TYPED-DATA       SEQUENCE OF SEQUENCE { [0] Int32, [1] OCTET STRING OPT }
 *   KERB-ERROR-DATA  SEQUENCE { data-type [1] INTEGER,
 *                               data-value [2] OCTET STRING OPTIONAL } */
static void dec_edata(struct dec *parent)
{
	struct cap_krb_msg *m = parent->m;
	struct cap_krb_error *e = &m->err;
	struct cap_der_reader c = nested(parent, e->e_data);
	struct cap_der_reader s, l, f;
	struct cap_der first, inner;
	struct dec d;

	dec_init(&d, m, parent);
	d.depth = c.depth;
	d.in_error = 1;
	e->e_data_kind = CAP_KRB_EDATA_UNKNOWN;
	if (!cap_der_seq(&c, &s) || !cap_der_peek(&s.cur, &first)) {
		anom(parent, CAP_KRB_ANOM_EDATA_UNDECODED);
		return;
	}
	if (first.cls == CAP_DER_UNIVERSAL && first.tag == CAP_DER_TAG_SEQUENCE &&
	    first.constructed) {
		l = cap_der_enter(&s, first.value);
		if (cap_der_peek(&l.cur, &inner) && inner.cls == CAP_DER_CONTEXT &&
		    inner.tag == 0) {
			/* TYPED-DATA: keep the first entry's type only. */
			if (seq(&d, &s, &l)) {
				e->typed_data_type = fld_int32(&d, &l, 0);
				note(&d, &l);
			}
			if (dec_result(&d, 1) == CAP_OK)
				e->e_data_kind = CAP_KRB_EDATA_TYPED_DATA;
		} else {
			/* METHOD-DATA goes into msg->padata like KDC padata. */
			dec_padata_list(&d, &s);
			if (dec_result(&d, 1) == CAP_OK) {
				e->e_data_kind = CAP_KRB_EDATA_METHOD_DATA;
				dec_padata_values(&d);
			}
		}
	} else if (first.cls == CAP_DER_CONTEXT && first.tag == 1) {
		e->kerb_err_data_type = fld_int(&d, &s, 1, 0, NULL);
		if (fld_opt(&d, &s, 2, &f)) {
			rd_octets(&d, &f, &e->kerb_err_data_value);
			done(&d, &f);
		}
		done(&d, &s);
		if (dec_result(&d, 1) == CAP_OK) {
			e->e_data_kind = CAP_KRB_EDATA_KERB_ERROR_DATA;
			if (e->kerb_err_data_type == CAP_KERB_ERR_TYPE_EXTENDED)
				(void)dec_ext_error(e, e->kerb_err_data_value);
		}
	}
	if (e->e_data_kind == CAP_KRB_EDATA_UNKNOWN)
		anom(parent, CAP_KRB_ANOM_EDATA_UNDECODED);
}

/* KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1],
 *     ctime [2] OPTIONAL, cusec [3] OPTIONAL, stime [4], susec [5],
 *     error-code [6] Int32, crealm [7] OPTIONAL, cname [8] OPTIONAL,
 *     realm [9], sname [10], e-text [11] OPTIONAL, e-data [12] OPTIONAL } */
static void dec_error(struct dec *d, struct cap_der_reader *app)
{
	struct cap_krb_error *e = &d->m->err;
	struct cap_der_reader s, f;

	if (!seq(d, app, &s)) {
		note(d, app);
		return;
	}
	e->present = 1;
	e->pvno = fld_int(d, &s, 0, 0, NULL);
	pvno_check(d, e->pvno, &s);
	e->msg_type = fld_int(d, &s, 1, 0, NULL);
	type_check(d, e->msg_type, CAP_KRB_ERROR, &s);
	fld_time(d, &s, 2, 1, &e->ctime, NULL, &e->ctime_present);
	e->cusec = fld_int(d, &s, 3, 1, &e->cusec_present);
	fld_time(d, &s, 4, 0, &e->stime, &e->stime_str, NULL);
	e->susec = fld_int(d, &s, 5, 0, NULL);
	e->error_code = fld_int32(d, &s, 6);
	fld_string(d, &s, 7, 1, &e->crealm, NULL);
	if (fld_opt(d, &s, 8, &f)) {
		dec_principal(d, &f, &e->cname);
		done(d, &f);
	}
	fld_string(d, &s, 9, 0, &e->realm, NULL);
	if (fld(d, &s, 10, &f)) {
		dec_principal(d, &f, &e->sname);
		done(d, &f);
	}
	fld_string(d, &s, 11, 1, &e->e_text, &e->e_text_present);
	if (fld_opt(d, &s, 12, &f)) {
		rd_octets(d, &f, &e->e_data);
		e->e_data_present = cap_der_ok(&f);
		done(d, &f);
	}
	done(d, &s);
	note(d, app);
	if (e->e_data_present)
		dec_edata(d);
}

int cap_krb_peek_type(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);
	int b = cap_cur_peek(&c, 0);

	/* [APPLICATION n] constructed, low-tag form: 0x60 | n */
	if (b < 0 || (b & 0xe0) != 0x60)
		return 0;
	switch (b & 0x1f) {
	case CAP_KRB_AS_REQ:
	case CAP_KRB_AS_REP:
	case CAP_KRB_TGS_REQ:
	case CAP_KRB_TGS_REP:
	case CAP_KRB_AP_REQ:
	case CAP_KRB_AP_REP:
	case CAP_KRB_SAFE:
	case CAP_KRB_PRIV:
	case CAP_KRB_CRED:
	case CAP_KRB_ERROR:
		return b & 0x1f;
	}
	return 0;
}

static enum cap_status krb_decode(struct cap_span in, struct cap_krb_msg *out,
				  struct cap_der_budget *b);

enum cap_status cap_krb_decode(struct cap_span in, struct cap_krb_msg *out)
{
	struct cap_der_budget b;

	cap_der_budget_init(&b, NULL);
	return cap_krb_decode_capped(in, out, &b);
}

enum cap_status cap_krb_decode_capped(struct cap_span in, struct cap_krb_msg *out,
				      struct cap_der_budget *b)
{
	enum cap_status st = krb_decode(in, out, b);

	if (b != NULL && b->hit != 0) {
		out->der_cap_hit = b->hit;
		/* Whatever else went wrong, the cap is why decoding stopped. */
		st = CAP_LIMIT;
	}
	return st;
}

static enum cap_status krb_decode(struct cap_span in, struct cap_krb_msg *out,
				  struct cap_der_budget *b)
{
	struct cap_der_reader c = cap_der_reader(in, b);
	struct cap_der_reader t, app;
	struct cap_der h;
	struct dec d;
	int complete;

	memset(out, 0, sizeof(*out));
	dec_init(&d, out, NULL);
	d.budget = b;
	if (in.len == 0)
		return CAP_TRUNCATED;
	t = c;
	if (!cap_der_read(&t, &h) && !h.partial) {
		/* Say what it would have been, for a message cut in its header. */
		if (t.cur.status == CAP_TRUNCATED)
			out->msg_type = cap_krb_peek_type(in);
		return t.cur.status;
	}
	if (h.cls != CAP_DER_APPLICATION || !h.constructed ||
	    cap_krb_peek_type(in) == 0 || h.tag != (uint32_t)cap_krb_peek_type(in))
		return CAP_MALFORMED;
	out->msg_type = (int)h.tag;
	out->wire_len = (h.tlv.len - h.value.len) + h.declared_len;
	if (h.anomalies != 0)
		anom(&d, CAP_KRB_ANOM_NONMINIMAL_DER);
	complete = !h.partial;
	if (complete && cap_der_left(&t) > 0)
		anom(&d, CAP_KRB_ANOM_TRAILING_DATA);
	app = cap_der_enter(&c, h.value);
	d.depth = app.depth;
	switch (h.tag) {
	case CAP_KRB_AS_REQ:
	case CAP_KRB_TGS_REQ:
		dec_kdc_req(&d, &app, (int)h.tag);
		break;
	case CAP_KRB_AS_REP:
	case CAP_KRB_TGS_REP:
		dec_kdc_rep(&d, &app, (int)h.tag);
		break;
	case CAP_KRB_AP_REQ:
		dec_ap_req_body(&d, &app, &out->ap_req);
		break;
	case CAP_KRB_AP_REP:
		dec_ap_rep(&d, &app);
		break;
	case CAP_KRB_CRED:
		dec_cred(&d, &app);
		break;
	case CAP_KRB_ERROR:
		dec_error(&d, &app);
		break;
	default:
		return CAP_UNSUPPORTED; /* KRB-SAFE, KRB-PRIV */
	}
	done(&d, &app);
	return dec_result(&d, complete);
}

enum cap_status cap_krb_tcp_record(struct cap_span in, struct cap_span *pdu_out,
				   uint32_t *reclen_out)
{
	struct cap_cursor c = cap_cur_from_span(in);
	uint32_t n = cap_cur_be32(&c);

	pdu_out->p = NULL;
	pdu_out->len = 0;
	*reclen_out = 0;
	if (!cap_cur_ok(&c))
		return CAP_TRUNCATED;
	*reclen_out = n;
	if (n & 0x80000000u)
		return CAP_MALFORMED; /* reserved for a length extension */
	if (n > cap_cur_left(&c)) {
		*pdu_out = cap_cur_rest(&c);
		return CAP_TRUNCATED;
	}
	*pdu_out = cap_cur_span(&c, n);
	return CAP_OK;
}

/* Bounded text output that never splits an escape: a piece goes in whole or, like all
 * after it, not at all. */
static void put(struct cap_dynbuf *o, const char *s, size_t k)
{
	enum cap_dyn_err e = cap_dynbuf_add_whole(o, s, k);

	(void)e; /* full: the text so far stands */
}

static void put_span(struct cap_dynbuf *o, struct cap_span s)
{
	static const char hex[] = "0123456789abcdef";
	struct cap_cursor c = cap_cur_from_span(s);
	char e[4];
	uint8_t b;

	while (cap_cur_left(&c) > 0) {
		b = cap_cur_u8(&c);
		if (b >= 0x20 && b <= 0x7e) {
			e[0] = (char)b;
			put(o, e, 1);
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[b >> 4];
			e[3] = hex[b & 15];
			put(o, e, 4);
		}
	}
}

const char *cap_krb_span_str(struct cap_span s, char *buf, size_t len)
{
	struct cap_dynbuf o;

	cap_dynbuf_init_fixed(&o, buf, len);
	put_span(&o, s);
	return buf;
}

const char *cap_krb_principal_str(const struct cap_krb_principal *p,
				  char *buf, size_t len)
{
	struct cap_dynbuf o;
	size_t i;

	cap_dynbuf_init_fixed(&o, buf, len);
	if (p == NULL || !p->present)
		return buf;
	for (i = 0; i < p->ncomponents && i < CAP_KRB_MAX_COMPONENTS; i++) {
		if (i > 0)
			put(&o, "/", 1);
		put_span(&o, p->components[i]);
	}
	return buf;
}
