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

# negprobe loads libpcap only for --capture: one that cannot be loaded (an empty file under
# each soname libpcap has had, found first through LD_LIBRARY_PATH) is one line and exit 3
mkdir -p "$LABDIR/nopcap"
: >"$LABDIR/nopcap/libpcap.so.0.8"
: >"$LABDIR/nopcap/libpcap.so.1"
LD_LIBRARY_PATH=$LABDIR/nopcap np --json --capture lo "$LAB_URL_KERBEROS_OK" \
	>"$LABDIR/nopcap.out" 2>"$LABDIR/nopcap.err"
check "no libpcap: exit 3" eq $? 3
check "no libpcap: one line says so and what to install" eq \
	"$(wc -l <"$LABDIR/nopcap.err") $(grep -c 'libpcap could not be loaded (.*); install it' "$LABDIR/nopcap.err")" "1 1"
check "no libpcap: nothing on stdout" eq "$(wc -c <"$LABDIR/nopcap.out")" 0
LD_LIBRARY_PATH=$LABDIR/nopcap np --json "$LAB_URL_KERBEROS_OK" >/dev/null
check "without --capture, negprobe starts and authenticates with no libpcap" eq $? 0
lab_done
