#!/bin/bash
# run.sh - the negscope benchmark of issue 6, in one command.
#
# Generates a >= 2 GiB, >= 4 M packet capture from samples/ (gen_capture), then runs,
# interleaved over several rounds (best round kept): the libpcap floor, negcap -r (text
# report and --json), tcpdump -nr, and tshark extracting the same facts on a fixed-size
# prefix of the capture (tshark is far too slow for the whole file; its rate is scaled to
# packets/s from the prefix, and said so).  Checks that negcap's findings are exactly the
# expected ones at the right frames, measures negcap's peak RSS on 1 GiB and 4 GiB captures,
# and compares negcap's live drops with tcpdump's under tcpreplay --topspeed on the loopback
# of a private network namespace.  Prints a block ready for the README's BENCH section and
# writes it to the results file.
#
# tcpdump -nr decodes every packet in text and is by far the slowest (minutes on this
# capture), so it runs in the first --tcpdump-rounds rounds only (default 1).
#
# usage: tests/bench/run.sh [--build DIR] [--scratch DIR] [--rounds N] [--size S]
#          [--packets N] [--tshark-packets N] [--live-size S] [--rss-sizes "1G 4G"]
#          [--tcpdump-rounds N] [--seed N] [--results FILE]
#          [--no-rss] [--no-live] [--no-inputs] [--profile] [--keep] [--quick]
#   --quick: 256 MiB capture, 1 round, no RSS/live (a smoke run of the script itself)
#   --no-inputs: without the input formats' rows (issue 12): the same capture as pcapng
#     (editcap -F pcapng) against the floor on that file, and as .pcap.gz (gzip -1)
#     against `zcat FILE > /dev/null`
# Needs root for the live part (network namespace, capture on lo).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$REPO/build-bench
SCRATCH=/tmp/negscope-bench
ROUNDS=3
SIZE=2G
PACKETS=4000000
TSHARK_PACKETS=200000
LIVE_SIZE=256M
RSS_SIZES="1G 4G"
TCPDUMP_ROUNDS=1
SEED=1
RESULTS=""
DO_RSS=1 DO_LIVE=1 DO_INPUTS=1 DO_PROFILE=0 KEEP=0
[ -d "$REPO/../notes" ] && RESULTS=$(cd "$REPO/../notes" && pwd)/bench-results.md

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--scratch) SCRATCH=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--size) SIZE=$2; shift ;;
	--packets) PACKETS=$2; shift ;;
	--tshark-packets) TSHARK_PACKETS=$2; shift ;;
	--live-size) LIVE_SIZE=$2; shift ;;
	--rss-sizes) RSS_SIZES=$2; shift ;;
	--tcpdump-rounds) TCPDUMP_ROUNDS=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--results) RESULTS=$2; shift ;;
	--no-rss) DO_RSS=0 ;;
	--no-live) DO_LIVE=0 ;;
	--no-inputs) DO_INPUTS=0 ;;
	--profile) DO_PROFILE=1 ;;
	--keep) KEEP=1 ;;
	--quick) SIZE=256M PACKETS=0 ROUNDS=1 DO_RSS=0 DO_LIVE=0 ;;
	-h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck disable=SC2034 # ME is used by benchlib.sh
ME=run.sh
# die, log, to_bytes, json_num, bench_build, machine_info, bench_publish
# shellcheck source=tests/bench/benchlib.sh
. "$HERE/benchlib.sh"

for t in tshark tcpdump editcap capinfos awk; do
	command -v $t >/dev/null || die "$t is not installed (.ci/install-deps installs it)"
done

# ------------------------------------------------------------------ build
bench_build "$BUILD" "$REPO" "$SCRATCH.build.log" negcap bench_tools
NEGCAP=$BUILD/capture/negcap
GEN=$BUILD/tests/bench/gen_capture
FLOOR=$BUILD/tests/bench/floor
BT=$BUILD/tests/bench/bench_time
CHECK=$BUILD/tests/bench/findings_check
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")
BUILD_FLAGS=$(sed -n 's/^CMAKE_C_FLAGS:STRING=//p' "$BUILD/CMakeCache.txt")

mkdir -p "$SCRATCH" || die "cannot create $SCRATCH"
S=$(cd "$SCRATCH" && pwd)
NETNS=""
cleanup() {
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	if [ $KEEP -eq 0 ]; then
		rm -f "$S"/*.pcap "$S"/*.pcapng "$S"/*.gz "$S"/*.json "$S"/*.out "$S"/*.err "$S"/perf.data* \
			"$S"/callgrind.* "$S"/t.* 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_disk() { # bytes
	local avail
	avail=$(df -P -B1 "$S" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt $(($1 + (1 << 30))) ] ||
		die "not enough disk in $S: $avail bytes free, $1 needed plus 1 GiB margin"
}
field() { # file key -> value of key=value on the last line
	tail -1 "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
verdict() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { if (d == "le") print (v <= t ? "met" : "MISSED"); else print (v >= t ? "met" : "MISSED") }'; }

# ------------------------------------------------------------------ machine
machine_info "$BUILD"
TDV=$(tcpdump --version 2>&1 | head -2 | tr '\n' ' ')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ the capture
SIZE_B=$(to_bytes "$SIZE")
need_disk "$SIZE_B"
log "generating the benchmark capture ($SIZE, >= $PACKETS packets, seed $SEED) in $S"
"$GEN" -o "$S/bench.pcap" -S "$REPO/samples" -n "$NEGCAP" -e "$S/bench.expect" \
	-p "$S/bench.placement" --size "$SIZE" --packets "$PACKETS" --seed "$SEED" \
	2>"$S/gen.err" || { cat "$S/gen.err" >&2; die "gen_capture failed"; }
GENLINE=$(tail -1 "$S/gen.err")
echo "$GENLINE" >&2
FILE_BYTES=$(stat -c %s "$S/bench.pcap")
CONNS=$(echo "$GENLINE" | sed -n 's/.* \([0-9]*\) TCP connections.*/\1/p')
INSTANCES=$(echo "$GENLINE" | sed -n 's/.* in \([0-9]*\) sample instances of \([0-9]*\) samples.*/\1/p')
NSAMPLES=$(echo "$GENLINE" | sed -n 's/.* sample instances of \([0-9]*\) samples.*/\1/p')
ACKPCT=$(echo "$GENLINE" | sed -n 's/.*(\([0-9.]*\)% bare ACKs).*/\1/p')
log "cutting the first $TSHARK_PACKETS packets for tshark"
editcap -r "$S/bench.pcap" "$S/prefix.pcap" "1-$TSHARK_PACKETS" ||
	die "editcap failed"
PREFIX_BYTES=$(stat -c %s "$S/prefix.pcap")
cat "$S/bench.pcap" "$S/prefix.pcap" >/dev/null # warm the page cache

TSHARK_FILTER='kerberos || ntlmssp || http.www_authenticate || http.authorization'
TSHARK_ARGS=(-n -d "tcp.port==5557,http" -d "tcp.port==5558,http" -d "tcp.port==5559,http"
	-Y "$TSHARK_FILTER" -T fields -e frame.number -e kerberos.msg_type -e kerberos.error_code
	-e kerberos.SNameString -e kerberos.realm -e ntlmssp.messagetype -e http.response.code
	-e http.www_authenticate -e http.authorization)

# ------------------------------------------------------------------ rounds
rm -f "$S"/t.*
for r in $(seq 1 "$ROUNDS"); do
	log "round $r/$ROUNDS: floor"
	"$BT" -o "$S/t.floor" "$FLOOR" "$S/bench.pcap" >"$S/floor.out"
	log "round $r/$ROUNDS: negcap -r (text)"
	NO_COLOR=1 "$BT" -o "$S/t.negcap_text" "$NEGCAP" -r "$S/bench.pcap" >"$S/negcap.out" 2>"$S/negcap.err"
	log "round $r/$ROUNDS: negcap --json -r"
	"$BT" -o "$S/t.negcap_json" "$NEGCAP" --json -r "$S/bench.pcap" >"$S/negcap.json" 2>"$S/negcap_json.err"
	if [ "$r" -le "$TCPDUMP_ROUNDS" ]; then
		log "round $r/$ROUNDS: tcpdump -nr"
		"$BT" -o "$S/t.tcpdump" tcpdump -nr "$S/bench.pcap" >/dev/null 2>"$S/tcpdump.err"
	fi
	log "round $r/$ROUNDS: tshark on the $TSHARK_PACKETS-packet prefix"
	"$BT" -o "$S/t.tshark" tshark -r "$S/prefix.pcap" "${TSHARK_ARGS[@]}" >"$S/tshark.out" 2>/dev/null
	log "round $r/$ROUNDS: negcap --json on the same prefix"
	"$BT" -o "$S/t.negcap_prefix" "$NEGCAP" --json -r "$S/prefix.pcap" >"$S/prefix.json" 2>/dev/null
	log "round $r/$ROUNDS: floor on the same prefix"
	"$BT" -o "$S/t.floor_prefix" "$FLOOR" "$S/prefix.pcap" >/dev/null
done

# best (shortest wall) round per tool: "wall cpu maxrss_mib exit"
best() {
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	       c = v["user_s"] + v["sys_s"]
	       if (NR == 1 || v["wall_s"] < bw) { bw = v["wall_s"]; bc = c; be = v["exit"] }
	       if (NR == 1 || c < mc) mc = c
	       if (v["maxrss_kib"] > rss) rss = v["maxrss_kib"] }
	     END { printf "%.3f %.3f %.1f %s\n", bw, mc, rss / 1024, be }' "$S/t.$1"
}
PKTS=$(field "$S/floor.out" packets)
[ -n "$PKTS" ] || die "the floor program printed no packet count"

# ------------------------------------------------------------------ input formats (issue 12)
# The same packets as pcapng and as .pcap.gz, in rounds of their own (floor on the pcapng,
# negcap on it, zcat, negcap on the .gz), best round kept as above.
INPUTS_BLOCK=""
INPUTS_TARGETS=""
if [ $DO_INPUTS -eq 1 ]; then
	command -v gzip >/dev/null && command -v zcat >/dev/null || die "gzip/zcat missing"
	need_disk $((FILE_BYTES + FILE_BYTES / 2))
	log "inputs: converting the capture to pcapng (editcap -F pcapng) and .pcap.gz (gzip -1)"
	editcap -F pcapng "$S/bench.pcap" "$S/bench.pcapng" || die "editcap -F pcapng failed"
	gzip -1 -c "$S/bench.pcap" >"$S/bench.pcap.gz" || die "gzip failed"
	NG_BYTES=$(stat -c %s "$S/bench.pcapng")
	GZ_BYTES=$(stat -c %s "$S/bench.pcap.gz")
	cat "$S/bench.pcapng" "$S/bench.pcap.gz" >/dev/null # warm the page cache
	for r in $(seq 1 "$ROUNDS"); do
		log "inputs round $r/$ROUNDS: floor on the pcapng, negcap --json on it"
		"$BT" -o "$S/t.floor_ng" "$FLOOR" "$S/bench.pcapng" >/dev/null
		"$BT" -o "$S/t.negcap_ng" "$NEGCAP" --json -r "$S/bench.pcapng" >"$S/ng.json" 2>/dev/null
		log "inputs round $r/$ROUNDS: zcat > /dev/null, negcap --json on the .pcap.gz"
		"$BT" -o "$S/t.zcat" zcat "$S/bench.pcap.gz" >/dev/null
		"$BT" -o "$S/t.negcap_gz" "$NEGCAP" --json -r "$S/bench.pcap.gz" >"$S/gz.json" 2>/dev/null
	done
	NG_CHECK=$("$CHECK" "$S/bench.expect" "$S/ng.json" 2>&1 | tail -1 | sed 's/^findings_check: //')
	GZ_CHECK=$("$CHECK" "$S/bench.expect" "$S/gz.json" 2>&1 | tail -1 | sed 's/^findings_check: //')
	rm -f "$S/bench.pcapng" "$S/bench.pcap.gz"
fi

# ------------------------------------------------------------------ correctness
log "checking negcap's findings against the expected list"
CHECK_OUT=$("$CHECK" "$S/bench.expect" "$S/negcap.json" 2>&1)
CHECK_RC=$?
echo "$CHECK_OUT" | tail -30 >&2
CHECK_LINE=$(echo "$CHECK_OUT" | tail -1 | sed 's/^findings_check: //')
TEXT_EXIT=$(best negcap_text | cut -d' ' -f4)
JSON_EXIT=$(best negcap_json | cut -d' ' -f4)
NEGCAP_PKTS=$(json_num "$S/negcap.json" packets)

# ------------------------------------------------------------------ RSS on 1 and 4 GiB
RSS_LINES=""
rss_run() { # size label
	local b
	b=$(to_bytes "$1")
	need_disk "$b"
	log "RSS: generating a $1 capture"
	"$GEN" -q -o "$S/rss.pcap" -S "$REPO/samples" -n "$NEGCAP" -e "$S/rss.expect" \
		--size "$1" --packets 0 --seed $((SEED + 1)) || die "gen_capture failed ($1)"
	log "RSS: negcap --json -r on $1"
	rm -f "$S/t.rss"
	"$BT" -o "$S/t.rss" "$NEGCAP" --json -r "$S/rss.pcap" >"$S/rss.json" 2>/dev/null
	local c rss wall pk
	c=$("$CHECK" "$S/rss.expect" "$S/rss.json" | tail -1 | sed 's/^findings_check: //')
	rss=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { printf "%.1f", v["maxrss_kib"] / 1024 }' "$S/t.rss")
	wall=$(field "$S/t.rss" wall_s)
	pk=$(json_num "$S/rss.json" packets)
	RSS_LINES="$RSS_LINES| $1 ($(($(stat -c %s "$S/rss.pcap") / 1048576)) MiB, $pk packets) | $rss MiB | $(verdict "$rss" 64 le) | ${wall} s | $c |
"
	rm -f "$S/rss.pcap" "$S/rss.json" "$S/rss.expect"
}
if [ $DO_RSS -eq 1 ]; then
	for sz in $RSS_SIZES; do
		rss_run "$sz"
	done
fi

# ------------------------------------------------------------------ live
LIVE_BLOCK=""
LIVE_TARGET=""
if [ $DO_LIVE -eq 1 ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
		LIVE_BLOCK="Live: skipped (needs root, tcpreplay and ip)."
	else
		need_disk "$(to_bytes "$LIVE_SIZE")"
		log "live: generating a $LIVE_SIZE capture with 127.0.0.0/8 addresses"
		"$GEN" -q -o "$S/live.pcap" -S "$REPO/samples" -n "$NEGCAP" -e "$S/live.expect" \
			--size "$LIVE_SIZE" --packets 0 --seed $((SEED + 2)) --loopback ||
			die "gen_capture failed (live)"
		LIVE_PKTS=$("$FLOOR" "$S/live.pcap" | tr ' ' '\n' | sed -n 's/^packets=//p')
		# A namespace of our own: the replay reaches no other process's lo, and its
		# non-zero MAC addresses make the kernel drop every replayed frame at IP input.
		NETNS=negscope-bench-$$
		ip netns add "$NETNS" || die "ip netns add failed"
		ip -n "$NETNS" link set lo up || die "cannot bring lo up in $NETNS"
		LIVE_ROWS=""
		# wait_for, caught_up: tests/testenv.sh
		. "$REPO/tests/testenv.sh"
		replay() { # -> "pps Mbps"
			ip netns exec "$NETNS" tcpreplay --topspeed -i lo "$S/live.pcap" >"$S/replay.out" 2>&1
			awk '/Rated:/ { for (i = 1; i <= NF; i++) { if ($i ~ /Mbps/) m = $(i - 1); if ($i ~ /pps/) p = $(i - 1) } }
			     END { gsub(/,/, "", m); gsub(/,/, "", p); printf "%.0f %.0f\n", p, m }' "$S/replay.out"
		}
		live_tcpdump() { # round label tcpdump-options...
			local r=$1 label=$2
			shift 2
			log "live round $r: tcpdump $* -i lo -w /dev/null under tcpreplay --topspeed"
			ip netns exec "$NETNS" tcpdump "$@" -i lo -n -w /dev/null 2>"$S/td.err" &
			tdpid=$!
			wait_for 30 "tcpdump listening" grep "listening on" "$S/td.err" ||
				die "tcpdump did not start"
			rp=$(replay)
			rm -f "$S/td.idle"
			wait_for 60 "tcpdump to read the replay" caught_up $tdpid "$S/td.idle" 1500
			kill -INT $tdpid 2>/dev/null
			wait $tdpid 2>/dev/null
			tcap=$(sed -n 's/^\([0-9]*\) packets* captured.*/\1/p' "$S/td.err")
			trcv=$(sed -n 's/^\([0-9]*\) packets* received by filter.*/\1/p' "$S/td.err")
			tdrop=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$S/td.err")
			LIVE_ROWS="$LIVE_ROWS| $r | $label | ${rp% *} | $tcap ($trcv) | ${tdrop:-?} | - |
"
			[ $# -eq 0 ] && TD_DROPS=$((TD_DROPS + ${tdrop:-0}))
		}
		TD_DROPS=0 NC_DROPS=0
		for r in 1 2; do
			live_tcpdump "$r" "tcpdump -w /dev/null"
			log "live round $r: negcap -i lo --json under tcpreplay --topspeed"
			ip netns exec "$NETNS" "$NEGCAP" -i lo --json >"$S/live.json" 2>"$S/nc.err" &
			ncpid=$!
			wait_for 30 "negcap listening" grep "listening on" "$S/nc.err" ||
				die "negcap did not start: $(cat "$S/nc.err")"
			rp=$(replay)
			rm -f "$S/nc.idle"
			wait_for 60 "negcap to read the replay" caught_up $ncpid "$S/nc.idle"
			kill -INT $ncpid 2>/dev/null
			wait $ncpid 2>/dev/null
			ncap=$(json_num "$S/live.json" packets)
			ndrop=$(json_num "$S/live.json" pcap_dropped)
			NC_DROPS=$((NC_DROPS + ${ndrop:-0}))
			lc=$("$CHECK" "$S/live.expect" "$S/live.json" 2>&1 | tail -1 | sed 's/^findings_check: //')
			LIVE_ROWS="$LIVE_ROWS| $r | negcap -i lo | ${rp% *} | ${ncap:-?} | ${ndrop:-not reported} | $lc |
"
			# negcap opens lo in immediate mode; the same mode for tcpdump tells whether
			# drops come from the mode (small TPACKET_V2 ring) or from negcap's work.
			live_tcpdump "$r" "tcpdump --immediate-mode -w /dev/null (diagnostic)" \
				--immediate-mode
		done
		ip netns del "$NETNS"
		NETNS=""
		LIVE_TARGET="| live: negcap drops no more than tcpdump -w /dev/null (2 replays of $LIVE_SIZE) | negcap $NC_DROPS, tcpdump $TD_DROPS | $([ "$NC_DROPS" -le "$TD_DROPS" ] && echo met || echo MISSED) |"
		LIVE_BLOCK="Live (loopback of a private network namespace; a $LIVE_SIZE capture of $LIVE_PKTS packets with 127/8 addresses, replayed by \`tcpreplay --topspeed -i lo\`, once for each capturer, default kernel buffer for both; dropped = pcap_stats ps_drop):

| round | capturer | replay pps | packets captured (received) | dropped by kernel | findings (exact-match check vs the file) |
|---|---|---|---|---|---|
$LIVE_ROWS"
		rm -f "$S/live.pcap"
	fi
fi

# ------------------------------------------------------------------ profile
PROFILE_BLOCK=""
if [ $DO_PROFILE -eq 1 ]; then
	if command -v perf >/dev/null; then
		log "profile: perf record of negcap --json on the whole capture"
		perf record -q -F 499 -o "$S/perf.data" -- "$NEGCAP" --json -r "$S/bench.pcap" \
			>/dev/null 2>"$S/perf.err"
		PROFILE_BLOCK="perf (negcap --json -r, whole capture, self time by symbol):
\`\`\`
$(perf report -i "$S/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -25)
\`\`\`
"
	fi
	if command -v valgrind >/dev/null; then
		log "profile: callgrind instruction counts on the $TSHARK_PACKETS-packet prefix"
		valgrind --tool=callgrind --callgrind-out-file="$S/callgrind.floor" "$FLOOR" \
			"$S/prefix.pcap" >/dev/null 2>&1
		valgrind --tool=callgrind --callgrind-out-file="$S/callgrind.negcap" "$NEGCAP" \
			--json -r "$S/prefix.pcap" >/dev/null 2>&1
		irf=$(callgrind_annotate "$S/callgrind.floor" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }')
		irn=$(callgrind_annotate "$S/callgrind.negcap" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }')
		PROFILE_BLOCK="$PROFILE_BLOCK
callgrind on the first $TSHARK_PACKETS packets: floor $irf instructions, negcap --json $irn instructions ($(awk -v a="$irf" -v b="$irn" -v p="$TSHARK_PACKETS" 'BEGIN { printf "%.0f vs %.0f per packet, floor/negcap = %.2f", a / p, b / p, a / b }'))
\`\`\`
$(callgrind_annotate "$S/callgrind.negcap" 2>/dev/null | sed -n '/^Ir/,$p' | grep -v '^-' | head -25)
\`\`\`
"
	fi
fi

# ------------------------------------------------------------------ report
read -r FW FC FR _ <<<"$(best floor)"
read -r TW TC TR _ <<<"$(best negcap_text)"
read -r JW JC JR _ <<<"$(best negcap_json)"
read -r DW DC DR _ <<<"$(best tcpdump)"
read -r SW SC SR _ <<<"$(best tshark)"
read -r PW _ _ _ <<<"$(best negcap_prefix)"
read -r QW QC _ _ <<<"$(best floor_prefix)"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

row() { # name wall cpu rss packets bytes floorwall floorcpu
	awk -v n="$1" -v w="$2" -v c="$3" -v r="$4" -v p="$5" -v b="$6" -v fw="$7" -v fc="$8" 'BEGIN {
		printf "| %s | %.2f M | %.0f | %.2f s | %.2f M | %.2f s | %.1f MiB | %.2f | %.2f |\n",
			n, p / w / 1e6, b / w / 1e6, w, p / c / 1e6, c, r, fw / w, fc / c }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# negcap/floor: throughput ratio = floor time / negcap time.  tshark: its prefix rate.
NF_WALL=$(ratio "$FW" "$JW")
NF_CPU=$(ratio "$FC" "$JC")
TSHARK_PPS=$(awk -v p="$TSHARK_PACKETS" -v w="$SW" 'BEGIN { printf "%.0f", p / w }')
TSHARK_PPS_CPU=$(awk -v p="$TSHARK_PACKETS" -v c="$SC" 'BEGIN { printf "%.0f", p / c }')
NEGCAP_PPS=$(awk -v p="$PKTS" -v w="$JW" 'BEGIN { printf "%.0f", p / w }')
NEGCAP_PPS_CPU=$(awk -v p="$PKTS" -v c="$JC" 'BEGIN { printf "%.0f", p / c }')
NT_WALL=$(ratio "$NEGCAP_PPS" "$TSHARK_PPS")
NT_CPU=$(ratio "$NEGCAP_PPS_CPU" "$TSHARK_PPS_CPU")
NT_SAME=$(ratio "$SW" "$PW")
RSS_BLOCK=""
[ -n "$RSS_LINES" ] && RSS_BLOCK="
Peak RSS of \`negcap --json -r\` on other sizes (target <= 64 MiB):

| capture | peak RSS | target | wall | findings check |
|---|---|---|---|---|
$RSS_LINES"
MAXRSS_ALL=$(printf '%s\n%s\n' "$TR" "$JR" | sort -n | tail -1)
if [ $DO_INPUTS -eq 1 ]; then
	read -r GW GC GR _ <<<"$(best floor_ng)"
	read -r NW NC NR _ <<<"$(best negcap_ng)"
	read -r ZW ZC ZR _ <<<"$(best zcat)"
	read -r XW XC XR _ <<<"$(best negcap_gz)"
	irow() { # case wall cpu rss ratio-wall ratio-cpu target verdict check
		printf '| %s | %s s | %s s | %s MiB | %s | %s | %s | %s | %s |\n' "$@"
	}
	LOAD_NOTE=""
	if awk -v l="${LOAD1%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
		LOAD_NOTE="
The load average was above the number of CPUs: the other processes' share of the CPUs
decides wall times, and a program with two threads gets more of it than the one-thread
floor, so the wall ratios flatter negcap; the CPU ratios are the fairer comparison here."
	fi
	R_PCAP_W=$(ratio "$FW" "$JW") R_PCAP_C=$(ratio "$FC" "$JC")
	R_NG_W=$(ratio "$GW" "$NW") R_NG_C=$(ratio "$GC" "$NC")
	R_GZ_W=$(ratio "$XW" "$ZW") R_GZ_C=$(ratio "$XC" "$ZC")
	INPUTS_BLOCK="Input formats (issue 12): the same $PKTS packets as pcap, as pcapng
(\`editcap -F pcapng\`, $(awk -v b="$NG_BYTES" 'BEGIN { printf "%.0f MB", b / 1e6 }')) and as .pcap.gz (\`gzip -1\`,
$(awk -v b="$GZ_BYTES" 'BEGIN { printf "%.0f MB", b / 1e6 }')); $ROUNDS interleaved rounds, best shown. Throughput ratios are reference
time / negcap time (higher is faster); the .gz ratio is negcap time / zcat time (lower is
faster). negcap reads a regular file ahead on a second thread (one core reads or
decompresses, the other analyses), so its wall time can beat its CPU time.$LOAD_NOTE

| case | wall | CPU user+sys | peak RSS | ratio (wall) | ratio (CPU) | target | verdict (wall) | findings check |
|---|---|---|---|---|---|---|---|---|
$(irow "floor (\`pcap_next_ex\` loop) on the pcap" "$FW" "$FC" "$FR" 1.00 1.00 "" "" "")
$(irow "\`negcap --json -r\` pcap" "$JW" "$JC" "$JR" "$R_PCAP_W x floor" "$R_PCAP_C x floor" ">= 0.8 x" "$(verdict "$R_PCAP_W" 0.8 ge)" "$CHECK_LINE")
$(irow "floor on the pcapng (libpcap)" "$GW" "$GC" "$GR" 1.00 1.00 "" "" "")
$(irow "\`negcap --json -r\` pcapng" "$NW" "$NC" "$NR" "$R_NG_W x floor" "$R_NG_C x floor" ">= 0.8 x" "$(verdict "$R_NG_W" 0.8 ge)" "$NG_CHECK")
$(irow "\`zcat FILE.pcap.gz > /dev/null\`" "$ZW" "$ZC" "$ZR" 1.00 1.00 "" "" "")
$(irow "\`negcap --json -r\` .pcap.gz" "$XW" "$XC" "$XR" "$R_GZ_W x zcat" "$R_GZ_C x zcat" "<= 1.25 x" "$(verdict "$R_GZ_W" 1.25 le)" "$GZ_CHECK")
"
	INPUTS_TARGETS="| negcap on pcap >= 0.8 x floor (issue 12) | $R_PCAP_W x (wall), $R_PCAP_C x (CPU) | $(verdict "$R_PCAP_W" 0.8 ge) (wall), $(verdict "$R_PCAP_C" 0.8 ge) (CPU) |
| negcap on pcapng >= 0.8 x floor on it | $R_NG_W x (wall), $R_NG_C x (CPU) | $(verdict "$R_NG_W" 0.8 ge) (wall), $(verdict "$R_NG_C" 0.8 ge) (CPU) |
| negcap on .pcap.gz <= 1.25 x zcat | $R_GZ_W x (wall), $R_GZ_C x (CPU) | $(verdict "$R_GZ_W" 1.25 le) (wall), $(verdict "$R_GZ_C" 1.25 le) (CPU) |
| peak RSS <= 64 MiB: pcap, pcapng, .pcap.gz | $JR, $NR, $XR MiB | $(verdict "$(printf '%s\n%s\n%s\n' "$JR" "$NR" "$XR" | sort -n | tail -1)" 64 le) |"
fi

BLOCK=$(cat <<EOF
### Benchmark ($(date -u +%Y-%m-%d), \`tests/bench/run.sh\`)

Machine: $MACHINE. Load average $LOAD0 before, $LOAD1 after (the machine is shared:
wall times carry that noise, CPU times less so).
Build: $CCV, $BUILD_TYPE${BUILD_FLAGS:+ ($BUILD_FLAGS)}. $TSV; $TDV.

Capture (\`gen_capture --seed $SEED --size $SIZE --packets $PACKETS\`): $PKTS packets,
$(awk -v b="$FILE_BYTES" 'BEGIN { printf "%.2f GiB (%.0f MB)", b / 1073741824, b / 1e6 }') of pcap,
${ACKPCT}% bare ACKs, $CONNS TCP connections, of which ${INSTANCES:-?} replays of the $NSAMPLES
samples (Negotiate/Kerberos/NTLM handshakes and KDC exchanges) under their own client
addresses; the rest is HTTP/1.x without authentication and opaque TLS-like traffic.
Page cache warm; $ROUNDS interleaved rounds (floor, negcap text, negcap JSON, tcpdump in the
first $TCPDUMP_ROUNDS only, tshark), best round shown. MB = 10^6 bytes of pcap file read.

| reader | packets/s (wall) | MB/s (wall) | wall | packets/s (CPU) | CPU user+sys | peak RSS | floor/x wall | floor/x CPU |
|---|---|---|---|---|---|---|---|---|
$(row "floor: libpcap \`pcap_next_ex\` loop" "$FW" "$FC" "$FR" "$PKTS" "$FILE_BYTES" "$FW" "$FC")
$(row "\`negcap -r\` (text report)" "$TW" "$TC" "$TR" "$PKTS" "$FILE_BYTES" "$FW" "$FC")
$(row "\`negcap --json -r\`" "$JW" "$JC" "$JR" "$PKTS" "$FILE_BYTES" "$FW" "$FC")
$(row "\`tcpdump -nr FILE > /dev/null\`" "$DW" "$DC" "$DR" "$PKTS" "$FILE_BYTES" "$FW" "$FC")
$(row "\`tshark -Y '$TSHARK_FILTER' -T fields\` (first $TSHARK_PACKETS packets only, scaled)" "$SW" "$SC" "$SR" "$TSHARK_PACKETS" "$PREFIX_BYTES" "$QW" "$QC")

(tshark's floor/x columns compare it with the floor on the same $TSHARK_PACKETS-packet prefix.)

| target | measured | verdict |
|---|---|---|
| negcap throughput >= 0.5 x floor | $NF_WALL x (wall), $NF_CPU x (CPU) | $(verdict "$NF_WALL" 0.5 ge) (wall), $(verdict "$NF_CPU" 0.5 ge) (CPU) |
| negcap throughput >= 20 x tshark | $NT_WALL x (wall), $NT_CPU x (CPU); on the same prefix $NT_SAME x | $(verdict "$NT_WALL" 20 ge) |
| peak RSS <= 64 MiB ($SIZE capture) | $MAXRSS_ALL MiB | $(verdict "$MAXRSS_ALL" 64 le) |
| findings exactly the embedded samples', same frames | $CHECK_LINE | $([ $CHECK_RC -eq 0 ] && echo met || echo MISSED) |
$(printf '%s\n%s\n' "$LIVE_TARGET" "$INPUTS_TARGETS" | sed '/^$/d')

negcap read $NEGCAP_PKTS packets; exit status text $TEXT_EXIT, JSON $JSON_EXIT (1 = findings of warning/error severity, as expected).
$RSS_BLOCK

$INPUTS_BLOCK

$LIVE_BLOCK
$PROFILE_BLOCK
EOF
)
bench_publish "$BLOCK" "$RESULTS"
[ $CHECK_RC -eq 0 ]
