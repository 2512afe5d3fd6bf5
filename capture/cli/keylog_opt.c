/* keylog_opt.c - negcap --keylog: key log files and pcapng Decryption Secrets Blocks into
 * the TLS secrets table (the parsing is proto/tls_keylog.c's). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/keylog_opt.h"

#define TLS_KEYLOG_BLOCK 0x544c534bu /* pcapng DSB secrets type "TLSK" */

int negcap_keylog_load(struct cap_tls_keylog *k, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n, carry = 0, total = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "--keylog %s: %s (give the file SSLKEYLOGFILE pointed to)",
			 path, strerror(errno));
		return -1;
	}
	/* Whole lines at a time; a line cut by the buffer is carried to the next read. */
	while ((n = fread(buf + carry, 1, sizeof(buf) - carry, fp)) > 0) {
		size_t have = carry + n, upto = have;
		const char *nl;

		total += n;
		if (total > NEGCAP_KEYLOG_FILE_MAX) {
			snprintf(err, errlen, "--keylog %s: larger than %u MiB: not a key log?",
				 path, NEGCAP_KEYLOG_FILE_MAX >> 20);
			fclose(fp);
			return -1;
		}
		while (upto > 0 && buf[upto - 1] != '\n')
			upto--;
		if (upto == 0) {
			/* One line fills the buffer: far past CAP_TLS_KEYLOG_LINE_MAX, counted. */
			cap_tls_keylog_add(k, (const uint8_t *)buf, have);
			carry = 0;
			continue;
		}
		cap_tls_keylog_add(k, (const uint8_t *)buf, upto);
		carry = have - upto;
		nl = buf + upto;
		memmove(buf, nl, carry);
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "--keylog %s: read error: %s", path, strerror(errno));
		fclose(fp);
		return -1;
	}
	if (carry > 0)
		cap_tls_keylog_add(k, (const uint8_t *)buf, carry);
	fclose(fp);
	return 0;
}

size_t negcap_keylog_from_source(struct cap_tls_keylog *k, const struct cap_source *src,
				 size_t from)
{
	size_t n = cap_source_nsecrets(src), i;

	for (i = from; i < n; i++) {
		uint32_t type = 0;
		const uint8_t *data = NULL;
		size_t len = cap_source_secrets(src, i, &type, &data);

		if (len > 0 && type == TLS_KEYLOG_BLOCK)
			cap_tls_keylog_add(k, data, len);
	}
	return n;
}
