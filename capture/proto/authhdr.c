/* authhdr.c - WWW-Authenticate / Authorization value parser (RFC 7235 §2.1, RFC 4559). */
#include <stdio.h>
#include <string.h>

#include "negscope/authhdr.h"
#include "negscope/tok.h"

/* tchar (RFC 9110 §5.6.2). */
static int is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c >= 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL && c != 0;
}

/* token68 characters other than the trailing '=' (RFC 7235 §2.1). */
static int is_t68char(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

static int is_ows(int c)
{
	return c == ' ' || c == '\t';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int cap_span_ieq(struct cap_span s, const char *lit)
{
	struct cap_cursor c = cap_cur_from_span(s);
	size_t n = strlen(lit), i;

	if (s.len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(cap_cur_u8(&c)) != lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

void cap_authhdr_init(struct cap_authhdr *h)
{
	/* Only the bookkeeping: ch[] is some 45 KiB, written an entry at a time as
	 * challenges are appended; clearing it for every response showed in profiles. */
	h->n = 0;
	h->max_challenges = CAP_AUTH_MAX_CHALLENGES;
	h->nheaders = 0;
	h->dropped = 0;
	h->challenges_dropped = 0;
	h->status = CAP_OK;
	h->err_offset = 0;
	h->err[0] = '\0';
}

void cap_authhdr_set_max(struct cap_authhdr *h, size_t max_challenges)
{
	if (max_challenges == 0)
		max_challenges = CAP_AUTH_MAX_CHALLENGES;
	if (max_challenges > CAP_AUTH_MAX_CHALLENGES_LIMIT)
		max_challenges = CAP_AUTH_MAX_CHALLENGES_LIMIT;
	h->max_challenges = max_challenges;
}

enum cap_auth_scheme cap_authhdr_scheme_of(struct cap_span scheme)
{
	if (cap_span_ieq(scheme, "Negotiate"))
		return CAP_AUTH_NEGOTIATE;
	if (cap_span_ieq(scheme, "NTLM"))
		return CAP_AUTH_NTLM;
	if (cap_span_ieq(scheme, "Kerberos"))
		return CAP_AUTH_KERBEROS;
	if (cap_span_ieq(scheme, "Basic"))
		return CAP_AUTH_BASIC;
	if (cap_span_ieq(scheme, "Digest"))
		return CAP_AUTH_DIGEST;
	if (cap_span_ieq(scheme, "Bearer"))
		return CAP_AUTH_BEARER;
	return CAP_AUTH_OTHER;
}

static const struct cap_tok scheme_names[] = {
	{CAP_AUTH_NONE, "none"},
	{CAP_AUTH_NEGOTIATE, "Negotiate"},
	{CAP_AUTH_NTLM, "NTLM"},
	{CAP_AUTH_KERBEROS, "Kerberos"},
	{CAP_AUTH_BASIC, "Basic"},
	{CAP_AUTH_DIGEST, "Digest"},
	{CAP_AUTH_BEARER, "Bearer"},
	{CAP_AUTH_OTHER, "other"},
	{0, NULL},
};

const char *cap_auth_scheme_name(enum cap_auth_scheme k)
{
	return cap_tok_name(scheme_names, k, "other");
}

/* The header names negscope reads (RFC 9110 §11.6, §11.7). */
static const struct cap_tok header_names[] = {
	{ CAP_HDR_WWW_AUTHENTICATE, "WWW-Authenticate" },
	{ CAP_HDR_AUTHORIZATION, "Authorization" },
	{ CAP_HDR_PROXY_AUTHENTICATE, "Proxy-Authenticate" },
	{ CAP_HDR_PROXY_AUTHORIZATION, "Proxy-Authorization" },
	{ 0, NULL },
};

const char *cap_authhdr_header_name(enum cap_auth_header h)
{
	return cap_tok_name(header_names, h, "unknown");
}

/* Parser state over one value; pos is the offset of the cursor in the value. */
struct ah_parse {
	struct cap_cursor c;
	size_t pos;
	struct cap_authhdr *h;
};

static int peek(const struct ah_parse *p, size_t i)
{
	return cap_cur_peek(&p->c, i);
}

static void advance(struct ah_parse *p, size_t n)
{
	(void)cap_cur_skip(&p->c, n);
	p->pos += n;
}

static struct cap_span take(struct ah_parse *p, size_t n)
{
	struct cap_span s = cap_cur_span(&p->c, n);

	p->pos += n;
	return s;
}

static void skip_ows(struct ah_parse *p)
{
	while (is_ows(peek(p, 0)))
		advance(p, 1);
}

static size_t scan(const struct ah_parse *p, size_t from, int (*pred)(int))
{
	size_t i = from;

	while (pred(peek(p, i)))
		i++;
	return i;
}

static enum cap_status fail(struct ah_parse *p, const char *what)
{
	struct cap_authhdr *h = p->h;
	int c = peek(p, 0);

	if (h->status == CAP_OK || h->status == CAP_LIMIT) {
		h->status = CAP_MALFORMED;
		h->err_offset = p->pos;
		if (c > 0x20 && c < 0x7f)
			snprintf(h->err, sizeof(h->err), "auth header: %s at offset %zu ('%c')",
				 what, p->pos, c);
		else if (c >= 0)
			snprintf(h->err, sizeof(h->err), "auth header: %s at offset %zu (byte 0x%02x)",
				 what, p->pos, (unsigned)c);
		else
			snprintf(h->err, sizeof(h->err), "auth header: %s at end of value", what);
	}
	return CAP_MALFORMED;
}

static void limit(struct cap_authhdr *h, const char *what)
{
	h->dropped++;
	if (h->status == CAP_OK) {
		h->status = CAP_LIMIT;
		snprintf(h->err, sizeof(h->err), "auth header: more than %s; extra ones ignored",
			 what);
	}
}

/* quoted-string; on success the span is the inside of the quotes. */
static int parse_quoted(struct ah_parse *p, struct cap_span *out)
{
	size_t i = 1;
	int c;

	for (;;) {
		c = peek(p, i);
		if (c < 0)
			return 0;
		if (c == '"')
			break;
		if (c == '\\') {
			if (peek(p, i + 1) < 0)
				return 0;
			i += 2;
			continue;
		}
		/* qdtext excludes CTLs other than HTAB. */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
		i++;
	}
	advance(p, 1);
	*out = take(p, i - 1);
	advance(p, 1);
	return 1;
}

/* Skips empty list elements: OWS and commas. Returns 1 when a comma was seen. */
static int skip_list_sep(struct ah_parse *p)
{
	int comma = 0;

	for (;;) {
		skip_ows(p);
		if (peek(p, 0) != ',')
			return comma;
		comma = 1;
		advance(p, 1);
	}
}

/* After the scheme: token68 if it is one (ends the challenge), else the auth-params.
 * Returns 0 on a syntax error. */
static int parse_challenge_body(struct ah_parse *p, struct cap_auth_challenge *ch,
				const char **why)
{
	size_t j = scan(p, 0, is_t68char), k = j, m;

	while (peek(p, k) == '=')
		k++;
	m = k;
	while (is_ows(peek(p, m)))
		m++;
	if (j > 0 && (peek(p, m) < 0 || peek(p, m) == ',')) {
		/* token68: its '=' padding is not followed by a param value. */
		ch->has_token68 = 1;
		ch->token68 = take(p, k);
		return 1;
	}
	for (;;) {
		size_t n = scan(p, 0, is_tchar), e = n;
		struct cap_auth_param prm;

		while (is_ows(peek(p, e)))
			e++;
		if (n == 0 || peek(p, e) != '=') {
			/* Point at the character that is neither token68 nor "name=". */
			if (n > 0 && j < n && ch->nparams == 0) {
				advance(p, j);
				*why = "character not allowed in a token68 (base64) token";
			} else {
				advance(p, n == 0 ? 0 : e);
				*why = "expected a token68 or name=value auth-param";
			}
			return 0;
		}
		memset(&prm, 0, sizeof(prm));
		prm.name = take(p, n);
		skip_ows(p);
		advance(p, 1);
		skip_ows(p);
		if (peek(p, 0) == '"') {
			if (!parse_quoted(p, &prm.value)) {
				*why = "unterminated or invalid quoted string";
				return 0;
			}
			prm.quoted = 1;
		} else {
			size_t v = scan(p, 0, is_tchar);

			if (v == 0) {
				*why = "expected a token or quoted string after '='";
				return 0;
			}
			prm.value = take(p, v);
		}
		if (ch->nparams < CAP_AUTH_MAX_PARAMS)
			ch->params[ch->nparams++] = prm;
		else
			limit(p->h, "16 parameters in a challenge");
		skip_ows(p);
		if (peek(p, 0) < 0)
			return 1;
		if (peek(p, 0) != ',') {
			*why = "expected ',' after an auth-param";
			return 0;
		}
		/* Look past the commas: another param, or the next challenge's scheme. */
		{
			size_t save_pos = p->pos;
			struct cap_cursor save = p->c;
			size_t t, e2;

			(void)skip_list_sep(p);
			t = scan(p, 0, is_tchar);
			e2 = t;
			while (is_ows(peek(p, e2)))
				e2++;
			if (t == 0 || peek(p, e2) != '=') {
				p->c = save;
				p->pos = save_pos;
				return 1;
			}
		}
	}
}

enum cap_status cap_authhdr_parse(struct cap_authhdr *h, enum cap_auth_header which,
				  struct cap_span value)
{
	struct ah_parse p;
	unsigned idx = h->nheaders++;
	size_t n_before = h->n, dropped_before = h->dropped;

	p.c = cap_cur_from_span(value);
	p.pos = 0;
	p.h = h;
	for (;;) {
		struct cap_auth_challenge ch;
		size_t n;

		(void)skip_list_sep(&p);
		skip_ows(&p);
		if (peek(&p, 0) < 0)
			break;
		n = scan(&p, 0, is_tchar);
		if (n == 0)
			return fail(&p, "expected an authentication scheme name");
		memset(&ch, 0, sizeof(ch));
		ch.scheme = take(&p, n);
		ch.kind = cap_authhdr_scheme_of(ch.scheme);
		ch.header = which;
		ch.header_index = idx;
		if (is_ows(peek(&p, 0))) {
			const char *why = "bad token68 or auth-param";

			skip_ows(&p);
			if (peek(&p, 0) >= 0 && peek(&p, 0) != ',' &&
			    !parse_challenge_body(&p, &ch, &why)) {
				if (h->n < h->max_challenges)
					h->ch[h->n++] = ch;
				return fail(&p, why);
			}
		}
		skip_ows(&p);
		if (peek(&p, 0) >= 0 && peek(&p, 0) != ',') {
			if (h->n < h->max_challenges)
				h->ch[h->n++] = ch;
			return fail(&p, "unexpected character after challenge");
		}
		if (h->n < h->max_challenges)
			h->ch[h->n++] = ch;
		else {
			char what[32];

			snprintf(what, sizeof(what), "%zu challenges", h->max_challenges);
			limit(h, what);
			h->challenges_dropped++;
		}
	}
	if (h->n == n_before && h->dropped == dropped_before) {
		if (h->status == CAP_OK || h->status == CAP_LIMIT) {
			h->status = CAP_MALFORMED;
			h->err_offset = 0;
			snprintf(h->err, sizeof(h->err), "auth header: empty value (no scheme)");
		}
		return CAP_MALFORMED;
	}
	return h->dropped > dropped_before ? CAP_LIMIT : CAP_OK;
}

int cap_authhdr_split_line(struct cap_span line, enum cap_auth_header *which,
			   struct cap_span *value)
{
	struct cap_cursor c = cap_cur_from_span(line);
	struct cap_span name;
	size_t i = 0, end;
	const struct cap_tok *k;

	while (cap_cur_peek(&c, 0) == ' ' || cap_cur_peek(&c, 0) == '\t')
		(void)cap_cur_u8(&c);
	while (cap_cur_peek(&c, i) >= 0 && cap_cur_peek(&c, i) != ':')
		i++;
	if (cap_cur_peek(&c, i) != ':')
		return 0;
	name = cap_cur_span(&c, i);
	(void)cap_cur_u8(&c);
	for (k = header_names; k->s != NULL; k++) {
		if (!cap_span_ieq(name, k->s))
			continue;
		while (cap_cur_peek(&c, 0) == ' ' || cap_cur_peek(&c, 0) == '\t')
			(void)cap_cur_u8(&c);
		end = cap_cur_left(&c);
		while (end > 0 && (cap_cur_peek(&c, end - 1) == ' ' ||
				   cap_cur_peek(&c, end - 1) == '\t' ||
				   cap_cur_peek(&c, end - 1) == '\r' ||
				   cap_cur_peek(&c, end - 1) == '\n'))
			end--;
		*which = (enum cap_auth_header)k->v;
		*value = cap_cur_span(&c, end);
		return 1;
	}
	return 0;
}

const struct cap_auth_challenge *cap_authhdr_find_token(const struct cap_authhdr *h,
							enum cap_auth_scheme kind)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->ch[i].kind == kind && h->ch[i].has_token68)
			return &h->ch[i];
	return NULL;
}

const struct cap_auth_challenge *cap_authhdr_find(const struct cap_authhdr *h,
						  enum cap_auth_scheme kind)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->ch[i].kind == kind)
			return &h->ch[i];
	return NULL;
}

const struct cap_auth_challenge *cap_authhdr_find_gss_token(const struct cap_authhdr *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		enum cap_auth_scheme k = h->ch[i].kind;

		if (h->ch[i].has_token68 &&
		    (k == CAP_AUTH_NEGOTIATE || k == CAP_AUTH_NTLM || k == CAP_AUTH_KERBEROS))
			return &h->ch[i];
	}
	return NULL;
}

const struct cap_auth_param *cap_auth_param_get(const struct cap_auth_challenge *ch,
						const char *name)
{
	size_t i;

	for (i = 0; i < ch->nparams; i++)
		if (cap_span_ieq(ch->params[i].name, name))
			return &ch->params[i];
	return NULL;
}

size_t cap_auth_unquote(struct cap_span quoted_text, char *out, size_t cap)
{
	struct cap_cursor c = cap_cur_from_span(quoted_text);
	size_t o = 0;

	if (cap == 0)
		return 0;
	while (cap_cur_left(&c) > 0 && o + 1 < cap) {
		int ch = cap_cur_u8(&c);

		if (ch == '\\' && cap_cur_left(&c) > 0)
			ch = cap_cur_u8(&c);
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return o;
}
