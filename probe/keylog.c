/* keylog.c - negprobe --keylog FILE: the TLS key log of negprobe's own sessions.
 *
 * libcurl's OpenSSL backend writes every session's secrets in the NSS key log format to the
 * file named by SSLKEYLOGFILE, read once when libcurl initialises (curl's documented
 * behaviour, Debian's libcurl included). --keylog names that file for negprobe: it is set
 * before curl_global_init, so negcap --keylog and tshark -o tls.keylog_file read the same
 * pair that negprobe --capture -w writes. The secrets are only ever written to that file,
 * never to negprobe's output.
 */
#include "keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int probe_keylog_setup(const char *file, char *err, size_t errlen)
{
	int fd;

	if (file == NULL)
		return 0; /* SSLKEYLOGFILE, if set, is libcurl's to read */
	/* created private: the file holds session secrets */
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "--keylog %s: %s; name a file negprobe can write", file,
			 strerror(errno));
		return -1;
	}
	close(fd);
	if (setenv("SSLKEYLOGFILE", file, 1) != 0) {
		snprintf(err, errlen, "--keylog %s: %s", file, strerror(errno));
		return -1;
	}
	return 0;
}
