#!/bin/sh
# negprobe -u in the forms a browser's prompt takes: DOMAIN\user and user@domain are imported
# per mechanism (Kerberos user@REALM, gss-ntlmssp DOMAIN\user), so SPNEGO falls back to NTLM
# where Kerberos cannot work (issue 16 defect 8), and one run is one Kerberos logon.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
password_only probe-user

run() { # name user url [args]: JSON lines into $OUT/name.jsonl, exit status into $OUT/name.rc
	n=$1 u=$2 url=$3
	shift 3
	NEGPROBE_PASSWORD=$LAB_PASSWORD np --json -u "$u" "$@" "$url" >"$OUT/$n.jsonl" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	echo "--- $n: exit $(cat "$OUT/$n.rc"), findings: $(ids "$OUT/$n.jsonl")"
}
tgts_issued() { # AS exchanges the KDC answered with a TGT for alice so far
	grep -c "AS_REQ.*ISSUE.*$LAB_PRINCIPAL for krbtgt" "$LABDIR/kdc/kdc.log"
}
leg_ntlm() { # file: "scheme ntlm_type DOMAIN\user spnego" of the NTLM AUTHENTICATE leg
	jq -r 'select(.type=="leg" and .request.token.ntlm_type==3) |
		"\(.request.authorization) \(.request.token.spnego) \(.request.token.ntlm_domain)\\\(.request.token.ntlm_user)"' "$1"
}

# Negotiate where only NTLM can work (no SPN for this name): SPNEGO falls back to NTLM
DOMUSER="$LAB_NTLM_DOMAIN\\$LAB_USER"
run domain-ntlm "$DOMUSER" "$LAB_URL_SPN_PORT_MISMATCH_NTLM"
f=$OUT/domain-ntlm.jsonl
check "DOMAIN\\user, Kerberos impossible: authenticated with NTLM" eq \
	"$(jqr "$f" '"\(.mech) \(.authenticated) \(.status)"')" "ntlm true 200"
check "DOMAIN\\user: NTLM AUTHENTICATE inside SPNEGO as $DOMUSER" eq "$(leg_ntlm "$f")" \
	"Negotiate true $DOMUSER"
check "DOMAIN\\user: ntlm-fallback explained by spn-unknown, no gss-error" eq "$(ids "$f")" \
	"ntlm-fallback ntlm-ok spn-unknown"

# the same name where Kerberos works: Kerberos as alice@REALM, from one AS exchange
before=$(tgts_issued)
run domain-krb "$DOMUSER" "$LAB_URL_KERBEROS_OK"
check "DOMAIN\\user, Kerberos possible: authenticated with Kerberos" eq \
	"$(jqr "$OUT/domain-krb.jsonl" '"\(.mech) \(.authenticated) \(.ok)"')" "kerberos true true"
check "DOMAIN\\user: one TGT issued for the whole run" eq "$(($(tgts_issued) - before))" 1

# user@domain (lower case): the realm is the domain in upper case
run upn "$LAB_USER@$(echo "$LAB_REALM" | tr 'A-Z' 'a-z')" "$LAB_URL_KERBEROS_OK"
check "user@domain: authenticated with Kerberos" eq \
	"$(jqr "$OUT/upn.jsonl" '"\(.mech) \(.authenticated) \(.ok)"')" "kerberos true true"

# --mech ntlm against the Negotiate server: NTLM alone, the domain kept
run domain-mech-ntlm "$DOMUSER" "$LAB_URL_NTLM_FALLBACK" --mech ntlm
check "DOMAIN\\user --mech ntlm: NTLM AUTHENTICATE as $DOMUSER" eq \
	"$(leg_ntlm "$OUT/domain-mech-ntlm.jsonl")" "Negotiate true $DOMUSER"
check "DOMAIN\\user --mech ntlm: authenticated" eq \
	"$(jqr "$OUT/domain-mech-ntlm.jsonl" '"\(.mech) \(.authenticated)"')" "ntlm true"
no_password() { ! grep -qF -- "$LAB_PASSWORD" "$OUT"/*.jsonl "$OUT"/*.err; }
check "the password is in no output" no_password
lab_done
