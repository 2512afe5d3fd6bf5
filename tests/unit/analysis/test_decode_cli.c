/* test_decode_cli.c - `negcap --decode` run as a program on every auth header of the lab
 * samples (text and --json, the JSON checked by Python's json module), its exit codes,
 * stdin input, secret hiding; plus the tree/JSON printers swept over cut and corrupted
 * real tokens in-process (ASan/UBSan builds catch any bad read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/classify.h"
#include "negscope/json.h"
#include "negscope/token.h"
#include "negscope/tree.h"

#define NEGCAP NEGSCOPE_BUILD_DIR "/capture/negcap"

/* Runs a shell command; returns the exit status and stdout (malloc'ed) in *out. */
static int run(const char *cmd, char **out)
{
	FILE *fp = popen(cmd, "r");
	size_t cap = 4096, len = 0, n;
	char *b = malloc(cap);
	int rc;

	assert_non_null(fp);
	assert_non_null(b);
	while ((n = fread(b + len, 1, cap - len - 1, fp)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
	}
	b[len] = '\0';
	rc = pclose(fp);
	*out = b;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int setup(void **state)
{
	(void)state;
	return access(NEGCAP, X_OK) == 0 ? 0 : -1;
}

static void test_samples_text_and_json(void **state)
{
	char **list = authtok_sample_pcaps();
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	char jpath[] = "/tmp/negscope-decode-json-XXXXXX", cmd[65536], line[512], pycmd[1024];
	FILE *jf;
	size_t i, j, runs = 0;
	int fd;

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	if (list == NULL) {
		free(t);
		free(buf);
		skip();
	}
	fd = mkstemp(jpath);
	assert_true(fd >= 0);
	jf = fdopen(fd, "w");
	for (i = 0; list[i] != NULL; i++) {
		struct authtok_set set;

		assert_int_equal(authtok_from_pcap(list[i], &set), 0);
		for (j = 0; j < set.n; j++) {
			char *out, want[600];
			int rc;

			(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)),
						    buf, CAP_TOKEN_MAX_BYTES, t);
			(void)cap_classify(t, line, sizeof(line));
			snprintf(cmd, sizeof(cmd), "'%s' --decode '%s'", NEGCAP, set.v[j].line);
			rc = run(cmd, &out);
			assert_int_equal(rc, 0);
			snprintf(want, sizeof(want), "  classification: %s\n", line);
			assert_non_null(strstr(out, want));
			free(out);
			snprintf(cmd, sizeof(cmd), "'%s' --json --decode '%s'", NEGCAP, set.v[j].line);
			assert_int_equal(run(cmd, &out), 0);
			/* One line per run; Python checks it below together with the expected line. */
			fprintf(jf, "%s", out);
			{
				struct cap_json js;

				cap_json_init_file(&js, jf);
				cap_json_str(&js, line);
				assert_int_equal(cap_json_end_line(&js), CAP_JSON_OK);
			}
			free(out);
			runs++;
		}
		authtok_set_free(&set);
	}
	fclose(jf);
	snprintf(pycmd, sizeof(pycmd),
		 "python3 -c \"import json\n"
		 "ls=open('%s',encoding='utf-8').read().splitlines()\n"
		 "assert len(ls)%%2==0 and ls\n"
		 "for o,w in zip(ls[0::2],ls[1::2]):\n"
		 "  o=json.loads(o); w=json.loads(w)\n"
		 "  assert o['status']=='ok',o\n"
		 "  tk=o['inputs'][0]['tokens'][0]['token']\n"
		 "  assert tk['classification']==w,(tk['classification'],w)\n"
		 "  assert tk['status']=='ok'\n\"",
		 jpath);
	if (system("python3 -c 'import json' >/dev/null 2>&1") == 0)
		assert_int_equal(system(pycmd), 0);
	unlink(jpath);
	print_message("%zu header lines decoded by negcap (text and JSON)\n", runs);
	assert_true(runs >= 20);
	authtok_free_list(list);
	free(buf);
	free(t);
}

static void test_exit_codes(void **state)
{
	char cmd[1024], *out;
	char *b64;
	struct gss_leg legs[4];
	int n;

	(void)state;
	assert_int_equal(run("'" NEGCAP "' --decode 2>/dev/null", &out), 2);
	free(out);
	assert_int_equal(run("'" NEGCAP "' --decode x --bogus 2>/dev/null", &out), 2);
	free(out);
	assert_int_equal(run("'" NEGCAP "' --decode 'zzzz' 2>/dev/null", &out), 3);
	assert_non_null(strstr(out, "not a SPNEGO, Kerberos or NTLMSSP token"));
	free(out);
	assert_int_equal(run("'" NEGCAP "' --decode 'Authorization: Negotiate YII%AA' 2>/dev/null",
			     &out), 3);
	assert_non_null(strstr(out, "offset 13"));
	free(out);
	assert_int_equal(run("'" NEGCAP "' --decode 'Host: x' 2>/dev/null", &out), 3);
	free(out);
	assert_int_equal(run("'" NEGCAP "' --decode WWW-Authenticate: Negotiate, NTLM", &out), 0);
	assert_non_null(strstr(out, "challenge 2: NTLM"));
	free(out);
	n = gssgen_ntlm(0, "EXAMPLE:gina:pw", "HTTP@intranet.example.test", legs, 4);
	if (n < 2)
		return;
	/* A CHALLENGE cut short (whole base64 quanta): decoded with a problem. */
	b64 = authtok_b64(legs[1].p, legs[1].len - legs[1].len % 3 - 12);
	snprintf(cmd, sizeof(cmd), "'%s' --decode 'WWW-Authenticate: NTLM %s' 2>/dev/null", NEGCAP,
		 b64);
	assert_int_equal(run(cmd, &out), 1);
	assert_non_null(strstr(out, "status: truncated"));
	free(out);
	/* One good and one bad challenge: 1. */
	free(b64);
	b64 = authtok_b64(legs[0].p, legs[0].len);
	snprintf(cmd, sizeof(cmd), "'%s' --decode 'NTLM %s, Negotiate Zm9v' 2>/dev/null", NEGCAP,
		 b64);
	assert_int_equal(run(cmd, &out), 1);
	free(out);
	/* Hex on stdin, wrapped over lines. */
	{
		char path[] = "/tmp/negscope-decode-in-XXXXXX";
		int fd = mkstemp(path);
		FILE *fp = fdopen(fd, "w");
		size_t k;

		for (k = 0; k < legs[0].len; k++)
			fprintf(fp, "%02x%s", legs[0].p[k], k % 16 == 15 ? "\n" : " ");
		fclose(fp);
		snprintf(cmd, sizeof(cmd), "'%s' --decode - < '%s'", NEGCAP, path);
		assert_int_equal(run(cmd, &out), 0);
		assert_non_null(strstr(out, "classification: NTLM NEGOTIATE (raw)"));
		free(out);
		unlink(path);
	}
	free(b64);
	gssgen_free(legs, n);
}

/* Several header lines on stdin, as copied from browser dev tools. */
static void test_stdin_lines_and_secrets(void **state)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(1, "EXAMPLE:hank:s3cret", "HTTP@intranet.example.test", legs, 8);
	char path[] = "/tmp/negscope-decode-lines-XXXXXX", cmd[512], *out, proof[40];
	struct cap_token *t = malloc(sizeof(*t));
	FILE *fp;
	int fd, i;
	size_t k;

	(void)state;
	assert_non_null(t);
	if (n < 3) {
		free(t);
		skip();
	}
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	for (i = 0; i < 3; i++) {
		char *b = authtok_b64(legs[i].p, legs[i].len);

		fprintf(fp, "%s: Negotiate %s\r\n", i == 1 ? "WWW-Authenticate" : "Authorization", b);
		free(b);
	}
	fprintf(fp, "Authorization: Basic aGFuazpzM2NyZXQ=\r\n"); /* hank:s3cret */
	fclose(fp);
	/* The NTProofStr of the AUTHENTICATE, which must stay hidden. */
	assert_int_equal(cap_token_decode(cap_span_of(legs[2].p, legs[2].len), t), CAP_OK);
	assert_int_equal(t->ntlm.nt_proof.len, 16);
	for (k = 0; k < 16; k++)
		snprintf(proof + 2 * k, 3, "%02x", t->ntlm.nt_proof.p[k]);
	snprintf(cmd, sizeof(cmd), "'%s' --decode - < '%s'", NEGCAP, path);
	assert_int_equal(run(cmd, &out), 0);
	assert_non_null(strstr(out, "NTLM NEGOTIATE (inside Negotiate: NTLM fallback)"));
	assert_non_null(strstr(out, "NTLM CHALLENGE"));
	assert_non_null(strstr(out, "NTLM AUTHENTICATE EXAMPLE\\hank"));
	assert_non_null(strstr(out, "Basic credentials for user \"hank\" (password 6 bytes)"));
	assert_null(strstr(out, proof));
	assert_null(strstr(out, "s3cret"));
	assert_null(strstr(out, "73336372657"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' --json --decode - < '%s'", NEGCAP, path);
	assert_int_equal(run(cmd, &out), 0);
	assert_null(strstr(out, proof));
	assert_null(strstr(out, "733363726574"));
	assert_non_null(strstr(out, "\"nt_proof\":{\"len\":16}"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' --show-secrets --decode - < '%s'", NEGCAP, path);
	assert_int_equal(run(cmd, &out), 0);
	assert_non_null(strstr(out, proof));
	assert_non_null(strstr(out, "733363726574")); /* "s3cret" in hex */
	free(out);
	unlink(path);
	gssgen_free(legs, n);
	free(t);
}

/* The printers on every prefix and byte flip of real tokens. */
static void test_tree_sweeps(void **state)
{
	char **list = authtok_sample_pcaps();
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	char *jbuf = malloc(1 << 16);
	FILE *devnull = fopen("/dev/null", "w");
	size_t i, j, k, swept = 0;

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	assert_non_null(jbuf);
	assert_non_null(devnull);
	for (i = 0; list != NULL && list[i] != NULL; i++) {
		struct authtok_set set;

		assert_int_equal(authtok_from_pcap(list[i], &set), 0);
		for (j = 0; j < set.n; j++) {
			size_t len;
			uint8_t *c;

			(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)),
						    buf, CAP_TOKEN_MAX_BYTES, t);
			if (t->no_token || t->raw.len == 0)
				continue;
			len = t->raw.len;
			c = malloc(len);
			assert_non_null(c);
			for (k = 0; k < 2 * len; k++) {
				struct cap_json js;
				size_t cut = k < len ? k : len;

				memcpy(c, t->raw.p, len);
				if (k >= len)
					c[k - len] ^= 0xff;
				{
					struct cap_token *u = malloc(sizeof(*u));
					uint8_t *exact = malloc(cut > 0 ? cut : 1);

					memcpy(exact, c, cut);
					(void)cap_token_decode(cap_span_of(exact, cut), u);
					cap_tree_print(devnull, u, CAP_TREE_SHOW_SECRETS, 1);
					cap_json_init_buf(&js, jbuf, 1 << 16);
					cap_tree_json(&js, u, CAP_TREE_SHOW_SECRETS);
					assert_int_equal(cap_json_end_line(&js), CAP_JSON_OK);
					free(exact);
					free(u);
				}
			}
			free(c);
			swept++;
		}
		authtok_set_free(&set);
	}
	fclose(devnull);
	authtok_free_list(list);
	free(jbuf);
	free(buf);
	free(t);
	print_message("printers swept over %zu tokens\n", swept);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_text_and_json),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_stdin_lines_and_secrets),
		cmocka_unit_test(test_tree_sweeps),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
