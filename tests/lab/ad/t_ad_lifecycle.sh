#!/bin/sh
# The AD lab from nothing: a Samba AD DC provisioned (or copied from the template this test
# makes), every account situation of tests/lab/README.md ("The AD lab") checked against the
# real DC with MIT's own tools and curl, nothing outside the lab directory touched, and no
# process left after stop.
. "$NEGSCOPE_SRC_DIR/tests/lab/testlib.sh"
. "$NEGSCOPE_SRC_DIR/tests/lab/ad/adlib.sh"
ad_require
need_tool kvno krb5-user
need_tool klist krb5-user

# the host's Samba files are not ours: their state before and after must be the same
host_state() {
	for f in /etc/samba/smb.conf /var/lib/samba/private/sam.ldb /var/lib/samba/private/secrets.ldb; do
		if [ -e "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f absent"; fi
	done
}
before=$(host_state)
t0=$(date +%s)
ad_start
t1=$(date +%s)
echo "ad.sh start took $((t1 - t0)) s (template: $(cat "${NEGSCOPE_BUILD_DIR}/tests/lab/ad-template/timing" 2>/dev/null || echo '?'))"

for v in AD_REALM AD_KDC AD_LDAP_URI AD_PASSWORD AD_SVC_CRM_PASSWORD AD_CURL_RESOLVE \
	AD_KEYTAB_DIR AD_PCAP_FILTER AD_URL_CRM AD_URL_WEB01 AD_URL_STALE AD_URL_INTRANET; do
	check "ad.env sets $v" test -n "$(eval echo "\${$v:-}")"
done
check "alice has a TGT from the DC" klist -s
listens() { ss -Hln"$1" "sport = :$2" | grep -q "127.0.0.2:$2"; }
check "KDC on 127.0.0.2:88 UDP" listens u 88
check "KDC on 127.0.0.2:88 TCP" listens t 88
check "LDAP on 127.0.0.2:389" listens t 389

status() { # site
	eval "u=\$AD_URL_$(echo "$1" | tr 'a-z' 'A-Z')"
	# shellcheck disable=SC2086,SC2154
	curl -s -o /dev/null -w '%{http_code}' --anyauth -u : $AD_CURL_RESOLVE "$u"
}
check "crm (SPN on svc-crm, its keytab): 200" eq "$(status crm)" 200
check "web01 (SPN on svc-crm, site holds WEB01\$'s key): 401" eq "$(status web01)" 401
check "stale (svc-stale's password changed after export): 401" eq "$(status stale)" 401
check "deleg: 200" eq "$(status deleg)" 200
check "kcd: 200" eq "$(status kcd)" 200
check "aes: 200" eq "$(status aes)" 200
check "rc4: 200" eq "$(status rc4)" 200
check "intranet (duplicate SPN): 401" eq "$(status intranet)" 401
grep -q "HTTP/stale.ad.example.test@AD.EXAMPLE.TEST kvno 3 not found in keytab" \
	"$AD_DIR/httpd/logs/error.log"
check "stale: Apache says kvno 3 is not in its keytab (kvno 2 exported)" test $? -eq 0

# the duplicate SPN: the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN, as a Windows KDC does
out=$(kvno HTTP/intranet.ad.example.test 2>&1)
check "duplicate SPN: kvno says server not found" \
	eval 'case "$out" in *"Server not found in Kerberos database"*) true ;; *) echo "   got $out" >&2; false ;; esac'
n=$(ldbsearch -H "tdb://$AD_SAM_LDB" '(servicePrincipalName=HTTP/intranet.ad.example.test)' \
	sAMAccountName 2>/dev/null | grep -c '^sAMAccountName:')
check "duplicate SPN: held by two accounts in the directory" eq "$n" 2

kvno HTTP/deleg.ad.example.test >/dev/null 2>&1
flags=$(klist -f | sed -n '/HTTP\/deleg/{n;p}' | sed 's/.*Flags: //')
check "deleg: ticket flags have O (ok-as-delegate), got $flags" \
	eval 'case "$flags" in *O*) true ;; *) false ;; esac'
kvno HTTP/crm.ad.example.test >/dev/null 2>&1
flags=$(klist -f | sed -n '/HTTP\/crm.ad/{n;p}' | sed 's/.*Flags: //')
check "crm: no ok-as-delegate, got $flags" eval 'case "$flags" in *O*) false ;; *) true ;; esac'

etype() { # spn: the ticket's enctype
	kvno "$1" >/dev/null 2>&1
	klist -e | sed -n "\\#$1#{n;p}" | sed 's/.*tkt): [^,]*, //; s/ *$//'
}
check "aes account: AES ticket" eq "$(etype HTTP/aes.ad.example.test)" aes256-cts-hmac-sha1-96
check "rc4 account: RC4 ticket" eq "$(etype HTTP/rc4.ad.example.test)" DEPRECATED:arcfour-hmac

# constrained delegation: svc-kcd may S4U2Proxy to MSSQLSvc, svc-crm may not
s4u() { # account
	ad_kinit_k() { KRB5CCNAME="FILE:$AD_DIR/$1.cc" kinit -k -t "$AD_KEYTAB_DIR/$1.keytab" "$1"; }
	ad_kinit_k "$1" >/dev/null 2>&1 || { echo "kinit -k $1 failed"; return; }
	KRB5CCNAME="FILE:$AD_DIR/$1.cc" kvno -U alice -P "$1@$AD_REALM" \
		"MSSQLSvc/sql.ad.example.test:1433" 2>&1 | grep -c 'MSSQLSvc.*constrained delegation failed'
}
check "svc-kcd: S4U2Proxy to MSSQLSvc allowed" eq "$(s4u svc-kcd)" 0
check "svc-crm: S4U2Proxy to MSSQLSvc refused" eq "$(s4u svc-crm)" 1

# logon failures
out=$(ad_kinit "dave@$AD_REALM" "$AD_PASSWORD" "$AD_DIR/dave.cc" </dev/null)
check "dave: password expired" \
	eval 'case "$out" in *"Password expired"*) true ;; *) echo "   got $out" >&2; false ;; esac'
out=$(ad_kinit "carol@$AD_REALM" "$AD_PASSWORD" "$AD_DIR/carol.cc")
check "carol: locked out (credentials revoked)" \
	eval 'case "$out" in *revoked*) true ;; *) echo "   got $out" >&2; false ;; esac'

# a user in many groups: a larger PAC in every ticket
size() { # user
	ad_kinit "$1@$AD_REALM" "$AD_PASSWORD" "$AD_DIR/$1.cc" >/dev/null
	KRB5CCNAME="FILE:$AD_DIR/$1.cc" kvno HTTP/crm.ad.example.test >/dev/null 2>&1
	wc -c <"$AD_DIR/$1.cc"
}
small=$(size alice)
big=$(size grpuser)
echo "ccache with a service ticket: alice $small bytes, grpuser ($AD_NGROUPS groups) $big bytes"
check "grpuser's tickets are larger (PAC with $AD_NGROUPS groups)" ge "$big" $((small + 8 * AD_NGROUPS))

sh "$AD_SH" status "$AD_DIR" >/dev/null
check "status: both daemons up" test $? -eq 0
t2=$(date +%s)
sh "$AD_SH" stop "$AD_DIR"
check "stop exits 0" test $? -eq 0
echo "ad.sh stop took $(($(date +%s) - t2)) s"
check "no process of the lab left after stop" eq "$(ad_processes "$AD_DIR")" ""
listens t 88 && fail "port 88 still listening after stop"
check "host's Samba files untouched" eq "$(host_state)" "$before"
lab_done
