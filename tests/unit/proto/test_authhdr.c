/* test_authhdr.c - WWW-Authenticate / Authorization parsing (RFC 7235 §2.1, RFC 4559):
 * real header lines from the lab samples and shared captures (Negotiate, NTLM, Basic,
 * Digest, Bearer) compared with tshark's http fields, the grammar's corner cases, and a
 * truncation sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/authhdr.h"

static const char *const shared_http_pcaps[] = {
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/ntlm_synthetic.pcap",
	NEGSCOPE_CAPTURES_DIR "/nDPI/tests/cfgs/default/pcap/webdav.pcap",
	NEGSCOPE_CAPTURES_DIR "/nDPI/tests/cfgs/default/pcap/http_auth.pcap",
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/http-basicauth.pcap",
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/http-digestauth.pcap",
	NEGSCOPE_CAPTURES_DIR "/suricata-verify/tests/http-auth-bearer/input.pcap",
	NEGSCOPE_CAPTURES_DIR "/suricata-verify/tests/bug-130/input.pcap",
};

static struct cap_span S(const char *s)
{
	return cap_span_of(s, strlen(s));
}

/* 1 when value equals one of tshark's '|'-joined values (or, for repeated headers that
 * tshark folds into one with ", ", a part of it). */
static int tshark_has(const char *cell, struct cap_span v)
{
	const char *p = cell;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '|');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);

		if (n >= v.len && memmem(p, n, v.p, v.len) != NULL)
			return 1;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

static void sweep_value(struct cap_span v)
{
	size_t k;

	for (k = 0; k <= v.len; k++) {
		char *c = malloc(k > 0 ? k : 1);
		struct cap_authhdr *h = malloc(sizeof(*h));
		enum cap_status st;
		size_t i;

		memcpy(c, v.p, k);
		cap_authhdr_init(h);
		st = cap_authhdr_parse(h, CAP_HDR_AUTHORIZATION, cap_span_of(c, k));
		assert_true(st == CAP_OK || st == CAP_MALFORMED || st == CAP_LIMIT);
		if (st == CAP_MALFORMED)
			assert_true(h->err[0] != '\0');
		for (i = 0; i < h->n; i++) {
			const char *s = (const char *)h->ch[i].scheme.p;

			assert_true(s >= c && s + h->ch[i].scheme.len <= c + k);
			if (h->ch[i].has_token68)
				assert_true((const char *)h->ch[i].token68.p + h->ch[i].token68.len <=
					    c + k);
		}
		free(h);
		free(c);
	}
}

static size_t check_pcap(const char *pcap, unsigned *kinds)
{
	static const char *const fields[] = { "frame.number", "http.authorization",
					       "http.www_authenticate", "http.proxy_authorization",
					       "http.proxy_authenticate" };
	struct authtok_set set;
	struct tshark_rows rows;
	size_t i, n = 0;
	struct cap_authhdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	if (authtok_from_pcap(pcap, &set) != 0) {
		free(h);
		return 0;
	}
	assert_int_equal(tshark_fields(pcap, "http", fields, 5, &rows), 0);
	for (i = 0; i < set.n; i++) {
		enum cap_auth_header which;
		struct cap_span v;
		size_t c, r, col;
		const char *cell;

		assert_true(cap_authhdr_split_line(S(set.v[i].line), &which, &v));
		col = which == CAP_HDR_AUTHORIZATION ? 1 : which == CAP_HDR_WWW_AUTHENTICATE ? 2
			: which == CAP_HDR_PROXY_AUTHORIZATION ? 3 : 4;
		/* tshark reports a header in the frame that completes the reassembled PDU: the
		 * same frame, or a later one of the same capture. */
		for (r = 0; r < rows.n; r++) {
			cell = rows.cells[r * rows.nf + col];
			if (strtoull(rows.cells[r * rows.nf], NULL, 10) >= set.v[i].frame &&
			    tshark_has(cell, v))
				break;
		}
		if (r == rows.n)
			print_message("%s frame %llu: not in tshark's output\n", pcap,
				      (unsigned long long)set.v[i].frame);
		assert_true(r < rows.n);
		cap_authhdr_init(h);
		assert_int_equal(cap_authhdr_parse(h, which, v), CAP_OK);
		assert_true(h->n >= 1);
		for (c = 0; c < h->n; c++) {
			const struct cap_auth_challenge *ch = &h->ch[c];

			kinds[ch->kind]++;
			if (ch->kind == CAP_AUTH_DIGEST) {
				const struct cap_auth_param *rp = cap_auth_param_get(ch, "realm");
				char un[256];

				assert_non_null(rp);
				assert_true(rp->quoted);
				(void)cap_auth_unquote(rp->value, un, sizeof(un));
				assert_null(strchr(un, '"'));
				assert_true(ch->nparams >= 4);
			}
			if ((ch->kind == CAP_AUTH_NEGOTIATE || ch->kind == CAP_AUTH_NTLM) &&
			    which == CAP_HDR_AUTHORIZATION)
				assert_true(ch->has_token68);
		}
		sweep_value(v);
		n++;
	}
	tshark_rows_free(&rows);
	authtok_set_free(&set);
	free(h);
	return n;
}

static void test_real_headers(void **state)
{
	char **list = authtok_sample_pcaps();
	unsigned kinds[8] = { 0 };
	size_t i, n = 0;

	(void)state;
	if (!tshark_available()) {
		authtok_free_list(list);
		skip();
	}
	for (i = 0; list != NULL && list[i] != NULL; i++)
		n += check_pcap(list[i], kinds);
	authtok_free_list(list);
	for (i = 0; i < sizeof(shared_http_pcaps) / sizeof(shared_http_pcaps[0]); i++)
		n += check_pcap(shared_http_pcaps[i], kinds);
	print_message("%zu header lines: Negotiate %u, NTLM %u, Basic %u, Digest %u, Bearer %u\n",
		      n, kinds[CAP_AUTH_NEGOTIATE], kinds[CAP_AUTH_NTLM],
		      kinds[CAP_AUTH_BASIC], kinds[CAP_AUTH_DIGEST], kinds[CAP_AUTH_BEARER]);
	assert_true(kinds[CAP_AUTH_NEGOTIATE] > 0 && kinds[CAP_AUTH_NTLM] > 0);
	assert_true(kinds[CAP_AUTH_BASIC] > 0 && kinds[CAP_AUTH_DIGEST] > 0);
	assert_true(kinds[CAP_AUTH_BEARER] > 0);
}

static void test_several_challenges(void **state)
{
	struct cap_authhdr h;
	const struct cap_auth_param *p;
	char un[64];

	(void)state;
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE,
					   S("Basic realm=\"a, b\", charset=\"UTF-8\", "
					     "Negotiate abc=, ntlm ,, Digest realm = x ,nonce=\"n\\\"q\"")),
			 CAP_OK);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.ch[0].kind, CAP_AUTH_BASIC);
	assert_int_equal(h.ch[0].nparams, 2);
	p = cap_auth_param_get(&h.ch[0], "REALM");
	assert_non_null(p);
	assert_true(cap_span_eq(p->value, "a, b"));
	assert_int_equal(h.ch[1].kind, CAP_AUTH_NEGOTIATE);
	assert_true(h.ch[1].has_token68);
	assert_true(cap_span_eq(h.ch[1].token68, "abc="));
	assert_int_equal(h.ch[2].kind, CAP_AUTH_NTLM);
	assert_false(h.ch[2].has_token68);
	assert_int_equal(h.ch[3].kind, CAP_AUTH_DIGEST);
	assert_true(cap_span_eq(cap_auth_param_get(&h.ch[3], "realm")->value, "x"));
	(void)cap_auth_unquote(cap_auth_param_get(&h.ch[3], "nonce")->value, un, sizeof(un));
	assert_string_equal(un, "n\"q");
	/* A second header accumulates. */
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE, S("NEGOTIATE")), CAP_OK);
	assert_int_equal(h.n, 5);
	assert_int_equal(h.ch[4].header_index, 1);
	assert_int_equal(h.ch[4].kind, CAP_AUTH_NEGOTIATE);
	assert_ptr_equal(cap_authhdr_find(&h, CAP_AUTH_NTLM), &h.ch[2]);
	assert_ptr_equal(cap_authhdr_find_token(&h, CAP_AUTH_NEGOTIATE), &h.ch[1]);
	assert_ptr_equal(cap_authhdr_find_gss_token(&h), &h.ch[1]);
	assert_null(cap_authhdr_find_token(&h, CAP_AUTH_NTLM));
}

static void test_errors(void **state)
{
	struct cap_authhdr h;
	int i;
	char many[512];
	size_t o = 0;

	(void)state;
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_AUTHORIZATION, S("=abc")), CAP_MALFORMED);
	assert_int_equal(h.err_offset, 0);
	assert_non_null(strstr(h.err, "scheme"));
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE, S("Basic realm=\"cut")),
			 CAP_MALFORMED);
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_AUTHORIZATION, S("Negotiate abc def")),
			 CAP_MALFORMED);
	assert_int_equal(h.n, 1);
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_AUTHORIZATION, S("  ")), CAP_MALFORMED);
	assert_non_null(strstr(h.err, "empty"));
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_AUTHORIZATION, S(",,")), CAP_MALFORMED);
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_AUTHORIZATION, S("Basic a\x01")),
			 CAP_MALFORMED);
	assert_non_null(strstr(h.err, "0x01"));
	for (i = 0; i < 20; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%sS%d", i ? ", " : "", i);
	cap_authhdr_init(&h);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE, S(many)), CAP_LIMIT);
	assert_int_equal(h.n, CAP_AUTH_MAX_CHALLENGES);
	assert_int_equal(h.dropped, 20 - CAP_AUTH_MAX_CHALLENGES);
	assert_int_equal(h.challenges_dropped, 20 - CAP_AUTH_MAX_CHALLENGES);
	/* --max-challenges: lower, higher (up to the array), 0 = the default. */
	cap_authhdr_init(&h);
	cap_authhdr_set_max(&h, 3);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE, S(many)), CAP_LIMIT);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.challenges_dropped, 17);
	assert_non_null(strstr(h.err, "more than 3 challenges"));
	cap_authhdr_init(&h);
	cap_authhdr_set_max(&h, 1000);
	assert_int_equal(h.max_challenges, CAP_AUTH_MAX_CHALLENGES_LIMIT);
	assert_int_equal(cap_authhdr_parse(&h, CAP_HDR_WWW_AUTHENTICATE, S(many)), CAP_OK);
	assert_int_equal(h.n, 20);
	assert_int_equal(h.challenges_dropped, 0);
	cap_authhdr_set_max(&h, 0);
	assert_int_equal(h.max_challenges, CAP_AUTH_MAX_CHALLENGES);
	sweep_value(S("Basic realm=\"a, b\", Negotiate abc=, Digest nonce=\"n\\\"q\", x=y"));
}

static void test_split_line(void **state)
{
	enum cap_auth_header w;
	struct cap_span v;

	(void)state;
	assert_true(cap_authhdr_split_line(S(" authorization:   Negotiate abc  \r"), &w, &v));
	assert_int_equal(w, CAP_HDR_AUTHORIZATION);
	assert_true(cap_span_eq(v, "Negotiate abc"));
	assert_true(cap_authhdr_split_line(S("Proxy-Authenticate: Basic"), &w, &v));
	assert_int_equal(w, CAP_HDR_PROXY_AUTHENTICATE);
	assert_true(cap_authhdr_split_line(S("PROXY-AUTHORIZATION:NTLM x"), &w, &v));
	assert_int_equal(w, CAP_HDR_PROXY_AUTHORIZATION);
	assert_false(cap_authhdr_split_line(S("Host: x"), &w, &v));
	assert_false(cap_authhdr_split_line(S("Negotiate YII"), &w, &v));
	assert_string_equal(cap_authhdr_header_name(CAP_HDR_WWW_AUTHENTICATE), "WWW-Authenticate");
	assert_int_equal(cap_authhdr_scheme_of(S("kerberos")), CAP_AUTH_KERBEROS);
	assert_int_equal(cap_authhdr_scheme_of(S("Negotiat")), CAP_AUTH_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_headers),
		cmocka_unit_test(test_several_challenges),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_split_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
