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
for f in $files; do
	long=$(expand -t 8 "$f" | awk 'length($0) > 100 { printf "%s:%d: %d columns\n", FILENAME, NR, length($0) }' FILENAME="$f")
	n=$(printf '%s' "$long" | grep -c . || true)
	allowed=$(awk -v f="$f" '$2 == f { print $1 }' "$known" 2>/dev/null)
	allowed=${allowed:-0}
	if [ "$n" -gt "$allowed" ]; then
		printf '%s\n' "$long"
		echo "style: $f: $n lines over 100 columns (known before: $allowed)" >&2
		bad=1
	elif [ "$n" -lt "$allowed" ]; then
		echo "style: note: $f has $n lines over 100 columns, $known allows $allowed: lower it" >&2
	fi
done

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
	[krb5]=proto [ntlmssp]=proto [spnego]=proto [token]=proto [tls]=proto
	[pipeline]=pipeline [source]=pipeline
	[analysis]=findings [finding]=findings
	[report]=report [tree]=report
)
for f in $files; do
	case $f in
	capture/include/negscope/*.h)
		h=$(basename "$f" .h)
		layer=${header_layer[$h]:-}
		if [ -z "$layer" ]; then
			echo "style: $f: no layer for this header in tests/style/check.sh" >&2
			bad=1
			continue
		fi
		;;
	capture/*/*) layer=${f#capture/}; layer=${layer%%/*} ;;
	*) continue ;;
	esac
	while IFS=: read -r line inc; do
		case $inc in
		negscope/*) h=$(basename "$inc" .h); to=${header_layer[$h]:-} ;;
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
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		sed -E 's/^([0-9]+):.*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2/' |
		grep -E ':(negscope|util|net|flow|proto|pipeline|findings|report|cli)/' || true)
done
[ $bad -eq 0 ] && echo "style: $(echo "$files" | wc -w) files clean"
exit $bad
