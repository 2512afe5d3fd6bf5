/* test_ntlmssp.c - NTLMSSP decoder on real messages: made in-process by gss-ntlmssp (raw
 * and through SPNEGO), and found in the lab samples and shared captures, where tshark's
 * ntlmssp dissector is the independent cross-check.  Plus truncation and corruption
 * sweeps over every message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/hex.h"
#include "negscope/ntlmssp.h"
#include "negscope/token.h"

static const char *const shared_ntlm_pcaps[] = {
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/ntlm_synthetic.pcap",
	NEGSCOPE_CAPTURES_DIR "/nDPI/tests/cfgs/default/pcap/webdav.pcap",
};

static char *text_of(const struct cap_ntlm_msg *m, struct cap_span s, char *buf, size_t cap)
{
	(void)cap_ntlm_text(s, m->unicode, buf, cap);
	return buf;
}

/* Decodes from an exact-size heap copy, so that ASan sees any over-read. */
static enum cap_status decode_copy(const uint8_t *p, size_t n, struct cap_ntlm_msg *m)
{
	uint8_t *c = malloc(n > 0 ? n : 1);
	enum cap_status st;

	assert_non_null(c);
	if (n > 0)
		memcpy(c, p, n);
	st = cap_ntlm_decode(cap_span_of(c, n), m);
	free(c); /* m's spans now dangle: callers only look at status and err */
	return st;
}

static void sweep(const uint8_t *p, size_t n)
{
	struct cap_ntlm_msg *m = malloc(sizeof(*m));
	uint8_t *c = malloc(n);
	size_t k;

	assert_non_null(m);
	assert_non_null(c);
	for (k = 0; k < n; k++) {
		enum cap_status st = decode_copy(p, k, m);

		assert_true(st == m->status);
		if (st != CAP_OK)
			assert_true(m->err[0] != '\0');
		/* Cut before the shortest fixed header of its type: never clean. */
		if (k < (p[8] == 1 ? 16u : p[8] == 2 ? 32u : 64u))
			assert_int_not_equal(st, CAP_OK);
	}
	for (k = 0; k < n; k++) {
		enum cap_status st;

		memcpy(c, p, n);
		c[k] ^= 0xff;
		st = decode_copy(c, n, m);
		assert_true(st == m->status);
		if (st != CAP_OK)
			assert_true(m->err[0] != '\0');
		if (k < 8)
			assert_int_equal(st, CAP_MALFORMED);
	}
	free(c);
	free(m);
}

static void check_handshake(int spnego)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(spnego, "EXAMPLE:alice:Passw0rd!", "HTTP@www.example.test", legs, 8);
	int i, seen[4] = { 0 };
	struct cap_token *t = malloc(sizeof(*t));
	uint64_t server_ts = 0;
	char buf[256];

	assert_non_null(t);
	if (n < 0) {
		free(t);
		skip();
	}
	for (i = 0; i < n; i++) {
		const struct cap_ntlm_msg *m;

		assert_int_equal(cap_token_decode(cap_span_of(legs[i].p, legs[i].len), t), CAP_OK);
		if (!t->has_ntlm) {
			/* SPNEGO's last leg: accept-completed with only a mechListMIC. */
			assert_true(spnego && t->spnego_resp);
			continue;
		}
		assert_int_equal(t->wrap, spnego ? CAP_WRAP_SPNEGO : CAP_WRAP_RAW);
		m = &t->ntlm;
		assert_int_equal(m->status, CAP_OK);
		assert_true(m->type >= 1 && m->type <= 3);
		assert_int_equal(legs[i].from_acceptor, m->type == CAP_NTLM_CHALLENGE);
		seen[m->type]++;
		assert_true(m->flags & CAP_NTLM_F_NTLM);
		if (m->type == CAP_NTLM_CHALLENGE) {
			assert_int_equal(m->server_challenge.len, 8);
			assert_true(m->target_av.has_eol);
			assert_true(m->target_av.has_timestamp);
			assert_true(m->target_av.dns_computer.len > 0);
			server_ts = m->target_av.timestamp;
		}
		if (m->type == CAP_NTLM_AUTHENTICATE) {
			assert_string_equal(text_of(m, m->user.data, buf, sizeof(buf)), "alice");
			assert_string_equal(text_of(m, m->domain.data, buf, sizeof(buf)), "EXAMPLE");
			assert_int_equal(m->auth_kind, CAP_NTLM_AUTH_NTLMV2);
			assert_true(m->has_client_blob);
			assert_int_equal(m->nt_proof.len, 16);
			/* The client echoes the server's timestamp (MS-NLMP §3.1.5.1.2) and names
			 * the SPN it was asked to authenticate to. */
			assert_true(m->client_av.has_timestamp);
			assert_true(m->client_av.timestamp == server_ts);
			assert_true(m->client_timestamp == server_ts);
			(void)cap_utf16le_to_utf8(m->client_av.target_name, buf, sizeof(buf));
			assert_string_equal(buf, "HTTP/www.example.test");
			assert_string_equal(t->target_spn, "HTTP/www.example.test");
			assert_string_equal(t->user, "alice");
			assert_int_equal(m->mic_present,
					 m->client_av.has_flags && (m->client_av.flags & CAP_NTLM_AVF_MIC));
			if (m->mic_present)
				assert_int_equal(m->mic.len, 16);
			assert_int_equal(t->is_ntlm_in_negotiate, 0); /* no scheme given */
			cap_token_set_scheme(t, CAP_AUTH_NEGOTIATE);
			assert_true(t->is_ntlm_in_negotiate);
		}
		sweep(legs[i].p, legs[i].len);
		if (spnego)
			sweep(t->inner.p, t->inner.len);
	}
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 1);
	assert_int_equal(seen[3], 1);
	gssgen_free(legs, n);
	free(t);
}

static void test_gss_ntlmssp_raw(void **state)
{
	(void)state;
	check_handshake(0);
}

static void test_gss_ntlmssp_in_spnego(void **state)
{
	(void)state;
	check_handshake(1);
}

static unsigned long hexnum(const char *s)
{
	return s != NULL && s[0] != '\0' ? strtoul(s, NULL, 0) : 0;
}

/* Every NTLM message in one capture against tshark. Returns how many were compared. */
static size_t cross_check_pcap(const char *pcap)
{
	static const char *const fields[] = {
		"frame.number", "ntlmssp.messagetype", "ntlmssp.auth.username",
		"ntlmssp.auth.domain", "ntlmssp.auth.hostname", "ntlmssp.challenge.target_name",
		"ntlmssp.negotiateflags", "ntlmssp.auth.ntresponse", "ntlmssp.auth.lmresponse",
	};
	struct authtok_set set;
	struct tshark_rows rows;
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i, compared = 0;

	assert_non_null(t);
	assert_non_null(buf);
	if (authtok_from_pcap(pcap, &set) != 0) {
		free(t);
		free(buf);
		return 0;
	}
	assert_int_equal(tshark_fields(pcap, "ntlmssp", fields, 9, &rows), 0);
	for (i = 0; i < set.n; i++) {
		const struct cap_ntlm_msg *m = &t->ntlm;
		const char *cell;

		(void)cap_token_decode_text(cap_span_of(set.v[i].line, strlen(set.v[i].line)), buf,
					    CAP_TOKEN_MAX_BYTES, t);
		if (!t->has_ntlm)
			continue;
		assert_int_equal(m->status, CAP_OK);
		cell = tshark_get(&rows, set.v[i].frame, 1);
		assert_non_null(cell);
		assert_int_equal(hexnum(cell), m->type);
		assert_int_equal(hexnum(tshark_get(&rows, set.v[i].frame, 6)), m->flags);
		if (m->type == CAP_NTLM_AUTHENTICATE) {
			const char *nt = tshark_get(&rows, set.v[i].frame, 7);
			const char *lm = tshark_get(&rows, set.v[i].frame, 8);

			assert_string_equal(t->user, tshark_get(&rows, set.v[i].frame, 2));
			assert_string_equal(t->domain, tshark_get(&rows, set.v[i].frame, 3));
			assert_string_equal(t->workstation, tshark_get(&rows, set.v[i].frame, 4));
			assert_int_equal(strlen(nt) / 2, m->nt_resp.len);
			/* tshark shows an empty LM response as its 8-byte field header. */
			if (m->lm_resp.len > 0)
				assert_int_equal(strlen(lm) / 2, m->lm_resp.len);
			assert_int_equal(m->auth_kind == CAP_NTLM_AUTH_NTLMV2, m->nt_resp.len > 24);
			if (m->nt_resp.len == 24)
				assert_true(m->auth_kind == CAP_NTLM_AUTH_NTLMV1 ||
					    m->auth_kind == CAP_NTLM_AUTH_NTLMV1_ESS);
		}
		if (m->type == CAP_NTLM_CHALLENGE)
			assert_string_equal(t->ntlm_target, tshark_get(&rows, set.v[i].frame, 5));
		sweep(t->inner.p, t->inner.len);
		compared++;
	}
	tshark_rows_free(&rows);
	authtok_set_free(&set);
	free(buf);
	free(t);
	return compared;
}

static void test_captures_against_tshark(void **state)
{
	char **list = authtok_sample_pcaps();
	size_t i, total = 0, shared = 0;

	(void)state;
	if (!tshark_available()) {
		authtok_free_list(list);
		skip();
	}
	for (i = 0; list != NULL && list[i] != NULL; i++)
		total += cross_check_pcap(list[i]);
	authtok_free_list(list);
	for (i = 0; i < sizeof(shared_ntlm_pcaps) / sizeof(shared_ntlm_pcaps[0]); i++)
		shared += cross_check_pcap(shared_ntlm_pcaps[i]);
	/* ntlm_synthetic: 9 NTLM messages; webdav: NEGOTIATE/CHALLENGE/AUTHENTICATE rounds. */
	assert_true(shared >= 12);
	print_message("compared %zu sample and %zu shared NTLM messages with tshark\n", total,
		      shared);
}

/* NTLM in SMB security blobs (SPNEGO-wrapped): Windows 10 anonymous and NTLMv2 logons,
 * smbtorture's NTLMv1 with extended session security, told apart as tshark sees them. */
static void test_smb_blobs_response_kinds(void **state)
{
	static const char *const pcaps[] = {
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/wireshark-smb-on-windows10.pcap",
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smbtorture-ntlmssp.pcap",
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smb-smb1-ascii.pcap",
	};
	static const char *const f[] = {
		"frame.number", "smb.security_blob", "smb2.security_blob", "ntlmssp.messagetype",
		"ntlmssp.auth.username", "ntlmssp.auth.ntresponse", "ntlmssp.negotiateflags",
	};
	size_t i, k, kinds[8] = { 0 };
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	if (!tshark_available()) {
		free(t);
		free(buf);
		skip();
	}
	for (i = 0; i < sizeof(pcaps) / sizeof(pcaps[0]); i++) {
		struct tshark_rows r;

		assert_int_equal(tshark_fields(pcaps[i], "ntlmssp.messagetype == 3", f, 7, &r), 0);
		for (k = 0; k < r.n; k++) {
			const char *h = r.cells[k * 7 + 1][0] ? r.cells[k * 7 + 1] : r.cells[k * 7 + 2];
			const char *nt = r.cells[k * 7 + 5];
			unsigned long flags = strtoul(r.cells[k * 7 + 6], NULL, 16);
			size_t n = 0, ntlen;

			assert_int_equal(cap_hex_decode(cap_span_of(h, strlen(h)), 0, buf,
							CAP_TOKEN_MAX_BYTES, &n, NULL), CAP_OK);
			assert_int_equal(cap_token_decode(cap_span_of(buf, n), t), CAP_OK);
			assert_int_equal(t->ntlm_type, CAP_NTLM_AUTHENTICATE);
			/* tshark shows an empty user name as "NULL". */
			if (strcmp(r.cells[k * 7 + 4], "NULL") == 0)
				assert_string_equal(t->user, "");
			else
				assert_string_equal(t->user, r.cells[k * 7 + 4]);
			/* tshark prints an empty NT response as its 8-byte field header. */
			ntlen = t->ntlm.nt_resp.len == 0 ? 0 : strlen(nt) / 2;
			assert_int_equal(ntlen, t->ntlm.nt_resp.len);
			if (ntlen == 0 && t->user[0] == '\0')
				assert_int_equal(t->ntlm_auth, CAP_NTLM_AUTH_ANONYMOUS);
			else if (ntlen == 24)
				assert_int_equal(t->ntlm_auth, (flags & 0x80000) ? CAP_NTLM_AUTH_NTLMV1_ESS
										 : CAP_NTLM_AUTH_NTLMV1);
			else
				assert_int_equal(t->ntlm_auth, CAP_NTLM_AUTH_NTLMV2);
			kinds[t->ntlm_auth]++;
		}
		tshark_rows_free(&r);
	}
	assert_true(kinds[CAP_NTLM_AUTH_ANONYMOUS] >= 1);
	assert_true(kinds[CAP_NTLM_AUTH_NTLMV1_ESS] >= 1);
	assert_true(kinds[CAP_NTLM_AUTH_NTLMV2] >= 4);
	free(buf);
	free(t);
}

static void test_not_ntlm(void **state)
{
	struct cap_ntlm_msg m;
	static const char other[] = "NTLMSSQ\0\1\0\0\0\0\0\0\0";
	static const char type4[] = "NTLMSSP\0\4\0\0\0\0\0\0\0";

	(void)state;
	assert_int_equal(cap_ntlm_decode(cap_span_of(other, 16), &m), CAP_MALFORMED);
	assert_int_equal(cap_ntlm_decode(cap_span_of(type4, 16), &m), CAP_UNSUPPORTED);
	assert_non_null(strstr(m.err, "type 4"));
	assert_int_equal(cap_ntlm_decode(cap_span_of("NTLM", 4), &m), CAP_TRUNCATED);
	assert_int_equal(cap_ntlm_decode(cap_span_of(NULL, 0), &m), CAP_MALFORMED);
}

static void test_utf16(void **state)
{
	char out[16];
	/* "aé" + U+1F600 (surrogate pair) + lone high surrogate + odd byte. */
	static const uint8_t s[] = { 'a', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde, 0x3d, 0xd8, 'x' };

	(void)state;
	assert_int_equal(cap_utf16le_to_utf8(cap_span_of(s, sizeof(s)), out, sizeof(out)), 13);
	assert_string_equal(out, "a\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd");
	/* Cut at a character boundary. */
	assert_int_equal(cap_utf16le_to_utf8(cap_span_of(s, sizeof(s)), out, 4), 3);
	assert_string_equal(out, "a\xc3\xa9");
	assert_int_equal(cap_ntlm_text(cap_span_of("A\xe9", 2), 0, out, sizeof(out)), 3);
	assert_string_equal(out, "A\xc3\xa9");
}

static void test_names(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(cap_ntlm_flag_name(CAP_NTLM_F_EXTENDED_SESSIONSECURITY),
			    "NEGOTIATE_EXTENDED_SESSIONSECURITY");
	assert_null(cap_ntlm_flag_name(0x00000008));
	assert_string_equal(cap_ntlm_av_name(CAP_NTLM_AV_TARGET_NAME), "MsvAvTargetName");
	cap_ntlm_flags_str(CAP_NTLM_F_UNICODE | 0x8 | CAP_NTLM_F_56, b, sizeof(b));
	assert_string_equal(b, "UNICODE|0x00000008|56");
	assert_int_equal(cap_ntlm_filetime_to_unix(116444736000000000ull), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gss_ntlmssp_raw),
		cmocka_unit_test(test_gss_ntlmssp_in_spnego),
		cmocka_unit_test(test_captures_against_tshark),
		cmocka_unit_test(test_smb_blobs_response_kinds),
		cmocka_unit_test(test_not_ntlm),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
