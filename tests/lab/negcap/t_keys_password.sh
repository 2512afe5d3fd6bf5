#!/bin/sh
# negcap --password-for: keys derived from a password with Active Directory's salt rules
# decrypt real tickets of a real MIT KDC.
#
# MIT's default ("normal") salt is the realm followed by the principal's components, with
# nothing between them (RFC 3962 §4).  For the two shapes AD uses it is AD's own salt
# (MS-KILE §3.1.1.2): a one-component user principal svc-crm@REALM is salted
# REALM + "svc-crm", and host/web01.<realm lower case>@REALM is salted
# REALM + "host" + "web01" + "." + <realm lower case> -- AD's salt for the computer account
# WEB01$.  So a KDC ticket for each, decrypted with --password-for svc-crm@REALM and
# --password-for 'WEB01$@REALM', proves the derivation; a wrong password or --salt gives
# keytab-wrong-key.  (Samba AD's exportkeytab would check the same against AD itself; the
# AD lab is not part of this branch.)
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
[ -x "$NEGCAP" ] || { echo "FAIL: $NEGCAP not built" >&2; exit 1; }
need_tool python3
lab_start
OUT=$LABDIR/keys
mkdir -p "$OUT"
PW='Pool-Passw0rd!'
HOSTPRINC="host/web01.$(echo "$LAB_REALM" | tr 'A-Z' 'a-z')"
for p in svc-crm "$HOSTPRINC"; do
	kadmin.local -r "$LAB_REALM" -d "$LAB_DIR/kdc/principal" \
		-q "addprinc -pw $PW -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal $p" \
		>>"$OUT/kadmin.log" 2>&1 || fail "kadmin.local addprinc $p"
done

PCAP=$OUT/tickets.pcap
tcpdump -i lo -s 0 -U --immediate-mode -Z root -n -w "$PCAP" "port $LAB_KDC_PORT or $MARKER_FILTER" \
	>"$OUT/tcpdump.log" 2>&1 &
TCPDUMP=$!
wait_for 30 "tcpdump listening" grep -q "listening on" "$OUT/tcpdump.log" || fail "tcpdump"
kvno "svc-crm@$LAB_REALM" >"$OUT/kvno1.log" 2>&1 || fail "kvno svc-crm: $(cat "$OUT/kvno1.log")"
kvno "$HOSTPRINC@$LAB_REALM" >"$OUT/kvno2.log" 2>&1 || fail "kvno $HOSTPRINC"
end_marker "$PCAP"
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
strip_marker "$PCAP"

# verdict ACCOUNT SPN-PREFIX [negcap options]: the key_verdict of the finding for that SPN
verdict() {
	acct=$1
	spn=$2
	shift 2
	NEGSCOPE_PASSWORD=${NEGSCOPE_PASSWORD-$PW} "$NEGCAP" --json -r "$PCAP" \
		--password-for "$acct" "$@" 2>"$OUT/err" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("type") == "finding" and r.get("spn", "").startswith(sys.argv[1]):
        print(r["id"], r.get("key_source", ""), r.get("user", ""))
' "$spn" | sort -u | tr '\n' ' '
}
check "user salt: svc-crm's ticket decrypts with the password" \
	eq "$(verdict "svc-crm@$LAB_REALM" svc-crm)" \
	"ticket-decrypted password alice@$LAB_REALM "
check "computer salt: WEB01\$'s ticket decrypts with the password" \
	eq "$(verdict "WEB01\$@$LAB_REALM" host/web01)" \
	"ticket-decrypted password alice@$LAB_REALM "
check "a wrong password is keytab-wrong-key" \
	eq "$(NEGSCOPE_PASSWORD=wrong verdict "svc-crm@$LAB_REALM" svc-crm)" \
	"keytab-wrong-key password  "
check "--salt replaces the AD rule (a wrong salt fails)" \
	eq "$(verdict "svc-crm@$LAB_REALM" svc-crm --salt "$LAB_REALM"other)" \
	"keytab-wrong-key password  "
check "--salt with the right salt decrypts" \
	eq "$(verdict "anyname@$LAB_REALM" svc-crm --salt "$LAB_REALM"svc-crm)" \
	"ticket-decrypted password alice@$LAB_REALM "
check "--password-file reads the password" sh -c "
	printf '%s\n' '$PW' >'$OUT/pw'
	NEGSCOPE_PASSWORD= '$NEGCAP' --json -r '$PCAP' --password-for 'svc-crm@$LAB_REALM' \
		--password-file '$OUT/pw' | grep -q '\"ticket-decrypted\"'"
check "the password is in no output" sh -c "
	! NEGSCOPE_PASSWORD='$PW' '$NEGCAP' -v -r '$PCAP' --password-for 'svc-crm@$LAB_REALM' \
		2>&1 | grep -F -q -- '$PW' &&
	! NEGSCOPE_PASSWORD='$PW' '$NEGCAP' --json --events -r '$PCAP' \
		--password-for 'svc-crm@$LAB_REALM' 2>&1 | grep -F -q -- '$PW'"
lab_done
