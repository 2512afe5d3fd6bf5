# What the capture of each lab scenario must show, read with tshark (the independent oracle).
# Sourced after testlib.sh. expect_scenario NAME PCAP [KEYLOG] records failures with fail();
# used on live captures (t_scenarios.sh) and on the committed samples (t_samples.sh).

# Rows of the KDC exchange: port 88, not the copy quoted inside an ICMP error.
kdc_rows() { # table
	awk -F'|' -v icmp="$T_ICMP" -v ts="$T_TCP_SRC" -v td="$T_TCP_DST" -v us="$T_UDP_SRC" \
		-v ud="$T_UDP_DST" -v m="$T_KRB_MSG" \
		'$icmp == "" && $m != "" && ($ts == 88 || $td == 88 || $us == 88 || $ud == 88)' "$1"
}
# First message type of each KDC message ("12 13 ..."; a TGS-REQ also holds an AP-REQ, 14).
kdc_types() { kdc_rows "$1" | awk -F'|' -v m="$T_KRB_MSG" '{ split($m, a, ","); printf "%s ", a[1] }' | sed 's/ $//'; }
kdc_errors() { kdc_rows "$1" | awk -F'|' -v e="$T_KRB_ERR" '$e != "" { printf "%s ", $e }' | sed 's/ $//'; }
kdc_transports() { # "udp" / "tcp" per KDC message
	kdc_rows "$1" | awk -F'|' -v us="$T_UDP_SRC" '{ printf "%s ", ($us != "" ? "udp" : "tcp") }' | sed 's/ $//'
}
# KRB-ERROR codes carried inside HTTP (acceptor errors in a 401's Negotiate token).
http_krb_errors() {
	awk -F'|' -v ts="$T_TCP_SRC" -v td="$T_TCP_DST" -v e="$T_KRB_ERR" -v c="$T_HTTP_CODE" \
		'$e != "" && $c != "" && $ts != 88 && $td != 88 { printf "%s ", $e }' "$1" | sed 's/ $//'
}
http_codes() { awk -F'|' -v c="$T_HTTP_CODE" '$c != "" { gsub(",", " ", $c); printf "%s ", $c }' "$1" | sed 's/ $//'; }
last_code() { http_codes "$1" | awk '{ print $NF }'; }
syn_count() { # table port
	awk -F'|' -v s="$T_SYN" -v a="$T_ACK" -v d="$T_TCP_DST" -v p="$2" \
		'($s == 1 || $s == "True") && ($a == 0 || $a == "False") && $d == p { n++ } END { print n + 0 }' "$1"
}
column_values() { # table column: every non-empty value, one a line
	awk -F'|' -v c="$2" '$c != "" { print $c }' "$1"
}
has_value() { # table column fixed-string
	column_values "$1" "$2" | grep -qF -- "$3"
}
ntlm_types() { column_values "$1" "$T_NTLM" | tr ',' '\n' | sed 's/^0x0*//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
# The KDC's KRB-ERRORs in order, as code:e-text:cname ("25:NEEDED_PREAUTH:alice 24:...").
kdc_error_facts() { # pcap
	tshark -r "$1" -Y 'kerberos.msg_type == 30 and not icmp and (udp.srcport == 88 or tcp.srcport == 88)' \
		-T fields -E separator=: -e kerberos.error_code -e kerberos.e_text -e kerberos.CNameString \
		2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
# AS-REQs that carry an encrypted timestamp (PA-ENC-TIMESTAMP, padata type 2): the password
# attempts, as opposed to the first request that only asks which pre-authentication to use.
as_req_timestamps() { # pcap
	tshark -r "$1" -Y 'kerberos.msg_type == 10 and kerberos.padata_type == 2 and not icmp' \
		2>/dev/null | wc -l | tr -d ' '
}
no_kdc_traffic() { [ -z "$(kdc_rows "$1")" ] && ! column_values "$1" "$T_UDP_DST" | grep -qx 88; }

expect_scenario() { # name pcap [keylog]
	n=$1
	t=$(mktemp)
	pcap_table "$2" "${3:-}" >"$t"
	if [ ! -s "$t" ]; then
		fail "$n: tshark could not read $2"
		rm -f "$t"
		return
	fi
	case "$n" in
	kerberos-ok)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: TGS-REQ, TGS-REP over UDP" eq "$(kdc_types "$t") $(kdc_transports "$t")" "12 13 udp udp"
		check "$n: one TCP connection" eq "$(syn_count "$t" 5555)" 1
		check "$n: first 401 offers bare Negotiate" has_value "$t" "$T_WWW_AUTH" "Negotiate,NTLM"
		check "$n: AP-REQ in Authorization: Negotiate" has_value "$t" "$T_AUTHZ" "Negotiate YII"
		check "$n: mutual token (NegTokenResp) in the 200" has_value "$t" "$T_WWW_AUTH" "Negotiate oY"
		;;
	kerberos-tcp)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: TGS-REQ, TGS-REP over TCP" eq "$(kdc_types "$t") $(kdc_transports "$t")" "12 13 tcp tcp"
		check "$n: no UDP to the KDC" eq "$(column_values "$t" "$T_UDP_DST" | grep -cx 88)" 0
		;;
	spn-port-mismatch)
		check "$n: ends in 401" eq "$(last_code "$t")" 401
		check "$n: every KDC answer is KRB-ERROR 7" all_are "$(kdc_errors "$t")" 7
		check "$n: only TGS-REQs and errors" eq "$(kdc_types "$t" | tr ' ' '\n' | sort -u | tr '\n' ' ')" "12 30 "
		check "$n: the error names HTTP/sales.example.test" has_value "$t" "$T_SNAME" "HTTP,sales.example.test"
		check "$n: no Authorization sent" eq "$(column_values "$t" "$T_AUTHZ" | wc -l)" 0
		;;
	spn-port-mismatch-ntlm)
		check "$n: ends in 200" eq "$(last_code "$t")" 200
		check "$n: KDC answered KRB-ERROR 7" all_are "$(kdc_errors "$t")" 7
		check "$n: NTLM NEGOTIATE/CHALLENGE/AUTHENTICATE" eq "$(ntlm_types "$t")" "1 2 3"
		check "$n: NTLM travels in Negotiate" has_value "$t" "$T_AUTHZ" "Negotiate "
		;;
	stale-keytab | wrong-key | iis-ap-err-modified)
		case "$n" in stale-keytab) want=44 ;; wrong-key) want=31 ;; *) want=41 ;; esac
		check "$n: ends in 401" eq "$(last_code "$t")" 401
		check "$n: the KDC issued the ticket" eq "$(kdc_types "$t")" "12 13"
		check "$n: the 401 carries KRB-ERROR $want" eq "$(http_krb_errors "$t")" "$want"
		if [ "$n" = iis-ap-err-modified ]; then
			check "$n: token labelled as built with krb5_mk_error" has_value "$t" "$T_RESP_LINES" "X-Negscope-Lab: KRB-ERROR 41"
			check "$n: 401.1 page" eq "$(tshark -r "$2" -d tcp.port==5559,http -Y 'http contains "HTTP Error 401.1"' 2>/dev/null | wc -l)" 1
		fi
		;;
	keepalive-off)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: two TCP connections" eq "$(syn_count "$t" 5557)" 2
		check "$n: the 401 says Connection: close" has_value "$t" "$T_CONNECTION" "close"
		;;
	keepalive-off-ntlm)
		check "$n: four 401s" eq "$(http_codes "$t")" "401 401 401 401"
		check "$n: a new TCP connection for every leg" eq "$(syn_count "$t" 5557)" 4
		check "$n: every 401 says Connection: close" eq "$(column_values "$t" "$T_CONNECTION" | grep -c close)" 4
		check "$n: NTLM never gets past CHALLENGE" eq "$(ntlm_types "$t")" "1 2"
		check "$n: no KDC traffic" no_kdc_traffic "$t"
		;;
	ntlm-fallback)
		check "$n: 401, 401, 200" eq "$(http_codes "$t")" "401 401 200"
		check "$n: no KDC traffic" no_kdc_traffic "$t"
		check "$n: NTLM NEGOTIATE/CHALLENGE/AUTHENTICATE" eq "$(ntlm_types "$t")" "1 2 3"
		check "$n: NTLM inside Negotiate (SPNEGO)" has_value "$t" "$T_AUTHZ" "Negotiate YE"
		;;
	ntlm-only)
		check "$n: 401, 401, 200" eq "$(http_codes "$t")" "401 401 200"
		check "$n: the server never offers Negotiate" eq "$(column_values "$t" "$T_WWW_AUTH" | grep -c Negotiate)" 0
		check "$n: NTLM scheme used" has_value "$t" "$T_AUTHZ" "NTLM TlRMTVNTUA"
		check "$n: NTLM NEGOTIATE/CHALLENGE/AUTHENTICATE" eq "$(ntlm_types "$t")" "1 2 3"
		check "$n: no KDC traffic" no_kdc_traffic "$t"
		;;
	delegation-ok)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: service ticket, then forwarded TGT" eq "$(kdc_types "$t")" "12 13 12 13"
		check "$n: a TGS-REQ asks for a forwarded ticket" has_value "$t" "$T_FORWARDED" "1"
		;;
	delegation-not-trusted)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: only the service ticket is requested" eq "$(kdc_types "$t")" "12 13"
		check "$n: no forwarded-TGT request" eq "$(column_values "$t" "$T_FORWARDED" | grep -c 1)" 0
		;;
	https-kerberos-ok)
		check "$n: TGS-REQ, TGS-REP" eq "$(kdc_types "$t")" "12 13"
		check "$n: TLS on 5443" eq "$(syn_count "$t" 5443)" 1
		if [ -n "${3:-}" ]; then
			check "$n: decrypted with the key log: 401 then 200" eq "$(http_codes "$t")" "401 200"
		fi
		;;
	kdc-down)
		check "$n: ends in 401" eq "$(last_code "$t")" 401
		check "$n: ICMP port unreachable for the UDP request" has_value "$t" "$T_ICMP" "3"
		check "$n: TCP to port 88 refused (RST)" eq "$(awk -F'|' -v s="$T_TCP_SRC" -v r="$T_RST" '$s == 88 && ($r == 1 || $r == "True")' "$t" | wc -l | tr -d ' ')" "$(syn_count "$t" 88)"
		check "$n: a TCP attempt was made" ge "$(syn_count "$t" 88)" 1
		check "$n: no answer from a KDC" eq "$(kdc_types "$t" | tr ' ' '\n' | grep -c -e 13 -e 30)" 0
		;;
	clock-skew)
		check "$n: ends in 401" eq "$(last_code "$t")" 401
		check "$n: KDC answers KRB_AP_ERR_SKEW 37" all_are "$(kdc_errors "$t")" 37
		;;
	iis-kerberos-ok)
		check "$n: 401 then 200" eq "$(http_codes "$t")" "401 200"
		check "$n: Persistent-Auth: true on the 200" has_value "$t" "$T_RESP_LINES" "Persistent-Auth: true"
		check "$n: mutual token in the 200" has_value "$t" "$T_WWW_AUTH" "Negotiate oY"
		;;
	wrong-password)
		check "$n: 401, 401 (curl has no ticket and sends nothing)" eq "$(http_codes "$t")" "401 401"
		check "$n: AS-REQ, KRB-ERROR, AS-REQ, KRB-ERROR; no TGS-REQ" eq "$(kdc_types "$t")" "10 30 10 30"
		check "$n: NEEDED_PREAUTH, then PREAUTH_FAILED (24) for alice" eq "$(kdc_error_facts "$2")" \
			"25:NEEDED_PREAUTH:alice 24:PREAUTH_FAILED:alice"
		check "$n: the refused AS-REQ carries the encrypted timestamp" eq "$(as_req_timestamps "$2")" 1
		check "$n: no Authorization sent" eq "$(column_values "$t" "$T_AUTHZ" | wc -l)" 0
		;;
	account-locked)
		# the lab's policy locks at LAB_LOCKOUT_MAXFAILURE (3) wrong passwords
		fails=${LAB_LOCKOUT_MAXFAILURE:-3}
		want=""
		i=0
		while [ "$i" -lt "$fails" ]; do
			want="$want 25:NEEDED_PREAUTH:bob 24:PREAUTH_FAILED:bob"
			i=$((i + 1))
		done
		check "$n: $fails wrong passwords, then LOCKED_OUT (18) for the right one" \
			eq "$(kdc_error_facts "$2")" "${want# } 18:LOCKED_OUT:bob"
		check "$n: 18 answers the right password's first AS-REQ (only the wrong ones carry a timestamp)" \
			eq "$(as_req_timestamps "$2")" "$fails"
		check "$n: no TGS-REQ" eq "$(kdc_types "$t" | tr ' ' '\n' | sort -u | tr '\n' ' ')" "10 30 "
		check "$n: 401, 401 (curl has no ticket and sends nothing)" eq "$(http_codes "$t")" "401 401"
		check "$n: no Authorization sent" eq "$(column_values "$t" "$T_AUTHZ" | wc -l)" 0
		;;
	*) fail "expect_scenario: no expectations for $n" ;;
	esac
	rm -f "$t"
}
