#!/bin/sh
# GSS calls leave the transfer loop (issue 16): with --targets, one target whose KDC never
# answers does not stall the others.  The slow target's SPN is in realm SLOW.TEST, whose
# KDC is a UDP socket in this network namespace that reads requests and never answers; the
# lab KDC hands out the cross-realm TGT (krbtgt/SLOW.TEST@EXAMPLE.TEST), so the slow
# target's gss_init_sec_context blocks on that silent KDC until krb5 gives up.  Checked by
# order and conditions, not by clock: every other target's result comes out before the slow
# one's, while the silent KDC holds the request, and the slow one still ends with its own
# finding.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
need_tool python3
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc slowkdc
SLOW_PORT=8899
KDCLOG=$LABDIR/silent-kdc.log
T=$LABDIR/slow-targets.txt
J=$LABDIR/slow.jsonl

kadmin.local -q "addprinc -randkey krbtgt/SLOW.TEST@$LAB_REALM" >"$LABDIR/slow-kadmin.log" 2>&1 ||
	fail "kadmin.local could not add the cross-realm TGT (see $LABDIR/slow-kadmin.log)"
{
	sed '/^\[realms\]/q' "$KRB5_CONFIG"
	printf '\tSLOW.TEST = {\n\t\tkdc = 127.0.0.1:%s\n\t}\n' "$SLOW_PORT"
	sed '1,/^\[realms\]/d' "$KRB5_CONFIG"
	printf '[capaths]\n\t%s = {\n\t\tSLOW.TEST = .\n\t}\n' "$LAB_REALM"
} | sed "s/^\[domain_realm\]/[domain_realm]\n\t.slow.test = SLOW.TEST/" >"$LABDIR/slow-krb5.conf"

# the silent KDC: reads each request, notes it, never answers ("$PYTHON3", not the python3
# function: $! must be python's own pid for the kill below)
"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
log = open(sys.argv[2], "a", buffering=1)
log.write("listening\n")
while True:
    data, peer = s.recvfrom(65535)
    log.write("request %d bytes\n" % len(data))
' "$SLOW_PORT" "$KDCLOG" &
SILENT_PID=$!
trap 'kill "$SILENT_PID" 2>/dev/null; lab_cleanup' EXIT
wait_for 30 "the silent KDC listening" grep -q listening "$KDCLOG" ||
	fail "the silent KDC did not start"

{
	echo "http://crm.slow.test:$LAB_HTTP_PORT/"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "$LAB_URL_KERBEROS_OK?n=$i"; done
} >"$T"
KRB5_CONFIG=$LABDIR/slow-krb5.conf np --json --parallel 4 \
	--resolve "crm.slow.test:$LAB_HTTP_PORT:127.0.0.1" --targets "$T" >"$J" 2>"$LABDIR/slow.err"
check "exit 1: the slow target has a problem" eq $? 1
check "13 results" eq "$(jq -r 'select(.type=="result") | .target' "$J" | sort -u | wc -l)" 13
check "the silent KDC was asked (the slow target waited on it)" \
	grep -q "^request" "$KDCLOG"
check "every other target signed in" all_are \
	"$(jq -r "select(.type==\"result\" and (.target|startswith(\"$LAB_URL_KERBEROS_OK\"))) | \"\(.exit)/\(.mech)\"" "$J")" "0/kerberos"
check "the slow target's result comes last: nothing waited for its KDC" eq \
	"$(jq -r 'select(.type=="result") | .target' "$J" | tail -1)" \
	"http://crm.slow.test:$LAB_HTTP_PORT/"
check "... and it ends with its own finding (KDC unreachable)" has_id_t "$J" \
	"http://crm.slow.test:$LAB_HTTP_PORT/" kdc-unreachable
lab_done
