#!/bin/sh
# negprobe --server-keytab: after getting the service ticket, does the site's keytab decrypt
# it (as `kvno -k` does)?  The verdicts are negcap's (the shared keys judges): crm's own
# keytab decrypts (flags shown), stale's is one kvno behind, wrongkey's holds another key at
# the same kvno, sales' keytab holds no key for HTTP/crm, and an RC4-only keytab cannot
# decrypt crm's AES ticket.  No key reaches any output.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
need_tool klist
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc skt
KT=$LAB_KEYTAB_DIR
J=$LABDIR/skt.jsonl
T=$LABDIR/skt.txt
: >"$LABDIR/skt-all.out"
run() { # keytab url: JSON in $J, text in $T, every output kept for the secrets check
	np --json --server-keytab "$1" "$2" >"$J" 2>>"$LABDIR/skt-all.out"
	np --no-color -v --server-keytab "$1" "$2" >"$T" 2>>"$LABDIR/skt-all.out"
	cat "$J" "$T" >>"$LABDIR/skt-all.out"
}
sev() { finding_field "$J" "$1" severity; }

# crm with its own keytab: the ticket decrypts; its flags in JSON and text
run "$KT/crm.keytab" "$LAB_URL_KERBEROS_OK"
check "crm: ticket-decrypted (info)" eq "$(sev ticket-decrypted)" info
check "crm: no key verdict against the keys" eq \
	"$(ids "$J" | tr ' ' '\n' | grep -c '^keytab-')" 0
check "crm: the ticket's client is alice" eq "$(finding_field "$J" ticket-decrypted user)" \
	"$LAB_PRINCIPAL"
FLAGS=$(finding_field "$J" ticket-decrypted ticket_flags)
check "crm: flags forwardable, no ok-as-delegate (crm has none)" sh -c \
	"echo '$FLAGS' | grep -q forwardable && ! echo '$FLAGS' | grep -q ok-as-delegate"
check "crm: text shows ticket-decrypted and the flags" sh -c \
	"grep -q ticket-decrypted '$T' && grep -q 'ticket_flags: .*forwardable' '$T'"

# deleg with its keytab: ok-as-delegate is in the ticket
run "$KT/deleg.keytab" "http://$LAB_HOST_DELEG:$LAB_HTTP_PORT/"
FLAGS=$(finding_field "$J" ticket-decrypted ticket_flags)
check "deleg: flags carry ok-as-delegate" sh -c "echo '$FLAGS' | grep -q ok-as-delegate"

# stale: the keytab is one kvno behind the KDC
run "$KT/stale.keytab" "$LAB_URL_STALE_KEYTAB"
check "stale: keytab-kvno-stale" has_id "$J" keytab-kvno-stale
check "stale: ticket kvno 2, key kvno 1" eq \
	"$(finding_field "$J" keytab-kvno-stale ticket_kvno) $(finding_field "$J" keytab-kvno-stale key_kvno)" \
	"2 1"
check "stale: an error (the server refused)" eq "$(sev keytab-kvno-stale)" error

# wrongkey: same kvno, another key
run "$KT/wrongkey.keytab" "$LAB_URL_WRONG_KEY"
check "wrongkey: keytab-wrong-key" has_id "$J" keytab-wrong-key
check "wrongkey: no ticket-decrypted" sh -c "! grep -q '\"ticket-decrypted\"' '$J'"

# crm with another site's keytab: no key for HTTP/crm
run "$KT/sales.keytab" "$LAB_URL_KERBEROS_OK"
check "crm + sales keytab: keytab-principal-missing" has_id "$J" keytab-principal-missing
check "crm + sales keytab: a warning (the server accepted the ticket)" eq \
	"$(sev keytab-principal-missing)" warning

# crm with RC4 keys only (crm's kvno): the AES ticket's etype is missing
run "$KT/crm-rc4-only.keytab" "$LAB_URL_KERBEROS_OK"
check "crm + RC4-only keytab: keytab-etype-missing" has_id "$J" keytab-etype-missing
check "crm + RC4-only keytab: the keys are rc4-hmac" sh -c \
	"echo '$(finding_field "$J" keytab-etype-missing key_etypes)' | grep -q rc4"

# a file that is not a keytab: one line, non-zero exit, no run
printf 'not a keytab\n' >"$LABDIR/bad.keytab"
np --server-keytab "$LABDIR/bad.keytab" "$LAB_URL_KERBEROS_OK" >"$LABDIR/bad.out" 2>&1
rc=$?
check "bad keytab: non-zero exit" test "$rc" -ne 0
check "bad keytab: one line naming --server-keytab" sh -c \
	"test \$(wc -l <'$LABDIR/bad.out') -eq 1 && grep -q -- --server-keytab '$LABDIR/bad.out'"

# secrets: no key of any keytab used, in any output
n=0
for k in crm deleg stale wrongkey sales crm-rc4-only; do
	for hex in $(klist -kK "$KT/$k.keytab" | sed -n 's/.*(0x\([0-9a-fA-F]*\)).*/\1/p'); do
		n=$((n + 1))
		check "no $k key in the outputs" sh -c "! grep -qi '$hex' '$LABDIR/skt-all.out'"
	done
done
check "keys checked" test "$n" -gt 4
lab_done
