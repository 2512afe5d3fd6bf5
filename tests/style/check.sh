#!/bin/bash
# Fails when C sources use a banned function or C++ comments (see CODE_STYLE.md).
set -u
src=${1:-$(dirname "$0")/../..}
cd "$src" || exit 2
files=$(git ls-files -co --exclude-standard -- 'capture/*.c' 'capture/*.h' 'probe/*.c' \
	'probe/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find capture probe tests -name '*.[ch]')
bad=0
# shellcheck disable=SC2086
if grep -nE '(^|[^_a-zA-Z0-9.>])(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|sscanf)[[:space:]]*\(' $files; then
	echo "style: banned function used (see CODE_STYLE.md)" >&2
	bad=1
fi
# shellcheck disable=SC2086
if grep -nE '^[[:space:]]*//' $files; then
	echo "style: C++ comment (use /* */)" >&2
	bad=1
fi
[ $bad -eq 0 ] && echo "style: $(echo "$files" | wc -w) files clean"
exit $bad
