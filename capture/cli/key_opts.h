/* key_opts.h - negcap's server-key options (--keytab, --password-for, --password-file,
 * --salt), shared by the capture mode and --decode. */
#ifndef NEGSCOPE_CLI_KEY_OPTS_H
#define NEGSCOPE_CLI_KEY_OPTS_H

#include <stddef.h>

#include "negscope/krbkeys.h"

#define NEGCAP_MAX_KEYTABS 16

struct negcap_keys {
	const char *keytabs[NEGCAP_MAX_KEYTABS];
	size_t nkeytabs;
	const char *account;       /* --password-for */
	const char *password_file; /* --password-file */
	const char *salt;          /* --salt */
};

/* Like negcap_limit_opt: 1 when `name` is a key option (set from val), -1 after a
 * one-line error, 0 when it is not one. */
int negcap_key_opt(const char *name, size_t name_len, const char *val, struct negcap_keys *k);
/* The usage lines of the key options. */
extern const char negcap_key_usage[];
/* Builds the keyset the options name (NULL in *out when none were given): the password
 * comes from --password-file, else NEGSCOPE_PASSWORD, else a prompt on the terminal
 * without echo; it is wiped once the keys are derived.  Returns 0, or -1 after printing
 * one line saying what failed. */
int negcap_keys_load(const struct negcap_keys *k, struct cap_krb_keyset **out);

#endif /* NEGSCOPE_CLI_KEY_OPTS_H */
