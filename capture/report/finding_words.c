/* finding_words.c - the sentences of a finding: its detail and its instance advice,
 * rendered from the finding's id, evidence and typed words (struct cap_finding_words).
 * The judges record only typed values; this is the one place their words are written.
 *
 * Limits quoted: HTTP.sys's default header size (MaxFieldLength, KB 820129); SPN forms
 * and setspn usage: MS-KILE 3.1.5.11, Microsoft's setspn documentation.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "negscope/report.h"
#include "negscope/tok.h"

/* A bounded writer: appends, counts what it would need, never overruns.  A probe only
 * learns whether anything would be written, formatting nothing it need not: the advice
 * lines are counted that way for every finding rendered. */
struct words {
	char *buf;
	size_t cap, len;
	bool probe; /* len is then 0 or 1: something would be written */
};

static void put(struct words *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct words *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->probe && (o->len > 0 || (fmt[0] != '\0' && fmt[0] != '%'))) {
		o->len = 1; /* text before any conversion: not empty */
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
		      o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static const char *ev(const struct cap_finding *f, const char *key)
{
	return cap_finding_get_str(f, key);
}

static long long evn(const struct cap_finding *f, const char *key)
{
	const struct cap_evidence *e = cap_finding_get(f, key);

	return e != NULL && e->is_num ? (long long)e->num : -1;
}

static const char *wname(const struct cap_finding *f, size_t i)
{
	return f->w.name[i] != NULL ? f->w.name[i] : "";
}

static unsigned long long wframe(const struct cap_finding *f)
{
	return (unsigned long long)f->w.frame;
}

/* ---- detail, one function per family ---- */

static void keepalive_detail(struct words *o, const struct cap_finding *f)
{
	switch (f->w.detail) {
	case CAP_D_KEEPALIVE_AFTER_NTLM_CHALLENGE:
		put(o, "The server ended connection %lld (%s) right after the 401 in frame %llu "
		       "that carried an NTLM CHALLENGE: its answer can never reach the same "
		       "connection, so the client has to start over.",
		    evn(f, "stream"), ev(f, "closed_by"), wframe(f));
		break;
	case CAP_D_KEEPALIVE_AFTER_CHALLENGE:
		put(o, "The server ended connection %lld (%s) right after its 401 challenge in "
		       "frame %llu.", evn(f, "stream"), ev(f, "closed_by"), wframe(f));
		break;
	case CAP_D_KEEPALIVE_NEW_CONNECTION:
		put(o, "The NTLM CHALLENGE came on connection %lld but the AUTHENTICATE went on "
		       "connection %lld.", evn(f, "stream"), evn(f, "next_stream"));
		break;
	default:
		break;
	}
}

static void fallback_detail(struct words *o, const struct cap_finding *f)
{
	const char *sname = wname(f, 0);

	switch (f->w.detail) {
	case CAP_D_FALLBACK_AFTER_KDC_ERROR:
		put(o, "Before it, the KDC answered this client with Kerberos error %lld (frame "
		       "%llu%s%s).", evn(f, "kdc_error_code"), wframe(f),
		    sname[0] ? ", for " : "", sname);
		break;
	case CAP_D_FALLBACK_KDC_UNREACHABLE:
		put(o, "Before it, this client could not reach a KDC.");
		break;
	case CAP_D_FALLBACK_NTLM_IN_NEGOTIATE:
		put(o, "The client sent %s NTLM %s in a Negotiate header without asking the KDC "
		       "for a ticket in this capture.",
		    strcmp(ev(f, "wrapping"), "spnego") == 0 ? "SPNEGO-wrapped" : "raw",
		    ev(f, "ntlm_message"));
		break;
	case CAP_D_FALLBACK_NTLM_SCHEME:
		put(o, "The client chose the NTLM scheme although the server offered Negotiate.");
		break;
	default:
		break;
	}
}

static void token_detail(struct words *o, const struct cap_finding *f)
{
	if (f->w.detail == CAP_D_TOKEN_HEADER_SIZE)
		put(o, "The Authorization header value is %lld bytes; HTTP.sys accepts %lld by "
		       "default.", evn(f, "header_bytes"), (long long)f->w.num[0]);
	else if (f->w.detail == CAP_D_TOKEN_HEADER_REFUSED)
		put(o, "A %lld-byte Negotiate header was answered by 400 %s.",
		    evn(f, "header_bytes"), wname(f, 0));
}

/* The web server's verdict on a ticket: an error token, or a 401 with none. */
static void ap_detail(struct words *o, const struct cap_finding *f)
{
	const char *realm = wname(f, 1);

	switch (f->w.detail) {
	case CAP_D_AP_ERROR_FOR_TICKET:
		put(o, "The server answered the AP-REQ for %s%s%s (kvno %lld, etype %lld) with "
		       "%s (%lld).", wname(f, 0), realm[0] ? "@" : "", realm,
		    (long long)f->w.num[0], (long long)f->w.num[1], ev(f, "error_name"),
		    evn(f, "error_code"));
		break;
	case CAP_D_AP_ERROR_TOKEN:
		put(o, "The server's 401 carries %s (%lld).", ev(f, "error_name"),
		    evn(f, "error_code"));
		break;
	case CAP_D_KERBEROS_REJECTED:
		put(o, "The AP-REQ for %s in frame %llu was answered by a %lld with no Kerberos "
		       "error token.", wname(f, 0), wframe(f), (long long)f->w.num[0]);
		break;
	default:
		break;
	}
}

static void tls_hidden_sentence(struct words *o, const struct cap_finding *f);

static void http_detail(struct words *o, const struct cap_finding *f)
{
	switch (f->w.detail) {
	case CAP_D_NEGOTIATE_NOT_OFFERED:
		put(o, "The %lld in frame %llu offers only: %s.", evn(f, "status"), wframe(f),
		    ev(f, "offered"));
		break;
	case CAP_D_NO_SCHEME_OFFERED:
		put(o, "The %lld in frame %llu carries no WWW-Authenticate header: it offers no "
		       "authentication scheme, so no client can answer it (RFC 7235 §3.1 requires "
		       "one).", evn(f, "status"), wframe(f));
		break;
	case CAP_D_FIRST_OFFER_NOT_CAPTURED:
		put(o, "The capture starts in the middle of a %s handshake (frame %llu): the "
		       "server's first offer is not in it.", ev(f, "scheme"), wframe(f));
		break;
	case CAP_D_FAILED_AFTER_AUTH:
		put(o, "The %s handshake completed and the server answered %s %s with %lld %s: "
		       "the user is authenticated; the refusal is not an authentication "
		       "failure.", ev(f, "scheme"), wname(f, 0), wname(f, 1), evn(f, "status"),
		    wname(f, 2));
		break;
	case CAP_D_AUTH_LOOP:
		put(o, "%lld requests with credentials in a row were answered with 401.",
		    evn(f, "rejections"));
		break;
	case CAP_D_HTTP_NOT_VISIBLE:
		put(o, "The KDC issued a ticket for %s (frame %llu), but this client has no HTTP "
		       "exchange in the capture.", ev(f, "spn"), wframe(f));
		if (evn(f, "tls_connections") > 0)
			tls_hidden_sentence(o, f);
		break;
	case CAP_D_CHANNEL_BINDING_MISSING:
		put(o, "The NTLM AUTHENTICATE (frame %llu) went over TLS to %s, and its "
		       "MsvAvChannelBindings is %s.", wframe(f),
		    ev(f, "sni")[0] ? ev(f, "sni") : "the server",
		    strcmp(ev(f, "binding"), "zero") == 0 ? "all zero" : "absent");
		break;
	case CAP_D_CHANNEL_BINDING_MISMATCH:
		put(o, "The NTLM AUTHENTICATE (frame %llu) over %s to %s binds to another "
		       "certificate than the one this connection presents (subject %s): the "
		       "client's TLS did not end at this server.", wframe(f),
		    ev(f, "tls_version"), ev(f, "sni")[0] ? ev(f, "sni") : "the server",
		    ev(f, "cert_subject")[0] ? ev(f, "cert_subject") : "unknown");
		break;
	case CAP_D_HTTP2_AUTH:
		put(o, "Frame %llu sends Authorization: %s on HTTP/2 stream %lld.", wframe(f),
		    ev(f, "scheme"), evn(f, "h2_stream"));
		break;
	case CAP_D_HTTP2_DOWNGRADE:
		put(o, "Frame %lld refuses HTTP/2 stream %lld with HTTP_1_1_REQUIRED; frame %lld "
		       "sends the request again over HTTP/1.1.", evn(f, "refused_frame"),
		    evn(f, "h2_stream"), evn(f, "retry_frame"));
		break;
	default:
		break;
	}
}

static void kdc_detail(struct words *o, const struct cap_finding *f)
{
	const char *user = ev(f, "user"), *realm = ev(f, "realm"), *sname = wname(f, 1);

	switch (f->w.detail) {
	case CAP_D_CLIENT_LOGON_FAILED:
		put(o, "The KDC refused the logon of %s%s%s (AS-REQ) with %s (%lld): %s. This is "
		       "the user the browser prompts again and again.",
		    user[0] != '\0' ? user : "an unnamed user", realm[0] ? "@" : "", realm,
		    ev(f, "error_name"), evn(f, "error_code"), ev(f, "logon_failure"));
		break;
	case CAP_D_KDC_ANSWERED:
		put(o, "The KDC answered %s%s%s with %s (%lld).",
		    f->w.name[0] != NULL ? f->w.name[0] : "a request", sname[0] ? " for " : "",
		    sname, ev(f, "error_name"), evn(f, "error_code"));
		break;
	case CAP_D_KDC_UNREACHABLE:
		put(o, "The KDC at %s (%s) answered with: %s.", ev(f, "kdc"), ev(f, "transport"),
		    ev(f, "answer"));
		break;
	case CAP_D_KDC_REPLY_NOT_CAPTURED:
		put(o, "The KDC at %s answered the %s in frame %llu, but the capture lost the "
		       "start of its reply.", ev(f, "kdc"), ev(f, "request"), wframe(f));
		break;
	default:
		break;
	}
}

/* Where negprobe's GSS-API call failed (enum cap_probe_stage). */
static const struct cap_tok probe_stages[] = {
	{CAP_PROBE_STAGE_CREDENTIALS, "Getting Kerberos credentials failed"},
	{CAP_PROBE_STAGE_FIRST_TOKEN, "Creating the first token failed"},
	{CAP_PROBE_STAGE_SERVER_TOKEN, "The server's answer to the ticket"},
	{CAP_PROBE_STAGE_KERBEROS_ALONE, "Kerberos alone for the same SPN"},
	{0, NULL}
};

static const char *scheme_name(const struct cap_finding *f)
{
	return cap_auth_scheme_name((enum cap_auth_scheme)f->w.num[0]);
}

/* negprobe's own findings: what its GSS-API calls, curl and TLS said. */
/* msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7) */
static const struct cap_tok enctype_bits[] = {
	{0x1, "DES-CBC-CRC"}, {0x2, "DES-CBC-MD5"}, {0x4, "RC4-HMAC"},
	{0x8, "AES128-CTS-HMAC-SHA1-96"}, {0x10, "AES256-CTS-HMAC-SHA1-96"},
	{0x20, "AES256-CTS-HMAC-SHA1-96-SK"}, {0, NULL},
};

static void enctypes_words(struct words *o, long long v)
{
	bool any = false;

	if (v < 0) {
		put(o, "not set (the domain's default: RC4 for service tickets unless the KDC's "
		       "policy says otherwise)");
		return;
	}
	put(o, "0x%llx (", v);
	for (const struct cap_tok *t = enctype_bits; t->s != NULL; t++)
		if (v & t->v) {
			put(o, "%s%s", any ? ", " : "", t->s);
			any = true;
		}
	put(o, "%s)", any ? "" : "none");
}

/* --check-spn --ldap: what the directory says (MS-ADTS 2.2.16 userAccountControl). */
static void directory_detail(struct words *o, const struct cap_finding *f)
{
	const char *spn = ev(f, "spn"), *acct = ev(f, "account");
	long long uac = evn(f, "user_account_control");

	switch (f->w.detail) {
	case CAP_D_PROBE_DIR_DUPLICATE:
		put(o, "%s is registered on %lld accounts: %s (%s). The KDC cannot tell whose key "
		       "to use: Active Directory answers KDC_ERR_S_PRINCIPAL_UNKNOWN, so browsers "
		       "fall back to NTLM or prompt.", spn, evn(f, "holders"), ev(f, "accounts"),
		    ev(f, "account_dns"));
		break;
	case CAP_D_PROBE_DIR_HOLDER:
		put(o, "%s is held by %s (%s). Delegation: %s. msDS-AllowedToDelegateTo: %s. "
		       "msDS-SupportedEncryptionTypes: ", spn, acct, ev(f, "account_dn"),
		    uac < 0 ? "unknown (userAccountControl not read)" :
		    evn(f, "trusted_for_delegation") == 1 ? "trusted for delegation to any service "
							    "(unconstrained; tickets carry "
							    "ok-as-delegate)" :
		    evn(f, "trusted_to_auth_for_delegation") == 1 ?
							  "constrained, with protocol transition "
							  "(any authentication protocol)" :
		    ev(f, "allowed_to_delegate_to")[0] != '\0' ? "constrained, Kerberos only" :
								  "none",
		    ev(f, "allowed_to_delegate_to")[0] != '\0' ? ev(f, "allowed_to_delegate_to") :
								  "(none)");
		enctypes_words(o, evn(f, "supported_enctypes"));
		if (evn(f, "kvno") >= 0)
			put(o, ". msDS-KeyVersionNumber: %lld", evn(f, "kvno"));
		if (uac >= 0)
			put(o, ". userAccountControl: 0x%llx", uac);
		put(o, ".");
		if (ev(f, "keytab_error")[0] != '\0')
			put(o, " The keytab could not be read: %s.", ev(f, "keytab_error"));
		break;
	case CAP_D_PROBE_DIR_WRONG_ACCOUNT:
		put(o, "%s is registered on %s, but the site's keytab %s holds the keys of %s: "
		       "tickets for %s are encrypted with %s's key, which the site does not have.",
		    spn, acct, ev(f, "keytab"), ev(f, "keytab_accounts"), spn, acct);
		break;
	case CAP_D_PROBE_DIR_DELEGATION:
		put(o, "%s holds %s but may not delegate to %s: it is not trusted for delegation, "
		       "and its msDS-AllowedToDelegateTo is %s.%s", acct, spn, ev(f, "backend_spn"),
		    ev(f, "allowed_to_delegate_to")[0] != '\0' ? ev(f, "allowed_to_delegate_to") :
								  "empty",
		    evn(f, "backend_holders") == 0 ? " No account holds the back-end SPN either "
						     "(setspn -S it on the back end's account)." :
						     "");
		break;
	case CAP_D_PROBE_DIR_KVNO:
		put(o, "The keytab %s holds %s at kvno %lld; the directory says %s's key is at "
		       "kvno %lld (msDS-KeyVersionNumber): tickets are encrypted with a key the "
		       "site does not have.", ev(f, "keytab"), spn, evn(f, "keytab_kvno"), acct,
		    evn(f, "kvno"));
		break;
	case CAP_D_PROBE_DIR_FAILED:
		put(o, "The directory check stopped at the %s step (%s): %s.", ev(f, "ldap_step"),
		    ev(f, "ldap_uri")[0] != '\0' ? ev(f, "ldap_uri") : "no LDAP URI",
		    ev(f, "ldap_error"));
		break;
	default:
		break;
	}
}

/* The exact commands for a directory finding: setspn (Microsoft's setspn documentation),
 * the ActiveDirectory PowerShell module, ADUC. */
static void directory_advice(struct words *o, const struct cap_finding *f, unsigned bit)
{
	const char *spn = ev(f, "spn"), *acct = ev(f, "account");
	const char *realm = ev(f, "realm");
	const char *cmdlet = evn(f, "account_is_computer") == 1 ? "Set-ADComputer" : "Set-ADUser";
	const char *who = evn(f, "account_is_computer") == 1 ? "computer" : "user";

	switch (bit) {
	case CAP_A_DIR_DUPLICATE:
		put(o, "Keep %s only on the account the site runs as: list them with setspn -X and "
		       "setspn -Q %s, then setspn -D %s <each other account> (here: %s).", spn, spn,
		    spn, ev(f, "accounts"));
		break;
	case CAP_A_DIR_WRONG_ACCOUNT:
		put(o, "Move the SPN to the site's account: setspn -D %s %s, then setspn -S %s %s; "
		       "or run the site as %s (application pool identity, useAppPoolCredentials) "
		       "and export a keytab of %s for it.", spn, acct, spn,
		    ev(f, "keytab_accounts"), acct, acct);
		break;
	case CAP_A_DIR_DELEGATION:
		put(o, "Allow the double hop to %s only: %s -Identity %s -Add "
		       "@{'msDS-AllowedToDelegateTo'='%s'}, and, when users sign in to the site "
		       "with NTLM or forms, Set-ADAccountControl -Identity %s "
		       "-TrustedToAuthForDelegation $true. In ADUC: %s > Properties > Delegation > "
		       "Trust this %s for delegation to specified services only > Add > %s.",
		    ev(f, "backend_spn"), cmdlet, acct, ev(f, "backend_spn"), acct, acct, who,
		    ev(f, "backend_spn"));
		break;
	case CAP_A_DIR_KVNO:
		put(o, "Export a fresh keytab for %s: on Windows, ktpass -princ %s@%s -mapuser %s "
		       "-pass * -ptype KRB5_NT_PRINCIPAL -crypto AES256-SHA1 -out site.keytab "
		       "(this resets the password: kvno %lld becomes %lld); or, without a reset, "
		       "samba-tool domain exportkeytab --principal=%s on a Samba DC. ADUC does not "
		       "show the kvno: %s %s -Properties msDS-KeyVersionNumber.", spn, spn, realm,
		    acct, evn(f, "kvno"), evn(f, "kvno") + 1, spn,
		    evn(f, "account_is_computer") == 1 ? "Get-ADComputer" : "Get-ADUser", acct);
		break;
	default:
		break;
	}
}

static void probe_detail(struct words *o, const struct cap_finding *f)
{
	const char *stage = cap_tok_name(probe_stages, (int)f->w.num[0], "A GSS-API call failed");
	const char *msg = ev(f, "gss_message");

	switch (f->w.detail) {
	case CAP_D_PROBE_SPN_UNKNOWN:
		put(o, "%s: the KDC has no principal %s (KDC_ERR_S_PRINCIPAL_UNKNOWN), so no "
		       "Kerberos ticket can be issued for this site.", stage, ev(f, "spn"));
		break;
	case CAP_D_PROBE_KRB_ERROR:
		put(o, "%s: %s (%lld), \"%s\".", stage,
		    ev(f, "error_name")[0] != '\0' ? ev(f, "error_name") : "?",
		    evn(f, "error_code"), msg);
		break;
	case CAP_D_PROBE_GSS_ERROR:
		put(o, "%s: %s.", stage, msg);
		break;
	case CAP_D_PROBE_KERBEROS_ALONE:
		put(o, "No Kerberos credentials, so SPNEGO could only offer NTLM: %s.", msg);
		break;
	case CAP_D_PROBE_NO_CREDENTIALS:
		put(o, "No credentials to answer the %s challenge%s%s.", scheme_name(f),
		    msg[0] ? ": " : "", msg);
		break;
	case CAP_D_PROBE_TLS_FAILED:
		put(o, "TLS to %s:%lld failed: %s (%s).", ev(f, "host"), evn(f, "port"),
		    ev(f, "tls_failure"), ev(f, "curl_error"));
		break;
	case CAP_D_PROBE_CONNECT_FAILED:
		put(o, "Connecting to %s:%lld failed: %s.", ev(f, "host"), evn(f, "port"),
		    ev(f, "curl_error"));
		break;
	case CAP_D_PROBE_CUT_HEAD:
		put(o, "The connection to %s:%lld ended in the middle of the response headers "
		       "(%lld bytes received), so there is no status or challenge to act on.",
		    ev(f, "host"), evn(f, "port"), evn(f, "bytes_received"));
		break;
	case CAP_D_PROBE_CUT_BODY:
		put(o, "The server answered %lld, then the connection ended in the middle of the "
		       "body (%lld bytes received): %s.", evn(f, "status"),
		    evn(f, "bytes_received"), ev(f, "curl_error"));
		break;
	case CAP_D_PROBE_SLOW_RESPONSE:
		put(o, "The connection to %s:%lld was made, but the answer did not complete within "
		       "the time limit (%lld bytes of it received): %s.", ev(f, "host"),
		    evn(f, "port"), evn(f, "bytes_received"), ev(f, "curl_error"));
		break;
	case CAP_D_PROBE_HEAD_TOO_LARGE:
		put(o, "The response headers from %s:%lld exceeded the client's limit of %lld KB "
		       "(%lld bytes received).", ev(f, "host"), evn(f, "port"),
		    (long long)f->w.num[0] / 1024, evn(f, "bytes_received"));
		break;
	case CAP_D_PROBE_TOKEN_OVER_CAP:
		put(o, "The server's %s token is %lld bytes of base64, over the %lld-byte limit.",
		    scheme_name(f), (long long)f->w.num[1], (long long)f->w.num[2]);
		break;
	case CAP_D_PROBE_TOKEN_NOT_BASE64:
		put(o, "The server's %s token is not valid base64.", scheme_name(f));
		break;
	case CAP_D_PROBE_NTLM_MISSING:
		put(o, "The NTLM mechanism (gss-ntlmssp) is not installed here, so negprobe cannot "
		       "answer %s with NTLM.",
		    f->w.num[0] == CAP_AUTH_NTLM ? "an NTLM-only server" : "Negotiate");
		break;
	case CAP_D_PROBE_MUTUAL_FAILED:
		put(o, "The server's final token did not verify: %s.", msg);
		break;
	case CAP_D_PROBE_LEGS_EXHAUSTED:
		put(o, "The handshake did not finish within %lld legs (--max-legs).",
		    (long long)f->w.num[0]);
		break;
	case CAP_D_PROBE_NOT_OK_AS_DELEGATE:
		put(o, "The service ticket for %s is not marked ok-as-delegate, so no credential "
		       "was delegated.", ev(f, "spn"));
		break;
	case CAP_D_PROBE_NOT_DELEGATED:
		put(o, "Delegation was requested but no credential was delegated%s.",
		    f->w.num[0] ? " (NTLM cannot delegate)"
				: " (is the TGT forwardable? klist -f shows F)");
		break;
	case CAP_D_PROBE_UNEXPECTED_STATUS:
		put(o, "The server answered %lld.", evn(f, "status"));
		break;
	case CAP_D_PROBE_DIR_DUPLICATE:
	case CAP_D_PROBE_DIR_HOLDER:
	case CAP_D_PROBE_DIR_WRONG_ACCOUNT:
	case CAP_D_PROBE_DIR_DELEGATION:
	case CAP_D_PROBE_DIR_KVNO:
	case CAP_D_PROBE_DIR_FAILED:
		directory_detail(o, f);
		break;
	default:
		break;
	}
}

/* A Kerberos error's ids come from a KDC's reply or a web server's token alike. */
static void krb_detail(struct words *o, const struct cap_finding *f)
{
	ap_detail(o, f);
	kdc_detail(o, f);
}

/* What the server's keys showed (issue 14): the comparison, then where the server
 * stood. */
static void keys_detail(struct words *o, const struct cap_finding *f)
{
	long long tk = (long long)f->w.num[0], kk = evn(f, "key_kvno");
	const char *tet = ev(f, "ticket_etype_name");

	switch (f->id) {
	case CAP_F_KEYTAB_KVNO_STALE:
		put(o, "The ticket for %s is at key version %lld; the keys given for it are at "
		       "kvno %lld.", wname(f, 0), tk, kk);
		break;
	case CAP_F_KEYTAB_WRONG_KEY:
		put(o, "A %s key %sfor %s fails the ticket's integrity check (ticket kvno %lld).",
		    tet[0] ? tet : "matching", strcmp(ev(f, "key_source"), "password") == 0
						       ? "derived from the password " : "",
		    wname(f, 0), tk);
		break;
	case CAP_F_KEYTAB_ETYPE_MISSING:
		put(o, "The ticket for %s is encrypted with %s; the keys given for it are %s.",
		    wname(f, 0), tet[0] ? tet : "another type", ev(f, "key_etypes"));
		break;
	case CAP_F_KEYTAB_PRINCIPAL_MISSING:
		put(o, "No key given is for %s%s%s.", wname(f, 0), ev(f, "realm")[0] ? "@" : "",
		    ev(f, "realm"));
		break;
	default:
		return;
	}
	switch (f->w.detail) {
	case CAP_D_KEYS_SERVER_REJECTED:
		put(o, " The server refused this ticket too (frame %llu): this is why.", wframe(f));
		break;
	case CAP_D_KEYS_SERVER_ACCEPTED:
		put(o, " Yet the server accepted the ticket: the keys given are not the ones it "
		       "uses.");
		break;
	case CAP_D_KEYS_KDC_TICKET:
		put(o, " The KDC issued this ticket in frame %llu: a server holding these keys "
		       "cannot decrypt it.", wframe(f));
		break;
	default:
		break;
	}
}

static void put_time(struct words *o, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[32];

	if (gmtime_r(&tt, &tm) != NULL && strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm) > 0)
		put(o, "%s UTC", b);
	else
		put(o, "%lld", t);
}

/* What a decrypted ticket carried (RFC 4120 §5.3; RFC 4121 §4.1.1; MS-PAC §2.5). */
static void ticket_detail(struct words *o, const struct cap_finding *f)
{
	const char *flags = ev(f, "ticket_flags"), *deleg = ev(f, "delegation");
	const char *gss = ev(f, "gss_flags"), *aprep = ev(f, "ap_rep");

	if (f->w.detail != CAP_D_TICKET_CONTENTS)
		return;
	put(o, "The ticket for %s names %s, valid ", wname(f, 0),
	    ev(f, "user")[0] ? ev(f, "user") : "a client");
	put_time(o, evn(f, "authtime"));
	put(o, " to ");
	put_time(o, evn(f, "endtime"));
	put(o, "; flags: %s.", flags[0] ? flags : "none");
	if (f->id == CAP_F_TICKET_EXPIRED) {
		put(o, " The client sent it at ");
		put_time(o, evn(f, "sent"));
		put(o, ", after its end time.");
	}
	if (evn(f, "pac_bytes") >= 0) {
		put(o, " Its PAC is %lld bytes", evn(f, "pac_bytes"));
		if (evn(f, "pac_groups") >= 0)
			put(o, ", with %lld groups and %lld extra SIDs", evn(f, "pac_groups"),
			    evn(f, "pac_extra_sids"));
		put(o, ".");
	}
	if (gss[0] != '\0')
		put(o, " The authenticator's GSS flags: %s.", gss);
	if (strcmp(deleg, "forwarded-tgt") == 0)
		put(o, " The client forwarded its TGT: the server can act as the user toward a "
		       "back end (the double hop).");
	else if (deleg[0] != '\0' && strstr(gss, "deleg") == NULL)
		put(o, " The client did not delegate: %s", strstr(flags, "ok-as-delegate") == NULL
			? "the ticket is not ok-as-delegate (the service account is not trusted "
			  "for delegation), so Windows clients do not forward their TGT."
			: "the ticket is ok-as-delegate, so the client's own policy kept its TGT "
			  "(browser delegation settings).");
	if (strcmp(aprep, "verified") == 0)
		put(o, " The server's AP-REP decrypts with the session key: mutual "
		       "authentication is verified.");
	else if (aprep[0] != '\0')
		put(o, " The server's AP-REP does not decrypt with the session key.");
}

/* --browser: why the browser would not even try Negotiate. */
static void not_allowed_detail(struct words *o, const struct cap_finding *f)
{
	const char *list = ev(f, "allowlist");

	if (f->w.detail != CAP_D_PROBE_NOT_ALLOWED)
		return;
	put(o, "%s%s sends Negotiate only to hosts in %s (%s); %s is not in it, so it sends no "
	       "token and this site's sign-in never starts.",
	    ev(f, "browser")[0] != '\0' ? "The browser preset " : "",
	    ev(f, "browser")[0] != '\0' ? ev(f, "browser") : "The client", ev(f, "policy"),
	    list[0] != '\0' ? list : "empty", ev(f, "host"));
}

/* negprobe sent a channel binding and the site still refused: the certificate it bound to. */
static void chanbind_refused_detail(struct words *o, const struct cap_finding *f)
{
	if (f->w.detail != CAP_D_PROBE_CHANNEL_BINDING_REFUSED)
		return;
	put(o, "negprobe sent the tls-server-end-point binding of the certificate it was shown "
	       "(%s, SHA-256 %s), and the server refused the finished handshake (%s): a server "
	       "whose own certificate is another computes another binding.",
	    ev(f, "certificate_subject")[0] != '\0' ? ev(f, "certificate_subject") : "unnamed",
	    ev(f, "certificate_sha256")[0] != '\0' ? ev(f, "certificate_sha256") : "unknown",
	    ev(f, "refused_by"));
}

/* The detail table, keyed by finding id. */
static void (*const detail_of[CAP_F_COUNT])(struct words *, const struct cap_finding *) = {
	[CAP_F_KEEPALIVE_MISSING] = keepalive_detail,
	[CAP_F_NTLM_FALLBACK] = fallback_detail,
	[CAP_F_TOKEN_TOO_LARGE] = token_detail,
	[CAP_F_KRB_AP_ERR_MODIFIED] = krb_detail,
	[CAP_F_KRB_AP_ERR_NOKEY] = krb_detail,
	[CAP_F_KRB_AP_ERROR] = krb_detail,
	[CAP_F_KERBEROS_REJECTED] = krb_detail,
	[CAP_F_CLOCK_SKEW] = krb_detail,
	[CAP_F_ETYPE_MISMATCH] = krb_detail,
	[CAP_F_SPN_UNKNOWN] = krb_detail,
	[CAP_F_SPN_DUPLICATE] = krb_detail,
	[CAP_F_DELEGATION_REFUSED] = krb_detail,
	[CAP_F_KDC_ERROR] = krb_detail,
	[CAP_F_KDC_UNREACHABLE] = kdc_detail,
	[CAP_F_KDC_REPLY_NOT_CAPTURED] = kdc_detail,
	[CAP_F_CLIENT_LOGON_FAILED] = kdc_detail,
	[CAP_F_NEGOTIATE_NOT_OFFERED] = http_detail,
	[CAP_F_FIRST_OFFER_NOT_CAPTURED] = http_detail,
	[CAP_F_FAILED_AFTER_AUTH] = http_detail,
	[CAP_F_AUTH_LOOP] = http_detail,
	[CAP_F_HTTP_NOT_VISIBLE] = http_detail,
	[CAP_F_KEYTAB_KVNO_STALE] = keys_detail,
	[CAP_F_KEYTAB_WRONG_KEY] = keys_detail,
	[CAP_F_KEYTAB_ETYPE_MISSING] = keys_detail,
	[CAP_F_KEYTAB_PRINCIPAL_MISSING] = keys_detail,
	[CAP_F_TICKET_DECRYPTED] = ticket_detail,
	[CAP_F_TICKET_EXPIRED] = ticket_detail,
	[CAP_F_CHANNEL_BINDING_MISSING] = http_detail,
	[CAP_F_CHANNEL_BINDING_MISMATCH] = http_detail,
	[CAP_F_NEGOTIATE_NOT_ALLOWED] = not_allowed_detail,
	[CAP_F_CHANNEL_BINDING_REFUSED] = chanbind_refused_detail,
};

static void fold_sentence(struct words *o, const struct cap_finding *f, size_t i)
{
	switch (f->w.fold[i].kind) {
	case CAP_FOLD_NTLM_AUTH_ON_CLOSED:
		put(o, "The server answered that AUTHENTICATE with %d (frame %llu): the "
		       "handshake's state was on the closed connection.", f->w.fold[i].status,
		    (unsigned long long)f->w.fold[i].frame);
		break;
	case CAP_FOLD_PROBE_CALL_AFTER_LOGON:
		put(o, "Then, for want of that ticket: %s.",
		    cap_tok_name(probe_stages, f->w.fold[i].status, "a GSS-API call failed"));
		break;
	case CAP_FOLD_PROBE_NO_CREDENTIAL_LEFT:
		put(o, "Then: no credential was left to answer the challenge.");
		break;
	}
}

size_t cap_finding_detail_text(const struct cap_finding *f, char *buf, size_t cap)
{
	struct words o = {buf, cap, 0, false};

	size_t start;

	if (cap > 0)
		buf[0] = '\0';
	if (f->w.on_wire)
		put(&o, "On the wire: ");
	start = o.len;
	if ((f->w.detail >= CAP_D_PROBE_SPN_UNKNOWN && f->w.detail <= CAP_D_PROBE_HEAD_TOO_LARGE) ||
	    (f->w.detail >= CAP_D_PROBE_DIR_DUPLICATE && f->w.detail <= CAP_D_PROBE_DIR_FAILED))
		probe_detail(&o, f); /* negprobe's judges, whatever the id */
	else if ((unsigned)f->id < CAP_F_COUNT && detail_of[f->id] != NULL)
		detail_of[f->id](&o, f);
	for (size_t i = 0; i < f->w.nfolds; i++) {
		if (o.len > start)
			put(&o, " ");
		fold_sentence(&o, f, i);
	}
	if (o.len == start) { /* nothing to say */
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	return o.len;
}

/* ---- advice ---- */

/* What a KDC's error code asks the administrator to do (RFC 4120 §7.5.9). */
static void kdc_code_advice(struct words *o, long long code)
{
	switch (code) {
	case 6:
		put(o, "The KDC does not know the client principal: check the user name and the "
		       "realm it was sent to.");
		break;
	case 12:
		put(o, "KDC policy refused the request: check logon hours, 'Log on to' "
		       "workstation restrictions and authentication policies on the account.");
		break;
	case 18:
		put(o, "The client's credentials are revoked: the account is disabled, locked out "
		       "or expired (see the NTSTATUS).");
		break;
	case 23:
		put(o, "The user's password has expired: change it.");
		break;
	case 24:
		put(o, "Pre-authentication failed: a wrong or stale password (cached credentials, "
		       "a mapped drive or a service still using the old one).");
		break;
	case 25:
		put(o, "Normal: the client retries with pre-authentication.");
		break;
	case 32:
		put(o, "The client's ticket expired: klist purge, then sign in again.");
		break;
	case 52:
		put(o, "Normal over UDP: the client retries over TCP. If no TCP request follows, "
		       "TCP port 88 is probably blocked.");
		break;
	case 68:
		put(o, "The request went to the wrong realm: check the client's realm mapping "
		       "(domain_realm) and trust referrals.");
		break;
	case 60:
		put(o, "A generic error: the e-text and the KDC's event log give the reason.");
		break;
	default:
		break;
	}
}

static void after_auth_advice(struct words *o, const struct cap_finding *f)
{
	long long status = evn(f, "status");

	if (status == 403)
		put(o, "Check the authorization rules (IIS Authorization Rules, URL "
		       "authorization, NTFS permissions on the content) for this user.");
	else if (status == 405)
		put(o, "The method %s is not allowed for this URL (handler mappings, WebDAV, "
		       "request filtering).", wname(f, 0));
	else
		put(o, "The application failed: its log and IIS Failed Request Tracing show "
		       "why.");
}

/* An unknown SPN: where to register it, in the forms clients ask for (MS-KILE 3.1.5.11;
 * Microsoft's setspn documentation). */
static void spn_advice(struct words *o, const struct cap_finding *f, unsigned bit)
{
	const char *spn = wname(f, CAP_WN_SPN), *service = wname(f, CAP_WN_SERVICE);
	const char *host = wname(f, CAP_WN_HOST), *sh = wname(f, CAP_WN_SHORTNAME);
	unsigned port = (unsigned)f->w.num[CAP_WV_PORT];
	unsigned site_port = (unsigned)f->w.num[CAP_WV_SITE_PORT];
	const char *found = ev(f, "registered_forms");

	switch (bit) {
	case CAP_A_SPN_REGISTER_SERVICE:
		put(o, "Register it on the account the %s service runs as: setspn -S %s "
		       "<DOMAIN\\account>.", service, spn);
		break;
	case CAP_A_SPN_WITH_PORT:
		put(o, "The client asked for %s, with a port. Browsers and curl leave the port out "
		       "unless told to add it (EnableAuthNegotiatePort, "
		       "FEATURE_INCLUDE_PORT_IN_SPN_KB908209, .NET 5): register exactly this name "
		       "(setspn -S %s/%s:%u <DOMAIN\\account>) or make the client ask for %s/%s.",
		    spn, service, host, port, service, host);
		break;
	case CAP_A_SPN_SITE_PORT:
		put(o, "The site listens on port %u but the client asked for %s/%s without a port, "
		       "as browsers do: an SPN registered as %s/%s:%u is never asked for. Register "
		       "the FQDN form without a port (only the short-name form may carry one).",
		    site_port, service, host, service, host, site_port);
		break;
	case CAP_A_SPN_REGISTER_SITE:
		put(o, "Register it on the account the site runs as (the application pool "
		       "identity, or the computer account for "
		       "NetworkService/ApplicationPoolIdentity): setspn -S %s/%s "
		       "<DOMAIN\\account>%s%s%s%s%s.", service, host,
		    sh[0] ? ", and the short name: setspn -S " : "", sh[0] ? service : "",
		    sh[0] ? "/" : "", sh, sh[0] ? " <DOMAIN\\account>" : "");
		break;
	case CAP_A_SPN_WHO_HOLDS:
		put(o, "Check who holds the name now: setspn -Q %s/%s%s%s%s%s.", service, host,
		    sh[0] ? " and setspn -Q " : "", sh[0] ? service : "", sh[0] ? "/" : "", sh);
		break;
	case CAP_A_SPN_CNAME:
		put(o, "The URL host is %s but the client asked for %s: it resolved a DNS alias "
		       "(CNAME) to its canonical name, so the SPN must be registered for %s.",
		    wname(f, CAP_WN_URL_HOST), spn, host);
		break;
	case CAP_A_SPN_CHECK_FORMS:
		put(o, "negprobe --check-spn %s shows which forms exist.", wname(f, 0));
		break;
	case CAP_A_SPN_REGISTERED_FORMS:
		put(o, "The KDC knows %s but not %s, the form browsers ask for: register %s on the "
		       "same account (setspn -S %s DOMAIN\\account)%s.", found, spn, spn, spn,
		    strchr(found, ':') != NULL ?
			    "; an SPN with a port is only used by clients told to add it" : "");
		break;
	default:
		break;
	}
}

/* A refusal whose cause the server's keys show (finding key_verdict). */
static void keys_root_advice(struct words *o, const struct cap_finding *f)
{
	const char *v = ev(f, "key_verdict");

	if (strcmp(v, "kvno-stale") == 0)
		put(o, "The keys given (kvno %lld) are older than the account's password: export "
		       "the keytab again (keytab-kvno-stale).", evn(f, "key_kvno"));
	else if (strcmp(v, "wrong-key") == 0)
		put(o, "The keys given fail the ticket's integrity check at its kvno: the SPN is "
		       "on another account than the site's identity (setspn -Q %s), or kernel-mode "
		       "authentication decrypts with the machine account (useAppPoolCredentials) "
		       "(keytab-wrong-key).", ev(f, "spn"));
	else if (strcmp(v, "etype-missing") == 0)
		put(o, "The keys given have no key of the ticket's encryption type: align "
		       "msDS-SupportedEncryptionTypes and ktpass -crypto (keytab-etype-missing).");
	else if (strcmp(v, "principal-missing") == 0)
		put(o, "The keys given hold no key for %s: the keytab holds other principals "
		       "(keytab-principal-missing).", ev(f, "spn"));
	else if (strcmp(v, "decrypted") == 0)
		put(o, "The keys given do decrypt this ticket: the server is not using them (an "
		       "older keytab on the server, or kernel-mode authentication with the machine "
		       "account: useAppPoolCredentials).");
}

/* The TLS connections behind http-not-visible. */
static void tls_hidden_sentence(struct words *o, const struct cap_finding *f)
{
	long long n = evn(f, "tls_connections");
	bool wrong = strcmp(ev(f, "tls_keys"), "wrong") == 0;

	put(o, " It has %lld HTTPS connection%s whose content was not decrypted", n,
	    n == 1 ? "" : "s");
	if (ev(f, "sni")[0] != '\0')
		put(o, ", to %s", ev(f, "sni"));
	if (ev(f, "tls_version")[0] != '\0')
		put(o, " (%s", ev(f, "tls_version"));
	if (ev(f, "alpn")[0] != '\0')
		put(o, ", ALPN %s", ev(f, "alpn"));
	if (ev(f, "tls_version")[0] != '\0')
		put(o, ")");
	if (f->w.num[0] > 0)
		put(o, ", ClientHello in frame %lld", (long long)f->w.num[0]);
	put(o, ": %s.", wrong ? "the key log has secrets for it, but they do not decrypt it "
			       "(a key log of another session?)"
			     : "no key log secret for it");
	if (ev(f, "cert_subject")[0] != '\0')
		put(o, " The server's certificate: %s%s%s.", ev(f, "cert_subject"),
		    ev(f, "cert_sans")[0] ? ", names " : "", ev(f, "cert_sans"));
}

/* Renders one advice bit. */
static void advice_sentence(struct words *o, const struct cap_finding *f, unsigned bit)
{
	switch (bit) {
	case CAP_A_SETSPN_Q_ACCOUNT:
		put(o, "Run setspn -Q %s: the account it names must be the one the site runs as, "
		       "and the only one.", wname(f, 0));
		break;
	case CAP_A_BADKEYVER:
		put(o, "KRB_AP_ERR_BADKEYVER: the server's keytab has no key with the ticket's key "
		       "version (kvno %lld); export a fresh keytab for the SPN.",
		    (long long)f->w.num[0]);
		break;
	case CAP_A_SETSPN_Q_POOL:
		put(o, "Run setspn -Q %s and compare the account it names with the site's "
		       "application pool identity.", wname(f, 0));
		break;
	case CAP_A_AFTER_AUTH:
		after_auth_advice(o, f);
		break;
	case CAP_A_KDC_ERROR_CODE:
		kdc_code_advice(o, evn(f, "error_code"));
		break;
	case CAP_A_SPN_REGISTER_SERVICE:
	case CAP_A_SPN_WITH_PORT:
	case CAP_A_SPN_SITE_PORT:
	case CAP_A_SPN_REGISTER_SITE:
	case CAP_A_SPN_WHO_HOLDS:
	case CAP_A_SPN_CNAME:
	case CAP_A_SPN_CHECK_FORMS:
	case CAP_A_SPN_REGISTERED_FORMS:
		spn_advice(o, f, bit);
		break;
	case CAP_A_KEYS_ROOT_CAUSE:
		keys_root_advice(o, f);
		break;
	case CAP_A_TOKEN_GROUPS:
		put(o, "The user's PAC lists %lld groups and %lld extra SIDs (%lld bytes): a user "
		       "in many groups makes a Kerberos token too large for the header limit. "
		       "Remove stale group memberships, or raise MaxFieldLength and "
		       "MaxRequestBytes (KB 2020943).", evn(f, "pac_groups"),
		    evn(f, "pac_extra_sids"), evn(f, "pac_bytes"));
		break;
	case CAP_A_DIR_DUPLICATE:
	case CAP_A_DIR_WRONG_ACCOUNT:
	case CAP_A_DIR_DELEGATION:
	case CAP_A_DIR_KVNO:
		directory_advice(o, f, bit);
		break;
	case CAP_A_TLS_KEYLOG:
		put(o, "To see inside HTTPS, give negcap the TLS key log: set the environment "
		       "variable SSLKEYLOGFILE to a file path, start Chrome, Edge or Firefox (or "
		       "curl) from that environment, reproduce, and run negcap --keylog FILE; or "
		       "replay with negprobe --keylog FILE.");
		break;
	case CAP_A_MODIFIED_FROM_KDC:
		put(o, "From the KDC itself this usually means the client's TGT is not readable "
		       "by this KDC: klist purge and sign in again; check krbtgt replication "
		       "between domain controllers.");
		break;
	default:
		break;
	}
}

/* The instance's advice lines: typed ones (in bit order) that have words, then stored. */
static size_t instance_advice(const struct cap_finding *f, size_t i, struct words *o)
{
	size_t n = 0;
	for (unsigned bit = 1; bit != 0 && bit <= CAP_A_LAST; bit <<= 1) {
		struct words t = {NULL, 0, 0, true};

		if (!(f->w.advice & bit))
			continue;
		advice_sentence(&t, f, bit);
		if (t.len == 0)
			continue; /* e.g. an error code with no advice of its own */
		if (n++ == i) {
			if (o != NULL)
				advice_sentence(o, f, bit);
			return n;
		}
	}
	for (size_t k = 0; k < f->nadvice; k++)
		if (n++ == i) {
			if (o != NULL)
				put(o, "%s", f->advice[k]);
			return n;
		}
	return n;
}

static size_t catalog_nadvice(const struct cap_finding *f)
{
	const struct cap_finding_info *in = cap_finding_info(f->id);
	size_t n = 0;

	while (in != NULL && n < CAP_CATALOG_ADVICE_MAX && in->advice[n] != NULL)
		n++;
	return n;
}

size_t cap_finding_nadvice(const struct cap_finding *f)
{
	return instance_advice(f, SIZE_MAX, NULL) + catalog_nadvice(f);
}

size_t cap_finding_advice_text(const struct cap_finding *f, size_t i, char *buf, size_t cap)
{
	struct words o = {buf, cap, 0, false};
	const struct cap_finding_info *in = cap_finding_info(f->id);
	size_t ninst = instance_advice(f, SIZE_MAX, NULL);

	if (cap > 0)
		buf[0] = '\0';
	if (i < ninst) {
		instance_advice(f, i, &o);
		return o.len;
	}
	i -= ninst;
	if (i < catalog_nadvice(f))
		put(&o, "%s", in->advice[i]);
	return o.len;
}
