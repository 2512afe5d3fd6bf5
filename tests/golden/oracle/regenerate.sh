#!/bin/sh
# Records tshark's answers that the unit tests compare negcap's decoders with
# (tests/golden/oracle/tshark/, read by tests/unit/support/authtok.c), by running the unit
# programs that ask tshark with NEGSCOPE_ORACLE=record.  Needs tshark and ../shared/captures
# beside the clone.  Run after a tshark upgrade, a new sample, or a new cross-checked
# capture, and commit the result (git status shows what changed).
#   tests/golden/oracle/regenerate.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=${1:-$src/build}
command -v tshark >/dev/null 2>&1 || { echo "regenerate.sh: tshark is needed" >&2; exit 2; }
[ -d "$src/../shared/captures" ] ||
	{ echo "regenerate.sh: ../shared/captures must be beside the clone" >&2; exit 2; }
cmake --build "$build" -j2 >/dev/null
rm -f "$here"/tshark/*.txt
mkdir -p "$here/tshark"
for t in test_authhdr test_classify test_gss_token test_ntlmssp test_spnego test_token \
	test_capture_oracle test_netdecode test_reassembly; do
	echo "regenerate.sh: $t" >&2
	NEGSCOPE_ORACLE=record "$build/tests/$t" >/dev/null ||
		{ echo "regenerate.sh: $t failed while recording" >&2; exit 1; }
done
echo "regenerate.sh: $(ls "$here/tshark" | wc -l) answers in $here/tshark" >&2
