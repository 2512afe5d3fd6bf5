/* iisish: a tiny HTTP/1.1 server that answers like IIS Windows authentication, for the lab.
 * Every token is accepted by the real GSS-API (gss_accept_sec_context: MIT krb5, SPNEGO,
 * gss-ntlmssp). It shows what Apache cannot: a 401 offering only "NTLM", the
 * Persistent-Auth header, the 401.1/401.2 pages, and (--error-41) the KRB_AP_ERR_MODIFIED
 * token Windows returns when it cannot decrypt a ticket; MIT would say 31 or 44, so that
 * token is built with krb5_mk_error and labelled in an X-Negscope-Lab header.
 * References: RFC 4559 (HTTP Negotiate), RFC 4178 (SPNEGO), RFC 4121 §4.1 (token framing),
 * RFC 4120 §5.9.1 (KRB-ERROR), MS-N2HT.
 *
 * With --tls-cert/--tls-key it speaks HTTPS (OpenSSL), and --epa require makes it an
 * Extended Protection site as IIS's <extendedProtection tokenChecking="Require">: the
 * tls-server-end-point binding of its certificate (RFC 5929 §4.1) goes to
 * gss_accept_sec_context as input_chan_bindings (RFC 2744 §3.11, RFC 5056), for Kerberos
 * and NTLM alike, and a context that completes without a matching binding is refused the
 * way IIS refuses it: 401.1 with the schemes offered again, the reason only in the server's
 * log (SEC_E_BAD_BINDINGS, 0x80090346).  --epa accept passes the binding but lets clients
 * without one in (IIS's Accept: a wrong binding still fails).
 *
 * usage: iisish --listen ADDR:PORT [--pidfile F] [--offer negotiate,ntlm] [--keytab F]
 *               [--error-41] [--tls-cert PEM --tls-key PEM [--epa accept|require]]
 * One process per connection (fork); SIGTERM stops the server and its connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>
#include <gssapi/gssapi_ext.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX 65536 /* request head cap: larger is answered 400, as HTTP.sys does */
#define IDLE_MS 15000 /* keep-alive idle timeout */

enum epa { EPA_OFF = 0, EPA_ACCEPT, EPA_REQUIRE };

static struct {
	int offer_negotiate, offer_ntlm, error41;
	const char *offer_order[2];
	int n_offer;
	const char *tls_cert, *tls_key;
	enum epa epa;
} opt;

static SSL_CTX *tls_ctx;
/* "tls-server-end-point:" + the hash of our certificate (RFC 5929 §4.1) */
static unsigned char cb_data[21 + EVP_MAX_MD_SIZE];
static size_t cb_len;

static volatile sig_atomic_t stop_flag;

static void on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* snprintf that reports truncation (a broken header would mislead a test) instead of
 * leaving it silent. */
__attribute__((format(printf, 3, 4))) static void bfmt(char *b, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		fprintf(stderr, "iisish: output truncated to %zu bytes\n", cap);
}

/* --- base64 (RFC 4648) ------------------------------------------------------------ */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = b64chars[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64chars[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* Decodes until the first non-alphabet character; returns the byte count or -1. */
static long b64_decode(const char *in, unsigned char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; *in && *in != '='; in++) {
		const char *p = strchr(b64chars, *in);
		if (!p || !*in)
			break;
		acc = acc << 6 | (uint32_t)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return (long)o;
}

/* --- DER helpers for the error-41 token ------------------------------------------- */

static size_t der_len(unsigned char *p, size_t n)
{
	if (n < 128) {
		p[0] = (unsigned char)n;
		return 1;
	}
	if (n < 256) {
		p[0] = 0x81;
		p[1] = (unsigned char)n;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (unsigned char)(n >> 8);
	p[2] = (unsigned char)n;
	return 3;
}

/* Writes tag, length and value at out (cap checked); returns bytes written or 0. */
static size_t der_wrap(unsigned char *out, size_t cap, unsigned char tag, const unsigned char *v,
		       size_t n)
{
	unsigned char l[3];
	size_t ll = der_len(l, n);

	if (n > 0xffff || 1 + ll + n > cap)
		return 0;
	out[0] = tag;
	memcpy(out + 1, l, ll);
	memmove(out + 1 + ll, v, n);
	return 1 + ll + n;
}

static const unsigned char krb5_oid_der[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					     0xf7, 0x12, 0x01, 0x02, 0x02};

/* KRB_AP_ERR_MODIFIED (41) for HTTP/<host>, framed as RFC 4121 token (TOK_ID 03 00) inside
 * a SPNEGO NegTokenResp with negState reject: what IIS sends when it cannot decrypt. */
static char *make_error41_b64(const char *host)
{
	krb5_context kc = NULL;
	krb5_error err;
	krb5_data enc = {0};
	unsigned char a[4096], b[4096];
	size_t n, m;
	char *out = NULL;
	const char text[] = "iisish: KRB_AP_ERR_MODIFIED as Windows sends it (krb5_mk_error)";

	memset(&err, 0, sizeof(err));
	if (krb5_init_context(&kc))
		return NULL;
	if (krb5_sname_to_principal(kc, host, "HTTP", KRB5_NT_SRV_HST, &err.server))
		goto done;
	err.stime = (krb5_timestamp)time(NULL);
	err.error = 41;
	err.text.data = (char *)text;
	err.text.length = sizeof(text) - 1;
	if (krb5_mk_error(kc, &err, &enc) || enc.length + 64 > sizeof(a))
		goto done;
	/* InitialContextToken-style framing: 60 len { OID, 03 00, KRB-ERROR } */
	memcpy(b, krb5_oid_der, sizeof(krb5_oid_der));
	b[sizeof(krb5_oid_der)] = 0x03;
	b[sizeof(krb5_oid_der) + 1] = 0x00;
	memcpy(b + sizeof(krb5_oid_der) + 2, enc.data, enc.length);
	n = der_wrap(a, sizeof(a), 0x60, b, sizeof(krb5_oid_der) + 2 + enc.length);
	/* responseToken [2] OCTET STRING */
	if (!n || !(m = der_wrap(b, sizeof(b), 0x04, a, n)) ||
	    !(n = der_wrap(a, sizeof(a), 0xa2, b, m)))
		goto done;
	/* negState [0] reject(2), supportedMech [1] krb5, responseToken */
	memmove(a + 5 + 2 + sizeof(krb5_oid_der), a, n);
	memcpy(a, "\xa0\x03\x0a\x01\x02", 5);
	a[5] = 0xa1;
	a[6] = (unsigned char)sizeof(krb5_oid_der);
	memcpy(a + 7, krb5_oid_der, sizeof(krb5_oid_der));
	n += 7 + sizeof(krb5_oid_der);
	if (!(m = der_wrap(b, sizeof(b), 0x30, a, n)) || !(n = der_wrap(a, sizeof(a), 0xa1, b, m)))
		goto done;
	out = b64_encode(a, n);
done:
	krb5_free_data_contents(kc, &enc);
	krb5_free_principal(kc, err.server);
	krb5_free_context(kc);
	return out;
}

/* --- HTTP ---------------------------------------------------------------------------- */

struct conn {
	int fd;
	gss_ctx_id_t ctx;
	char scheme[16]; /* scheme of the handshake in progress */
	SSL *ssl;        /* NULL: plain HTTP */
};

static int send_all(struct conn *c, const char *p, size_t n)
{
	int fd = c->fd;

	while (n && c->ssl) {
		int w = SSL_write(c->ssl, p, n > 65536 ? 65536 : (int)n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int respond(struct conn *c, int status, const char *extra_headers, const char *body,
		   int head_only, int close_after)
{
	static char msg[2 * REQ_MAX]; /* one write: head and body in one segment, as IIS */
	const char *reason = status == 200 ? "OK" : status == 401 ? "Unauthorized" : "Bad Request";
	int n = snprintf(msg, sizeof(msg),
			 "HTTP/1.1 %d %s\r\nServer: negscope-iisish\r\n%sContent-Type: text/html\r\n"
			 "Content-Length: %zu\r\n%s\r\n%s",
			 status, reason, extra_headers, strlen(body),
			 close_after ? "Connection: close\r\n" : "", head_only ? "" : body);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	return send_all(c, msg, (size_t)n);
}

static void offers(char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < opt.n_offer && o < cap; i++) {
		bfmt(out + o, cap - o, "WWW-Authenticate: %s\r\n", opt.offer_order[i]);
		o += strlen(out + o);
	}
}

static const char page_401_2[] =
	"<html><body><h1>401 - Unauthorized: Access is denied due to server configuration."
	"</h1><p>HTTP Error 401.2 (negscope lab iisish)</p></body></html>\n";
static const char page_401_1[] =
	"<html><body><h1>401 - Unauthorized: Access is denied due to invalid credentials."
	"</h1><p>HTTP Error 401.1 (negscope lab iisish)</p></body></html>\n";

static int looks_krb5_apreq(const unsigned char *t, size_t n)
{
	static const unsigned char pat[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01,
					    0x02, 0x02, 0x01, 0x00};
	return memmem(t, n, pat, sizeof(pat)) != NULL;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* curl's NTLM AUTHENTICATE has no Version and no MIC: its payload starts at byte 64.
 * gss-ntlmssp 1.2 assumes both are present (payload at 88) and rejects the message. We
 * insert 24 zero bytes and move the six field offsets (MS-NLMP 2.2.1.3): the responses
 * are computed over the challenge, not the layout, so authentication is unchanged.
 * Returns the new length (or n when nothing is to do). */
static size_t ntlm_auth_insert_version_mic(unsigned char *t, size_t n, size_t cap)
{
	const size_t hdr = 64, extra = 24;
	uint32_t lowest = UINT32_MAX;

	if (n < hdr || n + extra > cap || memcmp(t, "NTLMSSP\0\3\0\0\0", 12))
		return n;
	for (size_t f = 12; f <= 52; f += 8)
		if (t[f] | t[f + 1]) /* only fields with a length have a meaningful offset */
			lowest = le32(t + f + 4) < lowest ? le32(t + f + 4) : lowest;
	if (lowest != hdr)
		return n;
	memmove(t + hdr + extra, t + hdr, n - hdr);
	memset(t + hdr, 0, extra);
	for (size_t f = 12; f <= 52; f += 8) {
		uint32_t off = le32(t + f + 4);
		if (off >= hdr)
			off += (uint32_t)extra;
		t[f + 4] = (unsigned char)off;
		t[f + 5] = (unsigned char)(off >> 8);
		t[f + 6] = (unsigned char)(off >> 16);
		t[f + 7] = (unsigned char)(off >> 24);
	}
	return n + extra;
}

static void log_gss(const char *what, OM_uint32 maj, OM_uint32 min)
{
	OM_uint32 lmin, ctx = 0;
	gss_buffer_desc m;

	do {
		gss_display_status(&lmin, min, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &m);
		fprintf(stderr, "iisish: %s: major 0x%x minor %u: %.*s\n", what, maj, min,
			(int)m.length, (char *)m.value);
		gss_release_buffer(&lmin, &m);
	} while (ctx);
}

/* One request with an Authorization header: run the GSS step and answer. */
static int handle_auth(struct conn *c, const char *scheme, const char *b64, const char *host,
		       int head_only, int close_after)
{
	static unsigned char tok[REQ_MAX];
	long n = b64_decode(b64, tok, sizeof(tok));
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 maj, min, lmin, flags = 0;
	static char hdr[2 * REQ_MAX];
	char body[512], *o64;
	struct gss_channel_bindings_struct cb;
	int rc;

	if (n <= 0)
		return respond(c, 400, "", "bad token\n", head_only, 1) ? -1 : 1;
	/* curl's NTLM NEGOTIATE is 32 bytes (no Version field, no payload); gss-ntlmssp 1.2
	 * rejects messages shorter than its 40-byte struct. The Version field is optional
	 * (MS-NLMP 2.2.1.1), so zeros are an exact equivalent. Only this server's copy changes. */
	if (n == 32 && !memcmp(tok, "NTLMSSP\0\1\0\0\0", 12)) {
		memset(tok + 32, 0, 8);
		n = 40;
	}
	n = (long)ntlm_auth_insert_version_mic(tok, (size_t)n, sizeof(tok));
	if (strcasecmp(c->scheme, scheme) != 0 && c->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&lmin, &c->ctx, GSS_C_NO_BUFFER);
	bfmt(c->scheme, sizeof(c->scheme), "%s", scheme);
	in.value = tok;
	in.length = (size_t)n;
	/* Extended Protection: our certificate's binding, addresses unspecified as Windows */
	memset(&cb, 0, sizeof(cb));
	cb.application_data.value = cb_data;
	cb.application_data.length = cb_len;
	maj = gss_accept_sec_context(&min, &c->ctx, GSS_C_NO_CREDENTIAL, &in,
				     c->ssl && opt.epa != EPA_OFF ? &cb : GSS_C_NO_CHANNEL_BINDINGS,
				     &src, NULL, &out, &flags, NULL, NULL);
	if (maj == GSS_S_COMPLETE && c->ssl && opt.epa == EPA_REQUIRE &&
	    !(flags & GSS_C_CHANNEL_BOUND_FLAG)) {
		/* the client sent no binding (a wrong one already failed above): IIS with
		 * Require refuses the logon and names the reason only in its log */
		fprintf(stderr, "iisish: extended protection: %s context without channel "
			"binding refused (IIS: 401.1, SEC_E_BAD_BINDINGS 0x80090346)\n", scheme);
		maj = GSS_S_BAD_BINDINGS;
		gss_release_buffer(&lmin, &out);
	}
	o64 = out.length ? b64_encode(out.value, out.length) : NULL;
	gss_release_buffer(&lmin, &out);
	if (maj == GSS_S_CONTINUE_NEEDED) {
		bfmt(hdr, sizeof(hdr), "WWW-Authenticate: %s %s\r\n", scheme, o64 ? o64 : "");
		rc = respond(c, 401, hdr, page_401_1, head_only, close_after);
	} else if (maj == GSS_S_COMPLETE) {
		gss_buffer_desc nm = GSS_C_EMPTY_BUFFER;
		gss_display_name(&lmin, src, &nm, NULL);
		bfmt(body, sizeof(body), "negscope lab iisish: authenticated as %.*s\n",
			 (int)nm.length, nm.value ? (char *)nm.value : "");
		gss_release_buffer(&lmin, &nm);
		if (o64)
			bfmt(hdr, sizeof(hdr), "WWW-Authenticate: %s %s\r\nPersistent-Auth: true\r\n",
				 scheme, o64);
		else
			bfmt(hdr, sizeof(hdr), "Persistent-Auth: true\r\n");
		rc = respond(c, 200, hdr, body, head_only, close_after);
		gss_delete_sec_context(&lmin, &c->ctx, GSS_C_NO_BUFFER);
	} else {
		char *e41 = NULL;
		log_gss("accept", maj, min);
		if (opt.error41 && maj != GSS_S_BAD_BINDINGS && !strcasecmp(scheme, "Negotiate") &&
		    looks_krb5_apreq(tok, (size_t)n))
			e41 = make_error41_b64(host);
		if (maj == GSS_S_BAD_BINDINGS)
			offers(hdr, sizeof(hdr)); /* as IIS: the schemes again, no token */
		else if (e41)
			bfmt(hdr, sizeof(hdr),
				 "WWW-Authenticate: Negotiate %s\r\nX-Negscope-Lab: KRB-ERROR 41 built "
				 "with krb5_mk_error (MIT itself said major 0x%x minor %u)\r\n",
				 e41, maj, min);
		else if (o64)
			bfmt(hdr, sizeof(hdr), "WWW-Authenticate: %s %s\r\n", scheme, o64);
		else
			offers(hdr, sizeof(hdr));
		free(e41);
		rc = respond(c, 401, hdr, page_401_1, head_only, close_after);
		if (c->ctx != GSS_C_NO_CONTEXT)
			gss_delete_sec_context(&lmin, &c->ctx, GSS_C_NO_BUFFER);
	}
	free(o64);
	gss_release_name(&lmin, &src);
	return rc ? -1 : 0;
}

/* Finds header `name` in the request head (lines after the first); returns its value. */
static const char *header(char *head, const char *name, char *val, size_t cap)
{
	size_t nl = strlen(name);
	for (char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		char *line = p + 2;
		if (!strncasecmp(line, name, nl) && line[nl] == ':') {
			char *v = line + nl + 1, *e = strstr(v, "\r\n");
			size_t len;
			while (*v == ' ' || *v == '\t')
				v++;
			len = e ? (size_t)(e - v) : strlen(v);
			if (len >= cap)
				return NULL;
			memcpy(val, v, len);
			val[len] = '\0';
			return val;
		}
	}
	return NULL;
}

/* Reads what the connection has (waiting at most IDLE_MS); bytes read, or <= 0. */
static long conn_read(struct conn *c, char *b, size_t cap)
{
	struct pollfd p = {c->fd, POLLIN, 0};

	if (!(c->ssl && SSL_pending(c->ssl) > 0) && poll(&p, 1, IDLE_MS) <= 0)
		return -1;
	if (c->ssl)
		return SSL_read(c->ssl, b, cap > 65536 ? 65536 : (int)cap);
	return (long)recv(c->fd, b, cap, 0);
}

static void serve(int fd)
{
	static char buf[REQ_MAX + 1];
	struct conn c = {fd, GSS_C_NO_CONTEXT, "", NULL};
	size_t have = 0;
	OM_uint32 lmin;

	if (tls_ctx) {
		struct timeval tv = {IDLE_MS / 1000, 0};

		/* a client that never finishes the handshake does not hold the child forever */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		c.ssl = SSL_new(tls_ctx);
		if (!c.ssl || !SSL_set_fd(c.ssl, fd) || SSL_accept(c.ssl) != 1) {
			ERR_print_errors_fp(stderr);
			goto out;
		}
	}

	for (;;) {
		char *end = NULL, auth[REQ_MAX], host[256], conn_hdr[64], method[16];
		int close_after, head_only;
		size_t used;

		while (!(end = have ? strstr(buf, "\r\n\r\n") : NULL)) {
			long r;
			if (have >= REQ_MAX) {
				respond(&c, 400, "", "Request Header Too Long\n", 0, 1);
				goto out;
			}
			r = conn_read(&c, buf + have, REQ_MAX - have);
			if (r <= 0)
				goto out;
			have += (size_t)r;
			buf[have] = '\0';
		}
		*end = '\0';
		used = (size_t)(end + 4 - buf);
		{
			size_t mlen = strcspn(buf, " \t\r\n");

			if (mlen == 0 || mlen >= sizeof(method))
				goto out;
			memcpy(method, buf, mlen);
			method[mlen] = '\0';
		}
		head_only = !strcmp(method, "HEAD");
		if (!header(buf, "Host", host, sizeof(host)))
			bfmt(host, sizeof(host), "localhost");
		host[strcspn(host, ":")] = '\0';
		close_after = header(buf, "Connection", conn_hdr, sizeof(conn_hdr)) &&
			      !strcasecmp(conn_hdr, "close");
		if (header(buf, "Authorization", auth, sizeof(auth))) {
			char *sp = strchr(auth, ' ');
			int offered;
			if (sp)
				*sp++ = '\0';
			offered = (!strcasecmp(auth, "Negotiate") && opt.offer_negotiate) ||
				  (!strcasecmp(auth, "NTLM") && opt.offer_ntlm);
			if (!offered || !sp) {
				char hdr[256];
				offers(hdr, sizeof(hdr));
				if (respond(&c, 401, hdr, page_401_2, head_only, close_after))
					goto out;
			} else if (handle_auth(&c, auth, sp, host, head_only, close_after)) {
				goto out;
			}
		} else {
			char hdr[256];
			offers(hdr, sizeof(hdr));
			if (respond(&c, 401, hdr, page_401_2, head_only, close_after))
				goto out;
		}
		if (close_after)
			goto out;
		/* request bodies are not expected (GET/HEAD); keep any pipelined bytes */
		memmove(buf, buf + used, have - used);
		have -= used;
		buf[have] = '\0';
	}
out:
	if (c.ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&lmin, &c.ctx, GSS_C_NO_BUFFER);
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	close(fd);
}

static int parse_args(int argc, char **argv, struct sockaddr_in *sa, const char **pidfile)
{
	const char *listen_at = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--error-41")) {
			opt.error41 = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "iisish: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--listen")) {
			listen_at = v;
		} else if (!strcmp(a, "--pidfile")) {
			*pidfile = v;
		} else if (!strcmp(a, "--tls-cert")) {
			opt.tls_cert = v;
		} else if (!strcmp(a, "--tls-key")) {
			opt.tls_key = v;
		} else if (!strcmp(a, "--epa")) {
			if (!strcmp(v, "accept")) {
				opt.epa = EPA_ACCEPT;
			} else if (!strcmp(v, "require")) {
				opt.epa = EPA_REQUIRE;
			} else {
				fprintf(stderr, "iisish: --epa %s: use accept or require\n", v);
				return -1;
			}
		} else if (!strcmp(a, "--keytab")) {
			if (krb5_gss_register_acceptor_identity(v) != GSS_S_COMPLETE) {
				fprintf(stderr, "iisish: cannot use keytab %s\n", v);
				return -1;
			}
		} else if (!strcmp(a, "--offer")) {
			char list[64], *save = NULL;
			bfmt(list, sizeof(list), "%s", v);
			for (char *t = strtok_r(list, ",", &save); t && opt.n_offer < 2;
			     t = strtok_r(NULL, ",", &save)) {
				if (!strcasecmp(t, "negotiate")) {
					opt.offer_negotiate = 1;
					opt.offer_order[opt.n_offer++] = "Negotiate";
				} else if (!strcasecmp(t, "ntlm")) {
					opt.offer_ntlm = 1;
					opt.offer_order[opt.n_offer++] = "NTLM";
				} else {
					fprintf(stderr, "iisish: unknown scheme %s (negotiate, ntlm)\n", t);
					return -1;
				}
			}
		} else {
			fprintf(stderr, "iisish: unknown option %s\n", a);
			return -1;
		}
	}
	if (!listen_at || !opt.n_offer || !opt.tls_cert != !opt.tls_key ||
	    (opt.epa != EPA_OFF && !opt.tls_cert)) {
		fprintf(stderr, "usage: iisish --listen ADDR:PORT --offer negotiate,ntlm "
				"[--pidfile F] [--keytab F] [--error-41] "
				"[--tls-cert PEM --tls-key PEM [--epa accept|require]]\n");
		return -1;
	}
	{
		char addr[64];
		const char *colon = strrchr(listen_at, ':');
		long port = colon ? strtol(colon + 1, NULL, 10) : 0;
		if (!colon || (size_t)(colon - listen_at) >= sizeof(addr) || port <= 0 || port > 65535) {
			fprintf(stderr, "iisish: bad --listen %s (want ADDR:PORT)\n", listen_at);
			return -1;
		}
		memcpy(addr, listen_at, (size_t)(colon - listen_at));
		addr[colon - listen_at] = '\0';
		memset(sa, 0, sizeof(*sa));
		sa->sin_family = AF_INET;
		sa->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
			fprintf(stderr, "iisish: bad address %s\n", addr);
			return -1;
		}
	}
	return 0;
}

/* RFC 5929 §4.1: the certificate's signature hash, SHA-256 for MD5/SHA-1 (and for a
 * signature without one, as Windows does). */
static int tls_setup(void)
{
	const char prefix[] = "tls-server-end-point:";
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	int md_nid = NID_undef;
	const EVP_MD *md = NULL;
	X509 *cert;

	tls_ctx = SSL_CTX_new(TLS_server_method());
	if (!tls_ctx || SSL_CTX_use_certificate_chain_file(tls_ctx, opt.tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, opt.tls_key, SSL_FILETYPE_PEM) != 1 ||
	    !(cert = SSL_CTX_get0_certificate(tls_ctx))) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, NULL) == 1 &&
	    md_nid != NID_undef && md_nid != NID_md5 && md_nid != NID_sha1)
		md = EVP_get_digestbynid(md_nid);
	if (X509_digest(cert, md ? md : EVP_sha256(), h, &hlen) != 1)
		return -1;
	memcpy(cb_data, prefix, sizeof(prefix) - 1);
	memcpy(cb_data + sizeof(prefix) - 1, h, hlen);
	cb_len = sizeof(prefix) - 1 + hlen;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	const char *pidfile = NULL;
	struct sigaction act;
	int ls, one = 1;

	if (parse_args(argc, argv, &sa, &pidfile))
		return 2;
	if (opt.tls_cert && tls_setup()) {
		fprintf(stderr, "iisish: cannot use %s / %s for TLS\n", opt.tls_cert, opt.tls_key);
		return 1;
	}
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 64)) {
		perror("iisish: listen");
		return 1;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_term;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGCHLD, SIG_IGN);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f)) {
			perror("iisish: pidfile");
			return 1;
		}
	}
	while (!stop_flag) {
		int fd = accept(ls, NULL, NULL);
		pid_t pid;
		if (fd < 0)
			continue; /* EINTR on SIGTERM: the loop condition ends it */
		pid = fork();
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			close(ls);
			serve(fd);
			_exit(0);
		}
		close(fd);
	}
	/* connections still open end with the server, as the lab must leave no process */
	if (getpgrp() == getpid()) {
		signal(SIGTERM, SIG_IGN);
		kill(0, SIGTERM);
	}
	if (pidfile)
		unlink(pidfile);
	return 0;
}
