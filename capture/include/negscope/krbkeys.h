/* krbkeys.h - a server's Kerberos keys, and what they show about a ticket.
 *
 * negcap --keytab / --password-for give the keys of the web site's account; for each
 * ticket on the wire (an AP-REQ in a Negotiate token or on port 88, a ticket in a TGS-REP)
 * cap_krb_keys_ticket() tries the keys of the ticket's service name by kvno and etype and
 * says why the server could, or could not, decrypt it (RFC 4120 §5.3, §7.5.9 codes 41/44/45),
 * and decodes what the decrypted EncTicketPart carries (RFC 4120 §5.3; MS-PAC §2.4-2.5).
 * An AP-REQ's authenticator is decrypted with the ticket's session key (key usage 11) for
 * its GSS checksum (RFC 4121 §4.1.1: the delegation flag and a forwarded TGT); the AP-REP
 * that answers it (key usage 12) verifies mutual authentication.
 *
 * All cryptography is MIT libkrb5's (krb5_kt_*, krb5_c_string_to_key_with_params,
 * krb5_c_decrypt).  Keys, session keys and decrypted bytes stay inside the keyset: they
 * are wiped and freed there and never handed out, so no output can print them.  The
 * decrypted buffers go through the DER and PAC readers with their caps.
 */
#ifndef NEGSCOPE_KRBKEYS_H
#define NEGSCOPE_KRBKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"
#include "negscope/krb5.h"

struct cap_krb_keyset; /* opaque */

/* Caps of one keyset: keys held, session keys remembered for AP-REPs. */
#define CAP_KRB_KEYS_MAX 256
#define CAP_KRB_KEYS_SESSIONS 64
#define CAP_KRB_KEYS_ETYPES 8      /* etypes listed in a verdict's evidence */
/* Largest ciphertext decrypted (a ticket with a big PAC stays well below). */
#define CAP_KRB_KEYS_MAX_CIPHER (256u * 1024u)

/* Why the keys could or could not decrypt a ticket. */
enum cap_krb_key_verdict {
	CAP_KEYV_NONE = 0,           /* no keys given, or no ticket */
	CAP_KEYV_DECRYPTED,          /* a key decrypted it: the keys are right */
	CAP_KEYV_KVNO_STALE,         /* keys for the name and etype, none at the ticket's kvno */
	CAP_KEYV_WRONG_KEY,          /* a key at the ticket's kvno and etype fails the
				      * integrity check: another account's or an old password */
	CAP_KEYV_ETYPE_MISSING,      /* keys for the name, none of the ticket's etype */
	CAP_KEYV_PRINCIPAL_MISSING,  /* no key for the ticket's service name */
	CAP_KEYV_COUNT
};
const char *cap_krb_key_verdict_name(enum cap_krb_key_verdict v); /* "kvno-stale" */

/* PAC (MS-PAC §2.4, §2.5 KERB_VALIDATION_INFO): counts only.  The signatures and the
 * user session key are never read out. */
struct cap_krb_pac_view {
	bool present;
	bool logon_info;             /* a KERB_VALIDATION_INFO buffer decoded */
	size_t bytes;                /* the PAC's size */
	uint32_t buffers;            /* cBuffers */
	uint32_t group_count;        /* GroupCount */
	uint32_t extra_sid_count;    /* SidCount */
	uint32_t resource_group_count;
	bool malformed;              /* a buffer or count outside the PAC: not trusted */
};

/* Decodes a PAC (the AD-WIN2K-PAC ad-data) into *out; counts over what the buffer can
 * hold are malformed.  Returns CAP_OK, CAP_TRUNCATED or CAP_MALFORMED. */
enum cap_status cap_krb_pac_decode(struct cap_span pac, struct cap_krb_pac_view *out);

/* GSS checksum flags (RFC 4121 §4.1.1.1). */
#define CAP_GSS_C_DELEG_FLAG 1u
#define CAP_GSS_C_MUTUAL_FLAG 2u
#define CAP_GSS_C_REPLAY_FLAG 4u
#define CAP_GSS_C_SEQUENCE_FLAG 8u
#define CAP_GSS_C_CONF_FLAG 16u
#define CAP_GSS_C_INTEG_FLAG 32u

/* TicketFlags (RFC 4120 §5.3; bit 0 = MSB, test with CAP_KRB_BIT). */
enum {
	CAP_TKT_FLAG_FORWARDABLE = 1,
	CAP_TKT_FLAG_FORWARDED = 2,
	CAP_TKT_FLAG_PROXIABLE = 3,
	CAP_TKT_FLAG_RENEWABLE = 8,
	CAP_TKT_FLAG_INITIAL = 9,
	CAP_TKT_FLAG_PRE_AUTHENT = 10,
	CAP_TKT_FLAG_OK_AS_DELEGATE = 13,
	CAP_TKT_FLAG_NAME_CANONICALIZE = 15
};
/* "forwardable", "ok-as-delegate"; NULL for an unnamed bit (0..31). */
const char *cap_krb_ticket_flag_name(unsigned bit);

/* What the keys showed about one ticket (and, for an AP-REQ, its authenticator). */
struct cap_krb_ticket_view {
	enum cap_krb_key_verdict verdict;
	/* The keys for the ticket's name: their kvnos (lowest, highest; -1 none or only
	 * password keys) and etypes. */
	int key_kvno_min, key_kvno_max;
	int32_t key_etypes[CAP_KRB_KEYS_ETYPES];
	size_t n_key_etypes;
	bool by_password;            /* the key that decrypted (or failed) was derived from a
				      * password */
	/* EncTicketPart (DECRYPTED only; decoded is false when it did not decode). */
	bool decoded;
	char cname[256];             /* components joined by '/' */
	char crealm[128];
	uint32_t flags;              /* TicketFlags, CAP_KRB_BIT(CAP_TKT_FLAG_*) */
	int64_t authtime, endtime;   /* Unix seconds (UTC) */
	bool has_starttime;
	int64_t starttime;
	struct cap_krb_pac_view pac;
	/* Authenticator (an AP-REQ's, decrypted with the session key). */
	bool auth_decrypted;
	bool gss_checksum;           /* a GSS checksum (type 0x8003) is present */
	uint32_t gss_flags;          /* CAP_GSS_C_* */
	bool cbt_present;            /* a channel-binding hash other than zeros */
	bool deleg_cred;             /* a KRB-CRED follows (DlgOpt 1) */
	bool deleg_tgt;              /* ... and it carries a krbtgt ticket: a forwarded TGT */
	int64_t ctime;
};

/* An AP-REP, decrypted with the session key its AP-REQ's ticket carried. */
enum cap_krb_aprep_verdict {
	CAP_APREP_NONE = 0,     /* no keys, or no AP-REQ of the same context decrypted */
	CAP_APREP_VERIFIED,     /* decrypted, and it echoes the authenticator's time */
	CAP_APREP_FAILED        /* the session key does not decrypt it, or the time differs */
};

/* An empty keyset; NULL when memory runs out. */
struct cap_krb_keyset *cap_krb_keyset_new(void);
/* Wipes every key and frees the set (NULL: nothing). */
void cap_krb_keyset_free(struct cap_krb_keyset *ks);
/* Adds every key of a keytab file.  Returns the number of keys added, or -1 with a
 * one-line message in err. */
int cap_krb_keyset_add_keytab(struct cap_krb_keyset *ks, const char *path, char *err,
			      size_t errlen);
/* Active Directory's salt for an account (MS-KILE §3.1.1.2): a user's is REALM (upper
 * case) + sAMAccountName as written; a computer's (a name ending in '$') is REALM +
 * "host" + the name without '$', lower case, + "." + the realm, lower case.  The
 * account is "name" or "name@REALM" (default_realm when given without one).  Returns 0,
 * or -1 with a message (no realm known, too long). */
int cap_krb_ad_salt(const char *account, const char *default_realm, char *salt,
		    size_t saltlen, char *err, size_t errlen);
/* Adds the keys a password gives for an account (AES256, AES128, RC4), salted with
 * `salt` or, when NULL, the AD rule above.  They are tried for any service name: AD
 * encrypts a ticket for any SPN of the account with the account's key.  The password
 * is not kept.  Returns the number of keys added, or -1 with a message. */
int cap_krb_keyset_add_password(struct cap_krb_keyset *ks, const char *account,
				const char *default_realm, const char *password, size_t pwlen,
				const char *salt, char *err, size_t errlen);
size_t cap_krb_keyset_count(const struct cap_krb_keyset *ks);

/* Tries the keys on a ticket (key usage 2).  *out is always initialised. */
void cap_krb_keys_ticket(struct cap_krb_keyset *ks, const struct cap_krb_ticket *t,
			 struct cap_krb_ticket_view *out);
/* The same for an AP-REQ, then its authenticator (key usage 11).  The session key is
 * remembered under `context` (the caller's connection id) for cap_krb_keys_ap_rep. */
void cap_krb_keys_ap_req(struct cap_krb_keyset *ks, const struct cap_krb_ap_req *r,
			 uint64_t context, struct cap_krb_ticket_view *out);
/* Decrypts an AP-REP (key usage 12) with the session key remembered under `context`. */
enum cap_krb_aprep_verdict cap_krb_keys_ap_rep(struct cap_krb_keyset *ks,
					       const struct cap_krb_ap_rep *r, uint64_t context);

#endif /* NEGSCOPE_KRBKEYS_H */
