#!/bin/bash
# The sanitizer + fuzz leg of CI, run by the normal test suite as ctest tests (label
# hardening) so that `.ci/run` needs no second entry point.  One phase per test, so that
# ctest packs them among the others on the machine's cores:
#
#   build   hardening.san_build: configures and builds a second tree, BUILD_DIR/build-san,
#           with clang, NEGSCOPE_SANITIZE=ON (ASan + UBSan) and NEGSCOPE_FUZZ=ON (libFuzzer
#           targets); writes BUILD_DIR/build-san.status (ok, or why not) for the others;
#   unit    hardening.san_unit: unit, fuzz corpus replay, hardening (adversarial) and
#           hostile tests under the sanitizers;
#   golden  hardening.san_golden: the golden tests under the sanitizers, less the oracle
#           (tshark) and SAN_SKIP ones;
#   lab     hardening.san_lab: the lab tests of SAN_LAB (negprobe and negcap against the
#           real KDC and Apache), NEGSCOPE_SAN_LAB=0 leaves them out;
#   fuzz    hardening.san_fuzz: fuzzes each target for NEGSCOPE_FUZZ_SECONDS (default 10)
#           from its committed corpus (ctest label fuzzrun).
#
#   ci-extra.sh build|unit|golden|lab|fuzz SRC_DIR BUILD_DIR
#
# Environment: NEGSCOPE_FUZZ_SECONDS, NEGSCOPE_SAN_LAB, NEGSCOPE_SAN_JOBS (ctest -j of a
# phase, default 1: ctest outside already runs the phases beside other tests).
# Exit 0 when everything passed, 1 when something failed (the failing ctest output is
# shown), 77 (skipped) when clang or its libFuzzer runtime is missing (build) or the build
# phase was skipped (the others).
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 build|unit|golden|lab|fuzz SRC_DIR BUILD_DIR" >&2
	exit 2
fi
mode=$1
src=$(cd "$2" && pwd)
outer=$(cd "$3" && pwd)
san=$outer/build-san
status_file=$san.status
secs=${NEGSCOPE_FUZZ_SECONDS:-10}
jobs=${NEGSCOPE_SAN_JOBS:-1}
# Not under the sanitizers: tests whose time goes to another program (label oracle: tshark;
# the browser, man and install checks), which the plain tree runs anyway; and, of the lab
# tests, those that only add KDC, Apache, Samba or tshark time to paths these four cover
# (negprobe's Kerberos, NTLM and IIS-like scenarios, HTTPS with channel binding and the key
# log, GSS on worker threads with --targets, --capture and negcap's engine behind it).
SAN_SKIP='golden\.(html_browser|man_pages|completion|install)$'
SAN_LAB='^lab\.probe\.t_(scenarios|capture|chanbind|slow_kdc)$'

. "$src/tests/testenv.sh"
t0=$(date +%s)
phase() { echo "ci-extra $mode: $1 ($(($(date +%s) - t0)) s so far)"; }

build() {
	rm -f "$status_file"
	# a skip or failure below leaves its reason for the other phases
	trap 'rc=$?; [ -f "$status_file" ] || { if [ $rc -eq 77 ]; then echo "skipped: a tool is missing (see hardening.san_build)"; else echo "failed: see hardening.san_build"; fi >"$status_file"; }' EXIT
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
	phase "configure $san"
	cmake -S "$src" -B "$san" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DNEGSCOPE_WERROR=ON -DNEGSCOPE_SANITIZE=ON -DNEGSCOPE_FUZZ=ON -DNEGSCOPE_FUZZ_SECONDS="$secs" \
		-DNEGSCOPE_HARDENING_EXTRA=OFF \
		-DNEGSCOPE_LAB_TESTS="$([ "${NEGSCOPE_SAN_LAB:-1}" = 1 ] && echo ON || echo OFF)" \
		>"$san.configure.log" 2>&1 || {
		cat "$san.configure.log" >&2
		echo "failed: configuring the sanitizer tree" >"$status_file"
		echo "ci-extra: configuring the sanitizer tree failed" >&2
		exit 1
	}
	phase "build"
	if ! cmake --build "$san" -j "${NEGSCOPE_SAN_BUILD_JOBS:-2}" >"$san.build.log" 2>&1; then
		grep -E 'error|Error' "$san.build.log" | head -n 40 >&2
		echo "failed: building the sanitizer tree (log: $san.build.log)" >"$status_file"
		echo "ci-extra: building the sanitizer tree failed; log: $san.build.log" >&2
		exit 1
	fi
	echo ok >"$status_file"
	phase "built"
	exit 0
}

# The other phases need the tree the build phase made.
need_build() {
	st=$(cat "$status_file" 2>/dev/null || echo "not built yet")
	case $st in
	ok) ;;
	skipped:*) skip "ci-extra $mode: the sanitizer tree was $st" ;;
	*)
		echo "ci-extra $mode: no sanitizer tree: $st (hardening.san_build makes it)" >&2
		exit 1
		;;
	esac
}

[ "$mode" = build ] && build
need_build

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
case $mode in
unit)
	phase "unit, fuzz replay, adversarial and hostile tests under ASan/UBSan"
	ctest --test-dir "$san" -L 'unit|fuzz|hardening|hostile' -LE 'fuzzrun|lab|oracle' \
		-j "$jobs" --output-on-failure --timeout 600 || rc=1
	;;
golden)
	phase "golden tests under ASan/UBSan (less oracle and $SAN_SKIP)"
	# t_inputs: every input form of every 4th sample (each form of every sample in the plain tree)
	NEGSCOPE_SAMPLE_EVERY=4 ctest --test-dir "$san" -L golden -LE 'lab|oracle' -E "$SAN_SKIP" -j "$jobs" \
		--output-on-failure --timeout 600 || rc=1
	;;
lab)
	[ "${NEGSCOPE_SAN_LAB:-1}" = 1 ] || skip "ci-extra lab: NEGSCOPE_SAN_LAB=0"
	# Full malloc stacks, so that lsan.supp can name the gss-ntlmssp functions (libcrypto,
	# which allocates for it, has no frame pointers).
	phase "lab tests under ASan/UBSan ($SAN_LAB)"
	ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0 \
		ctest --test-dir "$san" -R "$SAN_LAB" -j "$jobs" --output-on-failure --timeout 600 || rc=1
	;;
fuzz)
	phase "fuzzing each target for $secs s"
	ctest --test-dir "$san" -L fuzzrun -j "$jobs" --output-on-failure || rc=1
	for log in "$san"/tests/fuzz/work/*/fuzz.log; do
		[ -f "$log" ] || continue
		t=$(basename "$(dirname "$log")")
		execs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
		last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+')
		echo "ci-extra: fuzz $t: ${execs:-?} execs, $last"
	done
	;;
*)
	echo "usage: $0 build|unit|golden|lab|fuzz SRC_DIR BUILD_DIR" >&2
	exit 2
	;;
esac
phase "done, status $rc"
exit $rc
