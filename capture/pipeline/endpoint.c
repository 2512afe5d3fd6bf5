/* endpoint.c - printable addresses for events: "1.2.3.4:80", "[::1]:80". */
#include "negscope/pipeline.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

const char *cap_addr_str(const struct cap_endpoint *e, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

const char *cap_endpoint_str(const struct cap_endpoint *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	cap_addr_str(e, a, sizeof(a));
	if (e->family == 6)
		snprintf(buf, len, "[%s]:%u", a, (unsigned)e->port);
	else
		snprintf(buf, len, "%s:%u", a, (unsigned)e->port);
	return buf;
}
