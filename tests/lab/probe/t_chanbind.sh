#!/bin/sh
# Channel binding (Extended Protection for Authentication) against the lab's EPA site: iisish
# over TLS passing the tls-server-end-point binding of its certificate (RFC 5929 §4.1) to
# gss_accept_sec_context and refusing, as IIS with Extended Protection "Require", a context
# that completes without one.  negprobe sends the binding, as browsers do, for Kerberos and
# for NTLM (gss-ntlmssp's MsvAvChannelBindings); --no-channel-binding shows what a client
# without it gets.  curl 7.88 (which sends none) is the real-client reference.
# Behind the lab's TLS-terminating proxy (5446 /epa/ -> the EPA site) the binding is over the
# proxy's certificate: negprobe reports channel-binding-refused, and negcap, reading the
# recorded proxy-to-site leg with the proxy's key log, channel-binding-mismatch (issue 13).
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

# Behind a TLS-terminating proxy (IIS <extendedProtection> behind a load balancer): the lab
# proxy (its own certificate) forwards /epa/ over TLS to the EPA site.  negprobe's NTLM
# binding is over the proxy's certificate, the EPA site checks it against its own and
# refuses.  tcpdump records both legs; negprobe's key log opens the client's, the lab
# Apache's (mod_ssl's SSLKEYLOGFILE) the proxy's own leg to the back end, where negcap must
# name the mismatch on the AUTHENTICATE's frame.
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
P=$LABDIR/cbproxy.pcap
K=$LABDIR/cbproxy.keylog
PROXY_FP=$(openssl x509 -in "$LAB_PROXY_CERT" -noout -fingerprint -sha256 | sed 's/^.*=//')
epa_lines=$(wc -l <"$EPALOG")
skip_lines=0
[ -e "$LAB_HTTPD_KEYLOG" ] && skip_lines=$(wc -l <"$LAB_HTTPD_KEYLOG")
record_lo "$P" "tcp port $LAB_TLSPROXY_PORT or tcp port $LAB_EPA_PORT" ||
	fail "tcpdump did not start"
NTLM_USER_FILE=$LAB_NTLM_USER_FILE
export NTLM_USER_FILE
check "ntlm with binding through the proxy -> 1" eq \
	"$(run --mech ntlm --keylog "$K" "$LAB_URL_EPA_PROXY")" 1
unset NTLM_USER_FILE
# the proxy keeps its back-end connection pooled until its child exits: a graceful restart
# ends the children, so the recording ends on the connections' FINs
kill -USR1 "$(cat "$LAB_HTTPD_PIDFILE")"
record_lo_end "$P" || fail "tcpdump did not record the end marker"
# the proxy's client side: the lines its server side added repeat negprobe's secrets
tail -n +"$((skip_lines + 1))" "$LAB_HTTPD_KEYLOG" | grep -vxFf "$K" >"$K.proxy" || true
check "... binding sent over the proxy's certificate" eq \
	"$(jqr "$J" '"\(.channel_binding.sent) \(.channel_binding.certificate_sha256)"')" \
	"true $PROXY_FP"
check "... the back end's GSS-API refused the AUTHENTICATE (its log)" sh -c \
	"tail -n +$((epa_lines + 1)) '$EPALOG' | grep -q '^iisish: accept: major '"
check "... channel-binding-refused over ntlm-rejected" eq \
	"$(finding_field "$J" channel-binding-refused refused_by)" ntlm-rejected
check "... naming the proxy's certificate" eq \
	"$(finding_field "$J" channel-binding-refused certificate_sha256)" "$PROXY_FP"
check "... in its detail" sh -c \
	"jq -r 'select(.id==\"channel-binding-refused\") | .detail' '$J' | grep -qF '$PROXY_FP'"
check "... not channel-binding-required" sh -c \
	"! jq -e 'select(.id==\"channel-binding-required\")' '$J' >/dev/null"
N=$LABDIR/cbproxy.negcap
"$NEGCAP" -r "$P" --keylog="$K" --keylog="$K.proxy" --json --events >"$N" 2>"$N.err"
# tshark, the oracle: the NTLM AUTHENTICATE (type 3) the proxy sent the back end
auth=$(tshark -n -r "$P" -o "tls.keylog_file:$K.proxy" -d "tcp.port==$LAB_EPA_PORT,tls" \
	-Y "tcp.dstport == $LAB_EPA_PORT and ntlmssp.messagetype == 0x00000003" \
	-T fields -e frame.number 2>/dev/null)
check "tshark: one AUTHENTICATE on the back-end leg" [ "$(echo "$auth" | grep -c .)" -eq 1 ]
mm='select(.type == "finding" and .id == "channel-binding-mismatch")'
check "negcap: channel-binding-mismatch on that frame, the back end's" eq \
	"$(jq -r "$mm | \"\\(.frames) \\(.server)\"" "$N")" "[$auth] 127.0.0.1:$LAB_EPA_PORT"
check "... over the back end's certificate, not the proxy's" eq \
	"$(jq -r "$mm | .cert_subject" "$N")" "$(openssl x509 -in "$CRM_PEM" -noout -subject \
	-nameopt RFC2253 | sed 's/^subject=//')"
check "... the detail names the frame" sh -c \
	"jq -r '$mm | .detail' '$N' | grep -q 'AUTHENTICATE (frame $auth) over TLS 1.2'"
check "... the advice: the proxy's extendedProtection settings" sh -c \
	"jq -r '$mm | .advice[]' '$N' | grep -q \"flags='Proxy'\""
check "... both legs decrypted" eq \
	"$(jq -r 'select(.type == "summary") | .tls.decrypted_connections' "$N")" 2
check "... no mismatch on the client's leg (the proxy's certificate)" eq \
	"$(jq -s "[.[] | $mm] | length" "$N")" 1
# Kerberos through the proxy: the authenticator's binding (RFC 4121 §4.1.1.2) is refused
# the same way, with no Kerberos error to say why (after the capture: the proxy's pooled
# back-end connection would otherwise hide the next handshake from the recording)
fresh_cc chanbind-proxy
check "kerberos with binding through the proxy -> 1" eq "$(run "$LAB_URL_EPA_PROXY")" 1
check "... channel-binding-refused over kerberos-rejected" eq \
	"$(finding_field "$J" channel-binding-refused refused_by)" kerberos-rejected
lab_done
