/* floor.c - the bare libpcap read loop (pcap_next_ex, count packets and bytes): the speed
 * limit of any libpcap-based reader on this machine, the benchmark's reference. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	uint64_t packets = 0, bytes = 0, wire = 0;
	struct timespec t0, t1;
	double s;

	if (argc < 2) {
		fprintf(stderr, "usage: floor FILE...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++) {
		char err[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline(argv[i], err);
		struct pcap_pkthdr *h;
		const u_char *d;
		int r;

		if (p == NULL) {
			fprintf(stderr, "floor: %s\n", err);
			return 3;
		}
		while ((r = pcap_next_ex(p, &h, &d)) == 1) {
			packets++;
			bytes += h->caplen;
			wire += h->len;
		}
		if (r == -1) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 3;
		}
		pcap_close(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets=%llu bytes=%llu wire_bytes=%llu seconds=%.3f pps=%.0f\n",
	       (unsigned long long)packets, (unsigned long long)bytes, (unsigned long long)wire,
	       s, s > 0 ? (double)packets / s : 0.0);
	return 0;
}
