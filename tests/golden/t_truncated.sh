#!/bin/sh
# A capture cut in the middle of a packet (or of a record header) still reports everything
# before the cut, adds capture-truncated, and exits by its findings, never by a crash; a
# snap length that cut the headers is capture-truncated too; a cut file header is exit 3.
# env: NEGCAP, NEGSCOPE_SAMPLES_DIR.
set -u
NEGCAP=${NEGCAP:?set NEGCAP}
S=${NEGSCOPE_SAMPLES_DIR:?set NEGSCOPE_SAMPLES_DIR}
. "$(dirname "$0")/../testenv.sh"
need_tool editcap wireshark-common
T=$(mktemp -d /tmp/negcap-trunc.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# offset FILE N: byte offset of the record header of packet N (1-based) in a pcap.
offset() {
	off=24
	i=1
	while [ "$i" -lt "$2" ]; do
		len=$(od -An -tu4 -j $((off + 8)) -N 4 "$1" | tr -d ' ')
		off=$((off + 16 + len))
		i=$((i + 1))
	done
	echo "$off"
}
# run_cut NAME BYTES: negcap --json on the first BYTES of stale-keytab.pcap.
run_cut() {
	head -c "$2" "$S/stale-keytab.pcap" >"$T/$1.pcap"
	"$NEGCAP" --json -r "$T/$1.pcap" >"$T/$1.json" 2>"$T/$1.err"
	echo $?
}
has() { grep -q "\"id\":\"$2\"" "$T/$1.json"; }

# stale-keytab: 10 GET with the AP-REQ, 11 401 with KRB-ERROR 44, 12.. ACK and FIN.
o12=$(offset "$S/stale-keytab.pcap" 12)
o10=$(offset "$S/stale-keytab.pcap" 10)

rc=$(run_cut mid12 $((o12 + 16 + 20)))
[ "$rc" -eq 1 ] || fail "cut inside frame 12: exit $rc, expected 1"
has mid12 krb-ap-err-modified || fail "cut inside frame 12: the finding before the cut is lost"
has mid12 capture-truncated || fail "cut inside frame 12: no capture-truncated"
grep -q '"truncated":true' "$T/mid12.json" || fail "cut inside frame 12: summary input.truncated not true"
[ "$(wc -l <"$T/mid12.err")" -eq 1 ] || fail "cut inside frame 12: not one line on stderr"
grep -q '"type":"summary","packets":11,' "$T/mid12.json" || fail "cut inside frame 12: not 11 packets read"

rc=$(run_cut hdr12 $((o12 + 7)))
[ "$rc" -eq 1 ] || fail "cut inside record header 12: exit $rc"
has hdr12 krb-ap-err-modified || fail "cut inside record header 12: finding lost"
has hdr12 capture-truncated || fail "cut inside record header 12: no capture-truncated"

rc=$(run_cut mid10 $((o10 + 16 + 200)))
[ "$rc" -eq 1 ] || fail "cut inside the AP-REQ frame: exit $rc, expected 1 (a warning)"
has mid10 capture-truncated || fail "cut inside the AP-REQ: no capture-truncated"
has mid10 krb-ap-err-modified && fail "cut inside the AP-REQ: a finding from after the cut"
# absence of later traffic is no evidence once the file is cut
has mid10 negotiate-unanswered && fail "cut inside the AP-REQ: judged by what the cut removed"
grep -q '"error":0,"warning":1,' "$T/mid10.json" || fail "cut inside the AP-REQ: other warnings/errors"

rc=$(run_cut filehdr 10)
[ "$rc" -eq 3 ] || fail "cut inside the file header: exit $rc, expected 3"

# Every prefix length around the cut points: never a crash.
for cut in $(seq $((o10 - 3)) 23 $((o12 + 60))); do
	rc=$(run_cut sweep "$cut")
	[ "$rc" -le 3 ] || fail "cut at $cut bytes: exit $rc (crash?)"
done

# The snap length cut the HTTP headers.
if :; then
	editcap -s 80 "$S/stale-keytab.pcap" "$T/snap.pcap" >/dev/null 2>&1
	"$NEGCAP" --json -r "$T/snap.pcap" >"$T/snap.json" 2>"$T/snap.err"
	rc=$?
	[ $rc -eq 1 ] || fail "snap length 80: exit $rc, expected 1"
	grep -q '"id":"capture-truncated".*snap length' "$T/snap.json" || fail "snap length 80: no capture-truncated naming the snap length"
fi

echo "truncation: $fails failure(s)"
[ $fails -eq 0 ]
