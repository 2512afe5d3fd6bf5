#!/bin/sh
# --json: every line is one JSON object; leg records first (numbered 1..n), then spn,
# finding, and exactly one result record last, with the documented fields and types.
set -u
. "$(dirname "$0")/../testlib.sh"
lab_require
lab_start
. "$(dirname "$0")/probelib.sh"
fresh_cc json
J=$LABDIR/out.jsonl

for url in "$LAB_URL_KERBEROS_OK" "$LAB_URL_SPN_PORT_MISMATCH" "$LAB_URL_KEEPALIVE_OFF"; do
	np --json --check-spn --expect kerberos "$url" >"$J"
	check "$url: every line parses as one object" \
		jq -e -s 'length > 0 and all(.[]; type == "object")' "$J"
	check "$url: the result is last and alone" eq \
		"$(jq -r -s '[.[] | .type] | (map(select(. == "result")) | length | tostring) + " " + last' "$J")" "1 result"
	check "$url: records in order leg* spn* finding* result" \
		jq -e -s '[.[] | {"leg":0,"spn":1,"krb":2,"finding":3,"result":4}[.type]] as $o
			| $o == ($o | sort) and all($o[]; . != null)' "$J"
	check "$url: legs numbered 1..n, matching result.legs" \
		jq -e -s '[.[] | select(.type=="leg") | .leg] as $l
			| $l == [range(1; ($l|length)+1)]
			and ($l|length) == (.[] | select(.type=="result") | .legs)' "$J"
	check "$url: leg fields and types" jq -e -s 'all(.[] | select(.type=="leg");
		(.request|type) == "object" and (.connection.new|type) == "boolean"
		and (.connection.local_port|type) == "number" and (.www_authenticate|type) == "array"
		and (.status|type) == "number" and (.time_us.total|type) == "number"
		and has("token_received") and has("connection_header") and has("persistent_auth")
		and has("gss") and has("error"))' "$J"
	check "$url: result fields and types" jq -e -s '.[] | select(.type=="result")
		| (.ok|type) == "boolean" and (.exit|type) == "number"
		and (.mech == null or .mech == "kerberos" or .mech == "ntlm")
		and (.legs|type) == "number" and (.connections|type) == "number"
		and (.delegation | IN("granted","not-requested","not-trusted","refused"))
		and (.checks|type) == "array" and (.checks[0].check == "kerberos")
		and (.ok == (.exit == 0))' "$J"
	check "$url: findings have id, severity, advice" jq -e -s 'all(.[] | select(.type=="finding");
		(.id|type) == "string" and (.severity | IN("info","warning","error"))
		and (.advice|type) == "array" and has("leg"))' "$J"
	check "$url: spn records say exists true/false for HTTP/host[:port]" jq -e -s '
		[.[] | select(.type=="spn")] | length >= 4 and all(.[];
			(.spn | test("^HTTP/[a-z0-9.-]+(:[0-9]+)?$")) and (.exists|type) == "boolean")' "$J"
done
check "the result counts findings by severity" jq -e -s '
	(.[] | select(.type=="result") | .findings.error) ==
	([.[] | select(.type=="finding" and .severity=="error")] | length)' "$J"
lab_done
