#!/bin/sh
# --targets: many URLs on one multi handle with --parallel; one result per target, each
# target's legs on its own connections (no borrowing mid-handshake), exit = the worst.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc targets
T=$LABDIR/targets.txt
J=$LABDIR/targets.jsonl
{
	echo "# lab sites"
	for i in 1 2 3 4 5 6 7 8; do echo "$LAB_URL_KERBEROS_OK?n=$i"; done
	echo ""
	for i in 1 2 3; do echo "$LAB_URL_KEEPALIVE_OFF?n=$i"; done
	echo "$LAB_URL_SPN_PORT_MISMATCH"
	echo "$LAB_URL_IIS_KERBEROS_OK"
} >"$T"

np --json --parallel 4 --targets "$T" >"$J"
check "exit 1: the worst target has a problem" eq $? 1
check "13 results, one per URL" eq "$(jq -r 'select(.type=="result") | .target' "$J" | sort -u | wc -l)" 13
check "every kerberos-ok target: 2 legs on 1 connection, exit 0" all_are \
	"$(jq -r "select(.type==\"result\" and (.target|startswith(\"$LAB_URL_KERBEROS_OK\"))) | \"\(.legs)/\(.connections)/\(.exit)\"" "$J")" "2/1/0"
check "every keep-alive-off target: 2 connections, keepalive-missing" all_are \
	"$(jq -r "select(.type==\"result\" and (.target|startswith(\"$LAB_URL_KEEPALIVE_OFF\"))) | \"\(.connections)/\(.findings.error)\"" "$J")" "2/1"
check "a reused connection is always the target's own previous one" jq -e -s '
	[.[] | select(.type=="leg")] | group_by(.target) | all(.[];
		. as $legs | all(range(1; $legs|length);
			$legs[.].connection.new or
			$legs[.].connection.local_port == $legs[. - 1].connection.local_port))' "$J"
check "the unknown SPN is found among them" eq \
	"$(jq -r "select(.type==\"finding\" and .target==\"$LAB_URL_SPN_PORT_MISMATCH\") | .id" "$J")" spn-unknown

# stdin, all good -> 0; a bad line -> that target could not run -> 3 (the worst)
printf '%s\n%s\n' "$LAB_URL_KERBEROS_OK" "$LAB_URL_IIS_KERBEROS_OK" | np --targets - >/dev/null
check "stdin, all clean -> 0" eq $? 0
printf '%s\nnot-a-url\n' "$LAB_URL_KERBEROS_OK" | np --json --targets - >"$J"
check "a bad URL line -> 3" eq $? 3
check "... reported as its own result with an error" eq \
	"$(jq -r 'select(.type=="result" and .target=="not-a-url") | "\(.exit) \(.error != null)"' "$J")" "3 true"
lab_done
