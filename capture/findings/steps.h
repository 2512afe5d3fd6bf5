/* steps.h - typed ladder steps built from facts (findings/steps.c).
 *
 * A step holds enums, numbers and names only; report/ writes the words.  The builders
 * fill *s; engine_step() files it in its conversation.
 */
#ifndef NEGSCOPE_FINDINGS_STEPS_H
#define NEGSCOPE_FINDINGS_STEPS_H

#include "findings/engine.h"

/* A request; `full` is the request's fact when at hand, else the queued copy `r` is used. */
void step_http_request(struct cap_step *s, const struct req_info *r,
		       const struct cap_auth_fact *full, uint32_t stream);
void step_http_response(struct cap_step *s, const struct cap_http_fact *f);
/* A message to or from a KDC (an undecodable one included). */
void step_krb(struct cap_step *s, const struct cap_krb_fact *f);
/* The web server closed (FIN) or reset (RST) the connection. */
void step_conn_close(struct cap_step *s, uint64_t frame, uint32_t stream, bool rst, bool bad);
/* The KDC of `ks` answered with an ICMP error or a reset. */
void step_kdc_unreachable(struct cap_step *s, uint64_t frame, const struct kstream *ks,
			  enum cap_step_close how);

#endif
