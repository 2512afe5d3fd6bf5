/* ldap_audit.c - --check-spn --ldap: reads Active Directory's view of each SPN form, as
 * setspn -Q (who holds it) and setspn -X (duplicates) do, with the holder's delegation,
 * encryption-type and key-version attributes (MS-ADTS 2.2.16 userAccountControl, MS-KILE
 * 2.2.7 msDS-SupportedEncryptionTypes, MS-ADA2 msDS-AllowedToDelegateTo, MS-ADA2
 * msDS-KeyVersionNumber).  SASL/GSSAPI bind with the user's ticket (RFC 4752), paged
 * (RFC 2696) and size-limited searches.  Every failure is recorded, never fatal.
 */
#include "ldap_audit.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <krb5/krb5.h>
#include <ldap.h>
#include <openldap.h>
#include <profile.h>
#include <sasl/sasl.h>

#include "gss.h"
#include "http_client.h"
#include "negscope/analysis.h"
#include "negscope/tok.h"

static const struct cap_tok steps[] = {
	{PROBE_LDAP_STEP_NONE, "none"},
	{PROBE_LDAP_STEP_LOCATE, "locate"},
	{PROBE_LDAP_STEP_CONNECT, "connect"},
	{PROBE_LDAP_STEP_BIND, "bind"},
	{PROBE_LDAP_STEP_SEARCH, "search"},
	{0, NULL},
};

const char *probe_ldap_step_name(enum probe_ldap_step s)
{
	return cap_tok_name(steps, s, "?");
}

static void failed(struct probe_ldap_audit *out, enum probe_ldap_step step, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void failed(struct probe_ldap_audit *out, enum probe_ldap_step step, const char *fmt,
		   ...)
{
	va_list ap;

	out->failed = step;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
}

/* The realm's first KDC host from the krb5 profile ([realms] REALM kdc = host[:port]). */
static int kdc_host(const char *realm, char *host, size_t len)
{
	krb5_context ctx = NULL;
	profile_t prof = NULL;
	char **vals = NULL;
	const char *names[] = {"realms", realm, "kdc", NULL};
	int rc = -1;

	if (krb5_init_context(&ctx) != 0)
		return -1;
	if (krb5_get_profile(ctx, &prof) == 0 &&
	    profile_get_values(prof, names, &vals) == 0 && vals != NULL && vals[0] != NULL) {
		const char *v = vals[0];
		size_t n;

		if (strncmp(v, "tcp/", 4) == 0 || strncmp(v, "udp/", 4) == 0)
			v += 4;
		if (v[0] == '[') { /* [IPv6]:port */
			n = strcspn(v + 1, "]");
			snprintf(host, len, "[%.*s]", (int)n, v + 1);
		} else {
			n = strcspn(v, ":");
			snprintf(host, len, "%.*s", (int)n, v);
		}
		rc = host[0] != '\0' ? 0 : -1;
	}
	if (vals != NULL)
		profile_free_list(vals);
	if (prof != NULL)
		profile_release(prof);
	krb5_free_context(ctx);
	return rc;
}

/* DNS SRV _ldap._tcp.REALM (how a domain member finds a DC, MS-ADTS 6.3.6): the first
 * target.  Only asked when krb5.conf names no KDC for the realm. */
static int srv_host(const char *realm, char *host, size_t len, unsigned *port)
{
	unsigned char ans[4096];
	char name[300];
	ns_msg msg;
	ns_rr rr;
	int n;

	snprintf(name, sizeof(name), "_ldap._tcp.%s", realm);
	n = res_query(name, ns_c_in, ns_t_srv, ans, sizeof(ans));
	if (n <= 0 || ns_initparse(ans, n, &msg) != 0)
		return -1;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv ||
		    ns_rr_rdlen(rr) < 7)
			continue;
		*port = ns_get16(ns_rr_rdata(rr) + 4);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr) + 6, host,
			      (int)len) < 0)
			continue;
		return 0;
	}
	return -1;
}

static void locate(const char *realm, struct probe_ldap_audit *out)
{
	char host[256] = "";
	unsigned port = 389;

	if (realm == NULL || realm[0] == '\0') {
		failed(out, PROBE_LDAP_STEP_LOCATE, "no Kerberos realm to find a directory for; "
		       "give --ldap ldap://DC");
		return;
	}
	if (kdc_host(realm, host, sizeof(host)) == 0)
		snprintf(out->uri, sizeof(out->uri), "ldap://%s", host);
	else if (srv_host(realm, host, sizeof(host), &port) == 0)
		snprintf(out->uri, sizeof(out->uri), "ldap://%s:%u", host, port);
	else
		failed(out, PROBE_LDAP_STEP_LOCATE, "krb5.conf names no KDC for %.100s and DNS has "
		       "no _ldap._tcp.%.100s SRV record; give --ldap ldap://DC", realm, realm);
}

/* ldap://host[:port] -> host, port (LDAPS and ldapi are taken by ldap_initialize as is). */
static int uri_host_port(const char *uri, char *host, size_t len, unsigned *port)
{
	const char *h, *end;

	if (strncasecmp(uri, "ldap://", 7) != 0)
		return -1;
	h = uri + 7;
	end = h + strcspn(h, ":/");
	if (end == h || (size_t)(end - h) >= len)
		return -1;
	snprintf(host, len, "%.*s", (int)(end - h), h);
	*port = 389;
	if (*end == ':')
		*port = (unsigned)strtoul(end + 1, NULL, 10);
	return *port > 0 && *port < 65536 ? 0 : -1;
}

/* A TCP connection to addr:port within timeout_ms; the socket or -1 (errno set). */
static int connect_to(const char *addr, unsigned port, long timeout_ms)
{
	struct addrinfo hints, *ai = NULL;
	char svc[16];
	int fd = -1, err = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	snprintf(svc, sizeof(svc), "%u", port);
	if (getaddrinfo(addr, svc, &hints, &ai) != 0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		struct pollfd pfd = {fd, POLLOUT, 0};
		socklen_t el = sizeof(err);

		if (errno != EINPROGRESS)
			err = errno;
		else if (poll(&pfd, 1, (int)timeout_ms) != 1)
			err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
			err = errno;
		if (err != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	else
		errno = err;
	return fd;
}

/* Cyrus SASL asks nothing of a GSSAPI bind but a default authorization id (none). */
static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *it = in;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (; it != NULL && it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult != NULL ? it->defresult : "";
		it->len = (unsigned)strlen(it->result);
	}
	return LDAP_SUCCESS;
}

static LDAP *open_ldap(const struct probe_ldap_opts *o, struct probe_ldap_audit *out)
{
	LDAP *ld = NULL;
	char host[256];
	unsigned port;
	const char *addr;
	char abuf[64];
	int v3 = LDAP_VERSION3, rc;
	struct timeval tv = {o->timeout_ms / 1000, (o->timeout_ms % 1000) * 1000};

	addr = uri_host_port(out->uri, host, sizeof(host), &port) == 0 ?
		       probe_resolve_lookup(o->resolve, host, port, abuf, sizeof(abuf)) : NULL;
	if (addr != NULL) {
		/* --resolve: connect to the mapped address, keep the name for the ldap/ SPN */
		int fd = connect_to(addr, port, o->timeout_ms);

		if (fd < 0) {
			failed(out, PROBE_LDAP_STEP_CONNECT, "%.64s port %u: %s", addr, port,
			       strerror(errno));
			return NULL;
		}
		rc = ldap_init_fd(fd, LDAP_PROTO_TCP, out->uri, &ld);
		if (rc != LDAP_SUCCESS) {
			close(fd);
			failed(out, PROBE_LDAP_STEP_CONNECT, "%s", ldap_err2string(rc));
			return NULL;
		}
	} else if ((rc = ldap_initialize(&ld, out->uri)) != LDAP_SUCCESS) {
		failed(out, PROBE_LDAP_STEP_CONNECT, "%s", ldap_err2string(rc));
		return NULL;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	/* the SASL service name is ldap/<the URI's host>, as written: no reverse lookup */
	ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
	return ld;
}

static int bind_gssapi(LDAP *ld, struct probe_cred *cred, struct probe_ldap_audit *out)
{
	void *gcred = probe_cred_krb5_handle(cred);
	char *diag = NULL;
	int rc;

	if (gcred == NULL) {
		const struct probe_gss_error *e = probe_cred_krb5_error(cred);

		failed(out, PROBE_LDAP_STEP_BIND, "no Kerberos ticket to bind with%s%.200s",
		       e != NULL && e->text[0] != '\0' ? ": " : " (kinit first)",
		       e != NULL ? e->text : "");
		return -1;
	}
	ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, gcred);
	rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					  interact, NULL);
	if (rc == LDAP_SUCCESS)
		return 0;
	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	failed(out, rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ?
			    PROBE_LDAP_STEP_CONNECT : PROBE_LDAP_STEP_BIND,
	       "%s", ldap_err2string(rc));
	if (diag != NULL && diag[0] != '\0') {
		size_t used = strlen(out->error);

		snprintf(out->error + used, sizeof(out->error) - used, " (%.200s)", diag);
	}
	ldap_memfree(diag);
	return -1;
}

static void search_failed(LDAP *ld, int rc, struct probe_ldap_audit *out, const char *what)
{
	char *diag = NULL;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(out->error, sizeof(out->error), "%.100s: %s%s%.100s%s", what, ldap_err2string(rc),
		 diag != NULL && diag[0] != '\0' ? " (" : "", diag != NULL ? diag : "",
		 diag != NULL && diag[0] != '\0' ? ")" : "");
	out->failed = PROBE_LDAP_STEP_SEARCH;
	ldap_memfree(diag);
}

static int default_base(LDAP *ld, struct probe_ldap_audit *out)
{
	char *attrs[] = {"defaultNamingContext", NULL};
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	int rc;

	rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
			       NULL, 1, &res);
	if (rc != LDAP_SUCCESS) {
		search_failed(ld, rc, out, "rootDSE");
		ldap_msgfree(res);
		return -1;
	}
	e = ldap_first_entry(ld, res);
	v = e != NULL ? ldap_get_values_len(ld, e, "defaultNamingContext") : NULL;
	if (v != NULL && v[0] != NULL)
		snprintf(out->base, sizeof(out->base), "%.*s", (int)v[0]->bv_len, v[0]->bv_val);
	ldap_value_free_len(v);
	ldap_msgfree(res);
	if (out->base[0] == '\0') {
		snprintf(out->error, sizeof(out->error), "rootDSE: no defaultNamingContext (not "
			 "an Active Directory domain controller?)");
		out->failed = PROBE_LDAP_STEP_SEARCH;
		return -1;
	}
	return 0;
}

/* RFC 4515 §3: the SPN as an assertion value. */
static void filter_escape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 4 < len; s++) {
		if (*s == '*' || *s == '(' || *s == ')' || *s == '\\')
			n += (size_t)snprintf(out + n, len - n, "\\%02x", (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

static int64_t number_attr(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int64_t n = -1;

	if (v != NULL && v[0] != NULL && v[0]->bv_len > 0 && v[0]->bv_len < 24) {
		char buf[24];

		memcpy(buf, v[0]->bv_val, v[0]->bv_len);
		buf[v[0]->bv_len] = '\0';
		/* AD writes userAccountControl as a signed 32-bit integer */
		n = strtoll(buf, NULL, 10) & 0xffffffffLL;
	}
	ldap_value_free_len(v);
	return n;
}

static void text_attr(LDAP *ld, LDAPMessage *e, const char *attr, char *out, size_t len,
		      size_t *count)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%.*s",
						 i > 0 ? ", " : "", (int)v[i]->bv_len,
						 v[i]->bv_val);
		if (count != NULL)
			(*count)++;
	}
	ldap_value_free_len(v);
}

static void holder(LDAP *ld, LDAPMessage *e, struct probe_ldap_account *a)
{
	char *dn = ldap_get_dn(ld, e);

	memset(a, 0, sizeof(*a));
	snprintf(a->dn, sizeof(a->dn), "%s", dn != NULL ? dn : "");
	ldap_memfree(dn);
	text_attr(ld, e, "sAMAccountName", a->sam, sizeof(a->sam), NULL);
	a->uac = number_attr(ld, e, "userAccountControl");
	a->enctypes = number_attr(ld, e, "msDS-SupportedEncryptionTypes");
	a->kvno = number_attr(ld, e, "msDS-KeyVersionNumber");
	text_attr(ld, e, "msDS-AllowedToDelegateTo", a->deleg_to, sizeof(a->deleg_to),
		  &a->ndeleg_to);
}

/* setspn -Q SPN: every account holding it, in pages, at most PROBE_LDAP_MAX_ENTRIES. */
static int by_sam(const void *a, const void *b)
{
	return strcasecmp(((const struct probe_ldap_account *)a)->sam,
			  ((const struct probe_ldap_account *)b)->sam);
}

static int holders_of(LDAP *ld, const char *spn, struct probe_ldap_spn *s,
		      struct probe_ldap_audit *out)
{
	char *attrs[] = {"sAMAccountName", "userAccountControl", "msDS-SupportedEncryptionTypes",
			 "msDS-KeyVersionNumber", "msDS-AllowedToDelegateTo", NULL};
	char esc[700], filter[760];
	struct berval *cookie = NULL;
	int rc = LDAP_SUCCESS;

	memset(s, 0, sizeof(*s));
	snprintf(s->spn, sizeof(s->spn), "%s", spn);
	filter_escape(spn, esc, sizeof(esc));
	snprintf(filter, sizeof(filter), "(servicePrincipalName=%s)", esc);
	do {
		LDAPControl *page = NULL, *sctrls[2] = {NULL, NULL}, **rctrls = NULL;
		LDAPMessage *res = NULL;
		int err = 0;

		rc = ldap_create_page_control(ld, PROBE_LDAP_PAGE, cookie, 0, &page);
		if (rc != LDAP_SUCCESS)
			break;
		sctrls[0] = page;
		rc = ldap_search_ext_s(ld, out->base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, sctrls,
				       NULL, NULL, PROBE_LDAP_MAX_ENTRIES, &res);
		ldap_control_free(page);
		if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
			ldap_msgfree(res);
			break;
		}
		if (rc == LDAP_SIZELIMIT_EXCEEDED)
			s->truncated = true;
		for (LDAPMessage *e = ldap_first_entry(ld, res); e != NULL;
		     e = ldap_next_entry(ld, e)) {
			if (s->total >= PROBE_LDAP_MAX_ENTRIES) {
				s->truncated = true;
				break;
			}
			if (s->nholders < PROBE_LDAP_MAX_HOLDERS)
				holder(ld, e, &s->holders[s->nholders++]);
			s->total++;
		}
		ber_bvfree(cookie);
		cookie = NULL;
		rc = ldap_parse_result(ld, res, &err, NULL, NULL, NULL, &rctrls, 0);
		if (rc == LDAP_SUCCESS && rctrls != NULL) {
			LDAPControl *pc;
			ber_int_t estimate = 0;
			struct berval c = {0, NULL};

			pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
			if (pc != NULL && ldap_parse_pageresponse_control(ld, pc, &estimate, &c) ==
						  LDAP_SUCCESS) {
				if (c.bv_len > 0 && !s->truncated)
					cookie = ber_bvdup(&c);
				ber_memfree(c.bv_val);
			}
		}
		ldap_controls_free(rctrls);
		ldap_msgfree(res);
		rc = LDAP_SUCCESS;
	} while (cookie != NULL);
	ber_bvfree(cookie);
	if (rc != LDAP_SUCCESS) {
		search_failed(ld, rc, out, spn);
		return -1;
	}
	/* the directory returns entries in no set order: name holders as setspn does, sorted,
	 * so a report says the same each time */
	qsort(s->holders, s->nholders, sizeof(s->holders[0]), by_sam);
	return 0;
}

/* --server-keytab: the asked SPN's highest kvno, and the accounts (one-component names,
 * as ktpass, msktutil and adcli write them) whose keys the keytab holds.  Keys are never
 * read into anything here; krb5_kt_free_entry wipes them. */
static void keytab_facts(const char *path, const char *spn, struct probe_ldap_audit *out)
{
	krb5_context ctx = NULL;
	krb5_keytab kt = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_error_code ret;
	char name[600];

	out->keytab_kvno = -1;
	snprintf(out->keytab, sizeof(out->keytab), "%s", path);
	snprintf(name, sizeof(name), "%s%s", strchr(path, ':') != NULL ? "" : "FILE:", path);
	if ((ret = krb5_init_context(&ctx)) != 0) {
		snprintf(out->keytab_error, sizeof(out->keytab_error), "krb5_init_context failed");
		return;
	}
	if ((ret = krb5_kt_resolve(ctx, name, &kt)) != 0 ||
	    (ret = krb5_kt_start_seq_get(ctx, kt, &cur)) != 0) {
		const char *m = krb5_get_error_message(ctx, ret);

		snprintf(out->keytab_error, sizeof(out->keytab_error), "%s: %s", path, m);
		krb5_free_error_message(ctx, m);
		if (kt != NULL)
			krb5_kt_close(ctx, kt);
		krb5_free_context(ctx);
		return;
	}
	while (krb5_kt_next_entry(ctx, kt, &ent, &cur) == 0) {
		char *p = NULL;

		if (krb5_unparse_name_flags(ctx, ent.principal, KRB5_PRINCIPAL_UNPARSE_NO_REALM,
					    &p) == 0) {
			size_t used = strlen(out->keytab_accounts);

			if (strcasecmp(p, spn) == 0 && (int64_t)ent.vno > out->keytab_kvno)
				out->keytab_kvno = ent.vno;
			if (strchr(p, '/') == NULL && strstr(out->keytab_accounts, p) == NULL)
				snprintf(out->keytab_accounts + used,
					 sizeof(out->keytab_accounts) - used, "%s%s",
					 used > 0 ? ", " : "", p);
			krb5_free_unparsed_name(ctx, p);
		}
		krb5_kt_free_entry(ctx, &ent);
	}
	krb5_kt_end_seq_get(ctx, kt, &cur);
	krb5_kt_close(ctx, kt);
	krb5_free_context(ctx);
}

void probe_ldap_audit_run(const struct probe_ldap_opts *o, struct probe_cred *cred,
			  const char *realm, const char (*spns)[300], size_t nspns,
			  const char *asked, struct probe_ldap_audit *out)
{
	LDAP *ld;

	memset(out, 0, sizeof(*out));
	out->ran = true;
	out->keytab_kvno = -1;
	snprintf(out->realm, sizeof(out->realm), "%s", realm != NULL ? realm : "");
	if (o->keytab != NULL)
		keytab_facts(o->keytab, asked, out);
	if (o->uri == NULL || strcmp(o->uri, "auto") == 0)
		locate(realm, out);
	else
		snprintf(out->uri, sizeof(out->uri), "%s", o->uri);
	if (out->failed != PROBE_LDAP_STEP_NONE)
		return;
	ld = open_ldap(o, out);
	if (ld == NULL)
		return;
	if (bind_gssapi(ld, cred, out) == 0 && default_base(ld, out) == 0) {
		for (size_t i = 0; i < nspns && i < PROBE_LDAP_MAX_FORMS; i++)
			if (holders_of(ld, spns[i], &out->spns[out->nspns++], out) != 0)
				break;
		if (out->failed == PROBE_LDAP_STEP_NONE && o->backend_spn != NULL &&
		    holders_of(ld, o->backend_spn, &out->backend, out) == 0)
			out->have_backend = true;
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
}

void probe_ldap_audit_fact(const struct probe_ldap_audit *l, struct cap_probe_fact *f)
{
	snprintf(f->realm, sizeof(f->realm), "%s", l->realm);
	snprintf(f->ldap_uri, sizeof(f->ldap_uri), "%s", l->uri);
	if (l->failed != PROBE_LDAP_STEP_NONE)
		snprintf(f->ldap_step, sizeof(f->ldap_step), "%s", probe_ldap_step_name(l->failed));
	snprintf(f->ldap_error, sizeof(f->ldap_error), "%s", l->error);
	for (size_t i = 0; i < l->nspns && f->ndir < CAP_PROBE_SPN_FORMS; i++) {
		const struct probe_ldap_spn *s = &l->spns[i];
		struct cap_probe_dir_spn *d = &f->dir[f->ndir++];

		snprintf(d->spn, sizeof(d->spn), "%.255s", s->spn);
		d->total = s->total;
		for (size_t k = 0; k < s->nholders && k < CAP_PROBE_DIR_HOLDERS; k++) {
			snprintf(d->accounts[k], sizeof(d->accounts[k]), "%s", s->holders[k].sam);
			snprintf(d->dns[k], sizeof(d->dns[k]), "%s", s->holders[k].dn);
		}
		if (strcasecmp(s->spn, f->spn) == 0 && s->nholders > 0) {
			const struct probe_ldap_account *a = &s->holders[0];

			f->have_holder = true;
			snprintf(f->holder.sam, sizeof(f->holder.sam), "%s", a->sam);
			snprintf(f->holder.dn, sizeof(f->holder.dn), "%s", a->dn);
			f->holder.uac = a->uac;
			f->holder.enctypes = a->enctypes;
			f->holder.kvno = a->kvno;
			snprintf(f->holder.deleg_to, sizeof(f->holder.deleg_to), "%s", a->deleg_to);
		}
	}
	if (l->have_backend) {
		snprintf(f->backend_spn, sizeof(f->backend_spn), "%.255s", l->backend.spn);
		f->backend_holders = l->backend.total;
	}
	snprintf(f->keytab, sizeof(f->keytab), "%s", l->keytab);
	snprintf(f->keytab_error, sizeof(f->keytab_error), "%s", l->keytab_error);
	f->keytab_kvno = l->keytab_kvno;
	snprintf(f->keytab_accounts, sizeof(f->keytab_accounts), "%s", l->keytab_accounts);
}
