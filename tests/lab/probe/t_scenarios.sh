#!/bin/sh
# negprobe against every lab scenario: the outcome (mech, status, mutual, delegation,
# connections) and the finding ids each one must produce, from --json.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
OUT=$LABDIR/probe-out
mkdir -p "$OUT"

run() { # name args... : JSON lines into $OUT/name.jsonl, exit status into $OUT/name.rc
	n=$1
	shift
	np --json "$@" >"$OUT/$n.jsonl" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	echo "--- $n: exit $(cat "$OUT/$n.rc"), findings: $(ids "$OUT/$n.jsonl")"
}
rc() { cat "$OUT/$1.rc"; }

# kerberos-ok: the browser's flow, mutual authentication verified
fresh_cc ok
run kerberos-ok "$LAB_URL_KERBEROS_OK"
f=$OUT/kerberos-ok.jsonl
check "kerberos-ok: exit 0" eq "$(rc kerberos-ok)" 0
check "kerberos-ok: mech kerberos, 200" eq "$(jqr "$f" '.mech + " " + (.status|tostring)')" "kerberos 200"
check "kerberos-ok: mutual verified" eq "$(jqr "$f" .mutual)" true
check "kerberos-ok: 2 legs on 1 connection" eq "$(jqr "$f" '"\(.legs) \(.connections)"')" "2 1"
check "kerberos-ok: finding kerberos-ok only" eq "$(ids "$f")" "kerberos-ok"
check "kerberos-ok: AP-REQ for the SPN in leg 2" eq \
	"$(jq -r 'select(.type=="leg" and .leg==2) | .request.token.krb_msg + " " + .request.token.sname' "$f")" \
	"AP-REQ HTTP/crm.example.test"
check "kerberos-ok: AP-REP in the 200" eq \
	"$(jq -r 'select(.type=="leg" and .leg==2) | .token_received.krb_msg' "$f")" "AP-REP"

# unknown SPN: only HTTP/sales.example.test:5555 is registered
fresh_cc spn
run spn-unknown "$LAB_URL_SPN_PORT_MISMATCH"
f=$OUT/spn-unknown.jsonl
check "spn-unknown: exit 1" eq "$(rc spn-unknown)" 1
check "spn-unknown: finding spn-unknown" has_id "$f" spn-unknown
check "spn-unknown: error 7 for HTTP/sales.example.test" eq \
	"$(finding_field "$f" spn-unknown error_code) $(finding_field "$f" spn-unknown spn)" \
	"7 HTTP/sales.example.test"
check "spn-unknown: status 401, not authenticated" eq "$(jqr "$f" '"\(.status) \(.authenticated)"')" "401 false"

# KRB_AP_ERR_MODIFIED and kin: Apache (MIT acceptor) and iisish (Windows-like token)
fresh_cc stale
run stale-keytab "$LAB_URL_STALE_KEYTAB"
check "stale-keytab: krb-ap-err-modified, BADKEYVER (44)" eq \
	"$(finding_field "$OUT/stale-keytab.jsonl" krb-ap-err-modified error_code)" 44
fresh_cc wrongkey
run wrong-key "$LAB_URL_WRONG_KEY"
check "wrong-key: krb-ap-err-modified, BAD_INTEGRITY (31)" eq \
	"$(finding_field "$OUT/wrong-key.jsonl" krb-ap-err-modified error_code)" 31
fresh_cc iis41
run iis-ap-err-modified "$LAB_URL_IIS_AP_ERR_MODIFIED"
f=$OUT/iis-ap-err-modified.jsonl
check "iis: krb-ap-err-modified, KRB_AP_ERR_MODIFIED (41) from the 401 token" eq \
	"$(finding_field "$f" krb-ap-err-modified error_name)" KRB_AP_ERR_MODIFIED
check "iis: the 401 token is a SPNEGO reject carrying KRB-ERROR 41" eq \
	"$(jq -r 'select(.type=="leg" and .leg==2) | "\(.token_received.neg_state) \(.token_received.error_code)"' "$f")" "2 41"
check "iis: exit 1" eq "$(rc iis-ap-err-modified)" 1

# keep-alive off: Kerberos works, but leg 2 needs a new connection
fresh_cc noka
run keepalive-off "$LAB_URL_KEEPALIVE_OFF"
f=$OUT/keepalive-off.jsonl
check "keepalive-off: keepalive-missing" has_id "$f" keepalive-missing
check "keepalive-off: 2 connections, keepalive false" eq "$(jqr "$f" '"\(.connections) \(.keepalive)"')" "2 false"
check "keepalive-off: leg 2 on a new connection" eq \
	"$(jq -r 'select(.type=="leg" and .leg==2) | .connection.new' "$f")" true
check "keepalive-off: the 401 said Connection: close" eq \
	"$(jq -r 'select(.type=="leg" and .leg==1) | .connection_header' "$f")" close
check "keepalive-off: exit 1 (an error finding)" eq "$(rc keepalive-off)" 1
check "keepalive-off: negcap's evidence, on leg 2" eq \
	"$(jq -r 'select(.type=="finding" and .id=="keepalive-missing") | "\(.leg) \(.closed_by)"' "$f")" \
	"2 Connection: close"

# NTLM fallback: no ticket at all, NTLM credentials for gss-ntlmssp
KRB5CCNAME=FILE:$LABDIR/no-such-ccache NTLM_USER_FILE=$LAB_NTLM_USER_FILE \
	run ntlm-fallback "$LAB_URL_NTLM_FALLBACK"
f=$OUT/ntlm-fallback.jsonl
check "ntlm-fallback: mech ntlm, authenticated" eq "$(jqr "$f" '"\(.mech) \(.authenticated)"')" "ntlm true"
check "ntlm-fallback: ntlm-fallback and no-credentials" eq "$(ids "$f")" "no-credentials ntlm-fallback ntlm-ok"
check "ntlm-fallback: NTLMSSP inside SPNEGO in leg 2" eq \
	"$(jq -r 'select(.type=="leg" and .leg==2) | "\(.request.token.spnego) \(.request.token.ntlm_type)"' "$f")" "true 1"
check "ntlm-fallback: 3 legs on one connection" eq "$(jqr "$f" '"\(.legs) \(.connections)"')" "3 1"

# the seed's case: a ticket, but no SPN without the port -> SPNEGO falls back, and why
fresh_cc spnntlm
NTLM_USER_FILE=$LAB_NTLM_USER_FILE run spn-ntlm "$LAB_URL_SPN_PORT_MISMATCH"
f=$OUT/spn-ntlm.jsonl
check "spn-port-mismatch-ntlm: ntlm-fallback explained by spn-unknown" eq "$(ids "$f")" \
	"ntlm-fallback ntlm-ok spn-unknown"

# NTLM-only server: the NTLM scheme with a password from the environment
KRB5CCNAME=FILE:$LABDIR/no-such-ccache NEGPROBE_PASSWORD=$LAB_PASSWORD \
	run ntlm-only -u "$LAB_NTLM_DOMAIN\\$LAB_USER" --expect ntlm "$LAB_URL_NTLM_ONLY"
f=$OUT/ntlm-only.jsonl
check "ntlm-only: negotiate-not-offered" has_id "$f" negotiate-not-offered
check "ntlm-only: NTLM scheme, AUTHENTICATE for EXAMPLE\\alice" eq \
	"$(jq -r 'select(.type=="leg" and .leg==3) | "\(.request.authorization) \(.request.token.ntlm_type) \(.request.token.ntlm_domain)\\\(.request.token.ntlm_user)"' "$f")" \
	"NTLM 3 EXAMPLE\\alice"
check "ntlm-only: --expect ntlm holds: exit 0, ok" eq "$(rc ntlm-only) $(jqr "$f" .ok)" "0 true"

# delegation: granted where the KDC marks ok-as-delegate, not trusted elsewhere
rm -rf "${LAB_DELEG_DIR:?}"/* 2>/dev/null
fresh_cc deleg
run delegation-ok --delegation policy --expect delegation "$LAB_URL_DELEGATION_OK"
f=$OUT/delegation-ok.jsonl
check "delegation-ok: granted, exit 0" eq "$(jqr "$f" .delegation) $(rc delegation-ok)" "granted 0"
check "delegation-ok: Apache stored the delegated credential" [ -n "$(ls -A "$LAB_DELEG_DIR" 2>/dev/null)" ]
fresh_cc nodeleg
run delegation-not-trusted --delegation policy "$LAB_URL_DELEGATION_NOT_TRUSTED"
f=$OUT/delegation-not-trusted.jsonl
check "delegation-not-trusted: not-trusted" eq "$(jqr "$f" .delegation)" not-trusted
check "delegation-not-trusted: finding, ok_as_delegate no" eq \
	"$(finding_field "$f" delegation-not-trusted ok_as_delegate)" no
check "delegation-not-trusted: still authenticated" eq "$(jqr "$f" .authenticated)" true

# HTTPS: the lab CA makes it work; without it the issuer is untrusted; a wrong name
fresh_cc https
run https-ok --cacert "$LAB_CA" --expect kerberos --expect mutual "$LAB_URL_HTTPS_KERBEROS_OK"
check "https: Kerberos over TLS with the lab CA, exit 0" eq "$(rc https-ok)" 0
run https-noca "$LAB_URL_HTTPS_KERBEROS_OK"
f=$OUT/https-noca.jsonl
check "https without the CA: tls-error untrusted-issuer" eq \
	"$(finding_field "$f" tls-error tls_failure)" untrusted-issuer
check "https without the CA: no HTTP status" eq "$(jqr "$f" .status)" null
check "https without the CA: advice for that kind first, then the catalog's" eq \
	"$(jq -r 'select(.type=="finding" and .id=="tls-error") | .advice | length > 1 and (.[0] | test("CA|issuer|--cacert"))' "$f")" true
run https-name --cacert "$LAB_CA" "https://$LAB_HOST_PORTSPN:$LAB_HTTPS_PORT/"
check "https by another name: tls-error name-mismatch" eq \
	"$(finding_field "$OUT/https-name.jsonl" tls-error tls_failure)" name-mismatch
run https-k -k "https://$LAB_HOST:$LAB_HTTPS_PORT/"
check "https -k: tls-insecure is reported" has_id "$OUT/https-k.jsonl" tls-insecure

# KDC down: a fresh ccache has only the TGT, so the TGS-REQ goes unanswered
fresh_cc kdcdown
"$LAB_SH" kdc-stop "$LABDIR"
run kdc-down "$LAB_URL_KDC_DOWN"
LAB_QUIET=1 "$LAB_SH" kdc-start "$LABDIR"
check "kdc-down: kdc-unreachable" has_id "$OUT/kdc-down.jsonl" kdc-unreachable

# clock skew: the ccache's KDC time offset makes the client 10 minutes fast
fresh_cc skew
"$NEGSCOPE_SRC_DIR/tests/lab/ccache-offset.sh" "$LABDIR/skew.ccache" 600
run clock-skew "$LAB_URL_KERBEROS_OK"
check "clock-skew: clock-skew, KRB_AP_ERR_SKEW" eq \
	"$(finding_field "$OUT/clock-skew.jsonl" clock-skew error_code)" 37

# no credentials at all, Kerberos only
KRB5CCNAME=FILE:$LABDIR/no-such-ccache run nocred --mech kerberos "$LAB_URL_KERBEROS_OK"
check "no ccache: no-credentials" eq "$(ids "$OUT/nocred.jsonl")" no-credentials

# nothing listens: connect-failed
fresh_cc refused
run refused "http://127.0.0.1:9/"
check "closed port: connect-failed, exit 1" eq "$(ids "$OUT/refused.jsonl") $(rc refused)" "connect-failed 1"

lab_done
