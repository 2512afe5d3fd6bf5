#!/bin/sh
# Sets the KDC time offset (seconds) in an MIT FILE ccache, version 4 header:
# 05 04 | header length | tag 0001 (DeltaTime) length 0008 | offset s (4) | offset us (4).
# With kdc_timesync (the default) libkrb5 adds this offset to the clock for every request
# that uses the ccache: the same as a client clock that is that many seconds off.
# usage: ccache-offset.sh CCACHE-FILE SECONDS (0 <= SECONDS < 2^31)
set -eu
[ $# -eq 2 ] || { echo "usage: ccache-offset.sh CCACHE-FILE SECONDS" >&2; exit 2; }
f=$1
s=$2
hdr=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
[ "$hdr" = "0504000c00010008" ] || {
	echo "ccache-offset.sh: $f is not a v4 FILE ccache with a DeltaTime header ($hdr)" >&2
	exit 1
}
# shellcheck disable=SC2059
printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((s >> 24 & 255)) $((s >> 16 & 255)) \
	$((s >> 8 & 255)) $((s & 255)))" |
	dd of="$f" bs=1 seek=8 count=4 conv=notrunc status=none
