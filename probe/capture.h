/* capture.h - --capture: the probe records its own traffic (its HTTP connection
 * and the KDC on port 88) with the capture library while it runs, then folds
 * the decoded Kerberos exchange into the result; -w saves the packets.
 */
#ifndef PROBE_CAPTURE_H
#define PROBE_CAPTURE_H

#include <stddef.h>

#include "probe.h"

struct probe_capture;

/* Opens IFACE and starts capturing in the background.  NULL with err set
 * when the interface cannot be opened (permissions, no such device). */
struct probe_capture *probe_capture_start(const char *iface, const char *write_file,
					  const char *url, const char *const *resolve, char *err,
					  size_t errlen);
/* Stops, decodes, folds the Kerberos messages (and findings only the wire
 * shows) into r (may be NULL) and frees c.  0, or -1 with err set. */
int probe_capture_stop(struct probe_capture *c, struct probe_result *r, char *err, size_t errlen);

#endif /* PROBE_CAPTURE_H */
