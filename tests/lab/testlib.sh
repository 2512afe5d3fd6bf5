# Shell helpers for lab tests (t_*.sh). Source it:  . "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
#
#   lab_require            skip (exit 77) unless root; a lab tool missing skips too, or
#                          fails under NEGSCOPE_REQUIRE_TOOLS=1 (need_tool, tests/testenv.sh)
#   need_tool, skip, wait_for   from tests/testenv.sh (sourced here)
#   lab_start              start a lab in a fresh temp dir, source its lab.env; a trap stops
#                          it on exit and fails the test if any lab process survives
#   fail MSG / check COND-DESCRIPTION CMD...   record a failure (the test goes on)
#   lab_done               exit 1 if anything failed, else 0
#   eq A B / ge A B / all_are LIST V   comparisons for check (print got/want on failure)
#   pcap_table PCAP [KEYLOG]  one '|'-separated line per frame (columns: see T_* below)
#   record_lo PCAP FILTER  tcpdump records FILTER on lo into PCAP, listening on return
#   record_lo_end PCAP     end that recording on the end marker (lab_cleanup stops it too)
# NEGSCOPE_SRC_DIR / NEGSCOPE_BUILD_DIR come from ctest; run by hand they default to the
# source tree of this file and ./build.

# shellcheck disable=SC2034 # variables and T_* columns are for the sourcing scripts
if [ -z "${NEGSCOPE_SRC_DIR:-}" ]; then
	# run by hand: the source tree is the first parent of the test holding tests/lab/lab.sh
	NEGSCOPE_SRC_DIR=$(cd "$(dirname "$0")" && pwd)
	while [ "$NEGSCOPE_SRC_DIR" != / ] && [ ! -e "$NEGSCOPE_SRC_DIR/tests/lab/lab.sh" ]; do
		NEGSCOPE_SRC_DIR=$(dirname "$NEGSCOPE_SRC_DIR")
	done
fi
NEGSCOPE_BUILD_DIR=${NEGSCOPE_BUILD_DIR:-$NEGSCOPE_SRC_DIR/build}
export NEGSCOPE_SRC_DIR NEGSCOPE_BUILD_DIR
. "$NEGSCOPE_SRC_DIR/tests/testenv.sh"
LAB_SH=$NEGSCOPE_SRC_DIR/tests/lab/lab.sh
SCENARIO_SH=$NEGSCOPE_SRC_DIR/tests/lab/scenario.sh
FAILED=0
LABDIR=""

fail() {
	echo "FAIL: $*" >&2
	FAILED=1
}

# check "what should hold" command args...: runs the command, records a failure if false
check() {
	what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		fail "$what"
	fi
}

# Comparisons for check(); they say what they got when they fail.
eq() { [ "$1" = "$2" ] || { echo "   got '$1', want '$2'" >&2; return 1; }; }
ge() { [ "$1" -ge "$2" ] || { echo "   got $1, want >= $2" >&2; return 1; }; }
all_are() { # list value: non-empty list whose items all equal value
	[ -n "$1" ] || { echo "   got nothing, want $2" >&2; return 1; }
	for x in $1; do [ "$x" = "$2" ] || { echo "   got '$1', want all $2" >&2; return 1; }; done
}

lab_require() {
	[ "$(id -u)" -eq 0 ] || skip "lab tests need root (KDC on port 88, capture on lo)"
	need_tool krb5kdc krb5-kdc
	need_tool kadmin.local krb5-admin-server
	need_tool apache2
	need_tool tcpdump
	need_tool tshark
	need_tool curl
	need_tool openssl
	need_tool ss iproute2
}

# Processes of a lab: everything whose command line names its directory's daemon files.
lab_processes() { # dir
	pgrep -af -- "$1/(kdc/kdc[.]pid|httpd/httpd[.]conf|iis/)" 2>/dev/null || true
}

# tcpdump on lo into PCAP (FILTER and the end marker), in the background; true once it
# listens.  record_lo_end ends it on the end marker (tests/testenv.sh) and strips that.
LO_TCPDUMP=""
record_lo() { # pcap filter
	tcpdump -i lo -s 0 -U --immediate-mode -Z root -n -w "$1" "($2) or $MARKER_FILTER" \
		2>"$1.tcpdump.err" &
	LO_TCPDUMP=$!
	wait_for 60 "tcpdump listening" grep "listening on" "$1.tcpdump.err"
}
record_lo_stop() {
	if [ -n "$LO_TCPDUMP" ] && kill -INT "$LO_TCPDUMP" 2>/dev/null; then
		wait "$LO_TCPDUMP" 2>/dev/null || :
	fi
	LO_TCPDUMP=""
}
record_lo_end() { # pcap
	end_marker "$1" || { record_lo_stop; return 1; }
	record_lo_stop
	strip_marker "$1"
}

lab_cleanup() {
	rc=$?
	record_lo_stop
	if [ -n "$LABDIR" ]; then
		"$LAB_SH" stop "$LABDIR" >/dev/null 2>&1 || true
		left=$(lab_processes "$LABDIR")
		if [ -n "$left" ]; then
			echo "FAIL: processes left after lab.sh stop:" >&2
			echo "$left" >&2
			rc=1
		fi
		if [ -n "${LAB_KEEP:-}" ]; then
			echo "lab directory kept: $LABDIR" >&2
		else
			rm -rf "$LABDIR"
		fi
		LABDIR=""
	fi
	exit "$rc"
}

lab_start() {
	LABDIR=$(mktemp -d /tmp/negscope-lab.XXXXXX)
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
	"$LAB_SH" start "$LABDIR" || {
		echo "FAIL: lab.sh start failed" >&2
		exit 1
	}
	# shellcheck disable=SC1091
	. "$LABDIR/lab.env"
}

lab_done() {
	if [ "$FAILED" -ne 0 ]; then
		echo "lab test: FAILED" >&2
		exit 1
	fi
	echo "lab test: all checks passed"
	exit 0
}

# Column numbers of pcap_table output.
T_FRAME=1 T_TCP_SRC=2 T_TCP_DST=3 T_UDP_SRC=4 T_UDP_DST=5 T_SYN=6 T_ACK=7 T_RST=8 T_ICMP=9
T_KRB_MSG=10 T_KRB_ERR=11 T_SNAME=12 T_FORWARDED=13 T_HTTP_CODE=14 T_WWW_AUTH=15 T_AUTHZ=16
T_CONNECTION=17 T_NTLM=18 T_METHOD=19 T_TLS_HS=20 T_RESP_LINES=21

pcap_table() { # pcap [keylog]
	set -- "$1" "${2:-}"
	if [ -n "$2" ]; then
		set -- "$1" -o "tls.keylog_file:$2"
	else
		set -- "$1"
	fi
	tshark -r "$@" -d tcp.port==5555,http -d tcp.port==5557,http -d tcp.port==5558,http \
		-d tcp.port==5559,http -d tcp.port==5443,tls \
		-T fields -E separator='|' -E occurrence=a -E aggregator=, \
		-e frame.number -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
		-e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e icmp.type \
		-e kerberos.msg_type -e kerberos.error_code -e kerberos.SNameString \
		-e kerberos.KDCOptions.forwarded -e http.response.code -e http.www_authenticate \
		-e http.authorization -e http.connection -e ntlmssp.messagetype \
		-e http.request.method -e tls.handshake.type -e http.response.line 2>/dev/null
}
