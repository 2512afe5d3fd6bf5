#!/bin/sh
# Re-records every sample in samples/ from a fresh lab (tests/lab/lab.sh): one pcap per
# scenario of tests/lab/scenario.sh and tests/lab/https-scenario.sh, plus the TLS key log of
# each HTTPS sample.
# usage: samples/regenerate.sh [SCENARIO...]     (root)
# Runs in a private network namespace when it can (tests/lab/run-isolated.sh), so a lab or
# KDC on the host's port 88 does not matter. The frame numbers quoted in samples/README.md
# come from the committed captures: after a re-recording, check them with tshark.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$(cd "$HERE/../tests/lab" && pwd)
if [ -z "${NEGSCOPE_LAB_IN_NETNS:-}" ] && [ -z "${NEGSCOPE_LAB_NO_NETNS:-}" ]; then
	exec "$LAB/run-isolated.sh" "$HERE/regenerate.sh" "$@"
fi
DIR=$(mktemp -d /tmp/negscope-samples.XXXXXX)
trap '"$LAB/lab.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
"$LAB/lab.sh" start "$DIR"
list=${*:-$("$LAB/scenario.sh" --list) $("$LAB/https-scenario.sh" --list)}
for s in $list; do
	# the TLS and HTTP/2 scenarios of issue 13 have their own script
	run=scenario.sh
	case " $("$LAB/https-scenario.sh" --list | tr '\n' ' ') " in *" $s "*) run=https-scenario.sh ;; esac
	"$LAB/$run" "$DIR" "$s" "$DIR/$s.pcap"
	cp "$DIR/$s.pcap" "$HERE/$s.pcap"
	if [ -s "$DIR/$s.pcap.keylog" ]; then
		cp "$DIR/$s.pcap.keylog" "$HERE/$s.keylog"
	fi
	chmod 644 "$HERE/$s.pcap"
done
