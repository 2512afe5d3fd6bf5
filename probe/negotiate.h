/* negotiate.h - the handshake of one target, leg by leg, as a browser runs it.
 *
 * The session is driven by the transport: begin() says whether to send the
 * first request, on_response() takes each response and says whether another
 * leg follows (with authz() as its Authorization value) or the handshake is
 * over; finish() then settles the outcome (mechanism, mutual auth,
 * delegation, keep-alive) and the findings that need the whole ladder.
 */
#ifndef PROBE_NEGOTIATE_H
#define PROBE_NEGOTIATE_H

#include "http_client.h"
#include "probe.h"

enum probe_next { PROBE_NEXT_REQUEST = 0, PROBE_NEXT_DONE };

struct probe_session;

/* `cred` may be NULL (no credentials at all); it is borrowed, as are cfg and r. */
struct probe_session *probe_session_new(const struct probe_config *cfg, struct probe_cred *cred,
					struct probe_result *r);
enum probe_next probe_session_begin(struct probe_session *s);
/* The Authorization header value of the next leg, or NULL for none. */
const char *probe_session_authz(const struct probe_session *s);
/* The URL to request. */
const char *probe_session_url(const struct probe_session *s);
enum probe_next probe_session_on_response(struct probe_session *s, const struct probe_http_resp *resp);
void probe_session_finish(struct probe_session *s);
void probe_session_free(struct probe_session *s);

/* The GSS name imported for the target ("HTTP@host" or "HTTP/host:port"). */
const char *probe_session_gss_name(const struct probe_session *s);

#endif /* PROBE_NEGOTIATE_H */
