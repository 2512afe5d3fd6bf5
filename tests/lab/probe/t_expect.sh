#!/bin/sh
# --expect and the exit status: 0 all checks hold, 1 one fails, 2 usage, 3 could not run;
# without --expect, 0 only for a clean Kerberos success. `ok` in the result equals exit 0.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc expect
J=$LABDIR/expect.jsonl

code() { np "$@" >"$J" 2>"$LABDIR/expect.err"; echo $?; }
ok_field() { jq -r 'select(.type=="result") | .ok' "$J"; }

check "all checks hold -> 0" eq "$(code --json --expect kerberos --expect status=200 \
	--expect keepalive --expect mutual "$LAB_URL_KERBEROS_OK")" 0
check "... and ok is true" eq "$(ok_field)" true
check "every check reported as passed" eq \
	"$(jq -r 'select(.type=="result") | [.checks[] | .check + "=" + (.pass|tostring)] | join(" ")' "$J")" \
	"kerberos=true status=200=true keepalive=true mutual=true"
check "a wrong status -> 1" eq "$(code --json --expect status=401 "$LAB_URL_KERBEROS_OK")" 1
check "... ok false, actual status named" eq \
	"$(jq -r 'select(.type=="result") | "\(.ok) \(.checks[0].actual)"' "$J")" "false status 200"
check "ntlm expected, Kerberos used -> 1" eq "$(code --expect ntlm "$LAB_URL_KERBEROS_OK")" 1
check "delegation expected, none requested -> 1" eq "$(code --expect delegation "$LAB_URL_KERBEROS_OK")" 1
check "delegation where trusted -> 0" eq \
	"$(code --delegation policy --expect delegation "$LAB_URL_DELEGATION_OK")" 0
check "keepalive on a server closing after 401 -> 1" eq \
	"$(code --json --expect keepalive "$LAB_URL_KEEPALIVE_OFF")" 1
check "status=200 on that server still holds -> 0" eq \
	"$(code --expect status=200 --expect kerberos "$LAB_URL_KEEPALIVE_OFF")" 0
check "without --expect, keep-alive off is a problem -> 1" eq "$(code "$LAB_URL_KEEPALIVE_OFF")" 1
check "a failing SPN, expected 401 -> 0" eq "$(code --expect status=401 "$LAB_URL_SPN_PORT_MISMATCH")" 0
check "failing SPN without --expect -> 1" eq "$(code --json "$LAB_URL_SPN_PORT_MISMATCH")" 1
check "... ok false" eq "$(ok_field)" false
check "unknown check -> 2" eq "$(code --expect fast "$LAB_URL_KERBEROS_OK")" 2
check "... with a message naming it" grep -q -- '--expect fast' "$LABDIR/expect.err"
check "a password on the command line -> 2" eq "$(code -u alice --password x "$LAB_URL_KERBEROS_OK")" 2
check "a bad URL -> 2" eq "$(code 'http//nope')" 2
check "an unreadable --targets file -> 3" eq "$(code --targets "$LABDIR/none.txt")" 3
check "--capture on a missing interface -> 3" eq "$(code --capture nosuchif0 "$LAB_URL_KERBEROS_OK")" 3
lab_done
