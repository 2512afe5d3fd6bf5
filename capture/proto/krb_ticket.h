/* krb_ticket.h - decoders of the decrypted Kerberos parts (internal to proto/).
 *
 * krb_keys.c decrypts with libkrb5 and hands the plaintext here; these read it through
 * the DER reader with the default caps and never copy key bytes anywhere but *key_out,
 * which aliases the plaintext (the caller wipes it). */
#ifndef NEGSCOPE_PROTO_KRB_TICKET_H
#define NEGSCOPE_PROTO_KRB_TICKET_H

#include "negscope/krbkeys.h"

/* EncTicketPart (RFC 4120 §5.3) into v; the session key's type and bytes. */
enum cap_status krbt_enc_ticket_part(struct cap_span plain, struct cap_krb_ticket_view *v,
				     int32_t *key_type, struct cap_span *key_out);
/* Authenticator (RFC 4120 §5.5.1) into v's authenticator fields; ctime and cusec. */
enum cap_status krbt_authenticator(struct cap_span plain, struct cap_krb_ticket_view *v,
				   int64_t *cusec_out);
/* EncAPRepPart (RFC 4120 §5.5.2): ctime and cusec. */
enum cap_status krbt_ap_rep_part(struct cap_span plain, int64_t *ctime_out,
				 int64_t *cusec_out);

#endif
