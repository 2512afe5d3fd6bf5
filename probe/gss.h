/* gss.h - the probe's only door to GSS-API (MIT libgssapi_krb5, gss-ntlmssp).
 *
 * probe/gss.c is the only file that calls gss_*.  It owns credentials, one
 * security context per handshake with an explicit state (curl's
 * NONE/RECV/SENT/DONE/SUCC), and renders every failure as major + minor text
 * through the gss_display_status loop.  Tokens leave as malloc'd copies the
 * caller frees; GSS buffers never escape this file.
 */
#ifndef PROBE_GSS_H
#define PROBE_GSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum probe_mech { PROBE_MECH_AUTO = 0, PROBE_MECH_KERBEROS, PROBE_MECH_NTLM };
enum probe_deleg { PROBE_DELEG_NONE = 0, PROBE_DELEG_POLICY, PROBE_DELEG_ALWAYS };

/* Where the handshake stands (curl's curlnegotiate, lib/urldata.h). */
enum probe_gss_state {
	PROBE_GSS_NONE = 0, /* no context yet */
	PROBE_GSS_RECV,     /* a server token arrived and is being processed */
	PROBE_GSS_SENT,     /* we produced a token; waiting for the server */
	PROBE_GSS_DONE,     /* GSS says complete; waiting for the final status */
	PROBE_GSS_SUCC      /* authenticated (2xx after completion) */
};

/* The mechanism a context actually runs, as GSS reports it. */
enum probe_used_mech { PROBE_USED_NONE = 0, PROBE_USED_KERBEROS, PROBE_USED_NTLM, PROBE_USED_OTHER };

/* How the token is framed on the wire: SPNEGO for the Negotiate scheme,
 * raw NTLMSSP for the NTLM scheme, raw krb5 for the Kerberos-only checks. */
enum probe_gss_wrap { PROBE_WRAP_SPNEGO = 0, PROBE_WRAP_NTLM, PROBE_WRAP_KRB5 };

struct probe_gss_error {
	uint32_t major, minor;
	int32_t krb5_code; /* minor read as a com_err code (e.g. KRB5KDC_ERR_*), 0 if none */
	char where[48];    /* the GSS call that failed */
	char text[640];    /* "major text: minor text", one line */
	char minor_text[512]; /* the mechanism's own words (often the useful part) */
};

struct probe_cred_opts {
	const char *ccache;    /* --ccache; NULL = default */
	const char *keytab;    /* --keytab (client keytab) */
	const char *principal; /* --principal (with --keytab) */
	const char *user;      /* --user (with password) */
	const char *password;  /* borrowed; never logged */
	enum probe_mech mech;
};

struct probe_cred;
struct probe_gss;

/* Acquires credentials for initiating.  Returns 0, or -1 with *err filled.
 * Kerberos credentials missing while NTLM ones exist is not a failure under
 * --mech auto: probe_cred_has_krb5() then says false.  With a password there is
 * one AS exchange at most; when the KDC refuses the user's logon (wrong password,
 * locked, unknown, expired) the password is not tried again, with NTLM either.
 * -u DOMAIN\user or user@domain is imported per mechanism (see gss.c). */
int probe_cred_acquire(const struct probe_cred_opts *o, struct probe_cred **out,
		       struct probe_gss_error *err);
bool probe_cred_has_krb5(const struct probe_cred *c);
/* Looks for NTLM credentials on first use (gss-ntlmssp's NTLM_USER_FILE). */
bool probe_cred_has_ntlm(struct probe_cred *c);
/* Why Kerberos credentials are missing (valid when !probe_cred_has_krb5). */
const struct probe_gss_error *probe_cred_krb5_error(const struct probe_cred *c);
/* Why NTLM credentials are missing (valid when !probe_cred_has_ntlm). */
const struct probe_gss_error *probe_cred_ntlm_error(const struct probe_cred *c);
/* The Kerberos client principal ("user@REALM"), or "" when unknown. */
const char *probe_cred_principal(const struct probe_cred *c);
/* The user the KDC was asked about: the principal, or for -u / --principal whose logon
 * failed the name tried ("user@REALM"); "" when unknown. */
const char *probe_cred_client(const struct probe_cred *c);
/* The raw Kerberos gss_cred_id_t (for a SASL/GSSAPI LDAP bind), NULL when none. */
void *probe_cred_krb5_handle(struct probe_cred *c);
void probe_cred_free(struct probe_cred *c);
/* On a GSS worker thread: from now on this thread's contexts of c use its own copy of c's
 * Kerberos and SPNEGO handles (MIT locks a handle for a whole TGS exchange); freed when
 * the thread ends. */
void probe_cred_thread_bind(struct probe_cred *c);

/* True when the MIT mechglue lists the NTLMSSP mechanism (gss-ntlmssp). */
bool probe_gss_ntlm_available(void);

/* A context for one handshake with `spn` ("HTTP/host[:port]", a Kerberos
 * principal without realm) or, when `hostbased`, "HTTP@host" left to the GSS
 * library to canonicalise.  NULL on allocation failure. */
struct probe_gss *probe_gss_new(struct probe_cred *cred, enum probe_gss_wrap wrap,
				enum probe_mech mech, enum probe_deleg deleg,
				const char *spn, bool hostbased);

/* The channel binding every step of g sends (application data, RFC 5929 §4 /
 * RFC 5056; chanbind.h); len 0 sends none.  Set before the first step: 0, or -1. */
int probe_gss_set_channel_binding(struct probe_gss *g, const uint8_t *data, size_t len);
bool probe_gss_channel_bound(const struct probe_gss *g);

enum probe_gss_rc { PROBE_GSS_CONTINUE = 0, PROBE_GSS_COMPLETE, PROBE_GSS_ERROR };

/* One gss_init_sec_context call.  `in` is the server's token (NULL/0 on the
 * first call).  On CONTINUE or COMPLETE, *out (malloc'd, may be NULL when
 * empty) and *outlen hold the token to send.  On ERROR *err says why. */
enum probe_gss_rc probe_gss_step(struct probe_gss *g, const uint8_t *in, size_t inlen,
				 uint8_t **out, size_t *outlen, struct probe_gss_error *err);

struct probe_gss_info {
	enum probe_used_mech mech;
	bool complete;
	bool deleg_requested, deleg_granted, mutual_granted;
	bool have_tkt_flags;
	uint32_t tkt_flags; /* Kerberos ticket flags of the service ticket (TKT_FLG_*) */
};

void probe_gss_get_info(const struct probe_gss *g, struct probe_gss_info *info);
enum probe_gss_state probe_gss_state(const struct probe_gss *g);
/* GSS said GSS_S_COMPLETE (mutual authentication, if asked, verified). */
bool probe_gss_complete(const struct probe_gss *g);
/* DONE -> SUCC once the server said 2xx. */
void probe_gss_succeeded(struct probe_gss *g);
/* Releases the context and returns to NONE (a fresh handshake). */
void probe_gss_reset(struct probe_gss *g);
void probe_gss_free(struct probe_gss *g);

/* Asks the KDC for a service ticket for `principal` ("HTTP/host[:port]")
 * with the Kerberos mechanism.  1 exists, 0 KDC says unknown, -1 another
 * error (*err filled). */
int probe_gss_spn_exists(struct probe_cred *c, const char *principal, struct probe_gss_error *err);

/* Kerberos ticket flag (RFC 4120 bit 13, TKT_FLG_OK_AS_DELEGATE). */
#define PROBE_TKT_OK_AS_DELEGATE 0x00040000u

const char *probe_gss_state_name(enum probe_gss_state s);
const char *probe_used_mech_name(enum probe_used_mech m);

#endif /* PROBE_GSS_H */
