#!/bin/sh
# Every lab scenario against the real KDC, Apache and iisish: curl's outcome, and the
# capture read with tshark (KDC error codes, HTTP status sequence, TCP connection count).
# One lab for all scenarios; after stop no lab process may remain.
set -u
. "$(dirname "$0")/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/expect.sh"
lab_require
lab_start
OUT=$LABDIR/captures
mkdir -p "$OUT"

want_status() {
	case "$1" in
	spn-port-mismatch | stale-keytab | wrong-key | kdc-down | clock-skew | iis-ap-err-modified | \
		keepalive-off-ntlm | wrong-password | account-locked) echo 401 ;;
	*) echo 200 ;;
	esac
}

for name in $("$SCENARIO_SH" --list); do
	line=$("$SCENARIO_SH" "$LABDIR" "$name" "$OUT/$name.pcap") || {
		fail "$name: scenario.sh could not run it"
		continue
	}
	echo "$line"
	status=$(echo "$line" | sed -n 's/.* status=\([0-9]*\) .*/\1/p')
	check "$name: curl ends with HTTP $(want_status "$name")" eq "$status" "$(want_status "$name")"
	keylog=""
	[ -s "$OUT/$name.pcap.keylog" ] && keylog=$OUT/$name.pcap.keylog
	expect_scenario "$name" "$OUT/$name.pcap" "$keylog"
	case "$name" in
	delegation-ok)
		check "$name: Apache stored the delegated credential" \
			[ -n "$(ls -A "$LAB_DELEG_DIR" 2>/dev/null)" ]
		;;
	kdc-down)
		check "$name: the KDC is back after the scenario" "$LAB_SH" status "$LABDIR"
		;;
	esac
done
lab_done
