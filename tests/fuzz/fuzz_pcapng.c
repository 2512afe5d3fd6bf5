/* fuzz_pcapng.c - fuzz target: the input readers, fed a capture file's bytes.
 *
 * The bytes are opened by name through cap_source_open_files, as `negcap -r FILE` opens
 * them (a memfd at /proc/self/fd/N), so that whatever they start with decides the path:
 * negcap's pcapng reader (sections, interfaces, packet blocks, secrets), the gzip, zstd
 * and lz4 decompressors in front of it, the fast classic pcap reader, or the message for
 * a refused format.  Every packet's bytes are read (so that a length past the buffer
 * shows under AddressSanitizer), and the properties the reader promises are checked:
 * at most 262144 captured bytes, the link type known, secrets within their caps.  The
 * pipeline is fuzz_pcap's business and is left out here to keep executions fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_memfile.h"
#include "fuzz_target.h"
#include "negscope/source.h"

#define MAX_PACKETS 20000u

static void drain(struct cap_source *src)
{
	struct cap_source_pkt pkt;
	bool fresh;
	volatile uint32_t sum = 0;
	size_t i, total = 0;

	while (cap_source_next(src, &pkt, &fresh) == 1) {
		if (pkt.caplen > 262144u || cap_source_linktype(src) < 0)
			abort();
		for (i = 0; i < pkt.caplen; i++)
			sum += pkt.data[i];
	}
	for (i = 0; i < cap_source_nsecrets(src); i++) {
		const uint8_t *d;
		uint32_t type;
		size_t len = cap_source_secrets(src, i, &type, &d);

		total += len;
		if (len > 0)
			sum += d[len - 1];
	}
	if (cap_source_nsecrets(src) > 256u || total > (16u << 20))
		abort();
	(void)sum;
	(void)cap_source_message(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;

	if (fuzz_input_open(&in, "fuzz_pcapng", data, size, MAX_PACKETS) != 0)
		return 0;
	if (in.src != NULL)
		drain(in.src);
	else if (strchr(in.err, '\n') != NULL)
		abort(); /* messages are one line */
	fuzz_input_close(&in);
	return 0;
}
