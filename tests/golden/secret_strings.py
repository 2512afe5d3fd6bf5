#!/usr/bin/env python3
"""secret_strings.py - the secrets a capture carries, found by tshark (not by negscope),
as the byte strings an output could leak them as.  For tests/golden/t_secrets.sh and
tests/lab/negcap/t_secrets_probe.sh.

  secret_strings.py [-d DECODE-AS]... needles OUT PCAP...
        write OUT (one "grep -F" pattern a line) and OUT.shown (the hex of the secrets
        carried in HTTP auth headers: what --show-secrets must print)
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


def byte_secrets(pcap, display_filter):
    found = set()
    for row in tshark_fields(pcap, BYTE_FIELDS, display_filter):
        for col in row:
            for v in col:
                b = bytes.fromhex(v.replace(":", ""))
                if len(b) >= MIN_BYTES and any(b):
                    found.add(b)
    return found


def needles(out_path, pcaps):
    pats, shown = set(), set()
    for pcap in pcaps:
        in_http = byte_secrets(pcap, "http.authorization or http.www_authenticate")
        for b in in_http | byte_secrets(pcap, "kerberos or ntlmssp"):
            pats.add(b.hex())
            pats.update(b64_windows(b))
        # --show-secrets prints the secrets of the tokens it is given, in hex
        shown.update(b.hex() for b in in_http)
        for row in tshark_fields(pcap, ["http.authorization", "http.cookie_pair"],
                                 "http.authorization or http.cookie"):
            for v in row[0]:
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
            for pair in row[1]:
                value = pair.partition("=")[2]
                if len(value) >= MIN_COOKIE:
                    pats.add(value)
    with open(out_path, "w", encoding="latin-1") as f:
        f.writelines(p + "\n" for p in sorted(pats))
    with open(out_path + ".shown", "w", encoding="latin-1") as f:
        f.writelines(p + "\n" for p in sorted(shown))


def headers(pcap):
    for row in tshark_fields(pcap, ["http.authorization", "http.www_authenticate"],
                             "http.authorization or http.www_authenticate"):
        for name, values in zip(("Authorization", "WWW-Authenticate"), row):
            for v in values:
                print(f"{name}: {v}")


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
