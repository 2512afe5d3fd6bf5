#!/bin/sh
# --junit: well-formed XML, one test case per check (per target), failures counted and
# explained, alongside the normal report.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
need_tool xmllint libxml2-utils
fresh_cc junit
X=$LABDIR/report.xml

np --junit "$X" --expect kerberos --expect status=200 --expect delegation "$LAB_URL_KERBEROS_OK" >/dev/null
check "exit 1 (delegation fails)" eq $? 1
check "well-formed XML" xmllint --noout "$X"
check "3 test cases" eq "$(xmllint --xpath 'count(//testcase)' "$X")" 3
check "1 failure, on the delegation check" eq \
	"$(xmllint --xpath 'string(//testcase[failure]/@name)' "$X")" delegation
check "suite counts agree" eq "$(xmllint --xpath 'string(//testsuite/@failures)' "$X")" 1
check "the failure says what was seen" eq \
	"$(xmllint --xpath 'string(//failure/@message)' "$X")" "delegation not-requested"

# several targets, default check: one case each, the failing one explained by its findings
printf '%s\n%s\n' "$LAB_URL_KERBEROS_OK" "$LAB_URL_SPN_PORT_MISMATCH" >"$LABDIR/t.txt"
np --junit "$X" --targets "$LABDIR/t.txt" >/dev/null
check "targets: exit 1" eq $? 1
check "targets: 2 test cases named kerberos-clean" eq \
	"$(xmllint --xpath 'count(//testcase[@name="kerberos-clean"])' "$X")" 2
check "targets: the failure body names spn-unknown" \
	sh -c "xmllint --xpath 'string(//testcase[@classname=\"$LAB_URL_SPN_PORT_MISMATCH\"]/failure)' '$X' | grep -q spn-unknown"
check "an unwritable --junit path -> 3" eq \
	"$(np --junit /nonexistent-dir/x.xml "$LAB_URL_KERBEROS_OK" >/dev/null 2>&1; echo $?)" 3
lab_done
