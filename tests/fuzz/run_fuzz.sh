#!/bin/bash
# Fuzzes one libFuzzer target for a fixed time from its committed corpus.
#
#   run_fuzz.sh FUZZER CORPUS_DIR WORK_DIR SECONDS [MAX_LEN] [extra libFuzzer flags...]
#
# The committed corpus is read only: new inputs go to WORK_DIR/corpus, crashes to
# WORK_DIR/artifacts/.  Exit 0 when the time ran out without a finding; otherwise the
# fuzzer's status, with the path of the crashing input on stderr (turn it into a
# regression input: copy it to tests/fuzz/regress/<target>/ with a descriptive name).
# The last lines of the fuzzer's log (exec/s, cov:, ft:, corpus size) are printed.
set -u
if [ $# -lt 4 ]; then
	echo "usage: $0 FUZZER CORPUS_DIR WORK_DIR SECONDS [MAX_LEN] [libFuzzer flags...]" >&2
	exit 2
fi
fuzzer=$1 corpus=$2 work=$3 secs=$4
maxlen=${5:-4096}
shift 4
[ $# -gt 0 ] && shift
if [ ! -x "$fuzzer" ] || [ ! -d "$corpus" ]; then
	echo "run_fuzz: $fuzzer is not executable or $corpus is not a directory" >&2
	exit 2
fi
rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/fuzz.log
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$fuzzer" "$work/corpus" "$corpus" -max_total_time="$secs" -max_len="$maxlen" \
	-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$@" >"$log" 2>&1
rc=$?
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1
grep -E '^stat::' "$log"
if [ $rc -ne 0 ]; then
	echo "run_fuzz: $(basename "$fuzzer") found a problem (status $rc); log: $log" >&2
	grep -E 'ERROR|SUMMARY|runtime error|property violated|Test unit written' "$log" >&2
	tail -n 40 "$log" >&2
fi
exit $rc
