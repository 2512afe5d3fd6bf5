#!/bin/sh
# negprobe --browser chrome|edge|firefox and --auth-allowlist (issue 16): the SPN each
# preset builds on the port-SPN site (only HTTP/sales.example.test:5555 exists), a host
# outside the allowlist gets no Negotiate token (negotiate-not-allowed, exit 1), and an
# explicit flag overrides the preset.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
OUT=$LABDIR/browser
mkdir -p "$OUT"
URL=$LAB_URL_SPN_PORT_MISMATCH
tokens() { jq -r 'select(.type=="leg" and .request.token != null) | .n' "$1" | wc -l; }

# Chrome: no port in the SPN (EnableAuthNegotiatePort off), so the KDC has no such SPN.
fresh_cc chrome
np --json --browser chrome "$URL" >"$OUT/chrome.jsonl"
echo $? >"$OUT/chrome.rc"
f=$OUT/chrome.jsonl
check "chrome: asks HTTP/$LAB_HOST_PORTSPN, exit 1" eq \
	"$(jqr "$f" '"\(.spn) \(.exit)"')" "HTTP/$LAB_HOST_PORTSPN 1"
check "chrome: rc 1" eq "$(cat "$OUT/chrome.rc")" 1
check "chrome: spn-unknown" has_id "$f" spn-unknown
check "chrome: the SPN source names the preset" eq \
	"$(jqr "$f" '.spn_source | test("--browser chrome")')" true

# Edge takes Chrome's policies and defaults (Microsoft Edge browser policy documentation): the
# same SPN without the port, the same refusal, its own name in the SPN source.
fresh_cc edge
np --json --browser edge "$URL" >"$OUT/edge.jsonl"
echo $? >"$OUT/edge.rc"
f=$OUT/edge.jsonl
check "edge: asks HTTP/$LAB_HOST_PORTSPN, exit 1" eq \
	"$(cat "$OUT/edge.rc") $(jqr "$f" '"\(.spn) \(.exit)"')" "1 HTTP/$LAB_HOST_PORTSPN 1"
check "edge: spn-unknown" has_id "$f" spn-unknown
check "edge: the SPN source names the preset" eq \
	"$(jqr "$f" '.spn_source | test("--browser edge")')" true

# Firefox: trusted-uris empty by default, so no host gets Negotiate.
fresh_cc firefox
np --json --browser firefox "$URL" >"$OUT/firefox.jsonl"
echo $? >"$OUT/firefox.rc"
f=$OUT/firefox.jsonl
check "firefox, no allowlist: exit 1, negotiate-not-allowed" eq \
	"$(cat "$OUT/firefox.rc") $(ids "$f" | grep -o negotiate-not-allowed)" \
	"1 negotiate-not-allowed"
check "firefox, no allowlist: no token sent" eq "$(tokens "$f")" 0
check "firefox, no allowlist: the finding names the pref" eq \
	"$(finding_field "$f" negotiate-not-allowed policy)" network.negotiate-auth.trusted-uris

# Firefox with trusted-uris "example.test" (a suffix, as the pref matches): the URL host's
# SPN, no port, the same failure as Chrome.
fresh_cc firefox2
np --json --browser firefox --auth-allowlist example.test "$URL" >"$OUT/firefox2.jsonl"
f=$OUT/firefox2.jsonl
check "firefox, trusted-uris example.test: GSS asked for HTTP/$LAB_HOST_PORTSPN" eq \
	"$(jqr "$f" '"\(.spn) \(.exit)"')" "HTTP/$LAB_HOST_PORTSPN 1"
check "firefox, trusted-uris: spn-unknown, not negotiate-not-allowed" eq \
	"$(ids "$f" | grep -c negotiate-not-allowed) $(ids "$f" | grep -c spn-unknown)" "0 1"

# A flag overrides the preset: --spn-port with Chrome asks the port form, which works.
fresh_cc chrome_port
np --json --browser chrome --spn-port --expect kerberos "$URL" >"$OUT/chrome_port.jsonl"
echo $? >"$OUT/chrome_port.rc"
f=$OUT/chrome_port.jsonl
check "chrome --spn-port: HTTP/$LAB_HOST_PORTSPN:$LAB_HTTP_PORT, exit 0" eq \
	"$(cat "$OUT/chrome_port.rc") $(jqr "$f" '"\(.spn) \(.mech)"')" \
	"0 HTTP/$LAB_HOST_PORTSPN:$LAB_HTTP_PORT kerberos"

# AuthServerAllowlist '*.other.test': sales.example.test is outside it.
fresh_cc outside
np --json --browser chrome --auth-allowlist '*.other.test' "$URL" >"$OUT/outside.jsonl"
echo $? >"$OUT/outside.rc"
f=$OUT/outside.jsonl
check "allowlist *.other.test: rc 1, result exit 1" eq \
	"$(cat "$OUT/outside.rc") $(jqr "$f" .exit)" "1 1"
check "allowlist *.other.test: one leg, no Authorization sent" eq \
	"$(jq -r 'select(.type=="leg") | .n' "$f" | wc -l) $(tokens "$f")" "1 0"
check "allowlist *.other.test: negotiate-not-allowed with its evidence" eq \
	"$(finding_field "$f" negotiate-not-allowed host) $(finding_field "$f" negotiate-not-allowed allowlist) $(finding_field "$f" negotiate-not-allowed policy)" \
	"$LAB_HOST_PORTSPN:$LAB_HTTP_PORT *.other.test AuthServerAllowlist"
check "allowlist *.other.test: no GSS finding (nothing was tried)" eq \
	"$(ids "$f" | grep -Ec 'spn-unknown|gss-error|kerberos-ok')" 0
np --no-color --browser edge --auth-allowlist '*.other.test' "$URL" >"$OUT/outside.txt"
check "text: the edge preset and the policy are named" \
	grep -q "The browser preset edge sends Negotiate only to hosts in AuthServerAllowlist" \
	"$OUT/outside.txt"
# the same list with the host in it: Negotiate goes out
fresh_cc inside
np --json --browser chrome --spn-port --auth-allowlist '*.other.test,*.example.test' \
	--expect kerberos "$URL" >"$OUT/inside.jsonl"
check "allowlist *.example.test: kerberos, exit 0" eq "$(jqr "$OUT/inside.jsonl" .exit)" 0
lab_done
