/* authtok.h - test support for the token decoders: real HTTP auth header lines taken
 * from pcaps (samples/ and the shared captures), tshark's decoding of the same frames as
 * an independent cross-check, and real NTLM tokens made in-process by gss-ntlmssp
 * through the MIT GSS-API. */
#ifndef NEGSCOPE_TEST_AUTHTOK_H
#define NEGSCOPE_TEST_AUTHTOK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One authentication header line as it appeared in a packet. */
struct authtok_line {
	uint64_t frame;   /* 1-based, as tshark numbers frames */
	char *line;       /* "Authorization: Negotiate YII..." (no CR/LF) */
};

struct authtok_set {
	struct authtok_line *v;
	size_t n;
};

/* Collects every WWW-Authenticate / Authorization / Proxy-* header line found in the
 * packets of a capture (headers are looked for in each packet on its own).  Returns 0,
 * or -1 when the file cannot be read. */
int authtok_from_pcap(const char *path, struct authtok_set *out);
void authtok_set_free(struct authtok_set *s);

/* Every .pcap file in samples/ (sorted), NULL-terminated; NULL when there are none. */
char **authtok_sample_pcaps(void);
void authtok_free_list(char **list);

/* tshark -T fields output, one row per frame matching filter; field 0 must be
 * frame.number.  Multiple occurrences are joined with '|'. */
struct tshark_rows {
	size_t n, nf;
	char **cells; /* n * nf strings */
};

int tshark_available(void);
/* Where tshark's answers come from (NEGSCOPE_ORACLE): "stored" (the default: files under
 * tests/golden/oracle/tshark/), "record" (run tshark, store its answer) or "live". */
const char *tshark_oracle_mode(void);
/* The stored answer's file for a tshark command over a capture of that size (0: any). */
void tshark_stored_path(char *buf, size_t len, const char *cmd, off_t size);
int tshark_fields(const char *pcap, const char *filter, const char *const *fields, size_t nf,
		  struct tshark_rows *out);
/* The cell of the row for this frame, or NULL when the frame is not there. */
const char *tshark_get(const struct tshark_rows *r, uint64_t frame, size_t field);
void tshark_rows_free(struct tshark_rows *r);

/* A real handshake through gss-ntlmssp: initiator and acceptor run in-process (credentials
 * "DOMAIN:user:password" written to a temp NTLM_USER_FILE).  spnego: through SPNEGO with
 * only NTLM available; else the raw NTLMSSP mechanism.  legs[i] alternate initiator /
 * acceptor, starting with the initiator.  Returns the number of legs, or -1 with a reason
 * on stderr. */
struct gss_leg {
	uint8_t *p;
	size_t len;
	int from_acceptor;
};

int gssgen_ntlm(int spnego, const char *cred_line, const char *target_hostbased,
		struct gss_leg *legs, int max);
void gssgen_free(struct gss_leg *legs, int n);

/* Base64 of bytes, malloc'ed (independent of the code under test). */
char *authtok_b64(const uint8_t *p, size_t n);

#endif /* NEGSCOPE_TEST_AUTHTOK_H */
