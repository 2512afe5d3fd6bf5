/* pcap_util.h - test support for capture-driven tests: finding capture files,
 * running tshark as an independent oracle, making damaged copies of files. */
#ifndef NEGSCOPE_TEST_PCAP_UTIL_H
#define NEGSCOPE_TEST_PCAP_UTIL_H

#include <stdbool.h>
#include <stddef.h>

struct pcaputil_list {
	char **v;
	size_t n;
};

/* Every *.pcap / *.pcapng under dir (recursively), sorted.  Empty when dir is missing. */
void pcaputil_find(const char *dir, struct pcaputil_list *out);
/* Runs a shell command and keeps its standard output, one entry per line
 * (without the newline).  Returns the command's exit status, -1 when it could not run. */
int pcaputil_run(const char *cmd, struct pcaputil_list *out);
void pcaputil_list_free(struct pcaputil_list *l);
/* True when tshark can be run. */
bool pcaputil_have_tshark(void);
/* Quotes a path for the shell into buf ('...' with ' escaped). */
const char *pcaputil_quote(const char *s, char *buf, size_t len);
/* Copies the first `nbytes` bytes of src to dst.  Returns 0 or -1. */
int pcaputil_copy_prefix(const char *src, const char *dst, long nbytes);
/* Size of a file in bytes, -1 when it cannot be read. */
long pcaputil_file_size(const char *path);
/* A fresh directory under $TMPDIR or /tmp (mkdtemp); the caller removes it. */
char *pcaputil_tempdir(void);
/* Removes a directory made by pcaputil_tempdir and the files in it. */
void pcaputil_rmdir(const char *dir);

#endif /* NEGSCOPE_TEST_PCAP_UTIL_H */
