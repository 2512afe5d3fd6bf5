#!/bin/sh
# The AD lab's scenarios live: each recorded on lo (ad-scenario.sh) while it runs, with the
# HTTP outcome of tests/lab/ad/adexpect.sh, negcap's diagnosis of the live recording equal
# to that of the committed sample, and negprobe, run live against the same site and user,
# reporting the same problem.
set -u
. "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adexpect.sh"
ad_require
need_tool tcpdump
need_tool jq
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
NEGPROBE=$NEGSCOPE_BUILD_DIR/probe/negprobe
[ -x "$NEGCAP" ] && [ -x "$NEGPROBE" ] || { echo "FAIL: negcap/negprobe not built" >&2; exit 1; }
SAMPLES=${NEGSCOPE_SAMPLES_DIR:-$NEGSCOPE_SRC_DIR/samples}
ad_start
OUT=$AD_DIR/out
mkdir -p "$OUT"

for s in $(sh "$NEGSCOPE_SRC_DIR/tests/lab/ad/ad-scenario.sh" --list); do
	line=$(sh "$NEGSCOPE_SRC_DIR/tests/lab/ad/ad-scenario.sh" "$AD_DIR" "$s" "$OUT/$s.pcap")
	echo "$line"
	ad_expect "$s"
	check "$s: HTTP $AD_WANT_STATUS" eq "$(echo "$line" | sed 's/.*status=\([0-9]*\).*/\1/')" \
		"$AD_WANT_STATUS"
	check "$s: negcap on the live recording" ad_check_diagnosis "$s" "$OUT/$s.pcap" \
		"$OUT/$s.live.json"
	if [ -s "$SAMPLES/$s.pcap" ]; then
		"$NEGCAP" --json -r "$SAMPLES/$s.pcap" >"$OUT/$s.sample.json" 2>/dev/null
		check "$s: live and sample agree" eq "$(ad_problems "$OUT/$s.live.json")" \
			"$(ad_problems "$OUT/$s.sample.json")"
	fi
done

# negprobe, live: the same problem for the same site and user
np() { # out-json args...
	o=$1
	shift
	# shellcheck disable=SC2046
	"$NEGPROBE" --json $(for e in $AD_RESOLVE_LIST; do printf -- '--resolve %s ' "$e"; done) \
		"$@" >"$o" 2>"$o.err"
}
probe_case() { # name problems-wanted args...
	n=$1
	want=$2
	shift 2
	np "$OUT/probe-$n.json" "$@"
	check "negprobe $n: problems '$want'" eq "$(ad_problems "$OUT/probe-$n.json")" "$want"
}
probe_case kerberos-ok "" "$AD_URL_CRM"
check "negprobe kerberos-ok: exit 0, Kerberos" eq \
	"$(jq -r 'select(.type=="result") | "\(.exit) \(.mech)"' "$OUT/probe-kerberos-ok.json")" \
	"0 kerberos"
probe_case duplicate-spn "spn-unknown" "$AD_URL_INTRANET"
probe_case stale-keytab "krb-ap-err-modified" "$AD_URL_STALE"
check "negprobe stale-keytab: error 44" eq "$(jq -r 'select(.type=="finding" and
	.id=="krb-ap-err-modified") | .error_code' "$OUT/probe-stale-keytab.json")" 44
probe_case wrong-key "krb-ap-err-modified" "$AD_URL_WEB01"
check "negprobe wrong-key: error 31" eq "$(jq -r 'select(.type=="finding" and
	.id=="krb-ap-err-modified") | .error_code' "$OUT/probe-wrong-key.json")" 31
probe_case delegation-ok "" --delegation policy "$AD_URL_DELEG"
check "negprobe delegation-ok: delegation granted" eq \
	"$(jq -r 'select(.type=="result") | .delegation' "$OUT/probe-delegation-ok.json")" granted
for u in "$AD_LOCKED_USER:18" "$AD_EXPIRED_USER:23"; do
	user=${u%%:*}
	NEGPROBE_PASSWORD=$AD_PASSWORD KRB5CCNAME=FILE:$AD_DIR/none \
		np "$OUT/probe-$user.json" -u "$user@$AD_REALM" --mech kerberos "$AD_URL_CRM"
	check "negprobe -u $user: client-logon-failed" eq \
		"$(ad_problems "$OUT/probe-$user.json")" client-logon-failed
	check "negprobe -u $user: error ${u#*:}" eq "$(ad_first_code "$OUT/probe-$user.json")" "${u#*:}"
done
lab_done
