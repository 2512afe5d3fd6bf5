#!/bin/sh
# negscope AD lab: a real Active Directory domain controller (Samba AD DC, Debian samba-ad-dc
# 4.17) and Apache httpd + mod_auth_gssapi with keytabs exported from it, on 127.0.0.2,
# beside the MIT lab (tests/lab/lab.sh, 127.0.0.1) — both can run at once.
#
# Interface (stable: tests use it):
#   ad.sh start DIR     provision (or copy the cached template), start the DC and Apache,
#                       lock carol out, write DIR/ad.env; exit 0 when every service answers
#   ad.sh stop DIR      stop the DC's process group and Apache by PID; exit 0 when none is left
#   ad.sh status DIR    print the daemons and whether they run; exit 1 if one is down
#   ad.sh template DIR  only build a template (provisioned domain, accounts, keytabs) in DIR
# Needs root (port 88). Nothing outside DIR (and the template directory) is changed: Samba
# runs from DIR/dc/etc/smb.conf with every directory below DIR, never /etc/samba or
# /var/lib/samba; krb5 uses DIR/krb5.conf; host names are mapped by the client (--resolve).
#
# Provisioning takes 10-40 s, so the provisioned domain with its accounts and keytabs is
# built once into a template directory and copied for each start: AD_TEMPLATE_DIR, else
# NEGSCOPE_BUILD_DIR/tests/lab/ad-template, else DIR/template. A template that does not say it
# was made by this script's current version (tests/lab/ad/accounts.py and this file's
# AD_TEMPLATE_VERSION) is made again.
#
# DIR/ad.env holds shell `export` lines (source it to act as alice of AD.EXAMPLE.TEST); the
# variables are listed in tests/lab/README.md, "The AD lab".
set -eu

AD_SRC=$(cd "$(dirname "$0")" && pwd)
. "$AD_SRC/../../testenv.sh"
AD_TEMPLATE_VERSION=3
REALM=AD.EXAMPLE.TEST
DOMAIN=AD
DNSDOM=ad.example.test
ADDR=127.0.0.2
HTTP_PORT=5575
ADMIN_PASS=Adm1n-Passw0rd.1
PASS=Us3r-Passw0rd.1
NEW_PASS=Us3r-Passw0rd.2
WRONG_PASS=Wr0ng-Passw0rd.1
NGROUPS=${AD_NGROUPS:-150}
SITES="crm web01 stale deleg kcd aes rc4 intranet"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() { echo "ad.sh: $*" >&2; exit 1; }
log() { [ -n "${LAB_QUIET:-}" ] || echo "ad.sh: $*" >&2; }

port_busy() { # proto port: anything listening on ADDR:port or the wildcard address
	ss -Hln"$1" "sport = :$2" 2>/dev/null | awk '{print $4}' |
		grep -qE "^($ADDR|0[.]0[.]0[.]0|\*|\[::\]):$2\$"
}
alive() { # pid: runs (a zombie does not count)
	kill -0 "$1" 2>/dev/null || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
group_left() { # pgid: live members of a process group, printed
	for p in $(pgrep -g "$1" 2>/dev/null || :); do
		alive "$p" && echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}
group_gone() { # pgid
	left=$(group_left "$1")
	[ -z "$left" ] || { echo "still running: $left" | head -3; return 1; }
}
ready() { # pidfile proto port
	pid=$(cat "$1" 2>/dev/null || :)
	[ -n "$pid" ] || { echo "no pid in $1"; return 1; }
	alive "$pid" || { echo "pid $pid not running"; return 1; }
	port_busy "$2" "$3" || { echo "pid $pid runs, nothing listens on $2 port $3"; return 1; }
}

# The smb.conf of a DC in directory $1: every path below it, only the KDC and LDAP
# services, only 127.0.0.2 ("/8": Samba takes an address on lo's network without it being
# configured on lo).
write_smb_conf() { # dcdir
	c=$1
	mkdir -p "$c/etc" "$c/run" "$c/log" "$c/cache" "$c/state" "$c/private" "$c/bind-dns"
	cat >"$c/etc/smb.conf" <<EOF
# negscope AD lab DC (written by tests/lab/ad/ad.sh; private, nothing in /etc/samba)
[global]
	netbios name = DC1
	workgroup = $DOMAIN
	realm = $REALM
	server role = active directory domain controller
	server services = ldap, kdc
	interfaces = $ADDR/8
	bind interfaces only = yes
	private dir = $c/private
	state directory = $c/state
	cache directory = $c/cache
	lock directory = $c
	binddns dir = $c/bind-dns
	pid directory = $c/run
	ncalrpc dir = $c/run/ncalrpc
	winbindd socket directory = $c/run/winbindd
	ntp signd socket directory = $c/run/ntp_signd
	log file = $c/log/samba.log
	max log size = 0
	log level = 1 kdc:3 auth_audit:3
[sysvol]
	path = $c/state/sysvol
	read only = No
[netlogon]
	path = $c/state/sysvol/$DNSDOM/scripts
	read only = No
EOF
}

# Provision a domain and create the lab's accounts and keytabs into template dir $1.
make_template() { # dir
	T=$1
	rm -rf "$T.new"
	mkdir -p "$T.new/dc" "$T.new/keytabs"
	: >"$T.new/dc/base.conf"
	t0=$(date +%s)
	# -s: an empty configuration, so nothing of /etc/samba/smb.conf leaks in
	samba-tool domain provision -s "$T.new/dc/base.conf" --targetdir="$T.new/dc" \
		--realm="$REALM" --domain="$DOMAIN" --server-role=dc --dns-backend=NONE \
		--host-name=dc1 --adminpass="$ADMIN_PASS" \
		--option="interfaces=$ADDR/8" --option="bind interfaces only=yes" \
		>"$T.new/provision.log" 2>&1 ||
		die "samba-tool domain provision failed (see $T.new/provision.log)"
	t1=$(date +%s)
	write_smb_conf "$T.new/dc"
	"$PY" "$AD_SRC/accounts.py" "$T.new/dc" "$T.new/keytabs" "$PASS" "$NEW_PASS" "$NGROUPS" \
		>"$T.new/accounts.txt" 2>"$T.new/accounts.log" ||
		die "accounts.py failed (see $T.new/accounts.log)"
	# The duplicate SPN: samba-tool spn add and LDAP modifies refuse it (as setspn -S does),
	# so the second servicePrincipalName is written straight into the domain partition,
	# below the modules that check uniqueness.
	part="$T.new/dc/private/sam.ldb.d/DC=AD,DC=EXAMPLE,DC=TEST.ldb"
	[ -e "$part" ] || die "no domain partition $part"
	printf 'dn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: HTTP/intranet.%s\n' \
		"$(sed -n 's/^web01-dn //p' "$T.new/accounts.txt")" "$DNSDOM" >"$T.new/dup.ldif"
	ldbmodify -H "tdb://$part" "$T.new/dup.ldif" >"$T.new/dup.log" 2>&1 ||
		die "ldbmodify of the domain partition failed (see $T.new/dup.log)"
	t2=$(date +%s)
	echo "provision=$((t1 - t0))s accounts=$((t2 - t1))s" >"$T.new/timing"
	template_stamp >"$T.new/stamp"
	rm -rf "$T"
	mv "$T.new" "$T"
	log "template made in $T ($(cat "$T/timing"))"
}

template_stamp() {
	echo "v$AD_TEMPLATE_VERSION groups=$NGROUPS $(cksum <"$AD_SRC/accounts.py") $(samba -V)"
}

template_dir() {
	if [ -n "${AD_TEMPLATE_DIR:-}" ]; then
		echo "$AD_TEMPLATE_DIR"
	elif [ -n "${NEGSCOPE_BUILD_DIR:-}" ] && [ -d "$NEGSCOPE_BUILD_DIR" ]; then
		echo "$NEGSCOPE_BUILD_DIR/tests/lab/ad-template"
	else
		echo "$D/template"
	fi
}

ensure_template() {
	T=$(template_dir)
	mkdir -p "$(dirname "$T")"
	# one maker at a time (two lab tests of two build trees may share a template dir)
	exec 9>"$T.lock"
	flock 9
	if [ ! -s "$T/stamp" ] || [ "$(cat "$T/stamp")" != "$(template_stamp)" ]; then
		make_template "$T"
	fi
	flock -u 9
	exec 9>&-
}

write_krb5_conf() {
	cat >"$D/krb5.conf" <<EOF
# negscope AD lab client krb5.conf (private; KRB5_CONFIG points here)
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
		kdc = $ADDR:88
		admin_server = $ADDR:464
	}
[domain_realm]
	.$DNSDOM = $REALM
	$DNSDOM = $REALM
[logging]
	default = FILE:$D/krb5lib.log
EOF
}

apache_user() {
	if id www-data >/dev/null 2>&1; then echo "www-data www-data"; else echo "nobody nogroup"; fi
}

write_httpd_conf() {
	# shellcheck disable=SC2046 # "user group", split on purpose
	set -- $(apache_user)
	mkdir -p "$D/httpd/run" "$D/httpd/logs" "$D/htdocs" "$D/deleg"
	chown "$1:$2" "$D/deleg"
	chmod 700 "$D/deleg"
	printf 'negscope AD lab: authenticated\n' >"$D/htdocs/index.html"
	M=/usr/lib/apache2/modules
	{
		cat <<EOF
# negscope AD lab Apache (private ServerRoot; started by tests/lab/ad/ad.sh)
ServerRoot $D/httpd
DefaultRuntimeDir $D/httpd/run
PidFile $D/httpd/httpd.pid
ErrorLog $D/httpd/logs/error.log
LogLevel info auth_gssapi:debug
User $1
Group $2
ServerName crm.$DNSDOM
LoadModule mpm_prefork_module $M/mod_mpm_prefork.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule auth_gssapi_module $M/mod_auth_gssapi.so
LoadModule mime_module $M/mod_mime.so
LoadModule dir_module $M/mod_dir.so
StartServers 2
MinSpareServers 1
MaxSpareServers 4
KeepAlive On
TypesConfig /etc/mime.types
LogFormat "%h %{Host}i %l %u %t \"%r\" %>s %b conn=%{c}L" lab
CustomLog $D/httpd/logs/access.log lab
DocumentRoot $D/htdocs
DirectoryIndex index.html
<Directory $D/htdocs>
	Require all granted
</Directory>
Listen $ADDR:$HTTP_PORT
EOF
		# One name-based site per account situation, each with only its own exported keytab,
		# as IIS sites in separate app pools (krb5 only: no gss-ntlmssp here, whose 1.2
		# rejects a per-site GssapiCredStore). MIT's acceptor tries every key of its keytab
		# whatever the ticket's name, so one shared keytab would hide the wrong-key case.
		for s in $SITES; do
			kt=$s
			[ "$s" = intranet ] && kt=crm
			extra="GssapiCredStore keytab:$D/keytabs/$kt.keytab"
			[ "$s" = deleg ] && extra="$extra
		GssapiDelegCcacheDir $D/deleg"
			cat <<EOF
<VirtualHost $ADDR:$HTTP_PORT>
	ServerName $s.$DNSDOM
	<Location />
		AuthType GSSAPI
		AuthName "negscope AD lab"
		GssapiAllowedMech krb5
		GssapiConnectionBound On
		GssapiSignalPersistentAuth On
		$extra
		Require valid-user
	</Location>
</VirtualHost>
EOF
		done
	} >"$D/httpd/httpd.conf"
}

start_dc() {
	for p in 88 389; do
		port_busy t $p && die "TCP port $ADDR:$p is already in use (another AD lab?)"
	done
	rm -f "$D/dc/run/samba.pid"
	# -F: no fork of our own, so $! is the root process; setsid makes it the leader of a
	# process group holding every Samba task, which stop signals and checks as a whole.
	# --maximum-runtime: a lab forgotten by a killed test ends on its own after 2 hours.
	setsid samba -F -s "$D/dc/etc/smb.conf" --maximum-runtime=7200 \
		</dev/null >"$D/dc/log/samba.out" 2>&1 &
	echo $! >"$D/dc.pid"
	wait_for 120 "the DC's KDC on $ADDR:88" ready "$D/dc.pid" t 88 ||
		die "samba did not come up (see $D/dc/log/samba.out, $D/dc/log/samba.log)"
	wait_for 120 "the DC's KDC on $ADDR:88/udp" ready "$D/dc.pid" u 88 ||
		die "samba's KDC did not listen on UDP (see $D/dc/log/samba.log)"
	wait_for 120 "the DC's LDAP on $ADDR:389" ready "$D/dc.pid" t 389 ||
		die "samba's LDAP did not come up (see $D/dc/log/samba.log)"
}

start_httpd() {
	port_busy t "$HTTP_PORT" && die "TCP port $ADDR:$HTTP_PORT is already in use"
	apache2 -t -f "$D/httpd/httpd.conf" >"$D/httpd/configtest.log" 2>&1 ||
		die "Apache rejects its configuration: $(tail -3 "$D/httpd/configtest.log")"
	env KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$D/httpd/run/ccache" \
		setsid apache2 -f "$D/httpd/httpd.conf" -k start </dev/null >"$D/httpd/start.log" 2>&1 ||
		die "apache2 failed to start: $(tail -3 "$D/httpd/logs/error.log" 2>/dev/null)"
	wait_for 60 "apache2 on $ADDR:$HTTP_PORT" ready "$D/httpd/httpd.pid" t "$HTTP_PORT" ||
		die "apache2 did not come up (see $D/httpd/logs/error.log)"
}

kinit_pw() { # password principal ccache
	printf '%s\n' "$1" | KRB5CCNAME="FILE:$3" kinit "$2" 2>&1
}

# carol: wrong passwords up to the domain's lockout threshold (3), then the right one must be
# refused as locked out (KDC_ERR_CLIENT_REVOKED)
lock_carol() {
	for _ in 1 2 3; do
		kinit_pw "$WRONG_PASS" "carol@$REALM" "$D/carol.ccache" >>"$D/lockout.log" || :
	done
	out=$(kinit_pw "$PASS" "carol@$REALM" "$D/carol.ccache") &&
		die "carol is not locked out after 3 wrong passwords (kinit succeeded)"
	echo "$out" >>"$D/lockout.log"
	case "$out" in
	*revoked* | *locked* | *Revoked*) ;;
	*) die "carol: kinit did not say locked out: $out" ;;
	esac
	rm -f "$D/carol.ccache"
}

write_env() {
	{
		echo "# negscope AD lab environment (written by tests/lab/ad/ad.sh start)"
		echo "export AD_DIR='$D'"
		echo "export KRB5_CONFIG='$D/krb5.conf'"
		echo "export KRB5CCNAME='FILE:$D/ccache'"
		echo "export AD_REALM='$REALM'"
		echo "export AD_DOMAIN='$DOMAIN'"
		echo "export AD_DNS_DOMAIN='$DNSDOM'"
		echo "export AD_BASE_DN='DC=ad,DC=example,DC=test'"
		echo "export AD_ADDR='$ADDR'"
		echo "export AD_KDC='$ADDR:88'"
		echo "export AD_LDAP_URI='ldap://$ADDR'"
		echo "export AD_DC_HOST='dc1.$DNSDOM'"
		echo "export AD_USER='alice'"
		echo "export AD_PRINCIPAL='alice@$REALM'"
		echo "export AD_PASSWORD='$PASS'"
		echo "export AD_NEW_PASSWORD='$NEW_PASS'"
		echo "export AD_WRONG_PASSWORD='$WRONG_PASS'"
		echo "export AD_ADMIN_PASSWORD='$ADMIN_PASS'"
		echo "export AD_PASSWORDS_FILE='$D/passwords.txt'"
		echo "export AD_SVC_CRM_PASSWORD='$(awk '$2 == "svc-crm" {print $3}' "$D/passwords.txt")'"
		echo "export AD_HTTP_PORT='$HTTP_PORT'"
		echo "export AD_SITES='$SITES'"
		for s in $SITES; do
			u=$(echo "$s" | tr 'a-z' 'A-Z')
			echo "export AD_URL_$u='http://$s.$DNSDOM:$HTTP_PORT/'"
		done
		list=""
		for s in $SITES; do list="$list $s.$DNSDOM:$HTTP_PORT:$ADDR"; done
		list="${list# } dc1.$DNSDOM:389:$ADDR"
		echo "export AD_RESOLVE_LIST='$list'"
		# shellcheck disable=SC2086 # one --resolve per entry
		echo "export AD_CURL_RESOLVE='$(printf -- '--resolve %s ' $list | sed 's/ $//')'"
		echo "export AD_PCAP_FILTER='host $ADDR and (port 88 or tcp port $HTTP_PORT or icmp)'"
		echo "export AD_KEYTAB_DIR='$D/keytabs'"
		echo "export AD_DELEG_DIR='$D/deleg'"
		echo "export AD_DC_PIDFILE='$D/dc.pid'"
		echo "export AD_HTTPD_PIDFILE='$D/httpd/httpd.pid'"
		echo "export AD_SAM_LDB='$D/dc/private/sam.ldb'"
		echo "export AD_SMB_CONF='$D/dc/etc/smb.conf'"
		echo "export AD_LOCKED_USER='carol'"
		echo "export AD_EXPIRED_USER='dave'"
		echo "export AD_GROUPS_USER='grpuser'"
		echo "export AD_NGROUPS='$NGROUPS'"
	} >"$D/ad.env.tmp"
	mv "$D/ad.env.tmp" "$D/ad.env"
}

stop_pidfile() { # pidfile what
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_for 15 "$2 (pid $pid) to exit" group_gone "$pid" >/dev/null 2>&1 || true
	fi
}

do_stop() {
	rc=0
	stop_pidfile "$D/httpd/httpd.pid" apache2
	stop_pidfile "$D/dc.pid" samba
	for f in "$D/httpd/httpd.pid" "$D/dc.pid"; do
		[ -s "$f" ] || continue
		pg=$(cat "$f")
		if [ -n "$(group_left "$pg")" ]; then
			log "process group $pg ignored TERM, killing it"
			kill -KILL -- "-$pg" 2>/dev/null || true
			wait_for 10 "process group $pg to exit" group_gone "$pg" >/dev/null 2>&1 || true
		fi
		left=$(group_left "$pg")
		if [ -n "$left" ]; then
			echo "ad.sh: processes of $D still running:" >&2
			echo "$left" >&2
			rc=1
		else
			rm -f "$f"
		fi
	done
	return $rc
}

do_start() {
	[ "$(id -u)" -eq 0 ] || die "needs root (the KDC listens on port 88)"
	for t in samba samba-tool ldbmodify apache2 kinit ss setsid pgrep flock; do
		command -v "$t" >/dev/null 2>&1 || die "missing $t: run .ci/install-deps"
	done
	"$PY" -c 'import samba.samdb' 2>/dev/null || die "missing Samba's Python modules: run .ci/install-deps"
	[ -e /usr/lib/apache2/modules/mod_auth_gssapi.so ] ||
		die "missing mod_auth_gssapi: run .ci/install-deps"
	if [ -s "$D/dc.pid" ] && alive "$(cat "$D/dc.pid")"; then
		die "an AD lab already runs in $D (ad.sh stop $D first)"
	fi
	for p in 88 389 "$HTTP_PORT"; do
		port_busy t "$p" && die "TCP port $ADDR:$p is already in use (another AD lab?)"
	done
	ensure_template
	rm -rf "$D/dc" "$D/keytabs" "$D/httpd" "$D/deleg" "$D/htdocs"
	cp -a "$T/dc" "$D/dc"
	cp -a "$T/keytabs" "$D/keytabs"
	grep '^password ' "$T/accounts.txt" >"$D/passwords.txt"
	write_smb_conf "$D/dc"
	chmod 755 "$D"
	write_krb5_conf
	chmod 644 "$D"/keytabs/*.keytab
	write_httpd_conf
	trap 'do_stop >/dev/null 2>&1 || true' EXIT
	start_dc
	start_httpd
	kinit_pw "$PASS" "alice@$REALM" "$D/ccache" >"$D/kinit.log" ||
		die "kinit alice failed (see $D/kinit.log, $D/dc/log/samba.log)"
	lock_carol
	write_env
	trap - EXIT
	log "AD lab up in $D (source $D/ad.env)"
}

[ $# -eq 2 ] || die "usage: ad.sh start|stop|status|template DIR"
mkdir -p "$2"
D=$(cd "$2" && pwd)
export KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$D/ccache"
case "$1" in
start) do_start ;;
stop) do_stop ;;
template) make_template "$D" ;;
status)
	rc=0
	for f in "$D/dc.pid" "$D/httpd/httpd.pid"; do
		if [ -s "$f" ] && alive "$(cat "$f")"; then
			echo "up   $(cat "$f") $f"
		else
			echo "down - $f"
			rc=1
		fi
	done
	exit $rc
	;;
*) die "unknown command $1 (start|stop|status|template)" ;;
esac
