#!/bin/sh
# `cmake --install` into a temporary prefix puts the binaries, the man pages and the bash
# completion in place, `man -l` renders the installed pages, `man` finds them through
# MANPATH, and the installed negcap runs.  Skipped (77) without man when not root;
# root or NEGSCOPE_REQUIRE_TOOLS=1 make a missing man a failure.
set -u
: "${CMAKE_COMMAND:?}" "${NEGSCOPE_BUILD_DIR:?}"

if ! command -v man >/dev/null 2>&1; then
	if [ "${NEGSCOPE_REQUIRE_TOOLS:-0}" = 1 ] || [ "$(id -u)" -eq 0 ]; then
		echo "FAIL: man is not installed (.ci/install-deps installs man-db)"
		exit 1
	fi
	echo "SKIP: man is not installed"
	exit 77
fi

prefix=$(mktemp -d "${TMPDIR:-/tmp}/negscope-install.XXXXXX") || exit 1
trap 'rm -rf "$prefix"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

if ! "$CMAKE_COMMAND" --install "$NEGSCOPE_BUILD_DIR" --prefix "$prefix" >"$prefix.log" 2>&1; then
	cat "$prefix.log"
	rm -f "$prefix.log"
	fail "cmake --install --prefix $prefix failed"
	exit 1
fi
rm -f "$prefix.log"

for f in bin/negcap bin/negprobe; do
	[ -x "$prefix/$f" ] || fail "$f is not installed (or not executable)"
done
mandir=$(find "$prefix" -type d -name man1 | head -n 1)
[ -n "$mandir" ] || fail "no man1 directory under $prefix"
comp="$prefix/share/bash-completion/completions"
for p in negcap negprobe; do
	[ -f "$mandir/$p.1" ] || fail "man page $p.1 is not installed"
	out=$(MANWIDTH=100 man -l "$mandir/$p.1" 2>&1) || fail "man -l $mandir/$p.1 failed: $out"
	case $out in
	*"EXIT STATUS"*) ;;
	*) fail "man -l $p.1 does not render its EXIT STATUS section" ;;
	esac
	out=$(MANPATH="${mandir%/man1}" MANWIDTH=100 man "$p" 2>&1) ||
		fail "man $p (MANPATH=${mandir%/man1}) failed: $out"
	[ -f "$comp/$p" ] || fail "bash completion $comp/$p is not installed"
	bash --norc --noprofile -c ". '$comp/$p' && complete -p $p" >/dev/null 2>&1 ||
		fail "the installed completion does not register $p"
done
"$prefix/bin/negcap" --version >/dev/null 2>&1 || fail "the installed negcap does not run"
[ "$fails" -eq 0 ] || exit 1
echo "ok: installed under a temporary prefix ($(cd "$prefix" && find . -type f | wc -l) files)"
