#!/bin/sh
# Runs one HTTPS / HTTP/2 lab scenario (issue 13) with curl while tcpdump records it on lo,
# and saves the TLS key log beside the capture (OUTPCAP.keylog), as a browser writes it
# with SSLKEYLOGFILE.
#
# usage: https-scenario.sh LABDIR NAME OUTPCAP
#        https-scenario.sh --list
# The sites are the TLS lab sites of lab.sh (LAB_TLS12_PORT, LAB_TLS13_PORT,
# LAB_TLSPROXY_PORT, LAB_H2C_PORT, LAB_H2_PORT). As in scenario.sh, each scenario starts
# from a fresh ccache with alice's TGT (kinit before the capture), or from none for the NTLM
# ones; the capture ends on the end marker (tests/testenv.sh), never after a pause.
# Prints one line: "scenario NAME status=HTTP-CODE connects=N curl_rc=RC"; curl's trace is
# OUTPCAP.curl.log. Exit status: 0 when the scenario ran, 1 when it could not run.
set -eu

# name|site|what: the HTTP twin each one repeats is in samples/README.md
SCENARIOS="https-tls12-aes128-gcm https-tls12-aes256-gcm https-tls12-chacha20
https-tls12-cbc-sha https-tls12-cbc-sha256 https-tls12-cbc-sha384
https-tls13-aes128-gcm https-tls13-chacha20 https-ntlm https-ntlm-tls13
https-spn-port-mismatch https-stale-keytab https-wrong-key https-proxy-ntlm
h2c-kerberos https-h2-downgrade"

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SRC/../testenv.sh"
die() { echo "https-scenario.sh: $*" >&2; exit 1; }

if [ "${1:-}" = "--list" ]; then
	# shellcheck disable=SC2086 # one line
	echo $SCENARIOS
	exit 0
fi
[ $# -eq 3 ] || die "usage: https-scenario.sh LABDIR NAME OUTPCAP (https-scenario.sh --list)"
LABDIR=$1
NAME=$2
OUT=$3
[ -r "$LABDIR/lab.env" ] || die "no lab in $LABDIR (run tests/lab/lab.sh start $LABDIR)"
# shellcheck disable=SC1091
. "$LABDIR/lab.env"
[ -n "${LAB_TLS12_PORT:-}" ] || die "the lab in $LABDIR has no TLS lab sites (restart it)"
# shellcheck disable=SC2086,SC2116 # the list on one line
case " $(echo $SCENARIOS) " in *" $NAME "*) ;; *) die "unknown scenario $NAME" ;; esac
command -v tcpdump >/dev/null 2>&1 || die "tcpdump missing: run .ci/install-deps"

WORK=$LAB_DIR/scenarios/$NAME
rm -rf "$WORK"
mkdir -p "$WORK"
export KRB5CCNAME="FILE:$WORK/ccache"
unset NTLM_USER_FILE NTLMUSER SSLKEYLOGFILE KRB5_TRACE || true
rm -f "$OUT" "$OUT.curl.log" "$OUT.keylog"
export SSLKEYLOGFILE="$WORK/client.keylog"

HOST=$LAB_HOST
PORT=$LAB_TLS12_PORT
SCHEME=https
TLS="--tlsv1.2 --tls-max 1.2"
AUTH="--anyauth -u :"
NEED_TGT=1
PORTS="" # further TCP ports to record (the proxy's back end)
SERVER_KEYLOG="" # the lab Apache's key log, for the proxy's own leg
case "$NAME" in
https-tls12-aes128-gcm) TLS="$TLS --ciphers ECDHE-RSA-AES128-GCM-SHA256" ;;
https-tls12-aes256-gcm) TLS="$TLS --ciphers ECDHE-RSA-AES256-GCM-SHA384" ;;
https-tls12-chacha20) TLS="$TLS --ciphers ECDHE-RSA-CHACHA20-POLY1305" ;;
https-tls12-cbc-sha) TLS="$TLS --ciphers ECDHE-RSA-AES128-SHA" ;;
https-tls12-cbc-sha256) TLS="$TLS --ciphers ECDHE-RSA-AES128-SHA256" ;;
https-tls12-cbc-sha384) TLS="$TLS --ciphers ECDHE-RSA-AES256-SHA384" ;;
https-tls13-aes128-gcm)
	PORT=$LAB_TLS13_PORT
	TLS="--tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256"
	;;
https-tls13-chacha20)
	PORT=$LAB_TLS13_PORT
	TLS="--tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256"
	;;
https-ntlm | https-ntlm-tls13)
	# ntlm-fallback's twin: no ticket, NTLM credentials for gss-ntlmssp (inside SPNEGO)
	NEED_TGT=0
	export NTLM_USER_FILE="$LAB_NTLM_USER_FILE"
	if [ "$NAME" = https-ntlm-tls13 ]; then
		PORT=$LAB_TLS13_PORT
		TLS="--tlsv1.3"
	fi
	;;
https-spn-port-mismatch) HOST=$LAB_HOST_PORTSPN ;;
https-stale-keytab) HOST=$LAB_HOST_STALE ;;
https-wrong-key) HOST=$LAB_HOST_WRONGKEY ;;
https-proxy-ntlm)
	# NTLM through the TLS-terminating proxy: the client sees the proxy's certificate,
	# the back end (recorded too, with the proxy's key log) presents its own
	PORT=$LAB_TLSPROXY_PORT
	PORTS=$LAB_TLS12_PORT
	SERVER_KEYLOG=$LAB_HTTPD_KEYLOG
	NEED_TGT=0
	export NTLM_USER_FILE="$LAB_NTLM_USER_FILE"
	TLS=""
	;;
h2c-kerberos)
	# HTTP/2 in the clear (prior knowledge): Negotiate over HTTP/2; --negotiate, since
	# curl 7.88's --anyauth fails its second request on an h2c connection (error 16)
	AUTH="--negotiate -u :"
	SCHEME=http
	PORT=$LAB_H2C_PORT
	TLS="--http2-prior-knowledge"
	;;
https-h2-downgrade)
	# ALPN h2; the auth location needs renegotiation, so the server resets the stream with
	# HTTP_1_1_REQUIRED and curl retries on HTTP/1.1
	PORT=$LAB_H2_PORT
	TLS="--http2"
	;;
esac
URL="$SCHEME://$HOST:$PORT/"
[ "$SCHEME" = https ] && TLS="$TLS --cacert $LAB_CA"

if [ "$NEED_TGT" = 1 ]; then
	printf '%s\n' "$LAB_PASSWORD" | kinit "$LAB_PRINCIPAL" >"$WORK/kinit.log" 2>&1 ||
		die "kinit failed: $(cat "$WORK/kinit.log")"
else
	KRB5CCNAME="FILE:$WORK/no-such-ccache"
fi

FILTER="port $LAB_KDC_PORT or icmp or tcp port $PORT or tcp port 9"
for p in $PORTS; do
	FILTER="$FILTER or tcp port $p"
done
# the server's key log grows during the capture: keep only what this scenario adds
skip_lines=0
[ -n "$SERVER_KEYLOG" ] && [ -e "$SERVER_KEYLOG" ] && skip_lines=$(wc -l <"$SERVER_KEYLOG")
tcpdump -i lo -s 0 -U --immediate-mode -Z root -n -w "$OUT" "$FILTER" >"$WORK/tcpdump.log" 2>&1 &
TCPDUMP=$!
stop_capture() {
	if kill -0 "$TCPDUMP" 2>/dev/null; then
		kill -INT "$TCPDUMP" 2>/dev/null || true
		wait "$TCPDUMP" 2>/dev/null || true
	fi
}
trap stop_capture EXIT
wait_for 60 "tcpdump listening" grep "listening on" "$WORK/tcpdump.log" ||
	die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"

set +e
# shellcheck disable=SC2086
RESULT=$(curl -sS -v --max-time 20 -o "$WORK/body" -w '%{http_code} %{num_connects}' \
	$AUTH $TLS $LAB_CURL_RESOLVE "$URL" 2>"$OUT.curl.log")
RC=$?
set -e
if [ -n "$PORTS" ]; then
	# the proxy keeps its back-end connection pooled (half-closed once the back end times
	# it out) until a child exits: a graceful restart ends the children, and the recording
	# then ends on the back end's FIN instead of after a timeout
	kill -USR1 "$(cat "$LAB_HTTPD_PIDFILE")"
fi
end_marker "$OUT" || die "tcpdump did not record the end marker"
stop_capture
strip_marker "$OUT"
trap - EXIT
cp "$SSLKEYLOGFILE" "$OUT.keylog" 2>/dev/null || : >"$OUT.keylog"
if [ -n "$SERVER_KEYLOG" ]; then
	# the proxy's client side only: its server side repeats the client's secrets
	tail -n +"$((skip_lines + 1))" "$SERVER_KEYLOG" | grep -vxFf "$OUT.keylog" >>"$OUT.keylog" ||
		true
fi
# shellcheck disable=SC2086
set -- $RESULT
echo "scenario $NAME status=${1:-000} connects=${2:-0} curl_rc=$RC"
