#!/bin/sh
# negscope lab: a real MIT KDC, Apache httpd + mod_auth_gssapi and our IIS-like server,
# all on 127.0.0.1, started from nothing in a private directory.
#
# Interface (stable: negprobe and negcap tests use it):
#   lab.sh start DIR      create DIR if needed, build everything in it, start the daemons,
#                         write DIR/lab.env; exit 0 when every service answers.
#   lab.sh stop DIR       stop every daemon of that lab by its PID; exit 0 when none is left.
#   lab.sh status DIR     print the daemons and whether they run; exit 1 if one is down.
#   lab.sh kdc-stop DIR   stop only the KDC (for the kdc-down scenario)
#   lab.sh kdc-start DIR  start the KDC again
# Needs root (port 88). Nothing outside DIR is changed: host names are mapped by the client
# (curl --resolve, see LAB_CURL_RESOLVE), krb5 uses private KRB5_CONFIG/KRB5_KDC_PROFILE.
#
# DIR/lab.env holds shell `export` lines; source it to act as the lab's user:
#   KRB5_CONFIG KRB5_KDC_PROFILE  private krb5.conf / kdc.conf
#   KRB5CCNAME        FILE:DIR/ccache, alice's TGT (kinit done by start)
#   LAB_DIR LAB_REALM LAB_USER LAB_PRINCIPAL LAB_PASSWORD LAB_NTLM_DOMAIN
#   LAB_NTLM_USER_FILE  gss-ntlmssp credentials file (set NTLM_USER_FILE to it to make NTLM
#                     available to a client; not exported by default so SPNEGO stays Kerberos)
#   LAB_ADDR          127.0.0.1
#   LAB_KDC           127.0.0.1:88       LAB_KDC_PORT 88
#   LAB_HOST          crm.example.test   (SPN HTTP/crm.example.test)
#   LAB_HTTP_PORT 5555 (Apache, keep-alive on)  LAB_HTTPS_PORT 5443 (Apache TLS)
#   LAB_NOKA_PORT 5557 (Apache, KeepAlive Off)   LAB_NTLMONLY_PORT 5558 (iisish, NTLM only)
#   LAB_IIS_PORT 5559 (iisish, Negotiate+NTLM, Persistent-Auth, 401.1 page, error 41)
#   LAB_EPA_PORT 5560 (iisish over TLS with the crm certificate, Negotiate+NTLM, Extended
#                     Protection Require: needs the tls-server-end-point channel binding)
#   LAB_URL_EPA_PROXY https://crm.example.test:5446/epa/: the EPA site behind the
#                     TLS-terminating proxy (a binding over the proxy's certificate)
#   LAB_HTTP_URL LAB_HTTPS_URL   http://crm.example.test:5555/  https://crm.example.test:5443/
#   LAB_CA            PEM of the lab CA that signed the HTTPS certificate
#   LAB_HOST_PORTSPN  sales.example.test: only HTTP/sales.example.test:5555 is registered
#   LAB_HOST_STALE    stale.example.test: keytab kvno 1, KDC kvno 2
#   LAB_HOST_WRONGKEY wrongkey.example.test: keytab and KDC both kvno 1, different keys
#   LAB_HOST_DELEG    deleg.example.test: HTTP/deleg.example.test has ok_as_delegate
#   LAB_DELEG_DIR     where Apache stores credentials delegated to deleg.example.test
#   LAB_KEYTAB_DIR    keytabs: <site>.keytab per SPN (crm, sales, stale, wrongkey, deleg),
#                     apache.keytab (all of them, Apache's KRB5_KTNAME), iis.keytab
#   LAB_HTTP_KEYTAB   apache.keytab
#   LAB_URL_<SCENARIO> one URL per scenario of scenario.sh (KERBEROS_OK, SPN_PORT_MISMATCH...)
#   LAB_RESOLVE_LIST  "host:port:127.0.0.1 ..." for every lab host and port (CURLOPT_RESOLVE)
#   LAB_CURL_RESOLVE  the same as curl arguments: --resolve host:port:127.0.0.1 ...
#   LAB_PORTS         "5555 5443 5557 5558 5559 5560"
#   LAB_PCAP_FILTER   BPF filter for all lab traffic (port 88, the HTTP ports, ICMP)
#   LAB_KDC_PIDFILE LAB_HTTPD_PIDFILE LAB_IIS_PIDFILES  pid files of the daemons
#   LAB_WRONG_PASSWORD a password the KDC refuses (an old one of the users'), for the logon
#                     scenarios
#   LAB_LOCKOUT_USER LAB_LOCKOUT_PRINCIPAL  bob: same password as alice, under the MIT
#                     lockout policy LAB_LOCKOUT_POLICY (LAB_LOCKOUT_MAXFAILURE wrong
#                     passwords lock him for 10 minutes); lab.sh reset-lockout DIR resets him
# Also:
#   lab.sh reset-lockout DIR  re-create the lockout user: no failed attempts, not locked
set -eu

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SRC/../testenv.sh"
REALM=EXAMPLE.TEST
ADDR=127.0.0.1
KDC_PORT=88
HTTP_PORT=5555
HTTPS_PORT=5443
NOKA_PORT=5557
NTLMONLY_PORT=5558
IIS_PORT=5559
EPA_PORT=5560 # iisish over TLS, Extended Protection Require (channel binding)
LAB_USER_NAME=alice
LAB_PASS=Lab-Passw0rd.1
LAB_WRONG_PASS=Lab-Passw0rd.0
NTLM_DOMAIN=EXAMPLE
LOCKOUT_USER=bob
LOCKOUT_POLICY=lockout
LOCKOUT_MAXFAILURE=3
HOSTS="crm.example.test sales.example.test stale.example.test wrongkey.example.test deleg.example.test"

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { [ -n "${LAB_QUIET:-}" ] || echo "lab.sh: $*" >&2; }

# Is anything listening on ADDR:port (any address counts, since it would collide)?
port_busy() { # proto port
	ss -Hln"$1" "sport = :$2" 2>/dev/null | grep -q .
}

# Wait until a pid file names a live process and the port listens (a bound in seconds);
# false (wait_for said what it last saw) when it does not: the caller says why.
wait_ready() { # pidfile proto port seconds what
	wait_for "$4" "$5 on $ADDR:$3" ready "$1" "$2" "$3"
}
ready() { # pidfile proto port: says what it saw
	pid=$(cat "$1" 2>/dev/null || :)
	if [ -z "$pid" ]; then
		echo "no pid in $1"
		return 1
	fi
	alive "$pid" || { echo "pid $pid not running"; return 1; }
	port_busy "$2" "$3" || { echo "pid $pid runs, nothing listens on $2 port $3"; return 1; }
}

# A process that runs (a zombie waiting for init to reap it does not count: on some
# machines init reaps only every few seconds).
alive() { # pid
	kill -0 "$1" 2>/dev/null || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
gone() { # pid
	! alive "$1" || { echo "pid $1 still running"; return 1; }
}
none_left() { # pattern: no process whose command line matches
	left=$(pgrep -af -- "$1" 2>/dev/null || :)
	[ -z "$left" ] || { echo "$left"; return 1; }
}

# Stop one daemon by pid file: TERM, wait up to 10 s, then KILL.
stop_pidfile() { # pidfile what
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_for 10 "$2 (pid $pid) to exit" gone "$pid" 2>/dev/null || true
		if alive "$pid"; then
			log "$2 (pid $pid) ignored TERM, killing"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$1"
}

kadm() { kadmin.local -r "$REALM" -d "$D/kdc/principal" -q "$1" >>"$D/kdc/kadmin.log" 2>&1 || die "kadmin.local failed: $1"; }

write_krb5_conf() {
	cat >"$D/krb5.conf" <<EOF
# negscope lab client/server krb5.conf (private; KRB5_CONFIG points here)
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	forwardable = true
	ignore_acceptor_hostname = false
	default_ccache_name = FILE:$D/ccache
[realms]
	$REALM = {
		kdc = $ADDR:$KDC_PORT
		admin_server = $ADDR:749
	}
[domain_realm]
	.example.test = $REALM
	example.test = $REALM
[logging]
	default = FILE:$D/krb5lib.log
EOF
	cat >"$D/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = $ADDR:$KDC_PORT
	kdc_tcp_listen = $ADDR:$KDC_PORT
[realms]
	$REALM = {
		database_name = $D/kdc/principal
		key_stash_file = $D/kdc/stash
		acl_file = $D/kdc/kadm5.acl
		max_life = 10h 0m 0s
		max_renewable_life = 7d 0h 0m 0s
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$D/kdc/kdc.log
	admin_server = FILE:$D/kdc/kadmind.log
EOF
}

make_realm() {
	mkdir -p "$D/kdc" "$D/keytabs"
	chmod 700 "$D/kdc"
	: >"$D/kdc/kadm5.acl"
	kdb5_util -r "$REALM" -d "$D/kdc/principal" -sf "$D/kdc/stash" create -s \
		-P "lab-master-$$" >"$D/kdc/kdb5_util.log" 2>&1 ||
		die "kdb5_util create failed (see $D/kdc/kdb5_util.log)"
	[ -e "$D/kdc/principal" ] || die "kdb5_util did not create $D/kdc/principal"
	kadm "addprinc -pw $LAB_PASS +requires_preauth $LAB_USER_NAME"
	# the working site, and the same host for HTTPS, keep-alive off and the IIS-like server
	kadm "addprinc -randkey HTTP/crm.example.test"
	kadm "ktadd -k $D/keytabs/crm.keytab HTTP/crm.example.test"
	# the seed's mistake: SPN registered with the port only
	kadm "addprinc -randkey HTTP/sales.example.test:$HTTP_PORT"
	kadm "ktadd -k $D/keytabs/sales.keytab HTTP/sales.example.test:$HTTP_PORT"
	# stale keytab: exported at kvno 1, then the key changes in the KDC (kvno 2)
	kadm "addprinc -randkey HTTP/stale.example.test"
	kadm "ktadd -norandkey -k $D/keytabs/stale.keytab HTTP/stale.example.test"
	kadm "cpw -randkey HTTP/stale.example.test"
	# wrong key: the account was re-created, keytab and KDC both say kvno 1, keys differ
	kadm "addprinc -randkey HTTP/wrongkey.example.test"
	kadm "ktadd -norandkey -k $D/keytabs/wrongkey.keytab HTTP/wrongkey.example.test"
	kadm "delprinc -force HTTP/wrongkey.example.test"
	kadm "addprinc -randkey HTTP/wrongkey.example.test"
	# trusted for (unconstrained) delegation
	kadm "addprinc -randkey +ok_as_delegate HTTP/deleg.example.test"
	kadm "ktadd -k $D/keytabs/deleg.keytab HTTP/deleg.example.test"
	# the IIS-like server holds the good crm key and the wrong wrongkey key
	ktutil_merge "$D/keytabs/iis.keytab" "$D/keytabs/crm.keytab" "$D/keytabs/wrongkey.keytab"
	# Apache uses one keytab for all its sites (KRB5_KTNAME), as a host with one
	# /etc/krb5.keytab does: a per-site GssapiCredStore makes gss-ntlmssp 1.2 reject
	# the acceptor credential (and crash the child), so NTLM needs the process default.
	ktutil_merge "$D/keytabs/apache.keytab" "$D/keytabs/crm.keytab" "$D/keytabs/sales.keytab" \
		"$D/keytabs/stale.keytab" "$D/keytabs/wrongkey.keytab" "$D/keytabs/deleg.keytab"
	# negcap --keytab samples: the crm key as RC4 only (same principal and kvno, an etype
	# the AES tickets never use), and a keytab holding another principal only
	kvno=$(kvno_of "$D/keytabs/crm.keytab")
	{
		echo "addent -password -p HTTP/crm.example.test@$REALM -k $kvno -e rc4-hmac"
		echo "rc4-only-$$"
		echo "wkt $D/keytabs/crm-rc4-only.keytab"
		echo quit
	} | ktutil >/dev/null 2>&1 || die "ktutil could not write crm-rc4-only.keytab"
	[ -s "$D/keytabs/crm-rc4-only.keytab" ] || die "ktutil wrote no crm-rc4-only.keytab"
	# Apache's children run as www-data and must read their keytabs
	chmod 644 "$D"/keytabs/*.keytab
	make_lockout_user
}

# A second user under an account lockout policy (kadm5 policy, as AD's "account lockout
# threshold"): the KDC counts failed pre-authentications and, at the threshold, answers
# KDC_ERR_CLIENT_REVOKED (18) to every AS-REQ, even with the right password, until the
# lockout duration has passed or an administrator unlocks him (modprinc -unlock).
make_lockout_user() {
	kadm "add_policy -maxfailure $LOCKOUT_MAXFAILURE -failurecountinterval \"10 min\" -lockoutduration \"10 min\" $LOCKOUT_POLICY"
	add_lockout_user
}
add_lockout_user() {
	kadm "addprinc -pw $LAB_PASS +requires_preauth -policy $LOCKOUT_POLICY $LOCKOUT_USER"
}
# Re-created rather than unlocked: `modprinc -unlock` stamps the unlock time in seconds, and
# the KDC takes failures within that same second as older than the unlock, so a scenario
# that fails right after an unlock would never lock him.
reset_lockout_user() {
	kadm "delprinc -force $LOCKOUT_USER"
	add_lockout_user
}

kvno_of() { # keytab: the kvno of its first entry
	klist -k "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $1; exit }'
}

ktutil_merge() { # out in...
	out=$1
	shift
	{
		for k in "$@"; do echo "rkt $k"; done
		echo "wkt $out"
		echo quit
	} | ktutil >/dev/null 2>&1 || die "ktutil could not merge keytabs into $out"
	[ -s "$out" ] || die "ktutil wrote no $out"
}

make_ca() {
	mkdir -p "$D/ca"
	(
		cd "$D/ca"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout ca.key -out ca.pem -days 30 -subj "/CN=negscope lab CA" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout crm.key -out crm.csr -subj "/CN=crm.example.test"
		printf '%s\n' "subjectAltName=DNS:crm.example.test" "basicConstraints=CA:FALSE" \
			"extendedKeyUsage=serverAuth" >crm.ext
		openssl x509 -req -in crm.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out crm.pem -days 30 -extfile crm.ext
	) >"$D/ca/openssl.log" 2>&1 || die "openssl failed (see $D/ca/openssl.log)"
	chmod 644 "$D/ca/crm.key"
}

apache_user() {
	if id www-data >/dev/null 2>&1; then echo "www-data www-data"; else echo "nobody nogroup"; fi
}

# One vhost of the name-based set on $HTTP_PORT.
gss_location() { # keytab-of-this-site (documentation only) extra-directives
	cat <<EOF
	<Location />
		# keys: HTTP/... of this site in $1, served from apache.keytab (KRB5_KTNAME)
		AuthType GSSAPI
		AuthName "negscope lab"
		GssapiAllowedMech krb5
		GssapiAllowedMech ntlmssp
		GssapiConnectionBound On
		GssapiSignalPersistentAuth On
		$2
		Require valid-user
	</Location>
EOF
}

write_httpd_conf() {
	# shellcheck disable=SC2046 # "user group", split on purpose
	set -- $(apache_user)
	mkdir -p "$D/httpd/run" "$D/httpd/logs" "$D/htdocs" "$D/deleg"
	chown "$1:$2" "$D/deleg"
	chmod 700 "$D/deleg"
	printf 'negscope lab: authenticated\n' >"$D/htdocs/index.html"
	M=/usr/lib/apache2/modules
	{
		cat <<EOF
# negscope lab Apache (private ServerRoot; started by tests/lab/lab.sh)
ServerRoot $D/httpd
DefaultRuntimeDir $D/httpd/run
PidFile $D/httpd/httpd.pid
ErrorLog $D/httpd/logs/error.log
LogLevel info auth_gssapi:debug
User $1
Group $2
ServerName crm.example.test
LoadModule mpm_prefork_module $M/mod_mpm_prefork.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule auth_gssapi_module $M/mod_auth_gssapi.so
LoadModule mime_module $M/mod_mime.so
LoadModule rewrite_module $M/mod_rewrite.so
LoadModule dir_module $M/mod_dir.so
LoadModule socache_shmcb_module $M/mod_socache_shmcb.so
LoadModule ssl_module $M/mod_ssl.so
StartServers 2
MinSpareServers 1
MaxSpareServers 4
KeepAlive On
KeepAliveTimeout 15
TypesConfig /etc/mime.types
LogFormat "%h %{Host}i %l %u %t \"%r\" %>s %b conn=%{c}L keepalive=%k" lab
CustomLog $D/httpd/logs/access.log lab
DocumentRoot $D/htdocs
DirectoryIndex index.html
<Directory $D/htdocs>
	Require all granted
</Directory>
Listen $ADDR:$HTTP_PORT
Listen $ADDR:$HTTPS_PORT
Listen $ADDR:$NOKA_PORT

# $HTTP_PORT: one name-based site per SPN situation
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName crm.example.test
EOF
		gss_location "$D/keytabs/crm.keytab" ""
		cat <<EOF
	# negprobe -L (issue 16): a CRM-style 302 after sign-in (per-directory rewrites run in
	# the fixups, after authentication), within the origin and to another host (another SPN)
	<Location /redirect-same>
		RewriteEngine On
		RewriteRule .* /index.html [R=302,L]
	</Location>
	<Location /redirect-other>
		RewriteEngine On
		RewriteRule .* http://deleg.example.test:$HTTP_PORT/index.html [R=302,L]
	</Location>
	<Location /redirect-loop>
		RewriteEngine On
		RewriteRule .* /redirect-loop [R=302,L]
	</Location>
</VirtualHost>
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName sales.example.test
EOF
		gss_location "$D/keytabs/sales.keytab" ""
		cat <<EOF
</VirtualHost>
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName stale.example.test
EOF
		gss_location "$D/keytabs/stale.keytab" ""
		cat <<EOF
</VirtualHost>
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName wrongkey.example.test
EOF
		gss_location "$D/keytabs/wrongkey.keytab" ""
		cat <<EOF
</VirtualHost>
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName deleg.example.test
EOF
		gss_location "$D/keytabs/deleg.keytab" "GssapiDelegCcacheDir $D/deleg"
		cat <<EOF
</VirtualHost>

# $HTTPS_PORT: the crm site over TLS with a certificate from the lab CA
<VirtualHost $ADDR:$HTTPS_PORT>
	ServerName crm.example.test
	SSLEngine on
	SSLCertificateFile $D/ca/crm.pem
	SSLCertificateKeyFile $D/ca/crm.key
EOF
		gss_location "$D/keytabs/crm.keytab" ""
		cat <<EOF
</VirtualHost>

# $NOKA_PORT: the crm site with keep-alive off
<VirtualHost $ADDR:$NOKA_PORT>
	ServerName crm.example.test
	KeepAlive Off
EOF
		gss_location "$D/keytabs/crm.keytab" ""
		echo "</VirtualHost>"
		write_tls_lab_conf
	} >"$D/httpd/httpd.conf"
}

# ---- TLS lab sites (issue 13: HTTPS inside TLS; owner: tls-lab) ----------------------------
# Apache mod_ssl sites, each pinned to what it shows, with the same Negotiate/NTLM locations:
#   5444 TLS 1.2 only, RSA certificate, the suites IIS/HTTP.sys negotiates (AES-GCM,
#        ChaCha20-Poly1305, AES-CBC with SHA-1/SHA-256/SHA-384 MACs; the client picks with
#        curl --ciphers) and no encrypt-then-MAC (RFC 7366), which Schannel does not offer
#   5445 TLS 1.3 only
#   5446 TLS-terminating reverse proxy (mod_proxy) with its own certificate, forwarding over
#        TLS to 5444: the client's channel binding (RFC 5929 tls-server-end-point) is over
#        the proxy's certificate, the back end presents another (IIS <extendedProtection>
#        behind a load balancer); /epa/ forwards to the EPA site (LAB_EPA_PORT) instead,
#        which refuses that binding as IIS with Extended Protection does behind a proxy
#   5447 cleartext HTTP/2 (h2c, prior knowledge) and HTTP/1.1
#   5448 TLS 1.2, ALPN h2 and http/1.1; the site asks for a client certificate per location,
#        which needs renegotiation, impossible in HTTP/2 (RFC 9113 section 9.2.1): mod_http2
#        resets the stream with HTTP_1_1_REQUIRED and the client retries on HTTP/1.1, as
#        HTTP.sys does for Windows authentication
#   5447 and 5448 are served by a second Apache with the event MPM (DIR/httpd-h2): mod_http2
#   stays inactive under prefork, which the first one needs.
# The lab Apache writes its TLS key log (mod_ssl honours SSLKEYLOGFILE) to LAB_HTTPD_KEYLOG:
# the only way to read the proxy's own leg to the back end.
TLS12_PORT=5444
TLS13_PORT=5445
TLSPROXY_PORT=5446
H2C_PORT=5447
H2_PORT=5448
TLSLAB_HTTPD_PORTS="$TLS12_PORT $TLS13_PORT $TLSPROXY_PORT"
TLSLAB_H2_PORTS="$H2C_PORT $H2_PORT"
TLSLAB_PORTS="$TLSLAB_HTTPD_PORTS $TLSLAB_H2_PORTS"
TLS12_CIPHERS="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
TLS12_CIPHERS="$TLS12_CIPHERS:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA"
TLS12_CIPHERS="$TLS12_CIPHERS:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256"
TLS12_CIPHERS="$TLS12_CIPHERS:ECDHE-RSA-AES256-SHA384"

# Two more certificates from the lab CA: the sites' (RSA, every lab host, as an IIS binding
# with a SAN certificate) and the proxy's (another key, same name).
make_tls_lab_certs() {
	(
		cd "$D/ca"
		sans="DNS:crm.example.test"
		for h in $HOSTS; do
			[ "$h" = crm.example.test ] || sans="$sans,DNS:$h"
		done
		printf '%s\n' "subjectAltName=$sans" "basicConstraints=CA:FALSE" \
			"extendedKeyUsage=serverAuth" >tls.ext
		openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr \
			-subj "/CN=crm.example.test/O=negscope lab site"
		openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out tls.pem -days 30 -extfile tls.ext
		printf '%s\n' "subjectAltName=DNS:crm.example.test" "basicConstraints=CA:FALSE" \
			"extendedKeyUsage=serverAuth" >proxy.ext
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout proxy.key -out proxy.csr -subj "/CN=crm.example.test/O=negscope lab proxy"
		openssl x509 -req -in proxy.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out proxy.pem -days 30 -extfile proxy.ext
	) >>"$D/ca/openssl.log" 2>&1 || die "openssl failed (see $D/ca/openssl.log)"
	chmod 644 "$D/ca/tls.key" "$D/ca/proxy.key"
}

# The name-based sites of the HTTP port again, behind TLS.
tls_lab_sites() { # port extra-vhost-directives
	for h in $HOSTS; do
		s=${h%%.*}
		cat <<EOF
<VirtualHost $ADDR:$1>
	ServerName $h
	SSLEngine on
	SSLCertificateFile $D/ca/tls.pem
	SSLCertificateKeyFile $D/ca/tls.key
	$2
EOF
		extra=""
		[ "$s" = deleg ] && extra="GssapiDelegCcacheDir $D/deleg"
		gss_location "$D/keytabs/$s.keytab" "$extra"
		echo "</VirtualHost>"
	done
}

write_tls_lab_conf() {
	M=/usr/lib/apache2/modules
	cat <<EOF

# TLS lab sites (issue 13)
LoadModule proxy_module $M/mod_proxy.so
LoadModule proxy_http_module $M/mod_proxy_http.so
EOF
	for p in $TLSLAB_HTTPD_PORTS; do
		echo "Listen $ADDR:$p"
	done
	tls_lab_sites "$TLS12_PORT" "SSLProtocol -all +TLSv1.2
	SSLCipherSuite $TLS12_CIPHERS
	SSLOpenSSLConfCmd Options -EncryptThenMac"
	tls_lab_sites "$TLS13_PORT" "SSLProtocol -all +TLSv1.3"
	cat <<EOF
<VirtualHost $ADDR:$TLSPROXY_PORT>
	ServerName crm.example.test
	SSLEngine on
	SSLProtocol -all +TLSv1.2
	SSLCertificateFile $D/ca/proxy.pem
	SSLCertificateKeyFile $D/ca/proxy.key
	SSLProxyEngine on
	SSLProxyCACertificateFile $D/ca/ca.pem
	SSLProxyProtocol -all +TLSv1.2
	ProxyPreserveHost On
	# the back-end connection is kept with the client's: NTLM is connection-bound
	# /epa/: the EPA site (iisish, Extended Protection Require) behind this proxy, which
	# refuses a binding made over the proxy's certificate
	ProxyPass /epa/ https://$ADDR:$EPA_PORT/ keepalive=On
	ProxyPassReverse /epa/ https://$ADDR:$EPA_PORT/
	ProxyPass / https://$ADDR:$TLS12_PORT/ keepalive=On
	ProxyPassReverse / https://$ADDR:$TLS12_PORT/
</VirtualHost>
EOF
}

# The HTTP/2 Apache: the first one's global settings with the event MPM and mod_http2.
write_tls_lab_h2_conf() {
	sed -n '/^LoadModule mpm_prefork_module/q;p' "$D/httpd/httpd.conf" |
		sed "s#$D/httpd#$D/httpd-h2#g"
	M=/usr/lib/apache2/modules
	cat <<EOF
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule http2_module $M/mod_http2.so
EOF
	sed -n '/^LoadModule authz_core_module/,/^<\/Directory>/p' "$D/httpd/httpd.conf" |
		grep -vE '^(StartServers|MinSpareServers|MaxSpareServers)' |
		sed "s#$D/httpd/logs#$D/httpd-h2/logs#g"
	for p in $TLSLAB_H2_PORTS; do
		echo "Listen $ADDR:$p"
	done
	cat <<EOF
<VirtualHost $ADDR:$H2C_PORT>
	ServerName crm.example.test
	Protocols h2c http/1.1
EOF
	gss_location "$D/keytabs/crm.keytab" ""
	cat <<EOF
</VirtualHost>
<VirtualHost $ADDR:$H2_PORT>
	ServerName crm.example.test
	Protocols h2 http/1.1
	SSLEngine on
	SSLProtocol -all +TLSv1.2
	SSLCertificateFile $D/ca/tls.pem
	SSLCertificateKeyFile $D/ca/tls.key
	SSLCACertificateFile $D/ca/ca.pem
EOF
	gss_location "$D/keytabs/crm.keytab" "SSLVerifyClient optional
		SSLVerifyDepth 1"
	echo "</VirtualHost>"
}

launch_tls_lab_h2() {
	mkdir -p "$D/httpd-h2/run" "$D/httpd-h2/logs"
	write_tls_lab_h2_conf >"$D/httpd-h2/httpd.conf"
	env KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$D/httpd-h2/run/ccache" \
		KRB5_KTNAME="FILE:$D/keytabs/apache.keytab" SSLKEYLOGFILE="$D/httpd-h2/keylog" \
		NTLM_USER_FILE="$D/ntlm/users" \
		setsid apache2 -f "$D/httpd-h2/httpd.conf" -k start </dev/null \
		>"$D/httpd-h2/start.log" 2>&1 || apache_failed "$D/httpd-h2" "apache2 (h2)"
}
wait_tls_lab_h2() {
	for p in $TLSLAB_H2_PORTS; do
		wait_ready "$D/httpd-h2/httpd.pid" t "$p" 60 "apache2 (h2)" ||
			apache_failed "$D/httpd-h2" "apache2 (h2)"
	done
}

stop_tls_lab_h2() {
	stop_pidfile "$D/httpd-h2/httpd.pid" "apache2 (h2)"
	wait_for 30 "the h2 Apache's processes to exit" none_left "$D/httpd-h2/" >/dev/null 2>&1 ||
		true
}

write_tls_lab_env() {
	echo "export LAB_TLS12_PORT='$TLS12_PORT'"
	echo "export LAB_TLS13_PORT='$TLS13_PORT'"
	echo "export LAB_TLSPROXY_PORT='$TLSPROXY_PORT'"
	echo "export LAB_H2C_PORT='$H2C_PORT'"
	echo "export LAB_H2_PORT='$H2_PORT'"
	echo "export LAB_TLSLAB_PORTS='$TLSLAB_PORTS'"
	echo "export LAB_TLS12_CIPHERS='$TLS12_CIPHERS'"
	echo "export LAB_HTTPD_KEYLOG='$D/httpd/keylog'"
	echo "export LAB_HTTPD_H2_KEYLOG='$D/httpd-h2/keylog'"
	echo "export LAB_HTTPD_H2_PIDFILE='$D/httpd-h2/httpd.pid'"
	echo "export LAB_TLS_CERT='$D/ca/tls.pem'"
	echo "export LAB_PROXY_CERT='$D/ca/proxy.pem'"
	echo "export LAB_URL_EPA_PROXY='https://crm.example.test:$TLSPROXY_PORT/epa/'"
}
# ---- end of TLS lab sites ------------------------------------------------------------------

# The IIS-like server: built by CMake (NEGSCOPE_BUILD_DIR/tests/lab/iisish) or here.
find_iisish() {
	for c in "${LAB_IISISH:-}" "${NEGSCOPE_BUILD_DIR:-}/tests/lab/iisish"; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	cc=${CC:-cc}
	command -v "$cc" >/dev/null 2>&1 || cc=gcc
	# shellcheck disable=SC2046
	"$cc" -std=c11 -O1 -D_GNU_SOURCE -o "$D/iisish" "$LAB_SRC/iisish.c" \
		$(pkg-config --cflags --libs krb5-gssapi krb5 libssl libcrypto) >"$D/iisish-build.log" 2>&1 ||
		die "could not build iisish (see $D/iisish-build.log)"
	echo "$D/iisish"
}

# Each daemon has a launch half and a wait half: do_start launches them all, then waits,
# so their start-ups overlap (none needs another to start: Apache and iisish reach the KDC
# only when a request comes).
launch_kdc() {
	if port_busy u "$KDC_PORT" || port_busy t "$KDC_PORT"; then
		die "port $KDC_PORT is already in use (another KDC or lab?): $(ss -Hlnptu "sport = :$KDC_PORT" | head -2 | tr -s ' ')"
	fi
	rm -f "$D/kdc/kdc.pid"
	KRB5_CONFIG="$D/krb5.conf" KRB5_KDC_PROFILE="$D/kdc.conf" \
		setsid krb5kdc -r "$REALM" -P "$D/kdc/kdc.pid" </dev/null >>"$D/kdc/krb5kdc.out" 2>&1 ||
		die "krb5kdc failed to start (see $D/kdc/kdc.log)"
}
wait_kdc() {
	wait_ready "$D/kdc/kdc.pid" u "$KDC_PORT" 60 "krb5kdc" || die "krb5kdc did not come up (see $D/kdc/kdc.log)"
	wait_ready "$D/kdc/kdc.pid" t "$KDC_PORT" 60 "krb5kdc" || die "krb5kdc did not come up (see $D/kdc/kdc.log)"
}
start_kdc() {
	launch_kdc
	wait_kdc
}

# An Apache that would not start: its configuration test says why, else its error log.
apache_failed() { # dir what
	if ! apache2 -t -f "$1/httpd.conf" >"$1/configtest.log" 2>&1; then
		die "$2 rejects its configuration: $(tail -3 "$1/configtest.log")"
	fi
	die "$2 failed to start: $(tail -3 "$1/logs/error.log" 2>/dev/null) (see $1)"
}

launch_httpd() {
	for p in $HTTP_PORT $HTTPS_PORT $NOKA_PORT $TLSLAB_PORTS; do
		port_busy t "$p" && die "TCP port $p is already in use"
	done
	# setsid: the prefork parent signals its whole process group on shutdown
	env KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$D/httpd/run/ccache" \
		KRB5_KTNAME="FILE:$D/keytabs/apache.keytab" SSLKEYLOGFILE="$D/httpd/keylog" \
		NTLM_USER_FILE="$D/ntlm/users" \
		setsid apache2 -f "$D/httpd/httpd.conf" -k start </dev/null >"$D/httpd/start.log" 2>&1 ||
		apache_failed "$D/httpd" apache2
	launch_tls_lab_h2
}
wait_httpd() {
	for p in $HTTP_PORT $HTTPS_PORT $NOKA_PORT $TLSLAB_HTTPD_PORTS; do
		wait_ready "$D/httpd/httpd.pid" t "$p" 60 "apache2" || apache_failed "$D/httpd" apache2
	done
	wait_tls_lab_h2
}

launch_iis() { # name port args...
	name=$1
	port=$2
	shift 2
	port_busy t "$port" && die "TCP port $port is already in use"
	rm -f "$D/iis/$name.pid"
	env KRB5_CONFIG="$D/krb5.conf" NTLM_USER_FILE="$D/ntlm/users" \
		setsid "$IISISH" --listen "$ADDR:$port" --pidfile "$D/iis/$name.pid" "$@" \
		</dev/null >>"$D/iis/$name.log" 2>&1 &
}
wait_iis() { # name port
	wait_ready "$D/iis/$1.pid" t "$2" 60 "iisish $1" ||
		die "iisish $1 did not come up on $ADDR:$2 (see $D/iis/$1.log)"
}

write_env() {
	{
		echo "# negscope lab environment (written by tests/lab/lab.sh start)"
		echo "export LAB_DIR='$D'"
		echo "export KRB5_CONFIG='$D/krb5.conf'"
		echo "export KRB5_KDC_PROFILE='$D/kdc.conf'"
		echo "export KRB5CCNAME='FILE:$D/ccache'"
		echo "export LAB_REALM='$REALM'"
		echo "export LAB_USER='$LAB_USER_NAME'"
		echo "export LAB_PRINCIPAL='$LAB_USER_NAME@$REALM'"
		echo "export LAB_PASSWORD='$LAB_PASS'"
		echo "export LAB_NTLM_DOMAIN='$NTLM_DOMAIN'"
		echo "export LAB_NTLM_USER_FILE='$D/ntlm/users'"
		echo "export LAB_ADDR='$ADDR'"
		echo "export LAB_KDC='$ADDR:$KDC_PORT'"
		echo "export LAB_KDC_PORT='$KDC_PORT'"
		echo "export LAB_HOST='crm.example.test'"
		echo "export LAB_HOST_PORTSPN='sales.example.test'"
		echo "export LAB_HOST_STALE='stale.example.test'"
		echo "export LAB_HOST_WRONGKEY='wrongkey.example.test'"
		echo "export LAB_HOST_DELEG='deleg.example.test'"
		echo "export LAB_HTTP_PORT='$HTTP_PORT'"
		echo "export LAB_HTTPS_PORT='$HTTPS_PORT'"
		echo "export LAB_NOKA_PORT='$NOKA_PORT'"
		echo "export LAB_NTLMONLY_PORT='$NTLMONLY_PORT'"
		echo "export LAB_IIS_PORT='$IIS_PORT'"
		echo "export LAB_EPA_PORT='$EPA_PORT'"
		echo "export LAB_URL_EPA='https://crm.example.test:$EPA_PORT/'"
		echo "export LAB_PORTS='$HTTP_PORT $HTTPS_PORT $NOKA_PORT $NTLMONLY_PORT $IIS_PORT $EPA_PORT $TLSLAB_PORTS'"
		echo "export LAB_HTTP_URL='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_HTTPS_URL='https://crm.example.test:$HTTPS_PORT/'"
		echo "export LAB_CA='$D/ca/ca.pem'"
		echo "export LAB_DELEG_DIR='$D/deleg'"
		echo "export LAB_KEYTAB_DIR='$D/keytabs'"
		echo "export LAB_HTTP_KEYTAB='$D/keytabs/apache.keytab'"
		echo "export LAB_URL_KERBEROS_OK='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_KERBEROS_TCP='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_SPN_PORT_MISMATCH='http://sales.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_SPN_PORT_MISMATCH_NTLM='http://sales.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_CLOCK_SKEW='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_STALE_KEYTAB='http://stale.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_WRONG_KEY='http://wrongkey.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_KEEPALIVE_OFF='http://crm.example.test:$NOKA_PORT/'"
		echo "export LAB_URL_KEEPALIVE_OFF_NTLM='http://crm.example.test:$NOKA_PORT/'"
		echo "export LAB_URL_NTLM_FALLBACK='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_NTLM_ONLY='http://crm.example.test:$NTLMONLY_PORT/'"
		echo "export LAB_URL_DELEGATION_OK='http://deleg.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_DELEGATION_NOT_TRUSTED='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_HTTPS_KERBEROS_OK='https://crm.example.test:$HTTPS_PORT/'"
		echo "export LAB_URL_KDC_DOWN='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_IIS_KERBEROS_OK='http://crm.example.test:$IIS_PORT/'"
		echo "export LAB_URL_IIS_AP_ERR_MODIFIED='http://wrongkey.example.test:$IIS_PORT/'"
		echo "export LAB_URL_WRONG_PASSWORD='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_URL_ACCOUNT_LOCKED='http://crm.example.test:$HTTP_PORT/'"
		echo "export LAB_WRONG_PASSWORD='$LAB_WRONG_PASS'"
		echo "export LAB_LOCKOUT_USER='$LOCKOUT_USER'"
		echo "export LAB_LOCKOUT_PRINCIPAL='$LOCKOUT_USER@$REALM'"
		echo "export LAB_LOCKOUT_POLICY='$LOCKOUT_POLICY'"
		echo "export LAB_LOCKOUT_MAXFAILURE='$LOCKOUT_MAXFAILURE'"
		list=""
		for h in $HOSTS; do
			for p in $HTTP_PORT $HTTPS_PORT $NOKA_PORT $NTLMONLY_PORT $IIS_PORT $EPA_PORT $TLSLAB_PORTS; do
				list="$list $h:$p:$ADDR"
			done
		done
		list=${list# }
		echo "export LAB_RESOLVE_LIST='$list'"
		# shellcheck disable=SC2086 # one --resolve per entry
		echo "export LAB_CURL_RESOLVE='$(printf -- '--resolve %s ' $list | sed 's/ $//')'"
		echo "export LAB_PCAP_FILTER='port $KDC_PORT or icmp or tcp port $HTTP_PORT or tcp port $HTTPS_PORT or tcp port $NOKA_PORT or tcp port $NTLMONLY_PORT or tcp port $IIS_PORT or tcp port $EPA_PORT$(printf ' or tcp port %s' $TLSLAB_PORTS)'"
		echo "export LAB_KDC_PIDFILE='$D/kdc/kdc.pid'"
		echo "export LAB_HTTPD_PIDFILE='$D/httpd/httpd.pid'"
		echo "export LAB_IIS_PIDFILES='$D/iis/ntlmonly.pid $D/iis/iis.pid $D/iis/epa.pid'"
		write_tls_lab_env
	} >"$D/lab.env.tmp"
	mv "$D/lab.env.tmp" "$D/lab.env"
}

do_stop() {
	stop_pidfile "$D/iis/ntlmonly.pid" "iisish ntlmonly"
	stop_pidfile "$D/iis/iis.pid" "iisish iis"
	stop_pidfile "$D/iis/epa.pid" "iisish epa"
	stop_pidfile "$D/httpd/httpd.pid" "apache2"
	stop_tls_lab_h2
	stop_pidfile "$D/kdc/kdc.pid" "krb5kdc"
	# Apache's children leave with their parent; make sure, by their command line (DIR is
	# unique to this lab), that nothing of this lab survives.
	pat="$D/(kdc/kdc[.]pid|httpd/httpd[.]conf|httpd-h2/|iis/)"
	wait_for 30 "the lab's processes to exit" none_left "$pat" >/dev/null 2>&1 || true
	if pgrep -f -- "$pat" >/dev/null 2>&1; then
		echo "lab.sh: processes of $D still running:" >&2
		pgrep -af -- "$pat" >&2
		exit 1
	fi
}

do_start() {
	[ "$(id -u)" -eq 0 ] || die "needs root (the KDC listens on port $KDC_PORT)"
	for t in krb5kdc kdb5_util kadmin.local ktutil kinit apache2 openssl ss setsid pgrep; do
		command -v "$t" >/dev/null 2>&1 || die "missing $t: run .ci/install-deps"
	done
	[ -e /usr/lib/apache2/modules/mod_auth_gssapi.so ] ||
		die "missing mod_auth_gssapi: run .ci/install-deps"
	if [ -s "$D/kdc/kdc.pid" ] && alive "$(cat "$D/kdc/kdc.pid")"; then
		die "a lab already runs in $D (lab.sh stop $D first)"
	fi
	# refuse early, before anything is created, when a port is taken
	if port_busy u "$KDC_PORT" || port_busy t "$KDC_PORT"; then
		die "port $KDC_PORT is already in use (another KDC or lab?): $(ss -Hlnptu "sport = :$KDC_PORT" | head -2 | tr -s ' ')"
	fi
	for p in $HTTP_PORT $HTTPS_PORT $NOKA_PORT $NTLMONLY_PORT $IIS_PORT $EPA_PORT $TLSLAB_PORTS; do
		port_busy t "$p" && die "TCP port $p is already in use: $(ss -Hlntp "sport = :$p" | head -1 | tr -s ' ')"
	done
	rm -rf "$D/kdc" "$D/keytabs" "$D/httpd" "$D/ca" "$D/iis" "$D/ntlm" "$D/deleg" "$D/htdocs"
	mkdir -p "$D/iis" "$D/ntlm"
	# Apache (www-data) reads keytabs and the NTLM user file below DIR
	chmod 755 "$D"
	printf '%s:%s:%s\n' "$NTLM_DOMAIN" "$LAB_USER_NAME" "$LAB_PASS" >"$D/ntlm/users"
	chmod 644 "$D/ntlm/users"
	write_krb5_conf
	make_realm
	make_ca
	make_tls_lab_certs
	write_httpd_conf
	IISISH=$(find_iisish)
	trap 'do_stop >/dev/null 2>&1 || true' EXIT
	launch_kdc
	launch_httpd
	launch_iis ntlmonly "$NTLMONLY_PORT" --offer ntlm
	launch_iis iis "$IIS_PORT" --offer negotiate,ntlm --keytab "$D/keytabs/iis.keytab" \
		--error-41
	launch_iis epa "$EPA_PORT" --offer negotiate,ntlm --keytab "$D/keytabs/iis.keytab" \
		--tls-cert "$D/ca/crm.pem" --tls-key "$D/ca/crm.key" --epa require
	wait_kdc
	wait_httpd
	wait_iis ntlmonly "$NTLMONLY_PORT"
	wait_iis iis "$IIS_PORT"
	wait_iis epa "$EPA_PORT"
	printf '%s\n' "$LAB_PASS" | KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$D/ccache" \
		kinit "$LAB_USER_NAME@$REALM" >"$D/kinit.log" 2>&1 ||
		die "kinit $LAB_USER_NAME failed (see $D/kinit.log and $D/kdc/kdc.log)"
	write_env
	trap - EXIT
	log "lab up in $D (source $D/lab.env)"
}

[ $# -eq 2 ] || die "usage: lab.sh start|stop|status|kdc-stop|kdc-start|reset-lockout DIR"
mkdir -p "$2"
D=$(cd "$2" && pwd)
# Every krb5 tool below works on this lab's files only, never on /etc/krb5*.
export KRB5_CONFIG="$D/krb5.conf" KRB5_KDC_PROFILE="$D/kdc.conf" KRB5CCNAME="FILE:$D/ccache"
case "$1" in
start) do_start ;;
stop) do_stop ;;
kdc-stop) stop_pidfile "$D/kdc/kdc.pid" "krb5kdc" ;;
kdc-start) start_kdc ;;
reset-lockout) reset_lockout_user ;;
status)
	rc=0
	for f in "$D/kdc/kdc.pid" "$D/httpd/httpd.pid" "$D/httpd-h2/httpd.pid" "$D/iis/ntlmonly.pid" \
		"$D/iis/iis.pid" "$D/iis/epa.pid"; do
		if [ -s "$f" ] && alive "$(cat "$f")"; then
			echo "up   $(cat "$f") $f"
		else
			echo "down - $f"
			rc=1
		fi
	done
	exit $rc
	;;
*) die "unknown command $1 (start|stop|status|kdc-stop|kdc-start|reset-lockout)" ;;
esac
