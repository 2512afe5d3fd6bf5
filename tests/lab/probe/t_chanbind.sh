#!/bin/sh
# Channel binding (Extended Protection for Authentication) against the lab's EPA site: iisish
# over TLS passing the tls-server-end-point binding of its certificate (RFC 5929 §4.1) to
# gss_accept_sec_context and refusing, as IIS with Extended Protection "Require", a context
# that completes without one.  negprobe sends the binding, as browsers do, for Kerberos and
# for NTLM (gss-ntlmssp's MsvAvChannelBindings); --no-channel-binding shows what a client
# without it gets.  curl 7.88 (which sends none) is the real-client reference.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
need_tool openssl
need_tool curl
need_tool xmllint libxml2-utils
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc chanbind
J=$LABDIR/cb.jsonl
CRM_PEM=$LABDIR/ca/crm.pem
FP=$(openssl x509 -in "$CRM_PEM" -noout -fingerprint -sha256 | sed 's/^.*=//')
EPALOG=$LABDIR/iis/epa.log

run() { np --json --cacert "$LAB_CA" "$@" >"$J" 2>"$LABDIR/cb.err"; echo $?; }

# Kerberos, with the binding: signed in
check "kerberos with binding -> 0" eq "$(run --expect kerberos --expect mutual "$LAB_URL_EPA")" 0
check "... authenticated with Kerberos" eq "$(jqr "$J" '"\(.authenticated) \(.mech)"')" \
	"true kerberos"
check "... binding sent over the crm certificate" eq \
	"$(jqr "$J" '"\(.channel_binding.sent) \(.channel_binding.hash) \(.channel_binding.certificate_sha256)"')" \
	"true sha256 $FP"
check "... no channel-binding finding" sh -c "! jq -e 'select(.id==\"channel-binding-required\")' '$J' >/dev/null"

# Kerberos, without: refused as IIS refuses it, and said so
check "kerberos without binding -> 1" eq "$(run --no-channel-binding "$LAB_URL_EPA")" 1
check "... not authenticated, final 401" eq "$(jqr "$J" '"\(.authenticated) \(.status)"')" \
	"false 401"
check "... binding withheld, certificate still named" eq \
	"$(jqr "$J" '"\(.channel_binding.sent) \(.channel_binding.withheld) \(.channel_binding.certificate_sha256)"')" \
	"false true $FP"
check "... channel-binding-required" has_id "$J" channel-binding-required
check "... over the server's refusal" eq "$(finding_field "$J" channel-binding-required \
	refused_by)" kerberos-rejected
check "... the server refused for the missing binding (its log)" \
	grep -q "Negotiate context without channel binding refused" "$EPALOG"

# NTLM (raw NTLMSSP, the binding in MsvAvChannelBindings)
NTLM_USER_FILE=$LAB_NTLM_USER_FILE
export NTLM_USER_FILE
check "ntlm with binding -> authenticated" eq \
	"$(run --mech ntlm --expect ntlm "$LAB_URL_EPA"; jqr "$J" '"\(.authenticated) \(.mech) \(.channel_binding.sent)"')" \
	"0
true ntlm true"
check "ntlm without binding -> 1" eq "$(run --mech ntlm --no-channel-binding "$LAB_URL_EPA")" 1
check "... channel-binding-required over ntlm-rejected" eq \
	"$(finding_field "$J" channel-binding-required refused_by)" ntlm-rejected
unset NTLM_USER_FILE

# A site without Extended Protection lets the unbound client in: no finding from the flag
check "Apache HTTPS without binding -> 0" eq \
	"$(run --no-channel-binding --expect kerberos "$LAB_URL_HTTPS_KERBEROS_OK")" 0
check "... no channel-binding finding" sh -c "! jq -e 'select(.id==\"channel-binding-required\")' '$J' >/dev/null"
check "plain HTTP: channel_binding null" eq \
	"$(run "$LAB_URL_KERBEROS_OK" >/dev/null; jqr "$J" '.channel_binding')" null

# Every output says whether a binding went out and over which certificate
T=$LABDIR/cb.txt
np --cacert "$LAB_CA" --junit "$LABDIR/cb.xml" --html "$LABDIR/cb.html" "$LAB_URL_EPA" >"$T" 2>&1
check "text: binding sent, fingerprint" grep -q "channel binding sent, tls-server-end-point sha256 .*$FP" "$T"
check "junit: valid XML with the binding property" sh -c \
	"xmllint --noout '$LABDIR/cb.xml' && grep -q 'property name=\"channel_binding\" value=\"sent, .*$FP' '$LABDIR/cb.xml'"
check "html: binding named" grep -q "channel binding sent, .*$FP" "$LABDIR/cb.html"
np --cacert "$LAB_CA" --no-channel-binding "$LAB_URL_EPA" >"$T" 2>&1
check "text without: not sent, finding shown" sh -c \
	"grep -q 'channel binding not sent (--no-channel-binding)' '$T' && grep -q channel-binding-required '$T'"

# curl 7.88 sends no channel binding: the real client the EPA site refuses, while the same
# curl signs in on the site without Extended Protection
# shellcheck disable=SC2086
check "curl (no binding) refused by the EPA site" eq "$(curl -s -o /dev/null -w '%{http_code}' \
	$LAB_CURL_RESOLVE --cacert "$LAB_CA" --negotiate -u : "$LAB_URL_EPA")" 401
# shellcheck disable=SC2086
check "curl signs in without EPA" eq "$(curl -s -o /dev/null -w '%{http_code}' \
	$LAB_CURL_RESOLVE --cacert "$LAB_CA" --negotiate -u : "$LAB_URL_HTTPS_KERBEROS_OK")" 200
lab_done
