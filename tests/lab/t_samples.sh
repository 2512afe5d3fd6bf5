#!/bin/sh
# The committed samples/ show what samples/README.md says they show (read with tshark):
# every scenario of scenario.sh has a sample, described in the README, and each sample
# passes the same expectations as a live run of its scenario. Needs no lab, no root.
set -u
. "$(dirname "$0")/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/expect.sh"
need_tool tshark
S=$NEGSCOPE_SRC_DIR/samples
# Key frames as samples/README.md quotes them: frame:KDC-msg-type[/error][/HTTP status].
# After samples/regenerate.sh, update these and the README together.
KEY_FRAMES='
kerberos-ok|6:401 8:12 9:13 10:14 11:15/200
kerberos-tcp|6:401 11:12 13:13 16:14 19:15/200
spn-port-mismatch|6:401 8:12 9:30/7 10:12 11:30/7 13:401 14:12 15:30/7 16:12 17:30/7
spn-port-mismatch-ntlm|6:401 8:12 9:30/7 10:12 11:30/7 13:401 15:200
stale-keytab|6:401 8:12 9:13 10:14 11:30/44/401
wrong-key|6:401 8:12 9:13 10:14 11:30/31/401
keepalive-off|6:401 14:12 15:13 16:14 18:15/200
keepalive-off-ntlm|6:401 16:401 26:401 36:401
ntlm-fallback|6:401 9:401 11:200
ntlm-only|6:401 9:401 11:200
delegation-ok|6:401 8:12 9:13 10:12 11:13 12:14 13:15/200
delegation-not-trusted|6:401 8:12 9:13 10:14 11:15/200
https-kerberos-ok|13:401 15:12 16:13 17:14 18:15/200
kdc-down|6:401 8:12 13:401 14:12
clock-skew|6:401 8:12 9:30/37 10:12 11:30/37 13:401 14:12 15:30/37 16:12 17:30/37
iis-kerberos-ok|6:401 8:12 9:13 10:14 11:15/200
iis-ap-err-modified|6:401 8:12 9:13 10:14 11:30/41/401
wrong-password|1:10 2:30/25 3:10 4:30/24 10:401 13:401
account-locked|1:10 2:30/25 3:10 4:30/24 5:10 6:30/25 7:10 8:30/24 9:10 10:30/25 11:10 12:30/24 13:10 14:30/18 20:401 23:401
'
key_frames() { # pcap [keylog]
	k=""
	[ -n "${2:-}" ] && k="tls.keylog_file:$2"
	tshark -r "$1" ${k:+-o "$k"} -d tcp.port==5557,http -d tcp.port==5558,http \
		-d tcp.port==5559,http -d tcp.port==5443,tls \
		-Y '(kerberos and not icmp) or http.response' -T fields -e frame.number \
		-e kerberos.msg_type -e kerberos.error_code -e http.response.code 2>/dev/null |
		awk -F'\t' '{ split($2, a, ","); v = a[1]; if ($3 != "") v = v "/" $3;
			if ($4 != "") v = (v == "" ? "" : v "/") $4; printf "%s:%s ", $1, v }' | sed 's/ $//'
}
for name in $("$SCENARIO_SH" --list); do
	if [ ! -s "$S/$name.pcap" ]; then
		fail "$name: samples/$name.pcap missing"
		continue
	fi
	check "$name: described in samples/README.md" grep -q "^## $name\$" "$S/README.md"
	keylog=""
	[ -s "$S/$name.keylog" ] && keylog=$S/$name.keylog
	expect_scenario "$name" "$S/$name.pcap" "$keylog"
	want=$(echo "$KEY_FRAMES" | sed -n "s/^$name|//p")
	check "$name: key frames as samples/README.md quotes them" \
		eq "$(key_frames "$S/$name.pcap" "$keylog")" "$want"
	# small: a sample is a handful of packets, not a stray capture
	check "$name: under 64 KiB" [ "$(wc -c <"$S/$name.pcap")" -lt 65536 ]
done
lab_done
