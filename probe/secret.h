/* secret.h - obtaining the password for --user without it ever being in argv:
 * NEGPROBE_PASSWORD, --password-file, or a prompt on the terminal (no echo).
 */
#ifndef PROBE_SECRET_H
#define PROBE_SECRET_H

#include <stddef.h>

/* Returns a malloc'd password (free with probe_secret_free), or NULL with a
 * one-line reason in err. */
char *probe_secret_get(const char *user, const char *password_file, char *err, size_t errlen);
/* Wipes and frees. */
void probe_secret_free(char *s);

/* Reads the non-empty, non-comment lines of `path` ("-" = stdin) into a
 * malloc'd array of malloc'd strings; at most `max` lines of up to 8 KiB.
 * Returns the count, or -1 with err set. */
long probe_read_lines(const char *path, size_t max, char ***out, char *err, size_t errlen);
void probe_free_lines(char **lines, long n);

#endif /* PROBE_SECRET_H */
