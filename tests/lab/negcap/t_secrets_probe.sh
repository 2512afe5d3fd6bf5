#!/bin/sh
# Secrets never reach negprobe's output (issue 7), against the lab: each run is recorded with
# tcpdump on lo, tshark finds the secrets of that run on the wire on its own
# (tests/golden/secret_strings.py: NTLM responses, NTProofStr, session key, MIC, Kerberos
# ticket/authenticator/AP-REP/KDC enc-parts), and negprobe's text report (with -v), --json
# (also with --capture, and -L across a redirect), --junit file and stderr are grepped for them as hex and as the
# base64 they take inside a token, and for the user's password.
# negcap's formats are checked over the samples by tests/golden/t_secrets.sh.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
need_tool python3
lab_start
. "$NEGSCOPE_SRC_DIR/tests/lab/probe/probelib.sh"
SECRETS=$NEGSCOPE_SRC_DIR/tests/golden/secret_strings.py
OUT=$LABDIR/secrets
mkdir -p "$OUT"

TCPDUMP_PID=""
stop_tcpdump() {
	[ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
	TCPDUMP_PID=""
}
# keep the exit status for lab_cleanup, which exits with the $? it is called with
trap 'rc=$?; stop_tcpdump; (exit $rc); lab_cleanup' EXIT
DECODE_AS=""
for p in $LAB_HTTP_PORT $LAB_NOKA_PORT $LAB_NTLMONLY_PORT $LAB_IIS_PORT; do
	DECODE_AS="$DECODE_AS -d tcp.port==$p,http"
done

# run NAME FORMAT ARGS...: negprobe in FORMAT (text, json, junit, capture) while tcpdump
# records the run into $OUT/NAME.FORMAT.pcap; outputs in $OUT/NAME.FORMAT.out*
run() {
	r=$1.$2
	fmt=$2
	shift 2
	tcpdump -i lo -s 0 -U --immediate-mode -Z root -n -w "$OUT/$r.pcap" \
		"port $LAB_KDC_PORT or (tcp and portrange 5443-5560) or $MARKER_FILTER" \
		2>"$OUT/$r.tcpdump.err" &
	TCPDUMP_PID=$!
	wait_for 60 "$r: tcpdump listening" grep "listening on" "$OUT/$r.tcpdump.err" ||
		fail "$r: tcpdump did not start"
	case $fmt in
	text) np -v "$@" >"$OUT/$r.out" 2>"$OUT/$r.out.err" ;;
	json) np --json "$@" >"$OUT/$r.out" 2>"$OUT/$r.out.err" ;;
	capture) np --json --capture lo "$@" >"$OUT/$r.out" 2>"$OUT/$r.out.err" ;;
	junit) np --junit "$OUT/$r.out.xml" --expect kerberos "$@" >"$OUT/$r.out" 2>"$OUT/$r.out.err" ;;
	esac
	echo "--- $r: exit $?"
	end_marker "$OUT/$r.pcap" || fail "$r: tcpdump did not record the end marker"
	stop_tcpdump
	strip_marker "$OUT/$r.pcap"
	# shellcheck disable=SC2086
	python3 "$SECRETS" $DECODE_AS needles "$OUT/$r.needles" "$OUT/$r.pcap" ||
		fail "$r: secret extraction from the recording failed"
	printf '%s\n' "$LAB_PASSWORD" >>"$OUT/$r.needles"
	# the recording must hold secrets, and a raw token must be caught by the patterns
	check "$r: tshark found the run's secrets on the wire" ge "$(grep -c . "$OUT/$r.needles.shown")" 2
	grep '^Authorization: ' "$OUT/$r.needles.headers" >"$OUT/$r.raw-headers"
	check "$r: the raw Authorization headers match the secret patterns" \
		grep -qF -f "$OUT/$r.needles" "$OUT/$r.raw-headers"
	for o in "$OUT/$r".out*; do
		if hit=$(grep -oiF -f "$OUT/$r.needles" "$o"); then
			fail "$r: $(basename "$o") shows a secret: $(echo "$hit" | head -1 | cut -c1-80)"
		else
			echo "ok: $r: $(basename "$o") ($(wc -c <"$o") bytes) shows no secret"
		fi
	done
}

for fmt in text json junit capture; do
	# Kerberos with mutual authentication: AP-REQ (ticket, authenticator), AP-REP in the 200
	fresh_cc "ok-$fmt"
	run kerberos-ok "$fmt" "$LAB_URL_KERBEROS_OK"
	# delegation: the authenticator carries the forwarded TGT
	fresh_cc "deleg-$fmt"
	run delegation-ok "$fmt" --delegation policy "$LAB_URL_DELEGATION_OK"
done
for fmt in text json junit; do
	# the seed's case: KRB-ERROR 7, then NTLM inside SPNEGO (AUTHENTICATE with NTLMv2)
	fresh_cc "spnntlm-$fmt"
	NTLM_USER_FILE=$LAB_NTLM_USER_FILE run spn-ntlm "$fmt" "$LAB_URL_SPN_PORT_MISMATCH"
	# the NTLM scheme with a password from the environment
	KRB5CCNAME=FILE:$LABDIR/no-such-ccache NEGPROBE_PASSWORD=$LAB_PASSWORD \
		run ntlm-only "$fmt" -u "$LAB_NTLM_DOMAIN\\$LAB_USER" "$LAB_URL_NTLM_ONLY"
	# a Windows-like 401 carrying KRB_AP_ERR_MODIFIED
	fresh_cc "iis41-$fmt"
	run iis-ap-err-modified "$fmt" "$LAB_URL_IIS_AP_ERR_MODIFIED"
	# -L: two handshakes (crm, then deleg after a 302), the hops in every output
	fresh_cc "redirect-$fmt"
	run redirect-other "$fmt" -L "${LAB_URL_KERBEROS_OK%/}/redirect-other"
done
lab_done
