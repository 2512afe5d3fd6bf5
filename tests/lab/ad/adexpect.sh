# What each AD lab scenario (tests/lab/ad/ad-scenario.sh) must come to, for the live and the
# recorded (samples/ad-*.pcap) runs alike.  Source it; then:
#   ad_expect NAME   sets AD_WANT_STATUS (curl's final HTTP status), AD_WANT_PROBLEMS (the
#                    exact sorted warning/error finding ids negcap reports), AD_WANT_INFO (info
#                    ids that must be among negcap's), AD_WANT_CODE (the error_code of the first
#                    problem, "" when none is checked)
#   ad_problems FILE.json / ad_infos FILE.json   the sorted ids of a JSON-lines report
# shellcheck disable=SC2034 # the AD_WANT_* are for the sourcing script
ad_expect() {
	AD_WANT_CODE=""
	case "$1" in
	ad-kerberos-ok) AD_WANT_STATUS=200 AD_WANT_PROBLEMS="" AD_WANT_INFO="kerberos-ok" ;;
	ad-duplicate-spn)
		# AD answers a duplicate SPN with 7, like an unknown one: the capture cannot tell
		# them apart (negprobe --check-spn --ldap can)
		AD_WANT_STATUS=401 AD_WANT_PROBLEMS="spn-unknown" AD_WANT_INFO="" AD_WANT_CODE=7 ;;
	ad-stale-keytab)
		AD_WANT_STATUS=401 AD_WANT_PROBLEMS="krb-ap-err-modified" AD_WANT_INFO="" AD_WANT_CODE=44 ;;
	ad-wrong-key)
		AD_WANT_STATUS=401 AD_WANT_PROBLEMS="krb-ap-err-modified" AD_WANT_INFO="" AD_WANT_CODE=31 ;;
	ad-delegation-ok)
		AD_WANT_STATUS=200 AD_WANT_PROBLEMS="" AD_WANT_INFO="delegation-ok kerberos-ok" ;;
	ad-account-locked)
		AD_WANT_STATUS=401 AD_WANT_PROBLEMS="client-logon-failed" AD_WANT_INFO="" AD_WANT_CODE=18 ;;
	ad-password-expired)
		AD_WANT_STATUS=401 AD_WANT_PROBLEMS="client-logon-failed" AD_WANT_INFO="" AD_WANT_CODE=23 ;;
	*) echo "adexpect.sh: no expectations for $1" >&2; return 1 ;;
	esac
}
ad_problems() {
	jq -r 'select(.type == "finding" and (.severity == "warning" or .severity == "error")) | .id' \
		"$1" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
ad_infos() {
	jq -r 'select(.type == "finding" and .severity == "info") | .id' "$1" | sort -u |
		tr '\n' ' ' | sed 's/ $//'
}
ad_first_code() {
	jq -r 'select(.type == "finding" and (.severity == "warning" or .severity == "error")) |
		.error_code // empty' "$1" | head -1
}
# every word of $1 is in $2
ad_subset() {
	for w in $1; do
		case " $2 " in *" $w "*) ;; *) echo "   '$w' missing from '$2'" >&2; return 1 ;; esac
	done
}
# negcap's diagnosis of a pcap against ad_expect NAME; says what differs
ad_check_diagnosis() { # name pcap json-out
	"$NEGSCOPE_BUILD_DIR/capture/negcap" --json -r "$2" >"$3" 2>"$3.err"
	ad_expect "$1" || return 1
	p=$(ad_problems "$3")
	[ "$p" = "$AD_WANT_PROBLEMS" ] || { echo "   $1: problems '$p', want '$AD_WANT_PROBLEMS'" >&2; return 1; }
	ad_subset "$AD_WANT_INFO" "$(ad_infos "$3")" || return 1
	[ -z "$AD_WANT_CODE" ] || [ "$(ad_first_code "$3")" = "$AD_WANT_CODE" ] ||
		{ echo "   $1: error_code $(ad_first_code "$3"), want $AD_WANT_CODE" >&2; return 1; }
}
