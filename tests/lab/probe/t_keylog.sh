#!/bin/sh
# negprobe --keylog FILE (issue 13): negprobe --capture lo -w x.pcap --keylog k.log against
# the TLS 1.2 and TLS 1.3 lab sites writes a key log whose client randoms are those of the
# captured ClientHellos, with which tshark decrypts every HTTP leg (the oracle); SSLKEYLOGFILE
# does the same without the option; the key log is private (0600) and no secret of it
# reaches negprobe's output. negcap reads the pair back once it has --keylog.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
need_tool tshark
lab_start
. "$(dirname "$0")/probelib.sh"
[ -n "${LAB_TLS12_PORT:-}" ] || fail "the lab has no TLS lab sites"
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap

for port in "$LAB_TLS12_PORT" "$LAB_TLS13_PORT"; do
	fresh_cc "kl$port"
	P=$LABDIR/kl$port.pcap
	K=$LABDIR/kl$port.keylog
	O=$LABDIR/kl$port.out
	np --json --cacert "$LAB_CA" --capture lo -w "$P" --keylog "$K" \
		"https://$LAB_HOST:$port/" >"$O" 2>"$O.err"
	check "$port: exit 0 (Kerberos over TLS)" eq $? 0
	check "$port: key log written" [ -s "$K" ]
	check "$port: key log private (0600)" eq "$(stat -c %a "$K")" 600
	randoms=$(tshark -r "$P" -d "tcp.port==$port,tls" -Y 'tls.handshake.type == 1' -T fields \
		-e tls.handshake.random 2>/dev/null | sort -u)
	check "$port: a ClientHello captured" [ -n "$randoms" ]
	for r in $randoms; do
		check "$port: the key log has the ClientHello's random" grep -q " $r " "$K"
	done
	codes=$(tshark -r "$P" -o "tls.keylog_file:$K" -d "tcp.port==$port,tls" \
		-Y http.response -T fields -e http.response.code 2>/dev/null | tr '\n' ' ')
	check "$port: tshark decrypts the legs with it (401 then 200)" eq "$codes" "401 200 "
	# no secret of the key log in negprobe's output
	leaked=0
	for s in $(awk '{ print $3 }' "$K"); do
		if grep -qi "$s" "$O" "$O.err"; then leaked=1; fi
	done
	check "$port: no key log secret in negprobe's output" eq "$leaked" 0
	if "$NEGCAP" --keylog=/dev/null -r "$P" -q >/dev/null 2>&1 || [ $? -ne 2 ]; then
		n=$("$NEGCAP" -r "$P" --keylog="$K" --json --events 2>/dev/null |
			jq -r 'select(.type=="http") | .frame' | wc -l)
		check "$port: negcap reads the pair back: 4 HTTP messages" eq "$n" 4
	fi
done

# SSLKEYLOGFILE, as curl honours it
fresh_cc klenv
K=$LABDIR/env.keylog
SSLKEYLOGFILE=$K np --cacert "$LAB_CA" "https://$LAB_HOST:$LAB_TLS12_PORT/" >/dev/null 2>&1
check "SSLKEYLOGFILE: exit 0" eq $? 0
check "SSLKEYLOGFILE: key log written" grep -q '^CLIENT_RANDOM ' "$K"
lab_done
