#!/bin/sh
# --capture lo: the probe records its own traffic; the KDC exchange appears as krb records
# (TGS-REQ, the KRB-ERROR 7), -w saves a pcap tshark reads the same way.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc cap
J=$LABDIR/cap.jsonl
P=$LABDIR/cap.pcap

np --json --capture lo -w "$P" "$LAB_URL_SPN_PORT_MISMATCH" >"$J"
check "exit 1 (spn-unknown)" eq $? 1
check "a TGS-REQ for HTTP/sales.example.test was captured" eq \
	"$(jq -r 'select(.type=="krb" and .msg=="TGS-REQ") | .sname' "$J" | sort -u)" HTTP/sales.example.test
check "the KDC's KRB-ERROR 7 was captured" eq \
	"$(jq -r 'select(.type=="krb" and .msg=="KRB-ERROR") | .error_code' "$J" | sort -u)" 7
check "-w wrote a pcap tshark reads: error 7 on the wire" eq \
	"$(tshark -r "$P" -Y kerberos.error_code -T fields -e kerberos.error_code 2>/dev/null | sort -u)" 7
check "the pcap holds the probe's HTTP connection" ge \
	"$(tshark -r "$P" -Y 'tcp.port == 5555 && http' -T fields -e frame.number 2>/dev/null | wc -l)" 2

fresh_cc cap2
np --no-color --capture lo "$LAB_URL_KERBEROS_OK" >"$LABDIR/cap.txt"
check "text: the KDC section shows the TGS exchange" grep -Eq 'TGS-REP ticket HTTP/crm.example.test' "$LABDIR/cap.txt"
lab_done
