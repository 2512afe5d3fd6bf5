#!/bin/bash
# negcap and negprobe under valgrind memcheck: no error, no leak.
#
#   valgrind.sh NEGCAP SAMPLES_DIR [PCAP...]
#   valgrind.sh --probe NEGPROBE LAB_SH
#
# negcap runs on every SAMPLES_DIR/*.pcap and every extra PCAP, two a run read in a row, as JSON
# lines with events and the HTML report; on one sample cut in the middle of a record (the truncated-file path), on
# two inputs in a row; as the verbose text report over every sample in a row; and with
# --decode on the samples' tokens.
# --probe starts a lab (LAB_SH start, in a temporary directory; root, port 88) and runs
# negprobe through several lab scenarios (Kerberos, HTTPS, NTLM from a credentials file
# and with a password, KDC error, AP error 41),
# then stops the lab.
# Leaks inside system libraries are suppressed by valgrind.supp (each entry explained).
# Exit 0 clean, 1 a memcheck error or leak (the log is shown), 77 skipped (valgrind
# missing; --probe: not root or the lab would not start).
set -u
if [ $# -lt 2 ] || { [ "$1" = --probe ] && [ $# -ne 3 ]; }; then
	echo "usage: $0 NEGCAP SAMPLES_DIR [PCAP...]  |  $0 --probe NEGPROBE LAB_SH" >&2
	exit 2
fi
. "$(dirname "$0")/../testenv.sh"
need_tool valgrind
work=$(mktemp -d /tmp/negscope-valgrind.XXXXXX)
lab_sh='' lab=''
cleanup() {
	[ -n "$lab" ] && sh "$lab_sh" stop "$lab" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
VG_ERR=99
fail=0 runs=0

# vg NAME PROGRAM ARGS...: one memcheck run; the program's own exit status is not judged
# (findings exit 1), only memcheck's.
vg() {
	local name=$1 log
	shift
	log="$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' _).log"
	runs=$((runs + 1))
	valgrind --tool=memcheck --error-exitcode=$VG_ERR --leak-check=full \
		--suppressions="$(dirname "$0")/valgrind.supp" --num-callers=40 \
		--show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
		--track-fds=no --log-file="$log" "$@" >/dev/null 2>"$log.stderr" </dev/null
	if [ $? -eq $VG_ERR ]; then
		echo "valgrind.sh: FAIL $name" >&2
		grep -vE '^==[0-9]+== *$' "$log" | head -n 60 >&2
		fail=1
	else
		echo "valgrind.sh: ok   $name"
	fi
}

negcap_runs() {
	n=0
	prev=""
	# Two captures a run, read in a row, as JSON with events and the HTML report: memcheck's
	# start-up (seconds) is most of a run's cost
	for f in "$samples"/*.pcap "$@"; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if [ -z "$prev" ]; then
			prev=$f
			continue
		fi
		vg "json+html $(basename "$prev") $(basename "$f")" "$negcap" --json --events \
			--html "$work/report.html" -r "$prev" -r "$f"
		prev=""
	done
	[ -n "$prev" ] && vg "json+html $(basename "$prev")" "$negcap" --json --events \
		--html "$work/report.html" -r "$prev"
	if [ $n -eq 0 ]; then
		echo "valgrind.sh: no capture in $samples" >&2
		exit 1
	fi

	first=$(ls "$samples"/*.pcap | head -n 1)
	size=$(stat -c %s "$first")
	head -c $((size - 37)) "$first" >"$work/cut.pcap"
	vg "truncated $(basename "$first")" "$negcap" --json -r "$work/cut.pcap"
	vg "two inputs" "$negcap" -r "$first" -r "$work/cut.pcap"
	# the text report, verbose (every conversation's ladder), over all the inputs in a row
	set --
	for f in "$samples"/*.pcap; do
		set -- "$@" -r "$f"
	done
	vg "text -v, all samples in a row" "$negcap" -v "$@"

	# --decode on the Authorization and WWW-Authenticate tokens of the samples (Kerberos AP-REQ,
	# AP-REP, KRB-ERROR, NTLM) as header line, bare token and JSON.
	need_tool tshark
	if :; then
		tshark_ports="-d tcp.port==5557,http -d tcp.port==5558,http -d tcp.port==5559,http"
		# shellcheck disable=SC2086
		# samples until 8 distinct tokens (a tshark start costs about a second)
		: >"$work/tokens"
		for f in "$samples"/*.pcap; do
			tshark -r "$f" $tshark_ports -Y 'http.authorization || http.www_authenticate' -T fields \
				-E occurrence=f -e http.authorization -e http.www_authenticate 2>/dev/null |
				tr '\t' '\n' | grep -E '^(Negotiate|NTLM) [A-Za-z0-9+/=]{8,}' >>"$work/tokens"
			[ "$(sort -u "$work/tokens" | wc -l)" -ge 8 ] && break
		done
		sort -u "$work/tokens" | head -n 8 >"$work/tokens.8"
		mv "$work/tokens.8" "$work/tokens"
		i=0
		while IFS= read -r tok; do
			i=$((i + 1))
			vg "decode header $i" "$negcap" --decode "Authorization: $tok"
			vg "decode json $i" "$negcap" --decode --json "${tok#* }"
		done <"$work/tokens"
	fi
}

probe_lab() {
	local negprobe=$1
	lab_sh=$2
	[ "$(id -u)" -eq 0 ] || skip "valgrind.sh: --probe needs root (the lab's KDC listens on port 88)"
	need_tool krb5kdc krb5-kdc
	need_tool apache2
	lab=$work/lab
	if ! LAB_QUIET=1 sh "$lab_sh" start "$lab" >"$work/lab.log" 2>&1; then
		echo "valgrind.sh: FAIL: the lab did not start" >&2
		tail -n 20 "$work/lab.log" >&2
		exit 1
	fi
	# shellcheck disable=SC1091
	. "$lab/lab.env"
	# shellcheck disable=SC2086
	vg "negprobe kerberos-ok" "$negprobe" $LAB_CURL_RESOLVE "$LAB_URL_KERBEROS_OK"
	# shellcheck disable=SC2086
	vg "negprobe kerberos-ok json" "$negprobe" --json $LAB_CURL_RESOLVE "$LAB_URL_KERBEROS_OK"
	# shellcheck disable=SC2086
	vg "negprobe https" "$negprobe" --cacert "$LAB_CA" $LAB_CURL_RESOLVE "$LAB_URL_HTTPS_KERBEROS_OK"
	# shellcheck disable=SC2086
	vg "negprobe spn-port-mismatch" "$negprobe" --check-spn $LAB_CURL_RESOLVE \
		"$LAB_URL_SPN_PORT_MISMATCH"
	# shellcheck disable=SC2086
	vg "negprobe iis ap-err-modified" "$negprobe" $LAB_CURL_RESOLVE "$LAB_URL_IIS_AP_ERR_MODIFIED"
	# shellcheck disable=SC2086
	NTLM_USER_FILE=$LAB_NTLM_USER_FILE vg "negprobe ntlm-only" "$negprobe" --mech ntlm \
		$LAB_CURL_RESOLVE "$LAB_URL_NTLM_ONLY"
	# shellcheck disable=SC2086
	NEGPROBE_PASSWORD=$LAB_PASSWORD vg "negprobe ntlm password" "$negprobe" \
		-u "$LAB_NTLM_DOMAIN\\$LAB_USER" --expect ntlm $LAB_CURL_RESOLVE "$LAB_URL_NTLM_ONLY"
}

if [ "$1" = --probe ]; then
	probe_lab "$2" "$3"
else
	negcap=$1 samples=$2
	shift 2
	negcap_runs "$@"
fi

echo "valgrind.sh: $runs runs, $([ $fail -eq 0 ] && echo 'no error, no leak' || echo FAILED)"
exit $fail
