#!/bin/sh
# Secrets never reach negcap's output (issue 7): NTLM responses, NTProofStr, session keys and
# MICs, Kerberos encrypted parts (ticket, authenticator, AP-REP and KDC replies), Basic
# credentials and cookie values.  tshark finds the secret bytes in the inputs on its own
# (secret_strings.py); every output format is grepped for them as hex, as the base64 they
# take inside a token, and as text: the report, -q, --json, --json --events, and --decode
# (text and --json) of every auth header of the inputs, stdout and stderr.  Then
# --decode --show-secrets must print the token secrets, so the grep is known to find them.
# negprobe's formats are checked against the lab: tests/lab/negcap/t_secrets_probe.sh.
# env: NEGCAP (binary), NEGSCOPE_SAMPLES_DIR, NEGSCOPE_CAPTURES_DIR.
set -u
NEGCAP=${NEGCAP:?set NEGCAP to the negcap binary}
S=${NEGSCOPE_SAMPLES_DIR:?set NEGSCOPE_SAMPLES_DIR}
C=${NEGSCOPE_CAPTURES_DIR:?set NEGSCOPE_CAPTURES_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testenv.sh"
need_tool tshark
need_tool python3
T=$(mktemp -d /tmp/negcap-secrets.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Every sample (NTLM AUTHENTICATEs, Kerberos AP-REQ/AP-REP, KDC exchanges) and the shared
# captures with Basic credentials and Cookie headers.
set -- "$S"/*.pcap "$C/arkime/tests/pcap/http-basicauth.pcap" \
	"$C/nDPI/tests/cfgs/default/pcap/http_auth.pcap"
for f in "$@"; do
	[ -r "$f" ] || skip "$f missing (../shared/captures is not beside this clone)"
done
python3 "$HERE/secret_strings.py" needles "$T/needles" "$@" || { fail "secret extraction"; exit 1; }
# the inputs must hold each kind of secret, or the test proves nothing
for what in "NTLM NTProofStr (ntlm-fallback frame 10)=31246bff9f20a44efe2a07cd1fe98a3e" \
	"Basic credentials=dGVzdDpmYWlsMg==" "Basic password=passworddddd" \
	"cookie value=190908281.2.10.1381843969"; do
	grep -qxF "${what#*=}" "$T/needles" || fail "secret_strings.py missed the ${what%%=*}"
done
[ "$(grep -c . "$T/needles.shown")" -ge 10 ] || fail "too few token secrets found: $(grep -c . "$T/needles.shown")"
echo "$(grep -c . "$T/needles") secret strings from $# captures"

mkdir "$T/out" "$T/shown"
n=0
for f in "$@"; do
	b=$(basename "$f" .pcap)
	"$NEGCAP" -r "$f" >"$T/out/$b.txt" 2>"$T/out/$b.txt.err"
	"$NEGCAP" -q -r "$f" >"$T/out/$b.q" 2>"$T/out/$b.q.err"
	"$NEGCAP" --json -r "$f" >"$T/out/$b.json" 2>"$T/out/$b.json.err"
	"$NEGCAP" --json --events -r "$f" >"$T/out/$b.events" 2>"$T/out/$b.events.err"
	n=$((n + 4))
	grep -q '"type":"summary"' "$T/out/$b.events" || fail "$b: --json --events wrote no summary"
done
# every auth header of the inputs (secret_strings.py wrote them beside the needles)
i=0
while IFS= read -r h; do
	i=$((i + 1))
	"$NEGCAP" --decode "$h" >"$T/out/decode-$i.txt" 2>&1
	"$NEGCAP" --decode "$h" --json >"$T/out/decode-$i.json" 2>&1
	"$NEGCAP" --decode "$h" --show-secrets >"$T/shown/decode-$i.txt" 2>&1
	"$NEGCAP" --decode "$h" --json --show-secrets >"$T/shown/decode-$i.json" 2>&1
	n=$((n + 4))
done <"$T/needles.headers"
[ $i -ge 20 ] || fail "only $i auth headers decoded"

# HTTPS with its key log (issue 13): the TLS secrets themselves, and what only decryption
# shows besides HTTP heads (bodies, the NTLMv2 NTProofStr inside TLS), must not appear in
# any format, decrypted or not.
k=0
for key in "$S"/https-*.keylog; do
	[ -r "$key" ] || continue
	f=${key%.keylog}.pcap
	b=$(basename "$f" .pcap)-keylog
	awk 'NF == 3 && $1 !~ /^#/ { print $3 }' "$key" >>"$T/needles"
	tshark -r "$f" -o "tls.keylog_file:$key" -d tcp.port==5445,tls -Y http -T fields \
		-e http.file_data -e ntlmssp.ntlmv2_response.ntproofstr 2>/dev/null |
		tr '\t' '\n' | sed 's/\\n/\n/g' |
		awk 'length($0) >= 24 && $0 !~ /^<!DOCTYPE/ { print }' >>"$T/needles"
	"$NEGCAP" --keylog "$key" -r "$f" >"$T/out/$b.txt" 2>"$T/out/$b.txt.err"
	"$NEGCAP" --keylog "$key" -v -r "$f" >"$T/out/$b.v" 2>"$T/out/$b.v.err"
	"$NEGCAP" --keylog "$key" -q -r "$f" >"$T/out/$b.q" 2>"$T/out/$b.q.err"
	"$NEGCAP" --keylog "$key" --json --events -r "$f" >"$T/out/$b.events" 2>"$T/out/$b.ev.err"
	"$NEGCAP" --keylog "$key" --html "$T/out/$b.html" -r "$f" >/dev/null 2>&1
	grep -q '"tls":{' "$T/out/$b.events" || fail "$b: nothing decrypted (no http.tls record)"
	n=$((n + 5))
	k=$((k + 1))
done
[ $k -ge 1 ] || fail "no samples/https-*.keylog"
grep -q 'negscope lab: authenticated' "$T/needles" || fail "no decrypted body among the needles"

# No output holds any secret.
if grep -rliF -f "$T/needles" "$T/out" >"$T/leaks"; then
	while IFS= read -r out; do
		fail "$(basename "$out") shows a secret: $(grep -oiF -f "$T/needles" "$out" | head -1 | cut -c1-80)"
	done <"$T/leaks"
fi

# --show-secrets shows each token secret, in the text tree and in the JSON.
for kind in txt json; do
	cat "$T"/shown/*."$kind" >"$T/shown.$kind"
	missing=""
	while IFS= read -r s; do
		grep -qiF "$s" "$T/shown.$kind" || missing="$missing $s"
	done <"$T/needles.shown"
	[ -z "$missing" ] || fail "--decode --show-secrets ($kind) does not show:$(echo "$missing" | cut -c1-200)"
done

echo "$n negcap runs over $# captures and $i headers, $fails failure(s)"
[ $fails -eq 0 ]
