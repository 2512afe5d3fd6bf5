/* instream.h - the bytes of one capture input, decompressed when they are (not public).
 *
 * An input is a file or standard input; a gzip, zstd or lz4 (frame format) input is
 * recognised by its magic number, never by its name, and read through its decompressor,
 * so readers see the capture inside.  Reads are sequential; the first bytes can be
 * looked at before reading (standard input cannot seek back).  Decompressed bytes are
 * bounded by nothing here: the readers' own caps (block and record sizes) apply to them
 * exactly as to a plain file.
 */
#ifndef NEGSCOPE_PIPELINE_INSTREAM_H
#define NEGSCOPE_PIPELINE_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum instream_codec { INSTREAM_PLAIN = 0, INSTREAM_GZIP, INSTREAM_ZSTD, INSTREAM_LZ4 };

struct instream;

/* Opens path ("-" for standard input, which is not closed at the end) and recognises a
 * compression.  Returns 0, or -1 with a one-line message naming the input. */
int instream_open(struct instream **out, const char *path, char *err, size_t errlen);
enum instream_codec instream_codec(const struct instream *s);
/* The codec's name ("gzip"), "" for a plain input. */
const char *instream_codec_name(enum instream_codec c);
/* The first n (at most 16) bytes of the (decompressed) content without consuming them;
 * returns how many there are (fewer when the input is shorter), -1 on an error. */
ssize_t instream_peek(struct instream *s, uint8_t *buf, size_t n);
/* Reads up to n bytes, at least 1 unless at the end (0): as read(2), what is there now,
 * so that a reader of a pipe never waits for more than was sent.  -1 on an error
 * (instream_error). */
ssize_t instream_read(struct instream *s, uint8_t *buf, size_t n);
const char *instream_error(const struct instream *s);
/* When the compressed data ended inside a member (the file was cut): why, else NULL.
 * The content read before the cut is delivered and then the end, as for a plain file
 * cut at that point. */
const char *instream_cut(const struct instream *s);
/* Bytes taken from the file itself so far (compressed bytes for a compressed input); safe
 * to call while another thread reads (progress). */
uint64_t instream_raw_offset(const struct instream *s);
/* A stdio stream over the content, for libpcap (which reads pcap through stdio); the
 * instream stays owned by the caller and must outlive the FILE. */
FILE *instream_fopen(struct instream *s);
/* The size of the file when the input is a regular one, compressed or not (its reads
 * always return), -1 for standard input from a pipe or terminal. */
int64_t instream_file_size(const struct instream *s);
/* The descriptor of a plain regular file (pread()able), else -1. */
int instream_regular_fd(const struct instream *s);
void instream_close(struct instream *s);

#endif /* NEGSCOPE_PIPELINE_INSTREAM_H */
