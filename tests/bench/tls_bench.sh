#!/bin/bash
# tls_bench.sh - the HTTPS benchmark of issue 13 ("Speed"), in one command.
#
# Builds a >= 1 GiB capture of HTTPS only: the samples/https-*.pcap sessions replayed again
# and again by gen_capture under new client addresses, client ports and sequence numbers,
# payloads unchanged, so each copy keeps its ClientHello random and decrypts with the
# samples' key logs (NSS key logs map client random -> secrets).  Then, interleaved over
# --rounds rounds (best kept): the libpcap floor, `negcap --json --keylog`, `negcap --json`
# without keys, and the baseline negcap (default: the tree before TLS support) without
# keys, on the whole file; `tshark -o tls.keylog_file` decrypting the HTTP messages and
# auth headers on the first 1/--slice of the packets (tshark on the whole file takes too
# long and too much memory: its time is extrapolated linearly, and said so), with negcap
# on that same slice for a like-for-like ratio.  Checks that negcap, given the keys, shows
# as many HTTP messages as tshark on the slice.  Wall, CPU (user+sys) and peak RSS of each,
# with the load average when each ran (the machine is shared).  With --profile, callgrind
# instruction counts of negcap without keys against the baseline on the slice (independent
# of the load).  Prints a block for the README's BENCH section and writes it to the
# results file.
#
# usage: tests/bench/tls_bench.sh [--build DIR] [--scratch DIR] [--size S] [--slice N]
#          [--rounds N] [--inst-clients N] [--seed N] [--baseline REV | --no-baseline]
#          [--results FILE] [--profile] [--keep] [--quick]
#   --inst-clients N: the instances come from N client addresses (default 1000), as one
#     site's users; a client per instance makes per-client state grow with the file
#   --baseline REV: the negcap to compare the keyless run with, built from git REV into
#     BUILD/tls-baseline-REV (default: the parent of the commit that added TLS)
#   --quick: 128 MiB, 1 round, slice 4 (a smoke run of the script itself)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck disable=SC2034 # ME is used by benchlib.sh
ME=tls_bench.sh
# die, log, to_bytes, json_num, bench_build, machine_info, bench_usage, bench_publish
# shellcheck source=tests/bench/benchlib.sh
. "$HERE/benchlib.sh"
BUILD=$REPO/build-bench
SCRATCH=/tmp/negscope-tlsbench
SIZE=1G
SLICE=16
ROUNDS=2
INST_CLIENTS=1000
SEED=1
BASELINE=auto
RESULTS=auto
DO_PROFILE=0 KEEP=0

while [ $# -gt 0 ]; do
	case $1 in
	--size | --slice | --rounds | --build | --scratch | --inst-clients | --seed | --baseline | \
	--results)
		[ $# -ge 2 ] || die "$1 needs a value"
		# --inst-clients N sets INST_CLIENTS, and so on
		var=$(echo "${1#--}" | tr 'a-z-' 'A-Z_')
		printf -v "$var" '%s' "$2"
		shift ;;
	--no-baseline) BASELINE="" ;;
	--profile) DO_PROFILE=1 ;;
	--keep) KEEP=1 ;;
	--quick) SIZE=128M SLICE=4 ROUNDS=1 ;;
	-h|--help) bench_usage "$0" 27; exit 0 ;;
	*) bench_usage "$0" 27 >&2; die "unknown option $1" ;;
	esac
	shift
done
if [ "$RESULTS" = auto ]; then
	RESULTS=""
	[ -d "$REPO/../notes" ] && RESULTS=$(cd "$REPO/../notes" && pwd)/tls-bench-results.md
fi

for t in tshark editcap awk; do
	command -v $t >/dev/null || die "$t is not installed (.ci/install-deps installs it)"
done
[ "$DO_PROFILE" -eq 0 ] || command -v valgrind >/dev/null || die "--profile needs valgrind"

# ------------------------------------------------------------------ build
mkdir -p "$SCRATCH" || die "cannot create $SCRATCH"
S=$(cd "$SCRATCH" && pwd)
bench_build "$BUILD" "$REPO" "$S/build.log" negcap bench_tools
NEGCAP=$BUILD/capture/negcap
GEN=$BUILD/tests/bench/gen_capture
FLOOR=$BUILD/tests/bench/floor
BT=$BUILD/tests/bench/bench_time

BASE=""
BASE_DESC=""
if [ "$BASELINE" = auto ]; then
	# the commit that brought the TLS record layer; the baseline is its parent
	tls_commit=$(git -C "$REPO" log --format=%H -1 --grep='^negcap: TLS record layer' 2>/dev/null)
	[ -n "$tls_commit" ] || die "cannot find the TLS commit in git; give --baseline REV"
	BASELINE=$tls_commit^
fi
if [ -n "$BASELINE" ]; then
	rev=$(git -C "$REPO" rev-parse --short "$BASELINE" 2>/dev/null) ||
		die "--baseline $BASELINE is not a git revision"
	BASE_DIR=$BUILD/tls-baseline-$rev
	BASE=$BASE_DIR/build/capture/negcap
	if [ ! -x "$BASE" ]; then
		log "building the baseline negcap ($BASELINE = $rev) in $BASE_DIR"
		rm -rf "$BASE_DIR"
		mkdir -p "$BASE_DIR/src" || die "cannot create $BASE_DIR"
		git -C "$REPO" archive "$rev" | tar -x -C "$BASE_DIR/src" ||
			die "git archive $rev failed"
		{ cmake -S "$BASE_DIR/src" -B "$BASE_DIR/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
			cmake --build "$BASE_DIR/build" -j2 --target negcap; } >"$S/base.log" 2>&1 ||
			{ tail -20 "$S/base.log" >&2; die "baseline build failed"; }
	fi
	BASE_DESC="$rev ($(git -C "$REPO" log --format=%s -1 "$rev" | cut -c1-60))"
fi

cleanup() {
	if [ $KEEP -eq 0 ]; then
		rm -f "$S"/*.pcap "$S"/*.json "$S"/*.out "$S"/*.err "$S"/t.* "$S"/cg.* \
			"$S"/https.keylog "$S"/base.log
		rm -rf "$S/samples"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load1() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME CMD...: one measured run, appended to $S/t.NAME with the 1-minute load average
# read just before it
timed() {
	local name=$1 l
	shift
	l=$(load1)
	"$BT" -o "$S/t.$name" "$@"
	sed -i "\$ s/\$/ load=$l/" "$S/t.$name"
}
# best NAME -> "wall cpu rss_mib load exit" of the round with the shortest wall time, but
# the smallest CPU time of all rounds and the largest RSS
best() {
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	       c = v["user_s"] + v["sys_s"]
	       if (NR == 1 || v["wall_s"] < bw) { bw = v["wall_s"]; bl = v["load"]; be = v["exit"] }
	       if (NR == 1 || c < mc) mc = c
	       if (v["maxrss_kib"] > rss) rss = v["maxrss_kib"] }
	     END { printf "%.3f %.3f %.1f %s %s\n", bw, mc, rss / 1024, bl, be }' "$S/t.$1"
}
loads() { # NAME -> the load averages of its rounds, "a, b"
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^load=/) { sub(/load=/, "", $i); l = l (NR > 1 ? ", " : "") $i } }
	     END { print l }' "$S/t.$1"
}

# ------------------------------------------------------------------ machine
machine_info "$BUILD"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ the capture
mkdir -p "$S/samples"
rm -f "$S"/samples/*
for f in "$REPO"/samples/https-*.pcap; do
	[ -s "${f%.pcap}.keylog" ] || continue
	ln -s "$f" "$S/samples/"
	cat "${f%.pcap}.keylog"
done >"$S/https.keylog"
NSAMPLES=$(find "$S/samples" -name '*.pcap' | wc -l)
[ "$NSAMPLES" -gt 0 ] || die "no samples/https-*.pcap with a key log"
SIZE_B=$(to_bytes "$SIZE")
avail=$(df -P -B1 "$S" | awk 'NR == 2 { print $4 }')
[ "$avail" -gt $((SIZE_B + SIZE_B / 4 + (1 << 30))) ] ||
	die "not enough disk in $S: $avail bytes free, $SIZE plus a slice plus 1 GiB needed"
log "generating the HTTPS capture ($SIZE of $NSAMPLES samples, $INST_CLIENTS clients, seed $SEED)"
"$GEN" -o "$S/tls.pcap" -S "$S/samples" --size "$SIZE" --packets 0 --embed-every 1 \
	--inst-clients "$INST_CLIENTS" --seed "$SEED" 2>"$S/gen.err" ||
	{ cat "$S/gen.err" >&2; die "gen_capture failed"; }
GENLINE=$(tail -1 "$S/gen.err")
echo "$GENLINE" >&2
FILE_BYTES=$(stat -c %s "$S/tls.pcap")
CONNS=$(echo "$GENLINE" | sed -n 's/.* \([0-9]*\) TCP connections.*/\1/p')
INSTANCES=$(echo "$GENLINE" | sed -n 's/.* in \([0-9]*\) sample instances.*/\1/p')
PKTS=$("$FLOOR" "$S/tls.pcap" | tr ' ' '\n' | sed -n 's/^packets=//p')
[ -n "$PKTS" ] || die "the floor program printed no packet count"
SLICE_PKTS=$((PKTS / SLICE))
log "cutting the first $SLICE_PKTS packets (1/$SLICE) for tshark"
editcap -r "$S/tls.pcap" "$S/slice.pcap" "1-$SLICE_PKTS" || die "editcap failed"
SLICE_BYTES=$(stat -c %s "$S/slice.pcap")
cat "$S/tls.pcap" "$S/slice.pcap" >/dev/null # warm the page cache

# tshark decrypting and dissecting what negcap reads: HTTP messages, their auth headers,
# Kerberos and NTLMSSP (the lab's TLS ports told, as t_https_oracle does)
# shellcheck disable=SC2054 # the commas belong to the -d arguments
TSHARK_ARGS=(-n -o "tls.keylog_file:$S/https.keylog" -o http.desegment_body:FALSE
	-d tcp.port==5443,tls -d tcp.port==5444,tls -d tcp.port==5445,tls -d tcp.port==5446,tls
	-d tcp.port==5448,tls
	-Y 'http.request or http.response or http2.headers.method or http2.headers.status or kerberos or ntlmssp'
	-T fields -E occurrence=a -E aggregator='|' -e frame.number -e http.request.method
	-e http.response.code -e http2.headers.method -e http2.headers.status
	-e http.authorization -e http.www_authenticate -e kerberos.msg_type
	-e ntlmssp.messagetype)

# ------------------------------------------------------------------ rounds
rm -f "$S"/t.*
for r in $(seq 1 "$ROUNDS"); do
	log "round $r/$ROUNDS: floor"
	timed floor "$FLOOR" "$S/tls.pcap" >/dev/null
	log "round $r/$ROUNDS: negcap --json --keylog"
	timed keys "$NEGCAP" --json --keylog "$S/https.keylog" -r "$S/tls.pcap" \
		>"$S/keys.json" 2>"$S/keys.err"
	log "round $r/$ROUNDS: negcap --json (no keys)"
	timed nokeys "$NEGCAP" --json -r "$S/tls.pcap" >"$S/nokeys.json" 2>"$S/nokeys.err"
	if [ -n "$BASE" ]; then
		log "round $r/$ROUNDS: baseline negcap --json (no keys)"
		timed base "$BASE" --json -r "$S/tls.pcap" >"$S/base.json" 2>"$S/base.err"
	fi
	log "round $r/$ROUNDS: negcap --json --keylog on the slice"
	timed keys_slice "$NEGCAP" --json --keylog "$S/https.keylog" -r "$S/slice.pcap" \
		>"$S/keys_slice.json" 2>/dev/null
	if [ "$r" -eq 1 ]; then
		log "round $r/$ROUNDS: tshark -o tls.keylog_file on the slice (first round only)"
		timed tshark tshark -r "$S/slice.pcap" "${TSHARK_ARGS[@]}" >"$S/tshark.out" \
			2>"$S/tshark.err"
	fi
done

# ------------------------------------------------------------------ correctness
# HTTP messages on the slice: tshark's (requests and responses, HTTP/1 and HTTP/2) against
# negcap's count of HTTP messages with the same keys.
TS_MSGS=$(awk -F'\t' '{ n = 0
	for (i = 2; i <= 5; i++) if ($i != "") n += split($i, x, "|")
	t += n } END { print t + 0 }' "$S/tshark.out")
NC_MSGS=$(tail -1 "$S/keys_slice.json" | grep -o '"http":[0-9]*' | head -1 | cut -d: -f2)
TLS_CONNS=$(json_num "$S/keys.json" connections)
TLS_DEC=$(json_num "$S/keys.json" decrypted_connections)
TLS_FAIL=$(json_num "$S/keys.json" decrypt_failures)
HTTP_KEYS=$(tail -1 "$S/keys.json" | grep -o '"http":[0-9]*' | head -1 | cut -d: -f2)
HTTP_NOKEYS=$(tail -1 "$S/nokeys.json" | grep -o '"http":[0-9]*' | head -1 | cut -d: -f2)

# ------------------------------------------------------------------ profile
PROFILE_BLOCK=""
if [ $DO_PROFILE -eq 1 ]; then
	ir() { # out-file command... -> total instructions
		valgrind --tool=callgrind --callgrind-out-file="$1" "${@:2}" >/dev/null 2>&1
		callgrind_annotate "$1" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }'
	}
	log "profile: callgrind of negcap without keys on the slice"
	IR_NOKEYS=$(ir "$S/cg.nokeys" "$NEGCAP" --json -r "$S/slice.pcap")
	IR_KEYS=$(ir "$S/cg.keys" "$NEGCAP" --json --keylog "$S/https.keylog" -r "$S/slice.pcap")
	IR_BASE=""
	if [ -n "$BASE" ]; then
		log "profile: callgrind of the baseline on the slice"
		IR_BASE=$(ir "$S/cg.base" "$BASE" --json -r "$S/slice.pcap")
	fi
	per() { awk -v a="$1" -v p="$SLICE_PKTS" 'BEGIN { if (a == "") print "-"; else printf "%.0f", a / p }'; }
	PROFILE_BLOCK="Instructions on the $SLICE_PKTS-packet slice (callgrind; independent of the load):
negcap without keys $IR_NOKEYS ($(per "$IR_NOKEYS") per packet), with keys $IR_KEYS
($(per "$IR_KEYS") per packet)${IR_BASE:+, baseline without keys $IR_BASE ($(per "$IR_BASE") per packet):
without keys / baseline = $(awk -v a="$IR_NOKEYS" -v b="$IR_BASE" 'BEGIN { printf "%.2f", a / b }')}.
Top of negcap without keys (self, by function):
\`\`\`
$(callgrind_annotate "$S/cg.nokeys" 2>/dev/null | sed -n '/^Ir/,$p' | grep -v '^-' | sed -n '2,16p')
\`\`\`
"
fi

# ------------------------------------------------------------------ report
read -r FW FC FR FL _ <<<"$(best floor)"
read -r KW KC KR KL KE <<<"$(best keys)"
read -r NW NC NR NL NE <<<"$(best nokeys)"
read -r SKW SKC SKR SKL _ <<<"$(best keys_slice)"
read -r TW TC TR TL _ <<<"$(best tshark)"
if [ -n "$BASE" ]; then
	read -r BW BC BR BL _ <<<"$(best base)"
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { if (d == "le") print (v <= t ? "met" : "MISSED"); else print (v >= t ? "met" : "MISSED") }'; }
row() { # name wall cpu rss load-of-best loads-all bytes packets
	awk -v n="$1" -v w="$2" -v c="$3" -v r="$4" -v l="$5" -v la="$6" -v b="$7" -v p="$8" 'BEGIN {
		printf "| %s | %.2f s | %.2f s | %.1f MiB | %.0f MB/s | %.2f M/s | %s (%s) |\n",
			n, w, c, r, b / w / 1e6, p / c / 1e6, l, la }'
}
# tshark on the whole file, extrapolated linearly from the slice by packets
TX_W=$(awk -v t="$TW" -v s="$SLICE" 'BEGIN { printf "%.1f", t * s }')
TX_C=$(awk -v t="$TC" -v s="$SLICE" 'BEGIN { printf "%.1f", t * s }')
R_TS_W=$(ratio "$TX_W" "$KW")
R_TS_C=$(ratio "$TX_C" "$KC")
R_TS_SLICE_W=$(ratio "$TW" "$SKW")
R_TS_SLICE_C=$(ratio "$TC" "$SKC")
MAXRSS=$(printf '%s\n%s\n' "$KR" "$NR" | sort -n | tail -1)
BASE_ROWS=""
BASE_TARGET=""
if [ -n "$BASE" ]; then
	R_NB_C=$(ratio "$NC" "$BC")
	R_NB_W=$(ratio "$NW" "$BW")
	BASE_ROWS=$(row "baseline \`negcap --json -r\` (no keys), $BASE_DESC" "$BW" "$BC" "$BR" "$BL" "$(loads base)" "$FILE_BYTES" "$PKTS")
	BASE_TARGET="| without keys no dearer than before TLS support (CPU time; noise about 5%) | $R_NB_C x the baseline's CPU, $R_NB_W x its wall | $(verdict "$R_NB_C" 1.05 le) |"
fi
CHECK_VERDICT=$([ -n "$NC_MSGS" ] && [ "$NC_MSGS" = "$TS_MSGS" ] && echo met || echo MISSED)

BLOCK=$(cat <<EOF
### HTTPS benchmark ($(date -u +%Y-%m-%d), \`tests/bench/tls_bench.sh\`, issue 13)

Machine: $MACHINE. Load average $LOAD0 before, $LOAD1 after; the 1-minute load average when
each program ran is in the last column (best round first, then every round): on 2 vCPUs
shared with other sessions, wall times carry that noise, CPU times much less.
Build: $CCV, RelWithDebInfo. $TSV.

Capture (\`gen_capture --embed-every 1 --inst-clients $INST_CLIENTS --size $SIZE --seed $SEED\`):
$PKTS packets, $(awk -v b="$FILE_BYTES" 'BEGIN { printf "%.2f GiB (%.0f MB)", b / 1073741824, b / 1e6 }') of pcap, HTTPS only: $CONNS TCP connections in
$INSTANCES copies of the $NSAMPLES \`samples/https-*.pcap\` sessions with a key log (TLS 1.2 GCM,
ChaCha20, CBC-SHA/256/384, TLS 1.3, NTLM, Kerberos with its KDC exchanges, a TLS-terminating
proxy, an h2 -> HTTP/1.1 downgrade), each copy under one of $INST_CLIENTS client addresses with
its own ports and sequence numbers, payloads (so client randoms) unchanged: the samples' key
logs, concatenated ($(wc -l <"$S/https.keylog") lines), decrypt every copy. $ROUNDS interleaved rounds, best shown.

| program | wall | CPU user+sys | peak RSS | MB/s (wall) | packets/s (CPU) | load average (all rounds) |
|---|---|---|---|---|---|---|
$(row "floor: libpcap \`pcap_next_ex\` loop" "$FW" "$FC" "$FR" "$FL" "$(loads floor)" "$FILE_BYTES" "$PKTS")
$(row "\`negcap --json --keylog K -r\`" "$KW" "$KC" "$KR" "$KL" "$(loads keys)" "$FILE_BYTES" "$PKTS")
$(row "\`negcap --json -r\` (no keys)" "$NW" "$NC" "$NR" "$NL" "$(loads nokeys)" "$FILE_BYTES" "$PKTS")
$BASE_ROWS
$(row "\`negcap --json --keylog K\` on the 1/$SLICE slice ($SLICE_PKTS packets)" "$SKW" "$SKC" "$SKR" "$SKL" "$(loads keys_slice)" "$SLICE_BYTES" "$SLICE_PKTS")
$(row "\`tshark -o tls.keylog_file:K -Y 'http… or kerberos or ntlmssp' -T fields\` on the 1/$SLICE slice" "$TW" "$TC" "$TR" "$TL" "$(loads tshark)" "$SLICE_BYTES" "$SLICE_PKTS")
| tshark on the whole file: **extrapolated** linearly from the slice (x $SLICE) | $TX_W s | $TX_C s | - | | | |

| target | measured | verdict |
|---|---|---|
| negcap with keys >= 10 x tshark with the same keys | $R_TS_W x (wall), $R_TS_C x (CPU) against tshark extrapolated; $R_TS_SLICE_W x (wall), $R_TS_SLICE_C x (CPU) on the same slice | $(verdict "$R_TS_C" 10 ge) (CPU), $(verdict "$R_TS_W" 10 ge) (wall); on the slice $(verdict "$R_TS_SLICE_C" 10 ge) (CPU) |
| peak RSS <= 64 MiB | $KR MiB with keys, $NR MiB without | $(verdict "$MAXRSS" 64 le) |
$BASE_TARGET
| negcap shows tshark's HTTP messages (slice) | tshark $TS_MSGS, negcap $NC_MSGS | $CHECK_VERDICT |

With keys negcap decrypted $TLS_DEC of $TLS_CONNS TLS connections (${TLS_FAIL:-0} records failed to authenticate) and read $HTTP_KEYS HTTP messages; without keys $HTTP_NOKEYS. Exit status with keys $KE, without $NE (1 = findings of warning/error severity, as expected).

$PROFILE_BLOCK
EOF
)
bench_publish "$BLOCK" "$RESULTS"
[ "$CHECK_VERDICT" = met ]
