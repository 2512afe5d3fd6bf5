/* fuzz_memfile.h - a fuzz input as a file negcap opens by name (static inline: no extra
 * objects): the bytes go to an anonymous memory file (memfd_create(2)), reached as
 * /proc/self/fd/N, so the targets open it through cap_source_open_files exactly as
 * `negcap -r FILE` opens a file. */
#ifndef NEGSCOPE_FUZZ_MEMFILE_H
#define NEGSCOPE_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "negscope/source.h"

/* The descriptor (the caller closes it) with `path` set, or -1. */
static inline int fuzz_memfile(const char *name, const uint8_t *p, size_t n, char *path,
			       size_t pathlen)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* An input opened as negcap -r opens a file; the source reads paths[] until it is closed. */
struct fuzz_input {
	int fd;
	char path[64];
	const char *paths[1];
	struct cap_source *src; /* NULL when cap_source_open_files refused it (err says why) */
	char err[512];
};

/* 0 with in->src set or NULL, -1 when the input is too large or no file could be made. */
static inline int fuzz_input_open(struct fuzz_input *in, const char *name, const uint8_t *p,
				  size_t n, uint64_t max_packets)
{
	struct cap_source_opts so;

	memset(in, 0, sizeof(*in));
	if (n > FUZZ_MAX_INPUT)
		return -1;
	in->fd = fuzz_memfile(name, p, n, in->path, sizeof(in->path));
	if (in->fd < 0)
		return -1;
	in->paths[0] = in->path;
	memset(&so, 0, sizeof(so));
	so.max_packets = max_packets;
	if (cap_source_open_files(&in->src, in->paths, 1, &so, in->err, sizeof(in->err)) != 0)
		in->src = NULL;
	return 0;
}

static inline void fuzz_input_close(struct fuzz_input *in)
{
	cap_source_close(in->src);
	close(in->fd);
}

#endif /* NEGSCOPE_FUZZ_MEMFILE_H */
