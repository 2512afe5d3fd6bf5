/* gss.c - every GSS-API call negprobe makes: credentials, contexts, status text.
 * References: RFC 2743/2744 (GSS-API), RFC 4178 (SPNEGO), RFC 4121 (krb5 mech),
 * MIT krb5 gssapi_ext.h (gss_acquire_cred_from, gss_set_neg_mechs).
 */
#include "gss.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <com_err.h>

#include "chanbind.h"

static gss_OID_desc oid_spnego = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
static gss_OID_desc oid_krb5 = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc oid_mskrb5 = {9, (void *)"\x2a\x86\x48\x82\xf7\x12\x01\x02\x02"};
static gss_OID_desc oid_ntlm = {10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"};

struct probe_cred {
	gss_cred_id_t spnego; /* Negotiate scheme; neg mechs narrowed to --mech */
	gss_cred_id_t krb5;   /* raw Kerberos (SPN checks, why-not-Kerberos) */
	gss_cred_id_t ntlm;   /* raw NTLMSSP (the NTLM scheme) */
	bool has_krb5, has_ntlm;
	bool ntlm_lazy;    /* NTLM credentials not looked for yet (no password needed) */
	struct probe_gss_error krb5_err, ntlm_err, spnego_err;
	char principal[256];
	char client[256];  /* the Kerberos name tried for -u (user@REALM), "" unknown */
	char ccache[64];   /* MEMORY ccache the -u TGT is kept in for the SPNEGO credential */
	enum probe_mech mech;
	gss_OID_desc neg[2]; /* the SPNEGO mechanisms set on spnego (gss_set_neg_mechs) */
	size_t nneg;
	/* A worker thread's copy (probe_cred_thread_bind): the credential it copies, and
	 * which handles are its own (the NTLM one is shared: it asks no KDC). */
	const struct probe_cred *origin;
	bool own_spnego, own_krb5;
};

/* -u NAME in the form each mechanism takes, as a browser maps what its prompt was given:
 * DOMAIN\\user is the NetBIOS domain and user of NTLM's AUTHENTICATE (MS-NLMP) and, for
 * Kerberos, user in the default realm (a DOMAIN with a dot is a DNS name: the realm);
 * user@domain is user@DOMAIN for Kerberos and stays user@domain for gss-ntlmssp, which
 * splits it into user and domain itself. */
struct user_forms {
	char krb5[256];        /* krb5 principal: "user" (default realm) or "user@REALM" */
	char ntlm_domain[128]; /* the DOMAIN of DOMAIN\\user, "" otherwise */
};

static void user_forms(const char *user, struct user_forms *u)
{
	const char *bs = strchr(user, '\\');
	char *realm;

	memset(u, 0, sizeof(*u));
	if (bs == NULL) {
		snprintf(u->krb5, sizeof(u->krb5), "%s", user);
	} else {
		int n = (int)(bs - user);

		snprintf(u->ntlm_domain, sizeof(u->ntlm_domain), "%.*s", n, user);
		if (memchr(user, '.', (size_t)n) != NULL)
			snprintf(u->krb5, sizeof(u->krb5), "%s@%.*s", bs + 1, n, user);
		else
			snprintf(u->krb5, sizeof(u->krb5), "%s", bs + 1);
	}
	/* a realm is its DNS domain in upper case (RFC 4120 §6.1) */
	realm = strrchr(u->krb5, '@');
	for (char *r = realm != NULL ? realm + 1 : NULL; r != NULL && *r != '\0'; r++)
		*r = (char)toupper((unsigned char)*r);
}

/* KDC answers to the AS exchange that are about the user's own logon: retrying the same
 * password (SPNEGO's own acquire, NTLM) would only add failed attempts towards a lockout
 * (RFC 4120 §7.5.9; MIT answers a wrong password with 31 when pre-authentication is off). */
static bool definitive_logon_error(int32_t krb5_code)
{
	switch (krb5_code) {
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_CLIENT_REVOKED:
	case KRB5KDC_ERR_KEY_EXP:
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
		return true;
	default:
		return false;
	}
}

struct probe_gss {
	struct probe_cred *cred; /* borrowed */
	gss_ctx_id_t ctx;
	gss_name_t target;
	gss_OID mech_oid; /* static storage; not released */
	enum probe_gss_wrap wrap;
	enum probe_deleg deleg;
	enum probe_gss_state state;
	OM_uint32 ret_flags;
	gss_OID actual_mech; /* owned by the GSS library */
	bool complete;
	/* RFC 2744 §3.11 application data (tls-server-end-point), len 0 for none: the same
	 * bindings go to every gss_init_sec_context call of the context */
	uint8_t cb[PROBE_CHANBIND_MAX];
	size_t cblen;
};

static bool oid_eq(const gss_OID a, const gss_OID_desc *b)
{
	return a != GSS_C_NO_OID && a->length == b->length &&
	       memcmp(a->elements, b->elements, b->length) == 0;
}

/* Appends every message gss_display_status yields for one code. */
static void append_status(char *buf, size_t len, OM_uint32 code, int type, gss_OID mech)
{
	OM_uint32 more = 0, min = 0, maj;
	gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
	int guard = 0;

	do {
		size_t used = strlen(buf);

		maj = gss_display_status(&min, code, type, mech, &more, &msg);
		if (GSS_ERROR(maj))
			break;
		if (msg.length > 0 && used + 3 < len)
			snprintf(buf + used, len - used, "%s%.*s", used > 0 ? "; " : "",
				 (int)msg.length, (const char *)msg.value);
		gss_release_buffer(&min, &msg);
	} while (more != 0 && ++guard < 8);
}

/* The mechglue hands out substitute minor numbers when a code passes through
 * two mechanisms (SPNEGO over krb5), so the krb5 code is recovered from the
 * message text: the longest standard krb5 message the text starts with. */
static int32_t recover_krb5_code(OM_uint32 minor, const char *text)
{
	int32_t m = (int32_t)minor, best = 0;
	size_t bestlen = 0;

	if (m >= ERROR_TABLE_BASE_krb5 && m < ERROR_TABLE_BASE_krb5 + 256)
		return m;
	/* MIT puts names into these messages, so they match no standard text */
	if (strstr(text, " not found in Kerberos database") != NULL)
		return strncmp(text, "Client ", 7) == 0 ? KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN :
							  KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN;
	if (strncmp(text, "Cannot contact any KDC for realm", 32) == 0)
		return KRB5_KDC_UNREACH;
	if (strncmp(text, "Cannot find KDC for realm", 25) == 0)
		return KRB5_REALM_CANT_RESOLVE;
	for (int32_t c = ERROR_TABLE_BASE_krb5; c < ERROR_TABLE_BASE_krb5 + 256; c++) {
		const char *msg = error_message(c);
		size_t n = msg != NULL ? strlen(msg) : 0;

		if (n > bestlen && strncmp(text, msg, n) == 0) {
			best = c;
			bestlen = n;
		}
	}
	return best;
}

static void set_error(struct probe_gss_error *err, const char *where, OM_uint32 major,
		      OM_uint32 minor, gss_OID mech)
{
	char mintext[sizeof(err->text)] = "";

	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->major = major;
	err->minor = minor;
	snprintf(err->where, sizeof(err->where), "%s", where);
	if (GSS_ROUTINE_ERROR(major) != 0 || GSS_CALLING_ERROR(major) != 0)
		append_status(err->text, sizeof(err->text), major, GSS_C_GSS_CODE, GSS_C_NO_OID);
	if (minor != 0) {
		size_t used = strlen(err->text);

		append_status(mintext, sizeof(mintext), minor, GSS_C_MECH_CODE, mech);
		snprintf(err->text + used, sizeof(err->text) - used, "%s%s", used > 0 ? ": " : "",
			 mintext);
		err->krb5_code = recover_krb5_code(minor, mintext);
		snprintf(err->minor_text, sizeof(err->minor_text), "%.511s", mintext);
	}
	if (err->text[0] == '\0')
		snprintf(err->text, sizeof(err->text), "GSS major 0x%08x minor %u",
			 (unsigned)major, (unsigned)minor);
}

bool probe_gss_ntlm_available(void)
{
	static int known = -1; /* the mechglue's list does not change while we run */
	OM_uint32 min = 0, maj;
	gss_OID_set mechs = GSS_C_NO_OID_SET;
	bool found = false;

	if (known >= 0)
		return known == 1;
	maj = gss_indicate_mechs(&min, &mechs);
	if (GSS_ERROR(maj))
		return false;
	for (size_t i = 0; i < mechs->count; i++)
		if (oid_eq(&mechs->elements[i], &oid_ntlm))
			found = true;
	gss_release_oid_set(&min, &mechs);
	known = found ? 1 : 0;
	return found;
}

static OM_uint32 import_name(OM_uint32 *min, const char *s, gss_OID type, gss_name_t *out)
{
	gss_buffer_desc b;

	b.value = (void *)s;
	b.length = strlen(s);
	return gss_import_name(min, &b, type, out);
}

/* Acquires one mechanism's initiator credential the way the options say. */
static OM_uint32 acquire_one(const struct probe_cred_opts *o, gss_OID mech, gss_cred_id_t *out,
			     OM_uint32 *min, const char **where)
{
	gss_OID_set_desc set = {1, mech};
	gss_name_t name = GSS_C_NO_NAME;
	gss_key_value_element_desc elems[3];
	gss_key_value_set_desc store = {0, elems};
	OM_uint32 maj, tmp;
	const char *who = o->keytab != NULL ? o->principal : o->user;
	struct user_forms u;

	*where = "gss_import_name";
	if (who == o->user && who != NULL && oid_eq(mech, &oid_krb5)) {
		user_forms(o->user, &u);
		who = u.krb5;
	}
	if (who != NULL) {
		gss_OID type = oid_eq(mech, &oid_ntlm) ? GSS_C_NT_USER_NAME :
							    GSS_KRB5_NT_PRINCIPAL_NAME;

		maj = import_name(min, who, type, &name);
		if (GSS_ERROR(maj))
			return maj;
	}
	if (o->user != NULL && o->password != NULL) {
		gss_buffer_desc pw;

		*where = "gss_acquire_cred_with_password";
		pw.value = (void *)o->password;
		pw.length = strlen(o->password);
		maj = gss_acquire_cred_with_password(min, name, &pw, GSS_C_INDEFINITE, &set,
						     GSS_C_INITIATE, out, NULL, NULL);
	} else if (o->ccache != NULL || o->keytab != NULL) {
		if (o->ccache != NULL) {
			elems[store.count].key = "ccache";
			elems[store.count++].value = o->ccache;
		} else {
			/* keep tickets from the keytab out of the user's ccache */
			elems[store.count].key = "ccache";
			elems[store.count++].value = "MEMORY:negprobe";
		}
		if (o->keytab != NULL) {
			elems[store.count].key = "client_keytab";
			elems[store.count++].value = o->keytab;
		}
		*where = "gss_acquire_cred_from";
		maj = gss_acquire_cred_from(min, name, GSS_C_INDEFINITE, &set, GSS_C_INITIATE,
					    &store, out, NULL, NULL);
	} else {
		*where = "gss_acquire_cred";
		maj = gss_acquire_cred(min, name, GSS_C_INDEFINITE, &set, GSS_C_INITIATE, out, NULL,
				       NULL);
	}
	if (name != GSS_C_NO_NAME)
		gss_release_name(&tmp, &name);
	return maj;
}

static void read_principal(struct probe_cred *c)
{
	OM_uint32 min = 0, maj;
	gss_name_t name = GSS_C_NO_NAME;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;

	maj = gss_inquire_cred(&min, c->krb5, &name, NULL, NULL, NULL);
	if (GSS_ERROR(maj))
		return;
	maj = gss_display_name(&min, name, &b, NULL);
	if (!GSS_ERROR(maj))
		snprintf(c->principal, sizeof(c->principal), "%.*s", (int)b.length,
			 (const char *)b.value);
	gss_release_buffer(&min, &b);
	gss_release_name(&min, &name);
}

/* The name the KDC would know the -u user (or --principal) by, for findings about the
 * user's logon: the principal once acquired, else the tried name in canonical form. */
static void client_name(struct probe_cred *c, const struct probe_cred_opts *o)
{
	const char *who = o->keytab != NULL ? o->principal : o->user;
	struct user_forms u;
	gss_name_t name = GSS_C_NO_NAME, canon = GSS_C_NO_NAME;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 min = 0;

	if (c->principal[0] != '\0' || who == NULL) {
		snprintf(c->client, sizeof(c->client), "%s", c->principal);
		return;
	}
	user_forms(who, &u);
	if (!GSS_ERROR(import_name(&min, u.krb5, GSS_KRB5_NT_PRINCIPAL_NAME, &name)) &&
	    !GSS_ERROR(gss_canonicalize_name(&min, name, &oid_krb5, &canon)) &&
	    !GSS_ERROR(gss_display_name(&min, canon, &b, NULL)))
		snprintf(c->client, sizeof(c->client), "%.*s", (int)b.length,
			 (const char *)b.value);
	gss_release_buffer(&min, &b);
	if (canon != GSS_C_NO_NAME)
		gss_release_name(&min, &canon);
	if (name != GSS_C_NO_NAME)
		gss_release_name(&min, &name);
}

/* The SPNEGO credential for -u.  SPNEGO's own acquire-with-password would log the user
 * on to the KDC a second time, and import the name once for every mechanism (a Kerberos
 * name gss-ntlmssp refuses).  Instead its Kerberos part takes the TGT of the one AS
 * exchange from a MEMORY ccache, and its NTLM part the password and domain from the
 * credential store (gss-ntlmssp's ntlmssp_password / ntlmssp_domain keys); the name is a
 * user name both mechanisms read: "user" or "user@REALM". */
static OM_uint32 acquire_spnego_password(struct probe_cred *c, const struct probe_cred_opts *o,
					 bool with_ntlm, OM_uint32 *min, const char **where)
{
	gss_OID_set_desc set = {1, &oid_spnego};
	gss_key_value_element_desc elems[3];
	gss_key_value_set_desc store = {0, elems};
	gss_name_t name = GSS_C_NO_NAME;
	struct user_forms u;
	OM_uint32 maj, tmp;

	user_forms(o->user, &u);
	/* an empty MEMORY ccache when Kerberos failed: SPNEGO's krb5 finds nothing there and
	 * asks no KDC.  It lives in this process only, as the krb5 credential's own does. */
	snprintf(c->ccache, sizeof(c->ccache), "MEMORY:negprobe-user-%p", (void *)c);
	elems[store.count].key = "ccache";
	elems[store.count++].value = c->ccache;
	if (c->has_krb5) {
		*where = "gss_store_cred_into";
		maj = gss_store_cred_into(min, c->krb5, GSS_C_INITIATE, &oid_krb5, 1, 0, &store,
					  NULL, NULL);
		if (GSS_ERROR(maj))
			return maj;
	}
	if (with_ntlm) {
		elems[store.count].key = "ntlmssp_password";
		elems[store.count++].value = o->password;
		if (u.ntlm_domain[0] != '\0') {
			elems[store.count].key = "ntlmssp_domain";
			elems[store.count++].value = u.ntlm_domain;
		}
	}
	*where = "gss_import_name";
	maj = import_name(min, u.krb5, GSS_C_NT_USER_NAME, &name);
	if (GSS_ERROR(maj))
		return maj;
	*where = "gss_acquire_cred_from";
	maj = gss_acquire_cred_from(min, name, GSS_C_INDEFINITE, &set, GSS_C_INITIATE,
				    &store, &c->spnego, NULL, NULL);
	gss_release_name(&tmp, &name);
	return maj;
}

int probe_cred_acquire(const struct probe_cred_opts *o, struct probe_cred **out,
		       struct probe_gss_error *err)
{
	struct probe_cred *c = calloc(1, sizeof(*c));
	OM_uint32 maj, min = 0;
	const char *where = "";
	gss_OID_desc neg[2];
	gss_OID_set_desc negset = {0, neg};
	bool password = o->user != NULL && o->password != NULL;
	bool refused = false; /* the KDC refused this user's logon: the password stays unused */

	if (c == NULL) {
		if (err != NULL)
			snprintf(err->text, sizeof(err->text), "out of memory");
		return -1;
	}
	c->spnego = c->krb5 = c->ntlm = GSS_C_NO_CREDENTIAL;
	c->mech = o->mech;

	if (o->mech != PROBE_MECH_NTLM) {
		/* the one AS exchange of the run: one password attempt, as one browser logon */
		maj = acquire_one(o, &oid_krb5, &c->krb5, &min, &where);
		if (GSS_ERROR(maj)) {
			set_error(&c->krb5_err, where, maj, min, &oid_krb5);
			refused = password && definitive_logon_error(c->krb5_err.krb5_code);
		} else {
			c->has_krb5 = true;
		}
	} else {
		snprintf(c->krb5_err.text, sizeof(c->krb5_err.text),
			 "Kerberos not requested (--mech ntlm)");
	}
	if (c->has_krb5)
		read_principal(c);
	client_name(c, o);
	/* The SPNEGO credential holds its own per-mech credentials; its mech list is
	 * narrowed to what the options allow, Kerberos first, as a browser's is. */
	if (c->has_krb5)
		neg[negset.count++] = oid_krb5;
	if (o->mech != PROBE_MECH_KERBEROS && probe_gss_ntlm_available()) {
		if (refused) {
			snprintf(c->ntlm_err.text, sizeof(c->ntlm_err.text),
				 "NTLM not tried: the KDC refused this user's logon, and the same "
				 "password would count as one more failed attempt");
		} else if (o->password != NULL) {
			maj = acquire_one(o, &oid_ntlm, &c->ntlm, &min, &where);
			c->has_ntlm = !GSS_ERROR(maj);
			if (!c->has_ntlm)
				set_error(&c->ntlm_err, where, maj, min, &oid_ntlm);
		} else {
			/* gss-ntlmssp's own sources (NTLM_USER_FILE, winbind): looked at only
			 * when a handshake needs NTLM, which keeps a Kerberos probe fast */
			c->ntlm_lazy = true;
		}
		/* SPNEGO offers only mechanisms it holds credentials for */
		if (!refused)
			neg[negset.count++] = oid_ntlm;
	}
	c->nneg = negset.count;
	memcpy(c->neg, neg, sizeof(neg));
	if (negset.count > 0) {
		if (password)
			maj = acquire_spnego_password(c, o, c->has_ntlm, &min, &where);
		else
			maj = acquire_one(o, &oid_spnego, &c->spnego, &min, &where);
		if (!GSS_ERROR(maj)) {
			where = "gss_set_neg_mechs";
			maj = gss_set_neg_mechs(&min, c->spnego, &negset);
		}
		if (GSS_ERROR(maj)) {
			/* reported when a Negotiate challenge needs it */
			set_error(&c->spnego_err, where, maj, min, &oid_spnego);
			if (c->spnego != GSS_C_NO_CREDENTIAL)
				gss_release_cred(&min, &c->spnego);
			c->spnego = GSS_C_NO_CREDENTIAL;
		}
	}
	*out = c;
	return 0;
}

bool probe_cred_has_krb5(const struct probe_cred *c)
{
	return c != NULL && c->has_krb5;
}

static pthread_mutex_t ntlm_lazy_lock = PTHREAD_MUTEX_INITIALIZER;

bool probe_cred_has_ntlm(struct probe_cred *c)
{
	struct probe_cred_opts o;
	OM_uint32 maj, min = 0;
	const char *where = "";

	if (c == NULL)
		return false;
	/* targets on GSS worker threads share the credential (gss_worker.h) */
	pthread_mutex_lock(&ntlm_lazy_lock);
	if (c->ntlm_lazy) {
		c->ntlm_lazy = false;
		memset(&o, 0, sizeof(o));
		maj = acquire_one(&o, &oid_ntlm, &c->ntlm, &min, &where);
		c->has_ntlm = !GSS_ERROR(maj);
		if (!c->has_ntlm)
			set_error(&c->ntlm_err, where, maj, min, &oid_ntlm);
	}
	pthread_mutex_unlock(&ntlm_lazy_lock);
	return c->has_ntlm;
}

const struct probe_gss_error *probe_cred_krb5_error(const struct probe_cred *c)
{
	return &c->krb5_err;
}

const struct probe_gss_error *probe_cred_ntlm_error(const struct probe_cred *c)
{
	return &c->ntlm_err;
}

const char *probe_cred_principal(const struct probe_cred *c)
{
	return c != NULL ? c->principal : "";
}

void *probe_cred_krb5_handle(struct probe_cred *c)
{
	return c != NULL && c->has_krb5 ? (void *)c->krb5 : NULL;
}

const char *probe_cred_client(const struct probe_cred *c)
{
	return c != NULL ? c->client : "";
}

void probe_cred_free(struct probe_cred *c)
{
	OM_uint32 min;

	if (c == NULL)
		return;
	if (c->spnego != GSS_C_NO_CREDENTIAL && (c->origin == NULL || c->own_spnego))
		gss_release_cred(&min, &c->spnego);
	if (c->krb5 != GSS_C_NO_CREDENTIAL && (c->origin == NULL || c->own_krb5))
		gss_release_cred(&min, &c->krb5);
	if (c->ntlm != GSS_C_NO_CREDENTIAL && c->origin == NULL)
		gss_release_cred(&min, &c->ntlm);
	free(c);
}

struct probe_gss *probe_gss_new(struct probe_cred *cred, enum probe_gss_wrap wrap,
				enum probe_mech mech, enum probe_deleg deleg,
				const char *spn, bool hostbased)
{
	struct probe_gss *g = calloc(1, sizeof(*g));
	OM_uint32 maj, min;
	gss_OID type = hostbased ? GSS_C_NT_HOSTBASED_SERVICE : GSS_KRB5_NT_PRINCIPAL_NAME;

	(void)mech;
	if (g == NULL)
		return NULL;
	g->cred = cred;
	g->ctx = GSS_C_NO_CONTEXT;
	g->target = GSS_C_NO_NAME;
	g->wrap = wrap;
	g->deleg = deleg;
	g->mech_oid = wrap == PROBE_WRAP_NTLM ? &oid_ntlm :
		      wrap == PROBE_WRAP_KRB5 ? &oid_krb5 : &oid_spnego;
	maj = import_name(&min, spn, type, &g->target);
	if (GSS_ERROR(maj))
		g->target = GSS_C_NO_NAME; /* reported by the first step */
	return g;
}

int probe_gss_set_channel_binding(struct probe_gss *g, const uint8_t *data, size_t len)
{
	if (len > sizeof(g->cb) || g->state != PROBE_GSS_NONE)
		return -1;
	if (len > 0)
		memcpy(g->cb, data, len);
	g->cblen = len;
	return 0;
}

bool probe_gss_channel_bound(const struct probe_gss *g)
{
	return g->cblen > 0;
}

/* ---- per-thread credential copies (GSS worker threads, gss_worker.h) ----
 * MIT's krb5 mechanism holds a credential's lock for the whole gss_init_sec_context call,
 * TGS exchange included: targets sharing one handle would wait for each other's KDC.  Each
 * worker thread therefore uses its own handles, exported from the shared credential and
 * imported again (gss_export_cred/gss_import_cred, MIT gssapi_ext.h): the same tickets,
 * another lock. */
static pthread_key_t thread_cred_key;
static pthread_once_t thread_cred_once = PTHREAD_ONCE_INIT;
static bool thread_cred_ok;

static void thread_cred_free(void *p)
{
	probe_cred_free(p);
}

static void thread_cred_init(void)
{
	thread_cred_ok = pthread_key_create(&thread_cred_key, thread_cred_free) == 0;
}

static gss_cred_id_t copy_handle(gss_cred_id_t in, bool *own)
{
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	gss_cred_id_t out = GSS_C_NO_CREDENTIAL;
	OM_uint32 min, maj;

	*own = false;
	if (in == GSS_C_NO_CREDENTIAL)
		return in;
	maj = gss_export_cred(&min, in, &tok);
	if (!GSS_ERROR(maj))
		maj = gss_import_cred(&min, &tok, &out);
	gss_release_buffer(&min, &tok);
	if (GSS_ERROR(maj) || out == GSS_C_NO_CREDENTIAL)
		return in; /* shared: correct, only not concurrent */
	*own = true;
	return out;
}

void probe_cred_thread_bind(struct probe_cred *c)
{
	struct probe_cred *d;
	gss_OID_set_desc negset;
	OM_uint32 min;

	if (c == NULL || pthread_once(&thread_cred_once, thread_cred_init) != 0 ||
	    !thread_cred_ok)
		return;
	d = pthread_getspecific(thread_cred_key);
	if (d != NULL && d->origin == c)
		return;
	probe_cred_free(d);
	pthread_setspecific(thread_cred_key, NULL);
	d = malloc(sizeof(*d));
	if (d == NULL)
		return;
	pthread_mutex_lock(&ntlm_lazy_lock); /* a consistent view of the lazy NTLM part */
	*d = *c;
	pthread_mutex_unlock(&ntlm_lazy_lock);
	d->origin = c;
	d->krb5 = copy_handle(c->krb5, &d->own_krb5);
	d->spnego = copy_handle(c->spnego, &d->own_spnego);
	if (d->own_spnego) {
		/* the narrowed mechanism list is the handle's, not the exported tickets' */
		negset.count = d->nneg;
		negset.elements = d->neg;
		if (GSS_ERROR(gss_set_neg_mechs(&min, d->spnego, &negset))) {
			gss_release_cred(&min, &d->spnego);
			d->spnego = c->spnego;
			d->own_spnego = false;
		}
	}
	if (pthread_setspecific(thread_cred_key, d) != 0)
		probe_cred_free(d);
}

/* The handle of `which` for this thread: its own copy when it has one of c. */
static gss_cred_id_t thread_handle(const struct probe_cred *c, enum probe_gss_wrap which)
{
	const struct probe_cred *d = NULL;

	if (thread_cred_ok)
		d = pthread_getspecific(thread_cred_key);
	if (d == NULL || d->origin != c)
		d = c;
	return which == PROBE_WRAP_KRB5 ? d->krb5 : d->spnego;
}

static gss_cred_id_t cred_for(struct probe_gss *g)
{
	if (g->cred == NULL)
		return GSS_C_NO_CREDENTIAL;
	switch (g->wrap) {
	case PROBE_WRAP_NTLM:
		probe_cred_has_ntlm(g->cred);
		return g->cred->ntlm;
	case PROBE_WRAP_KRB5: return thread_handle(g->cred, PROBE_WRAP_KRB5);
	case PROBE_WRAP_SPNEGO: break;
	}
	return thread_handle(g->cred, PROBE_WRAP_SPNEGO);
}

enum probe_gss_rc probe_gss_step(struct probe_gss *g, const uint8_t *in, size_t inlen,
				 uint8_t **out, size_t *outlen, struct probe_gss_error *err)
{
	OM_uint32 maj, min = 0, flags = GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG;
	gss_buffer_desc ib, ob = GSS_C_EMPTY_BUFFER;
	gss_OID actual = GSS_C_NO_OID;
	struct gss_channel_bindings_struct cb;
	bool oom;

	*out = NULL;
	*outlen = 0;
	if (g->target == GSS_C_NO_NAME) {
		set_error(err, "gss_import_name", GSS_S_BAD_NAME, 0, GSS_C_NO_OID);
		return PROBE_GSS_ERROR;
	}
	if (cred_for(g) == GSS_C_NO_CREDENTIAL) {
		const struct probe_gss_error *why = g->cred == NULL ? NULL :
			g->wrap == PROBE_WRAP_NTLM ? &g->cred->ntlm_err :
			g->wrap == PROBE_WRAP_KRB5 ? &g->cred->krb5_err : &g->cred->spnego_err;

		if (why != NULL && why->text[0] != '\0')
			*err = *why;
		else
			set_error(err, "gss_acquire_cred", GSS_S_NO_CRED, 0, GSS_C_NO_OID);
		return PROBE_GSS_ERROR;
	}
	if (g->deleg == PROBE_DELEG_POLICY)
		flags |= GSS_C_DELEG_POLICY_FLAG;
	else if (g->deleg == PROBE_DELEG_ALWAYS)
		flags |= GSS_C_DELEG_FLAG;
	ib.value = (void *)in;
	ib.length = in != NULL ? inlen : 0;
	if (in != NULL)
		g->state = PROBE_GSS_RECV;
	/* addresses stay empty (GSS_C_AF_UNSPEC), as Windows and browsers send them */
	memset(&cb, 0, sizeof(cb));
	cb.application_data.value = g->cb;
	cb.application_data.length = g->cblen;
	maj = gss_init_sec_context(&min, cred_for(g), &g->ctx, g->target, g->mech_oid, flags, 0,
				   g->cblen > 0 ? &cb : GSS_C_NO_CHANNEL_BINDINGS,
				   in != NULL ? &ib : GSS_C_NO_BUFFER, &actual, &ob, &g->ret_flags,
				   NULL);
	if (actual != GSS_C_NO_OID)
		g->actual_mech = actual;
	oom = false;
	if (ob.length > 0) {
		*out = malloc(ob.length);
		oom = *out == NULL;
		if (*out != NULL) {
			memcpy(*out, ob.value, ob.length);
			*outlen = ob.length;
		}
	}
	{
		OM_uint32 tmp;

		gss_release_buffer(&tmp, &ob);
	}
	if (GSS_ERROR(maj)) {
		set_error(err, "gss_init_sec_context", maj, min,
			  g->wrap == PROBE_WRAP_SPNEGO ? GSS_C_NO_OID : g->mech_oid);
		free(*out);
		*out = NULL;
		*outlen = 0;
		return PROBE_GSS_ERROR;
	}
	if (oom) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		return PROBE_GSS_ERROR;
	}
	if (maj & GSS_S_CONTINUE_NEEDED) {
		g->state = PROBE_GSS_SENT;
		return PROBE_GSS_CONTINUE;
	}
	/* Complete; a token produced now is the last leg and needs no answer. */
	g->complete = true;
	g->state = PROBE_GSS_DONE;
	return PROBE_GSS_COMPLETE;
}

static enum probe_used_mech mech_kind(gss_OID m)
{
	if (m == GSS_C_NO_OID)
		return PROBE_USED_NONE;
	if (oid_eq(m, &oid_krb5) || oid_eq(m, &oid_mskrb5))
		return PROBE_USED_KERBEROS;
	if (oid_eq(m, &oid_ntlm))
		return PROBE_USED_NTLM;
	return PROBE_USED_OTHER;
}

void probe_gss_get_info(const struct probe_gss *g, struct probe_gss_info *info)
{
	OM_uint32 min, maj;
	krb5_flags flags = 0;
	gss_OID mech = GSS_C_NO_OID;

	memset(info, 0, sizeof(*info));
	info->complete = g->complete;
	info->deleg_requested = g->deleg != PROBE_DELEG_NONE;
	info->deleg_granted = (g->ret_flags & GSS_C_DELEG_FLAG) != 0;
	info->mutual_granted = (g->ret_flags & GSS_C_MUTUAL_FLAG) != 0;
	info->mech = mech_kind(g->actual_mech);
	if (g->ctx == GSS_C_NO_CONTEXT)
		return;
	/* SPNEGO reports the inner mechanism through inquire_context. */
	maj = gss_inquire_context(&min, g->ctx, NULL, NULL, NULL, &mech, NULL, NULL, NULL);
	if (!GSS_ERROR(maj) && mech_kind(mech) != PROBE_USED_NONE &&
	    mech_kind(mech) != PROBE_USED_OTHER)
		info->mech = mech_kind(mech);
	if (g->complete && info->mech == PROBE_USED_KERBEROS) {
		maj = gss_krb5_get_tkt_flags(&min, g->ctx, &flags);
		if (!GSS_ERROR(maj)) {
			info->have_tkt_flags = true;
			info->tkt_flags = (uint32_t)flags;
		}
	}
}

enum probe_gss_state probe_gss_state(const struct probe_gss *g)
{
	return g->state;
}

bool probe_gss_complete(const struct probe_gss *g)
{
	return g->complete;
}

void probe_gss_succeeded(struct probe_gss *g)
{
	if (g->state == PROBE_GSS_DONE)
		g->state = PROBE_GSS_SUCC;
}

void probe_gss_reset(struct probe_gss *g)
{
	OM_uint32 min;

	if (g->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &g->ctx, GSS_C_NO_BUFFER);
	g->ctx = GSS_C_NO_CONTEXT;
	g->state = PROBE_GSS_NONE;
	g->ret_flags = 0;
	g->actual_mech = GSS_C_NO_OID;
	g->complete = false;
}

void probe_gss_free(struct probe_gss *g)
{
	OM_uint32 min;

	if (g == NULL)
		return;
	probe_gss_reset(g);
	if (g->target != GSS_C_NO_NAME)
		gss_release_name(&min, &g->target);
	g->target = GSS_C_NO_NAME;
	free(g);
}

int probe_gss_spn_exists(struct probe_cred *c, const char *principal, struct probe_gss_error *err)
{
	struct probe_gss *g;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	enum probe_gss_rc rc;
	struct probe_gss_error e;

	if (c == NULL || !c->has_krb5) {
		if (err != NULL && c != NULL)
			*err = c->krb5_err;
		return -1;
	}
	g = probe_gss_new(c, PROBE_WRAP_KRB5, PROBE_MECH_KERBEROS, PROBE_DELEG_NONE, principal,
			  false);
	if (g == NULL)
		return -1;
	rc = probe_gss_step(g, NULL, 0, &tok, &toklen, &e);
	free(tok);
	probe_gss_free(g);
	if (rc != PROBE_GSS_ERROR)
		return 1;
	if (err != NULL)
		*err = e;
	/* KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: the KDC has no such principal. */
	if (e.krb5_code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN)
		return 0;
	return -1;
}

const char *probe_gss_state_name(enum probe_gss_state s)
{
	switch (s) {
	case PROBE_GSS_NONE: return "none";
	case PROBE_GSS_RECV: return "recv";
	case PROBE_GSS_SENT: return "sent";
	case PROBE_GSS_DONE: return "done";
	case PROBE_GSS_SUCC: return "succ";
	}
	return "?";
}

const char *probe_used_mech_name(enum probe_used_mech m)
{
	switch (m) {
	case PROBE_USED_KERBEROS: return "kerberos";
	case PROBE_USED_NTLM: return "ntlm";
	case PROBE_USED_OTHER: return "other";
	case PROBE_USED_NONE: break;
	}
	return "none";
}
