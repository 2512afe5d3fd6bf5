#!/bin/sh
# Runs one lab scenario with curl while tcpdump records it on lo.
#
# usage: scenario.sh LABDIR NAME OUTPCAP
#        scenario.sh --list
# LABDIR is a running lab (tests/lab/lab.sh start LABDIR). The capture holds the client's
# KDC traffic (port 88, and ICMP for an unreachable KDC) and the scenario's HTTP port only.
# Each scenario starts from a fresh ccache with alice's TGT (kinit before the capture, as a
# logged-on user has), so the TGS-REQ for the service is on the wire; except the logon
# scenarios (wrong-password, account-locked), whose failed kinits are on the wire instead.
# Prints one line: "scenario NAME status=HTTP-CODE connects=N curl_rc=RC"; curl's trace is
# OUTPCAP.curl.log and the krb5 trace OUTPCAP.krb5.log (KRB5_TRACE) for a person to read.
# Exit status: 0 when the scenario ran (whatever its HTTP outcome), 1 when it could not run.
set -eu

SCENARIOS="kerberos-ok kerberos-tcp spn-port-mismatch spn-port-mismatch-ntlm stale-keytab
wrong-key keepalive-off keepalive-off-ntlm ntlm-fallback ntlm-only delegation-ok delegation-not-trusted
https-kerberos-ok kdc-down clock-skew iis-kerberos-ok iis-ap-err-modified
wrong-password account-locked"

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SRC/../testenv.sh"
die() { echo "scenario.sh: $*" >&2; exit 1; }

if [ "${1:-}" = "--list" ]; then
	# shellcheck disable=SC2086 # one line
	echo $SCENARIOS
	exit 0
fi
[ $# -eq 3 ] || die "usage: scenario.sh LABDIR NAME OUTPCAP (scenario.sh --list)"
LABDIR=$1
NAME=$2
OUT=$3
[ -r "$LABDIR/lab.env" ] || die "no lab in $LABDIR (run tests/lab/lab.sh start $LABDIR)"
# shellcheck disable=SC1091
. "$LABDIR/lab.env"
# shellcheck disable=SC2086,SC2116 # the list on one line
case " $(echo $SCENARIOS) " in *" $NAME "*) ;; *) die "unknown scenario $NAME" ;; esac
command -v tcpdump >/dev/null 2>&1 || die "tcpdump missing: run .ci/install-deps"

WORK=$LAB_DIR/scenarios/$NAME
rm -rf "$WORK"
mkdir -p "$WORK"
CC_FILE=$WORK/ccache
export KRB5CCNAME="FILE:$CC_FILE"
export KRB5_TRACE="$OUT.krb5.log"
unset NTLM_USER_FILE NTLMUSER SSLKEYLOGFILE || true
rm -f "$OUT" "$OUT.curl.log" "$OUT.krb5.log" "$OUT.keylog"

kinit_user() {
	printf '%s\n' "$LAB_PASSWORD" | KRB5_TRACE=/dev/null kinit "$LAB_PRINCIPAL" \
		>"$WORK/kinit.log" 2>&1 || die "kinit failed: $(cat "$WORK/kinit.log")"
}

# Defaults; each scenario below changes what it needs.
URL=$LAB_HTTP_URL
PORT=$LAB_HTTP_PORT
AUTH="--anyauth -u :" # the browser's flow: 401 first, then Negotiate from the ccache
EXTRA=""
NEED_TGT=1
KDC_DOWN=0
LOGONS="" # kinit attempts inside the capture, before curl: user:right|wrong:expected-error
case "$NAME" in
kerberos-ok) ;;
delegation-not-trusted)
	# delegate only where the KDC says ok-as-delegate (as Windows); HTTP/crm has no flag
	EXTRA="--delegation policy"
	;;
kerberos-tcp)
	sed 's/^\[libdefaults\]$/[libdefaults]\n\tudp_preference_limit = 1/' "$KRB5_CONFIG" \
		>"$WORK/krb5.conf"
	export KRB5_CONFIG="$WORK/krb5.conf"
	;;
spn-port-mismatch) URL=$LAB_URL_SPN_PORT_MISMATCH ;;
spn-port-mismatch-ntlm)
	# the seed's case end to end: no ticket for HTTP/sales..., SPNEGO falls back to NTLM
	URL=$LAB_URL_SPN_PORT_MISMATCH
	export NTLM_USER_FILE="$LAB_NTLM_USER_FILE"
	;;
stale-keytab) URL=$LAB_URL_STALE_KEYTAB ;;
wrong-key) URL=$LAB_URL_WRONG_KEY ;;
keepalive-off)
	URL=$LAB_URL_KEEPALIVE_OFF
	PORT=$LAB_NOKA_PORT
	;;
keepalive-off-ntlm)
	# NTLM (no ticket) to the keep-alive-off site: every leg lands on a new connection,
	# so the CHALLENGE's context is lost and the client starts over; curl would retry 50
	# times, --max-redirs 3 stops it after three tries, as a browser prompts three times
	URL=$LAB_URL_KEEPALIVE_OFF_NTLM
	PORT=$LAB_NOKA_PORT
	NEED_TGT=0
	export NTLM_USER_FILE="$LAB_NTLM_USER_FILE"
	EXTRA="--max-redirs 3"
	;;
ntlm-fallback)
	# no Kerberos ticket at all, NTLM credentials for gss-ntlmssp: SPNEGO carries NTLMSSP
	NEED_TGT=0
	export NTLM_USER_FILE="$LAB_NTLM_USER_FILE"
	;;
ntlm-only)
	# the server offers only NTLM; curl's own NTLM with the user's password
	URL=$LAB_URL_NTLM_ONLY
	PORT=$LAB_NTLMONLY_PORT
	NEED_TGT=0
	printf 'user = "%s\\\\%s:%s"\n' "$LAB_NTLM_DOMAIN" "$LAB_USER" "$LAB_PASSWORD" >"$WORK/curlrc"
	AUTH="--anyauth -K $WORK/curlrc"
	;;
delegation-ok)
	URL=$LAB_URL_DELEGATION_OK
	EXTRA="--delegation policy"
	;;
https-kerberos-ok)
	URL=$LAB_URL_HTTPS_KERBEROS_OK
	PORT=$LAB_HTTPS_PORT
	EXTRA="--cacert $LAB_CA"
	export SSLKEYLOGFILE="$OUT.keylog"
	;;
kdc-down) KDC_DOWN=1 ;;
clock-skew) ;;
iis-kerberos-ok)
	URL=$LAB_URL_IIS_KERBEROS_OK
	PORT=$LAB_IIS_PORT
	;;
iis-ap-err-modified)
	URL=$LAB_URL_IIS_AP_ERR_MODIFIED
	PORT=$LAB_IIS_PORT
	;;
wrong-password)
	# the user's logon fails (an old password): no TGT, so the browser has no ticket
	URL=$LAB_URL_WRONG_PASSWORD
	NEED_TGT=0
	LOGONS="$LAB_USER:wrong:incorrect"
	;;
account-locked)
	# the lockout policy's threshold of wrong passwords, then the right one: locked out
	URL=$LAB_URL_ACCOUNT_LOCKED
	NEED_TGT=0
	"$LAB_SRC/lab.sh" reset-lockout "$LAB_DIR" || die "could not reset $LAB_LOCKOUT_USER"
	i=0
	while [ "$i" -lt "$LAB_LOCKOUT_MAXFAILURE" ]; do
		LOGONS="$LOGONS $LAB_LOCKOUT_USER:wrong:incorrect"
		i=$((i + 1))
	done
	LOGONS="$LOGONS $LAB_LOCKOUT_USER:right:revoked"
	;;
esac

# One kinit that must fail as expected: "incorrect" (KDC_ERR_PREAUTH_FAILED, kinit says
# "Password incorrect") or "revoked" (KDC_ERR_CLIENT_REVOKED, "credentials have been
# revoked"). The wrong password is an old one of the user's, the usual cause.
logon_attempt() { # user right|wrong incorrect|revoked
	pw=$LAB_PASSWORD
	[ "$2" = wrong ] && pw=$LAB_WRONG_PASSWORD
	log=$WORK/kinit-$1.log
	if printf '%s\n' "$pw" | kinit "$1@$LAB_REALM" >"$log" 2>&1; then
		die "kinit $1 with the $2 password succeeded; expected it to fail ($3)"
	fi
	grep -q "$3" "$log" || die "kinit $1 with the $2 password: want '$3', got: $(cat "$log")"
}

if [ "$NEED_TGT" = 1 ]; then
	kinit_user
else
	KRB5CCNAME="FILE:$WORK/no-such-ccache"
fi
if [ "$NAME" = clock-skew ]; then
	# The user's clock runs 10 minutes fast: MIT keeps a KDC time offset in the ccache
	# header (kdc_timesync); setting it makes the client stamp its TGS-REQ authenticator
	# 600 s ahead, and the real KDC answers KRB_AP_ERR_SKEW.
	"$LAB_SRC/ccache-offset.sh" "$CC_FILE" 600 || die "could not set the ccache time offset"
fi
if [ "$KDC_DOWN" = 1 ]; then
	"$LAB_SRC/lab.sh" kdc-stop "$LAB_DIR"
fi

# tcp port 9: the end marker (see below), removed from the capture afterwards.
FILTER="port $LAB_KDC_PORT or icmp or tcp port $PORT or tcp port 9"
tcpdump -i lo -s 0 -U --immediate-mode -Z root -n -w "$OUT" "$FILTER" >"$WORK/tcpdump.log" 2>&1 &
TCPDUMP=$!
stop_capture() {
	if kill -0 "$TCPDUMP" 2>/dev/null; then
		kill -INT "$TCPDUMP" 2>/dev/null || true
		wait "$TCPDUMP" 2>/dev/null || true
	fi
}
restore() {
	stop_capture
	if [ "$KDC_DOWN" = 1 ]; then
		env -u KRB5_TRACE LAB_QUIET=1 "$LAB_SRC/lab.sh" kdc-start "$LAB_DIR" || true
	fi
}
trap restore EXIT
wait_for 60 "tcpdump listening" grep "listening on" "$WORK/tcpdump.log" ||
	die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"

for l in $LOGONS; do
	# shellcheck disable=SC2046 # user:password:want, split on purpose
	logon_attempt $(echo "$l" | tr ':' ' ')
done

set +e
# shellcheck disable=SC2086
RESULT=$(curl -sS -v --max-time 20 -o "$WORK/body" -w '%{http_code} %{num_connects}' \
	$AUTH $EXTRA $LAB_CURL_RESOLVE "$URL" 2>"$OUT.curl.log")
RC=$?
set -e
# The last FIN/ACKs must reach the file before tcpdump stops, and on a loaded machine it can
# be seconds behind: end on a marker (tests/testenv.sh).
end_marker "$OUT" || die "tcpdump did not record the end marker"
stop_capture
strip_marker "$OUT"
trap - EXIT
restore
# shellcheck disable=SC2086
set -- $RESULT
echo "scenario $NAME status=${1:-000} connects=${2:-0} curl_rc=$RC"
