# Shell helpers for AD lab tests (tests/lab/ad/t_*.sh), on top of tests/lab/testlib.sh.
# Source it after testlib.sh:  . "$NEGSCOPE_SRC_DIR/tests/lab/ad/adlib.sh"
#   ad_require   skip (77) unless root and the AD lab's tools are there (or fail under
#                NEGSCOPE_REQUIRE_TOOLS=1)
#   ad_start     start an AD lab in a fresh temp dir, source its ad.env; a trap stops it on
#                exit and fails the test if any of its processes survives
#   ad_processes DIR   processes of that lab still alive (none after ad.sh stop)
# shellcheck disable=SC2034
AD_SH=$NEGSCOPE_SRC_DIR/tests/lab/ad/ad.sh
ADLABDIR=""

ad_require() {
	[ "$(id -u)" -eq 0 ] || skip "AD lab tests need root (KDC on port 88, capture on lo)"
	need_tool samba samba-ad-dc
	need_tool samba-tool samba-ad-dc
	[ -d /usr/share/samba/setup/ad-schema ] ||
		missing "Samba's provisioning files not installed" samba-ad-provision
	need_tool ldbmodify ldb-tools
	need_tool apache2
	need_tool kinit krb5-user
	need_tool curl
	need_tool ss iproute2
	need_tool flock util-linux
}

# Live processes of an AD lab: the DC's and Apache's process groups (their pid files are
# removed by a successful stop, so a survivor is looked for by the saved group ids).
ad_processes() { # dir
	for pg in $(cat "$1/.pgids" 2>/dev/null); do
		for p in $(pgrep -g "$pg" 2>/dev/null || :); do
			st=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
			[ -n "$st" ] && [ "$st" != Z ] && echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline")"
		done
	done
	return 0
}

ad_cleanup() {
	rc=$?
	if [ -n "$ADLABDIR" ]; then
		"$AD_SH" stop "$ADLABDIR" >/dev/null 2>&1 || true
		left=$(ad_processes "$ADLABDIR")
		if [ -n "$left" ]; then
			echo "FAIL: processes left after ad.sh stop:" >&2
			echo "$left" >&2
			rc=1
		fi
		if [ -n "${LAB_KEEP:-}" ]; then
			echo "AD lab directory kept: $ADLABDIR" >&2
		else
			rm -rf "$ADLABDIR"
		fi
		ADLABDIR=""
	fi
	exit "$rc"
}

ad_start() {
	ADLABDIR=$(mktemp -d /tmp/negscope-ad.XXXXXX)
	trap ad_cleanup EXIT
	trap 'exit 130' INT TERM
	sh "$AD_SH" start "$ADLABDIR" || {
		echo "FAIL: ad.sh start failed" >&2
		exit 1
	}
	cat "$ADLABDIR/dc.pid" "$ADLABDIR/httpd/httpd.pid" >"$ADLABDIR/.pgids"
	# shellcheck disable=SC1091
	. "$ADLABDIR/ad.env"
}

# kinit with a password on standard input; prints kinit's messages
ad_kinit() { # principal password ccache
	printf '%s\n' "$2" | KRB5CCNAME="FILE:$3" kinit "$1" 2>&1
}
