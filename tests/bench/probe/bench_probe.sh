#!/bin/sh
# negprobe benchmark: what the explained handshake costs over curl's silent one.
#   1. per check: N sequential runs of `negprobe URL` vs `curl --anyauth --negotiate -u : URL`
#      against the lab's Apache + mod_auth_gssapi (Kerberos, mutual auth, warm ccache);
#   2. many targets: `negprobe --targets` with M URLs (one multi handle, --parallel P)
#      vs a sequential shell loop of curl over the same URLs;
#   3. slow targets: 6 HTTPS targets whose TLS fails (tests/hostile/hostile_server.py
#      tls-garbage: garbage, then silence) with --timeout 1 --parallel 16 (issue 16: < 2 s);
#   4. where a check's time goes: process start and exit (`negprobe --version`), the
#      credential set-up with no HTTP (a URL whose connection is refused), against the
#      whole check;
#   5. with valgrind: the instructions of one check of each (callgrind), which unlike wall
#      times do not move with the machine's load.
# Prints wall times and the ratios measured in this run, and the load average around it.
# Loopback only.
# usage: bench_probe.sh [N=50] [M=200] [P=8]   (root: the lab binds port 88)
set -u
N=${1:-50}
M=${2:-200}
P=${3:-8}
. "$(cd "$(dirname "$0")/../../lab" && pwd)/testlib.sh"
lab_require
lab_start >/dev/null 2>&1
NEGPROBE=${NEGPROBE:-$NEGSCOPE_BUILD_DIR/probe/negprobe}
[ -x "$NEGPROBE" ] || { echo "bench_probe: build negprobe first ($NEGPROBE)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench_probe: curl missing" >&2; exit 1; }

RES=""
for e in $LAB_RESOLVE_LIST; do RES="$RES --resolve $e"; done
URL=$LAB_URL_KERBEROS_OK
KRB5CCNAME=FILE:$LABDIR/bench.ccache
export KRB5CCNAME
printf '%s\n' "$LAB_PASSWORD" | kinit "$LAB_PRINCIPAL" >/dev/null 2>&1 || { echo "kinit failed" >&2; exit 1; }

now_ns() { date +%s%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(load)
ms() { echo "$1" | awk '{printf "%.1f", $1 / 1e6}'; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }'; }

# the same outcome first: both authenticate (and warm the service ticket in the ccache)
# shellcheck disable=SC2086
code=$(curl -s -o /dev/null -w '%{http_code}' --anyauth --negotiate -u : $RES "$URL")
[ "$code" = 200 ] || { echo "bench_probe: curl got $code, not 200" >&2; exit 1; }
# shellcheck disable=SC2086
"$NEGPROBE" $RES --expect kerberos --expect mutual "$URL" >/dev/null ||
	{ echo "bench_probe: negprobe did not authenticate" >&2; exit 1; }

# 1. per check: the three commands take turns, so load drift hits them alike
c_ns=0
t_ns=0
j_ns=0
i=0
while [ $i -lt "$N" ]; do
	t0=$(now_ns)
	# shellcheck disable=SC2086
	curl -s -o /dev/null --anyauth --negotiate -u : $RES "$URL" || exit 1
	t1=$(now_ns)
	# shellcheck disable=SC2086
	"$NEGPROBE" $RES --no-color "$URL" >/dev/null || exit 1
	t2=$(now_ns)
	# shellcheck disable=SC2086
	"$NEGPROBE" $RES --json "$URL" >/dev/null || exit 1
	t3=$(now_ns)
	c_ns=$((c_ns + t1 - t0))
	t_ns=$((t_ns + t2 - t1))
	j_ns=$((j_ns + t3 - t2))
	i=$((i + 1))
done
curl_one=$((c_ns / N))
np_one=$((t_ns / N))
npj_one=$((j_ns / N))

# 2. many targets (distinct URLs on the same site, as a site inventory would be)
T=$LABDIR/targets.txt
: >"$T"
i=0
while [ $i -lt "$M" ]; do
	echo "$URL?page=$i" >>"$T"
	i=$((i + 1))
done
t0=$(now_ns)
while read -r u; do
	# shellcheck disable=SC2086
	curl -s -o /dev/null --anyauth --negotiate -u : $RES "$u" || exit 1
done <"$T"
t1=$(now_ns)
# shellcheck disable=SC2086
"$NEGPROBE" $RES --json --parallel "$P" --targets "$T" >"$LABDIR/targets.jsonl"
rc=$?
t2=$(now_ns)
# shellcheck disable=SC2086
"$NEGPROBE" $RES --json --parallel 1 --targets "$T" >/dev/null
t3=$(now_ns)
okcount=$(grep -c '"type":"result","target":"[^"]*","ok":true' "$LABDIR/targets.jsonl")
loop_ns=$((t1 - t0))
par_ns=$((t2 - t1))
seq_ns=$((t3 - t2))

# 3. slow targets: TLS garbage then silence, 6 targets at once
SLOWPORT_FILE=$LABDIR/hostile.port
python3 "$NEGSCOPE_SRC_DIR/tests/hostile/hostile_server.py" tls-garbage --lifetime 60 \
	--garbage-conns 1000 >"$SLOWPORT_FILE" 2>/dev/null &
HOSTILE_PID=$!
# lab_cleanup exits with the status it is entered with: the script's, not that of a kill
# of the server part 3 already stopped
stop_all() {
	st=$?
	kill "$HOSTILE_PID" 2>/dev/null
	(exit "$st")
	lab_cleanup
}
trap stop_all EXIT
wait_for 30 "the hostile server's port" test -s "$SLOWPORT_FILE" || exit 1
SP=$(head -1 "$SLOWPORT_FILE")
S=$LABDIR/slow.txt
for i in 1 2 3 4 5 6; do echo "https://127.0.0.1:$SP/?n=$i"; done >"$S"
t0=$(now_ns)
"$NEGPROBE" --json --timeout 1 --parallel 16 --targets "$S" >"$LABDIR/slow.jsonl"
src=$?
t1=$(now_ns)
slow_ns=$((t1 - t0))
slowcount=$(grep -c '"type":"result"' "$LABDIR/slow.jsonl")
kill "$HOSTILE_PID" 2>/dev/null

# 4. where the time of one check goes (means of N runs)
v_ns=0
r_ns=0
i=0
while [ $i -lt "$N" ]; do
	t0=$(now_ns)
	"$NEGPROBE" --version >/dev/null
	t1=$(now_ns)
	# a refused connection: process start, options, credentials (ccache read), curl set-up
	"$NEGPROBE" --json "http://127.0.0.1:9/" >/dev/null
	t2=$(now_ns)
	v_ns=$((v_ns + t1 - t0))
	r_ns=$((r_ns + t2 - t1))
	i=$((i + 1))
done
v_one=$((v_ns / N))
r_one=$((r_ns / N))
load_end=$(load)

# 5. instructions of one check (the service ticket is in the ccache: the same work as above)
instructions() { # command...: prints the instruction count callgrind collected
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
if command -v valgrind >/dev/null; then
	# shellcheck disable=SC2086
	c_ir=$(instructions curl -s -o /dev/null --anyauth --negotiate -u : $RES "$URL")
	# shellcheck disable=SC2086
	np_ir=$(instructions "$NEGPROBE" $RES --no-color "$URL")
	# shellcheck disable=SC2086
	npj_ir=$(instructions "$NEGPROBE" $RES --json "$URL")
fi

echo "negprobe benchmark ($(nproc) CPUs, $(uname -r), lab on 127.0.0.1, $(curl --version | head -1 | cut -d' ' -f1-2))"
echo "load average (1, 5, 15 min) at the start $load_start, at the end of part 4 $load_end"
echo "per check, mean of $N sequential runs (process start included):"
echo "  curl --anyauth --negotiate -u :   $(ms $curl_one) ms"
echo "  negprobe (text report)            $(ms $np_one) ms   ratio $(ratio $np_one $curl_one)"
echo "  negprobe --json                   $(ms $npj_one) ms   ratio $(ratio $npj_one $curl_one)"
echo "$M targets:"
echo "  sequential curl loop              $(ms $loop_ns) ms"
echo "  negprobe --targets --parallel $P   $(ms $par_ns) ms   ratio $(ratio $par_ns $loop_ns)   ($okcount/$M ok, exit $rc)"
echo "  negprobe --targets --parallel 1   $(ms $seq_ns) ms   ratio $(ratio $seq_ns $loop_ns)"
echo "6 HTTPS targets, TLS garbage then silence, --timeout 1 --parallel 16:"
echo "  negprobe --targets                $(ms $slow_ns) ms   ($slowcount/6 results, exit $src)"
echo "where one check's time goes (means of $N runs):"
echo "  negprobe --version (start, exit)  $(ms $v_one) ms"
echo "  refused URL (+ credentials, curl) $(ms $r_one) ms"
echo "  whole check (text report)         $(ms $np_one) ms"
if [ -n "${c_ir:-}" ]; then
	mi() { echo "$1" | awk '{printf "%.2f", $1 / 1e6}'; }
	echo "instructions of one check (valgrind --tool=callgrind):"
	echo "  curl --anyauth --negotiate -u :   $(mi "$c_ir") M"
	echo "  negprobe (text report)            $(mi "$np_ir") M   ratio $(ratio "$np_ir" "$c_ir")"
	echo "  negprobe --json                   $(mi "$npj_ir") M   ratio $(ratio "$npj_ir" "$c_ir")"
else
	echo "instructions: valgrind not installed, not measured"
fi
