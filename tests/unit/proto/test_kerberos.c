/* test_kerberos.c - Kerberos decoder against real captures, with tshark as
 * an independent oracle.
 *
 * Every Kerberos message on port 88 in the public captures (and in
 * samples/ when the lab recordings are there) is decoded; for every frame
 * the decoded fields are rendered in wire order exactly as tshark lists
 * its kerberos.* fields (`tshark -T fields`, run live), and must agree.
 * Then: specific facts (error names, NTSTATUS, S4U padata), every prefix
 * must be TRUNCATED, every single-byte corruption must come back cleanly
 * with all spans inside the input, and the name tables must cover every
 * value tshark's own tables know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <krb5/krb5.h>

#include "krb_vectors.h"
#include "negscope/krb5.h"

static int tshark_ready(void);

/* Captures (relative to NEGSCOPE_CAPTURES_DIR) with Kerberos on port 88. */
static const char *const CAPTURES[] = {
	"arkime/tests/pcap/arkime_synthetic.pcap",
	"arkime/tests/pcap/krb5-tcp.pcap",
	"arkime/tests/pcap/krb5-udp.pcap",
	"nDPI/tests/cfgs/default/pcap/kerberos-error.pcap",
	"nDPI/tests/cfgs/default/pcap/kerberos-login.pcap",
	"nDPI/tests/cfgs/default/pcap/kerberos.pcap",
	"suricata-verify/tests/bug-8278-krb5-01/evasion.1.flow.1.segment.pcap",
	"suricata-verify/tests/bug-8278-krb5-02/evasion.1.flow.2.segments.pcap",
	"suricata-verify/tests/bug-8278-krb5-03/baseline.2.flows.pcap",
	"suricata-verify/tests/dcerpc/dcerpc-ctxids/input.pcap",
	"suricata-verify/tests/krb5-kerberoasting/kerberoast.pcap",
	"suricata-verify/tests/krb5-krb5_msg_type/input.pcap",
	"suricata-verify/tests/krb5-probing/krb.pcap",
	"suricata-verify/tests/krb5-request-frag-log/krb5-frag.pcap",
};
#define NCAPTURES (sizeof(CAPTURES) / sizeof(CAPTURES[0]))

/* Hand-made defective messages in the corpus: we must call them MALFORMED
 * (tshark shows what it could read, with or without a BER error). */
static const struct {
	const char *file;
	unsigned frame;
	const char *why;
} DEFECTIVE[] = {
	{ "arkime/tests/pcap/arkime_synthetic.pcap", 298,
	  "AS-REQ: zero bytes where req-body [4] must be" },
	{ "arkime/tests/pcap/arkime_synthetic.pcap", 558,
	  "AS-REQ body without nonce [7] (tshark: BER Error)" },
	{ "arkime/tests/pcap/arkime_synthetic.pcap", 559,
	  "KRB-ERROR without stime [4] (tshark: BER Error)" },
};

static int defective(const char *path, unsigned frame)
{
	size_t i;

	for (i = 0; i < sizeof(DEFECTIVE) / sizeof(DEFECTIVE[0]); i++)
		if (DEFECTIVE[i].frame == frame && strstr(path, DEFECTIVE[i].file))
			return 1;
	return 0;
}

/* ---- the fields compared with tshark, in its -e order ---- */

static const char *const FIELDS[] = {
	"kerberos.pvno",        "kerberos.msg_type",    "kerberos.padata_type",
	"kerberos.ap_options",  "kerberos.tkt_vno",     "kerberos.realm",
	"kerberos.name_type",   "kerberos.SNameString", "kerberos.CNameString",
	"kerberos.etype",       "kerberos.kvno",        "kerberos.cipher",
	"kerberos.kdc_options", "kerberos.till",        "kerberos.nonce",
	"kerberos.ENCTYPE",     "kerberos.crealm",      "kerberos.stime",
	"kerberos.susec",       "kerberos.ctime",       "kerberos.cusec",
	"kerberos.error_code",  "kerberos.e_text",      "kerberos.info2_salt",
	"kerberos.include_pac", "kerberos.smb.nt_status",
	"kerberos.supported_entypes", "kerberos.rtime", "kerberos.from",
	"kerberos.KerberosString", "kerberos.cksumtype", "kerberos.flags",
};
enum {
	F_PVNO, F_MSG_TYPE, F_PADATA_TYPE, F_AP_OPTIONS, F_TKT_VNO, F_REALM,
	F_NAME_TYPE, F_SNAME, F_CNAME, F_ETYPE, F_KVNO, F_CIPHER,
	F_KDC_OPTIONS, F_TILL, F_NONCE, F_ENCTYPE, F_CREALM, F_STIME, F_SUSEC,
	F_CTIME, F_CUSEC, F_ERROR_CODE, F_E_TEXT, F_INFO2_SALT, F_INCLUDE_PAC,
	F_NT_STATUS, F_SUPPORTED_ETYPES, F_RTIME, F_FROM, F_KSTRING,
	F_CKSUMTYPE, F_FLAGS, NF
};

struct fieldset {
	char v[NF][8192];
};

static void add(struct fieldset *fs, int f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct fieldset *fs, int f, const char *fmt, ...)
{
	char tmp[1024];
	size_t n = strlen(fs->v[f]);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(fs->v[f] + n, sizeof(fs->v[f]) - n, "%s%s", n ? "," : "", tmp);
}

static void add_time(struct fieldset *fs, int f, int64_t t)
{
	char b[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(b, sizeof(b), "%b %e, %Y %H:%M:%S", &tm);
	add(fs, f, "%s.000000000 UTC", b);
}

static void add_span(struct fieldset *fs, int f, struct cap_span s)
{
	char b[512];

	add(fs, f, "%s", cap_krb_span_str(s, b, sizeof(b)));
}

static void w_principal(struct fieldset *fs, const struct cap_krb_principal *p,
			int field)
{
	size_t i;

	if (!p->present)
		return;
	add(fs, F_NAME_TYPE, "%d", p->name_type);
	for (i = 0; i < p->ncomponents; i++)
		add_span(fs, field, p->components[i]);
}

static void w_enc(struct fieldset *fs, const struct cap_krb_enc *e)
{
	if (!e->present)
		return;
	add(fs, F_ETYPE, "%d", e->etype);
	if (e->kvno_present)
		add(fs, F_KVNO, "%u", e->kvno);
	add(fs, F_CIPHER, "%zu", e->cipher.len);
}

static void w_ticket(struct fieldset *fs, const struct cap_krb_ticket *t)
{
	if (!t->present)
		return;
	add(fs, F_TKT_VNO, "%lld", (long long)t->tkt_vno);
	add_span(fs, F_REALM, t->realm);
	w_principal(fs, &t->sname, F_SNAME);
	w_enc(fs, &t->enc_part);
}

static void w_ap_req(struct fieldset *fs, const struct cap_krb_ap_req *r)
{
	if (!r->present)
		return;
	add(fs, F_PVNO, "%lld", (long long)r->pvno);
	add(fs, F_MSG_TYPE, "%lld", (long long)r->msg_type);
	add(fs, F_AP_OPTIONS, "%08x", r->ap_options);
	w_ticket(fs, &r->ticket);
	w_enc(fs, &r->authenticator);
}

static void w_padata(struct fieldset *fs, const struct cap_krb_msg *m)
{
	size_t i, ei = 0;

	for (i = 0; i < m->npadata; i++) {
		const struct cap_krb_padata *pa = &m->padata[i];

		add(fs, F_PADATA_TYPE, "%d", pa->type);
		if (!pa->decoded)
			continue;
		switch (pa->type) {
		case CAP_KRB_PA_TGS_REQ:
			w_ap_req(fs, &m->pa_tgs_req);
			break;
		case CAP_KRB_PA_ENC_TIMESTAMP:
			w_enc(fs, &m->pa_enc_timestamp);
			break;
		case CAP_KRB_PA_ETYPE_INFO:
		case CAP_KRB_PA_ETYPE_INFO2:
			for (; ei < m->netype_info &&
			       m->etype_info[ei].from_info2 ==
				       (pa->type == CAP_KRB_PA_ETYPE_INFO2);
			     ei++) {
				add(fs, F_ETYPE, "%d", m->etype_info[ei].etype);
				if (m->etype_info[ei].salt_present &&
				    m->etype_info[ei].from_info2)
					add_span(fs, F_INFO2_SALT,
						 m->etype_info[ei].salt);
			}
			break;
		case CAP_KRB_PA_PAC_REQUEST:
			add(fs, F_INCLUDE_PAC, "%d", m->pa_pac_request);
			break;
		case CAP_KRB_PA_FX_FAST:
			if (m->pa_fx_fast.armor_present)
				w_ap_req(fs, &m->pa_fx_fast.armor_ap_req);
			if (!m->pa_fx_fast.is_reply)
				add(fs, F_CKSUMTYPE, "%d", m->pa_fx_fast.cksum_type);
			w_enc(fs, &m->pa_fx_fast.enc);
			break;
		case CAP_KRB_PA_FOR_USER:
			w_principal(fs, &m->pa_for_user.user_name, F_KSTRING);
			add_span(fs, F_REALM, m->pa_for_user.user_realm);
			add(fs, F_CKSUMTYPE, "%d", m->pa_for_user.cksum_type);
			break;
		case CAP_KRB_PA_PAC_OPTIONS:
			add(fs, F_FLAGS, "%08x", m->pa_pac_options);
			break;
		case CAP_KRB_PA_SUPPORTED_ETYPES:
			add(fs, F_SUPPORTED_ETYPES, "0x%08x", m->pa_supported_etypes);
			break;
		case CAP_KRB_PA_PW_SALT:
			add(fs, F_NT_STATUS, "0x%08x", m->err.ntstatus);
			break;
		}
	}
}

/* tshark (4.0) dissects e-data only for some error codes: METHOD-DATA
 * for the pre-authentication family, one PA-DATA (where Windows puts
 * KERB-ERROR-DATA with the NTSTATUS) for BADOPTION, CLIENT_REVOKED,
 * KEY_EXPIRED and POLICY; raw bytes otherwise. */
static int tshark_dissects_edata(int32_t code)
{
	switch (code) {
	case 12: case 13: case 18: case 23:
	case 14: case 24: case 25: case 68: case 90: case 91: case 92: case 93:
		return 1;
	}
	return 0;
}

/* Renders one decoded message in tshark's dissection order. */
static void w_msg(struct fieldset *fs, const struct cap_krb_msg *m)
{
	const struct cap_krb_kdc_req *q = &m->req;
	const struct cap_krb_kdc_rep *r = &m->rep;
	const struct cap_krb_error *e = &m->err;
	size_t i;

	if (q->present) {
		add(fs, F_PVNO, "%lld", (long long)q->pvno);
		add(fs, F_MSG_TYPE, "%lld", (long long)q->msg_type);
		w_padata(fs, m);
		add(fs, F_KDC_OPTIONS, "%08x", q->kdc_options);
		w_principal(fs, &q->cname, F_CNAME);
		add_span(fs, F_REALM, q->realm);
		w_principal(fs, &q->sname, F_SNAME);
		if (q->from_present)
			add_time(fs, F_FROM, q->from);
		add_time(fs, F_TILL, q->till);
		if (q->rtime_present)
			add_time(fs, F_RTIME, q->rtime);
		add(fs, F_NONCE, "%u", q->nonce);
		for (i = 0; i < q->netypes; i++)
			add(fs, F_ENCTYPE, "%d", q->etypes[i]);
		w_enc(fs, &q->enc_authorization_data);
		for (i = 0; i < q->nadditional_tickets; i++)
			w_ticket(fs, &q->additional_tickets[i]);
	}
	if (r->present) {
		add(fs, F_PVNO, "%lld", (long long)r->pvno);
		add(fs, F_MSG_TYPE, "%lld", (long long)r->msg_type);
		w_padata(fs, m);
		add_span(fs, F_CREALM, r->crealm);
		w_principal(fs, &r->cname, F_CNAME);
		w_ticket(fs, &r->ticket);
		w_enc(fs, &r->enc_part);
	}
	if (m->ap_req.present)
		w_ap_req(fs, &m->ap_req);
	if (m->ap_rep.present) {
		add(fs, F_PVNO, "%lld", (long long)m->ap_rep.pvno);
		add(fs, F_MSG_TYPE, "%lld", (long long)m->ap_rep.msg_type);
		w_enc(fs, &m->ap_rep.enc_part);
	}
	if (m->cred.present) {
		add(fs, F_PVNO, "%lld", (long long)m->cred.pvno);
		add(fs, F_MSG_TYPE, "%lld", (long long)m->cred.msg_type);
		for (i = 0; i < m->cred.ntickets; i++)
			w_ticket(fs, &m->cred.tickets[i]);
		w_enc(fs, &m->cred.enc_part);
	}
	if (e->present) {
		add(fs, F_PVNO, "%lld", (long long)e->pvno);
		add(fs, F_MSG_TYPE, "%lld", (long long)e->msg_type);
		if (e->ctime_present)
			add_time(fs, F_CTIME, e->ctime);
		if (e->cusec_present)
			add(fs, F_CUSEC, "%lld", (long long)e->cusec);
		add_time(fs, F_STIME, e->stime);
		add(fs, F_SUSEC, "%lld", (long long)e->susec);
		add(fs, F_ERROR_CODE, "%d", e->error_code);
		if (e->crealm.p != NULL)
			add_span(fs, F_CREALM, e->crealm);
		w_principal(fs, &e->cname, F_CNAME);
		add_span(fs, F_REALM, e->realm);
		w_principal(fs, &e->sname, F_SNAME);
		if (e->e_text_present)
			add_span(fs, F_E_TEXT, e->e_text);
		if (!tshark_dissects_edata(e->error_code))
			; /* tshark shows e-data as raw bytes for other codes */
		else if (e->e_data_kind == CAP_KRB_EDATA_METHOD_DATA)
			w_padata(fs, m);
		else if (e->e_data_kind == CAP_KRB_EDATA_KERB_ERROR_DATA) {
			/* tshark reads KERB-ERROR-DATA as one PA-DATA */
			add(fs, F_PADATA_TYPE, "%lld",
			    (long long)e->kerb_err_data_type);
			if (e->ext_error_present)
				add(fs, F_NT_STATUS, "0x%08x", e->ntstatus);
		}
	}
}

/* tshark's cipher field is hex; compare lengths. */
static void hex_to_lengths(const char *in, char *out, size_t outlen)
{
	size_t n = 0, k = 0;

	out[0] = '\0';
	for (;; in++) {
		if (*in == ',' || *in == '\0') {
			k += (size_t)snprintf(out + k, outlen - k, "%s%zu",
					      k ? "," : "", n / 2);
			n = 0;
			if (*in == '\0' || k >= outlen)
				break;
		} else {
			n++;
		}
	}
}

/* ---- running tshark ---- */

static int have_tshark(void)
{
	return system("tshark --version >/dev/null 2>&1") == 0;
}

struct tframe {
	unsigned frame;
	int port88;             /* UDP/TCP port 88, else a token in HTTP */
	char *f[NF];
	char *line;
};

#define MAX_TFRAMES 512
#define MAX_TFILES 96

/* tshark's view of each capture: one run per capture, all runs started
 * together (tshark mostly waits on start-up, so they overlap well). */
struct tfile {
	char path[1024];
	char out[64];           /* its output file */
	struct tframe fr[MAX_TFRAMES];
	size_t n;
	int loaded;
};

static struct tfile *tfiles;
static size_t ntfiles;
static char tdir[] = "/tmp/negscope-krb-XXXXXX";

static int has_port_88(const char *list)
{
	char *end;

	while (*list != '\0') {
		if (strtoul(list, &end, 10) == 88 && end != list)
			return 1;
		if (*end != ',')
			break;
		list = end + 1;
	}
	return 0;
}

static pid_t tshark_spawn(const char *path, const char *out)
{
	static const char *const pre[] = {
		"tshark", "-n", "-r", NULL, "-d", "tcp.port==5557,http",
		"-d", "tcp.port==5558,http", "-d", "tcp.port==5559,http",
		/* ICMP errors quote KDC requests: left out */
		"-Y", "kerberos && !icmp && !icmpv6", "-T", "fields",
		"-E", "separator=|", "-e", "frame.number", "-e", "udp.port",
		"-e", "tcp.port",
	};
	const size_t npre = sizeof(pre) / sizeof(pre[0]);
	char *argv[sizeof(pre) / sizeof(pre[0]) + 2 * NF + 1];
	posix_spawn_file_actions_t fa;
	extern char **environ;
	size_t i, k = 0;
	pid_t pid;

	for (i = 0; i < npre; i++)
		argv[k++] = (char *)(i == 3 ? path : pre[i]);
	for (i = 0; i < NF; i++) {
		argv[k++] = (char *)"-e";
		argv[k++] = (char *)FIELDS[i];
	}
	argv[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "tshark", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Runs tshark over every path, at most 6 at a time. */
static void tshark_prefetch(char paths[][1024], size_t n)
{
	size_t started = 0, running = 0;
	int st;

	setenv("TZ", "UTC", 1); /* tshark prints times in local time */
	assert_non_null(mkdtemp(tdir));
	assert_true(n <= MAX_TFILES);
	tfiles = calloc(MAX_TFILES, sizeof(*tfiles));
	assert_non_null(tfiles);
	ntfiles = n;
	while (started < n || running > 0) {
		while (started < n && running < 6) {
			struct tfile *t = &tfiles[started];

			snprintf(t->path, sizeof(t->path), "%s", paths[started]);
			snprintf(t->out, sizeof(t->out), "%s/%zu.txt", tdir, started);
			assert_true(tshark_spawn(t->path, t->out) > 0);
			started++;
			running++;
		}
		pid_t done_pid = wait(&st);

		assert_true(done_pid > 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		running--;
	}
}

/* tshark over one more capture (made by a test), after the prefetch. */
static void tshark_one(const char *path)
{
	struct tfile *t;
	int st;

	assert_true(tshark_ready());
	assert_true(ntfiles < MAX_TFILES);
	t = &tfiles[ntfiles++];
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(t->out, sizeof(t->out), "%s/%zu.txt", tdir, ntfiles - 1);
	assert_true(tshark_spawn(t->path, t->out) > 0);
	assert_true(wait(&st) > 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void tfile_parse(struct tfile *t)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(t->out, "r");

	assert_non_null(f);
	while (t->n < MAX_TFRAMES && getline(&line, &cap, f) > 0) {
		struct tframe *fr = &t->fr[t->n];
		char *fields[NF + 3], *s;
		size_t fi;

		line[strcspn(line, "\r\n")] = '\0';
		fr->line = strdup(line);
		assert_non_null(fr->line);
		s = fr->line;
		for (fi = 0; fi < NF + 3; fi++) {
			char *bar = strchr(s, '|');

			fields[fi] = s;
			if (fi + 1 < NF + 3) {
				assert_non_null(bar);
				*bar = '\0';
				s = bar + 1;
			}
		}
		fr->frame = (unsigned)strtoul(fields[0], NULL, 10);
		fr->port88 = has_port_88(fields[1]) || has_port_88(fields[2]);
		for (fi = 0; fi < NF; fi++)
			fr->f[fi] = fields[fi + 3];
		t->n++;
	}
	free(line);
	fclose(f);
	t->loaded = 1;
}

static void tshark_cleanup(void)
{
	size_t i, j;

	for (i = 0; i < ntfiles; i++) {
		for (j = 0; j < tfiles[i].n; j++)
			free(tfiles[i].fr[j].line);
		unlink(tfiles[i].out);
	}
	if (ntfiles > 0)
		rmdir(tdir);
	free(tfiles);
	tfiles = NULL;
	ntfiles = 0;
}

/* The frames of one pass: port 88 (http == 0) or HTTP tokens. */
static size_t run_tshark(const char *path, int http, struct tframe *out,
			 size_t max)
{
	struct tfile *t = NULL;
	size_t i, n = 0;

	for (i = 0; i < ntfiles && t == NULL; i++)
		if (strcmp(tfiles[i].path, path) == 0)
			t = &tfiles[i];
	if (t == NULL)
		fail_msg("%s: tshark was not run on it", path);
	if (!t->loaded)
		tfile_parse(t);
	for (i = 0; i < t->n && n < max; i++)
		if (t->fr[i].port88 == !http)
			out[n++] = t->fr[i];
	return n;
}

/* ---- per capture: compare every frame with tshark ---- */

static struct fieldset *fs_mine;
static char lenbuf[8192];

static int is_list_prefix(const char *ours, const char *theirs)
{
	size_t n = strlen(ours);

	return strncmp(ours, theirs, n) == 0 &&
	       (theirs[n] == ',' || theirs[n] == '\0');
}

/* tshark decodes a KRB-ERROR's e-data by error code: as METHOD-DATA for 24 and 25
 * (PREAUTH_FAILED, PREAUTH_REQUIRED), otherwise as MS-KILE's KERB-ERROR-DATA. An AD DC
 * (Samba's) sends METHOD-DATA with other codes too (18, 23: PA-ETYPE-INFO2, and PA-PW-SALT
 * carrying the NTSTATUS as Windows does, MS-KILE 3.1.5.7), which RFC 4120 5.9.1 allows:
 * tshark then reports a BER error and shows no padata while we decode it, so the fields that
 * come from the e-data are not compared there. */
static int tshark_misreads_edata(const struct tframe *t, size_t f)
{
	if (strcmp(t->f[F_MSG_TYPE], "30") != 0 || t->f[F_PADATA_TYPE][0] != '\0' ||
	    strcmp(t->f[F_ERROR_CODE], "24") == 0 || strcmp(t->f[F_ERROR_CODE], "25") == 0)
		return 0;
	return f == F_PADATA_TYPE || f == F_INFO2_SALT || f == F_ETYPE || f == F_ENCTYPE ||
	       f == F_NT_STATUS;
}

static void compare_capture(const char *path, int http, size_t *nmsg_out)
{
	static struct tframe tf[MAX_TFRAMES];
	struct krb_pdus pd;
	struct cap_krb_msg *m = malloc(sizeof(*m));
	char err[256];
	size_t nt, i, j, f, matched = 0;

	assert_non_null(m);
	if ((http ? krb_http_pdus_load : krb_pdus_load)(path, &pd, err,
							sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	nt = run_tshark(path, http, tf, MAX_TFRAMES);
	assert_true(nt > 0 || pd.n == 0);
	for (i = 0; i < nt; i++) {
		int found = 0, bad = defective(path, tf[i].frame), capped = 0;

		memset(fs_mine, 0, sizeof(*fs_mine));
		for (j = 0; j < pd.n; j++) {
			enum cap_status st;

			if (pd.v[j].frame != tf[i].frame)
				continue;
			found = 1;
			st = cap_krb_decode(cap_span_of(pd.v[j].data, pd.v[j].len), m);
			if (bad) {
				if (st != CAP_MALFORMED)
					fail_msg("%s frame %u: defective, yet %s",
						 path, tf[i].frame, cap_status_name(st));
				continue;
			}
			if (st != CAP_OK)
				fail_msg("%s frame %u: %s", path, tf[i].frame,
					 cap_status_name(st));
			w_msg(fs_mine, m);
			capped |= (m->anomalies & (CAP_KRB_ANOM_TOO_MANY_COMPONENTS |
						   CAP_KRB_ANOM_TOO_MANY_ETYPES |
						   CAP_KRB_ANOM_TOO_MANY_PADATA |
						   CAP_KRB_ANOM_TOO_MANY_TICKETS |
						   CAP_KRB_ANOM_TOO_MANY_ETYPE_INFO)) != 0;
		}
		if (!found)
			fail_msg("%s: tshark frame %u has Kerberos, we extracted none",
				 path, tf[i].frame);
		matched++;
		for (f = 0; f < NF && !bad; f++) {
			const char *theirs = tf[i].f[f];

			if (f == F_CIPHER) {
				hex_to_lengths(theirs, lenbuf, sizeof(lenbuf));
				theirs = theirs[0] ? lenbuf : "";
			}
			/* over a cap we keep the first elements only */
			if (capped && is_list_prefix(fs_mine->v[f], theirs))
				continue;
			if (tshark_misreads_edata(&tf[i], f))
				continue;
			if (strcmp(fs_mine->v[f], theirs) != 0)
				fail_msg("%s frame %u %s:\n  ours   '%s'\n  tshark '%s'",
					 path, tf[i].frame, FIELDS[f], fs_mine->v[f],
					 theirs);
		}
	}
	/* and nothing we extracted is unknown to tshark */
	for (j = 0; j < pd.n; j++) {
		int found = 0;

		for (i = 0; i < nt && !found; i++)
			found = tf[i].frame == pd.v[j].frame;
		if (!found)
			fail_msg("%s: frame %u decoded by us, not by tshark", path,
				 pd.v[j].frame);
	}
	*nmsg_out = pd.n;
	krb_pdus_free(&pd);
	free(m);
	assert_true(matched == nt);
}

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", krb_captures_dir(), rel);
}

static void test_tshark_agrees_on_captures(void **state)
{
	char path[1024];
	size_t i, n, total = 0;

	(void)state;
	if (!tshark_ready())
		skip(); /* no tshark */
	for (i = 0; i < NCAPTURES; i++) {
		path_of(path, sizeof(path), CAPTURES[i]);
		compare_capture(path, 0, &n);
		total += n;
	}
	print_message("captures: %zu Kerberos messages compared with tshark\n",
		      total);
	/* a broken extractor would show here */
	assert_true(total >= 95);
}

/* samples/ from the lab, when present. */
static int list_samples(char names[][512], size_t max)
{
	DIR *d = opendir(krb_samples_dir());
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t l = strlen(e->d_name);

		if ((l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) ||
		    (l > 7 && strcmp(e->d_name + l - 7, ".pcapng") == 0))
			snprintf(names[n++], 512, "%s/%s", krb_samples_dir(), e->d_name);
	}
	closedir(d);
	return (int)n;
}

static void test_tshark_agrees_on_samples(void **state)
{
	static char names[64][512];
	int n, i, with_krb = 0, with_http = 0;
	size_t nm, total = 0, total_http = 0;

	(void)state;
	n = list_samples(names, 64);
	if (n == 0 || !tshark_ready())
		skip();
	for (i = 0; i < n; i++) {
		/* port 88, then tokens in HTTP; both checked against tshark
		 * (which must then also see none where we see none) */
		compare_capture(names[i], 0, &nm);
		with_krb += nm > 0;
		total += nm;
		compare_capture(names[i], 1, &nm);
		with_http += nm > 0;
		total_http += nm;
	}
	print_message("samples: %d of %d with KDC traffic (%zu messages), %d with "
		      "Kerberos in HTTP (%zu tokens)\n", with_krb, n, total,
		      with_http, total_http);
	assert_true(total_http > 0);
}

/* ---- specific facts ---- */

static int find_frame(const char *rel, unsigned frame, struct krb_pdus *pd,
		      struct cap_krb_msg *m)
{
	char path[1024], err[256];
	size_t j;

	path_of(path, sizeof(path), rel);
	if (krb_pdus_load(path, pd, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	for (j = 0; j < pd->n; j++)
		if (pd->v[j].frame == frame)
			return (int)cap_krb_decode(
				cap_span_of(pd->v[j].data, pd->v[j].len), m);
	fail_msg("%s: no Kerberos in frame %u", rel, frame);
	return -1;
}

static void test_error_badoption_ntstatus(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char b[128];

	(void)state;
	/* KDC refusing S4U2Proxy-style request: 13 with NTSTATUS in PA-PW-SALT */
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap",
				    32, &pd, &m), CAP_OK);
	assert_int_equal(m.msg_type, CAP_KRB_ERROR);
	assert_int_equal(m.err.error_code, CAP_KDC_ERR_BADOPTION);
	assert_string_equal(cap_krb_error_name(m.err.error_code),
			    "KDC_ERR_BADOPTION");
	/* MS-KILE KERB-ERROR-DATA, data-type 3 = KERB_ERR_TYPE_EXTENDED */
	assert_int_equal(m.err.e_data_kind, CAP_KRB_EDATA_KERB_ERROR_DATA);
	assert_int_equal(m.err.kerb_err_data_type, CAP_KERB_ERR_TYPE_EXTENDED);
	assert_true(m.err.ext_error_present);
	assert_int_equal(m.err.ntstatus, 0xC00000BBu);
	assert_string_equal(cap_krb_ntstatus_name(m.err.ntstatus),
			    "STATUS_NOT_SUPPORTED");
	assert_string_equal(cap_krb_principal_str(&m.err.sname, b, sizeof(b)),
			    "johnson-pc$@HAPPYCRAFT.ORG");
	krb_pdus_free(&pd);
}

static void test_error_preauth_required(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char b[128];

	(void)state;
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap",
				    2, &pd, &m), CAP_OK);
	assert_int_equal(m.err.error_code, CAP_KDC_ERR_PREAUTH_REQUIRED);
	assert_string_equal(cap_krb_error_name(25), "KDC_ERR_PREAUTH_REQUIRED");
	assert_int_equal(m.err.e_data_kind, CAP_KRB_EDATA_METHOD_DATA);
	assert_int_equal(m.npadata, 4);
	assert_int_equal(m.padata[0].type, CAP_KRB_PA_ETYPE_INFO2);
	assert_string_equal(cap_krb_padata_name(m.padata[0].type), "PA-ETYPE-INFO2");
	assert_int_equal(m.netype_info, 3);
	assert_int_equal(m.etype_info[0].etype, 18);
	assert_string_equal(cap_krb_etype_name(m.etype_info[0].etype),
			    "aes256-cts-hmac-sha1-96");
	assert_string_equal(cap_krb_etype_name(m.etype_info[1].etype), "rc4-hmac");
	assert_string_equal(cap_krb_span_str(m.etype_info[0].salt, b, sizeof(b)),
			    "HAPPYCRAFT.ORGhostjohnson-pc.happycraft.org");
	assert_string_equal(cap_krb_principal_str(&m.err.sname, b, sizeof(b)),
			    "krbtgt/happycraft.org");
	assert_int_equal(m.err.stime, 1549337928); /* 2019-02-05 03:38:48Z */
	krb_pdus_free(&pd);
}

static void test_tgs_req_with_ap_req(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char b[128];

	(void)state;
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap",
				    28, &pd, &m), CAP_OK);
	assert_int_equal(m.msg_type, CAP_KRB_TGS_REQ);
	assert_string_equal(cap_krb_msg_type_name(m.msg_type), "TGS-REQ");
	assert_true(m.pa_tgs_req.present);
	assert_true(m.padata[0].decoded);
	assert_string_equal(cap_krb_principal_str(&m.pa_tgs_req.ticket.sname, b,
						  sizeof(b)), "krbtgt/HAPPYCRAFT.ORG");
	assert_int_equal(m.pa_tgs_req.ticket.enc_part.etype, 18);
	assert_true(m.pa_tgs_req.ticket.enc_part.kvno_present);
	assert_int_equal(m.pa_tgs_req.ticket.enc_part.kvno, 2);
	/* user-to-self: sname is an enterprise name (NT-ENTERPRISE = 10) */
	assert_int_equal(m.req.sname.name_type, 10);
	assert_string_equal(cap_krb_name_type_name(m.req.sname.name_type),
			    "NT-ENTERPRISE");
	assert_true(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_FORWARDABLE));
	assert_true(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CANONICALIZE));
	assert_false(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CNAME_IN_ADDL_TKT));
	assert_int_equal(m.req.nonce, 1312338362u);
	assert_int_equal(m.req.netypes, 5);
	assert_int_equal(m.req.nadditional_tickets, 0);
	assert_int_equal(m.anomalies, 0);
	krb_pdus_free(&pd);
}

/* The DER caps (--max-der-depth, --max-der-elements) on a TGS-REQ whose PA-TGS-REQ
 * holds an AP-REQ: exactly enough passes, one less stops with CAP_LIMIT and says which. */
static void test_der_caps(void **state)
{
	struct cap_krb_msg *m = malloc(sizeof(*m));
	struct cap_der_budget b;
	struct cap_der_limits lim = {0, 0};
	struct krb_pdus pd;
	struct cap_span in = {NULL, 0};
	unsigned elems, depth;
	size_t j;

	(void)state;
	assert_non_null(m);
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap", 28, &pd, m),
			 CAP_OK);
	for (j = 0; j < pd.n; j++)
		if (pd.v[j].frame == 28)
			in = cap_span_of(pd.v[j].data, pd.v[j].len);
	cap_der_budget_init(&b, NULL);
	assert_int_equal(cap_krb_decode_capped(in, m, &b), CAP_OK);
	assert_int_equal(b.hit, 0);
	elems = b.elems;
	assert_true(elems > 50 && elems < CAP_DER_DEFAULT_MAX_ELEMS);

	lim.max_elems = elems;
	cap_der_budget_init(&b, &lim);
	assert_int_equal(cap_krb_decode_capped(in, m, &b), CAP_OK);
	lim.max_elems = elems - 1;
	cap_der_budget_init(&b, &lim);
	assert_int_equal(cap_krb_decode_capped(in, m, &b), CAP_LIMIT);
	assert_int_equal(m->der_cap_hit, CAP_DER_HIT_ELEMS);
	assert_int_equal(m->msg_type, CAP_KRB_TGS_REQ); /* what came before the cap stays */
	lim.max_elems = 5;
	cap_der_budget_init(&b, &lim);
	assert_int_equal(cap_krb_decode_capped(in, m, &b), CAP_LIMIT);
	assert_int_equal(b.elems, 5);

	/* The least depth that decodes it all; the nested AP-REQ makes it deep. */
	lim.max_elems = 0;
	for (depth = 1; depth < 64; depth++) {
		lim.max_depth = depth;
		cap_der_budget_init(&b, &lim);
		if (cap_krb_decode_capped(in, m, &b) == CAP_OK)
			break;
		assert_int_equal(m->der_cap_hit, CAP_DER_HIT_DEPTH);
	}
	assert_true(depth > 6 && depth < CAP_DER_DEFAULT_MAX_DEPTH);
	assert_true(m->pa_tgs_req.present);
	lim.max_depth = depth - 1;
	cap_der_budget_init(&b, &lim);
	assert_int_equal(cap_krb_decode_capped(in, m, &b), CAP_LIMIT);
	assert_int_equal(m->der_cap_hit, CAP_DER_HIT_DEPTH);
	/* The plain call spends the default caps, which a real message is far from. */
	assert_int_equal(cap_krb_decode(in, m), CAP_OK);
	krb_pdus_free(&pd);
	free(m);
}

static void test_error_s_principal_unknown(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char b[128];

	(void)state;
	assert_int_equal(find_frame("suricata-verify/tests/bug-8278-krb5-03/"
				    "baseline.2.flows.pcap", 21, &pd, &m), CAP_OK);
	assert_int_equal(m.err.error_code, CAP_KDC_ERR_S_PRINCIPAL_UNKNOWN);
	assert_string_equal(cap_krb_error_name(m.err.error_code),
			    "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_non_null(cap_krb_principal_str(&m.err.sname, b, sizeof(b)));
	assert_true(strlen(b) > 0);
	krb_pdus_free(&pd);
}

static void test_error_response_too_big(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;

	(void)state;
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/"
				    "kerberos-error.pcap", 2, &pd, &m), CAP_OK);
	assert_int_equal(m.err.error_code, CAP_KRB_ERR_RESPONSE_TOO_BIG);
	assert_string_equal(cap_krb_error_name(52), "KRB_ERR_RESPONSE_TOO_BIG");
	krb_pdus_free(&pd);
}

/* PA-PAC-OPTIONS (167) somewhere in dcerpc-ctxids and krb5_msg_type. */
static void test_pac_options_recognised(void **state)
{
	static const char *const files[] = {
		"suricata-verify/tests/dcerpc/dcerpc-ctxids/input.pcap",
		"suricata-verify/tests/krb5-krb5_msg_type/input.pcap",
	};
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char path[1024], err[256];
	size_t i, j, k;
	int seen = 0, errors7 = 0;

	(void)state;
	for (i = 0; i < 2; i++) {
		path_of(path, sizeof(path), files[i]);
		assert_int_equal(krb_pdus_load(path, &pd, err, sizeof(err)), 0);
		for (j = 0; j < pd.n; j++) {
			assert_int_equal(cap_krb_decode(cap_span_of(pd.v[j].data,
								    pd.v[j].len), &m),
					 CAP_OK);
			for (k = 0; k < m.npadata; k++)
				if (m.padata[k].type == CAP_KRB_PA_PAC_OPTIONS) {
					assert_true(m.padata[k].decoded);
					assert_true(m.pa_pac_options_present);
					seen++;
				}
			if (m.msg_type == CAP_KRB_ERROR && m.err.error_code == 7)
				errors7++;
		}
		krb_pdus_free(&pd);
	}
	assert_true(seen > 0);
	assert_int_equal(errors7, 2); /* dcerpc-ctxids frames 53 and 80 */
}

/* ---- robustness sweeps ---- */

static int span_inside(struct cap_span s, const uint8_t *base, size_t len)
{
	if (s.p == NULL)
		return s.len == 0;
	return s.p >= base && s.len <= len &&
	       (size_t)(s.p - base) <= len - s.len;
}

static void check_principal(const struct cap_krb_principal *p,
			    const uint8_t *b, size_t n)
{
	size_t i;
	char buf[64];

	assert_true(p->ncomponents <= CAP_KRB_MAX_COMPONENTS);
	assert_true(p->ncomponents <= p->ncomponents_seen);
	for (i = 0; i < p->ncomponents; i++)
		assert_true(span_inside(p->components[i], b, n));
	cap_krb_principal_str(p, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
}

static void check_enc(const struct cap_krb_enc *e, const uint8_t *b, size_t n)
{
	assert_true(span_inside(e->cipher, b, n));
}

static void check_ticket(const struct cap_krb_ticket *t, const uint8_t *b,
			 size_t n)
{
	assert_true(span_inside(t->realm, b, n));
	assert_true(span_inside(t->raw, b, n));
	check_principal(&t->sname, b, n);
	check_enc(&t->enc_part, b, n);
}

/* Every span in the result must point into the input. */
static void check_msg(const struct cap_krb_msg *m, const uint8_t *b, size_t n)
{
	size_t i;

	assert_true(m->npadata <= CAP_KRB_MAX_PADATA);
	for (i = 0; i < m->npadata; i++)
		assert_true(span_inside(m->padata[i].value, b, n));
	check_ticket(&m->pa_tgs_req.ticket, b, n);
	check_enc(&m->pa_tgs_req.authenticator, b, n);
	check_enc(&m->pa_enc_timestamp, b, n);
	check_principal(&m->pa_for_user.user_name, b, n);
	assert_true(m->netype_info <= CAP_KRB_MAX_ETYPE_INFO);
	for (i = 0; i < m->netype_info; i++) {
		assert_true(span_inside(m->etype_info[i].salt, b, n));
		assert_true(span_inside(m->etype_info[i].s2kparams, b, n));
	}
	check_principal(&m->req.cname, b, n);
	check_principal(&m->req.sname, b, n);
	assert_true(span_inside(m->req.realm, b, n));
	assert_true(m->req.netypes <= CAP_KRB_MAX_ETYPES);
	assert_true(m->req.nadditional_tickets <= CAP_KRB_MAX_ADDL_TICKETS);
	for (i = 0; i < m->req.nadditional_tickets; i++)
		check_ticket(&m->req.additional_tickets[i], b, n);
	for (i = 0; i < m->req.naddresses; i++)
		assert_true(span_inside(m->req.addresses[i].address, b, n));
	check_principal(&m->rep.cname, b, n);
	check_ticket(&m->rep.ticket, b, n);
	check_enc(&m->rep.enc_part, b, n);
	check_ticket(&m->ap_req.ticket, b, n);
	check_enc(&m->ap_req.authenticator, b, n);
	check_enc(&m->ap_rep.enc_part, b, n);
	check_principal(&m->err.cname, b, n);
	check_principal(&m->err.sname, b, n);
	assert_true(span_inside(m->err.e_text, b, n));
	assert_true(span_inside(m->err.e_data, b, n));
	assert_true(span_inside(m->err.realm, b, n));
	assert_true(span_inside(m->err.crealm, b, n));
	for (i = 0; i < m->cred.ntickets; i++)
		check_ticket(&m->cred.tickets[i], b, n);
}

/* Every vector of the corpus: captures (port 88) and samples (port 88 and
 * HTTP tokens), loaded once in setup(). */
struct vec {
	char name[600];
	unsigned frame;
	int bad;                /* a known defective message */
	const uint8_t *data;
	size_t len;
};

static struct krb_pdus corpus_sets[2 * 64 + NCAPTURES];
static size_t ncorpus_sets;
static struct vec *corpus;
static size_t ncorpus;

static void corpus_add(const char *path, int http)
{
	struct krb_pdus *pd = &corpus_sets[ncorpus_sets];
	struct vec *nv;
	char err[256];
	size_t j;

	if ((http ? krb_http_pdus_load : krb_pdus_load)(path, pd, err,
							sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	ncorpus_sets++;
	nv = realloc(corpus, (ncorpus + pd->n) * sizeof(*corpus));
	assert_non_null(nv);
	corpus = nv;
	for (j = 0; j < pd->n; j++) {
		struct vec *v = &corpus[ncorpus++];

		/* bounded: a long path is cut (it only names the vector in messages) */
		snprintf(v->name, sizeof(v->name), "%.*s%s", (int)sizeof(v->name) - 8, path,
			 http ? " (http)" : "");
		v->frame = pd->v[j].frame;
		v->bad = defective(path, v->frame);
		v->data = pd->v[j].data;
		v->len = pd->v[j].len;
	}
}

static char corpus_paths[MAX_TFILES][1024];
static size_t ncorpus_paths;

static void corpus_load(void)
{
	static char names[64][512];
	char (*paths)[1024] = corpus_paths;
	size_t i, np = 0;
	int n, k;

	for (i = 0; i < NCAPTURES; i++) {
		path_of(paths[np], sizeof(paths[np]), CAPTURES[i]);
		corpus_add(paths[np++], 0);
	}
	n = list_samples(names, 64);
	for (k = 0; k < n && np < MAX_TFILES; k++) {
		corpus_add(names[k], 0);
		corpus_add(names[k], 1);
		{
			/* bounded copy: gcc cannot see that names[k] is short */
			size_t nl = strnlen(names[k], sizeof(paths[0]) - 1);

			memcpy(paths[np], names[k], nl);
			paths[np++][nl] = '\0';
		}
	}
	ncorpus_paths = np;
}

/* tshark over the whole corpus, once, when an oracle test first needs it. */
static int tshark_ready(void)
{
	static int tried;

	if (!tried) {
		tried = 1;
		if (have_tshark())
			tshark_prefetch(corpus_paths, ncorpus_paths);
	}
	return ntfiles > 0;
}

static void corpus_free(void)
{
	size_t i;

	for (i = 0; i < ncorpus_sets; i++)
		krb_pdus_free(&corpus_sets[i]);
	free(corpus);
	corpus = NULL;
	ncorpus = ncorpus_sets = 0;
}

/* A span of a prefix decode must be the same bytes of the full decode. */
static void same_span(struct cap_span part, const uint8_t *pb, struct cap_span full,
		      const uint8_t *fb)
{
	if (part.p == NULL)
		return;
	assert_non_null(full.p);
	assert_int_equal(part.p - pb, full.p - fb);
	assert_int_equal(part.len, full.len);
}

static void same_principal(const struct cap_krb_principal *part, const uint8_t *pb,
			   const struct cap_krb_principal *full, const uint8_t *fb)
{
	size_t i;

	assert_true(part->ncomponents <= full->ncomponents);
	for (i = 0; i < part->ncomponents; i++)
		same_span(part->components[i], pb, full->components[i], fb);
}

/* What a cut message reports is what the whole one says (no invention). */
static int check_partial(const struct cap_krb_msg *p, const uint8_t *pb,
			 const struct cap_krb_msg *f, const uint8_t *fb)
{
	int informative = 0;

	if (p->err.error_code != 0) {
		assert_int_equal(p->err.error_code, f->err.error_code);
		informative = 1;
	}
	same_principal(&p->err.sname, pb, &f->err.sname, fb);
	same_span(p->err.realm, pb, f->err.realm, fb);
	same_span(p->err.e_text, pb, f->err.e_text, fb);
	if (p->req.nonce != 0)
		assert_int_equal(p->req.nonce, f->req.nonce);
	if (p->req.kdc_options != 0)
		assert_int_equal(p->req.kdc_options, f->req.kdc_options);
	same_span(p->req.realm, pb, f->req.realm, fb);
	if (p->req.realm.p != NULL)
		informative = 1;
	same_principal(&p->req.sname, pb, &f->req.sname, fb);
	same_principal(&p->req.cname, pb, &f->req.cname, fb);
	assert_true(p->req.netypes <= f->req.netypes);
	assert_true(p->npadata <= f->npadata);
	if (p->pa_tgs_req.ticket.enc_part.kvno_present)
		assert_int_equal(p->pa_tgs_req.ticket.enc_part.kvno,
				 f->pa_tgs_req.ticket.enc_part.kvno);
	same_principal(&p->pa_tgs_req.ticket.sname, pb, &f->pa_tgs_req.ticket.sname,
		       fb);
	same_principal(&p->ap_req.ticket.sname, pb, &f->ap_req.ticket.sname, fb);
	if (p->ap_req.ticket.enc_part.kvno_present)
		assert_int_equal(p->ap_req.ticket.enc_part.kvno,
				 f->ap_req.ticket.enc_part.kvno);
	same_span(p->rep.crealm, pb, f->rep.crealm, fb);
	same_principal(&p->rep.ticket.sname, pb, &f->rep.ticket.sname, fb);
	same_span(p->pa_tgs_req.ticket.realm, pb, f->pa_tgs_req.ticket.realm, fb);
	same_span(p->ap_req.ticket.realm, pb, f->ap_req.ticket.realm, fb);
	if (p->rep.crealm.p != NULL || p->pa_tgs_req.ticket.realm.p != NULL ||
	    p->ap_req.ticket.realm.p != NULL || p->npadata > 0)
		informative = 1;
	return informative;
}

static void test_every_prefix_truncated(void **state)
{
	struct cap_krb_msg *m = malloc(sizeof(*m)), full;
	size_t j, n, total = 0, informative = 0;

	(void)state;
	assert_non_null(m);
	for (j = 0; j < ncorpus; j++) {
		const struct vec *v = &corpus[j];

		if (cap_krb_decode(cap_span_of(v->data, v->len), &full) != CAP_OK) {
			assert_true(v->bad);
			continue;
		}
		for (n = 0; n < v->len; n++) {
			/* a copy of exactly n bytes: ASan sees overreads */
			uint8_t *cp = malloc(n ? n : 1);
			enum cap_status st;

			assert_non_null(cp);
			memcpy(cp, v->data, n);
			st = cap_krb_decode(cap_span_of(cp, n), m);
			if (st != CAP_TRUNCATED)
				fail_msg("%s frame %u prefix %zu/%zu: %s", v->name,
					 v->frame, n, v->len, cap_status_name(st));
			check_msg(m, cp, n);
			/* the message type is known once the tag is in */
			if (n >= 1)
				assert_int_equal(m->msg_type, full.msg_type);
			informative += check_partial(m, cp, &full, v->data);
			free(cp);
			total++;
		}
	}
	free(m);
	print_message("prefixes: %zu of %zu vectors, %zu with a realm, padata or "
		      "error code decoded before the cut\n", total, ncorpus, informative);
	assert_true(total > 10000);
	/* truncated is not malformed: most cuts still tell something */
	assert_true(informative > total / 2);
}

static void test_every_byte_corrupted(void **state)
{
	/* every byte inverted; the low and high bit too in the first 64
	 * bytes, where tags and lengths are dense */
	static const uint8_t flips[] = { 0xff, 0x01, 0x80 };
	struct cap_krb_msg *m = malloc(sizeof(*m));
	size_t j, n, f;
	size_t counts[5] = { 0 };

	(void)state;
	assert_non_null(m);
	for (j = 0; j < ncorpus; j++) {
		const struct vec *v = &corpus[j];
		uint8_t *cp = malloc(v->len);

		assert_non_null(cp);
		for (n = 0; n < v->len; n++) {
			for (f = 0; f < (n < 64 ? sizeof(flips) : 1); f++) {
				enum cap_status st;

				memcpy(cp, v->data, v->len);
				cp[n] ^= flips[f];
				st = cap_krb_decode(cap_span_of(cp, v->len), m);
				assert_true(st <= CAP_UNSUPPORTED);
				counts[st]++;
				check_msg(m, cp, v->len);
			}
		}
		free(cp);
	}
	free(m);
	print_message("corruptions: ok %zu truncated %zu malformed %zu limit %zu "
		      "unsupported %zu\n", counts[0], counts[1], counts[2],
		      counts[3], counts[4]);
	/* flipping bytes must be noticed often (tags, lengths)... */
	assert_true(counts[CAP_MALFORMED] > 1000);
	/* ...and a flip inside cipher text must not be (it is opaque) */
	assert_true(counts[CAP_OK] > 1000);
}

/* Anomalies: none in the real corpus except where the sender really
 * deviates; list them so a new one is seen. */
static void test_corpus_anomalies(void **state)
{
	struct cap_krb_msg m;
	size_t j;
	unsigned bit;

	(void)state;
	for (j = 0; j < ncorpus; j++) {
		const struct vec *v = &corpus[j];

		if (cap_krb_decode(cap_span_of(v->data, v->len), &m) != CAP_OK)
			continue;
		for (bit = 1; bit != 0 && bit <= m.anomalies; bit <<= 1)
			if (m.anomalies & bit) {
				assert_non_null(cap_krb_anomaly_name(bit));
				print_message("%s frame %u: %s\n", v->name, v->frame,
					      cap_krb_anomaly_name(bit));
			}
	}
}

/* ---- messages made by MIT krb5's own encoder ----
 *
 * libkrb5 exports the ASN.1 encoders its KDC uses (private API, symbol
 * version krb5_3_MIT).  Building S4U requests, KRB-CRED and over-cap lists
 * with them gives real encodings of what the captures lack; tshark then
 * reads them back as the oracle.  The two private structs are declared as
 * in MIT's k5-int.h (1.20); a layout change would show as a mismatch. */

struct mit_pa_for_user {
	krb5_principal user;
	krb5_checksum cksum;
	krb5_data auth_package;
};

struct mit_pa_pac_options {
	krb5_flags options;
};

krb5_error_code encode_krb5_tgs_req(const krb5_kdc_req *, krb5_data **);
krb5_error_code encode_krb5_as_req(const krb5_kdc_req *, krb5_data **);
krb5_error_code encode_krb5_ap_req(const krb5_ap_req *, krb5_data **);
krb5_error_code encode_krb5_cred(const krb5_cred *, krb5_data **);
krb5_error_code encode_krb5_error(const krb5_error *, krb5_data **);
krb5_error_code encode_krb5_pa_for_user(const struct mit_pa_for_user *,
					krb5_data **);
krb5_error_code encode_krb5_pa_pac_options(const struct mit_pa_pac_options *,
					   krb5_data **);

static krb5_context mctx;

static krb5_principal mit_name(const char *name, krb5_int32 type)
{
	krb5_principal p = NULL;

	assert_int_equal(krb5_parse_name(mctx, name, &p), 0);
	p->type = type;
	return p;
}

static krb5_ticket *mit_ticket(const char *server, krb5_enctype et,
			       krb5_kvno kvno, unsigned cipher_len)
{
	krb5_ticket *t = calloc(1, sizeof(*t));
	char *c = malloc(cipher_len);

	assert_non_null(t);
	assert_non_null(c);
	memset(c, 0xa5, cipher_len);
	t->server = mit_name(server, KRB5_NT_SRV_INST);
	t->enc_part.enctype = et;
	t->enc_part.kvno = kvno;
	t->enc_part.ciphertext.data = c;
	t->enc_part.ciphertext.length = cipher_len;
	return t;
}

static void mit_ticket_free(krb5_ticket *t)
{
	krb5_free_principal(mctx, t->server);
	free(t->enc_part.ciphertext.data);
	free(t);
}

/* PA-TGS-REQ value: an AP-REQ carrying the TGT. */
static krb5_data *mit_ap_req(krb5_ticket *tgt)
{
	krb5_ap_req ap;
	krb5_data *out = NULL;
	char auth[64];

	memset(&ap, 0, sizeof(ap));
	memset(auth, 0x5a, sizeof(auth));
	ap.ap_options = 0;
	ap.ticket = tgt;
	ap.authenticator.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	ap.authenticator.ciphertext.data = auth;
	ap.authenticator.ciphertext.length = sizeof(auth);
	assert_int_equal(encode_krb5_ap_req(&ap, &out), 0);
	return out;
}

struct mit_out {
	krb5_data *msg[8];
	size_t n;
};

/* S4U2Self: the service asks for a ticket to itself in alice's name. */
static void mit_s4u2self(struct mit_out *o)
{
	struct mit_pa_for_user pfu;
	struct mit_pa_pac_options ppo;
	krb5_ticket *tgt = mit_ticket("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
				      ENCTYPE_AES256_CTS_HMAC_SHA1_96, 2, 200);
	krb5_data *apreq = mit_ap_req(tgt), *pfud = NULL, *ppod = NULL;
	krb5_pa_data pa[3], *pal[4];
	krb5_enctype etypes[2] = { ENCTYPE_AES256_CTS_HMAC_SHA1_96,
				   ENCTYPE_ARCFOUR_HMAC };
	krb5_kdc_req req;
	char ck[16];

	memset(&pfu, 0, sizeof(pfu));
	memset(ck, 0x11, sizeof(ck));
	pfu.user = mit_name("alice@EXAMPLE.TEST", KRB5_NT_PRINCIPAL);
	pfu.cksum.checksum_type = -138; /* HMAC-MD5, as MS-SFU requires */
	pfu.cksum.contents = (krb5_octet *)ck;
	pfu.cksum.length = sizeof(ck);
	pfu.auth_package.data = (char *)"Kerberos";
	pfu.auth_package.length = 8;
	assert_int_equal(encode_krb5_pa_for_user(&pfu, &pfud), 0);
	ppo.options = (krb5_flags)CAP_KRB_BIT(CAP_PAC_OPT_RBCD);
	assert_int_equal(encode_krb5_pa_pac_options(&ppo, &ppod), 0);

	memset(pa, 0, sizeof(pa));
	pa[0].pa_type = KRB5_PADATA_AP_REQ;
	pa[0].contents = (krb5_octet *)apreq->data;
	pa[0].length = apreq->length;
	pa[1].pa_type = 129;
	pa[1].contents = (krb5_octet *)pfud->data;
	pa[1].length = pfud->length;
	pa[2].pa_type = 167;
	pa[2].contents = (krb5_octet *)ppod->data;
	pa[2].length = ppod->length;
	pal[0] = &pa[0];
	pal[1] = &pa[1];
	pal[2] = &pa[2];
	pal[3] = NULL;

	memset(&req, 0, sizeof(req));
	req.msg_type = KRB5_TGS_REQ;
	req.padata = pal;
	req.kdc_options = KDC_OPT_FORWARDABLE | KDC_OPT_CANONICALIZE;
	req.server = mit_name("HTTP/crm.example.test@EXAMPLE.TEST", KRB5_NT_SRV_HST);
	req.till = 2136422885; /* 2037-09-13T02:48:05Z, as Windows sends */
	req.nonce = 0x7ffffff0;
	req.nktypes = 2;
	req.ktype = etypes;
	assert_int_equal(encode_krb5_tgs_req(&req, &o->msg[o->n++]), 0);

	krb5_free_principal(mctx, req.server);
	krb5_free_principal(mctx, pfu.user);
	krb5_free_data(mctx, apreq);
	krb5_free_data(mctx, pfud);
	krb5_free_data(mctx, ppod);
	mit_ticket_free(tgt);
}

/* S4U2Proxy: the evidence ticket rides in additional-tickets. */
static void mit_s4u2proxy(struct mit_out *o)
{
	struct mit_pa_pac_options ppo;
	krb5_ticket *tgt = mit_ticket("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
				      ENCTYPE_AES256_CTS_HMAC_SHA1_96, 2, 180);
	krb5_ticket *evid = mit_ticket("HTTP/crm.example.test@EXAMPLE.TEST",
				       ENCTYPE_AES256_CTS_HMAC_SHA1_96, 3, 300);
	krb5_ticket *second[2] = { evid, NULL };
	krb5_data *apreq = mit_ap_req(tgt), *ppod = NULL;
	krb5_pa_data pa[2], *pal[3];
	krb5_enctype etypes[1] = { ENCTYPE_AES256_CTS_HMAC_SHA1_96 };
	krb5_kdc_req req;

	ppo.options = (krb5_flags)CAP_KRB_BIT(CAP_PAC_OPT_RBCD);
	assert_int_equal(encode_krb5_pa_pac_options(&ppo, &ppod), 0);
	memset(pa, 0, sizeof(pa));
	pa[0].pa_type = KRB5_PADATA_AP_REQ;
	pa[0].contents = (krb5_octet *)apreq->data;
	pa[0].length = apreq->length;
	pa[1].pa_type = 167;
	pa[1].contents = (krb5_octet *)ppod->data;
	pa[1].length = ppod->length;
	pal[0] = &pa[0];
	pal[1] = &pa[1];
	pal[2] = NULL;

	memset(&req, 0, sizeof(req));
	req.msg_type = KRB5_TGS_REQ;
	req.padata = pal;
	req.kdc_options = KDC_OPT_FORWARDABLE | KDC_OPT_CANONICALIZE |
			  KDC_OPT_CNAME_IN_ADDL_TKT;
	req.server = mit_name("MSSQLSvc/db.example.test:1433@EXAMPLE.TEST",
			      KRB5_NT_SRV_INST);
	req.till = 2136422885;
	req.nonce = 42;
	req.nktypes = 1;
	req.ktype = etypes;
	req.second_ticket = second;
	assert_int_equal(encode_krb5_tgs_req(&req, &o->msg[o->n++]), 0);

	krb5_free_principal(mctx, req.server);
	krb5_free_data(mctx, apreq);
	krb5_free_data(mctx, ppod);
	mit_ticket_free(tgt);
	mit_ticket_free(evid);
}

/* An AS-REQ over every cap: 40 etypes, 20 padata, a 12-part name, 6
 * addresses... and 5 additional tickets in a TGS-REQ. */
static void mit_over_caps(struct mit_out *o)
{
	krb5_enctype etypes[40];
	krb5_pa_data pa[20], *pal[21];
	krb5_ticket *tk[6];
	krb5_kdc_req req;
	uint8_t empty_seq[2] = { 0x30, 0x00 };
	size_t i;

	for (i = 0; i < 40; i++)
		etypes[i] = i % 2 ? ENCTYPE_AES128_CTS_HMAC_SHA1_96
				  : ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	memset(pa, 0, sizeof(pa));
	for (i = 0; i < 20; i++) {
		pa[i].pa_type = 149; /* PA-REQ-ENC-PA-REP: value not looked at */
		pa[i].contents = empty_seq;
		pa[i].length = 0;
		pal[i] = &pa[i];
	}
	pal[20] = NULL;
	memset(&req, 0, sizeof(req));
	req.msg_type = KRB5_AS_REQ;
	req.padata = pal;
	req.kdc_options = KDC_OPT_RENEWABLE_OK;
	req.client = mit_name("a/b/c/d/e/f/g/h/i/j/k/l@EXAMPLE.TEST",
			      KRB5_NT_PRINCIPAL);
	req.server = mit_name("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST", KRB5_NT_SRV_INST);
	req.till = 2136422885;
	req.rtime = 2136422885;
	req.from = 1700000000;
	req.nonce = 1;
	req.nktypes = 40;
	req.ktype = etypes;
	assert_int_equal(encode_krb5_as_req(&req, &o->msg[o->n++]), 0);
	krb5_free_principal(mctx, req.client);
	krb5_free_principal(mctx, req.server);

	for (i = 0; i < 5; i++)
		tk[i] = mit_ticket("HTTP/crm.example.test@EXAMPLE.TEST",
				   ENCTYPE_AES256_CTS_HMAC_SHA1_96, (krb5_kvno)i + 1, 40);
	tk[5] = NULL;
	memset(&req, 0, sizeof(req));
	req.msg_type = KRB5_TGS_REQ;
	req.kdc_options = KDC_OPT_ENC_TKT_IN_SKEY;
	req.server = mit_name("HTTP/crm.example.test@EXAMPLE.TEST", KRB5_NT_SRV_INST);
	req.till = 2136422885;
	req.nonce = 7;
	req.nktypes = 1;
	req.ktype = etypes;
	req.second_ticket = tk;
	assert_int_equal(encode_krb5_tgs_req(&req, &o->msg[o->n++]), 0);
	krb5_free_principal(mctx, req.server);
	for (i = 0; i < 5; i++)
		mit_ticket_free(tk[i]);
}

/* KRB-CRED with two tickets, and a KRB-ERROR with every optional field
 * (its e-data: the real METHOD-DATA of kerberos.pcap frame 2). */
static void mit_cred_and_error(struct mit_out *o, struct cap_span edata)
{
	krb5_ticket *tk[3];
	krb5_cred cred;
	krb5_error e;
	char enc[90];

	tk[0] = mit_ticket("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
			   ENCTYPE_AES256_CTS_HMAC_SHA1_96, 1, 120);
	tk[1] = mit_ticket("HTTP/crm.example.test@EXAMPLE.TEST",
			   ENCTYPE_ARCFOUR_HMAC, 9, 100);
	tk[2] = NULL;
	memset(&cred, 0, sizeof(cred));
	memset(enc, 0x33, sizeof(enc));
	cred.tickets = tk;
	cred.enc_part.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	cred.enc_part.ciphertext.data = enc;
	cred.enc_part.ciphertext.length = sizeof(enc);
	assert_int_equal(encode_krb5_cred(&cred, &o->msg[o->n++]), 0);
	mit_ticket_free(tk[0]);
	mit_ticket_free(tk[1]);

	memset(&e, 0, sizeof(e));
	e.ctime = 1700000000;
	e.cusec = 123456;
	e.stime = 1700000301;
	e.susec = 999999;
	e.error = CAP_KRB_AP_ERR_SKEW;
	e.client = mit_name("alice@EXAMPLE.TEST", KRB5_NT_PRINCIPAL);
	e.server = mit_name("HTTP/crm.example.test@EXAMPLE.TEST", KRB5_NT_SRV_HST);
	e.text.data = (char *)"Clock skew too great";
	e.text.length = 20;
	e.e_data.data = (char *)edata.p;
	e.e_data.length = (unsigned)edata.len;
	assert_int_equal(encode_krb5_error(&e, &o->msg[o->n++]), 0);
	krb5_free_principal(mctx, e.client);
	krb5_free_principal(mctx, e.server);
}

static void test_mit_encoded_messages(void **state)
{
	struct cap_span spans[8];
	struct cap_krb_msg m, m2;
	struct mit_out o;
	struct krb_pdus pd;
	char path[64], err[256], b[128];
	size_t i, n;
	int fd;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(krb5_init_context(&mctx), 0);
	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap",
				    2, &pd, &m2), CAP_OK);
	mit_s4u2self(&o);
	mit_s4u2proxy(&o);
	mit_over_caps(&o);
	mit_cred_and_error(&o, m2.err.e_data);
	for (i = 0; i < o.n; i++)
		spans[i] = cap_span_of(o.msg[i]->data, o.msg[i]->length);

	/* S4U2Self */
	assert_int_equal(cap_krb_decode(spans[0], &m), CAP_OK);
	assert_int_equal(m.anomalies, 0);
	assert_int_equal(m.npadata, 3);
	assert_true(m.padata[1].decoded && m.padata[2].decoded);
	assert_true(m.pa_tgs_req.present);
	assert_int_equal(m.pa_tgs_req.ticket.enc_part.kvno, 2);
	assert_true(m.pa_for_user.present);
	assert_string_equal(cap_krb_principal_str(&m.pa_for_user.user_name, b,
						  sizeof(b)), "alice");
	assert_true(cap_span_eq(m.pa_for_user.user_realm, "EXAMPLE.TEST"));
	assert_true(cap_span_eq(m.pa_for_user.auth_package, "Kerberos"));
	assert_int_equal(m.pa_for_user.cksum_type, -138);
	assert_true(m.pa_pac_options_present);
	assert_int_equal(m.pa_pac_options, CAP_KRB_BIT(CAP_PAC_OPT_RBCD));
	assert_int_equal(m.req.nonce, 0x7ffffff0u);
	assert_int_equal(m.req.till, 2136422885);
	assert_false(m.req.cname.present);

	/* S4U2Proxy */
	assert_int_equal(cap_krb_decode(spans[1], &m), CAP_OK);
	assert_true(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CNAME_IN_ADDL_TKT));
	assert_string_equal(cap_krb_kdc_option_name(CAP_KDC_OPT_CNAME_IN_ADDL_TKT),
			    "cname-in-addl-tkt");
	assert_int_equal(m.req.nadditional_tickets, 1);
	assert_string_equal(cap_krb_principal_str(&m.req.additional_tickets[0].sname,
						  b, sizeof(b)), "HTTP/crm.example.test");
	assert_int_equal(m.req.additional_tickets[0].enc_part.kvno, 3);
	assert_string_equal(cap_krb_principal_str(&m.req.sname, b, sizeof(b)),
			    "MSSQLSvc/db.example.test:1433");

	/* over every cap: counted, capped, named; never an error */
	assert_int_equal(cap_krb_decode(spans[2], &m), CAP_OK);
	assert_int_equal(m.req.netypes, CAP_KRB_MAX_ETYPES);
	assert_int_equal(m.req.netypes_seen, 40);
	assert_int_equal(m.npadata, CAP_KRB_MAX_PADATA);
	assert_int_equal(m.npadata_seen, 20);
	assert_int_equal(m.req.cname.ncomponents, CAP_KRB_MAX_COMPONENTS);
	assert_int_equal(m.req.cname.ncomponents_seen, 12);
	assert_true(m.req.from_present && m.req.rtime_present);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_TOO_MANY_ETYPES |
				      CAP_KRB_ANOM_TOO_MANY_PADATA |
				      CAP_KRB_ANOM_TOO_MANY_COMPONENTS);
	assert_int_equal(cap_krb_decode(spans[3], &m), CAP_OK);
	assert_int_equal(m.req.nadditional_tickets, CAP_KRB_MAX_ADDL_TICKETS);
	assert_int_equal(m.req.nadditional_tickets_seen, 5);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_TOO_MANY_TICKETS);

	/* KRB-CRED */
	assert_int_equal(cap_krb_decode(spans[4], &m), CAP_OK);
	assert_int_equal(m.msg_type, CAP_KRB_CRED);
	assert_int_equal(m.cred.ntickets, 2);
	assert_int_equal(m.cred.tickets[1].enc_part.etype, 23);
	assert_int_equal(m.cred.enc_part.cipher.len, 90);

	/* KRB-ERROR with everything */
	assert_int_equal(cap_krb_decode(spans[5], &m), CAP_OK);
	assert_int_equal(m.err.error_code, CAP_KRB_AP_ERR_SKEW);
	assert_true(m.err.ctime_present && m.err.cusec_present);
	assert_int_equal(m.err.ctime, 1700000000);
	assert_int_equal(m.err.cusec, 123456);
	assert_int_equal(m.err.stime - m.err.ctime, 301);
	assert_true(cap_span_eq(m.err.e_text, "Clock skew too great"));
	assert_string_equal(cap_krb_principal_str(&m.err.cname, b, sizeof(b)), "alice");
	assert_true(cap_span_eq(m.err.crealm, "EXAMPLE.TEST"));
	assert_int_equal(m.err.e_data_kind, CAP_KRB_EDATA_METHOD_DATA);
	assert_int_equal(m.netype_info, 3);

	/* and tshark reads all of them the same way */
	if (tshark_ready()) {
		snprintf(path, sizeof(path), "/tmp/negscope-krb-mit-XXXXXX");
		fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		/* all but the KRB-CRED (4): tshark's UDP/88 dissector only
		 * takes KDC and AP messages, and so does a KDC */
		struct cap_span kdc[8];
		size_t nk = 0;

		for (i = 0; i < o.n; i++)
			if (i != 4)
				kdc[nk++] = spans[i];
		assert_int_equal(krb_pcap_write_udp(path, kdc, nk, err,
						    sizeof(err)), 0);
		tshark_one(path);
		compare_capture(path, 0, &n);
		assert_int_equal(n, nk);
		unlink(path);
	}
	/* every prefix still truncated, every flip still clean */
	for (i = 0; i < o.n; i++) {
		size_t k;

		for (k = 0; k < spans[i].len; k++) {
			uint8_t *cp = malloc(spans[i].len);

			assert_non_null(cp);
			memcpy(cp, spans[i].p, spans[i].len);
			assert_int_equal(cap_krb_decode(cap_span_of(cp, k), &m),
					 CAP_TRUNCATED);
			cp[k] ^= 0xff;
			assert_true(cap_krb_decode(cap_span_of(cp, spans[i].len), &m)
				    <= CAP_UNSUPPORTED);
			check_msg(&m, cp, spans[i].len);
			free(cp);
		}
	}
	for (i = 0; i < o.n; i++)
		krb5_free_data(mctx, o.msg[i]);
	krb_pdus_free(&pd);
	krb5_free_context(mctx);
}

/* ---- lab samples: the facts samples/README.md states ---- */

static const struct vec *sample_vec(const char *file, int http, unsigned frame,
				    struct cap_krb_msg *m)
{
	char suffix[256];
	size_t j, sl;

	snprintf(suffix, sizeof(suffix), "/%s%s", file, http ? " (http)" : "");
	sl = strlen(suffix);
	for (j = 0; j < ncorpus; j++) {
		size_t nl = strlen(corpus[j].name);

		if (corpus[j].frame == frame && nl >= sl &&
		    strcmp(corpus[j].name + nl - sl, suffix) == 0) {
			assert_int_equal(cap_krb_decode(cap_span_of(corpus[j].data,
								    corpus[j].len), m),
					 CAP_OK);
			return &corpus[j];
		}
	}
	return NULL;
}

static void test_samples_facts(void **state)
{
	struct cap_krb_msg m;
	char b[128];

	(void)state;
	if (sample_vec("kerberos-ok.pcap", 1, 10, &m) == NULL)
		skip(); /* samples/ not recorded */
	/* AP-REQ in the SPNEGO NegTokenInit */
	assert_int_equal(m.msg_type, CAP_KRB_AP_REQ);
	assert_string_equal(cap_krb_principal_str(&m.ap_req.ticket.sname, b, sizeof(b)),
			    "HTTP/crm.example.test");
	assert_true(cap_span_eq(m.ap_req.ticket.realm, "EXAMPLE.TEST"));
	assert_int_equal(m.ap_req.ticket.enc_part.etype, 18);
	assert_int_equal(m.ap_req.ticket.enc_part.kvno, 2);
	assert_true(m.ap_req.ap_options & CAP_KRB_BIT(CAP_AP_OPT_MUTUAL_REQUIRED));
	assert_true(m.ap_req.authenticator.cipher.len > 0);
	assert_non_null(sample_vec("kerberos-ok.pcap", 1, 11, &m));
	assert_int_equal(m.msg_type, CAP_KRB_AP_REP);
	assert_true(m.ap_rep.enc_part.present);

	assert_non_null(sample_vec("iis-ap-err-modified.pcap", 1, 11, &m));
	assert_int_equal(m.err.error_code, CAP_KRB_AP_ERR_MODIFIED);
	assert_string_equal(cap_krb_error_name(m.err.error_code), "KRB_AP_ERR_MODIFIED");
	assert_non_null(sample_vec("stale-keytab.pcap", 1, 10, &m));
	assert_int_equal(m.ap_req.ticket.enc_part.kvno, 2);
	assert_non_null(sample_vec("stale-keytab.pcap", 1, 11, &m));
	assert_string_equal(cap_krb_error_name(m.err.error_code), "KRB_AP_ERR_BADKEYVER");
	assert_non_null(sample_vec("wrong-key.pcap", 1, 11, &m));
	assert_string_equal(cap_krb_error_name(m.err.error_code),
			    "KRB_AP_ERR_BAD_INTEGRITY");

	/* the seed article's SPN mistake, at the KDC */
	assert_non_null(sample_vec("spn-port-mismatch.pcap", 0, 8, &m));
	assert_int_equal(m.msg_type, CAP_KRB_TGS_REQ);
	assert_string_equal(cap_krb_principal_str(&m.req.sname, b, sizeof(b)),
			    "HTTP/sales.example.test");
	assert_true(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CANONICALIZE));
	assert_non_null(sample_vec("spn-port-mismatch.pcap", 0, 9, &m));
	assert_string_equal(cap_krb_error_name(m.err.error_code),
			    "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(cap_krb_principal_str(&m.err.sname, b, sizeof(b)),
			    "HTTP/sales.example.test");
	assert_true(cap_span_eq(m.err.realm, "EXAMPLE.TEST"));
	assert_non_null(sample_vec("spn-port-mismatch.pcap", 0, 10, &m));
	assert_false(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CANONICALIZE));

	/* delegation: the forwarded-TGT request */
	assert_non_null(sample_vec("delegation-ok.pcap", 0, 10, &m));
	assert_string_equal(cap_krb_principal_str(&m.req.sname, b, sizeof(b)),
			    "krbtgt/EXAMPLE.TEST");
	assert_true(m.req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_FORWARDED));
	assert_true(m.pa_tgs_req.present);

	/* KDC over TCP: record marker removed, same decode */
	assert_non_null(sample_vec("kerberos-tcp.pcap", 0, 11, &m));
	assert_int_equal(m.msg_type, CAP_KRB_TGS_REQ);
	assert_string_equal(cap_krb_principal_str(&m.req.sname, b, sizeof(b)),
			    "HTTP/crm.example.test");
}

/* Deviations on real messages are tolerated and named. */
static void test_anomalies_on_real_vector(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	uint8_t *cp;
	size_t len;

	(void)state;
	/* KRB-ERROR 13 of kerberos.pcap frame 32: 7e 81 81 30 7f a0 03 02 01 05 */
	static const uint8_t head[] = { 0x7e, 0x81, 0x81, 0x30, 0x7f, 0xa0, 0x03,
					0x02, 0x01, 0x05 };
	const uint8_t *d = NULL;
	size_t j;

	len = 0;

	assert_int_equal(find_frame("nDPI/tests/cfgs/default/pcap/kerberos.pcap",
				    32, &pd, &m), CAP_OK);
	for (j = 0; j < pd.n; j++)
		if (pd.v[j].frame == 32) {
			d = pd.v[j].data;
			len = pd.v[j].len;
		}
	assert_non_null(d);
	assert_memory_equal(d, head, sizeof(head));
	cp = malloc(len + 2);
	assert_non_null(cp);
	/* one byte of trailing data */
	memcpy(cp, d, len);
	cp[len] = 0;
	assert_int_equal(cap_krb_decode(cap_span_of(cp, len + 1), &m), CAP_OK);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_TRAILING_DATA);
	assert_int_equal(m.err.error_code, 13);
	/* the outer length re-encoded as 82 00 81 (non-minimal) */
	cp[0] = d[0];
	cp[1] = 0x82;
	cp[2] = 0x00;
	memcpy(cp + 3, d + 2, len - 2);
	assert_int_equal(cap_krb_decode(cap_span_of(cp, len + 1), &m), CAP_OK);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_NONMINIMAL_DER);
	assert_int_equal(m.err.error_code, 13);
	/* pvno 5 -> 6 is named, not fatal */
	memcpy(cp, d, len);
	cp[9] = 0x06;
	assert_int_equal(cap_krb_decode(cap_span_of(cp, len), &m), CAP_OK);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_BAD_PVNO);
	/* msg-type 30 -> 31 disagrees with [APPLICATION 30]: named */
	memcpy(cp, d, len);
	assert_int_equal(cp[14], 0x1e);
	cp[14] = 0x1f;
	assert_int_equal(cap_krb_decode(cap_span_of(cp, len), &m), CAP_OK);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_MSG_TYPE_MISMATCH);
	/* e-data in no known form stays an anomaly, not an error:
	 * ac 19 04 17 [30 15 a1 03 ...] -> the SEQUENCE made a SET */
	memcpy(cp, d, len);
	for (j = 0; j + 6 <= len; j++)
		if (memcmp(cp + j, "\xac\x19\x04\x17\x30\x15", 6) == 0)
			break;
	assert_true(j + 6 <= len);
	cp[j + 4] = 0x31;
	assert_int_equal(cap_krb_decode(cap_span_of(cp, len), &m), CAP_OK);
	assert_int_equal(m.anomalies, CAP_KRB_ANOM_EDATA_UNDECODED);
	assert_int_equal(m.err.e_data_kind, CAP_KRB_EDATA_UNKNOWN);
	assert_false(m.err.ext_error_present);
	free(cp);
	krb_pdus_free(&pd);
}

/* The fuzz capture from nDPI: garbage must come back as a clean error. */
static void test_fuzz_capture(void **state)
{
	struct cap_krb_msg m;
	struct krb_pdus pd;
	char path[1024], err[256];
	size_t j;

	(void)state;
	path_of(path, sizeof(path), "nDPI/tests/cfgs/default/pcap/kerberos_fuzz.pcapng");
	assert_int_equal(krb_pdus_load(path, &pd, err, sizeof(err)), 0);
	for (j = 0; j < pd.n; j++) {
		enum cap_status st = cap_krb_decode(cap_span_of(pd.v[j].data,
								pd.v[j].len), &m);
		assert_true(st <= CAP_UNSUPPORTED);
		check_msg(&m, pd.v[j].data, pd.v[j].len);
	}
	krb_pdus_free(&pd);
}

/* ---- TCP record marker ---- */

static void test_tcp_record(void **state)
{
	static const uint8_t rec[] = { 0x00, 0x00, 0x00, 0x02, 0x6a, 0x00, 0xee };
	static const uint8_t bad[] = { 0x80, 0x00, 0x00, 0x02, 0x6a, 0x00 };
	struct cap_span pdu;
	uint32_t rl;

	(void)state;
	assert_int_equal(cap_krb_tcp_record(cap_span_of(rec, sizeof(rec)), &pdu, &rl),
			 CAP_OK);
	assert_int_equal(rl, 2);
	assert_int_equal(pdu.len, 2);
	assert_ptr_equal(pdu.p, rec + 4);
	assert_int_equal(cap_krb_tcp_record(cap_span_of(rec, 5), &pdu, &rl),
			 CAP_TRUNCATED);
	assert_int_equal(pdu.len, 1);
	assert_int_equal(cap_krb_tcp_record(cap_span_of(rec, 3), &pdu, &rl),
			 CAP_TRUNCATED);
	assert_int_equal(cap_krb_tcp_record(cap_span_of(bad, sizeof(bad)), &pdu, &rl),
			 CAP_MALFORMED);
}

static void test_not_kerberos(void **state)
{
	static const uint8_t seq[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t app2[] = { 0x62, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t safe[] = { 0x74, 0x00 };
	static const uint8_t indef[] = { 0x6e, 0x80, 0x00, 0x00 };
	struct cap_krb_msg m;

	(void)state;
	assert_int_equal(cap_krb_decode(cap_span_of(seq, sizeof(seq)), &m),
			 CAP_MALFORMED);
	assert_int_equal(cap_krb_decode(cap_span_of(app2, sizeof(app2)), &m),
			 CAP_MALFORMED);
	assert_int_equal(cap_krb_decode(cap_span_of(safe, sizeof(safe)), &m),
			 CAP_UNSUPPORTED);
	assert_int_equal(m.msg_type, CAP_KRB_SAFE);
	assert_int_equal(cap_krb_decode(cap_span_of(indef, sizeof(indef)), &m),
			 CAP_UNSUPPORTED);
	assert_int_equal(cap_krb_decode(cap_span_of(NULL, 0), &m), CAP_TRUNCATED);
	assert_int_equal(cap_krb_peek_type(cap_span_of(app2, sizeof(app2))), 0);
	assert_int_equal(cap_krb_peek_type(cap_span_of(indef, sizeof(indef))), 14);
}

/* ---- names ---- */

static void test_principal_str(void **state)
{
	struct cap_krb_principal p;
	char b[64], tiny[8];

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_string_equal(cap_krb_principal_str(&p, b, sizeof(b)), "");
	p.present = 1;
	p.ncomponents = 2;
	p.components[0] = cap_span_of("HTTP", 4);
	p.components[1] = cap_span_of("crm.example.test", 16);
	assert_string_equal(cap_krb_principal_str(&p, b, sizeof(b)),
			    "HTTP/crm.example.test");
	p.components[1] = cap_span_of("a\0b\x7f\\", 5);
	assert_string_equal(cap_krb_principal_str(&p, b, sizeof(b)),
			    "HTTP/a\\x00b\\x7f\\");
	/* bounded, and never a half escape */
	assert_string_equal(cap_krb_principal_str(&p, tiny, sizeof(tiny)), "HTTP/a");
	assert_string_equal(cap_krb_principal_str(&p, tiny, 1), "");
	assert_string_equal(cap_krb_principal_str(NULL, b, sizeof(b)), "");
}

static void test_option_names(void **state)
{
	(void)state;
	assert_string_equal(cap_krb_kdc_option_name(CAP_KDC_OPT_FORWARDABLE),
			    "forwardable");
	assert_string_equal(cap_krb_kdc_option_name(CAP_KDC_OPT_FORWARDED), "forwarded");
	assert_string_equal(cap_krb_kdc_option_name(14), "cname-in-addl-tkt");
	assert_string_equal(cap_krb_kdc_option_name(15), "canonicalize");
	assert_string_equal(cap_krb_kdc_option_name(27), "renewable-ok");
	assert_null(cap_krb_kdc_option_name(32));
	assert_string_equal(cap_krb_ap_option_name(CAP_AP_OPT_MUTUAL_REQUIRED),
			    "mutual-required");
	assert_string_equal(cap_krb_pac_option_name(CAP_PAC_OPT_RBCD),
			    "resource-based-constrained-delegation");
	assert_string_equal(cap_krb_error_name(41), "KRB_AP_ERR_MODIFIED");
	assert_string_equal(cap_krb_error_name(7), "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(cap_krb_error_name(37), "KRB_AP_ERR_SKEW");
	assert_string_equal(cap_krb_error_name(68), "KDC_ERR_WRONG_REALM");
	assert_null(cap_krb_error_name(30));
	assert_non_null(cap_krb_error_text(41));
	assert_string_equal(cap_krb_etype_name(23), "rc4-hmac");
	assert_string_equal(cap_krb_name_type_name(2), "NT-SRV-INST");
	assert_string_equal(cap_krb_padata_name(129), "PA-FOR-USER");
	assert_string_equal(cap_krb_padata_name(167), "PA-PAC-OPTIONS");
	assert_string_equal(cap_krb_anomaly_name(CAP_KRB_ANOM_TRAILING_DATA),
			    "krb_trailing_data");
	assert_string_equal(cap_krb_kerb_err_data_type_name(3), "KERB_ERR_TYPE_EXTENDED");
}

/* Every value tshark has a name for, we have a name for too. */
static void test_names_cover_tshark_tables(void **state)
{
	char *line = NULL;
	size_t cap = 0, checked = 0, nt_checked = 0;
	FILE *p;

	(void)state;
	if (!have_tshark())
		skip();
	p = popen("tshark -G values 2>/dev/null", "r");
	assert_non_null(p);
	while (getline(&line, &cap, p) > 0) {
		const char *field, *name = "";
		char *tab, *end;
		long long v;
		int32_t iv;

		/* "V\t<field>\t<value>\t<name>" */
		if (strncmp(line, "V\t", 2) != 0)
			continue;
		field = line + 2;
		tab = strchr(field, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		v = strtoll(tab + 1, &end, 10);
		if (end == tab + 1)
			continue;
		iv = (int32_t)(uint32_t)(unsigned long long)v;
		if (strcmp(field, "kerberos.smb.nt_status") == 0) {
			/* ours is a short list: where we name one, tshark agrees */
			char *tname = strchr(tab + 1, '\t');
			const char *ours;

			v = strtoll(tab + 1, &end, 16);
			ours = cap_krb_ntstatus_name((uint32_t)v);
			if (ours != NULL && tname != NULL) {
				tname[strcspn(tname, "\r\n")] = '\0';
				if (strcmp(ours, tname + 1) != 0)
					fail_msg("NTSTATUS 0x%llx: ours %s, tshark %s", v,
						 ours, tname + 1);
				nt_checked++;
			}
			continue;
		}
		if (strcmp(field, "kerberos.error_code") == 0)
			name = cap_krb_error_name(iv);
		else if (strcmp(field, "kerberos.etype") == 0)
			name = cap_krb_etype_name(iv);
		else if (strcmp(field, "kerberos.padata_type") == 0)
			name = cap_krb_padata_name(iv);
		else if (strcmp(field, "kerberos.name_type") == 0)
			name = cap_krb_name_type_name(iv);
		else if (strcmp(field, "kerberos.msg_type") == 0)
			name = cap_krb_msg_type_name(iv);
		else
			continue;
		if (name == NULL)
			fail_msg("no name for %s %lld (%s)", field, v, line);
		checked++;
	}
	free(line);
	pclose(p);
	assert_true(checked >= 200);
	assert_true(nt_checked >= 20);
}

static int setup(void **state)
{
	(void)state;
	fs_mine = malloc(sizeof(*fs_mine));
	corpus_load();
	return fs_mine == NULL;
}

static int teardown(void **state)
{
	(void)state;
	free(fs_mine);
	corpus_free();
	tshark_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tshark_agrees_on_captures),
		cmocka_unit_test(test_tshark_agrees_on_samples),
		cmocka_unit_test(test_error_badoption_ntstatus),
		cmocka_unit_test(test_error_preauth_required),
		cmocka_unit_test(test_tgs_req_with_ap_req),
		cmocka_unit_test(test_der_caps),
		cmocka_unit_test(test_error_s_principal_unknown),
		cmocka_unit_test(test_error_response_too_big),
		cmocka_unit_test(test_pac_options_recognised),
		cmocka_unit_test(test_every_prefix_truncated),
		cmocka_unit_test(test_every_byte_corrupted),
		cmocka_unit_test(test_corpus_anomalies),
		cmocka_unit_test(test_samples_facts),
		cmocka_unit_test(test_mit_encoded_messages),
		cmocka_unit_test(test_anomalies_on_real_vector),
		cmocka_unit_test(test_fuzz_capture),
		cmocka_unit_test(test_tcp_record),
		cmocka_unit_test(test_not_kerberos),
		cmocka_unit_test(test_principal_str),
		cmocka_unit_test(test_option_names),
		cmocka_unit_test(test_names_cover_tshark_tables),
	};

	/* e.g. NEGSCOPE_TEST_FILTER='*prefix*' to run one test */
	if (getenv("NEGSCOPE_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("NEGSCOPE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
