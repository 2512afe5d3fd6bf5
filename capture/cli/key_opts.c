/* key_opts.c - the server-key options: keytabs and an account's password, loaded into a
 * keyset (proto/krb_keys.c) that the decoders try on every ticket.
 *
 * The password never comes from argv (other users see a process's arguments): a file,
 * NEGSCOPE_PASSWORD, or the terminal with echo off (termios).  It is wiped after use.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/key_opts.h"

#define PROG "negcap"
#define PASSWORD_MAX 1024

const char negcap_key_usage[] =
"server keys (say why the server could not decrypt a ticket, and what it carried):\n"
"  --keytab FILE            the web server's keytab; repeat for several\n"
"  --password-for ACCOUNT   the site account's password (user@REALM, or HOST$@REALM for\n"
"                           a computer account), salted as Active Directory does; read\n"
"                           from --password-file FILE, else NEGSCOPE_PASSWORD, else asked\n"
"                           for on the terminal (never on the command line)\n"
"  --salt SALT              the salt to use instead of Active Directory's rule\n";

static int opt_error(const char *msg, const char *name)
{
	fprintf(stderr, PROG ": %s --%s; try 'negcap --help'\n", msg, name);
	return -1;
}

int negcap_key_opt(const char *name, size_t name_len, const char *val, struct negcap_keys *k)
{
	const char *const names[] = {"keytab", "password-for", "password-file", "salt"};
	const char **slot[] = {NULL, &k->account, &k->password_file, &k->salt};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == name_len && strncmp(name, names[i], name_len) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return 0;
	if (val == NULL || val[0] == '\0')
		return opt_error("a value is needed after", names[i]);
	if (i == 0) {
		if (k->nkeytabs == NEGCAP_MAX_KEYTABS)
			return opt_error("at most 16 keytabs:", names[i]);
		k->keytabs[k->nkeytabs++] = val;
		return 1;
	}
	if (*slot[i] != NULL)
		return opt_error("give only one", names[i]);
	*slot[i] = val;
	return 1;
}

/* Reads one line (without its end of line) into buf; -1 when nothing could be read. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	char c;

	while (n + 1 < cap) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int prompt_password(const char *account, char *buf, size_t cap)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	int rc;

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	dprintf(fd, "Password for %s: ", account);
	(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, buf, cap);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	return rc;
}

static int get_password(const struct negcap_keys *k, char *buf, size_t cap)
{
	const char *env = getenv("NEGSCOPE_PASSWORD");
	int fd, rc;

	if (k->password_file != NULL) {
		fd = open(k->password_file, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, PROG ": cannot read the password file %s: %s\n",
				k->password_file, strerror(errno));
			return -1;
		}
		rc = read_line(fd, buf, cap);
		close(fd);
		if (rc != 0)
			fprintf(stderr, PROG ": the password file %s is empty\n", k->password_file);
		return rc;
	}
	if (env != NULL && env[0] != '\0') {
		if (strlen(env) >= cap) {
			fprintf(stderr, PROG ": NEGSCOPE_PASSWORD is too long\n");
			return -1;
		}
		memcpy(buf, env, strlen(env) + 1);
		return 0;
	}
	if (prompt_password(k->account, buf, cap) != 0) {
		fprintf(stderr, PROG ": no password for %s: give --password-file FILE or set "
			"NEGSCOPE_PASSWORD (no terminal to ask on)\n", k->account);
		return -1;
	}
	return 0;
}

int negcap_keys_load(const struct negcap_keys *k, struct cap_krb_keyset **out)
{
	struct cap_krb_keyset *ks;
	char err[256], pw[PASSWORD_MAX];
	int rc;

	*out = NULL;
	if (k->nkeytabs == 0 && k->account == NULL) {
		if (k->password_file != NULL || k->salt != NULL) {
			fprintf(stderr, PROG ": --password-file and --salt need --password-for\n");
			return -1;
		}
		return 0;
	}
	if (k->account == NULL && (k->password_file != NULL || k->salt != NULL)) {
		fprintf(stderr, PROG ": --password-file and --salt need --password-for\n");
		return -1;
	}
	ks = cap_krb_keyset_new();
	if (ks == NULL) {
		fprintf(stderr, PROG ": cannot start libkrb5 (out of memory?)\n");
		return -1;
	}
	for (size_t i = 0; i < k->nkeytabs; i++) {
		if (cap_krb_keyset_add_keytab(ks, k->keytabs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": --keytab %s: %s\n", k->keytabs[i], err);
			cap_krb_keyset_free(ks);
			return -1;
		}
	}
	if (k->account != NULL) {
		if (get_password(k, pw, sizeof(pw)) != 0) {
			explicit_bzero(pw, sizeof(pw));
			cap_krb_keyset_free(ks);
			return -1;
		}
		rc = cap_krb_keyset_add_password(ks, k->account, NULL, pw, strlen(pw), k->salt,
						 err, sizeof(err));
		explicit_bzero(pw, sizeof(pw));
		if (rc < 0) {
			fprintf(stderr, PROG ": --password-for %s: %s\n", k->account, err);
			cap_krb_keyset_free(ks);
			return -1;
		}
	}
	*out = ks;
	return 0;
}
