#!/bin/bash
# The hardening leg of CI, run by the normal test suite as ONE ctest test
# (hardening.ci_extra, label hardening) so that `.ci/run` needs no second entry point:
#
#   1. configures and builds a second tree, BUILD_DIR/build-san, with clang,
#      NEGSCOPE_SANITIZE=ON (ASan + UBSan) and NEGSCOPE_FUZZ=ON (libFuzzer targets);
#   2. runs the suite in it under the sanitizers: unit, fuzz corpus replay, hardening
#      (adversarial), golden and hostile tests (SAN_LABELS below, less the oracle and
#      SAN_SKIP ones), then the lab tests of SAN_LAB (negprobe and negcap against the real
#      KDC and Apache), two at a time;
#   3. fuzzes each target for NEGSCOPE_FUZZ_SECONDS (default 20) from its committed
#      corpus (ctest label fuzzrun), two at a time.
#
#   ci-extra.sh SRC_DIR BUILD_DIR
#
# Environment: NEGSCOPE_FUZZ_SECONDS (per target, default 20), NEGSCOPE_SAN_LAB=0 to leave
# the lab tests out, NEGSCOPE_SAN_JOBS (default 2).
# Exit 0 when everything passed, 1 when something failed (the failing ctest output is
# shown), 77 (skipped) when clang or its libFuzzer runtime is missing.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 SRC_DIR BUILD_DIR" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
outer=$(cd "$2" && pwd)
san=$outer/build-san
secs=${NEGSCOPE_FUZZ_SECONDS:-20}
jobs=${NEGSCOPE_SAN_JOBS:-2}
SAN_LABELS='unit|fuzz|hardening|golden|hostile'
# Not under the sanitizers: tests whose time goes to another program (label oracle: tshark;
# the browser, man and install checks), which the plain tree runs anyway; and, of the lab
# tests, those that only add KDC, Apache, Samba or tshark time to paths these cover
# (negprobe's Kerberos, NTLM, HTTPS, channel binding, key log, redirects, targets, GSS
# threads, --capture, and negcap's key paths).
SAN_SKIP='golden\.(html_browser|man_pages|completion|install)$'
SAN_LAB='^lab\.(probe\.t_(scenarios|capture|chanbind|keylog|slow_kdc|redirect|targets)|negcap\.t_keys_password)$'

. "$src/tests/testenv.sh"
need_tool clang
# sanitizer reports name functions only through it, and lsan.supp matches function names
need_tool llvm-symbolizer llvm
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	>"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	why=$(head -n 1 "$probe/err")
	rm -rf "$probe"
	missing "ci-extra: clang cannot link libFuzzer+ASan ($why)" libclang-rt-14-dev
fi
rm -rf "$probe"

t0=$(date +%s)
phase() { echo "ci-extra: $1 ($(($(date +%s) - t0)) s so far)"; }

phase "configure $san"
cmake -S "$src" -B "$san" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEGSCOPE_WERROR=ON \
	-DNEGSCOPE_SANITIZE=ON -DNEGSCOPE_FUZZ=ON -DNEGSCOPE_FUZZ_SECONDS="$secs" \
	-DNEGSCOPE_HARDENING_EXTRA=OFF -DNEGSCOPE_LAB_TESTS="$([ "${NEGSCOPE_SAN_LAB:-1}" = 1 ] && echo ON || echo OFF)" \
	>"$san.configure.log" 2>&1 || {
	cat "$san.configure.log" >&2
	echo "ci-extra: configuring the sanitizer tree failed" >&2
	exit 1
}
phase "build"
if ! cmake --build "$san" -j "$jobs" >"$san.build.log" 2>&1; then
	grep -E 'error|Error' "$san.build.log" | head -n 40 >&2
	echo "ci-extra: building the sanitizer tree failed; log: $san.build.log" >&2
	exit 1
fi

# Sanitizer reports end the process with an error; leaks are errors too.  Not
# strict_string_checks: gss-ntlmssp strndup()s unterminated buffers, legitimately.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Live tests drop privileges (-Z, or nobody by default) before LSan reads this file at exit,
# and the checkout may sit below a directory only root can enter (mktemp -d): a readable copy.
supp=$(mktemp /tmp/negscope-lsan.XXXXXX)
trap 'rm -f "$supp"' EXIT
cp "$src/tests/hardening/lsan.supp" "$supp" && chmod 644 "$supp"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}
rc=0
phase "tests under ASan/UBSan (labels $SAN_LABELS)"
ctest --test-dir "$san" -L "$SAN_LABELS" -LE 'fuzzrun|lab|oracle' -E "$SAN_SKIP" -j "$jobs" \
	--output-on-failure --timeout 600 || rc=1
if [ "${NEGSCOPE_SAN_LAB:-1}" = 1 ]; then
	# Full malloc stacks, so that lsan.supp can name the gss-ntlmssp functions (libcrypto,
	# which allocates for it, has no frame pointers).  Each lab test has its own network
	# namespace, so two run at once.
	phase "lab tests under ASan/UBSan ($SAN_LAB)"
	ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0 \
		ctest --test-dir "$san" -R "$SAN_LAB" -j "$jobs" --output-on-failure --timeout 600 || rc=1
fi
phase "fuzzing each target for $secs s"
ctest --test-dir "$san" -L fuzzrun -j "$jobs" --output-on-failure || rc=1
for log in "$san"/tests/fuzz/work/*/fuzz.log; do
	[ -f "$log" ] || continue
	t=$(basename "$(dirname "$log")")
	execs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+')
	echo "ci-extra: fuzz $t: ${execs:-?} execs, $last"
done
phase "done, status $rc"
exit $rc
