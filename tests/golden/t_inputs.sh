#!/bin/sh
# Every form a user brings the same traffic in gives the report of the plain pcap: each
# sample as pcapng and as Network Monitor 2.x (editcap), as a mergecap of its halves with another snap length and
# link type, as two pcapng sections in one file, and gzip/zstd/lz4-compressed (pcap and
# pcapng, from a file and from standard input).  Formats negcap does not read (snoop as
# editcap writes it, Network Monitor on standard input) exit 3 with one line that names
# the format and says what to do.
# env: NEGCAP, NEGSCOPE_SAMPLES_DIR, NEGSCOPE_SAMPLE_EVERY (below).
set -u
NEGCAP=${NEGCAP:?set NEGCAP}
S=${NEGSCOPE_SAMPLES_DIR:?set NEGSCOPE_SAMPLES_DIR}
. "${NEGSCOPE_SRC_DIR:?set NEGSCOPE_SRC_DIR}/tests/testenv.sh"
need_tool editcap wireshark-common
need_tool mergecap wireshark-common
for tool in gzip zstd lz4; do
	need_tool $tool
done
T=$(mktemp -d /tmp/negcap-inputs.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
runs=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# report FILE OUT: the JSON report without the byte count (raw IP frames are shorter).
report() {
	"$NEGCAP" --json -r "$1" 2>"$2.err" | sed 's/"bytes":[0-9]*,//' >"$2"
	echo $? >"$2.rc"
	runs=$((runs + 1))
}
# same NAME WHAT: $T/NAME.json equals the plain report.
same() {
	cmp -s "$T/plain.json" "$T/$1.json" || fail "$b $2: report differs from the plain pcap's ($(diff "$T/plain.json" "$T/$1.json" | head -c 300))"
	[ -s "$T/$1.json.err" ] && fail "$b $2: stderr: $(head -c 200 "$T/$1.json.err")"
}

# NEGSCOPE_SAMPLE_EVERY=K: every K-th sample only (the sanitizer leg, where each negcap run
# costs ten times more, reads every form from a fraction of the samples).
every=${NEGSCOPE_SAMPLE_EVERY:-1}
k=0
for f in "$S"/*.pcap; do
	k=$((k + 1))
	[ $(((k - 1) % every)) -eq 0 ] || continue
	b=$(basename "$f" .pcap)
	report "$f" "$T/plain.json"
	n=$(grep -o '"type":"summary","packets":[0-9]*' "$T/plain.json" | grep -o '[0-9]*$')

	editcap -F pcapng "$f" "$T/ng.pcapng"
	report "$T/ng.pcapng" "$T/ng.json"
	same ng "as pcapng"

	editcap -F netmon2 "$f" "$T/nm.cap"
	report "$T/nm.cap" "$T/nm.json"
	same nm "as Network Monitor 2.x"

	# Odd frames with snap length 65535 and Ethernet, even ones raw IP, merged again.
	odd="" even=""
	i=1
	while [ "$i" -le "$n" ]; do
		if [ $((i % 2)) -eq 1 ]; then odd="$odd $i"; else even="$even $i"; fi
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	editcap -F pcapng -s 65535 -r "$f" "$T/h1.pcapng" $odd
	# shellcheck disable=SC2086
	editcap -F pcapng -r -C 14 -T rawip "$f" "$T/h2.pcapng" $even
	mergecap -F pcapng -w "$T/m.pcapng" "$T/h1.pcapng" "$T/h2.pcapng"
	report "$T/m.pcapng" "$T/m.json"
	same m "merged with another snap length and link type"

	# Two sections: the first frames, then the rest, each its own pcapng.
	half=$((n / 2))
	editcap -F pcapng -r "$f" "$T/s1.pcapng" "1-$half"
	editcap -F pcapng "$f" "$T/s2.pcapng" "1-$half"
	cat "$T/s1.pcapng" "$T/s2.pcapng" >"$T/2s.pcapng"
	report "$T/2s.pcapng" "$T/2s.json"
	same 2s "as two pcapng sections"

	for z in "gzip -c:gz" "zstd -q -c:zst" "lz4 -q -c:lz4"; do
		cmd=${z%:*}
		ext=${z#*:}
		$cmd "$f" >"$T/p.$ext"
		$cmd "$T/ng.pcapng" >"$T/n.$ext"
		report "$T/p.$ext" "$T/pz.json"
		same pz "pcap.$ext"
		report "$T/n.$ext" "$T/nz.json"
		same nz "pcapng.$ext"
		"$NEGCAP" --json -r - <"$T/n.$ext" 2>"$T/in.json.err" | sed 's/"bytes":[0-9]*,//' >"$T/in.json"
		runs=$((runs + 1))
		same in "pcapng.$ext on standard input"
	done
done

# Formats negcap does not read: one line, the format named, what to do; exit 3.
for fmt in "netmon2:Network Monitor 2.x:give its name" "snoop:snoop:editcap -F pcapng"; do
	ff=${fmt%%:*}
	rest=${fmt#*:}
	name=${rest%%:*}
	todo=${rest#*:}
	editcap -F "$ff" "$S/kerberos-ok.pcap" "$T/other.$ff" 2>/dev/null || continue
	"$NEGCAP" -r - <"$T/other.$ff" >"$T/o.out" 2>"$T/o.err"
	rc=$?
	runs=$((runs + 1))
	[ $rc -eq 3 ] || fail "$ff: exit $rc, expected 3"
	[ "$(wc -l <"$T/o.err")" -eq 1 ] || fail "$ff: not one line: $(cat "$T/o.err")"
	grep -q "$name" "$T/o.err" || fail "$ff: the format is not named: $(cat "$T/o.err")"
	grep -q "$todo" "$T/o.err" || fail "$ff: no way out given: $(cat "$T/o.err")"
done
# A pcapng whose interfaces alternate between Ethernet and a link type negcap does not
# decode: one warning, and those frames counted as undecodable (link), numbering kept.
S1=$S/stale-keytab.pcap
editcap -F pcapng -r "$S1" "$T/o.pcapng" 1 3 5 7 9 11 13
editcap -F pcapng -r -T ppp "$S1" "$T/e.pcapng" 2 4 6 8 10 12 14
mergecap -F pcapng -w "$T/oe.pcapng" "$T/o.pcapng" "$T/e.pcapng"
"$NEGCAP" --json -r "$T/oe.pcapng" >"$T/oe.json" 2>"$T/oe.err"
runs=$((runs + 1))
[ "$(grep -c 'is not supported' "$T/oe.err")" -eq 1 ] || fail "mixed link types: not one warning: $(cat "$T/oe.err")"
grep -q '"undecodable_packets":7,"undecodable_by":{"link":7,' "$T/oe.json" ||
	fail "mixed link types: 7 undecodable (link) expected: $(grep -o '"undecodable[^}]*' "$T/oe.json")"
grep -q '"type":"summary","packets":14,' "$T/oe.json" || fail "mixed link types: not 14 packets"

# A file that is no capture at all, compressed: the message says so.
printf 'hello\n' | gzip -c >"$T/text.gz"
"$NEGCAP" -r "$T/text.gz" >/dev/null 2>"$T/t.err"
rc=$?
[ $rc -eq 3 ] || fail "gzip of text: exit $rc, expected 3"
grep -q "not a capture file" "$T/t.err" || fail "gzip of text: $(cat "$T/t.err")"

echo "inputs: $runs negcap runs, $fails failure(s)"
[ $fails -eq 0 ]
