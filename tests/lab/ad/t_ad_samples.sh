#!/bin/sh
# Every AD sample (samples/ad-*.pcap, recorded from the AD lab by samples/regenerate.sh) is
# described in samples/README.md and gets the diagnosis of tests/lab/ad/adexpect.sh from
# negcap (no lab, no root needed).
set -u
. "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adexpect.sh"
need_tool jq
[ -x "$NEGSCOPE_BUILD_DIR/capture/negcap" ] || { echo "FAIL: negcap not built" >&2; exit 1; }
SAMPLES=${NEGSCOPE_SAMPLES_DIR:-$NEGSCOPE_SRC_DIR/samples}
OUT=$(mktemp -d /tmp/negscope-adsamples.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
for s in $(sh "$NEGSCOPE_SRC_DIR/tests/lab/ad/ad-scenario.sh" --list); do
	check "$s: sample committed" test -s "$SAMPLES/$s.pcap"
	check "$s: described in samples/README.md" grep -q "^## $s\$" "$SAMPLES/README.md"
	check "$s: negcap's diagnosis" ad_check_diagnosis "$s" "$SAMPLES/$s.pcap" "$OUT/$s.json"
done
lab_done
