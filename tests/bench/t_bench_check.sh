#!/bin/sh
# bench-check: the benchmark's correctness check on a small generated capture (no timing).
# Generates ~24 MB with every sample of samples/ embedded several times under new clients,
# and asserts that negcap reports exactly the expected findings at the expected frames;
# also that the generator is deterministic and that the checker does catch a difference.
# usage: t_bench_check.sh NEGCAP GEN_CAPTURE FINDINGS_CHECK SAMPLES_DIR WORK_DIR
set -eu
[ $# -eq 5 ] || { echo "usage: $0 NEGCAP GEN FINDINGS_CHECK SAMPLES WORKDIR" >&2; exit 2; }
NEGCAP=$1 GEN=$2 CHECK=$3 SAMPLES=$4 WORK=$5
dir=$(mktemp -d "$WORK/bench-check.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

args="-S $SAMPLES --size 32M --packets 0 --embed-every 12 --seed 7 --concurrency 64"
# shellcheck disable=SC2086
"$GEN" -q -o "$dir/a.pcap" -n "$NEGCAP" -e "$dir/expect" -p "$dir/placement" $args ||
	fail "gen_capture failed"
# shellcheck disable=SC2086
"$GEN" -q -o "$dir/b.pcap" $args || fail "gen_capture failed (second run)"
cmp -s "$dir/a.pcap" "$dir/b.pcap" || fail "gen_capture is not deterministic for one seed"

nsamples=$(find "$SAMPLES" -maxdepth 1 -name '*.pcap' | wc -l)
ninst=$(grep -vc '^#' "$dir/placement")
nexp=$(grep -vc '^#' "$dir/expect")
echo "bench-check: $nsamples samples, $ninst embedded instances, $nexp expected findings"
[ "$ninst" -ge $((nsamples * 3)) ] || fail "fewer than 3 instances of each sample ($ninst)"
[ "$nexp" -ge "$ninst" ] || fail "suspiciously few expected findings ($nexp)"

rc=0
"$NEGCAP" --json -r "$dir/a.pcap" >"$dir/got.json" 2>"$dir/negcap.err" || rc=$?
[ $rc -le 1 ] || { cat "$dir/negcap.err" >&2; fail "negcap --json exited $rc"; }
"$CHECK" "$dir/expect" "$dir/got.json" || fail "negcap's findings differ from the expected list"

# The text report reads the same capture to the same verdict (exit status).
trc=0
"$NEGCAP" -r "$dir/a.pcap" >"$dir/got.txt" 2>&1 || trc=$?
[ $trc -eq $rc ] || fail "text report exited $trc, --json exited $rc"

# The check can fail: one expected finding removed, and one frame moved, are both caught.
sed '3d' "$dir/expect" >"$dir/expect.short"
if "$CHECK" "$dir/expect.short" "$dir/got.json" >/dev/null; then
	fail "findings_check did not notice an unexpected finding"
fi
awk -F'\t' 'NR == 4 { sub(/[0-9]+$/, $2 ~ /,/ ? "1" : "2", $2) } { print }' OFS='\t' \
	"$dir/expect" >"$dir/expect.moved"
if "$CHECK" "$dir/expect.moved" "$dir/got.json" >/dev/null; then
	fail "findings_check did not notice a wrong frame number"
fi
echo "bench-check: ok"
