#!/bin/sh
# Re-records every sample in samples/ from a fresh lab (tests/lab/lab.sh): one pcap per
# scenario of tests/lab/scenario.sh and tests/lab/https-scenario.sh, plus the TLS key log of
# each HTTPS sample; the ad-* samples from a fresh AD lab (tests/lab/ad/ad.sh,
# tests/lab/ad/ad-scenario.sh).
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
ADDIR=$DIR/ad
trap '"$LAB/lab.sh" stop "$DIR" >/dev/null 2>&1 || true; "$LAB/ad/ad.sh" stop "$ADDIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
list=${*:-$("$LAB/scenario.sh" --list) $("$LAB/https-scenario.sh" --list) $("$LAB/ad/ad-scenario.sh" --list)}
# The server's keytab beside its capture (negcap --keytab): lab keys, made for the lab only,
# so committing them gives nothing away. kerberos-ok also gets the two keytabs that do not
# fit its ticket: the same principal as RC4 only, and another principal's.
server_keytabs() { # scenario
	case $1 in
	kerberos-ok) kt=crm
		cp "$DIR/keytabs/crm-rc4-only.keytab" "$HERE/rc4-only.keytab"
		cp "$DIR/keytabs/sales.keytab" "$HERE/other-principal.keytab"
		chmod 644 "$HERE/rc4-only.keytab" "$HERE/other-principal.keytab" ;;
	stale-keytab) kt=stale ;;
	wrong-key) kt=wrongkey ;;
	delegation-ok) kt=deleg ;;
	iis-ap-err-modified) kt=iis ;;
	*) return 0 ;;
	esac
	cp "$DIR/keytabs/$kt.keytab" "$HERE/$1.keytab"
	chmod 644 "$HERE/$1.keytab"
}
# the ad-* samples come from the AD lab (tests/lab/ad/ad.sh, 127.0.0.2), the others from
# the MIT lab; each lab is started only when a sample of it is asked for
mit="" ad=""
for s in $list; do
	case $s in ad-*) ad="$ad $s" ;; *) mit="$mit $s" ;; esac
done
if [ -n "$ad" ]; then
	sh "$LAB/ad/ad.sh" start "$ADDIR"
	for s in $ad; do
		sh "$LAB/ad/ad-scenario.sh" "$ADDIR" "$s" "$DIR/$s.pcap"
		cp "$DIR/$s.pcap" "$HERE/$s.pcap"
		chmod 644 "$HERE/$s.pcap"
	done
fi
[ -n "$mit" ] || exit 0
"$LAB/lab.sh" start "$DIR"
for s in $mit; do
	# the TLS and HTTP/2 scenarios of issue 13 have their own script
	run=scenario.sh
	case " $("$LAB/https-scenario.sh" --list | tr '\n' ' ') " in *" $s "*) run=https-scenario.sh ;; esac
	"$LAB/$run" "$DIR" "$s" "$DIR/$s.pcap"
	cp "$DIR/$s.pcap" "$HERE/$s.pcap"
	if [ -s "$DIR/$s.pcap.keylog" ]; then
		cp "$DIR/$s.pcap.keylog" "$HERE/$s.keylog"
	fi
	chmod 644 "$HERE/$s.pcap"
	server_keytabs "$s"
done
