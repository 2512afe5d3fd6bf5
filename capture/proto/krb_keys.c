/* krb_keys.c - a server's keys (keytabs, AD passwords) tried on tickets, with libkrb5.
 *
 * References: RFC 4120 §5.3 and §7.5.1 (key usages 2 ticket, 11 authenticator, 12
 * AP-REP), §7.5.9 (what KRB_AP_ERR_MODIFIED/BADKEYVER/NOKEY mean); RFC 3962 §4 and
 * MS-KILE §3.1.1.2 (AES string-to-key salts as Active Directory makes them); RFC 4757
 * (RC4-HMAC, unsalted).  Every cryptographic operation is MIT libkrb5's.
 *
 * Keys and session keys live in krb5_keyblocks owned by the set and are freed with
 * krb5_free_keyblock_contents (which wipes them); decrypted buffers are wiped here
 * before they are freed.  Nothing secret leaves this file.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <krb5.h>

#include "negscope/dynbuf.h"
#include "negscope/krbkeys.h"
#include "proto/krb_ticket.h"

struct key_entry {
	char name[CAP_KRB_MAX_COMPONENTS * 64]; /* components joined by '/' */
	char realm[128];
	bool any_name;       /* derived from a password: the account's key for all its SPNs */
	int kvno;            /* -1 unknown (password keys) */
	krb5_keyblock kb;
};

struct session {
	bool used;
	uint64_t context;
	krb5_keyblock kb;
	int64_t ctime, cusec; /* the authenticator's, which the AP-REP echoes */
};

struct cap_krb_keyset {
	krb5_context k;
	struct key_entry *keys;
	size_t n;
	struct session s[CAP_KRB_KEYS_SESSIONS];
	size_t next_session;
};

static const char *const verdict_names[CAP_KEYV_COUNT] = {
	[CAP_KEYV_NONE] = "none",
	[CAP_KEYV_DECRYPTED] = "decrypted",
	[CAP_KEYV_KVNO_STALE] = "kvno-stale",
	[CAP_KEYV_WRONG_KEY] = "wrong-key",
	[CAP_KEYV_ETYPE_MISSING] = "etype-missing",
	[CAP_KEYV_PRINCIPAL_MISSING] = "principal-missing",
};

const char *cap_krb_key_verdict_name(enum cap_krb_key_verdict v)
{
	return (unsigned)v < CAP_KEYV_COUNT ? verdict_names[v] : "none";
}

static const char *const flag_names[32] = {
	[0] = "reserved",
	[CAP_TKT_FLAG_FORWARDABLE] = "forwardable",
	[CAP_TKT_FLAG_FORWARDED] = "forwarded",
	[CAP_TKT_FLAG_PROXIABLE] = "proxiable",
	[4] = "proxy",
	[5] = "may-postdate",
	[6] = "postdated",
	[7] = "invalid",
	[CAP_TKT_FLAG_RENEWABLE] = "renewable",
	[CAP_TKT_FLAG_INITIAL] = "initial",
	[CAP_TKT_FLAG_PRE_AUTHENT] = "pre-authent",
	[11] = "hw-authent",
	[12] = "transited-policy-checked",
	[CAP_TKT_FLAG_OK_AS_DELEGATE] = "ok-as-delegate",
	[CAP_TKT_FLAG_NAME_CANONICALIZE] = "name-canonicalize",
};

const char *cap_krb_ticket_flag_name(unsigned bit)
{
	return bit < 32 ? flag_names[bit] : NULL;
}

struct cap_krb_keyset *cap_krb_keyset_new(void)
{
	struct cap_krb_keyset *ks = calloc(1, sizeof(*ks));

	if (ks == NULL)
		return NULL;
	if (krb5_init_context(&ks->k) != 0) {
		free(ks);
		return NULL;
	}
	return ks;
}

static void session_drop(struct cap_krb_keyset *ks, struct session *s)
{
	if (s->used)
		krb5_free_keyblock_contents(ks->k, &s->kb);
	memset(s, 0, sizeof(*s));
}

void cap_krb_keyset_free(struct cap_krb_keyset *ks)
{
	if (ks == NULL)
		return;
	for (size_t i = 0; i < ks->n; i++)
		krb5_free_keyblock_contents(ks->k, &ks->keys[i].kb);
	for (size_t i = 0; i < CAP_KRB_KEYS_SESSIONS; i++)
		session_drop(ks, &ks->s[i]);
	free(ks->keys);
	krb5_free_context(ks->k);
	free(ks);
}

size_t cap_krb_keyset_count(const struct cap_krb_keyset *ks)
{
	return ks != NULL ? ks->n : 0;
}

static void set_err(char *err, size_t len, const char *what, const char *detail)
{
	struct cap_dynbuf b;

	cap_dynbuf_init_fixed(&b, err, len);
	if (cap_dynbuf_addf(&b, "%s%s%s", what, detail != NULL ? ": " : "",
			    detail != NULL ? detail : "") != CAP_DYN_OK)
		return; /* cut: the start says what failed */
}

static void krb_err(krb5_context k, krb5_error_code code, char *err, size_t len,
		    const char *what)
{
	const char *m = krb5_get_error_message(k, code);

	set_err(err, len, what, m);
	krb5_free_error_message(k, m);
}

/* The principal's name (components joined by '/', escaped as the decoder does) and
 * realm, in the form the wire's are compared in. */
static void principal_text(krb5_const_principal p, char *name, size_t nlen, char *realm,
			   size_t rlen)
{
	struct cap_krb_principal cp;

	memset(&cp, 0, sizeof(cp));
	cp.present = 1;
	for (krb5_int32 i = 0; i < p->length && i < CAP_KRB_MAX_COMPONENTS; i++)
		cp.components[cp.ncomponents++] =
			cap_span_of(p->data[i].data, p->data[i].length);
	cap_krb_principal_str(&cp, name, nlen);
	cap_krb_span_str(cap_span_of(p->realm.data, p->realm.length), realm, rlen);
}

static struct key_entry *new_key(struct cap_krb_keyset *ks, char *err, size_t errlen)
{
	struct key_entry *grown;

	if (ks->n >= CAP_KRB_KEYS_MAX) {
		set_err(err, errlen, "too many keys", "at most 256 (--keytab, --password-for)");
		return NULL;
	}
	grown = realloc(ks->keys, (ks->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		set_err(err, errlen, "out of memory", NULL);
		return NULL;
	}
	ks->keys = grown;
	memset(&ks->keys[ks->n], 0, sizeof(ks->keys[ks->n]));
	return &ks->keys[ks->n];
}

int cap_krb_keyset_add_keytab(struct cap_krb_keyset *ks, const char *path, char *err,
			      size_t errlen)
{
	krb5_keytab kt = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_error_code code;
	char name[4096 + 6];
	struct key_entry *e;
	int added = 0;
	struct cap_dynbuf b;

	cap_dynbuf_init_fixed(&b, name, sizeof(name));
	if (cap_dynbuf_addf(&b, "FILE:%s", path) != CAP_DYN_OK) {
		set_err(err, errlen, "keytab path too long", path);
		return -1;
	}
	code = krb5_kt_resolve(ks->k, name, &kt);
	if (code == 0)
		code = krb5_kt_start_seq_get(ks->k, kt, &cur);
	if (code != 0) {
		krb_err(ks->k, code, err, errlen, "cannot read the keytab");
		if (kt != NULL)
			krb5_kt_close(ks->k, kt);
		return -1;
	}
	while ((code = krb5_kt_next_entry(ks->k, kt, &ent, &cur)) == 0) {
		e = new_key(ks, err, errlen);
		if (e == NULL) {
			krb5_free_keytab_entry_contents(ks->k, &ent);
			added = -1;
			break;
		}
		principal_text(ent.principal, e->name, sizeof(e->name), e->realm,
			       sizeof(e->realm));
		e->kvno = (int)ent.vno;
		if (krb5_copy_keyblock_contents(ks->k, &ent.key, &e->kb) == 0) {
			ks->n++;
			added++;
		}
		krb5_free_keytab_entry_contents(ks->k, &ent);
	}
	krb5_kt_end_seq_get(ks->k, kt, &cur);
	krb5_kt_close(ks->k, kt);
	if (added == 0) {
		set_err(err, errlen, "the keytab holds no keys", path);
		return -1;
	}
	if (added > 0 && code != KRB5_KT_END) {
		krb_err(ks->k, code, err, errlen, "the keytab is damaged after its first keys");
		return -1;
	}
	return added;
}

static void lower_into(struct cap_dynbuf *b, const char *s, size_t n, bool *ok)
{
	for (size_t i = 0; i < n && *ok; i++)
		if (cap_dynbuf_addc(b, (char)tolower((unsigned char)s[i])) != CAP_DYN_OK)
			*ok = false;
}

int cap_krb_ad_salt(const char *account, const char *default_realm, char *salt,
		    size_t saltlen, char *err, size_t errlen)
{
	const char *at = strrchr(account, '@');
	const char *realm = at != NULL ? at + 1 : default_realm;
	size_t nlen = at != NULL ? (size_t)(at - account) : strlen(account);
	struct cap_dynbuf b;
	bool ok = true;

	if (realm == NULL || realm[0] == '\0') {
		set_err(err, errlen, "no realm for the account",
			"give it as name@REALM (the AD domain in upper case)");
		return -1;
	}
	if (nlen == 0) {
		set_err(err, errlen, "empty account name", account);
		return -1;
	}
	cap_dynbuf_init_fixed(&b, salt, saltlen);
	for (const char *r = realm; *r != '\0' && ok; r++)
		ok = cap_dynbuf_addc(&b, (char)toupper((unsigned char)*r)) == CAP_DYN_OK;
	if (account[nlen - 1] == '$') {
		/* A computer: "host" + name without '$' + "." + realm, lower case. */
		ok = ok && cap_dynbuf_adds(&b, "host") == CAP_DYN_OK;
		lower_into(&b, account, nlen - 1, &ok);
		ok = ok && cap_dynbuf_addc(&b, '.') == CAP_DYN_OK;
		lower_into(&b, realm, strlen(realm), &ok);
	} else {
		ok = ok && cap_dynbuf_add(&b, account, nlen) == CAP_DYN_OK;
	}
	if (!ok) {
		set_err(err, errlen, "account name too long", NULL);
		return -1;
	}
	return 0;
}

int cap_krb_keyset_add_password(struct cap_krb_keyset *ks, const char *account,
				const char *default_realm, const char *password, size_t pwlen,
				const char *salt, char *err, size_t errlen)
{
	/* The types AD issues service tickets in (msDS-SupportedEncryptionTypes). */
	static const krb5_enctype types[] = {ENCTYPE_AES256_CTS_HMAC_SHA1_96,
					     ENCTYPE_AES128_CTS_HMAC_SHA1_96,
					     ENCTYPE_ARCFOUR_HMAC};
	char adsalt[512];
	krb5_data pw, sd;
	krb5_error_code code;
	struct key_entry *e;
	int added = 0;

	if (salt == NULL) {
		if (cap_krb_ad_salt(account, default_realm, adsalt, sizeof(adsalt), err,
				    errlen) != 0)
			return -1;
		salt = adsalt;
	}
	pw.magic = KV5M_DATA;
	pw.data = (char *)password;
	pw.length = (unsigned)pwlen;
	sd.magic = KV5M_DATA;
	sd.data = (char *)salt;
	sd.length = (unsigned)strlen(salt);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e = new_key(ks, err, errlen);
		if (e == NULL)
			return -1;
		code = krb5_c_string_to_key(ks->k, types[i], &pw, &sd, &e->kb);
		if (code != 0)
			continue; /* a type this libkrb5 does not allow: the others stay */
		cap_krb_span_str(cap_span_of(account, strcspn(account, "@")), e->name,
				 sizeof(e->name));
		e->any_name = true;
		e->kvno = -1;
		ks->n++;
		added++;
	}
	if (added == 0) {
		set_err(err, errlen, "libkrb5 derived no key from the password", NULL);
		return -1;
	}
	return added;
}

static bool name_matches(const struct key_entry *e, const char *name, const char *realm)
{
	if (e->any_name)
		return true;
	return strcasecmp(e->name, name) == 0 && strcasecmp(e->realm, realm) == 0;
}

/* Keytabs keep an 8-bit kvno unless the 32-bit one is needed (MIT keytab format). */
static bool kvno_eq(int key, long ticket)
{
	if (key < 0)
		return true;
	if (key == ticket)
		return true;
	return (key <= 255 || ticket <= 255) && (key & 0xff) == (ticket & 0xff);
}

/* Decrypts enc with kb for `usage` into a fresh buffer the caller wipes and frees. */
static bool decrypt(krb5_context k, const krb5_keyblock *kb, krb5_keyusage usage,
		    int32_t etype, struct cap_span cipher, krb5_data *out)
{
	krb5_enc_data enc;

	memset(&enc, 0, sizeof(enc));
	out->data = NULL;
	out->length = 0;
	if (cipher.len == 0 || cipher.len > CAP_KRB_KEYS_MAX_CIPHER ||
	    kb->enctype != (krb5_enctype)etype)
		return false;
	enc.magic = KV5M_ENC_DATA;
	enc.enctype = etype;
	enc.ciphertext.magic = KV5M_DATA;
	enc.ciphertext.data = (char *)cipher.p;
	enc.ciphertext.length = (unsigned)cipher.len;
	out->magic = KV5M_DATA;
	out->data = malloc(cipher.len);
	out->length = (unsigned)cipher.len;
	if (out->data == NULL)
		return false;
	if (krb5_c_decrypt(k, kb, usage, NULL, &enc, out) != 0) {
		free(out->data);
		out->data = NULL;
		return false;
	}
	return true;
}

static void plain_free(krb5_data *d)
{
	if (d->data != NULL) {
		explicit_bzero(d->data, d->length);
		free(d->data);
	}
	d->data = NULL;
	d->length = 0;
}

static void view_init(struct cap_krb_ticket_view *v)
{
	memset(v, 0, sizeof(*v));
	v->key_kvno_min = -1;
	v->key_kvno_max = -1;
}

static void note_key(struct cap_krb_ticket_view *v, const struct key_entry *e)
{
	size_t i;

	if (e->kvno >= 0) {
		if (v->key_kvno_min < 0 || e->kvno < v->key_kvno_min)
			v->key_kvno_min = e->kvno;
		if (e->kvno > v->key_kvno_max)
			v->key_kvno_max = e->kvno;
	}
	for (i = 0; i < v->n_key_etypes; i++)
		if (v->key_etypes[i] == e->kb.enctype)
			return;
	if (v->n_key_etypes < CAP_KRB_KEYS_ETYPES)
		v->key_etypes[v->n_key_etypes++] = e->kb.enctype;
}

/* Tries the keys; on success the session key's type and bytes (aliasing *plain, which
 * the caller wipes) and the decoded EncTicketPart are in v. */
static void try_ticket(struct cap_krb_keyset *ks, const struct cap_krb_ticket *t,
		       struct cap_krb_ticket_view *v, krb5_data *plain, int32_t *sk_type,
		       struct cap_span *sk)
{
	char name[sizeof(ks->keys[0].name)], realm[128];
	const struct cap_krb_enc *enc = &t->enc_part;
	bool any = false, etype_seen = false, kvno_seen = false;

	view_init(v);
	if (ks == NULL || ks->n == 0 || !t->present || !enc->present)
		return;
	cap_krb_principal_str(&t->sname, name, sizeof(name));
	cap_krb_span_str(t->realm, realm, sizeof(realm));
	for (size_t i = 0; i < ks->n; i++) {
		const struct key_entry *e = &ks->keys[i];

		if (!name_matches(e, name, realm))
			continue;
		any = true;
		note_key(v, e);
		if (e->kb.enctype != (krb5_enctype)enc->etype)
			continue;
		etype_seen = true;
		if (!enc->kvno_present || kvno_eq(e->kvno, (long)enc->kvno))
			kvno_seen = true;
		if (plain->data != NULL)
			continue; /* decrypted already: only the key list goes on */
		v->by_password = e->any_name;
		if (!decrypt(ks->k, &e->kb, KRB5_KEYUSAGE_KDC_REP_TICKET, enc->etype,
			     enc->cipher, plain))
			continue;
		v->verdict = CAP_KEYV_DECRYPTED;
		if (krbt_enc_ticket_part(cap_span_of(plain->data, plain->length), v, sk_type,
					 sk) != CAP_OK)
			sk->p = NULL;
	}
	if (v->verdict == CAP_KEYV_DECRYPTED)
		return;
	if (!any)
		v->verdict = CAP_KEYV_PRINCIPAL_MISSING;
	else if (!etype_seen)
		v->verdict = CAP_KEYV_ETYPE_MISSING;
	else if (kvno_seen)
		v->verdict = CAP_KEYV_WRONG_KEY;
	else
		v->verdict = CAP_KEYV_KVNO_STALE;
}

void cap_krb_keys_ticket(struct cap_krb_keyset *ks, const struct cap_krb_ticket *t,
			 struct cap_krb_ticket_view *out)
{
	krb5_data plain = {0, 0, NULL};
	struct cap_span sk = {NULL, 0};
	int32_t sk_type = 0;

	try_ticket(ks, t, out, &plain, &sk_type, &sk);
	plain_free(&plain);
}

static struct session *session_for(struct cap_krb_keyset *ks, uint64_t context)
{
	for (size_t i = 0; i < CAP_KRB_KEYS_SESSIONS; i++)
		if (ks->s[i].used && ks->s[i].context == context)
			return &ks->s[i];
	return NULL;
}

void cap_krb_keys_ap_req(struct cap_krb_keyset *ks, const struct cap_krb_ap_req *r,
			 uint64_t context, struct cap_krb_ticket_view *out)
{
	krb5_data plain = {0, 0, NULL}, auth = {0, 0, NULL};
	struct cap_span sk = {NULL, 0};
	int32_t sk_type = 0;
	krb5_keyblock kb;
	struct session *s;
	int64_t cusec = 0;

	try_ticket(ks, &r->ticket, out, &plain, &sk_type, &sk);
	if (out->verdict != CAP_KEYV_DECRYPTED || sk.p == NULL) {
		plain_free(&plain);
		return;
	}
	memset(&kb, 0, sizeof(kb));
	kb.magic = KV5M_KEYBLOCK;
	kb.enctype = sk_type;
	kb.contents = (krb5_octet *)sk.p;
	kb.length = (unsigned)sk.len;
	if (r->authenticator.present &&
	    decrypt(ks->k, &kb, KRB5_KEYUSAGE_AP_REQ_AUTH, r->authenticator.etype,
		    r->authenticator.cipher, &auth))
		(void)krbt_authenticator(cap_span_of(auth.data, auth.length), out, &cusec);
	plain_free(&auth);
	/* Remember the session key for the AP-REP of the same connection. */
	s = session_for(ks, context);
	if (s == NULL) {
		s = &ks->s[ks->next_session];
		ks->next_session = (ks->next_session + 1) % CAP_KRB_KEYS_SESSIONS;
	}
	session_drop(ks, s);
	if (krb5_copy_keyblock_contents(ks->k, &kb, &s->kb) == 0) {
		s->used = true;
		s->context = context;
		s->ctime = out->auth_decrypted ? out->ctime : -1;
		s->cusec = cusec;
	}
	plain_free(&plain);
}

enum cap_krb_aprep_verdict cap_krb_keys_ap_rep(struct cap_krb_keyset *ks,
					       const struct cap_krb_ap_rep *r, uint64_t context)
{
	krb5_data plain = {0, 0, NULL};
	struct session *s;
	int64_t ctime = 0, cusec = 0;
	enum cap_krb_aprep_verdict v = CAP_APREP_FAILED;

	if (ks == NULL || !r->present || !r->enc_part.present)
		return CAP_APREP_NONE;
	s = session_for(ks, context);
	if (s == NULL)
		return CAP_APREP_NONE;
	if (decrypt(ks->k, &s->kb, KRB5_KEYUSAGE_AP_REP_ENCPART, r->enc_part.etype,
		    r->enc_part.cipher, &plain) &&
	    krbt_ap_rep_part(cap_span_of(plain.data, plain.length), &ctime, &cusec) == CAP_OK &&
	    ctime == s->ctime && cusec == s->cusec)
		v = CAP_APREP_VERIFIED;
	plain_free(&plain);
	return v;
}
