# Helpers for negprobe lab tests; source after tests/lab/testlib.sh and lab_start.
#   np ARGS...          run negprobe with the lab's --resolve mappings (stdout: its output)
#   fresh_cc NAME       a new ccache holding alice's TGT, exported as KRB5CCNAME
#   jqr FILE FILTER     jq -r over the `result` record of a JSON-lines file
#   ids FILE            the finding ids of a JSON-lines file, sorted, space separated
#   has_id FILE ID      true when FILE has a finding with that id
#   password_only NAME  OUT=$LABDIR/NAME; no ccache, no NTLM_USER_FILE (tests of -u)
NEGPROBE=${NEGPROBE:-$NEGSCOPE_BUILD_DIR/probe/negprobe}
if [ ! -x "$NEGPROBE" ]; then
	echo "FAIL: negprobe not built at $NEGPROBE" >&2
	exit 1
fi
need_tool jq

np() {
	# shellcheck disable=SC2086
	set -- $(for e in $LAB_RESOLVE_LIST; do printf -- '--resolve %s ' "$e"; done) "$@"
	"$NEGPROBE" "$@"
}

BASE_CC=$LABDIR/probe-base.ccache
fresh_cc() { # name
	if [ ! -s "$BASE_CC" ]; then
		printf '%s\n' "$LAB_PASSWORD" |
			KRB5CCNAME="FILE:$BASE_CC" kinit "$LAB_PRINCIPAL" >/dev/null 2>&1 ||
			{ echo "FAIL: kinit failed" >&2; exit 1; }
	fi
	cp "$BASE_CC" "$LABDIR/$1.ccache"
	KRB5CCNAME="FILE:$LABDIR/$1.ccache"
	export KRB5CCNAME
}

jqr() { jq -r "select(.type == \"result\") | $2" "$1"; }
ids() { jq -r 'select(.type == "finding") | .id' "$1" | sort | tr '\n' ' ' | sed 's/ $//'; }
has_id() {
	jq -se --arg id "$2" 'any(.[]; .type == "finding" and .id == $id)' "$1" >/dev/null ||
		{ echo "   no finding $2 in: $(ids "$1")" >&2; return 1; }
}
finding_field() { # file id field
	jq -r --arg id "$2" "select(.type == \"finding\" and .id == \$id) | .$3" "$1" | head -1
}

password_only() { # name: OUT=$LABDIR/name (created); no ccache, no NTLM_USER_FILE: -u's
	# password is the only credential (tests of negprobe -u)
	OUT=$LABDIR/$1
	mkdir -p "$OUT"
	KRB5CCNAME=FILE:$LABDIR/no-such-ccache
	export KRB5CCNAME
	unset NTLM_USER_FILE
}
has_id_t() { # file target id: the target has a finding with that id
	jq -se --arg t "$2" --arg id "$3" \
		'any(.[]; .type == "finding" and .target == $t and .id == $id)' "$1" >/dev/null ||
		{ echo "   no finding $3 for $2 in: $(ids "$1")" >&2; return 1; }
}
