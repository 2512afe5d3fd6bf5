/* findings_json.h - the benchmark's view of a finding: negcap's JSON-lines "finding" records
 * and the expected-findings file the generator writes, both reduced to (id, frames).
 *
 * Canonical text form, one finding per line: "<id>\t<frame>,<frame>,..." with the frames
 * ascending and without repeats; lines sorted by first frame, then id, then the frames.
 */
#ifndef NEGSCOPE_BENCH_FINDINGS_JSON_H
#define NEGSCOPE_BENCH_FINDINGS_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_ID_MAX 64
#define BENCH_FRAMES_MAX 64

struct bench_finding {
	char id[BENCH_ID_MAX];
	uint64_t frames[BENCH_FRAMES_MAX];
	size_t nframes;
};

/* Reads one JSON-lines record.  Returns 1 when it is a "finding" record (id and frames in
 * *out), 0 for any other record type, -1 when the line is not an object this reader
 * understands or a field does not fit (more than BENCH_FRAMES_MAX frames, id too long). */
int bench_json_finding(const char *line, size_t len, struct bench_finding *out);

/* Parses one canonical line ("id\tf1,f2"); returns 0, or -1 when it is malformed. */
int bench_finding_parse(const char *line, struct bench_finding *out);

/* Sorts the frames ascending and drops repeats. */
void bench_finding_normalize(struct bench_finding *f);

/* qsort comparator over struct bench_finding (first frame, id, frames). */
int bench_finding_cmp(const void *a, const void *b);

/* Writes the canonical line with its newline. Returns 0, or -1 on a write error. */
int bench_finding_write(FILE *fp, const struct bench_finding *f);

#endif /* NEGSCOPE_BENCH_FINDINGS_JSON_H */
