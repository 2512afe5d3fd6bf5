/* authtok.c - test support: auth header lines from pcaps, tshark cross-check rows, and
 * real NTLM tokens from gss-ntlmssp (see authtok.h). */
#include <ctype.h>
#include <glob.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "authtok.h"

static const char *const auth_headers[] = {
	"WWW-Authenticate:", "Authorization:", "Proxy-Authenticate:", "Proxy-Authorization:",
};

static int starts_with_ci(const uint8_t *p, size_t n, const char *lit)
{
	size_t k = strlen(lit), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++)
		if (tolower(p[i]) != tolower((unsigned char)lit[i]))
			return 0;
	return 1;
}

static void add_line(struct authtok_set *s, uint64_t frame, const uint8_t *p, size_t n)
{
	struct authtok_line *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (v == NULL)
		abort();
	s->v = v;
	v[s->n].frame = frame;
	v[s->n].line = malloc(n + 1);
	if (v[s->n].line == NULL)
		abort();
	memcpy(v[s->n].line, p, n);
	v[s->n].line[n] = '\0';
	s->n++;
}

/* Looks for "\n<Header>:" in one packet and keeps each line up to CR or LF. */
static void scan_packet(struct authtok_set *s, uint64_t frame, const uint8_t *p, size_t n)
{
	size_t i, h;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		for (h = 0; h < sizeof(auth_headers) / sizeof(auth_headers[0]); h++) {
			size_t e;

			if (!starts_with_ci(p + i + 1, n - i - 1, auth_headers[h]))
				continue;
			for (e = i + 1; e < n && p[e] != '\r' && p[e] != '\n'; e++)
				;
			if (e < n) /* only complete lines */
				add_line(s, frame, p + i + 1, e - i - 1);
		}
	}
}

int authtok_from_pcap(const char *path, struct authtok_set *out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t frame = 0;

	out->v = NULL;
	out->n = 0;
	if (pc == NULL)
		return -1;
	while (pcap_next_ex(pc, &hdr, &data) == 1)
		scan_packet(out, ++frame, data, hdr->caplen);
	pcap_close(pc);
	return 0;
}

void authtok_set_free(struct authtok_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].line);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

char **authtok_sample_pcaps(void)
{
	glob_t g;
	char **list;
	size_t i;

	if (glob(NEGSCOPE_SAMPLES_DIR "/*.pcap", 0, NULL, &g) != 0)
		return NULL;
	list = calloc(g.gl_pathc + 1, sizeof(*list));
	if (list == NULL)
		abort();
	for (i = 0; i < g.gl_pathc; i++)
		list[i] = strdup(g.gl_pathv[i]);
	globfree(&g);
	return list;
}

void authtok_free_list(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* tshark's answers come from tests/golden/oracle/tshark/ (stored, so that the unit tests
 * need no tshark and stay fast), keyed by the command with the capture directories
 * abstracted and the capture's size; tests/golden/oracle/regenerate.sh records them
 * (NEGSCOPE_ORACLE=record).  NEGSCOPE_ORACLE=live runs tshark instead, cached under the build
 * directory keyed by the command and the capture's size and mtime, so that the several
 * programs that cross-check the same captures run it once (written to a temp file and
 * renamed: safe under ctest -j). */
#define ORACLE_DIR NEGSCOPE_SRC_DIR "/tests/golden/oracle/tshark"

const char *tshark_oracle_mode(void)
{
	const char *m = getenv("NEGSCOPE_ORACLE");

	return m != NULL && m[0] != '\0' ? m : "stored";
}

int tshark_available(void)
{
	if (strcmp(tshark_oracle_mode(), "stored") == 0)
		return 1;
	return system("tshark -v >/dev/null 2>&1") == 0;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The command with the samples and captures directories replaced by names, hashed with the
 * capture's size: the same in every clone. */
static uint64_t stored_key(const char *cmd, off_t size)
{
	static const char *const dirs[][2] = {
		{ NEGSCOPE_SAMPLES_DIR, "@samples" },
		{ NEGSCOPE_CAPTURES_DIR, "@captures" },
	};
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p = cmd;

	while (*p != '\0') {
		size_t i, l = 0;

		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			l = strlen(dirs[i][0]);
			if (strncmp(p, dirs[i][0], l) == 0) {
				h = fnv1a(h, dirs[i][1], strlen(dirs[i][1]));
				break;
			}
			l = 0;
		}
		if (l == 0) {
			h = fnv1a(h, p, 1);
			l = 1;
		}
		p += l;
	}
	return fnv1a(h, &size, sizeof(size));
}

/* Runs cmd into path (through a temp file and a rename: safe under ctest -j), opened. */
static FILE *run_into(const char *path, const char *cmd)
{
	char tmp[1100], full[4200];

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	snprintf(full, sizeof(full), "%s > '%s' && mv '%s' '%s'", cmd, tmp, tmp, path);
	if (system(full) != 0) {
		unlink(tmp);
		return NULL;
	}
	return fopen(path, "r");
}

void tshark_stored_path(char *buf, size_t len, const char *cmd, off_t size)
{
	snprintf(buf, len, ORACLE_DIR "/%016llx.txt", (unsigned long long)stored_key(cmd, size));
}

static FILE *stored_output(const char *cmd, off_t size, int record)
{
	char path[1024];
	FILE *fp;

	tshark_stored_path(path, sizeof(path), cmd, size);
	if (!record) {
		fp = fopen(path, "r");
		if (fp == NULL)
			fprintf(stderr, "no stored tshark answer %s for: %s\n(run "
				"tests/golden/oracle/regenerate.sh)\n", path, cmd);
		return fp;
	}
	return run_into(path, cmd);
}

static FILE *tshark_output(const char *pcap, const char *cmd)
{
	char path[1024];
	struct stat sb;
	uint64_t h = 0xcbf29ce484222325ull;
	FILE *fp;

	if (stat(pcap, &sb) != 0)
		return NULL;
	if (strcmp(tshark_oracle_mode(), "live") != 0)
		return stored_output(cmd, sb.st_size, strcmp(tshark_oracle_mode(), "record") == 0);
	h = fnv1a(h, cmd, strlen(cmd));
	h = fnv1a(h, &sb.st_size, sizeof(sb.st_size));
	h = fnv1a(h, &sb.st_mtime, sizeof(sb.st_mtime));
	(void)mkdir(NEGSCOPE_BUILD_DIR "/tshark-cache", 0755);
	snprintf(path, sizeof(path), NEGSCOPE_BUILD_DIR "/tshark-cache/%016llx.txt",
		 (unsigned long long)h);
	fp = fopen(path, "r");
	return fp != NULL ? fp : run_into(path, cmd);
}

int tshark_fields(const char *pcap, const char *filter, const char *const *fields, size_t nf,
		  struct tshark_rows *out)
{
	char cmd[4096];
	size_t o, i;
	FILE *fp;
	char line[65536];

	out->n = 0;
	out->nf = nf;
	out->cells = NULL;
	o = (size_t)snprintf(cmd, sizeof(cmd),
			     "tshark -n -r '%s' -Y '%s' -T fields -E occurrence=a "
			     "-E aggregator='|'",
			     pcap, filter);
	for (i = 0; i < nf && o < sizeof(cmd); i++)
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, " -e %s", fields[i]);
	if (o >= sizeof(cmd) - 32)
		return -1;
	snprintf(cmd + o, sizeof(cmd) - o, " 2>/dev/null");
	fp = tshark_output(pcap, cmd);
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *p = line, **cells;
		size_t f;

		line[strcspn(line, "\r\n")] = '\0';
		cells = realloc(out->cells, (out->n + 1) * nf * sizeof(*cells));
		if (cells == NULL)
			abort();
		out->cells = cells;
		for (f = 0; f < nf; f++) {
			char *tab = strchr(p, '\t');

			if (tab != NULL)
				*tab = '\0';
			cells[out->n * nf + f] = strdup(p);
			p = tab != NULL ? tab + 1 : p + strlen(p);
		}
		out->n++;
	}
	fclose(fp);
	return 0;
}

const char *tshark_get(const struct tshark_rows *r, uint64_t frame, size_t field)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strtoull(r->cells[i * r->nf], NULL, 10) == frame)
			return r->cells[i * r->nf + field];
	return NULL;
}

void tshark_rows_free(struct tshark_rows *r)
{
	size_t i;

	for (i = 0; i < r->n * r->nf; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

char *authtok_b64(const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc((n + 2) / 3 * 4 + 1), *o = s;
	size_t i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = a[(v >> 18) & 63];
		*o++ = a[(v >> 12) & 63];
		*o++ = i + 1 < n ? a[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? a[v & 63] : '=';
	}
	*o = '\0';
	return s;
}

/* ---- gss-ntlmssp ---- */

/* gss-ntlmssp keeps OpenSSL objects for the life of the process; LeakSanitizer reports
 * them at exit.  They are not ours: suppress by module so our own leaks still show. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:gssntlmssp.so\nleak:libcrypto.so\n";
}

static gss_OID_desc oid_ntlm = { 10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a" };
static gss_OID_desc oid_spnego = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

static int gss_failed(const char *what, OM_uint32 maj, OM_uint32 min)
{
	OM_uint32 m2, ctx = 0;
	gss_buffer_desc s;

	fprintf(stderr, "gssgen: %s failed:", what);
	gss_display_status(&m2, maj, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &s);
	fprintf(stderr, " %.*s", (int)s.length, (char *)s.value);
	gss_release_buffer(&m2, &s);
	ctx = 0;
	gss_display_status(&m2, min, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &s);
	fprintf(stderr, " (%.*s)\n", (int)s.length, (char *)s.value);
	gss_release_buffer(&m2, &s);
	return -1;
}

static void keep(struct gss_leg *legs, int *n, int max, gss_buffer_t b, int acc)
{
	if (*n >= max || b->length == 0)
		return;
	legs[*n].p = malloc(b->length);
	if (legs[*n].p == NULL)
		abort();
	memcpy(legs[*n].p, b->value, b->length);
	legs[*n].len = b->length;
	legs[*n].from_acceptor = acc;
	(*n)++;
}

int gssgen_ntlm(int spnego, const char *cred_line, const char *target_hostbased,
		struct gss_leg *legs, int max)
{
	char path[] = "/tmp/negscope-ntlmusers-XXXXXX";
	int fd = mkstemp(path), n = 0, i;
	OM_uint32 maj, min, amaj = GSS_S_CONTINUE_NEEDED;
	gss_buffer_desc nb, in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER,
			    aout = GSS_C_EMPTY_BUFFER;
	gss_name_t target = GSS_C_NO_NAME;
	gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ic = GSS_C_NO_CONTEXT, ac = GSS_C_NO_CONTEXT;
	gss_OID_set_desc set;
	int rc = -1;

	if (fd < 0 || write(fd, cred_line, strlen(cred_line)) < 0 || write(fd, "\n", 1) < 0) {
		perror("gssgen: user file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	setenv("NTLM_USER_FILE", path, 1);
	/* No Kerberos: SPNEGO then has only NTLM to offer. */
	setenv("KRB5CCNAME", "FILE:/nonexistent/negscope-ccache", 1);
	setenv("KRB5_KTNAME", "FILE:/nonexistent/negscope-keytab", 1);
	set.count = 1;
	set.elements = spnego ? &oid_spnego : &oid_ntlm;
	nb.value = (void *)target_hostbased;
	nb.length = strlen(target_hostbased);
	maj = gss_import_name(&min, &nb, GSS_C_NT_HOSTBASED_SERVICE, &target);
	if (GSS_ERROR(maj)) {
		gss_failed("gss_import_name", maj, min);
		goto out;
	}
	maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &set, GSS_C_INITIATE, &icred,
			       NULL, NULL);
	if (GSS_ERROR(maj)) {
		gss_failed("gss_acquire_cred(initiate)", maj, min);
		goto out;
	}
	maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &set, GSS_C_ACCEPT, &acred,
			       NULL, NULL);
	if (GSS_ERROR(maj)) {
		gss_failed("gss_acquire_cred(accept)", maj, min);
		goto out;
	}
	for (i = 0; i < 4; i++) {
		maj = gss_init_sec_context(&min, icred, &ic, target, set.elements,
					   GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0, NULL, &in, NULL,
					   &out, NULL, NULL);
		gss_release_buffer(&min, &aout);
		in.length = 0;
		in.value = NULL;
		if (GSS_ERROR(maj)) {
			gss_failed("gss_init_sec_context", maj, min);
			goto out;
		}
		keep(legs, &n, max, &out, 0);
		if (out.length == 0)
			break;
		amaj = gss_accept_sec_context(&min, &ac, acred, &out, NULL, NULL, NULL, &aout, NULL,
					      NULL, NULL);
		gss_release_buffer(&min, &out);
		if (GSS_ERROR(amaj)) {
			gss_failed("gss_accept_sec_context", amaj, min);
			goto out;
		}
		keep(legs, &n, max, &aout, 1);
		if (amaj == GSS_S_COMPLETE && maj == GSS_S_COMPLETE)
			break;
		if (aout.length == 0)
			break;
		in = aout;
	}
	rc = n;
out:
	gss_release_buffer(&min, &out);
	gss_release_buffer(&min, &aout);
	gss_delete_sec_context(&min, &ic, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&min, &ac, GSS_C_NO_BUFFER);
	gss_release_cred(&min, &icred);
	gss_release_cred(&min, &acred);
	gss_release_name(&min, &target);
	unlink(path);
	if (rc < 0)
		gssgen_free(legs, n);
	return rc;
}

void gssgen_free(struct gss_leg *legs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(legs[i].p);
		legs[i].p = NULL;
	}
}
