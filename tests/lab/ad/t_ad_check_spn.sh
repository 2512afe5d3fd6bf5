#!/bin/sh
# negprobe --check-spn --ldap against the real AD DC (SASL/GSSAPI bind with alice's ticket):
# names both holders of the duplicate SPN, shows delegation and etype settings, catches the
# kvno mismatch and the wrong account of a site keytab, tells a back end the account may not
# delegate to; every LDAP failure (locate, refused, bind without a ticket or by address) is
# one ldap-failed finding that says what failed.  Samba's ldbsearch on the DC's database is
# the oracle for who holds what.  No secret (passwords, keys) reaches any output.
set -u
. "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adexpect.sh"
ad_require
need_tool jq
need_tool ldbsearch ldb-tools
need_tool klist krb5-user
NEGPROBE=$NEGSCOPE_BUILD_DIR/probe/negprobe
[ -x "$NEGPROBE" ] || { echo "FAIL: negprobe not built" >&2; exit 1; }
ad_start
OUT=$AD_DIR/out
mkdir -p "$OUT"
LDAP="--ldap ldap://$AD_DC_HOST"
np() { # out args...
	o=$1
	shift
	# shellcheck disable=SC2046
	"$NEGPROBE" $(for e in $AD_RESOLVE_LIST; do printf -- '--resolve %s ' "$e"; done) "$@" \
		>"$o" 2>"$o.err"
}
field() { # file id field
	jq -r --arg id "$2" "select(.type == \"finding\" and .id == \$id) | .$3" "$1" | head -1
}
has() { # file id
	jq -se --arg id "$2" 'any(.[]; .type == "finding" and .id == $id)' "$1" >/dev/null ||
		{ echo "   no $2 in: $(jq -r 'select(.type=="finding") | .id' "$1" | tr '\n' ' ')" >&2
		  return 1; }
}
lacks() { ! jq -se --arg id "$2" 'any(.[]; .type == "finding" and .id == $id)' "$1" >/dev/null; }

# the oracle: Samba's own reader of the DC's database (no network, no GSSAPI)
oracle() { # spn: sAMAccountNames holding it, sorted
	ldbsearch -H "tdb://$AD_SAM_LDB" "(servicePrincipalName=$1)" sAMAccountName 2>/dev/null |
		sed -n 's/^sAMAccountName: //p' | sort | tr '\n' ' ' | sed 's/ $//'
}

# the duplicate: both holders named, as setspn -X would
np "$OUT/dup.json" --json $LDAP "$AD_URL_INTRANET"
check "duplicate: spn-duplicate" has "$OUT/dup.json" spn-duplicate
check "duplicate: both accounts named" eq "$(field "$OUT/dup.json" spn-duplicate accounts)" \
	'svc-crm, WEB01$'
check "duplicate: the KDC's answer is still spn-unknown" has "$OUT/dup.json" spn-unknown
check "duplicate: advice has setspn -D" eval \
	"field '$OUT/dup.json' spn-duplicate 'advice[0]' | grep -q 'setspn -D HTTP/intranet.ad.example.test'"

# who holds what: delegation and etype settings (spn-holder)
np "$OUT/deleg.json" --json $LDAP "$AD_URL_DELEG"
check "deleg: held by svc-deleg" eq "$(field "$OUT/deleg.json" spn-holder account)" svc-deleg
check "deleg: trusted for delegation" eq \
	"$(field "$OUT/deleg.json" spn-holder trusted_for_delegation)" 1
np "$OUT/aes.json" --json $LDAP "$AD_URL_AES"
check "aes: msDS-SupportedEncryptionTypes 24" eq \
	"$(field "$OUT/aes.json" spn-holder supported_enctypes)" 24
np "$OUT/rc4.json" --json $LDAP "$AD_URL_RC4"
check "rc4: msDS-SupportedEncryptionTypes 4" eq \
	"$(field "$OUT/rc4.json" spn-holder supported_enctypes)" 4
np "$OUT/rc4.txt" --no-color $LDAP "$AD_URL_RC4"
check "rc4: text report names RC4-HMAC" grep -q 'msDS-SupportedEncryptionTypes: 0x4 (RC4-HMAC)' \
	"$OUT/rc4.txt"

# constrained delegation: kcd may delegate to the SQL back end, crm may not
BACKEND="--backend-spn MSSQLSvc/sql.ad.example.test:1433"
np "$OUT/kcd.json" --json $LDAP $BACKEND "$AD_URL_KCD"
check "kcd: allowed to delegate to MSSQLSvc" eq \
	"$(field "$OUT/kcd.json" spn-holder allowed_to_delegate_to)" MSSQLSvc/sql.ad.example.test:1433
check "kcd: protocol transition" eq \
	"$(field "$OUT/kcd.json" spn-holder trusted_to_auth_for_delegation)" 1
check "kcd: no delegation-not-configured" lacks "$OUT/kcd.json" delegation-not-configured
np "$OUT/crm-backend.json" --json $LDAP $BACKEND "$AD_URL_CRM"
check "crm: delegation-not-configured" has "$OUT/crm-backend.json" delegation-not-configured
check "crm: advice is Set-ADUser for svc-crm" eval "field '$OUT/crm-backend.json' \
	delegation-not-configured 'advice[0]' | grep -q \"Set-ADUser -Identity svc-crm -Add @{'msDS-AllowedToDelegateTo'='MSSQLSvc/sql.ad.example.test:1433'}\""

# the keytabs: stale (kvno 2 exported, the account is at 3) and the wrong account's
np "$OUT/stale.json" --json $LDAP --server-keytab "$AD_KEYTAB_DIR/stale.keytab" "$AD_URL_STALE"
check "stale: keytab-kvno-mismatch" has "$OUT/stale.json" keytab-kvno-mismatch
check "stale: keytab kvno 2 vs directory kvno 3" eq "$(field "$OUT/stale.json" \
	keytab-kvno-mismatch keytab_kvno) $(field "$OUT/stale.json" keytab-kvno-mismatch kvno)" "2 3"
np "$OUT/web01.json" --json $LDAP --server-keytab "$AD_KEYTAB_DIR/web01.keytab" "$AD_URL_WEB01"
check "web01: spn-on-wrong-account" has "$OUT/web01.json" spn-on-wrong-account
check "web01: SPN on svc-crm, keytab WEB01\$'s" eq "$(field "$OUT/web01.json" \
	spn-on-wrong-account account) $(field "$OUT/web01.json" spn-on-wrong-account keytab_accounts)" \
	'svc-crm WEB01$'
np "$OUT/crm-kt.json" --json $LDAP --server-keytab "$AD_KEYTAB_DIR/crm.keytab" "$AD_URL_CRM"
check "crm with its own keytab: no keytab finding" eval "lacks '$OUT/crm-kt.json' \
	spn-on-wrong-account && lacks '$OUT/crm-kt.json' keytab-kvno-mismatch"
check "crm: exit 0 (info findings only)" eq "$(jq -r 'select(.type=="result") | .exit' \
	"$OUT/crm-kt.json")" 0

# the oracle agrees on who holds each name
sorted_list() { tr ',' '\n' | sed 's/^ //' | sort | tr '\n' ' ' | sed 's/ $//'; }
check "intranet: holders as the DC's database says" eq \
	"$(field "$OUT/dup.json" spn-duplicate accounts | sorted_list)" \
	"$(oracle HTTP/intranet.ad.example.test)"
check "web01: holder as the DC's database says" eq \
	"$(field "$OUT/web01.json" spn-holder account)" "$(oracle HTTP/web01.ad.example.test)"
check "kcd: holder as the DC's database says" eq \
	"$(field "$OUT/kcd.json" spn-holder account)" "$(oracle HTTP/kcd.ad.example.test)"

# failures: one ldap-failed finding that says which step failed
np "$OUT/f-auto.json" --json --ldap auto "$AD_URL_CRM"
check "auto (the KDC's address): bind fails (no ldap/ SPN for an address)" eq \
	"$(field "$OUT/f-auto.json" ldap-failed ldap_step) $(field "$OUT/f-auto.json" ldap-failed ldap_uri)" \
	"bind ldap://$AD_ADDR"
np "$OUT/f-refused.json" --json --ldap "ldap://$AD_DC_HOST:3999" \
	--resolve "$AD_DC_HOST:3999:$AD_ADDR" "$AD_URL_CRM"
check "refused port: connect step" eq "$(field "$OUT/f-refused.json" ldap-failed ldap_step)" connect
check "refused port: says refused" eval "field '$OUT/f-refused.json' ldap-failed ldap_error |
	grep -q 'Connection refused'"
KRB5CCNAME=FILE:$AD_DIR/no-such-ccache np "$OUT/f-noticket.json" --json $LDAP "$AD_URL_CRM"
check "no ticket: bind step, says so" eq "$(field "$OUT/f-noticket.json" ldap-failed ldap_step)" bind
check "no ticket: error names the missing ticket" eval "field '$OUT/f-noticket.json' ldap-failed \
	ldap_error | grep -q 'no Kerberos ticket'"
check "a run with ldap-failed still reports the HTTP result" eq "$(jq -r \
	'select(.type=="result") | .status' "$OUT/f-auto.json")" 200
check "usage: --backend-spn needs --ldap" eval "! $NEGPROBE --backend-spn X http://x/ 2>/dev/null"
"$NEGPROBE" --ldap auto --server-keytab "$AD_DIR/no-such.keytab" "$AD_URL_CRM" 2>"$OUT/usage.err"
check "usage: an unreadable --server-keytab is refused (exit 2, says why)" eq \
	"$? $(grep -c 'no-such.keytab: No such file' "$OUT/usage.err")" "2 1"

# secrets: no password and no key of a keytab in any output (text with -v, JSON, HTML, JUnit)
np "$OUT/all.txt" --no-color -v $LDAP --server-keytab "$AD_KEYTAB_DIR/web01.keytab" $BACKEND \
	--html "$OUT/all.html" --junit "$OUT/all.xml" "$AD_URL_WEB01"
check "HTML and JUnit reports written" test -s "$OUT/all.html" -a -s "$OUT/all.xml"
keys=$(for k in web01 stale crm; do klist -kK "$AD_KEYTAB_DIR/$k.keytab"; done |
	sed -n 's/.*(0x\([0-9a-f]*\)).*/\1/p' | sort -u)
check "keys found in the keytabs (the secrets check has something to look for)" \
	test -n "$keys"
for f in "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.err "$OUT"/*.html "$OUT"/*.xml; do
	for sec in "$AD_PASSWORD" "$AD_ADMIN_PASSWORD" $(awk '{print $3}' "$AD_PASSWORDS_FILE") \
		$keys; do
		if grep -qiF -- "$sec" "$f"; then fail "a secret reached $f"; fi
	done
done
lab_done
