#!/bin/sh
# lab.sh start/stop as other tests rely on it: lab.env carries the documented interface,
# every daemon answers, a second lab is refused while port 88 is taken, and stop leaves
# no process and frees the ports.
set -u
. "$(dirname "$0")/testlib.sh"
lab_require
t0=$(date +%s.%N)
lab_start
echo "lab started in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"

for v in KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME LAB_DIR LAB_REALM LAB_USER LAB_PRINCIPAL \
	LAB_PASSWORD LAB_NTLM_DOMAIN LAB_NTLM_USER_FILE LAB_ADDR LAB_KDC LAB_KDC_PORT LAB_HOST \
	LAB_HOST_PORTSPN LAB_HOST_STALE LAB_HOST_WRONGKEY LAB_HOST_DELEG LAB_HTTP_PORT \
	LAB_HTTPS_PORT LAB_NOKA_PORT LAB_NTLMONLY_PORT LAB_IIS_PORT LAB_PORTS LAB_HTTP_URL \
	LAB_HTTPS_URL LAB_CA LAB_DELEG_DIR LAB_KEYTAB_DIR LAB_HTTP_KEYTAB LAB_RESOLVE_LIST \
	LAB_CURL_RESOLVE LAB_PCAP_FILTER LAB_KDC_PIDFILE LAB_HTTPD_PIDFILE LAB_IIS_PIDFILES; do
	eval "val=\${$v:-}"
	check "lab.env exports $v" [ -n "$val" ]
done
for s in $("$SCENARIO_SH" --list); do
	v=LAB_URL_$(echo "$s" | tr 'a-z-' 'A-Z_')
	eval "val=\${$v:-}"
	check "lab.env has $v" [ -n "$val" ]
done
check "nothing points at system krb5 files" [ "$(grep -c '/etc/krb5' "$LABDIR/lab.env")" -eq 0 ]
check "all daemons up" "$LAB_SH" status "$LABDIR"
check "alice has a TGT" klist -s
check "the KDC answers on UDP and TCP" ss -Hlnu "sport = :88"
# shellcheck disable=SC2086
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$LAB_CA" $LAB_CURL_RESOLVE "$LAB_HTTPS_URL")
check "HTTPS verifies with the lab CA and asks for auth" eq "$code" 401
# Without the lab CA, verification must fail (60) whatever CA store the machine has (none
# on a minimal Debian, where curl's default store would give 77): trust only another CA.
mkdir -p "$LABDIR/other-ca/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=not-the-lab-ca \
	-keyout "$LABDIR/other-ca/key.pem" -out "$LABDIR/other-ca/ca.pem" >/dev/null 2>&1 ||
	fail "openssl could not make a second CA"
# shellcheck disable=SC2086
curl -s -o /dev/null --cacert "$LABDIR/other-ca/ca.pem" --capath "$LABDIR/other-ca/certs" \
	$LAB_CURL_RESOLVE "$LAB_HTTPS_URL"
check "HTTPS is refused without the lab CA (curl 60)" eq "$?" 60
for p in $LAB_PORTS; do
	# shellcheck disable=SC2086
	# the h2 site's auth location wants TLS renegotiation (the HTTP/2 downgrade case): its
	# samples are checked by t_https_oracle
	[ "$p" = "$LAB_H2_PORT" ] && continue
	case " $LAB_HTTPS_PORT $LAB_EPA_PORT $LAB_TLS12_PORT $LAB_TLS13_PORT $LAB_TLSPROXY_PORT " in
	*" $p "*) scheme=https ;;
	*) scheme=http ;;
	esac
	code=$(curl -s -o /dev/null -w '%{http_code}' -k $LAB_CURL_RESOLVE "$scheme://$LAB_HOST:$p/")
	check "port $p answers 401 without credentials" eq "$code" 401
done

# A second lab while this one runs: refused with a clear message, nothing left behind.
other=$(mktemp -d /tmp/negscope-lab2.XXXXXX)
msg=$("$LAB_SH" start "$other" 2>&1)
rc=$?
check "a second lab is refused while port 88 is taken" [ "$rc" -ne 0 ]
check "the refusal names port 88" eq "$(echo "$msg" | grep -c 'port 88 is already in use')" 1
check "the refused lab left no process" eq "$(lab_processes "$other" | wc -l)" 0
rm -rf "$other"
msg=$("$LAB_SH" start "$LABDIR" 2>&1)
check "start on a running lab is refused" [ "$?" -ne 0 ]

# stop: nothing of the lab survives, the ports are free again
dir=$LABDIR
"$LAB_SH" stop "$dir"
check "lab.sh stop succeeds" eq "$?" 0
check "no lab process after stop" eq "$(lab_processes "$dir" | wc -l)" 0
check "port 88 free after stop" eq "$(ss -Hlnu 'sport = :88' | wc -l)" 0
check "port $LAB_HTTP_PORT free after stop" eq "$(ss -Hlnt "sport = :$LAB_HTTP_PORT" | wc -l)" 0
check "stop is idempotent" "$LAB_SH" stop "$dir"
lab_done
