/* findings.c - names for the probe's reports (the findings themselves come from the
 * engine's judges, capture/findings/). */
#include "findings.h"

#include "negscope/krb5.h"

/* The capture library's table (RFC 4120 §7.5.9 plus MS-KILE) names the codes. */
const char *probe_krb_error_name(int code)
{
	const char *n = cap_krb_error_name(code);

	return n != NULL ? n : "";
}
