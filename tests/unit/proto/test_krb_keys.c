/* test_krb_keys.c - server keys on real tickets (proto/krb_keys.c, krb_ticket.c, pac.c).
 *
 * The lab's samples carry their server keytabs (samples/NAME.keytab, written by
 * samples/regenerate.sh).  Each pairing must give its verdict; the decrypted fields must
 * be tshark's (stored answers, tests/golden/oracle/keys/NAME.tsv, recorded by
 * tests/golden/keys.py --record with tshark -o kerberos.decrypt:TRUE); the AP-REP must
 * verify with the session key.  The PAC decoder and the AD salt rule are checked on
 * hand-made input; hostile ciphertext costs a verdict, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "krb_vectors.h"
#include "negscope/krb5.h"
#include "negscope/krbkeys.h"

static char *path_of(const char *name, const char *ext)
{
	static char buf[4][1024];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s%s", NEGSCOPE_SAMPLES_DIR, name, ext);
	return b;
}

static struct cap_krb_keyset *keys_of(const char *keytab)
{
	struct cap_krb_keyset *ks = cap_krb_keyset_new();
	char err[256];

	assert_non_null(ks);
	if (cap_krb_keyset_add_keytab(ks, path_of(keytab, ".keytab"), err, sizeof(err)) <= 0)
		fail_msg("%s: %s", keytab, err);
	return ks;
}

/* The first AP-REQ (and the AP-REP after it) carried in the sample's Negotiate tokens. */
struct pair {
	struct krb_pdus pdus;
	struct cap_krb_msg req, rep;
	unsigned req_frame;
	int have_rep;
};

static void load_pair(const char *sample, struct pair *p)
{
	char err[256];

	memset(p, 0, sizeof(*p));
	if (krb_http_pdus_load(path_of(sample, ".pcap"), &p->pdus, err, sizeof(err)) != 0)
		fail_msg("%s: %s", sample, err);
	for (size_t i = 0; i < p->pdus.n; i++) {
		struct cap_span s = {p->pdus.v[i].data, p->pdus.v[i].len};
		struct cap_krb_msg m;

		if (cap_krb_decode(s, &m) != CAP_OK)
			continue;
		if (m.msg_type == CAP_KRB_AP_REQ && p->req_frame == 0) {
			p->req = m;
			p->req_frame = p->pdus.v[i].frame;
		} else if (m.msg_type == CAP_KRB_AP_REP && p->req_frame != 0 && !p->have_rep) {
			p->rep = m;
			p->have_rep = 1;
		}
	}
	assert_true(p->req_frame != 0);
}

static enum cap_krb_key_verdict verdict_of(const char *sample, const char *keytab)
{
	struct cap_krb_keyset *ks = keys_of(keytab);
	struct cap_krb_ticket_view v;
	struct pair p;

	load_pair(sample, &p);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	krb_pdus_free(&p.pdus);
	cap_krb_keyset_free(ks);
	return v.verdict;
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("kerberos-ok", "kerberos-ok"), CAP_KEYV_DECRYPTED);
	assert_int_equal(verdict_of("stale-keytab", "stale-keytab"), CAP_KEYV_KVNO_STALE);
	assert_int_equal(verdict_of("wrong-key", "wrong-key"), CAP_KEYV_WRONG_KEY);
	assert_int_equal(verdict_of("iis-ap-err-modified", "iis-ap-err-modified"),
			 CAP_KEYV_WRONG_KEY);
	assert_int_equal(verdict_of("kerberos-ok", "rc4-only"), CAP_KEYV_ETYPE_MISSING);
	assert_int_equal(verdict_of("kerberos-ok", "other-principal"),
			 CAP_KEYV_PRINCIPAL_MISSING);
	/* another sample's keytab holds another principal */
	assert_int_equal(verdict_of("delegation-ok", "kerberos-ok"), CAP_KEYV_PRINCIPAL_MISSING);
}

/* Decrypted fields against tshark's stored answer: frame, cname, crealm, flags (hex),
 * authtime, endtime, GSS checksum flags. */
static void against_tshark(const char *sample)
{
	char path[1024], line[512], cname[128], crealm[128];
	unsigned frame, flags;
	long long authtime, endtime;
	int gss;
	struct cap_krb_keyset *ks = keys_of(sample);
	struct cap_krb_ticket_view v;
	struct pair p;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/golden/oracle/keys/%s.tsv", NEGSCOPE_SRC_DIR,
		 sample);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	/* tab-separated, written by keys.py: no field holds a tab */
	{
		char *f[7], *s = line;

		for (int i = 0; i < 7; i++) {
			f[i] = s;
			s = strchr(s, i < 6 ? '\t' : '\n');
			if (s != NULL)
				*s++ = '\0';
			else
				assert_int_equal(i, 6);
		}
		frame = (unsigned)strtoul(f[0], NULL, 10);
		snprintf(cname, sizeof(cname), "%s", f[1]);
		snprintf(crealm, sizeof(crealm), "%s", f[2]);
		flags = (unsigned)strtoul(f[3], NULL, 16);
		authtime = strtoll(f[4], NULL, 10);
		endtime = strtoll(f[5], NULL, 10);
		gss = (int)strtol(f[6], NULL, 10);
	}
	load_pair(sample, &p);
	assert_int_equal(p.req_frame, frame);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 7, &v);
	assert_int_equal(v.verdict, CAP_KEYV_DECRYPTED);
	assert_true(v.decoded);
	assert_string_equal(v.cname, cname);
	assert_string_equal(v.crealm, crealm);
	assert_int_equal(v.flags, flags);
	assert_int_equal(v.authtime, authtime);
	assert_int_equal(v.endtime, endtime);
	assert_true(v.auth_decrypted && v.gss_checksum);
	assert_int_equal(v.gss_flags & 0x3f, gss);
	assert_true(v.pac.present && v.pac.bytes > 0 && !v.pac.malformed);
	/* mutual authentication: the AP-REP decrypts with the session key of context 7 */
	assert_true(p.have_rep);
	assert_int_equal(cap_krb_keys_ap_rep(ks, &p.rep.ap_rep, 7), CAP_APREP_VERIFIED);
	assert_int_equal(cap_krb_keys_ap_rep(ks, &p.rep.ap_rep, 8), CAP_APREP_NONE);
	krb_pdus_free(&p.pdus);
	cap_krb_keyset_free(ks);
}

static void test_kerberos_ok_fields(void **state)
{
	(void)state;
	against_tshark("kerberos-ok");
}

static void test_delegation_fields(void **state)
{
	struct cap_krb_keyset *ks = keys_of("delegation-ok");
	struct cap_krb_ticket_view v;
	struct pair p;

	(void)state;
	against_tshark("delegation-ok");
	load_pair("delegation-ok", &p);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	/* a KRB-CRED with the forwarded TGT follows the GSS flags (RFC 4121 §4.1.1) */
	assert_true(v.gss_flags & CAP_GSS_C_DELEG_FLAG);
	assert_true(v.deleg_cred && v.deleg_tgt);
	assert_true(v.flags & CAP_KRB_BIT(CAP_TKT_FLAG_OK_AS_DELEGATE));
	krb_pdus_free(&p.pdus);
	cap_krb_keyset_free(ks);
}

/* Hostile ciphertext: flipped, cut, empty -- a verdict, never a crash or a success. */
static void test_hostile_cipher(void **state)
{
	struct cap_krb_keyset *ks = keys_of("kerberos-ok");
	struct cap_krb_ticket_view v;
	struct pair p;
	uint8_t *copy;
	size_t n;

	(void)state;
	load_pair("kerberos-ok", &p);
	n = p.req.ap_req.ticket.enc_part.cipher.len;
	copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, p.req.ap_req.ticket.enc_part.cipher.p, n);
	copy[n / 2] ^= 0x40;
	p.req.ap_req.ticket.enc_part.cipher = cap_span_of(copy, n);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	assert_int_equal(v.verdict, CAP_KEYV_WRONG_KEY);
	p.req.ap_req.ticket.enc_part.cipher = cap_span_of(copy, 7);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	assert_int_equal(v.verdict, CAP_KEYV_WRONG_KEY);
	p.req.ap_req.ticket.enc_part.cipher = cap_span_of(copy, 0);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	assert_int_equal(v.verdict, CAP_KEYV_WRONG_KEY);
	/* no keys at all: nothing said */
	cap_krb_keys_ap_req(NULL, &p.req.ap_req, 1, &v);
	assert_int_equal(v.verdict, CAP_KEYV_NONE);
	free(copy);
	krb_pdus_free(&p.pdus);
	cap_krb_keyset_free(ks);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A PAC with one LOGON_INFO buffer (MS-PAC §2.4, §2.5) holding the given counts. */
static size_t make_pac(uint8_t *buf, size_t cap, uint32_t groups, uint32_t sids,
		       size_t li_len)
{
	size_t off = 8 + 16;

	assert_true(off + li_len <= cap);
	memset(buf, 0, cap);
	le32(buf, 1);              /* cBuffers */
	le32(buf + 4, 0);          /* Version */
	le32(buf + 8, 1);          /* ulType LOGON_INFO */
	le32(buf + 12, (uint32_t)li_len);
	le32(buf + 16, (uint32_t)off); /* Offset (64-bit, high half 0) */
	le32(buf + off + 128, groups);
	le32(buf + off + 216, sids);
	le32(buf + off + 228, 0);
	return off + li_len;
}

static void test_pac(void **state)
{
	uint8_t buf[4096];
	struct cap_krb_pac_view v;
	size_t n;

	(void)state;
	n = make_pac(buf, sizeof(buf), 300, 12, 236 + 8 * 320);
	assert_int_equal(cap_krb_pac_decode(cap_span_of(buf, n), &v), CAP_OK);
	assert_true(v.logon_info);
	assert_int_equal(v.group_count, 300);
	assert_int_equal(v.extra_sid_count, 12);
	assert_int_equal(v.bytes, n);
	/* counts the buffer cannot hold */
	n = make_pac(buf, sizeof(buf), 100000, 0, 236 + 8 * 10);
	assert_int_equal(cap_krb_pac_decode(cap_span_of(buf, n), &v), CAP_MALFORMED);
	assert_false(v.logon_info);
	/* a buffer outside the PAC */
	n = make_pac(buf, sizeof(buf), 1, 0, 300);
	le32(buf + 16, 4000);
	assert_int_equal(cap_krb_pac_decode(cap_span_of(buf, n), &v), CAP_MALFORMED);
	/* cut in its header; too many buffers */
	assert_int_equal(cap_krb_pac_decode(cap_span_of(buf, 5), &v), CAP_TRUNCATED);
	le32(buf, 100000);
	assert_int_equal(cap_krb_pac_decode(cap_span_of(buf, n), &v), CAP_MALFORMED);
}

static void test_ad_salt(void **state)
{
	char salt[128], err[128];

	(void)state;
	assert_int_equal(cap_krb_ad_salt("svc-crm@EXAMPLE.TEST", NULL, salt, sizeof(salt), err,
					 sizeof(err)), 0);
	assert_string_equal(salt, "EXAMPLE.TESTsvc-crm");
	/* the case of a user name is kept, a realm is upper case */
	assert_int_equal(cap_krb_ad_salt("SvcCrm", "example.test", salt, sizeof(salt), err,
					 sizeof(err)), 0);
	assert_string_equal(salt, "EXAMPLE.TESTSvcCrm");
	assert_int_equal(cap_krb_ad_salt("WEB01$@EXAMPLE.TEST", NULL, salt, sizeof(salt), err,
					 sizeof(err)), 0);
	assert_string_equal(salt, "EXAMPLE.TESThostweb01.example.test");
	assert_int_equal(cap_krb_ad_salt("svc", NULL, salt, sizeof(salt), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "realm"));
	assert_int_equal(cap_krb_ad_salt("svc@EXAMPLE.TEST", NULL, salt, 8, err, sizeof(err)),
			 -1);
}

/* A password's keys are tried for any name (AD: one key for all of the account's SPNs):
 * the wrong password says wrong-key, never principal-missing. */
static void test_password_keys(void **state)
{
	struct cap_krb_keyset *ks = cap_krb_keyset_new();
	struct cap_krb_ticket_view v;
	char err[128];
	struct pair p;

	(void)state;
	assert_int_equal(cap_krb_keyset_add_password(ks, "svc@EXAMPLE.TEST", NULL, "pw", 2,
						     NULL, err, sizeof(err)), 3);
	assert_int_equal(cap_krb_keyset_count(ks), 3);
	load_pair("kerberos-ok", &p);
	cap_krb_keys_ap_req(ks, &p.req.ap_req, 1, &v);
	assert_int_equal(v.verdict, CAP_KEYV_WRONG_KEY);
	assert_true(v.by_password);
	assert_int_equal(cap_krb_keyset_add_keytab(ks, "/nonexistent/x.keytab", err,
						   sizeof(err)), -1);
	assert_true(err[0] != '\0');
	krb_pdus_free(&p.pdus);
	cap_krb_keyset_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_kerberos_ok_fields),
		cmocka_unit_test(test_delegation_fields),
		cmocka_unit_test(test_hostile_cipher),
		cmocka_unit_test(test_pac),
		cmocka_unit_test(test_ad_salt),
		cmocka_unit_test(test_password_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
