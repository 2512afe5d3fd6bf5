#!/bin/bash
# Fails when C sources use a banned function or C++ comments, have lines over 100 columns
# (tabs at 8), or include against the layering (see CODE_STYLE.md, "Layers").
# Lines over 100 columns that predate this check are counted per file in
# tests/style/long-lines.known: a file may not get more of them (new files none); when a
# file gets fewer, lower its count (the check says so).
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

# Line length: 100 columns, a tab to the next multiple of 8.
known=tests/style/long-lines.known
# One awk pass over every file (a process per file is slow on a loaded machine).
# shellcheck disable=SC2086
if ! awk -v known="$known" '
	BEGIN {
		while ((getline l < known) > 0) { split(l, a, " "); allowed[a[2]] = a[1] }
	}
	FNR == 1 { seen[FILENAME] = 1 }
	{
		line = $0
		if (length(line) + 7 * gsub(/\t/, "\t", line) <= 100) next
		w = 0
		for (i = 1; i <= length($0); i++)
			if (substr($0, i, 1) == "\t") w = w - w % 8 + 8; else w++
		if (w > 100) { long[FILENAME] = long[FILENAME] sprintf("%s:%d: %d columns\n", FILENAME, FNR, w); n[FILENAME]++ }
	}
	END {
		bad = 0
		for (f in seen) {
			c = n[f] + 0; k = allowed[f] + 0
			if (c > k) {
				printf "%s", long[f]
				printf "style: %s: %d lines over 100 columns (known before: %d)\n", f, c, k > "/dev/stderr"
				bad = 1
			} else if (c < k) {
				printf "style: note: %s has %d lines over 100 columns, %s allows %d: lower it\n", f, c, known, k > "/dev/stderr"
			}
		}
		exit bad
	}' $files; then
	bad=1
fi

# Include direction: a layer includes only its own headers and those of layers below it,
# util < net, flow < proto < pipeline < findings < report < cli; probe/ is on top and tests
# may include anything.  A header's layer is where it is implemented (table below; a header
# missing from it fails, so a new one gets a layer when it is added).
declare -A rank=([util]=0 [net]=1 [flow]=1 [proto]=2 [pipeline]=3 [findings]=4 [report]=5
	[cli]=6)
declare -A header_layer=(
	[cursor]=util [b64]=util [hex]=util [json]=util [textmsg]=util [tok]=util [dynbuf]=util
	[net]=net [flow]=flow
	[authhdr]=proto [classify]=proto [der]=proto [gss_token]=proto [http1]=proto [http2]=proto
	[krb5]=proto [krbkeys]=proto [ntlmssp]=proto [spnego]=proto [token]=proto [tls]=proto
	[pipeline]=pipeline [source]=pipeline
	[analysis]=findings [finding]=findings
	[report]=report [tree]=report
)
layer_of() { # FILE -> its layer, "" when the layering does not apply to it
	case $1 in
	capture/include/negscope/*.h) h=${1##*/}; h=${h%.h}; layer=${header_layer[$h]:-?} ;;
	capture/*/*) layer=${1#capture/}; layer=${layer%%/*} ;;
	*) layer= ;;
	esac
}
for f in $files; do
	layer_of "$f"
	if [ "$layer" = "?" ]; then
		echo "style: $f: no layer for this header in tests/style/check.sh" >&2
		bad=1
	fi
done
# One grep over every file: FILE:LINE:INCLUDED-PATH for the project's own headers.
# shellcheck disable=SC2086
while IFS=: read -r f line inc; do
	layer_of "$f"
	case $layer in "" | "?") continue ;; esac
	case $inc in
	negscope/*) h=${inc##*/}; h=${h%.h}; to=${header_layer[$h]:-} ;;
	*/*) to=${inc%%/*} ;;
	*) continue ;;
	esac
	if [ -z "$to" ] || [ -z "${rank[$to]:-}" ]; then
		echo "$f:$line: includes $inc, which has no layer (tests/style/check.sh)" >&2
		bad=1
	elif [ "${rank[$to]}" -gt "${rank[$layer]}" ]; then
		echo "$f:$line: $layer includes $inc ($to, a layer above it)" >&2
		bad=1
	fi
done < <(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' $files |
	sed -E 's/^([^:]+):([0-9]+):.*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2:\3/' |
	grep -E ':(negscope|util|net|flow|proto|pipeline|findings|report|cli)/' || true)
[ $bad -eq 0 ] && echo "style: $(echo "$files" | wc -w) files clean"
exit $bad
