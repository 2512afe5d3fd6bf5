#!/bin/sh
# Runs one AD lab scenario with curl while tcpdump records it on lo.
#
# usage: ad-scenario.sh ADDIR NAME OUTPCAP
#        ad-scenario.sh --list
# ADDIR is a running AD lab (tests/lab/ad/ad.sh start ADDIR). The capture holds the KDC's
# traffic (127.0.0.2 port 88) and the lab's HTTP port 5575. Each scenario starts from a fresh
# ccache with alice's TGT (kinit before the capture, as a logged-on user), except the logon
# scenarios (ad-account-locked, ad-password-expired), whose failed kinit is on the wire.
# Prints "scenario NAME status=HTTP-CODE connects=N curl_rc=RC"; curl's trace is
# OUTPCAP.curl.log, the krb5 trace OUTPCAP.krb5.log.
# Exit status: 0 when the scenario ran (whatever its HTTP outcome), 1 when it could not run.
set -eu

SCENARIOS="ad-kerberos-ok ad-duplicate-spn ad-stale-keytab ad-wrong-key ad-delegation-ok
ad-account-locked ad-password-expired"

AD_SRC=$(cd "$(dirname "$0")" && pwd)
. "$AD_SRC/../../testenv.sh"
die() { echo "ad-scenario.sh: $*" >&2; exit 1; }

if [ "${1:-}" = "--list" ]; then
	# shellcheck disable=SC2086 # one line
	echo $SCENARIOS
	exit 0
fi
[ $# -eq 3 ] || die "usage: ad-scenario.sh ADDIR NAME OUTPCAP (ad-scenario.sh --list)"
ADDIR=$1
NAME=$2
OUT=$3
[ -r "$ADDIR/ad.env" ] || die "no AD lab in $ADDIR (run tests/lab/ad/ad.sh start $ADDIR)"
# shellcheck disable=SC1091
. "$ADDIR/ad.env"
# shellcheck disable=SC2086,SC2116 # the list on one line
case " $(echo $SCENARIOS) " in *" $NAME "*) ;; *) die "unknown scenario $NAME" ;; esac
command -v tcpdump >/dev/null 2>&1 || die "tcpdump missing: run .ci/install-deps"

WORK=$AD_DIR/scenarios/$NAME
rm -rf "$WORK"
mkdir -p "$WORK"
export KRB5CCNAME="FILE:$WORK/ccache"
export KRB5_TRACE="$OUT.krb5.log"
rm -f "$OUT" "$OUT.curl.log" "$OUT.krb5.log"

URL=$AD_URL_CRM
EXTRA=""
NEED_TGT=1
LOGON="" # user:want — one kinit with the user's right password inside the capture
case "$NAME" in
ad-kerberos-ok) ;;
ad-duplicate-spn) URL=$AD_URL_INTRANET ;;
ad-stale-keytab) URL=$AD_URL_STALE ;;
ad-wrong-key) URL=$AD_URL_WEB01 ;;
ad-delegation-ok)
	URL=$AD_URL_DELEG
	EXTRA="--delegation policy"
	;;
ad-account-locked)
	# carol was locked out by ad.sh start (3 wrong passwords): the right one is refused
	NEED_TGT=0
	LOGON="$AD_LOCKED_USER:revoked"
	;;
ad-password-expired)
	NEED_TGT=0
	LOGON="$AD_EXPIRED_USER:expired"
	;;
esac

if [ "$NEED_TGT" = 1 ]; then
	printf '%s\n' "$AD_PASSWORD" | KRB5_TRACE=/dev/null kinit "$AD_PRINCIPAL" \
		>"$WORK/kinit.log" 2>&1 || die "kinit failed: $(cat "$WORK/kinit.log")"
else
	KRB5CCNAME="FILE:$WORK/no-such-ccache"
fi

FILTER="(host $AD_ADDR and (port 88 or tcp port $AD_HTTP_PORT)) or icmp or tcp port 9"
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

if [ -n "$LOGON" ]; then
	user=${LOGON%%:*}
	want=${LOGON#*:}
	# the user's right password; the DC refuses it (locked out / password expired)
	if printf '%s\n' "$AD_PASSWORD" | kinit "$user@$AD_REALM" >"$WORK/kinit-$user.log" 2>&1; then
		die "kinit $user succeeded; expected it to fail ($want)"
	fi
	case "$want:$(cat "$WORK/kinit-$user.log")" in
	revoked:*revoked* | expired:*"Password expired"*) ;;
	*) die "kinit $user: want '$want', got: $(cat "$WORK/kinit-$user.log")" ;;
	esac
fi

set +e
# shellcheck disable=SC2086
RESULT=$(curl -sS -v --max-time 20 -o "$WORK/body" -w '%{http_code} %{num_connects}' \
	--anyauth -u : $EXTRA $AD_CURL_RESOLVE "$URL" 2>"$OUT.curl.log")
RC=$?
set -e
end_marker "$OUT" || die "tcpdump did not record the end marker"
stop_capture
strip_marker "$OUT"
trap - EXIT
# shellcheck disable=SC2086
set -- $RESULT
echo "scenario $NAME status=${1:-000} connects=${2:-0} curl_rc=$RC"
