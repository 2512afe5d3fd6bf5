#!/bin/sh
# Keys from a password with Active Directory's salt rules match the keys AD exports: a real
# AD ticket for HTTP/aes (svc-aes, msDS-SupportedEncryptionTypes AES only, so the key is
# salted) decrypts with `samba-tool domain exportkeytab`'s keytab (negprobe --server-keytab,
# live) and, in the probe's own recording, with keys negcap derives from svc-aes's password
# (--password-for, user salt REALM + sAMAccountName); a wrong --salt does not.  (svc-crm's
# tickets are RC4, whose key is unsalted: they could not tell a salt rule.)  No key or
# password in any output.
set -u
. "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adlib.sh"
ad_require
need_tool jq
need_tool klist krb5-user
need_tool tcpdump
NEGPROBE=$NEGSCOPE_BUILD_DIR/probe/negprobe
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
if [ ! -x "$NEGPROBE" ] || [ ! -x "$NEGCAP" ]; then
	echo "FAIL: negprobe/negcap not built" >&2
	exit 1
fi
ad_start
OUT=$AD_DIR/out
mkdir -p "$OUT"
KT=$AD_KEYTAB_DIR/aes.keytab
P=$OUT/aes.pcap
PW=$(awk '$2 == "svc-aes" {print $3}' "$AD_PASSWORDS_FILE")
J=$OUT/probe.json
field() { # file id field
	jq -r --arg id "$2" "select(.type == \"finding\" and .id == \$id) | .$3" "$1" | head -1
}
# shellcheck disable=SC2046
"$NEGPROBE" $(for e in $AD_RESOLVE_LIST; do printf -- '--resolve %s ' "$e"; done) --json \
	--capture lo -w "$P" --server-keytab "$KT" "$AD_URL_AES" >"$J" 2>"$OUT/probe.err"
check "exported keytab decrypts the live ticket (negprobe)" eq \
	"$(field "$J" ticket-decrypted user)" "$AD_PRINCIPAL"
check "the ticket is AES (salted keys)" eq "$(field "$J" ticket-decrypted ticket_etype)" 18
check "the recording holds the AP-REQ" test -s "$P"

verdict() { # negcap options...: the key verdict on HTTP/aes's ticket, and its key source
	NEGSCOPE_PASSWORD=$PW "$NEGCAP" --json -r "$P" "$@" \
		>"$OUT/negcap.json" 2>>"$OUT/negcap.err"
	cat "$OUT/negcap.json" >>"$OUT/all.out"
	jq -r 'select(.type == "finding" and (.spn // "" | startswith("HTTP/aes")) and
		.key_verdict != null) | "\(.key_verdict) \(.key_source)"' "$OUT/negcap.json" |
		sort -u | head -1
}
: >"$OUT/all.out"
check "the password with AD's user salt gives the exported key" eq \
	"$(verdict --password-for "svc-aes@$AD_REALM")" "decrypted password"
check "the exported keytab agrees (negcap --keytab)" eq "$(verdict --keytab "$KT")" \
	"decrypted keytab"
check "a wrong salt does not" eq \
	"$(verdict --password-for "svc-aes@$AD_REALM" --salt "${AD_REALM}svc-AES")" \
	"wrong-key password"

cat "$J" "$OUT/probe.err" "$OUT/negcap.err" >>"$OUT/all.out"
n=0
for hex in $(klist -kK "$KT" | sed -n 's/.*(0x\([0-9a-fA-F]*\)).*/\1/p'); do
	n=$((n + 1))
	check "no exported key in the outputs" sh -c "! grep -qi '$hex' '$OUT/all.out'"
done
check "keys checked" test "$n" -gt 0
check "the password was known" test -n "$PW"
check "no password in the outputs" sh -c "! grep -qF '$PW' '$OUT/all.out'"
lab_done
