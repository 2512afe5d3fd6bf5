# benchlib.sh - helpers shared by the benchmark scripts (run.sh, tls_bench.sh); sourced.
# shellcheck shell=bash disable=SC2034
# The sourcing script sets ME (its name, for messages) before using them.

die() { echo "$ME: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

bench_usage() { # SCRIPT LAST-LINE: the script's opening comment, lines 2 to LAST-LINE
	sed -n "2,$2p" "$1" | sed 's/^# \{0,1\}//'
}

to_bytes() { # 2G -> bytes
	awk -v s="$1" 'BEGIN { n = s + 0; u = toupper(substr(s, length(s)));
		if (u == "K") n *= 1024; else if (u == "M") n *= 1048576;
		else if (u == "G") n *= 1073741824; printf "%d\n", n }'
}

json_num() { # file key -> first "key":number in the file's last line
	tail -1 "$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2
}

# bench_build BUILD REPO LOG TARGET...: configures BUILD (RelWithDebInfo) when it is not yet,
# and builds the targets, the output in LOG (shown on failure)
bench_build() {
	local build=$1 repo=$2 blog=$3
	shift 3
	if [ ! -f "$build/CMakeCache.txt" ]; then
		log "configuring $build (RelWithDebInfo)"
		cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
			die "cmake configure failed"
	fi
	log "building $* in $build"
	cmake --build "$build" -j2 --target "$@" >"$blog" 2>&1 ||
		{ tail -20 "$blog" >&2; die "build failed (log: $blog)"; }
	rm -f "$blog"
}

# machine_info BUILD: sets MACHINE (CPU, RAM, OS, kernel), CCV (the compiler) and TSV
# (tshark's version)
machine_info() {
	local cpu mem os cc
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	# shellcheck disable=SC1091
	os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
	MACHINE="$(nproc) vCPU $cpu, $mem RAM, $os, Linux $(uname -r)"
	cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$1/CMakeCache.txt")
	CCV=$($cc --version | head -1)
	TSV=$(tshark --version 2>/dev/null | head -1)
}

# bench_publish BLOCK RESULTS-FILE: the Markdown block on stdout, and into the file if one
bench_publish() {
	echo
	echo "$1"
	if [ -n "$2" ]; then
		{ echo "$1"; echo; } >"$2" && log "results written to $2"
	fi
}
