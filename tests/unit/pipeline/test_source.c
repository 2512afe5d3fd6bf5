/* test_source.c - the libpcap side: files cut mid-record, several files in
 * order (link types switching), pcapng and nanosecond files, standard input,
 * unreadable files and bad filters, the packet count, live capture on
 * loopback with a dump file and a stop, and dropping privileges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pl_harness.h"

static char *tmpdir;

static int setup(void **state)
{
	(void)state;
	tmpdir = pcaputil_tempdir();
	return tmpdir != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pcaputil_rmdir(tmpdir);
	free(tmpdir);
	return 0;
}

static void capture(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", NEGSCOPE_CAPTURES_DIR, rel);
}

static void tmpfile_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Byte offsets of each record of a classic pcap file (read here, without
 * libpcap: 24-byte file header, 16-byte record headers). */
static size_t record_offsets(const char *path, long *offs, size_t max)
{
	FILE *f = fopen(path, "rb");
	uint8_t h[24];
	size_t n = 0;
	long off = 24;
	bool swap;

	assert_non_null(f);
	assert_int_equal(fread(h, 1, 24, f), 24);
	swap = h[0] == 0xa1; /* big-endian magic a1b2c3d4 / a1b23c4d */
	while (n < max) {
		uint8_t r[16];
		uint32_t caplen;

		if (fseek(f, off, SEEK_SET) != 0 || fread(r, 1, 16, f) != 16)
			break;
		caplen = swap ? (uint32_t)r[8] << 24 | (uint32_t)r[9] << 16 | (uint32_t)r[10] << 8 | r[11]
			      : (uint32_t)r[11] << 24 | (uint32_t)r[10] << 16 | (uint32_t)r[9] << 8 | r[8];
		offs[n++] = off;
		off += 16 + (long)caplen;
	}
	fclose(f);
	return n;
}

/* Events of a run limited to frames <= last. */
static size_t count_upto(const struct evlog *l, char type, uint64_t last)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].type == type && l->v[i].frame <= last;
	return n;
}

static void test_truncated_file(void **state)
{
	char src[1024], cut[1024], msg[512];
	long offs[256];
	struct cap_pipeline_stats full_st, st;
	struct evlog full = { 0 }, l = { 0 };
	const char *p = cut;
	size_t n, k;

	(void)state;
	capture(src, sizeof(src), "nDPI/tests/cfgs/default/pcap/http_auth.pcap");
	tmpfile_path(cut, sizeof(cut), "cut.pcap");
	n = record_offsets(src, offs, 256);
	assert_int_equal(ev_run_file(src, &full, &full_st), CAP_SRC_END);
	assert_int_equal(full_st.packets, n);
	for (k = 1; k + 1 < n; k += 4) {
		/* Cut in the middle of record k's data, then inside its header. */
		long at[2];
		size_t j;

		at[0] = offs[k] + 16 + (offs[k + 1] - offs[k] - 16) / 2;
		at[1] = offs[k] + 8;
		for (j = 0; j < 2; j++) {
			if (at[j] <= offs[k] + 16 && j == 0)
				continue;
			assert_int_equal(pcaputil_copy_prefix(src, cut, at[j]), 0);
			memset(&st, 0, sizeof(st));
			assert_int_equal(ev_run_files(&p, 1, NULL, &l, &st, msg, sizeof(msg)),
					 CAP_SRC_TRUNCATED);
			assert_non_null(strstr(msg, "truncated"));
			assert_non_null(strstr(msg, "cut.pcap"));
			assert_int_equal(st.packets, k); /* every record before the cut */
			assert_int_equal(ev_count(&l, 'H'), count_upto(&full, 'H', k));
			evlog_free(&l);
		}
	}
	evlog_free(&full);
}

static void test_several_files_in_order(void **state)
{
	char a[1024], b[1024];
	const char *paths[2] = { a, b };
	struct cap_pipeline_stats sa, sb, st;

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	struct evlog la = { 0 }, lb = { 0 }, l = { 0 };
	size_t i;

	(void)state;
	/* BSD loopback, then Ethernet: the link type switches between files. */
	capture(a, sizeof(a), "suricata-verify/tests/http-auth-bearer/input.pcap");
	capture(b, sizeof(b), "nDPI/tests/cfgs/default/pcap/http_auth.pcap");
	assert_int_equal(ev_run_file(a, &la, &sa), CAP_SRC_END);
	assert_int_equal(ev_run_file(b, &lb, &sb), CAP_SRC_END);
	assert_int_equal(ev_run_files(paths, 2, NULL, &l, &st, NULL, 0), CAP_SRC_END);
	assert_int_equal(st.packets, sa.packets + sb.packets);
	assert_int_equal(ev_count(&l, 'H'), ev_count(&la, 'H') + ev_count(&lb, 'H'));
	assert_true(ev_count(&lb, 'H') > 0);
	/* Frame numbers continue; stream indices too. */
	for (i = 0; i < ev_count(&lb, 'H'); i++) {
		const struct ev *x = ev_nth(&lb, 'H', i);
		const struct ev *y = ev_nth(&l, 'H', ev_count(&la, 'H') + i);

		assert_int_equal(y->frame, x->frame + sa.packets);
		assert_int_equal(y->stream, x->stream + ev_nth(&la, 'H', 0)->stream + 1);
	}
	evlog_free(&la);
	evlog_free(&lb);
	evlog_free(&l);
}

static void test_pcapng_nanoseconds_stdin(void **state)
{
	char src[1024], ng[1024], ns[1024], cmd[4096], q1[1024], q2[1024];
	const char *dash = "-", *srcp0 = src;
	struct cap_pipeline_stats s0, s1;
	struct evlog l0 = { 0 }, l1 = { 0 };
	const char *const formats[] = { "pcapng", "nsecpcap" };
	const char *outs[2] = { ng, ns };
	struct cap_source *srcp;
	struct cap_source_pkt pkt0, pkt1;
	char err[512];
	bool fresh;
	size_t i, j;

	(void)state;
	if (system("editcap -h >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	capture(src, sizeof(src), "arkime/tests/pcap/ntlm_synthetic.pcap");
	tmpfile_path(ng, sizeof(ng), "x.pcapng");
	tmpfile_path(ns, sizeof(ns), "x-ns.pcap");
	assert_int_equal(ev_run_file(src, &l0, &s0), CAP_SRC_END);
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "editcap -F %s %s %s 2>/dev/null", formats[i],
			 pcaputil_quote(src, q1, sizeof(q1)), pcaputil_quote(outs[i], q2, sizeof(q2)));
		assert_int_equal(system(cmd), 0);
		assert_int_equal(ev_run_file(outs[i], &l1, &s1), CAP_SRC_END);
		assert_int_equal(s1.packets, s0.packets);
		assert_int_equal(l1.n, l0.n);
		for (j = 0; j < l0.n; j++) {
			assert_int_equal(l1.v[j].type, l0.v[j].type);
			assert_int_equal(l1.v[j].frame, l0.v[j].frame);
		}
		evlog_free(&l1);
		/* Timestamps agree whatever the file's resolution. */
		assert_int_equal(cap_source_open_files(&srcp, &srcp0, 1, NULL, err, sizeof(err)), 0);
		assert_int_equal(cap_source_next(srcp, &pkt0, &fresh), 1);
		assert_true(fresh);
		cap_source_close(srcp);
		assert_int_equal(cap_source_open_files(&srcp, &outs[i], 1, NULL, err, sizeof(err)), 0);
		assert_int_equal(cap_source_next(srcp, &pkt1, &fresh), 1);
		assert_true(pkt0.ts > 1e9);
		assert_true(pkt1.ts - pkt0.ts < 1e-6 && pkt0.ts - pkt1.ts < 1e-6);
		cap_source_close(srcp);
	}
	/* Standard input ("-"). */
	assert_non_null(freopen(ng, "rb", stdin));
	assert_int_equal(ev_run_files(&dash, 1, NULL, &l1, &s1, NULL, 0), CAP_SRC_END);
	assert_int_equal(s1.packets, s0.packets);
	assert_int_equal(l1.n, l0.n);
	evlog_free(&l1);
	evlog_free(&l0);
}

static void test_unreadable_inputs(void **state)
{
	char bad[1024], good[1024], msg[512];
	const char *paths[2] = { good, bad };
	struct cap_source *s = (struct cap_source *)1;
	struct cap_source_opts o;
	struct evlog l = { 0 };
	FILE *f;

	(void)state;
	capture(good, sizeof(good), "arkime/tests/pcap/krb5-udp.pcap");
	tmpfile_path(bad, sizeof(bad), "missing.pcap");
	/* A missing second file fails before anything is read. */
	assert_int_equal(cap_source_open_files(&s, paths, 2, NULL, msg, sizeof(msg)), -1);
	assert_null(s);
	assert_non_null(strstr(msg, "missing.pcap"));
	assert_null(strchr(msg, '\n'));
	/* Not a capture file. */
	tmpfile_path(bad, sizeof(bad), "junk.pcap");
	f = fopen(bad, "wb");
	assert_non_null(f);
	fputs("this is not a capture file at all\n", f);
	fclose(f);
	assert_int_equal(cap_source_open_files(&s, paths + 1, 1, NULL, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "junk.pcap"));
	/* A header only, shorter than a file header. */
	assert_int_equal(pcaputil_copy_prefix(good, bad, 10), 0);
	assert_int_equal(cap_source_open_files(&s, paths + 1, 1, NULL, msg, sizeof(msg)), -1);
	/* A bad filter is named. */
	memset(&o, 0, sizeof(o));
	o.filter = "tcp port eighty-eight";
	assert_int_equal(cap_source_open_files(&s, paths, 1, &o, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "filter"));
	/* Standard input twice. */
	paths[0] = "-";
	paths[1] = "-";
	assert_int_equal(cap_source_open_files(&s, paths, 2, NULL, msg, sizeof(msg)), -1);
	evlog_free(&l);
}

static void test_filter_and_count(void **state)
{
	char path[1024], err[512];
	const char *p = path;
	struct cap_source_opts o;
	struct cap_source *s;
	struct cap_pipeline *pl;
	struct cap_source_pkt pkt;
	bool fresh;
	uint64_t n = 0, total = 0, done = 0;

	(void)state;
	capture(path, sizeof(path), "nDPI/tests/cfgs/default/pcap/kerberos-login.pcap");
	memset(&o, 0, sizeof(o));
	o.filter = "udp port 88";
	assert_int_equal(cap_source_open_files(&s, &p, 1, &o, err, sizeof(err)), 0);
	while (cap_source_next(s, &pkt, &fresh) == 1)
		n++;
	assert_int_equal(cap_source_status(s), CAP_SRC_END);
	assert_int_equal(n, 24); /* the capture README: 24 Kerberos datagrams on port 88 */
	assert_int_equal(cap_source_progress(s, &done, &total), 0);
	assert_int_equal(total, (uint64_t)pcaputil_file_size(path));
	assert_int_equal(done, total);
	cap_source_close(s);

	o.filter = NULL;
	o.max_packets = 5;
	assert_int_equal(cap_source_open_files(&s, &p, 1, &o, err, sizeof(err)), 0);
	pl = cap_pipeline_new(cap_source_linktype(s), NULL, NULL);
	assert_non_null(pl);
	assert_int_equal(cap_source_run(s, pl), CAP_SRC_STOPPED);
	assert_int_equal(cap_pipeline_stats(pl)->packets, 5);
	assert_int_equal(cap_source_packets(s), 5);
	assert_int_equal(cap_source_live_stats(s, &n, &n, &n), -1);
	cap_pipeline_free(pl);
	cap_source_close(s);
}

static void test_live_loopback(void **state)
{
	char err[512], dump[1024];
	const char *dp = dump;
	struct cap_source_opts o;
	struct cap_source *s;
	struct cap_source_pkt pkt;
	struct sockaddr_in to;
	struct evlog l = { 0 };
	struct cap_pipeline_stats st;
	bool fresh, got = false;
	int fd, i;
	uint64_t rx, drop, ifdrop;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.filter = "udp and dst port 59088";
	if (geteuid() != 0 || cap_source_open_live(&s, "lo", &o, err, sizeof(err)) != 0) {
		skip(); /* live capture needs root (or CAP_NET_RAW) */
		return;
	}
	tmpfile_path(dump, sizeof(dump), "live.pcap");
	assert_int_equal(cap_source_start_dump(s, dump, err, sizeof(err)), 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(59088);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 50 && !got; i++) {
		assert_true(sendto(fd, "ping", 4, 0, (struct sockaddr *)&to, sizeof(to)) == 4);
		/* Each read returns within the 100 ms timeout when nothing comes. */
		got = cap_source_next(s, &pkt, &fresh) == 1;
	}
	close(fd);
	assert_true(got);
	assert_int_equal(pkt.caplen, pkt.wirelen);
	assert_int_equal(cap_source_live_stats(s, &rx, &drop, &ifdrop), 0);
	cap_source_stop(s);
	assert_int_equal(cap_source_next(s, &pkt, &fresh), 0);
	assert_int_equal(cap_source_status(s), CAP_SRC_STOPPED);
	cap_source_close(s);
	/* The dump holds what was read. */
	assert_int_equal(ev_run_files(&dp, 1, NULL, &l, &st, NULL, 0), CAP_SRC_END);
	assert_true(st.packets >= 1);
	evlog_free(&l);
}

static void test_drop_privileges(void **state)
{
	const char *user = cap_source_default_user();
	char err[256];
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(cap_source_drop_privileges("no-such-user-negscope", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no-such-user-negscope"));
	if (geteuid() != 0 || user == NULL) {
		skip();
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL || cap_source_drop_privileges(user, err, sizeof(err)) != 0)
			_exit(2);
		_exit(geteuid() == pw->pw_uid && getuid() == pw->pw_uid && getegid() == pw->pw_gid &&
				      setuid(0) != 0
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_several_files_in_order),
		cmocka_unit_test(test_pcapng_nanoseconds_stdin),
		cmocka_unit_test(test_unreadable_inputs),
		cmocka_unit_test(test_filter_and_count),
		cmocka_unit_test(test_live_loopback),
		cmocka_unit_test(test_drop_privileges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
