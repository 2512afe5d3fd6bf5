#!/bin/bash
# Builds the seed corpora of the fuzz targets from real captures: samples/*.pcap and
# ../shared/captures (NEGSCOPE_CAPTURES_DIR).
#
#   tests/fuzz/make_corpus.sh [FUZZ_BUILD_DIR]
#
# What goes where (one file per input, named by its SHA-1, so duplicates collapse):
#   der_krb      Kerberos PDUs to/from port 88 (UDP payloads; TCP records with and without
#                the 4-byte marker, reassembled by tshark) and every decoded HTTP/SMB token
#   spnego       decoded tokens of Negotiate/NTLM/Kerberos HTTP headers, SMB security blobs
#   ntlmssp      the NTLMSSP messages inside those tokens, from "NTLMSSP\0" on
#   authhdr      header lines as they appear ("Authorization: Negotiate YII..."), bare
#                values, and each response's challenges as one multi-line block
#   http_stream  the two directions of HTTP and Kerberos-over-TCP connections, behind the
#                9-byte header fuzz_http_stream.c reads, in a few segmentations
#   pcap         the samples whole, and from each shared capture the connections that carry
#                Kerberos, HTTP authentication or NTLMSSP, cut to at most 64 KiB; pcap,
#                pcapng and nanosecond pcap
#   pcapng       files for the input readers, made by editcap/mergecap/gzip/zstd/lz4: samples
#                as pcapng (micro- and nanosecond), with TLS secrets injected, merged with
#                another snap length and link type, two sections in one file, compressed
#                pcapng and pcap
# MAKE_CORPUS_TARGETS="pcapng" (a list) rebuilds only those corpora.
# With FUZZ_BUILD_DIR (a tree configured with -DNEGSCOPE_FUZZ=ON and built), each corpus
# is then minimised with libFuzzer's -merge=1: only inputs that add coverage are kept.
#
# Needs tshark, editcap, xxd, base64, sha1sum.  Writes tests/fuzz/corpus/<target>/ (the
# previous contents are replaced).  Run it again after adding samples, then commit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
captures=${NEGSCOPE_CAPTURES_DIR:-$src/../shared/captures}
build=${1:-}
targets=${MAKE_CORPUS_TARGETS:-"der_krb spnego ntlmssp authhdr http_stream pcap pcapng"}
for tool in tshark editcap mergecap gzip zstd lz4 xxd base64 sha1sum; do
	command -v "$tool" >/dev/null || { echo "make_corpus: $tool is needed" >&2; exit 2; }
done

raw=$(mktemp -d /tmp/negscope-corpus.XXXXXX)
trap 'rm -rf "$raw"' EXIT
for t in $targets; do mkdir -p "$raw/$t"; done

# The lab's HTTP ports that tshark does not recognise as HTTP by itself (samples/README.md).
DECODE_AS="-d tcp.port==5557,http -d tcp.port==5558,http -d tcp.port==5559,http"
# Largest seed per target (the -max_len of tests/fuzz/CMakeLists.txt).
declare -A MAXLEN=([der_krb]=16384 [spnego]=16384 [ntlmssp]=4096 [authhdr]=16384
	[http_stream]=16384 [pcap]=65536 [pcapng]=65536)

# save TARGET FILE: moves FILE into the raw corpus under its hash, if small enough.
save() {
	local t=$1 f=$2 size
	size=$(stat -c %s "$f")
	if [ "$size" -gt 0 ] && [ "$size" -le "${MAXLEN[$t]}" ]; then
		mv "$f" "$raw/$t/$(sha1sum "$f" | cut -c1-40)"
	else
		rm -f "$f"
	fi
}

# save_hex TARGET HEX
save_hex() {
	local f="$raw/tmp.$$"
	[ -n "$2" ] || return 0
	printf '%s' "$2" | xxd -r -p >"$f"
	save "$1" "$f"
}

# A decoded token: to spnego and der_krb, and its NTLMSSP message to ntlmssp.
save_token() {
	local f=$1 off
	cp "$f" "$f.k"
	save der_krb "$f.k"
	off=$(grep -obUaP 'NTLMSSP\x00' "$f" | head -n 1 | cut -d: -f1 || true)
	if [ -n "$off" ]; then
		tail -c +$((off + 1)) "$f" >"$f.n"
		save ntlmssp "$f.n"
	fi
	save spnego "$f"
}

tshark_q() {
	# shellcheck disable=SC2086
	tshark -r "$@" $DECODE_AS 2>/dev/null || true
}

auth_headers() {
	local pcap=$1 n=0 field hdr value scheme token f
	for field in http.authorization:Authorization http.proxy_authorization:Proxy-Authorization \
		http.www_authenticate:WWW-Authenticate http.proxy_authenticate:Proxy-Authenticate; do
		hdr=${field#*:}
		field=${field%%:*}
		# One line per packet, several headers of one packet joined by '|'.
		tshark_q "$pcap" -Y "$field" -T fields -E occurrence=a -E aggregator='|' -e "$field" |
			head -n 200 | while IFS= read -r line; do
			f="$raw/tmp.$$.$n"
			n=$((n + 1))
			# The whole block of this header, one line each.
			printf '%s' "$line" | tr '|' '\n' | sed "s/^/$hdr: /" >"$f"
			save authhdr "$f"
			{ printf '%s' "$line" | tr '|' '\n'; echo; } | while IFS= read -r value; do
				[ -n "$value" ] || continue
				printf '%s' "$value" >"$f.v"
				save authhdr "$f.v"
				scheme=${value%% *}
				token=${value#* }
				case "$scheme" in
				Negotiate | NTLM | Kerberos) ;;
				*) continue ;;
				esac
				[ "$token" != "$value" ] || continue
				if printf '%s' "$token" | base64 -d >"$f.t" 2>/dev/null; then
					save_token "$f.t"
				fi
				rm -f "$f.t"
			done
		done
	done
}

krb_pdus() {
	local pcap=$1 udp reasm tcp
	tshark_q "$pcap" -Y 'kerberos && udp.port == 88' -T fields -e udp.payload | head -n 200 |
		while IFS= read -r udp; do save_hex der_krb "$udp"; done
	tshark_q "$pcap" -Y 'kerberos && tcp.port == 88' -T fields -E separator=, \
		-e tcp.reassembled.data -e tcp.payload | head -n 200 |
		while IFS=, read -r reasm tcp; do
			[ -n "$reasm" ] || reasm=$tcp
			save_hex der_krb "$reasm"
			save_hex der_krb "${reasm:8}"
		done
}

smb_blobs() {
	local pcap=$1 blob f
	tshark_q "$pcap" -Y 'smb2.security_blob || smb.security_blob' -T fields -E separator=, \
		-e smb2.security_blob -e smb.security_blob | head -n 100 | tr ',' '\n' |
		while IFS= read -r blob; do
			[ -n "$blob" ] || continue
			f="$raw/tmp.$$.blob"
			printf '%s' "$blob" | xxd -r -p >"$f"
			save_token "$f"
		done
}

# fuzz_http_stream input: 9-byte header + client bytes + server bytes.
stream_seed() {
	local flags=$1 shape=$2 cfile=$3 sfile=$4 clen f
	clen=$(stat -c %s "$cfile")
	f="$raw/tmp.$$.stream"
	{
		printf '%02x%02x%08x%04x%02x' "$flags" "$shape" 305419896 "$clen" 0 | xxd -r -p
		cat "$cfile" "$sfile"
	} >"$f"
	save http_stream "$f"
}

streams() {
	local pcap=$1 ids id port flags line
	ids=$(tshark_q "$pcap" -Y 'http.authorization || http.www_authenticate || (kerberos && tcp.port == 88)' \
		-T fields -e tcp.stream | sort -un | head -n 4)
	for id in $ids; do
		: >"$raw/c" && : >"$raw/s"
		port=$(tshark_q "$pcap" -Y "tcp.stream == $id" -T fields -e tcp.dstport | head -n 1)
		tshark_q "$pcap" -q -z "follow,tcp,raw,$id" | sed -n '/^Node 1:/,/^====/p' |
			grep -E '^	?[0-9a-f]+$' | while IFS= read -r line; do
			if [ "${line:0:1}" = $'\t' ]; then
				printf '%s' "${line:1}" | xxd -r -p >>"$raw/s"
			else
				printf '%s' "$line" | xxd -r -p >>"$raw/c"
			fi
		done
		truncate -s '<8000' "$raw/c" "$raw/s"
		flags=0x07
		[ "$port" = 88 ] && flags=0x17
		stream_seed "$flags" 0x05 "$raw/c" "$raw/s"         # SYN, FINs, 64-byte segments
		stream_seed $((flags | 0x40)) 0x7f "$raw/c" "$raw/s" # Ethernet, 1460, reorder, retransmit
		stream_seed $((flags | 0xa0)) 0x86 "$raw/c" "$raw/s" # IPv6, tiny caps, gaps
	done
}

pcap_seeds() {
	local pcap=$1 base ids filter f
	base=$(basename "$(dirname "$pcap")")-$(basename "$pcap")
	f="$raw/tmp.$$.pcap"
	ids=$(tshark_q "$pcap" -Y 'kerberos || http.authorization || http.www_authenticate || ntlmssp' \
		-T fields -e tcp.stream | grep -v '^$' | sort -un |
		head -n 3 | tr '\n' ' ')
	filter='kerberos || icmp || icmpv6'
	[ -n "$ids" ] && filter="$filter || tcp.stream in {$ids}"
	tshark_q "$pcap" -Y "$filter" -F pcap -w "$f"
	[ -s "$f" ] || return 0
	if [ "$(stat -c %s "$f")" -gt 65536 ]; then
		editcap -r "$f" "$f.cut" 1-40 2>/dev/null && mv "$f.cut" "$f"
	fi
	save pcap "$f"
}

pcapng_seeds() {
	local s="$src/samples" f="$raw/tmp.$$" i sel1="" sel2=""
	for n in ntlm-only kerberos-ok stale-keytab; do
		editcap -F pcapng "$s/$n.pcap" "$f.ng" && cp "$f.ng" "$f.$n.ng" && save pcapng "$f.ng"
	done
	editcap -F nsecpcap "$s/ntlm-fallback.pcap" "$f.ns" && editcap -F pcapng "$f.ns" "$f.nsng" &&
		save pcapng "$f.nsng"
	editcap --inject-secrets "tls,$s/https-kerberos-ok.keylog" -F pcapng "$s/https-kerberos-ok.pcap" \
		"$f.dsb" 2>/dev/null && save pcapng "$f.dsb"
	for i in $(seq 1 14); do
		if [ $((i % 2)) -eq 1 ]; then sel1="$sel1 $i"; else sel2="$sel2 $i"; fi
	done
	# shellcheck disable=SC2086
	editcap -F pcapng -s 120 -r "$s/stale-keytab.pcap" "$f.h1" $sel1 &&
		editcap -F pcapng -r -C 14 -T rawip "$s/stale-keytab.pcap" "$f.h2" $sel2 &&
		mergecap -F pcapng -w "$f.m" "$f.h1" "$f.h2" && save pcapng "$f.m"
	cat "$f.ntlm-only.ng" "$f.kerberos-ok.ng" >"$f.2s" && save pcapng "$f.2s"
	gzip -c "$f.stale-keytab.ng" >"$f.gz" && save pcapng "$f.gz"
	zstd -q -c "$f.ntlm-only.ng" >"$f.zst" && save pcapng "$f.zst"
	lz4 -q -c "$f.kerberos-ok.ng" >"$f.lz4" && save pcapng "$f.lz4"
	gzip -c "$s/ntlm-only.pcap" >"$f.pgz" && save pcapng "$f.pgz"
	rm -f "$f".*
}
case " $targets " in *" pcapng "*) pcapng_seeds ;; esac
[ "$targets" = pcapng ] && extract=false || extract=true

$extract && for pcap in "$src"/samples/*.pcap; do
	echo "make_corpus: $pcap" >&2
	auth_headers "$pcap"
	krb_pdus "$pcap"
	streams "$pcap"
	cp "$pcap" "$raw/tmp.$$.whole" && save pcap "$raw/tmp.$$.whole"
done
# One sample also as pcapng and as nanosecond pcap: other reader paths.
$extract && editcap -F pcapng "$src/samples/kerberos-ok.pcap" "$raw/tmp.$$.ng" && save pcap "$raw/tmp.$$.ng"
$extract && editcap -F nsecpcap "$src/samples/ntlm-fallback.pcap" "$raw/tmp.$$.ns" && save pcap "$raw/tmp.$$.ns"

if $extract && [ -d "$captures" ]; then
	find "$captures" -name '*.pcap' -o -name '*.pcapng' | sort | while IFS= read -r pcap; do
		echo "make_corpus: $pcap" >&2
		auth_headers "$pcap"
		krb_pdus "$pcap"
		smb_blobs "$pcap"
		streams "$pcap"
		pcap_seeds "$pcap"
	done
	# Link types the pipeline must handle, whole when small.
	for pcap in suricata-verify/tests/decode-sll2-02/input.pcap \
		suricata-verify/tests/http-auth-bearer/input.pcap \
		nDPI/tests/cfgs/default/pcap/kerberos_fuzz.pcapng; do
		[ -f "$captures/$pcap" ] || continue
		editcap -r "$captures/$pcap" "$raw/tmp.$$.lt" 1-30 2>/dev/null && save pcap "$raw/tmp.$$.lt"
	done
elif $extract; then
	echo "make_corpus: $captures not found: samples only" >&2
fi
rm -f "$raw"/tmp.* "$raw/c" "$raw/s"

for t in $targets; do
	out="$here/corpus/$t"
	fuzzer="$build/tests/fuzz/fuzz_$t"
	rm -rf "$out.new"
	mkdir -p "$out.new"
	if [ -n "$build" ] && [ -x "$fuzzer" ]; then
		"$fuzzer" -merge=1 -max_len="${MAXLEN[$t]}" "$out.new" "$raw/$t" >"$raw/merge.log" 2>&1 || {
			echo "make_corpus: merging $t failed:" >&2
			tail -n 20 "$raw/merge.log" >&2
			exit 1
		}
	else
		cp "$raw/$t"/* "$out.new"/ 2>/dev/null || true
	fi
	rm -rf "$out"
	mv "$out.new" "$out"
	echo "make_corpus: $t: $(find "$raw/$t" -type f | wc -l) extracted, $(find "$out" -type f | wc -l) kept, $(du -sk "$out" | cut -f1) KiB" >&2
done
