/* test_rules.c - the analysis rules over hand-built facts (no bytes, no decoders):
 * each test plays a handshake as the pipeline would deliver it and checks the findings
 * (ids, severities, frames and evidence) that come out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "findings/engine.h"
#include "negscope/analysis.h"
#include "negscope/report.h"

#define SET(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static struct cap_endpoint ep(uint8_t last, uint16_t port)
{
	struct cap_endpoint e;

	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.addr[0] = 10;
	e.addr[3] = last;
	e.port = port;
	return e;
}

#define CLIENT 5
#define WEB 80
#define KDC 88

struct play {
	struct cap_analysis *a;
	double ts;
	uint64_t frame;
	uint16_t web_port;
	uint16_t client_port;
};

static void play_init(struct play *p, uint16_t web_port)
{
	memset(p, 0, sizeof(*p));
	p->a = cap_analysis_new(NULL);
	assert_non_null(p->a);
	p->ts = 1000.0;
	p->web_port = web_port;
	p->client_port = 50000;
}

static uint64_t next_frame(struct play *p, double dt)
{
	p->ts += dt;
	return ++p->frame;
}

static uint64_t request(struct play *p, uint32_t stream, const struct cap_auth_fact *auth)
{
	struct cap_http_fact f;

	cap_http_fact_init(&f);
	f.frame = next_frame(p, 0.01);
	f.first_frame = f.frame;
	f.ts = p->ts;
	f.stream = stream;
	f.client = ep(CLIENT, (uint16_t)(p->client_port + stream));
	f.server = ep(WEB, p->web_port);
	f.is_request = true;
	f.version_minor = 1;
	SET(f.method, "GET");
	SET(f.target, "/crm/");
	snprintf(f.host, sizeof(f.host), "crm.example.test%s",
		 p->web_port == 80 ? "" : (p->web_port == 5555 ? ":5555" : ":8080"));
	if (auth != NULL) {
		f.has_auth = true;
		f.auth = *auth;
	}
	cap_analysis_http(p->a, &f);
	return f.frame;
}

static uint64_t response(struct play *p, uint32_t stream, int status, uint32_t offered,
			 const struct cap_auth_fact *tok, enum cap_http_close close)
{
	struct cap_http_fact f;

	cap_http_fact_init(&f);
	f.frame = next_frame(p, 0.01);
	f.first_frame = f.frame;
	f.ts = p->ts;
	f.stream = stream;
	f.client = ep(CLIENT, (uint16_t)(p->client_port + stream));
	f.server = ep(WEB, p->web_port);
	f.is_request = false;
	f.version_minor = 1;
	f.status = status;
	SET(f.reason, status == 200 ? "OK" : "Unauthorized");
	f.offered = offered;
	f.close = close;
	if (tok != NULL) {
		f.has_auth = true;
		f.auth = *tok;
	}
	cap_analysis_http(p->a, &f);
	return f.frame;
}

static uint64_t conn(struct play *p, uint32_t stream, enum cap_conn_kind kind, bool from_server,
		     double dt)
{
	struct cap_conn_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.frame = next_frame(p, dt);
	e.ts = p->ts;
	e.stream = stream;
	e.client = ep(CLIENT, (uint16_t)(p->client_port + stream));
	e.server = ep(WEB, p->web_port);
	e.from_server = from_server;
	e.is_http = true;
	cap_analysis_conn(p->a, &e);
	return e.frame;
}

static struct cap_krb_fact krb_base(struct play *p, int msg, bool from_server)
{
	struct cap_krb_fact k;

	cap_krb_fact_init(&k);
	k.frame = next_frame(p, 0.005);
	k.ts = p->ts;
	k.transport = CAP_TRANSPORT_UDP;
	k.stream = 7;
	k.client = ep(CLIENT, 40000);
	k.server = ep(KDC, 88);
	k.from_server = from_server;
	k.decoded = true;
	k.msg_type = msg;
	SET(k.realm, "EXAMPLE.TEST");
	return k;
}

static uint64_t tgs_req(struct play *p, const char *sname, bool s4u2proxy)
{
	struct cap_krb_fact k = krb_base(p, CAP_KRB_TGS_REQ, false);

	snprintf(k.sname, sizeof(k.sname), "%s", sname);
	if (s4u2proxy) {
		k.opt_cname_in_addl_tkt = true;
		k.n_additional_tickets = 1;
	}
	cap_analysis_krb(p->a, &k);
	return k.frame;
}

static uint64_t krb_error(struct play *p, int code, const char *name, const char *sname)
{
	struct cap_krb_fact k = krb_base(p, CAP_KRB_ERROR, true);

	k.error_code = code;
	snprintf(k.error_name, sizeof(k.error_name), "%s", name);
	snprintf(k.sname, sizeof(k.sname), "%s", sname);
	cap_analysis_krb(p->a, &k);
	return k.frame;
}

static uint64_t tgs_rep(struct play *p, const char *sname)
{
	struct cap_krb_fact k = krb_base(p, CAP_KRB_TGS_REP, true);

	snprintf(k.sname, sizeof(k.sname), "%s", sname);
	k.ticket_kvno = 3;
	k.ticket_etype = 18;
	cap_analysis_krb(p->a, &k);
	return k.frame;
}

static struct cap_auth_fact apreq(void)
{
	struct cap_auth_fact t;

	cap_auth_fact_init(&t);
	t.scheme = CAP_AUTH_NEGOTIATE;
	t.value_len = 1800;
	t.kind = CAP_TOKEN_KRB_AP_REQ;
	t.spnego = true;
	SET(t.sname, "HTTP/crm.example.test");
	SET(t.realm, "EXAMPLE.TEST");
	t.kvno = 3;
	t.etype = 18;
	t.mutual_required = true;
	t.spnego_init = true;
	t.wrap = CAP_WRAP_SPNEGO;
	t.mech = CAP_TMECH_KERBEROS;
	return t;
}

static struct cap_auth_fact ntlm(int type, bool in_negotiate, bool spnego)
{
	struct cap_auth_fact t;

	cap_auth_fact_init(&t);
	t.scheme = in_negotiate ? CAP_AUTH_NEGOTIATE : CAP_AUTH_NTLM;
	t.value_len = 80;
	t.kind = CAP_TOKEN_NTLM;
	t.ntlm_type = type;
	t.spnego = spnego;
	if (spnego)
		t.neg_state = type == 2 ? 1 : -1;
	return t;
}

static struct cap_auth_fact server_tok(enum cap_token_kind kind, int code, const char *name)
{
	struct cap_auth_fact t;

	cap_auth_fact_init(&t);
	t.scheme = CAP_AUTH_NEGOTIATE;
	t.value_len = 200;
	t.kind = kind;
	t.spnego = true;
	t.neg_state = kind == CAP_TOKEN_KRB_AP_REP ? 0 : 2;
	t.error_code = code;
	if (name != NULL)
		SET(t.error_name, name);
	return t;
}

#define NEG_NTLM (CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) | CAP_AUTH_BIT(CAP_AUTH_NTLM))

static const struct cap_finding *find(const struct cap_analysis *a, enum cap_finding_id id)
{
	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		if (cap_analysis_finding(a, i)->id == id)
			return cap_analysis_finding(a, i);
	return NULL;
}

static size_t count_sev(const struct cap_analysis *a, enum cap_severity s)
{
	size_t n = 0;

	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		n += cap_analysis_finding(a, i)->severity == s;
	return n;
}

static bool has_frame(const struct cap_finding *f, uint64_t frame)
{
	for (size_t i = 0; i < f->nframes; i++)
		if (f->frames[i] == frame)
			return true;
	return false;
}

static int64_t ev_num(const struct cap_finding *f, const char *key)
{
	const struct cap_evidence *e = cap_finding_get(f, key);

	assert_non_null(e);
	assert_true(e->is_num);
	return e->num;
}

static bool advice_mentions(const struct cap_finding *f, const char *needle)
{
	char line[CAP_FINDING_TEXT_MAX];

	for (size_t i = 0; i < cap_finding_nadvice(f); i++) {
		cap_finding_advice_text(f, i, line, sizeof(line));
		if (strstr(line, needle) != NULL)
			return true;
	}
	return false;
}

/* Does the rendered detail sentence say needle? */
static bool detail_says(const struct cap_finding *f, const char *needle)
{
	char text[CAP_FINDING_TEXT_MAX];

	cap_finding_detail_text(f, text, sizeof(text));
	return strstr(text, needle) != NULL;
}

static void test_kerberos_ok(void **state)
{
	struct play p;
	struct cap_auth_fact t = apreq(), rep = server_tok(CAP_TOKEN_KRB_AP_REP, -1, NULL);
	uint64_t r2, ok;
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	tgs_req(&p, "HTTP/crm.example.test", false);
	tgs_rep(&p, "HTTP/crm.example.test");
	r2 = request(&p, 0, &t);
	ok = response(&p, 0, 200, 0, &rep, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KERBEROS_OK);
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_INFO);
	assert_true(has_frame(f, r2) && has_frame(f, ok));
	assert_string_equal(cap_finding_get_str(f, "spn"), "HTTP/crm.example.test");
	assert_int_equal(ev_num(f, "kvno"), 3);
	assert_string_equal(cap_finding_get_str(f, "mutual_auth"), "ap-rep");
	assert_int_equal(count_sev(p.a, CAP_SEV_ERROR) + count_sev(p.a, CAP_SEV_WARNING), 0);
	assert_int_equal(cap_analysis_max_severity(p.a), CAP_SEV_INFO);
	/* One conversation; the KDC legs joined it, in frame order. */
	assert_int_equal(cap_analysis_nconversations(p.a), 1);
	{
		const struct cap_conversation *c = cap_analysis_conversation(p.a, 0);

		assert_int_equal(c->nsteps, 6);
		assert_int_equal(c->steps[2].dir, CAP_STEP_TO_KDC);
		assert_int_equal(c->steps[2].kind, CAP_STEP_KDC_REQUEST);
		assert_int_equal(c->steps[0].kind, CAP_STEP_HTTP_REQUEST);
		assert_int_equal(c->steps[1].kind, CAP_STEP_HTTP_RESPONSE);
		assert_int_equal(c->steps[1].status, 401);
		for (size_t i = 1; i < c->nsteps; i++)
			assert_true(c->steps[i - 1].frame < c->steps[i].frame);
	}
	cap_analysis_free(p.a);
}

static void test_mutual_missing(void **state)
{
	struct play p;
	struct cap_auth_fact t = apreq();

	(void)state;
	play_init(&p, 80);
	request(&p, 0, &t);
	response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_non_null(find(p.a, CAP_F_KERBEROS_OK));
	assert_non_null(find(p.a, CAP_F_MUTUAL_AUTH_MISSING));
	assert_int_equal(cap_analysis_max_severity(p.a), CAP_SEV_INFO);
	cap_analysis_free(p.a);
}

static void test_ntlm_fallback_after_spn_unknown(void **state)
{
	struct play p;
	struct cap_auth_fact n1 = ntlm(1, true, false), n2 = ntlm(2, true, false),
			     n3 = ntlm(3, true, false);
	uint64_t err, fb;
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	tgs_req(&p, "HTTP/crm.example.test", false);
	err = krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/crm.example.test");
	fb = request(&p, 0, &n1);
	response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n3);
	response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);

	f = find(p.a, CAP_F_NTLM_FALLBACK);
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_WARNING);
	assert_true(has_frame(f, fb) && has_frame(f, err));
	assert_string_equal(cap_finding_get_str(f, "wrapping"), "raw");
	assert_int_equal(ev_num(f, "kdc_error_code"), 7);
	f = find(p.a, CAP_F_SPN_UNKNOWN);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "spn"), "HTTP/crm.example.test");
	assert_string_equal(cap_finding_get_str(f, "spn_forms"), "HTTP/crm.example.test, HTTP/crm");
	assert_non_null(find(p.a, CAP_F_NTLM_OK));
	/* The NTLM CHALLENGE 401 is a continuation, not a rejection. */
	assert_null(find(p.a, CAP_F_AUTH_LOOP));
	assert_null(find(p.a, CAP_F_KEEPALIVE_MISSING));
	/* Most severe first. */
	assert_int_equal(cap_analysis_finding(p.a, 0)->id, CAP_F_SPN_UNKNOWN);
	cap_analysis_free(p.a);
}

static void test_ntlm_in_spnego_and_ntlm_scheme(void **state)
{
	struct play p;
	struct cap_auth_fact n1 = ntlm(1, true, true), s1 = ntlm(1, false, false);
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n1);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_NTLM_FALLBACK);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "wrapping"), "spnego");
	cap_analysis_free(p.a);

	/* The NTLM scheme chosen although Negotiate was offered. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &s1);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_NTLM_FALLBACK);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "scheme"), "NTLM");
	assert_null(find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED));
	cap_analysis_free(p.a);
}

static void test_spn_unknown_port_advice(void **state)
{
	struct play p;
	const struct cap_finding *f;

	(void)state;
	/* The client put the port in the SPN. */
	play_init(&p, 5555);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	tgs_req(&p, "HTTP/crm.example.test:5555", false);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/crm.example.test:5555");
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_SPN_UNKNOWN);
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_ERROR);
	assert_int_equal(ev_num(f, "spn_port"), 5555);
	assert_int_equal(ev_num(f, "error_code"), 7);
	assert_string_equal(cap_finding_get_str(f, "error_name"), "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_true(advice_mentions(f, "with a port"));
	assert_true(advice_mentions(f, "setspn -S HTTP/crm.example.test "));
	assert_true(advice_mentions(f, "setspn -S HTTP/crm "));
	assert_true(advice_mentions(f, "setspn -Q HTTP/crm.example.test"));
	/* No credentials followed the offer, but the KDC error already says why. */
	assert_null(find(p.a, CAP_F_NEGOTIATE_UNANSWERED));
	cap_analysis_free(p.a);

	/* Site on 5555, client asked without the port (as browsers do). */
	play_init(&p, 5555);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	tgs_req(&p, "HTTP/crm.example.test", false);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/crm.example.test");
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_SPN_UNKNOWN);
	assert_non_null(f);
	assert_int_equal(ev_num(f, "site_port"), 5555);
	assert_null(cap_finding_get(f, "spn_port"));
	assert_true(advice_mentions(f, "without a port"));
	cap_analysis_free(p.a);
}

static void test_negotiate_not_offered(void **state)
{
	struct play p;
	const struct cap_finding *f;
	uint64_t fr;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, NULL);
	fr = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED);
	assert_non_null(f);
	assert_true(has_frame(f, fr));
	assert_string_equal(cap_finding_get_str(f, "offered"), "NTLM");
	assert_null(find(p.a, CAP_F_NEGOTIATE_UNANSWERED));
	cap_analysis_free(p.a);

	/* Negotiate offered, and nothing came back: no KDC traffic explains it. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	fr = response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_NEGOTIATE_UNANSWERED);
	assert_non_null(f);
	assert_true(has_frame(f, fr));
	assert_int_equal(f->severity, CAP_SEV_WARNING);
	cap_analysis_free(p.a);
}

/* A plain fresh offer answering the final NTLM AUTHENTICATE (raw or inside Negotiate) is
 * the rejection of that handshake: ntlm-rejected on it, and its offer (NTLM only) is no
 * negotiate-not-offered when the first challenge offered Negotiate (issue 16 defect 5). */
static void test_ntlm_rejected_by_fresh_offer(void **state)
{
	struct cap_auth_fact n1 = ntlm(1, true, true), n2 = ntlm(2, true, true);
	struct cap_auth_fact n3 = ntlm(3, true, true), r1 = ntlm(1, false, false);
	struct cap_auth_fact r2 = ntlm(2, false, false), r3 = ntlm(3, false, false);
	const struct cap_finding *f;
	struct play p;
	uint64_t fr;

	(void)state;
	SET(n3.user, "CORP\\alice");
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n1);
	response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n3);
	fr = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_NTLM_REJECTED);
	assert_non_null(f);
	assert_true(has_frame(f, fr));
	assert_string_equal(cap_finding_get_str(f, "user"), "CORP\\alice");
	assert_null(find(p.a, CAP_F_NTLM_OK));
	assert_null(find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED));
	cap_analysis_free(p.a);

	/* Raw NTLM: the first challenge's own offer is the one negotiate-not-offered names. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	fr = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &r1);
	response(&p, 0, 401, 0, &r2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &r3);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_non_null(find(p.a, CAP_F_NTLM_REJECTED));
	f = find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED);
	assert_non_null(f);
	assert_int_equal(f->nframes, 1);
	assert_true(has_frame(f, fr));
	cap_analysis_free(p.a);
}

static void test_keepalive(void **state)
{
	struct play p;
	struct cap_auth_fact t = apreq();
	const struct cap_finding *f;
	uint64_t chal, fin;

	(void)state;
	/* Connection: close on the 401. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	chal = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_HEADER);
	conn(&p, 0, CAP_CONN_FIN, true, 0.0001);
	request(&p, 1, &t);
	response(&p, 1, 200, 0, NULL, CAP_HTTP_CLOSE_HEADER);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KEEPALIVE_MISSING);
	assert_non_null(f);
	assert_true(has_frame(f, chal));
	assert_string_equal(cap_finding_get_str(f, "closed_by"), "Connection: close");
	assert_int_equal(cap_analysis_conversation(p.a, 0)->nstreams, 2);
	cap_analysis_free(p.a);

	/* A FIN from the server right after the 401, no header. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	chal = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	fin = conn(&p, 0, CAP_CONN_FIN, true, 0.001);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KEEPALIVE_MISSING);
	assert_non_null(f);
	assert_true(has_frame(f, chal) && has_frame(f, fin));
	assert_string_equal(cap_finding_get_str(f, "closed_by"), "FIN");
	cap_analysis_free(p.a);

	/* An idle timeout long after the 401 is not the keep-alive policy. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	conn(&p, 0, CAP_CONN_FIN, true, 5.0);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_KEEPALIVE_MISSING));
	cap_analysis_free(p.a);

	/* The client closing first is the client's choice. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	conn(&p, 0, CAP_CONN_FIN, false, 0.001);
	conn(&p, 0, CAP_CONN_FIN, true, 0.001);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_KEEPALIVE_MISSING));
	cap_analysis_free(p.a);
}

static void test_ntlm_across_connections(void **state)
{
	struct play p;
	struct cap_auth_fact n1 = ntlm(1, false, false), n2 = ntlm(2, false, false),
			     n3 = ntlm(3, false, false);
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, &n1);
	response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 1, &n3);
	response(&p, 1, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KEEPALIVE_MISSING);
	assert_non_null(f);
	assert_int_equal(ev_num(f, "next_stream"), 1);
	/* The 401 to that AUTHENTICATE is the symptom: folded into keepalive-missing (its
	 * frame and a line of detail), never ntlm-rejected with password advice. */
	assert_true(has_frame(f, p.frame));
	assert_true(detail_says(f, "answered that AUTHENTICATE with 401"));
	assert_null(find(p.a, CAP_F_NTLM_REJECTED));
	cap_analysis_free(p.a);

	/* On one connection, a 401 to the AUTHENTICATE is a rejection. */
	play_init(&p, 80);
	request(&p, 0, &n1);
	response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n3);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_non_null(find(p.a, CAP_F_NTLM_REJECTED));
	assert_null(find(p.a, CAP_F_KEEPALIVE_MISSING));
	cap_analysis_free(p.a);
}

static size_t count_id(const struct cap_analysis *a, enum cap_finding_id id)
{
	size_t n = 0;

	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		n += cap_analysis_finding(a, i)->id == id;
	return n;
}

static const struct cap_finding *find_str(const struct cap_analysis *a, enum cap_finding_id id,
					  const char *key, const char *val)
{
	for (size_t i = 0; i < cap_analysis_nfindings(a); i++) {
		const struct cap_finding *f = cap_analysis_finding(a, i);

		if (f->id == id && strcmp(cap_finding_get_str(f, key), val) == 0)
			return f;
	}
	return NULL;
}

/* An AS-REQ as AD and MIT clients send it: the user's name in cname, krbtgt in sname. */
static uint64_t as_req(struct play *p, const char *cname)
{
	struct cap_krb_fact k = krb_base(p, CAP_KRB_AS_REQ, false);

	SET(k.sname, "krbtgt/EXAMPLE.TEST");
	k.sname_type = 2;
	k.sname_ncomp = 2;
	SET(k.cname, cname);
	k.cname_type = 1;
	cap_analysis_krb(p->a, &k);
	return k.frame;
}

/* AS-REQ errors concern the user's own logon (client-logon-failed), named from the
 * request when the error leaves the name out (AD); MIT's 31 PREAUTH_FAILED is a wrong
 * password, never krb-ap-err-modified; each user keeps a record of their own. */
static void test_client_logon_failed(void **state)
{
	struct play p;
	const struct cap_finding *f;
	struct cap_krb_fact k;
	uint64_t rq;

	(void)state;
	play_init(&p, 80);
	rq = as_req(&p, "alice");
	krb_error(&p, 24, "KDC_ERR_PREAUTH_FAILED", "krbtgt/EXAMPLE.TEST");
	as_req(&p, "bob");
	krb_error(&p, 24, "KDC_ERR_PREAUTH_FAILED", "krbtgt/EXAMPLE.TEST");
	as_req(&p, "ALICE"); /* AD names are case-insensitive: the same record */
	krb_error(&p, 24, "KDC_ERR_PREAUTH_FAILED", "krbtgt/EXAMPLE.TEST");
	cap_analysis_finish(p.a, NULL);
	assert_int_equal(count_id(p.a, CAP_F_CLIENT_LOGON_FAILED), 2);
	f = find_str(p.a, CAP_F_CLIENT_LOGON_FAILED, "user", "alice");
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_ERROR);
	assert_int_equal(f->count, 2);
	assert_true(has_frame(f, rq) && has_frame(f, rq + 1));
	assert_string_equal(cap_finding_get_str(f, "realm"), "EXAMPLE.TEST");
	assert_string_equal(cap_finding_get_str(f, "logon_failure"), "wrong-password");
	assert_int_equal(ev_num(f, "error_code"), 24);
	assert_true(detail_says(f, "prompts again and again"));
	f = find_str(p.a, CAP_F_CLIENT_LOGON_FAILED, "user", "bob");
	assert_non_null(f);
	assert_int_equal(f->count, 1);
	assert_null(find(p.a, CAP_F_KDC_ERROR));
	cap_analysis_free(p.a);

	/* MIT: 31 with e-text PREAUTH_FAILED answering an AS-REQ. */
	play_init(&p, 80);
	as_req(&p, "carol");
	k = krb_base(&p, CAP_KRB_ERROR, true);
	k.error_code = 31;
	SET(k.error_name, "KRB_AP_ERR_BAD_INTEGRITY");
	SET(k.e_text, "PREAUTH_FAILED");
	SET(k.sname, "krbtgt/EXAMPLE.TEST");
	SET(k.cname, "carol");
	cap_analysis_krb(p.a, &k);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_CLIENT_LOGON_FAILED);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "user"), "carol");
	assert_string_equal(cap_finding_get_str(f, "logon_failure"), "wrong-password");
	assert_null(find(p.a, CAP_F_KRB_AP_ERR_MODIFIED));
	cap_analysis_free(p.a);

	/* A lockout (AD's NTSTATUS in e-data, MIT's LOCKED_OUT e-text). */
	for (int mit = 0; mit < 2; mit++) {
		play_init(&p, 80);
		as_req(&p, "dave");
		k = krb_base(&p, CAP_KRB_ERROR, true);
		k.error_code = 18;
		SET(k.error_name, "KDC_ERR_CLIENT_REVOKED");
		if (mit) {
			SET(k.e_text, "LOCKED_OUT");
		} else {
			k.has_nt_status = true;
			k.nt_status = 0xC0000234u;
		}
		cap_analysis_krb(p.a, &k);
		cap_analysis_finish(p.a, NULL);
		f = find(p.a, CAP_F_CLIENT_LOGON_FAILED);
		assert_non_null(f);
		assert_string_equal(cap_finding_get_str(f, "user"), "dave");
		assert_string_equal(cap_finding_get_str(f, "logon_failure"), "account-locked-out");
		cap_analysis_free(p.a);
	}

	/* 41 answering an AS-REQ is the KDC's own business: never krb-ap-err-modified;
	 * 25 PREAUTH_REQUIRED is the normal first round trip. */
	play_init(&p, 80);
	as_req(&p, "erin");
	krb_error(&p, 41, "KRB_AP_ERR_MODIFIED", "krbtgt/EXAMPLE.TEST");
	as_req(&p, "erin");
	krb_error(&p, 25, "KDC_ERR_PREAUTH_REQUIRED", "krbtgt/EXAMPLE.TEST");
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_KRB_AP_ERR_MODIFIED));
	assert_null(find(p.a, CAP_F_CLIENT_LOGON_FAILED));
	assert_int_equal(count_id(p.a, CAP_F_KDC_ERROR), 2);
	cap_analysis_free(p.a);
}

/* SPN advice only for service principals: a user's name in an sname (NT-MS-PRINCIPAL,
 * U2U) is no SPN; other classes than HTTP/ keep their class and get no IIS advice. */
static void test_sname_kinds(void **state)
{
	struct play p;
	const struct cap_finding *f;
	struct cap_krb_fact k;

	(void)state;
	play_init(&p, 80);
	k = krb_base(&p, CAP_KRB_TGS_REQ, false);
	SET(k.sname, "Administrator");
	k.sname_type = -128; /* NT-MS-PRINCIPAL */
	k.sname_ncomp = 1;
	cap_analysis_krb(p.a, &k);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "Administrator");
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_SPN_UNKNOWN));
	f = find(p.a, CAP_F_KDC_ERROR);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "sname"), "Administrator");
	assert_null(cap_finding_get(f, "spn"));
	assert_false(advice_mentions(f, "setspn"));
	cap_analysis_free(p.a);

	/* U2U: enc-tkt-in-skey, even with a two-component name. */
	play_init(&p, 80);
	k = krb_base(&p, CAP_KRB_TGS_REQ, false);
	SET(k.sname, "alice/admin");
	k.sname_type = 1;
	k.sname_ncomp = 2;
	k.opt_enc_tkt_in_skey = true;
	cap_analysis_krb(p.a, &k);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "");
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_SPN_UNKNOWN));
	assert_non_null(find(p.a, CAP_F_KDC_ERROR));
	cap_analysis_free(p.a);

	/* host/: an SPN, with its class kept and no site or application pool advice. */
	play_init(&p, 80);
	tgs_req(&p, "host/anything", false);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "host/anything");
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_SPN_UNKNOWN);
	assert_non_null(f);
	assert_true(advice_mentions(f, "setspn -S host/anything"));
	assert_false(advice_mentions(f, "application pool"));
	assert_false(advice_mentions(f, "HTTP/"));
	cap_analysis_free(p.a);

	assert_true(spn_is_service("MSSQLSvc/db.example.test:1433", 0, 0, false));
	assert_true(spn_is_service("x", 2, 1, false));
	assert_false(spn_is_service("alice", 1, 1, false));
	assert_false(spn_is_service("HTTP/web", 2, 2, true));
}

static uint64_t kdc_tcp(struct play *p, enum cap_conn_kind kind, bool from_server)
{
	struct cap_conn_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.frame = next_frame(p, 0.001);
	e.ts = p->ts;
	e.stream = 9;
	e.client = ep(CLIENT, 40001);
	e.server = ep(KDC, 88);
	e.from_server = from_server;
	e.is_krb = true;
	e.gap_bytes = kind == CAP_CONN_GAP ? 1460 : 0;
	cap_analysis_conn(p->a, &e);
	return e.frame;
}

/* kdc-unreachable needs a request with no reply at all: a reply whose start the capture
 * lost is kdc-reply-not-captured (info); a lone RST is nothing. */
static void test_reply_not_captured(void **state)
{
	struct play p;
	const struct cap_finding *f;
	struct cap_krb_fact k;
	uint64_t gap;

	(void)state;
	for (int lost = 0; lost < 2; lost++) {
		play_init(&p, 80);
		k = krb_base(&p, CAP_KRB_AS_REQ, false);
		k.transport = CAP_TRANSPORT_TCP;
		k.stream = 9;
		k.client = ep(CLIENT, 40001);
		SET(k.sname, "krbtgt/EXAMPLE.TEST");
		cap_analysis_krb(p.a, &k);
		gap = lost ? kdc_tcp(&p, CAP_CONN_GAP, true) : 0;
		next_frame(&p, 5.0); /* the capture goes on */
		{
			struct cap_http_fact h;

			cap_http_fact_init(&h);
			h.frame = next_frame(&p, 0.0);
			h.ts = p.ts;
			h.stream = 3;
			h.client = ep(CLIENT, 50003);
			h.server = ep(WEB, 80);
			h.is_request = true;
			cap_analysis_http(p.a, &h);
		}
		cap_analysis_finish(p.a, NULL);
		if (lost) {
			assert_null(find(p.a, CAP_F_KDC_UNREACHABLE));
			f = find(p.a, CAP_F_KDC_REPLY_NOT_CAPTURED);
			assert_non_null(f);
			assert_int_equal(f->severity, CAP_SEV_INFO);
			assert_true(has_frame(f, k.frame) && has_frame(f, gap));
		} else {
			assert_null(find(p.a, CAP_F_KDC_REPLY_NOT_CAPTURED));
			assert_non_null(find(p.a, CAP_F_KDC_UNREACHABLE));
		}
		cap_analysis_free(p.a);
	}

	/* A lone RST: no SYN, no request on the stream. */
	play_init(&p, 80);
	kdc_tcp(&p, CAP_CONN_RST, true);
	cap_analysis_finish(p.a, NULL);
	assert_int_equal(cap_analysis_nfindings(p.a), 0);
	cap_analysis_free(p.a);

	/* A SYN answered by RST is a refused connection. */
	play_init(&p, 80);
	kdc_tcp(&p, CAP_CONN_OPEN, false);
	kdc_tcp(&p, CAP_CONN_RST, true);
	cap_analysis_finish(p.a, NULL);
	assert_non_null(find(p.a, CAP_F_KDC_UNREACHABLE));
	cap_analysis_free(p.a);
}

/* negotiate-not-offered only from a first challenge; a capture that starts mid-handshake
 * says so; keepalive-missing only for connection-bound schemes. */
static void test_first_challenge_and_bound(void **state)
{
	struct play p;
	struct cap_auth_fact n1 = ntlm(1, false, false), n2 = ntlm(2, false, false),
			     n3 = ntlm(3, false, false);
	const struct cap_finding *f;
	uint64_t chal;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, &n1);
	chal = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n3);
	response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED));
	f = find(p.a, CAP_F_FIRST_OFFER_NOT_CAPTURED);
	assert_non_null(f);
	assert_true(has_frame(f, chal));
	assert_non_null(find(p.a, CAP_F_NTLM_OK));
	cap_analysis_free(p.a);

	/* The capture starts after the CHALLENGE: the AUTHENTICATE is the first leg seen. */
	play_init(&p, 80);
	request(&p, 0, &n3);
	chal = response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_FIRST_OFFER_NOT_CAPTURED);
	assert_non_null(f);
	assert_true(has_frame(f, chal));
	assert_non_null(find(p.a, CAP_F_NTLM_OK));
	cap_analysis_free(p.a);

	/* A first challenge seen: the capture has the start. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n1);
	response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &n3);
	response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_FIRST_OFFER_NOT_CAPTURED));
	cap_analysis_free(p.a);

	/* Basic only, then Connection: close: nothing breaks. */
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_BASIC), NULL, CAP_HTTP_CLOSE_HEADER);
	conn(&p, 0, CAP_CONN_FIN, true, 0.001);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_KEEPALIVE_MISSING));
	assert_non_null(find(p.a, CAP_F_NEGOTIATE_NOT_OFFERED));
	assert_null(find(p.a, CAP_F_FIRST_OFFER_NOT_CAPTURED));
	cap_analysis_free(p.a);
}

/* Any answer but 401 after a completed handshake means the user authenticated; 403, 405
 * and 5xx are reported as authorization or application problems. */
static void test_after_auth(void **state)
{
	static const struct {
		int status;
		const char *cause; /* NULL: no failed-after-auth */
	} cases[] = {{403, "authorization"}, {405, "method"}, {500, "application"},
		     {404, NULL}, {200, NULL}};
	struct cap_auth_fact n1 = ntlm(1, false, false), n2 = ntlm(2, false, false),
			     n3 = ntlm(3, false, false), ap = apreq();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int krb = 0; krb < 2; krb++) {
			struct play p;
			const struct cap_finding *f;

			play_init(&p, 80);
			request(&p, 0, NULL);
			response(&p, 0, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
			if (krb) {
				request(&p, 0, &ap);
			} else {
				request(&p, 0, &n1);
				response(&p, 0, 401, 0, &n2, CAP_HTTP_CLOSE_NONE);
				request(&p, 0, &n3);
			}
			response(&p, 0, cases[i].status, 0, NULL, CAP_HTTP_CLOSE_NONE);
			cap_analysis_finish(p.a, NULL);
			f = find(p.a, krb ? CAP_F_KERBEROS_OK : CAP_F_NTLM_OK);
			assert_non_null(f);
			assert_int_equal(ev_num(f, "status"), cases[i].status);
			assert_null(find(p.a, CAP_F_NTLM_REJECTED));
			assert_null(find(p.a, CAP_F_KERBEROS_REJECTED));
			f = find(p.a, CAP_F_FAILED_AFTER_AUTH);
			if (cases[i].cause == NULL) {
				assert_null(f);
			} else {
				assert_non_null(f);
				assert_string_equal(cap_finding_get_str(f, "cause"), cases[i].cause);
				assert_true(advice_mentions(f,
					cases[i].status == 403 ? "authorization rules"
					: cases[i].status == 405 ? "not allowed"
					: "application failed"));
				assert_string_equal(cap_finding_get_str(f, "scheme"),
						    krb ? "Kerberos" : "NTLM");
			}
			cap_analysis_free(p.a);
		}
}

static void test_ap_err_modified_family(void **state)
{
	static const struct {
		int code;
		const char *name;
		enum cap_finding_id id;
	} cases[] = {
		{41, "KRB_AP_ERR_MODIFIED", CAP_F_KRB_AP_ERR_MODIFIED},
		{31, "KRB_AP_ERR_BAD_INTEGRITY", CAP_F_KRB_AP_ERR_MODIFIED},
		{44, "KRB_AP_ERR_BADKEYVER", CAP_F_KRB_AP_ERR_MODIFIED},
		{45, "KRB_AP_ERR_NOKEY", CAP_F_KRB_AP_ERR_NOKEY},
		{37, "KRB_AP_ERR_SKEW", CAP_F_CLOCK_SKEW},
		{34, "KRB_AP_ERR_REPEAT", CAP_F_KRB_AP_ERROR},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct play p;
		struct cap_auth_fact t = apreq();
		struct cap_auth_fact e = server_tok(CAP_TOKEN_KRB_ERROR, cases[i].code,
						    cases[i].name);
		const struct cap_finding *f;
		uint64_t rq, rs;

		play_init(&p, 80);
		request(&p, 0, NULL);
		response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
		rq = request(&p, 0, &t);
		rs = response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), &e,
			      CAP_HTTP_CLOSE_NONE);
		cap_analysis_finish(p.a, NULL);
		f = find(p.a, cases[i].id);
		assert_non_null(f);
		assert_int_equal(f->severity, CAP_SEV_ERROR);
		assert_true(has_frame(f, rq) && has_frame(f, rs));
		assert_int_equal(ev_num(f, "error_code"), cases[i].code);
		assert_string_equal(cap_finding_get_str(f, "error_name"), cases[i].name);
		assert_int_equal(ev_num(f, "kvno"), 3);
		assert_int_equal(ev_num(f, "etype"), 18);
		assert_string_equal(cap_finding_get_str(f, "spn"), "HTTP/crm.example.test");
		/* An error token is not a "bare" rejection. */
		assert_null(find(p.a, CAP_F_KERBEROS_REJECTED));
		assert_null(find(p.a, CAP_F_KERBEROS_OK));
		cap_analysis_free(p.a);
	}
}

static void test_bare_rejection_and_loop(void **state)
{
	struct play p;
	struct cap_auth_fact t = apreq();
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	request(&p, 0, NULL);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	for (int i = 0; i < 3; i++) {
		request(&p, 0, &t);
		response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	}
	cap_analysis_finish(p.a, NULL);
	assert_non_null(find(p.a, CAP_F_KERBEROS_REJECTED));
	f = find(p.a, CAP_F_AUTH_LOOP);
	assert_non_null(f);
	assert_int_equal(ev_num(f, "rejections"), 3);
	assert_int_equal(f->nframes, 3);
	cap_analysis_free(p.a);

	/* Two rejections, then success: no loop. */
	play_init(&p, 80);
	for (int i = 0; i < 2; i++) {
		request(&p, 0, &t);
		response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	}
	request(&p, 0, &t);
	response(&p, 0, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	request(&p, 0, &t);
	response(&p, 0, 401, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE), NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_AUTH_LOOP));
	cap_analysis_free(p.a);
}

static void test_token_too_large(void **state)
{
	struct play p;
	struct cap_auth_fact t = apreq();
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	t.value_len = 20000;
	request(&p, 0, &t);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_TOKEN_TOO_LARGE);
	assert_non_null(f);
	assert_int_equal(ev_num(f, "header_bytes"), 20000);
	cap_analysis_free(p.a);

	play_init(&p, 80);
	t.value_len = 9000;
	request(&p, 0, &t);
	response(&p, 0, 400, 0, NULL, CAP_HTTP_CLOSE_HEADER);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_TOKEN_TOO_LARGE);
	assert_non_null(f);
	assert_int_equal(ev_num(f, "status"), 400);
	cap_analysis_free(p.a);

	/* An ordinary-sized token answered by 400 is not blamed on its size. */
	play_init(&p, 80);
	t.value_len = 1800;
	request(&p, 0, &t);
	response(&p, 0, 400, 0, NULL, CAP_HTTP_CLOSE_NONE);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_TOKEN_TOO_LARGE));
	cap_analysis_free(p.a);
}

static void test_kdc_errors(void **state)
{
	static const struct {
		int code;
		const char *name;
		enum cap_finding_id id;
		enum cap_severity sev;
	} cases[] = {
		{25, "KDC_ERR_PREAUTH_REQUIRED", CAP_F_KDC_ERROR, CAP_SEV_INFO},
		{52, "KRB_ERR_RESPONSE_TOO_BIG", CAP_F_KDC_ERROR, CAP_SEV_INFO},
		{24, "KDC_ERR_PREAUTH_FAILED", CAP_F_KDC_ERROR, CAP_SEV_WARNING},
		{8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE", CAP_F_SPN_DUPLICATE, CAP_SEV_ERROR},
		{14, "KDC_ERR_ETYPE_NOSUPP", CAP_F_ETYPE_MISMATCH, CAP_SEV_ERROR},
		{37, "KRB_AP_ERR_SKEW", CAP_F_CLOCK_SKEW, CAP_SEV_ERROR},
		{13, "KDC_ERR_BADOPTION", CAP_F_KDC_ERROR, CAP_SEV_WARNING},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct play p;
		const struct cap_finding *f;

		play_init(&p, 80);
		tgs_req(&p, "HTTP/crm.example.test", false);
		krb_error(&p, cases[i].code, cases[i].name, "HTTP/crm.example.test");
		cap_analysis_finish(p.a, NULL);
		f = find(p.a, cases[i].id);
		assert_non_null(f);
		assert_int_equal(f->severity, cases[i].sev);
		assert_int_equal(ev_num(f, "error_code"), cases[i].code);
		assert_int_equal(f->nframes, 2);
		/* KDC traffic without HTTP gets a Kerberos-only conversation. */
		assert_true(cap_analysis_conversation(p.a, 0)->kdc_only);
		cap_analysis_free(p.a);
	}
}

static void test_delegation(void **state)
{
	struct play p;
	const struct cap_finding *f;
	struct cap_krb_fact k;

	(void)state;
	play_init(&p, 80);
	tgs_req(&p, "MSSQLSvc/sql.example.test:1433", true);
	k = krb_base(&p, CAP_KRB_ERROR, true);
	k.error_code = 13;
	SET(k.error_name, "KDC_ERR_BADOPTION");
	k.has_nt_status = true;
	k.nt_status = 0xC00000BBu;
	cap_analysis_krb(p.a, &k);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_DELEGATION_REFUSED);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "delegation"), "s4u2proxy");
	assert_string_equal(cap_finding_get_str(f, "nt_status"), "0xC00000BB STATUS_NOT_SUPPORTED");
	assert_string_equal(cap_finding_get_str(f, "spn"), "MSSQLSvc/sql.example.test:1433");
	cap_analysis_free(p.a);

	play_init(&p, 80);
	tgs_req(&p, "HTTP/back.example.test", true);
	tgs_rep(&p, "HTTP/back.example.test");
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_DELEGATION_OK);
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_INFO);
	cap_analysis_free(p.a);
}

static void test_kdc_unreachable(void **state)
{
	struct play p;
	const struct cap_finding *f;
	struct cap_icmp_unreach u;
	uint64_t rq;

	(void)state;
	/* ICMP port unreachable quoting the UDP request. */
	play_init(&p, 80);
	rq = tgs_req(&p, "HTTP/crm.example.test", false);
	memset(&u, 0, sizeof(u));
	u.frame = next_frame(&p, 0.001);
	u.ts = p.ts;
	u.type = 3;
	u.code = 3;
	u.reporter = ep(KDC, 0);
	u.orig_src = ep(CLIENT, 40000);
	u.orig_dst = ep(KDC, 88);
	u.orig_proto = 17;
	cap_analysis_icmp(p.a, &u);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KDC_UNREACHABLE);
	assert_non_null(f);
	assert_true(has_frame(f, rq) && has_frame(f, u.frame));
	assert_string_equal(cap_finding_get_str(f, "answer"), "ICMP unreachable");
	cap_analysis_free(p.a);

	/* No answer at all, with traffic going on for seconds after. */
	play_init(&p, 80);
	rq = tgs_req(&p, "HTTP/crm.example.test", false);
	next_frame(&p, 3.0);
	request(&p, 0, NULL);
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KDC_UNREACHABLE);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "answer"), "no answer");
	assert_true(has_frame(f, rq));
	cap_analysis_free(p.a);

	/* A request in the capture's last moment is not held against the KDC. */
	play_init(&p, 80);
	tgs_req(&p, "HTTP/crm.example.test", false);
	cap_analysis_finish(p.a, NULL);
	assert_null(find(p.a, CAP_F_KDC_UNREACHABLE));
	cap_analysis_free(p.a);

	/* TCP: the KDC resets the connection. */
	play_init(&p, 80);
	{
		struct cap_conn_event e;

		memset(&e, 0, sizeof(e));
		e.kind = CAP_CONN_OPEN;
		e.frame = next_frame(&p, 0.001);
		e.ts = p.ts;
		e.stream = 3;
		e.client = ep(CLIENT, 40001);
		e.server = ep(KDC, 88);
		cap_analysis_conn(p.a, &e);
		e.kind = CAP_CONN_RST;
		e.from_server = true;
		e.frame = next_frame(&p, 0.001);
		cap_analysis_conn(p.a, &e);
	}
	cap_analysis_finish(p.a, NULL);
	f = find(p.a, CAP_F_KDC_UNREACHABLE);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "answer"), "TCP reset");
	assert_string_equal(cap_finding_get_str(f, "transport"), "tcp");
	cap_analysis_free(p.a);
}

static void test_truncated_and_dedupe(void **state)
{
	struct play p;
	struct cap_pipeline_stats st;
	const struct cap_finding *f;

	(void)state;
	play_init(&p, 80);
	tgs_req(&p, "HTTP/crm.example.test", false);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/crm.example.test");
	tgs_req(&p, "HTTP/crm.example.test", false);
	krb_error(&p, 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/crm.example.test");
	cap_analysis_truncated(p.a, 4, "the file ends in the middle of packet 5");
	memset(&st, 0, sizeof(st));
	st.truncated_packets = 2;
	cap_analysis_finish(p.a, &st);
	f = find(p.a, CAP_F_SPN_UNKNOWN);
	assert_non_null(f);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->nframes, 4);
	f = find(p.a, CAP_F_CAPTURE_TRUNCATED);
	assert_non_null(f);
	assert_int_equal(f->severity, CAP_SEV_WARNING);
	/* Both causes are reported, each once. */
	{
		size_t n = 0;

		for (size_t i = 0; i < cap_analysis_nfindings(p.a); i++)
			n += cap_analysis_finding(p.a, i)->id == CAP_F_CAPTURE_TRUNCATED;
		assert_int_equal(n, 2);
	}
	assert_int_equal(cap_analysis_stats(p.a)->findings_by_severity[CAP_SEV_ERROR], 1);
	assert_int_equal(cap_analysis_stats(p.a)->findings_by_severity[CAP_SEV_WARNING], 2);
	cap_analysis_free(p.a);
}

static void test_limits(void **state)
{
	struct cap_analysis_limits lim;
	struct play p;

	(void)state;
	memset(&lim, 0, sizeof(lim));
	lim.max_conversations = 2;
	lim.max_steps_per_conv = 3;
	lim.max_streams = 4;
	play_init(&p, 80);
	cap_analysis_free(p.a);
	p.a = cap_analysis_new(&lim);
	assert_non_null(p.a);
	for (uint16_t i = 0; i < 10; i++) {
		p.web_port = (uint16_t)(8000 + i);
		request(&p, i, NULL);
		response(&p, i, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
		request(&p, i, NULL);
		response(&p, i, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	}
	cap_analysis_finish(p.a, NULL);
	assert_int_equal(cap_analysis_nconversations(p.a), 2);
	assert_true(cap_analysis_stats(p.a)->conversations_dropped > 0);
	assert_true(cap_analysis_stats(p.a)->steps_dropped > 0);
	assert_int_equal(cap_analysis_conversation(p.a, 0)->nsteps, 3);
	cap_analysis_free(p.a);

	/* More open authenticating connections than stream slots: the oldest go. */
	memset(&lim, 0, sizeof(lim));
	lim.max_streams = 4;
	p.a = cap_analysis_new(&lim);
	assert_non_null(p.a);
	for (uint16_t i = 0; i < 10; i++) {
		request(&p, i, NULL);
		response(&p, i, 401, NEG_NTLM, NULL, CAP_HTTP_CLOSE_NONE);
	}
	cap_analysis_finish(p.a, NULL);
	assert_true(cap_analysis_stats(p.a)->streams_evicted >= 6);
	cap_analysis_free(p.a);

	/* Connections without authentication keep no state: no eviction however many. */
	p.a = cap_analysis_new(&lim);
	assert_non_null(p.a);
	for (uint16_t i = 0; i < 100; i++) {
		request(&p, i, NULL);
		response(&p, i, 200, 0, NULL, CAP_HTTP_CLOSE_NONE);
	}
	cap_analysis_finish(p.a, NULL);
	assert_int_equal(cap_analysis_stats(p.a)->streams_evicted, 0);
	assert_int_equal(cap_analysis_nconversations(p.a), 0);
	cap_analysis_free(p.a);
}

static void test_spn_split(void **state)
{
	char svc[32], host[128];
	unsigned port;

	(void)state;
	spn_split("HTTP/crm.example.test:5555@EXAMPLE.TEST", svc, sizeof(svc), host, sizeof(host),
		  &port);
	assert_string_equal(svc, "HTTP");
	assert_string_equal(host, "crm.example.test");
	assert_int_equal(port, 5555);
	spn_split("HTTP/crm", svc, sizeof(svc), host, sizeof(host), &port);
	assert_string_equal(host, "crm");
	assert_int_equal(port, 0);
	spn_split("krbtgt/EXAMPLE.TEST", svc, sizeof(svc), host, sizeof(host), &port);
	assert_string_equal(svc, "krbtgt");
	assert_string_equal(host, "EXAMPLE.TEST");
	spn_split("nohost", svc, sizeof(svc), host, sizeof(host), &port);
	assert_string_equal(svc, "");
	assert_string_equal(host, "nohost");
}

/* Every judge names a moment, a function and a wire finding of the catalog. */
static void test_judge_tables(void **state)
{
	const struct judge_table *tables[] = {&judges_http, &judges_kdc};

	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		assert_true(tables[t]->n > 0);
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct judge *jd = &tables[t]->v[i];

			assert_true((unsigned)jd->when < JUDGE_WHEN_COUNT);
			assert_non_null(jd->fn);
			assert_non_null(cap_finding_info(jd->id));
			assert_false(cap_finding_info(jd->id)->probe_only);
		}
	}
}

static void test_catalog(void **state)
{
	enum cap_finding_id id;

	(void)state;
	for (unsigned i = 0; i < CAP_F_COUNT; i++) {
		const struct cap_finding_info *in = cap_finding_info((enum cap_finding_id)i);

		assert_non_null(in);
		assert_int_equal(in->id, i);
		assert_non_null(in->slug);
		assert_non_null(in->title);
		assert_non_null(in->explanation);
		assert_non_null(in->advice[0]);
		assert_int_equal(cap_finding_from_slug(in->slug, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(cap_finding_from_slug("no-such-finding", &id), -1);
	/* The ids of issue 4 are a contract. */
	assert_string_equal(cap_finding_slug(CAP_F_KRB_AP_ERR_MODIFIED), "krb-ap-err-modified");
	assert_string_equal(cap_finding_slug(CAP_F_KDC_UNREACHABLE), "kdc-unreachable");
	assert_int_equal(cap_finding_info(CAP_F_NTLM_FALLBACK)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_CAPTURE_TRUNCATED)->severity, CAP_SEV_WARNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_judge_tables),
		cmocka_unit_test(test_spn_split),
		cmocka_unit_test(test_kerberos_ok),
		cmocka_unit_test(test_mutual_missing),
		cmocka_unit_test(test_ntlm_fallback_after_spn_unknown),
		cmocka_unit_test(test_ntlm_in_spnego_and_ntlm_scheme),
		cmocka_unit_test(test_spn_unknown_port_advice),
		cmocka_unit_test(test_negotiate_not_offered),
		cmocka_unit_test(test_ntlm_rejected_by_fresh_offer),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_ntlm_across_connections),
		cmocka_unit_test(test_client_logon_failed),
		cmocka_unit_test(test_sname_kinds),
		cmocka_unit_test(test_reply_not_captured),
		cmocka_unit_test(test_first_challenge_and_bound),
		cmocka_unit_test(test_after_auth),
		cmocka_unit_test(test_ap_err_modified_family),
		cmocka_unit_test(test_bare_rejection_and_loop),
		cmocka_unit_test(test_token_too_large),
		cmocka_unit_test(test_kdc_errors),
		cmocka_unit_test(test_delegation),
		cmocka_unit_test(test_kdc_unreachable),
		cmocka_unit_test(test_truncated_and_dedupe),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
