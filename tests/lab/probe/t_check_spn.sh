#!/bin/sh
# --check-spn asks the KDC for each SPN form: on sales.example.test only the port form
# exists (the seed's mistake), on crm.example.test only the plain one.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc spn
J=$LABDIR/spn.jsonl
exists() { jq -r --arg s "$2" 'select(.type=="spn" and .spn==$s) | .exists' "$1"; }

np --json --check-spn "$LAB_URL_SPN_PORT_MISMATCH" >"$J"
check "sales: HTTP/sales.example.test:5555 exists" eq "$(exists "$J" HTTP/sales.example.test:5555)" true
check "sales: HTTP/sales.example.test does not" eq "$(exists "$J" HTTP/sales.example.test)" false
check "sales: short forms do not" eq "$(exists "$J" HTTP/sales) $(exists "$J" HTTP/sales:5555)" "false false"
check "sales: spn-unknown names the registered port form" eq \
	"$(finding_field "$J" spn-unknown registered_forms)" HTTP/sales.example.test:5555

np --json --check-spn "$LAB_URL_KERBEROS_OK" >"$J"
check "crm: HTTP/crm.example.test exists" eq "$(exists "$J" HTTP/crm.example.test)" true
check "crm: HTTP/crm.example.test:5555 does not" eq "$(exists "$J" HTTP/crm.example.test:5555)" false

np --no-color --check-spn "$LAB_URL_SPN_PORT_MISMATCH" >"$LABDIR/spn.txt"
check "text report lists the forms" grep -Eq 'exists +HTTP/sales.example.test:5555' "$LABDIR/spn.txt"
check "text report marks the browser form missing" grep -Eq 'missing +HTTP/sales.example.test ' "$LABDIR/spn.txt"

# --spn-port makes the probe ask for the port form, which then works
np --json --spn-port --expect kerberos "$LAB_URL_SPN_PORT_MISMATCH" >"$J"
check "--spn-port: Kerberos succeeds with HTTP/sales.example.test:5555" eq \
	"$(jq -r 'select(.type=="result") | "\(.exit) \(.spn)"' "$J")" "0 HTTP/sales.example.test:5555"
lab_done
