/* decode_cmd.c - `negcap --decode VALUE [--json] [--show-secrets]`: decode one pasted
 * HTTP authentication token or header and print it as a tree (or one JSON object).
 *
 * VALUE is a whole header line (`Authorization: Negotiate YII...`), a header value (one or
 * several challenges: `Negotiate oYG..., NTLM`), a bare base64 token, or hex.  `-` reads
 * it from stdin (at most CAP_DECODE_MAX_INPUT bytes); there, several header lines (one
 * per line, as copied from browser dev tools) are decoded one by one.  Unquoted words
 * after --decode are joined with spaces, so `negcap --decode Authorization: Negotiate YII..`
 * works without quotes.
 *
 * Exit status:
 *   0  every token decoded cleanly (a challenge without a token counts as clean)
 *   1  decoded, with problems: a layer was cut short, malformed or not decodable, or some
 *      of several challenges/lines failed (the output says which)
 *   2  usage error
 *   3  undecodable input: nothing could be decoded (not a header, bad base64/hex, not a
 *      SPNEGO/Kerberos/NTLMSSP token), or stdin could not be read
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/decode_cmd.h"
#include "cli/key_opts.h"
#include "cli/limit_opts.h"
#include "negscope/classify.h"
#include "negscope/dynbuf.h"
#include "negscope/json.h"
#include "negscope/report.h"
#include "negscope/token.h"
#include "negscope/tree.h"

#define CAP_DECODE_MAX_INPUT (1024u * 1024u)
#define PROG "negcap --decode"

struct decode_opts {
	int json;
	unsigned tree_flags;
};

/* Per-run state: the outcome over all tokens, and the JSON writer. */
struct decode_run {
	struct decode_opts o;
	struct cap_json j;
	struct cap_token *tok;
	uint8_t *buf;
	size_t bufcap;               /* --max-token */
	struct cap_der_limits der;   /* --max-der-depth, --max-der-elements (0: defaults) */
	struct cap_krb_keyset *keys; /* --keytab, --password-for; NULL none */
	unsigned ok, problems, undecodable;
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: negcap --decode VALUE [--json] [--show-secrets] [--max-token B]\n"
		"                             [--max-der-depth N] [--max-der-elements N]\n"
		"  VALUE: a header line (\"Authorization: Negotiate YII...\"), a header value,\n"
		"         a base64 token, or hex; '-' reads it from stdin\n"
		"  --json          one JSON object instead of the text tree\n"
		"  --show-secrets  print NTLM responses, keys, MICs, encrypted parts, passwords\n"
		"  --max-token B, --max-der-depth N, --max-der-elements N\n"
		"                  decode caps, as for captures (defaults 64K, 32, 4096)\n"
		"  --keytab FILE, --password-for ACCOUNT [--password-file F] [--salt S]\n"
		"                  the server's keys: why an AP-REQ's ticket does or does not\n"
		"                  decrypt, and what it carries (an AP-REP on a later line of\n"
		"                  the same input is checked with its session key)\n"
		"exit: 0 decoded, 1 decoded with problems, 2 usage, 3 undecodable input\n");
}

/* Counts one decoded token into the run's outcome. */
static void tally(struct decode_run *r, const struct cap_token *t)
{
	if (!t->recognised)
		r->undecodable++;
	else if (t->status != CAP_OK)
		r->problems++;
	else
		r->ok++;
}

static void print_token(struct decode_run *r, const char *heading, const char *scheme,
			const struct cap_token *t)
{
	struct cap_krb_ticket_view v;
	int ap_rep = CAP_APREP_NONE;

	memset(&v, 0, sizeof(v));
	/* One input is one context: an AP-REP after its AP-REQ verifies with the session key. */
	if (r->keys != NULL && t->has_krb && t->krb_msg_type == CAP_KRB_AP_REQ)
		cap_krb_keys_ap_req(r->keys, &t->krb.ap_req, 0, &v);
	else if (r->keys != NULL && t->has_krb && t->krb_msg_type == CAP_KRB_AP_REP)
		ap_rep = (int)cap_krb_keys_ap_rep(r->keys, &t->krb.ap_rep, 0);
	if (r->o.json) {
		cap_json_obj_begin(&r->j);
		if (scheme != NULL)
			cap_json_kv_str(&r->j, "scheme", scheme);
		cap_json_key(&r->j, "token");
		cap_tree_json(&r->j, t, r->o.tree_flags);
		cap_report_json_ticket(&r->j, &v);
		if (ap_rep != CAP_APREP_NONE)
			cap_json_kv_str(&r->j, "ap_rep", ap_rep == CAP_APREP_VERIFIED ? "verified"
										  : "not-verified");
		cap_json_obj_end(&r->j);
		return;
	}
	printf("%s\n", heading);
	cap_tree_print(stdout, t, r->o.tree_flags, 1);
	cap_report_ticket_text(stdout, &v, ap_rep);
}

/* A failure before any token: the whole input (or line) did not parse. */
static void print_input_error(struct decode_run *r, const char *err)
{
	r->undecodable++;
	if (r->o.json) {
		cap_json_obj_begin(&r->j);
		cap_json_kv_str(&r->j, "status", "malformed");
		cap_json_kv_str(&r->j, "error", err);
		cap_json_obj_end(&r->j);
		return;
	}
	printf("error: %s\n", err);
}

/* Decodes one input (a line, or the whole text). */
static void decode_one(struct decode_run *r, struct cap_span text)
{
	struct cap_token_input *in = malloc(sizeof(*in));
	char heading[160];
	size_t i;

	if (in == NULL) {
		print_input_error(r, "out of memory");
		return;
	}
	(void)cap_token_input_parse(text, in);
	if (r->o.json) {
		cap_json_obj_begin(&r->j);
		cap_json_kv_str(&r->j, "input", cap_token_input_form_name(in->form));
		if (in->form == CAP_INPUT_HEADER_LINE)
			cap_json_kv_str(&r->j, "header", cap_authhdr_header_name(in->header));
		cap_json_kv_arr_begin(&r->j, "tokens");
	} else if (in->form == CAP_INPUT_HEADER_LINE) {
		printf("%s header\n", cap_authhdr_header_name(in->header));
	}
	if (in->status != CAP_OK) {
		print_input_error(r, in->err);
	} else if (in->form == CAP_INPUT_BASE64 || in->form == CAP_INPUT_HEX) {
		(void)cap_token_decode_encoded_capped(in->bare, in->form == CAP_INPUT_HEX, r->buf,
						      r->bufcap, r->tok, &r->der);
		snprintf(heading, sizeof(heading), "token (%s):",
			 in->form == CAP_INPUT_HEX ? "hex" : "base64");
		print_token(r, heading, NULL, r->tok);
		tally(r, r->tok);
	} else {
		for (i = 0; i < in->hdr.n; i++) {
			const struct cap_auth_challenge *ch = &in->hdr.ch[i];
			const char *sn = cap_auth_scheme_name(ch->kind);

			(void)cap_token_decode_challenge_capped(ch, r->buf, r->bufcap, r->tok,
								   &r->der);
			snprintf(heading, sizeof(heading), "%s %zu: %.*s", 
				 in->form == CAP_INPUT_HEADER_LINE &&
						 (in->header == CAP_HDR_AUTHORIZATION ||
						  in->header == CAP_HDR_PROXY_AUTHORIZATION)
					 ? "credentials"
					 : "challenge",
				 i + 1, (int)(ch->scheme.len > 40 ? 40 : ch->scheme.len),
				 (const char *)ch->scheme.p);
			print_token(r, heading, ch->kind == CAP_AUTH_OTHER ? NULL : sn, r->tok);
			tally(r, r->tok);
		}
		if (in->hdr.status == CAP_LIMIT) {
			if (!r->o.json)
				printf("note: %s\n", in->hdr.err);
			r->problems++;
		}
	}
	if (r->o.json) {
		cap_json_arr_end(&r->j);
		cap_json_obj_end(&r->j);
	}
	free(in);
}

/* Hands over the text of b (never NULL: "" when empty), or NULL with *err set. */
static char *take_text(struct cap_dynbuf *b, size_t *len_out, const char **err)
{
	char *p = cap_dynbuf_take(b, len_out);

	if (p == NULL)
		p = calloc(1, 1);
	if (p == NULL)
		*err = "out of memory";
	return p;
}

/* Reads all of stdin, up to the cap. */
static char *read_stdin(size_t *len_out, const char **err)
{
	struct cap_dynbuf b;
	char chunk[4096];
	size_t n;

	cap_dynbuf_init(&b, CAP_DECODE_MAX_INPUT);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		switch (cap_dynbuf_add(&b, chunk, n)) {
		case CAP_DYN_OK:
			continue;
		case CAP_DYN_TOO_LARGE:
			*err = "input on stdin is larger than 1 MiB";
			break;
		case CAP_DYN_NOMEM:
			*err = "out of memory";
			break;
		}
		cap_dynbuf_free(&b);
		return NULL;
	}
	if (ferror(stdin)) {
		cap_dynbuf_free(&b);
		*err = "cannot read stdin";
		return NULL;
	}
	return take_text(&b, len_out, err);
}

/* Several header lines on stdin: decode each; else the whole text is one input. */
static void decode_text(struct decode_run *r, struct cap_span text)
{
	struct cap_cursor c = cap_cur_from_span(text);
	enum cap_auth_header which;
	struct cap_span v, first;
	size_t i = 0, lines = 0;

	while (cap_cur_peek(&c, i) >= 0 && cap_cur_peek(&c, i) != '\n')
		i++;
	first = cap_cur_span(&c, i);
	if (cap_cur_left(&c) == 0 || !cap_authhdr_split_line(first, &which, &v)) {
		decode_one(r, text);
		return;
	}
	c = cap_cur_from_span(text);
	while (cap_cur_left(&c) > 0) {
		struct cap_span line;
		struct cap_cursor lc;
		int nonblank = 0;

		i = 0;
		while (cap_cur_peek(&c, i) >= 0 && cap_cur_peek(&c, i) != '\n')
			i++;
		line = cap_cur_span(&c, i);
		if (cap_cur_left(&c) > 0)
			(void)cap_cur_u8(&c);
		lc = cap_cur_from_span(line);
		while (cap_cur_left(&lc) > 0) {
			int b = cap_cur_u8(&lc);

			if (b != ' ' && b != '\t' && b != '\r')
				nonblank = 1;
		}
		if (!nonblank)
			continue;
		if (lines++ > 0 && !r->o.json)
			printf("\n");
		decode_one(r, line);
	}
}

static int run(struct decode_run *r, struct cap_span text)
{
	enum cap_json_status js = CAP_JSON_OK;

	if (r->o.json) {
		cap_json_init_file(&r->j, stdout);
		cap_json_obj_begin(&r->j);
		cap_json_kv_arr_begin(&r->j, "inputs");
	}
	decode_text(r, text);
	if (r->o.json) {
		const char *st = r->undecodable > 0 && r->ok + r->problems == 0 ? "undecodable"
				 : r->problems + r->undecodable > 0		 ? "problems"
										 : "ok";

		cap_json_arr_end(&r->j);
		cap_json_kv_str(&r->j, "status", st);
		cap_json_obj_end(&r->j);
		js = cap_json_end_line(&r->j);
	}
	fflush(stdout);
	if (js != CAP_JSON_OK || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write output (%s)\n", cap_json_status_name(js));
		return 3;
	}
	if (r->ok + r->problems == 0) {
		fprintf(stderr, PROG ": nothing could be decoded\n");
		return 3;
	}
	return r->problems + r->undecodable > 0 ? 1 : 0;
}

/* Joins the positional words with single spaces into a new string. */
static char *join_words(char **w, int n, size_t *len_out, const char **err)
{
	struct cap_dynbuf b;
	int i;

	cap_dynbuf_init(&b, CAP_DECODE_MAX_INPUT);
	for (i = 0; i < n; i++) {
		if ((i > 0 && cap_dynbuf_addc(&b, ' ') != CAP_DYN_OK) ||
		    cap_dynbuf_adds(&b, w[i]) != CAP_DYN_OK) {
			*err = cap_dynbuf_hit(&b) ? "the value is larger than 1 MiB"
						    : "out of memory";
			cap_dynbuf_free(&b);
			return NULL;
		}
	}
	return take_text(&b, len_out, err);
}

int negcap_decode_main(int argc, char **argv)
{
	struct decode_run r;
	struct cap_pipeline_limits plim;
	struct cap_analysis_limits alim;
	struct negcap_keys keyo;
	char **words;
	int nwords = 0, i, seen_decode = 0, rc, ko;
	char *text = NULL;
	size_t tlen = 0;
	const char *err = NULL;

	memset(&r, 0, sizeof(r));
	memset(&plim, 0, sizeof(plim));
	memset(&alim, 0, sizeof(alim));
	memset(&keyo, 0, sizeof(keyo));
	words = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*words));
	if (words == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 3;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--decode") == 0 && !seen_decode)
			seen_decode = 1;
		else if (strncmp(argv[i], "--decode=", 9) == 0 && !seen_decode) {
			seen_decode = 1;
			words[nwords++] = argv[i] + 9;
		} else if (strcmp(argv[i], "--json") == 0)
			r.o.json = 1;
		else if (strcmp(argv[i], "--show-secrets") == 0)
			r.o.tree_flags |= CAP_TREE_SHOW_SECRETS;
		else if (strncmp(argv[i], "--", 2) == 0 &&
			 (ko = negcap_key_opt(argv[i] + 2, strcspn(argv[i] + 2, "="),
					     strchr(argv[i], '=') != NULL ? strchr(argv[i], '=') + 1
					     : (i + 1 < argc ? argv[i + 1] : NULL), &keyo)) != 0) {
			if (ko < 0) {
				free(words);
				return 2;
			}
			if (strchr(argv[i], '=') == NULL)
				i++;
		}
		else if (strncmp(argv[i], "--max-", 6) == 0) {
			const char *name = argv[i] + 2, *eq = strchr(name, '=');
			size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
			const char *val = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
			int k = negcap_limit_opt(name, nlen, val, true, &plim, &alim);

			if (k <= 0) {
				if (k == 0)
					fprintf(stderr, PROG ": unknown option %s\n", argv[i]);
				usage(stderr);
				free(words);
				return 2;
			}
			if (eq == NULL)
				i++;
		}
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			free(words);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, PROG ": unknown option %s\n", argv[i]);
			usage(stderr);
			free(words);
			return 2;
		} else
			words[nwords++] = argv[i];
	}
	if (nwords == 0) {
		fprintf(stderr, PROG ": no VALUE given (use - to read it from stdin)\n");
		usage(stderr);
		free(words);
		return 2;
	}
	if (nwords == 1 && strcmp(words[0], "-") == 0)
		text = read_stdin(&tlen, &err);
	else
		text = join_words(words, nwords, &tlen, &err);
	free(words);
	if (text == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return 3;
	}
	if (negcap_keys_load(&keyo, &r.keys) != 0) {
		free(text);
		return 2;
	}
	r.bufcap = alim.decode.max_token != 0 ? alim.decode.max_token : CAP_TOKEN_MAX_BYTES;
	r.der.max_depth = (unsigned)alim.decode.max_der_depth;
	r.der.max_elems = (unsigned)alim.decode.max_der_elems;
	r.tok = malloc(sizeof(*r.tok));
	r.buf = malloc(r.bufcap);
	if (r.tok == NULL || r.buf == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = 3;
	} else {
		rc = run(&r, cap_span_of(text, tlen));
	}
	free(r.tok);
	free(r.buf);
	free(text);
	cap_krb_keyset_free(r.keys);
	return rc;
}
