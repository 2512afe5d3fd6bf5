#!/bin/sh
# negcap live on lo: while the lab runs a scenario, `negcap -i lo` captures it and, stopped
# with Ctrl-C (SIGINT), reports the same diagnosis as the recorded sample of that scenario
# (samples/NAME.pcap) and as `negcap -r` on this run's own recording.  Also: started as
# root, the live capture runs as an unprivileged user.
#
# Compared: the exact set of warning/error finding ids, and the sample's info ids (the live
# capture also sees the user's kinit before the scenario records, so it may add info such as
# PREAUTH_REQUIRED).
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
[ -x "$NEGCAP" ] || { echo "FAIL: $NEGCAP not built" >&2; exit 1; }
need_tool python3
SAMPLES=${NEGSCOPE_SAMPLES_DIR:-$NEGSCOPE_SRC_DIR/samples}
lab_start
OUT=$LABDIR/negcap-live
mkdir -p "$OUT"
chmod 755 "$OUT" # the unprivileged user negcap drops to writes nothing, but may look

# ids FILE.json [problems|info]: sorted finding ids of that kind, space-separated.
ids() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, kind = sys.argv[1], sys.argv[2]
sev = ("warning", "error") if kind == "problems" else ("info",)
ids = set()
for line in open(path, encoding="utf-8"):
    r = json.loads(line)
    if r.get("type") == "finding" and r["severity"] in sev:
        ids.add(r["id"])
print(" ".join(sorted(ids)))
PY
}
# dropped PID: negcap runs as another user than root (it drops privileges once the device
# is open, which under ASan on busy cores can come well after "listening on"); prints the uid
dropped() {
	u=$(awk '/^Uid:/ { print $2 "/" $3 }' "/proc/$1/status" 2>/dev/null)
	echo "uid ${u:-(no process)}"
	case $u in "" | 0/* | */0) return 1 ;; esac
}
subset() { # "a b" "a b c": every word of $1 is in $2
	for w in $1; do
		case " $2 " in *" $w "*) ;; *) echo "   '$w' missing from '$2'" >&2; return 1 ;; esac
	done
}

NEGCAP_PID=""
stop_negcap() {
	[ -n "$NEGCAP_PID" ] && kill -INT "$NEGCAP_PID" 2>/dev/null
	[ -n "$NEGCAP_PID" ] && wait "$NEGCAP_PID" 2>/dev/null
	NEGCAP_PID=""
}
# lab_cleanup exits with the $? it is called with: keep the script's, not stop_negcap's
trap 'rc=$?; stop_negcap; (exit $rc); lab_cleanup' EXIT

FILTER="port $LAB_KDC_PORT or icmp or (tcp and portrange 5443-5560)"
# Five scenarios that differ in what the live path meets: one Kerberos connection (and -w),
# a KDC error then NTLM, an AP error, many connections, ICMP from a dead KDC.  The others
# (NTLM only, AS-REQ errors) differ only in the diagnosis: golden.samples checks it on their
# samples, and lab.t_scenarios that a live run of each still gives the sample's wire.
for name in kerberos-ok spn-port-mismatch-ntlm stale-keytab keepalive-off kdc-down; do
	live=$OUT/$name.live.json
	# -w: the raw packets are saved too (opened after the privilege drop, as tcpdump does,
	# so the directory must be writable by the unprivileged user)
	set --
	if [ "$name" = kerberos-ok ]; then
		mkdir -p "$OUT/w"
		chmod 1777 "$OUT/w"
		set -- -w "$OUT/w/$name.pcap"
	fi
	"$NEGCAP" --json -i lo "$@" "$FILTER" >"$live" 2>"$OUT/$name.live.err" &
	NEGCAP_PID=$!
	started() {
		kill -0 "$NEGCAP_PID" 2>/dev/null || { echo "exited: $(cat "$OUT/$name.live.err")"; return 2; }
		grep "listening on lo" "$OUT/$name.live.err" || { cat "$OUT/$name.live.err"; return 1; }
	}
	wait_for 60 "$name: negcap -i lo listening" started || fail "$name: negcap -i lo did not start"
	check "$name: the live capture runs unprivileged" wait_for 60 "negcap to drop root" \
		dropped "$NEGCAP_PID"

	line=$("$SCENARIO_SH" "$LABDIR" "$name" "$OUT/$name.pcap") || fail "$name: scenario did not run"
	echo "$line"
	rm -f "$OUT/$name.idle"
	check "$name: negcap caught up with the scenario" wait_for 60 "negcap to read all" \
		caught_up "$NEGCAP_PID" "$OUT/$name.idle"
	kill -INT "$NEGCAP_PID"
	wait "$NEGCAP_PID"
	rc=$?
	NEGCAP_PID=""
	check "$name: Ctrl-C ends negcap with its report (exit $rc)" [ "$rc" -le 1 ]
	check "$name: the report ends with the summary" grep -q '"type":"summary".*"interrupted":true' "$live"

	if [ "$name" = kerberos-ok ]; then
		check "$name: -w saved what negcap saw" eq \
			"$("$NEGCAP" --json -r "$OUT/w/$name.pcap" 2>/dev/null | tail -1 | sed 's/.*"packets":\([0-9]*\).*/\1/')" \
			"$(tail -1 "$live" | sed 's/.*"packets":\([0-9]*\).*/\1/')"
	fi
	"$NEGCAP" --json -r "$OUT/$name.pcap" >"$OUT/$name.rec.json" 2>/dev/null
	"$NEGCAP" --json -r "$SAMPLES/$name.pcap" >"$OUT/$name.sample.json" 2>/dev/null
	p_live=$(ids "$live" problems)
	p_rec=$(ids "$OUT/$name.rec.json" problems)
	p_sample=$(ids "$OUT/$name.sample.json" problems)
	check "$name: live problems = sample's ($p_sample)" eq "$p_live" "$p_sample"
	check "$name: live problems = this run's recording's" eq "$p_live" "$p_rec"
	check "$name: the sample's info findings are reported live" \
		subset "$(ids "$OUT/$name.sample.json" info)" "$(ids "$live" info)"
	want_rc=0
	[ -n "$p_sample" ] && want_rc=1
	check "$name: exit status by findings" eq "$rc" "$want_rc"
done
lab_done
