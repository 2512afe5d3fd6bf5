# Shell helpers every test script shares (POSIX sh). Source it:
#   . "$NEGSCOPE_SRC_DIR/tests/testenv.sh"
#
#   need_tool TOOL [PACKAGE]   TOOL missing: skip (exit 77), or fail (exit 1) when
#                              NEGSCOPE_REQUIRE_TOOLS=1 (the README's test command sets it:
#                              .ci/install-deps installs every tool a test uses, so a
#                              missing one there is a broken CI machine, not a skip)
#   skip MSG                   exit 77 for what no package provides (not root, no
#                              ../shared/captures beside the clone): always a skip
#   wait_for SECONDS WHAT CMD...
#                              run CMD every 50 ms until it succeeds; after SECONDS, print
#                              "timed out after SECONDS s waiting for WHAT" and the last
#                              output of CMD (what it saw), and return 1.  Tests wait on
#                              conditions, never on fixed pauses: under load (ASan, two
#                              busy cores) a pause that was long enough is not.

need_tool() { # tool [package]
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${NEGSCOPE_REQUIRE_TOOLS:-0}" = 1 ]; then
		echo "FAIL: $1 not installed (package ${2:-$1}; .ci/install-deps installs it)" >&2
		exit 1
	fi
	echo "SKIP: $1 not installed (package ${2:-$1}; .ci/install-deps installs it)" >&2
	exit 77
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

wait_for() { # seconds what cmd...
	_wf_bound=$1
	_wf_what=$2
	shift 2
	_wf_end=$(($(date +%s) + _wf_bound))
	while :; do
		if _wf_out=$("$@" 2>&1); then
			return 0
		fi
		if [ "$(date +%s)" -gt "$_wf_end" ]; then
			echo "timed out after $_wf_bound s waiting for $_wf_what;" \
				"last saw: ${_wf_out:-(nothing)}" >&2
			return 1
		fi
		sleep 0.05
	done
}
