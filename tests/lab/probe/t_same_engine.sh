#!/bin/sh
# One engine for both programs: negprobe judges its legs with negcap's rules, so on the
# same run negprobe's own findings (not the ones --capture folds in from the wire, marked
# seen_on) and negcap's findings on the capture of that run (-w) carry the same warning and
# error ids, with the same evidence.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
NEGCAP=$NEGSCOPE_BUILD_DIR/capture/negcap
[ -x "$NEGCAP" ] || { echo "SKIP: $NEGCAP not built" >&2; exit 77; }
OUT=$LABDIR/same-engine
mkdir -p "$OUT"

# problems FILE [probe]: sorted warning/error ids; with `probe`, the probe's own only
problems() {
	jq -r --arg who "${2:-}" 'select(.type == "finding" and (.severity == "warning" or
		.severity == "error") and ($who == "" or .seen_on == null)) | .id' "$1" |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}
same() { # name expected-ids url [negprobe args...]
	n=$1 want=$2
	shift 2
	np --json --capture lo -w "$OUT/$n.pcap" "$@" >"$OUT/$n.probe.jsonl" 2>"$OUT/$n.err"
	"$NEGCAP" --json -r "$OUT/$n.pcap" >"$OUT/$n.negcap.jsonl" 2>>"$OUT/$n.err"
	p=$(problems "$OUT/$n.probe.jsonl" probe)
	c=$(problems "$OUT/$n.negcap.jsonl")
	echo "--- $n: negprobe: $p; negcap: $c"
	check "$n: negprobe's own findings are $want" eq "$p" "$want"
	check "$n: negcap on the capture of the run finds the same" eq "$c" "$want"
}
field() { # file id key
	jq -r --arg id "$2" "select(.type == \"finding\" and .id == \$id and .seen_on == null)
		| .$3 // empty" "$1" | head -1
}
present_eq() { [ -n "$1" ] || { echo "   no value" >&2; return 1; }; eq "$1" "$2"; }
same_field() { # name id key...: each key's value, present and equal in both reports
	n=$1 id=$2
	shift 2
	for k in "$@"; do
		p=$(field "$OUT/$n.probe.jsonl" "$id" "$k")
		c=$(field "$OUT/$n.negcap.jsonl" "$id" "$k")
		check "$n: $id $k is '$p' in both" present_eq "$p" "$c"
	done
}

# NTLM-only server: the first 401 offers no Negotiate
KRB5CCNAME=FILE:$LABDIR/no-such-ccache NEGPROBE_PASSWORD=$LAB_PASSWORD \
	same ntlm-only negotiate-not-offered -u "$LAB_NTLM_DOMAIN\\$LAB_USER" "$LAB_URL_NTLM_ONLY"
same_field ntlm-only negotiate-not-offered offered status

# keep-alive off: the 401 closes the connection
fresh_cc noka
same keepalive-off keepalive-missing "$LAB_URL_KEEPALIVE_OFF"
same_field keepalive-off keepalive-missing closed_by

# a stale keytab: the KRB-ERROR in the 401's token
fresh_cc stale
same stale-keytab krb-ap-err-modified "$LAB_URL_STALE_KEYTAB"
same_field stale-keytab krb-ap-err-modified error_code error_name spn kvno
lab_done
