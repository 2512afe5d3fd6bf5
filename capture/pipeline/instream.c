/* instream.c - one capture input's bytes, through zlib, libzstd or liblz4 when compressed.
 *
 * Magic numbers: gzip 1f 8b (RFC 1952), zstd 28 b5 2f fd (RFC 8878), LZ4 frame
 * 04 22 4d 18 (the LZ4 Frame Format Description).  Concatenated members/frames (pigz,
 * `cat a.gz b.gz`, rotated pieces joined) are read one after another, as gzip -dc does.
 */
/* fopencookie() is a GNU extension; the build defines _GNU_SOURCE. */
#include "pipeline/instream.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CHUNK (256u << 10)
#define PEEK_MAX 16u
/* The largest zstd window accepted: libzstd's own default limit (128 MiB), which is what
 * the zstd program decompresses without --memory. */
#define ZSTD_WINDOW_LOG_MAX 27

struct instream {
	int fd;
	bool own_fd, regular;
	int64_t size;           /* of a regular file */
	enum instream_codec codec;
	const char *name;
	_Atomic uint64_t raw_off; /* read by the progress display while a reading thread reads */
	uint8_t *raw;           /* compressed bytes read, raw[rs .. re) not yet decoded */
	size_t rs, re;
	bool raw_eof, member_end;
	/* The compressed data ended inside a member; set (after err) by the reading thread,
	 * looked at by the reader's owner, possibly before that thread has stopped. */
	_Atomic bool cut;
	z_stream z;
	bool z_init;
	ZSTD_DStream *zs;
	LZ4F_dctx *lz;
	uint8_t peek[PEEK_MAX]; /* content bytes looked at and not yet read */
	size_t npeek, peek_at;
	char err[256];
};

static const struct {
	enum instream_codec codec;
	uint8_t magic[4];
	size_t len;
} magics[] = {
	{INSTREAM_GZIP, {0x1f, 0x8b}, 2},
	{INSTREAM_ZSTD, {0x28, 0xb5, 0x2f, 0xfd}, 4},
	{INSTREAM_LZ4, {0x04, 0x22, 0x4d, 0x18}, 4},
};

const char *instream_codec_name(enum instream_codec c)
{
	static const char *const names[] = {"", "gzip", "zstd", "lz4"};

	return (size_t)c < sizeof(names) / sizeof(names[0]) ? names[c] : "";
}

/* Reads up to n bytes: all of them when `full`, else what one read() gives (a pipe's
 * reader must not wait for more than the writer has sent). */
static ssize_t read_fd(struct instream *s, uint8_t *p, size_t n, bool full)
{
	size_t got = 0;

	while (got < n && (full || got == 0)) {
		ssize_t r = read(s->fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(s->err, sizeof(s->err), "%s: %s", s->name, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	atomic_fetch_add_explicit(&s->raw_off, got, memory_order_relaxed);
	return (ssize_t)got;
}

/* Refills the compressed buffer when it is empty; -1 on a read error. */
static int fill_raw(struct instream *s)
{
	ssize_t n;

	if (s->rs < s->re || s->raw_eof)
		return 0;
	n = read_fd(s, s->raw, RAW_CHUNK, false);
	if (n < 0)
		return -1;
	s->rs = 0;
	s->re = (size_t)n;
	if (n == 0)
		s->raw_eof = true;
	return 0;
}

static int codec_fail(struct instream *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s data is corrupt (%s)", s->name,
		 instream_codec_name(s->codec), what);
	return -1;
}

/* One step of decompression into out; returns bytes produced (0 possibly, with
 * progress made), -1 on corrupt data. */
static ssize_t decode_step(struct instream *s, uint8_t *out, size_t n)
{
	size_t in_len = s->re - s->rs, done_out = 0;

	switch (s->codec) {
	case INSTREAM_GZIP: {
		int r;

		if (s->member_end) { /* another member follows the previous one */
			if (inflateReset(&s->z) != Z_OK)
				return codec_fail(s, "reset");
			s->member_end = false;
		}
		s->z.next_in = s->raw + s->rs;
		s->z.avail_in = (uInt)in_len;
		s->z.next_out = out;
		s->z.avail_out = (uInt)n;
		r = inflate(&s->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return codec_fail(s, s->z.msg != NULL ? s->z.msg : "inflate");
		s->rs += in_len - s->z.avail_in;
		done_out = n - s->z.avail_out;
		if (r == Z_STREAM_END)
			s->member_end = true;
		break;
	}
	case INSTREAM_ZSTD: {
		ZSTD_inBuffer ib = {s->raw + s->rs, in_len, 0};
		ZSTD_outBuffer ob = {out, n, 0};
		size_t r = ZSTD_decompressStream(s->zs, &ob, &ib);

		if (ZSTD_isError(r))
			return codec_fail(s, ZSTD_getErrorName(r));
		s->rs += ib.pos;
		done_out = ob.pos;
		s->member_end = r == 0;
		break;
	}
	case INSTREAM_LZ4: {
		size_t olen = n, ilen = in_len;
		size_t r = LZ4F_decompress(s->lz, out, &olen, s->raw + s->rs, &ilen, NULL);

		if (LZ4F_isError(r))
			return codec_fail(s, LZ4F_getErrorName(r));
		s->rs += ilen;
		done_out = olen;
		s->member_end = r == 0;
		break;
	}
	case INSTREAM_PLAIN:
		break;
	}
	return (ssize_t)done_out;
}

/* Content bytes from the file or the decompressor, past the peeked ones. */
static ssize_t read_content(struct instream *s, uint8_t *out, size_t n)
{
	size_t got = 0;

	if (s->codec == INSTREAM_PLAIN)
		return read_fd(s, out, n, false);
	while (got == 0) {
		ssize_t r;

		if (fill_raw(s) != 0)
			return -1;
		if (s->rs == s->re && s->raw_eof) {
			/* The end of the file: fine between members, a cut inside one. */
			if (!s->member_end && (got > 0 || instream_raw_offset(s) > 0)) {
				size_t olen = n - got;

				/* zlib and lz4 may still hold decoded bytes; drain them first. */
				r = s->codec == INSTREAM_GZIP ? decode_step(s, out + got, olen) : 0;
				if (r > 0) {
					got += (size_t)r;
					continue;
				}
				if (r < 0)
					return -1;
				/* The content ends here, as a cut plain file would. */
				snprintf(s->err, sizeof(s->err), "the %s data ends early: the file "
					 "is cut", instream_codec_name(s->codec));
				atomic_store_explicit(&s->cut, true, memory_order_release);
				break;
			}
			break;
		}
		r = decode_step(s, out + got, n - got);
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int start_codec(struct instream *s)
{
	s->raw = malloc(RAW_CHUNK);
	if (s->raw == NULL)
		return -1;
	switch (s->codec) {
	case INSTREAM_GZIP:
		/* 15 + 16: a gzip wrapper, the largest window (RFC 1952 members). */
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return -1;
		s->z_init = true;
		return 0;
	case INSTREAM_ZSTD:
		s->zs = ZSTD_createDStream();
		if (s->zs == NULL || ZSTD_isError(ZSTD_DCtx_setParameter(s->zs, ZSTD_d_windowLogMax,
									 ZSTD_WINDOW_LOG_MAX)))
			return -1;
		return 0;
	case INSTREAM_LZ4:
		return LZ4F_isError(LZ4F_createDecompressionContext(&s->lz, LZ4F_VERSION)) ? -1 : 0;
	case INSTREAM_PLAIN:
		return 0;
	}
	return -1;
}

int instream_open(struct instream **out, const char *path, char *err, size_t errlen)
{
	struct instream *s;
	struct stat sb;
	uint8_t head[PEEK_MAX];
	ssize_t n;
	size_t i;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
		s->name = "standard input";
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		s->own_fd = true;
		s->name = path;
		if (s->fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(s);
			return -1;
		}
	}
	s->regular = fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode);
	s->size = s->regular ? (int64_t)sb.st_size : -1;
	n = read_fd(s, head, sizeof(head), true);
	if (n < 0) {
		snprintf(err, errlen, "%s", s->err);
		instream_close(s);
		return -1;
	}
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if ((size_t)n >= magics[i].len && memcmp(head, magics[i].magic, magics[i].len) == 0)
			s->codec = magics[i].codec;
	if (s->codec == INSTREAM_PLAIN) {
		memcpy(s->peek, head, (size_t)n);
		s->npeek = (size_t)n;
	} else {
		if (start_codec(s) != 0) {
			snprintf(err, errlen, "%s: cannot start the %s decompressor: %s", path,
				 instream_codec_name(s->codec), strerror(ENOMEM));
			instream_close(s);
			return -1;
		}
		memcpy(s->raw, head, (size_t)n);
		s->re = (size_t)n;
		while (s->npeek < sizeof(s->peek)) {
			n = read_content(s, s->peek + s->npeek, sizeof(s->peek) - s->npeek);
			if (n < 0) {
				snprintf(err, errlen, "%s", s->err);
				instream_close(s);
				return -1;
			}
			if (n == 0)
				break;
			s->npeek += (size_t)n;
		}
	}
	*out = s;
	return 0;
}

enum instream_codec instream_codec(const struct instream *s)
{
	return s->codec;
}

ssize_t instream_peek(struct instream *s, uint8_t *buf, size_t n)
{
	size_t have = s->npeek - s->peek_at;

	if (s->peek_at != 0 || n > PEEK_MAX)
		return -1; /* only before reading, and only the head */
	if (n > have)
		n = have;
	memcpy(buf, s->peek, n);
	return (ssize_t)n;
}

ssize_t instream_read(struct instream *s, uint8_t *buf, size_t n)
{
	size_t from_peek = s->npeek - s->peek_at;
	ssize_t r;

	if (from_peek > n)
		from_peek = n;
	memcpy(buf, s->peek + s->peek_at, from_peek);
	s->peek_at += from_peek;
	if (from_peek == n)
		return (ssize_t)n;
	r = read_content(s, buf + from_peek, n - from_peek);
	if (r < 0)
		return from_peek > 0 ? (ssize_t)from_peek : -1;
	return (ssize_t)from_peek + r;
}

const char *instream_error(const struct instream *s)
{
	return s->err;
}

const char *instream_cut(const struct instream *s)
{
	return atomic_load_explicit(&s->cut, memory_order_acquire) ? s->err : NULL;
}

uint64_t instream_raw_offset(const struct instream *s)
{
	return atomic_load_explicit(&s->raw_off, memory_order_relaxed);
}

int64_t instream_file_size(const struct instream *s)
{
	return s->regular ? s->size : -1;
}

int instream_regular_fd(const struct instream *s)
{
	return s->regular && s->codec == INSTREAM_PLAIN ? s->fd : -1;
}

static ssize_t cookie_read(void *ctx, char *buf, size_t n)
{
	struct instream *s = ctx;
	ssize_t r = instream_read(s, (uint8_t *)buf, n);

	if (r < 0)
		errno = EIO;
	return r;
}

FILE *instream_fopen(struct instream *s)
{
	cookie_io_functions_t io = {cookie_read, NULL, NULL, NULL};

	return fopencookie(s, "r", io);
}

void instream_close(struct instream *s)
{
	if (s == NULL)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zs);
	if (s->lz != NULL)
		LZ4F_freeDecompressionContext(s->lz);
	free(s->raw);
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s);
}
