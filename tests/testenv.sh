# Shell helpers every test script shares (POSIX sh). Source it:
#   . "$NEGSCOPE_SRC_DIR/tests/testenv.sh"
#
#   need_tool TOOL [PACKAGE]   TOOL missing: skip (exit 77), or fail (exit 1) when
#                              NEGSCOPE_REQUIRE_TOOLS=1 (the README's test command sets it:
#                              .ci/install-deps installs every tool a test uses, so a
#                              missing one there is a broken CI machine, not a skip)
#   missing WHAT PACKAGE       the same for something else a package provides
#   skip MSG                   exit 77 for what no package provides (not root, no
#                              ../shared/captures beside the clone): always a skip
#   wait_for SECONDS WHAT CMD...
#                              run CMD every 50 ms until it succeeds; after SECONDS, print
#                              "timed out after SECONDS s waiting for WHAT" and the last
#                              output of CMD (what it saw), and return 1.  Tests wait on
#                              conditions, never on fixed pauses: under load (ASan, two
#                              busy cores) a pause that was long enough is not.
#   caught_up PID STATEFILE [MS]  (for wait_for) a capture process has read all sent so far
#   MARKER_FILTER, end_marker PCAP, strip_marker PCAP
#                              end a tcpdump -U recording on lo on a marker, not a pause

need_tool() { # tool [package]
	command -v "$1" >/dev/null 2>&1 || missing "$1 not installed" "${2:-$1}"
}

# python3 is Debian's when it is there (.ci/install-deps installs it): a version manager's
# shim first in PATH (pyenv's is a bash script) costs ~0.6 s a start, and the tests start
# python3 hundreds of times.  A background python3 must be started as "$PYTHON3" ... &: a
# function run with & is a subshell, and $! would name the subshell, not python.
PYTHON3=python3
if [ -x /usr/bin/python3 ]; then
	PYTHON3=/usr/bin/python3
	python3() { /usr/bin/python3 "$@"; }
fi

# missing WHAT PACKAGE: what a package would provide is not there: skip, or fail when every
# tool must be there
missing() {
	if [ "${NEGSCOPE_REQUIRE_TOOLS:-0}" = 1 ]; then
		echo "FAIL: $1 (package $2; .ci/install-deps installs it)" >&2
		exit 1
	fi
	echo "SKIP: $1 (package $2; .ci/install-deps installs it)" >&2
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

# (Helpers that wait_for runs must not end early under a caller's set -e: a command
# substitution inherits it.)
# The end of a recording on lo: a refused connection to port 9 (SYN, RST) sent after the
# run; once tcpdump (-U) has written its RST it has written everything before it, however
# far behind it ran (SIGINT drops what it has not read).  Record MARKER_FILTER too, then
# end_marker PCAP, stop tcpdump, strip_marker PCAP.
MARKER_FILTER="tcp port 9"
marker_seen() { # pcap
	n=$(tcpdump -r "$1" -n 'tcp port 9 and tcp[tcpflags] & tcp-rst != 0' 2>/dev/null | wc -l || :)
	echo "$n marker RSTs in $1"
	[ "$n" -ge 1 ]
}
end_marker() { # pcap
	# connections closing (FIN, ACK) first: nothing on the lab's ports but listeners and
	# TIME-WAIT
	wait_for 30 "lab connections to close" lab_conns_closed
	curl -s --max-time 2 -o /dev/null "http://127.0.0.1:9/" 2>/dev/null
	wait_for 60 "the end marker in $1" marker_seen "$1"
}
lab_conns_closed() {
	open=$(ss -Htan exclude listening exclude time-wait 2>/dev/null |
		awk '{ print $4, $5 }' | grep -E ':(88|5[45][0-9][0-9])( |$)' || true)
	[ -z "$open" ] || { echo "open: $open"; return 1; }
}
strip_marker() { # pcap
	tcpdump -r "$1" -w "$1.nomark" 'not tcp port 9' 2>/dev/null && mv "$1.nomark" "$1"
}

# caught_up PID STATEFILE [MS]: a libpcap reader (negcap, tcpdump without --immediate-mode)
# has read everything sent before the wait began.  It reads the ring in kernel blocks, each
# handed over at most one read timeout (negcap 100 ms, tcpdump 1 s) after its first packet,
# and sleeps in poll(2) in between with no timer of its own: once it has slept (state S) for
# MS (default 300; more than the read timeout) without a wake-up, no block is pending.  A busy reader shows state R or new wake-ups, and the wait
# goes on.  STATEFILE (absent at first) keeps the last wake-up count and when it was seen.
caught_up() {
	_cu_st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || :)
	_cu_sw=$(awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status" 2>/dev/null || :)
	_cu_now=$(date +%s%N)
	_cu_prev=$(cat "$2" 2>/dev/null || :)
	if [ "$_cu_st" = S ] && [ -n "$_cu_prev" ] && [ "${_cu_prev%% *}" = "$_cu_sw" ]; then
		_cu_idle=$(((_cu_now - ${_cu_prev#* }) / 1000000))
		echo "pid $1 state $_cu_st, $_cu_sw wake-ups, asleep for $_cu_idle ms"
		[ "$_cu_idle" -ge "${3:-300}" ]
		return
	fi
	echo "$_cu_sw $_cu_now" >"$2"
	echo "pid $1 state ${_cu_st:-(gone)}, ${_cu_sw:-?} wake-ups"
	return 1
}
