#!/bin/sh
# negprobe -L against the lab Apache's redirects (issue 16): a CRM-style 302 after sign-in,
# within the origin and to another host.  Each origin authenticates again with its own SPN,
# which every output shows; --max-redirs caps the redirects, counted.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
OUT=$LABDIR/redirect
mkdir -p "$OUT"
BASE=${LAB_URL_KERBEROS_OK%/}
DELEG_HOST=deleg.example.test

# Without -L: the 302 that answers the ticket is where the run ends (unexpected-status).
fresh_cc nofollow
np --json "$BASE/redirect-same" >"$OUT/nofollow.jsonl"
check "no -L: status 302, no redirect followed" eq \
	"$(jqr "$OUT/nofollow.jsonl" '"\(.status) \(.redirects)"')" "302 0"
check "no -L: unexpected-status names the Location" has_id "$OUT/nofollow.jsonl" unexpected-status

# Same origin: sign in, 302 to /index.html, 200 on the authenticated connection.
fresh_cc same
np --json -L --expect kerberos --expect status=200 "$BASE/redirect-same" >"$OUT/same.jsonl"
echo $? >"$OUT/same.rc"
f=$OUT/same.jsonl
check "same origin: exit 0" eq "$(cat "$OUT/same.rc")" 0
check "same origin: kerberos, 200, authenticated, 1 redirect" eq \
	"$(jqr "$f" '"\(.mech) \(.status) \(.authenticated) \(.redirects)"')" "kerberos 200 true 1"
check "same origin: the hop keeps the origin and its SPN" eq \
	"$(jqr "$f" '.hops[0] | "\(.status) \(.new_origin) \(.spn)"')" \
	"302 false HTTP/crm.example.test"
check "same origin: the last leg asked /index.html" eq \
	"$(jq -r 'select(.type=="leg") | .url' "$f" | tail -1)" "$BASE/index.html"

# Another host: a second handshake, with the second host's SPN.
fresh_cc other
np --json -L --expect kerberos --expect status=200 "$BASE/redirect-other" >"$OUT/other.jsonl"
echo $? >"$OUT/other.rc"
f=$OUT/other.jsonl
check "other host: exit 0" eq "$(cat "$OUT/other.rc")" 0
check "other host: new origin, SPN HTTP/$DELEG_HOST" eq \
	"$(jqr "$f" '.hops[0] | "\(.new_origin) \(.spn)"')" "true HTTP/$DELEG_HOST"
check "other host: the first URL's SPN stays the result's" eq "$(jqr "$f" .spn)" \
	"HTTP/crm.example.test"
check "other host: an AP-REQ for each SPN" eq \
	"$(jq -r 'select(.type=="leg" and .request.token.krb_msg=="AP-REQ") | .request.token.sname' "$f" | tr '\n' ' ')" \
	"HTTP/crm.example.test HTTP/$DELEG_HOST "
check "other host: the legs carry their SPN" eq \
	"$(jq -r 'select(.type=="leg") | .spn' "$f" | sort -u | tr '\n' ' ')" \
	"HTTP/crm.example.test HTTP/$DELEG_HOST "
check "other host: kerberos 200 authenticated" eq \
	"$(jqr "$f" '"\(.mech) \(.status) \(.authenticated)"')" "kerberos 200 true"
# the text report, --junit and --html name the second SPN too
fresh_cc other2
np --no-color -L --junit "$OUT/other.xml" --html "$OUT/other.html" "$BASE/redirect-other" \
	>"$OUT/other.txt"
check "other host: text shows the redirect and the new SPN" \
	grep -q "new origin, authenticates again; new SPN HTTP/$DELEG_HOST" "$OUT/other.txt"
check "other host: JUnit system-out names the new SPN" \
	grep -q "redirect 302 -&gt; http://$DELEG_HOST:.*SPN HTTP/$DELEG_HOST (new origin)\|redirect 302 -> http://$DELEG_HOST:.*SPN HTTP/$DELEG_HOST (new origin)" \
	"$OUT/other.xml"
check "other host: HTML names the new SPN" grep -q "SPN <code>HTTP/$DELEG_HOST</code> (new origin)" \
	"$OUT/other.html"

# A redirect loop: capped by --max-redirs, counted.
fresh_cc loop
np --json -L --max-redirs 3 "$BASE/redirect-loop" >"$OUT/loop.jsonl"
echo $? >"$OUT/loop.rc"
f=$OUT/loop.jsonl
check "loop: exit 1" eq "$(cat "$OUT/loop.rc")" 1
check "loop: 3 redirects followed, capped, status 302" eq \
	"$(jqr "$f" '"\(.redirects) \(.redirects_capped) \(.status)"')" "3 true 302"
lab_done
