/* test_channel_binding.c - channel-binding-missing / -mismatch from HTTPS facts: an NTLM
 * AUTHENTICATE's MsvAvChannelBindings against the binding of the connection's certificate;
 * and that binding computed as MS-NLMP 3.1.5.1.2 says (checked against Python's hashlib). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fact_build.h"
#include "negscope/tls.h"

enum cb { CB_SAME, CB_OTHER, CB_ZERO, CB_ABSENT };

static void msg(struct cap_analysis *a, uint64_t frame, bool req, int status, bool tls,
		int ntlm_type, enum cb cb)
{
	struct cap_http_fact f;

	cap_http_fact_init(&f);
	f.frame = frame;
	f.ts = 1000.0 + (double)frame / 100.0;
	f.stream = 1;
	f.client = fb_ep(1, 5, 50000);
	f.server = fb_ep(1, 80, 443);
	f.is_request = req;
	f.version_minor = 1;
	f.status = status;
	snprintf(f.method, sizeof(f.method), "GET");
	snprintf(f.target, sizeof(f.target), "/");
	snprintf(f.host, sizeof(f.host), "crm.example.test");
	if (!req && status == 401)
		f.offered = CAP_AUTH_BIT(CAP_AUTH_NTLM);
	if (tls) {
		f.tls = true;
		f.tls_version = 0x0303;
		snprintf(f.tls_sni, sizeof(f.tls_sni), "crm.example.test");
		f.tls_cb_known = true;
		memset(f.tls_cb, 0x5a, 16);
		snprintf(f.tls_cert_subject, sizeof(f.tls_cert_subject), "CN=proxy.example.test");
	}
	if (ntlm_type != 0) {
		f.has_auth = true;
		f.auth.scheme = CAP_AUTH_NTLM;
		f.auth.kind = CAP_TOKEN_NTLM;
		f.auth.ntlm_type = ntlm_type;
		f.auth.ntlm_v2 = true;
		f.auth.ntlm_cb_present = cb != CB_ABSENT;
		f.auth.ntlm_cb_zero = cb == CB_ZERO;
		memset(f.auth.ntlm_cb, cb == CB_SAME ? 0x5a : cb == CB_OTHER ? 0x33 : 0, 16);
	}
	cap_analysis_http(a, &f);
}

static const struct cap_finding *run(bool tls, enum cb cb, enum cap_finding_id want,
				     struct cap_analysis **out)
{
	struct cap_analysis *a = cap_analysis_new(NULL);

	assert_non_null(a);
	msg(a, 10, true, 0, tls, 1, CB_ABSENT);
	msg(a, 11, false, 401, tls, 2, CB_ABSENT);
	msg(a, 12, true, 0, tls, 3, cb);
	msg(a, 13, false, 200, tls, 0, CB_ABSENT);
	cap_analysis_finish(a, NULL);
	*out = a;
	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		if (cap_analysis_finding(a, i)->id == want)
			return cap_analysis_finding(a, i);
	return NULL;
}

static void judged(void **state)
{
	struct cap_analysis *a;
	const struct cap_finding *f;

	(void)state;
	f = run(true, CB_OTHER, CAP_F_CHANNEL_BINDING_MISMATCH, &a);
	assert_non_null(f);
	assert_int_equal(f->frames[0], 12);
	assert_string_equal(cap_finding_get_str(f, "cert_subject"), "CN=proxy.example.test");
	cap_analysis_free(a);
	assert_null(run(true, CB_OTHER, CAP_F_CHANNEL_BINDING_MISSING, &a));
	cap_analysis_free(a);

	f = run(true, CB_ZERO, CAP_F_CHANNEL_BINDING_MISSING, &a);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "binding"), "zero");
	cap_analysis_free(a);
	f = run(true, CB_ABSENT, CAP_F_CHANNEL_BINDING_MISSING, &a);
	assert_non_null(f);
	assert_string_equal(cap_finding_get_str(f, "binding"), "absent");
	cap_analysis_free(a);
	/* The right binding, or no TLS at all: nothing to say. */
	assert_null(run(true, CB_SAME, CAP_F_CHANNEL_BINDING_MISMATCH, &a));
	cap_analysis_free(a);
	assert_null(run(true, CB_SAME, CAP_F_CHANNEL_BINDING_MISSING, &a));
	cap_analysis_free(a);
	assert_null(run(false, CB_ABSENT, CAP_F_CHANNEL_BINDING_MISSING, &a));
	cap_analysis_free(a);
}

/* python3: hashlib.md5(b'\0'*16 + struct.pack('<I', len(app)) + app) with
 * app = b'tls-server-end-point:' + bytes(range(1, 33)) */
static void binding_value(void **state)
{
	static const uint8_t want[16] = {0x91, 0x18, 0x36, 0xbc, 0x22, 0x95, 0x95, 0xa8,
					 0x1f, 0xda, 0xef, 0x8f, 0x1c, 0xe9, 0x07, 0x7e};
	struct cap_tls_cert c;
	uint8_t got[16];

	(void)state;
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 32; i++)
		c.endpoint[i] = (uint8_t)(i + 1);
	c.endpoint_len = 32;
	assert_int_equal(cap_tls_channel_binding(&c, got), 0);
	assert_memory_equal(got, want, 16);
	c.endpoint_len = 0;
	assert_int_equal(cap_tls_channel_binding(&c, got), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judged),
		cmocka_unit_test(binding_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
