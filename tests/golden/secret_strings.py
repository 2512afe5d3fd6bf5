#!/usr/bin/env python3
"""secret_strings.py - the secrets a capture carries, found by tshark (not by negscope),
as the byte strings an output could leak them as.  For tests/golden/t_secrets.sh and
tests/lab/negcap/t_secrets_probe.sh.

  secret_strings.py [-d DECODE-AS]... needles OUT PCAP...
        write OUT (one "grep -F" pattern a line), OUT.shown (the hex of the secrets
        carried in HTTP auth headers: what --show-secrets must print) and OUT.headers
        (every HTTP auth header line of the PCAPs, as the headers command prints them)
  secret_strings.py [-d DECODE-AS]... headers PCAP
        the HTTP auth header lines of PCAP, one a line ("Authorization: Negotiate ...")
  -d is tshark's (e.g. tcp.port==5555,http for the lab's ports).

Secrets (issue 7): NTLM LM/NT responses, NTProofStr, session key, MIC (and SPNEGO's
mechListMIC); Kerberos encrypted parts (ticket enc-part, authenticator, AP-REP/KDC reply
enc-parts: kerberos.cipher); Basic
credentials (the base64 and the password); cookie values.  A byte secret is looked for
as hex and as the base64 it takes inside any token that holds it (three alignments).
"""
import base64
import subprocess
import sys

SEP = "\x1f"  # tshark's aggregator for several occurrences of a field in a frame
BYTE_FIELDS = [
    "ntlmssp.auth.lmresponse", "ntlmssp.auth.ntresponse", "ntlmssp.ntlmv2_response",
    "ntlmssp.ntlmv2_response.ntproofstr", "ntlmssp.auth.sesskey", "ntlmssp.authenticate.mic",
    "kerberos.cipher", "spnego.mechListMIC",
]
MIN_BYTES = 12   # shorter byte fields (tshark's view of an empty LM response) are no secret
MIN_COOKIE = 8   # shorter cookie values ("no", "auto") would match ordinary words


DECODE_AS = []


def tshark_fields(pcap, fields, display_filter):
    cmd = ["tshark", "-n", "-r", pcap, *DECODE_AS, "-Y", display_filter, "-T", "fields",
           "-E", "aggregator=" + SEP, "-E", "occurrence=a"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        rows.append([[v for v in c.split(SEP) if v] for c in cols])
    return rows


def b64_windows(data):
    """The base64 text fully determined by data, for each alignment it can have in a token."""
    out = []
    for k in range(3):
        n = (len(data) - k) // 3 * 3
        if n >= 12:
            out.append(base64.b64encode(data[k:k + n]).decode())
    return out


AUTH_FIELDS = ["http.authorization", "http.www_authenticate"]
# One tshark run per capture: start-up is most of tshark's cost, so every field the
# needles and the headers need comes from the same pass.
ALL_FIELDS = BYTE_FIELDS + AUTH_FIELDS + ["http.cookie_pair"]
ANY_SECRET = "http.authorization or http.www_authenticate or http.cookie or kerberos or ntlmssp"


def capture_rows(pcap):
    """Each frame that may hold a secret, as a dict of field -> values."""
    return [dict(zip(ALL_FIELDS, row)) for row in tshark_fields(pcap, ALL_FIELDS, ANY_SECRET)]


def byte_values(row):
    found = set()
    for f in BYTE_FIELDS:
        for v in row[f]:
            b = bytes.fromhex(v.replace(":", ""))
            if len(b) >= MIN_BYTES and any(b):
                found.add(b)
    return found


def header_lines(rows):
    for row in rows:
        for name, field in zip(("Authorization", "WWW-Authenticate"), AUTH_FIELDS):
            for v in row[field]:
                yield f"{name}: {v}"


def needles(out_path, pcaps):
    pats, shown, headers = set(), set(), []
    for pcap in pcaps:
        rows = capture_rows(pcap)
        headers.extend(header_lines(rows))
        for row in rows:
            found = byte_values(row)
            for b in found:
                pats.add(b.hex())
                pats.update(b64_windows(b))
            # --show-secrets prints the secrets of the tokens it is given (those in HTTP
            # auth headers), in hex
            if row["http.authorization"] or row["http.www_authenticate"]:
                shown.update(b.hex() for b in found)
            for v in row["http.authorization"]:
                scheme, _, cred = v.partition(" ")
                if scheme.lower() != "basic" or not cred.strip():
                    continue
                cred = cred.strip()
                pats.add(cred)
                user_pass = base64.b64decode(cred + "=" * (-len(cred) % 4))
                password = user_pass.partition(b":")[2]
                pats.add(user_pass.decode("latin-1"))
                if len(password) >= 4:
                    pats.add(password.decode("latin-1"))
                    pats.add(password.hex())
                    shown.add(password.hex())
            for pair in row["http.cookie_pair"]:
                value = pair.partition("=")[2]
                if len(value) >= MIN_COOKIE:
                    pats.add(value)
    with open(out_path, "w", encoding="latin-1") as f:
        f.writelines(p + "\n" for p in sorted(pats))
    with open(out_path + ".shown", "w", encoding="latin-1") as f:
        f.writelines(p + "\n" for p in sorted(shown))
    with open(out_path + ".headers", "w", encoding="latin-1") as f:
        f.writelines(h + "\n" for h in headers)


def headers(pcap):
    for line in header_lines(capture_rows(pcap)):
        print(line)


def main():
    args = sys.argv[1:]
    while len(args) >= 2 and args[0] == "-d":
        DECODE_AS.extend(args[:2])
        args = args[2:]
    if len(args) >= 3 and args[0] == "needles":
        needles(args[1], args[2:])
    elif len(args) == 2 and args[0] == "headers":
        headers(args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
