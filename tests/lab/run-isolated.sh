#!/bin/sh
# Runs a lab test in a private network namespace (own loopback, own port 88) when it can,
# so a lab test neither collides with a lab or KDC running on the host nor sees its
# traffic; otherwise runs it directly. ctest runs every lab test through this.
# usage: run-isolated.sh SCRIPT [ARGS...]
# Set NEGSCOPE_LAB_NO_NETNS=1 to run on the host's loopback.
set -eu
if [ -z "${NEGSCOPE_LAB_NO_NETNS:-}" ] && [ -z "${NEGSCOPE_LAB_IN_NETNS:-}" ] &&
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -n true 2>/dev/null; then
	export NEGSCOPE_LAB_IN_NETNS=1
	exec unshare -n sh -c 'ip link set lo up && exec sh "$@"' run-isolated "$@"
fi
exec sh "$@"
