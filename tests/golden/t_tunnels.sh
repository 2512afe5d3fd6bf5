#!/bin/sh
# Traffic carried through real tunnels gives the findings of the plain capture: a
# sample is replayed (tcpreplay) into a tunnel made with `ip link add ... type
# gretap|erspan|vxlan|gre|ipip|sit` between two network namespaces this test creates,
# and captured by tcpdump on the underlay veth, so that negcap reads the outer
# encapsulation the kernel wrote: GRE, ERSPAN II and III, VXLAN, IP in IP, 6in4.  And
# Linux NFLOG: the sample replayed into a namespace's loopback, logged by an iptables
# NFLOG rule and captured with `tcpdump -i nflog:5`.  A tunnel type the running kernel
# cannot make is reported and not checked.  Through VXLAN two more samples go too (NTLM on
# keep-alive connections, Kerberos over TCP), each against its own plain capture.
# Needs root, ip, tcpdump, tcpreplay, tcprewrite, editcap (else 77: skipped).
# env: NEGCAP, NEGSCOPE_SAMPLES_DIR.
set -u
NEGCAP=${NEGCAP:?set NEGCAP}
S=${NEGSCOPE_SAMPLES_DIR:?set NEGSCOPE_SAMPLES_DIR}
. "${NEGSCOPE_SRC_DIR:?set NEGSCOPE_SRC_DIR}/tests/testenv.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
need_tool ip iproute2
need_tool tcpdump
need_tool tcpreplay
need_tool tcprewrite tcpreplay
need_tool editcap wireshark-common
T=$(mktemp -d /tmp/negcap-tunnels.XXXXXX)
NS=ngt$$
cleanup() {
	ip netns del "${NS}a" 2>/dev/null
	ip netns del "${NS}b" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
A="ip netns exec ${NS}a"
B="ip netns exec ${NS}b"

ip netns add "${NS}a" && ip netns add "${NS}b" || { echo "SKIP: cannot create namespaces"; exit 77; }
for n in a b; do
	ip netns exec "$NS$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS$n" link set lo up
done
ip link add va netns "${NS}a" type veth peer name vb netns "${NS}b"
ip -n "${NS}a" addr add 10.99.0.1/24 dev va
ip -n "${NS}b" addr add 10.99.0.2/24 dev vb
ip -n "${NS}a" link set va up
ip -n "${NS}b" link set vb up
# Static neighbours: no ARP on the underlay, so the capture holds only the tunnel.
ip -n "${NS}a" neigh add 10.99.0.2 lladdr "$(ip -n "${NS}b" -o link show vb | sed 's/.*ether \([^ ]*\).*/\1/')" dev va
ip -n "${NS}b" neigh add 10.99.0.1 lladdr "$(ip -n "${NS}a" -o link show va | sed 's/.*ether \([^ ]*\).*/\1/')" dev vb

SAMPLE=$S/stale-keytab.pcap
editcap -C 14 -T rawip "$SAMPLE" "$T/raw.pcap" >/dev/null
ids() { grep -o '"finding_ids":\[[^]]*\]' "$1"; }
packets() { grep -o '"type":"summary","packets":[0-9]*' "$1" | grep -o '[0-9]*$'; }
# expect_plain PCAP: what negcap finds in the plain capture is what every tunnel must give.
expect_plain() {
	"$NEGCAP" --json -r "$1" >"$T/plain.json" 2>/dev/null
	want_ids=$(ids "$T/plain.json")
	want_n=$(packets "$T/plain.json")
}
expect_plain "$SAMPLE"

# capture NAME INPUT DEVICE TCPDUMP-ARGS...: tcpdump (in namespace b, or a for nflog)
# waits for the sample's packets while INPUT is replayed on DEVICE in namespace a; then
# negcap must find in NAME.pcap what it finds in the plain sample.
capture() {
	name=$1 input=$2 dev=$3
	shift 3
	ns=$B
	[ "$name" = nflog ] && ns=$A
	$ns tcpdump -n -U -c "$want_n" -w "$T/$name.pcap" "$@" 2>"$T/$name.tcpdump" &
	tpid=$!
	i=0
	until grep -q "listening on" "$T/$name.tcpdump" 2>/dev/null || [ $i -gt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	$A tcpreplay -q -t -i "$dev" "$input" >"$T/$name.replay" 2>&1 ||
		fail "$name: tcpreplay: $(head -c 200 "$T/$name.replay")"
	i=0
	while kill -0 $tpid 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then kill $tpid; fail "$name: not all $want_n packets came"; break; fi
		sleep 0.1
	done
	wait $tpid
	"$NEGCAP" --json -r "$T/$name.pcap" >"$T/$name.json" 2>"$T/$name.err"
	[ "$(ids "$T/$name.json")" = "$want_ids" ] ||
		fail "$name: findings $(ids "$T/$name.json"), plain $want_ids ($(head -c 200 "$T/$name.err"))"
	[ "$(packets "$T/$name.json")" = "$want_n" ] ||
		fail "$name: $(packets "$T/$name.json") packets, expected $want_n"
	grep -q '"undecodable_packets":0,' "$T/$name.json" || fail "$name: undecodable packets"
	echo "$name: $(ids "$T/$name.json")"
}

# tunnel NAME INPUT FILTER IP-LINK-ARGS...: replays INPUT into a tunnel device t0 in
# namespace a and checks what the underlay carried.
tunnel() {
	name=$1 input=$2 filter=$3
	shift 3
	if ! ip -n "${NS}a" link add t0 "$@" 2>"$T/$name.iperr"; then
		echo "note: $name: the kernel cannot make it ($(head -c 100 "$T/$name.iperr")); not checked"
		return
	fi
	ip -n "${NS}a" link set t0 up
	capture "$name" "$input" t0 -i vb "$filter"
	ip -n "${NS}a" link del t0
}

L="local 10.99.0.1 remote 10.99.0.2"
# shellcheck disable=SC2086
{
tunnel gretap "$SAMPLE" "ip proto 47" type gretap $L
tunnel erspan2 "$SAMPLE" "ip proto 47" type erspan $L seq key 10 erspan_ver 1 erspan 12
tunnel erspan3 "$SAMPLE" "ip proto 47" type erspan $L seq key 11 erspan_ver 2 erspan_dir ingress erspan_hwid 7
tunnel vxlan "$SAMPLE" "udp port 4789" type vxlan id 42 $L dstport 4789
tunnel gre "$T/raw.pcap" "ip proto 47" type gre $L
tunnel ipip "$T/raw.pcap" "ip proto 4" type ipip $L
# More exchanges through VXLAN: NTLM on keep-alive connections, Kerberos over TCP.
for extra in keepalive-off-ntlm kerberos-tcp; do
	expect_plain "$S/$extra.pcap"
	tunnel "vxlan-$extra" "$S/$extra.pcap" "udp port 4789" type vxlan id 42 $L dstport 4789
done
expect_plain "$SAMPLE"
}
# NFLOG: frames sent to lo with lo's (zero) MAC address reach the IP layer, where the raw
# table's PREROUTING rule logs them to group 5.
if command -v iptables >/dev/null 2>&1 && $A iptables -t raw -A PREROUTING -i lo -j NFLOG \
	--nflog-group 5 2>"$T/ipt.err"; then
	tcprewrite --enet-dmac=00:00:00:00:00:00 --enet-smac=00:00:00:00:00:00 -i "$SAMPLE" \
		-o "$T/lo.pcap"
	capture nflog "$T/lo.pcap" lo -i nflog:5
else
	echo "note: nflog: no iptables NFLOG here ($(head -c 100 "$T/ipt.err" 2>/dev/null)); not checked"
fi

echo "tunnels: $fails failure(s)"
[ $fails -eq 0 ]
