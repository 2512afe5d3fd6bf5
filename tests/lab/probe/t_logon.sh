#!/bin/sh
# negprobe -u USER (password from NEGPROBE_PASSWORD) when the user's own logon fails: a wrong
# password (KDC_ERR_PREAUTH_FAILED 24) and an account locked by the lab's MIT lockout policy
# (KDC_ERR_CLIENT_REVOKED 18, even for the right password) — the lab scenarios wrong-password
# and account-locked, with negprobe getting the TGT itself. The finding is
# client-logon-failed naming the user (issue 11), and the failed logon is the whole story:
# no GSS error about the name or token that could not be made without a TGT.  One run is
# one password attempt at the KDC (the lockout count of bob goes up by exactly one), and
# --capture shows that AS exchange.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
password_only probe-logon

logon() { # name user password: JSON lines into $OUT/name.jsonl, exit status into $OUT/name.rc
	NEGPROBE_PASSWORD=$3 np --json -u "$2" "$LAB_URL_WRONG_PASSWORD" >"$OUT/$1.jsonl" 2>"$OUT/$1.err"
	echo $? >"$OUT/$1.rc"
	echo "--- $1: exit $(cat "$OUT/$1.rc"), findings: $(ids "$OUT/$1.jsonl")"
}
kdc_codes() { # file: error codes carried by findings, sorted
	jq -r 'select(.type == "finding") | .error_code // empty' "$1" | sort -un | tr '\n' ' ' | sed 's/ $//'
}
no_id() { # file id
	! jq -se --arg id "$2" 'any(.[]; .type == "finding" and .id == $id)' "$1" >/dev/null ||
		{ echo "   finding $2 present: $(ids "$1")" >&2; return 1; }
}
no_secret() { # name password: the password is in neither output
	! grep -qF -- "$2" "$OUT/$1.jsonl" "$OUT/$1.err"
}
logon_failed() { # name user code error-name
	f=$OUT/$1.jsonl
	check "$1: exit 1" eq "$(cat "$OUT/$1.rc")" 1
	check "$1: not authenticated, 401" eq "$(jqr "$f" '"\(.authenticated) \(.status)"')" "false 401"
	check "$1: the KDC's answer is $3 ($4)" eq "$(kdc_codes "$f")" "$3"
	check "$1: client-logon-failed" has_id "$f" client-logon-failed
	check "$1: it names $2, realm $LAB_REALM, $4" eq \
		"$(finding_field "$f" client-logon-failed user) $(finding_field "$f" client-logon-failed realm) $(finding_field "$f" client-logon-failed error_name)" \
		"$2 $LAB_REALM $4"
	check "$1: no gss-error besides the failed logon" no_id "$f" gss-error
}

# wrong password: alice types an old one
logon wrong-password "$LAB_USER" "$LAB_WRONG_PASSWORD"
logon_failed wrong-password "$LAB_USER" 24 KDC_ERR_PREAUTH_FAILED
check "wrong-password: the password is not in the output" no_secret wrong-password "$LAB_WRONG_PASSWORD"

# --capture starts before the credentials: the failed AS exchange is on the wire, and the
# KRB-ERROR the GSS library reported is one finding, not a second one from the wire
NEGPROBE_PASSWORD=$LAB_WRONG_PASSWORD np --json --capture lo -u "$LAB_USER" "$LAB_URL_WRONG_PASSWORD" \
	>"$OUT/capture.jsonl" 2>"$OUT/capture.err"
check "capture: the AS-REQ was captured" eq \
	"$(jq -r 'select(.type=="krb" and .direction=="to-kdc") | .msg' "$OUT/capture.jsonl" | sort -u)" AS-REQ
check "capture: the KDC's KRB-ERROR 24 was captured" eq \
	"$(jq -r 'select(.type=="krb" and .msg=="KRB-ERROR") | .error_code' "$OUT/capture.jsonl" | grep -v '^25$' | sort -u)" 24
check "capture: client-logon-failed the only problem (the wire's PREAUTH_REQUIRED is info)" eq \
	"$(jq -r 'select(.type == "finding" and .severity != "info") | .id' "$OUT/capture.jsonl" | tr '\n' ' ')" \
	"client-logon-failed "

# account locked: the policy's threshold of wrong passwords, then the right one
failed_logons() { # the KDC's count of bob's failed pre-authentications
	kadmin.local -q "getprinc $LAB_LOCKOUT_PRINCIPAL" 2>/dev/null |
		sed -n 's/^Failed password attempts: *//p'
}
"$LAB_SH" reset-lockout "$LABDIR" || fail "lab.sh reset-lockout failed"
logon bob-wrong-1 "$LAB_LOCKOUT_USER" "$LAB_WRONG_PASSWORD"
check "bob-wrong-1: KDC_ERR_PREAUTH_FAILED (24)" eq "$(kdc_codes "$OUT/bob-wrong-1.jsonl")" 24
# a diagnostic run must not bring a user nearer to lockout than one browser logon does
check "bob-wrong-1: one run is one failed logon in the KDC's lockout count" eq "$(failed_logons)" 1
i=2
while [ "$(failed_logons)" -lt "$LAB_LOCKOUT_MAXFAILURE" ] && [ "$i" -le "$LAB_LOCKOUT_MAXFAILURE" ]; do
	logon "bob-wrong-$i" "$LAB_LOCKOUT_USER" "$LAB_WRONG_PASSWORD"
	check "bob-wrong-$i: KDC_ERR_PREAUTH_FAILED (24)" eq "$(kdc_codes "$OUT/bob-wrong-$i.jsonl")" 24
	i=$((i + 1))
done
check "bob reached the lockout threshold ($LAB_LOCKOUT_MAXFAILURE)" ge "$(failed_logons)" "$LAB_LOCKOUT_MAXFAILURE"
logon account-locked "$LAB_LOCKOUT_USER" "$LAB_PASSWORD"
logon_failed account-locked "$LAB_LOCKOUT_USER" 18 KDC_ERR_CLIENT_REVOKED
check "account-locked: the password is not in the output" no_secret account-locked "$LAB_PASSWORD"
lab_done
