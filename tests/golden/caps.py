#!/usr/bin/env python3
"""Golden test: every negcap cap has a flag, a sane default, and a counter.

  - at the defaults no sample hits any cap, and the summary's "caps" object names all of
    them (the contract scripts test by name);
  - each --max-* flag set low on an input that exceeds it makes its own counter, and only
    the counters it can cause, non-zero, in JSON and in the text summary line;
  - values above a cap's ceiling, zero or junk are usage errors (exit 2, one line);
  - --decode takes the token caps and reports the cap it hit.
IPv4 fragments are written by this script (no shared capture has any).

usage: caps.py NEGCAP SAMPLES_DIR   (env NEGSCOPE_CAPTURES_DIR: the shared captures)
"""
import json
import os
import struct
import sys
import shutil
import tempfile

CAPS = ["max-flows", "max-stream-buffer", "max-total-buffer", "max-header-line",
        "max-headers", "max-message", "max-frag-bytes", "max-conversations",
        "max-findings", "max-token", "max-challenges", "max-der-depth", "max-der-elements"]

from golden import fail, failures, need_tool, run, skip, status


def summary(negcap, args):
    rc, out, err = run([negcap, "--json"] + args)
    if rc not in (0, 1):
        fail("%s: exit %d (%s)" % (" ".join(args), rc, err.strip()))
        return None
    last = json.loads(out.strip().splitlines()[-1])
    if last.get("type") != "summary":
        fail("%s: last record is not the summary" % " ".join(args))
        return None
    return last


def fragments_pcap(path):
    """Three UDP datagrams to port 88, each in two IPv4 fragments, the first halves of
    all three before any second half: reassembling them needs three datagrams in flight."""
    def ip_frag(ident, off8, more, payload):
        flags = (0x2000 if more else 0) | off8
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, 17,
                          0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
        return eth + hdr + payload

    frames = []
    dgs = []
    for ident in (101, 102, 103):
        body = b"\x00" * 120
        udp = struct.pack("!HHHH", 50000 + ident, 88, 8 + len(body), 0) + body
        dgs.append((ident, udp))
    for ident, udp in dgs:
        frames.append(ip_frag(ident, 0, True, udp[:64]))
    for ident, udp in dgs:
        frames.append(ip_frag(ident, 8, False, udp[64:]))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def main():
    negcap, samples = sys.argv[1], sys.argv[2]
    pcaps = sorted(os.path.join(samples, f) for f in os.listdir(samples) if f.endswith(".pcap"))
    tmp = tempfile.mkdtemp(prefix="negcap-caps.")
    frag = os.path.join(tmp, "frags.pcap")
    fragments_pcap(frag)
    S = lambda name: os.path.join(samples, name)
    synthetic = os.path.join(os.environ.get("NEGSCOPE_CAPTURES_DIR", ""),
                             "arkime/tests/pcap/arkime_synthetic.pcap")

    # Defaults: nothing hit, every cap named.
    for p in pcaps + [frag]:
        s = summary(negcap, ["-r", p])
        if s is None:
            continue
        if sorted(s.get("caps", {})) != sorted(CAPS):
            fail("%s: caps object has %s" % (os.path.basename(p), sorted(s.get("caps", {}))))
        hit = {k: v for k, v in s.get("caps", {}).items() if v}
        if hit:
            fail("%s: caps hit at the defaults: %s" % (os.path.basename(p), hit))
    s = summary(negcap, ["-r", frag])
    if s is not None and s["anomalies"]["ip_reassembled"] != 3:
        fail("fragments: %d datagrams reassembled at the defaults, expected 3"
             % s["anomalies"]["ip_reassembled"])

    # Each flag set low: its own counter moves; others it cannot cause stay 0.
    cases = [
        ("max-flows", "1", [S("kerberos-ok.pcap")], set()),
        ("max-stream-buffer", "64", [S("kerberos-tcp.pcap")], set()),
        # Bytes are held only when a message spans segments: a shared capture has that.
        ("max-total-buffer", "1", [synthetic], {"max-message"}),
        ("max-header-line", "50", [S("kerberos-ok.pcap")], {"max-token"}),
        ("max-headers", "3", [S("kerberos-ok.pcap")], set()),
        ("max-message", "200", [S("kerberos-ok.pcap")], set()),
        ("max-frag-bytes", "64K", [frag], set()),
        ("max-conversations", "1", [S("kerberos-ok.pcap"), S("ntlm-only.pcap")], set()),
        ("max-findings", "1", [S("spn-port-mismatch-ntlm.pcap")], set()),
        ("max-token", "100", [S("kerberos-ok.pcap")], set()),
        ("max-challenges", "1", [S("ntlm-fallback.pcap")], set()),
        ("max-der-depth", "4", [S("kerberos-ok.pcap")], set()),
        ("max-der-elements", "20", [S("kerberos-ok.pcap")], set()),
    ]
    for flag, val, inputs, also in cases:
        if not all(os.path.exists(p) for p in inputs):
            skip("--%s: %s missing (../shared/captures is not beside this clone)" %
                 (flag, " ".join(p for p in inputs if not os.path.exists(p))))
            continue
        args = []
        for p in inputs:
            args += ["-r", p]
        s = summary(negcap, args + ["--" + flag, val])
        if s is None:
            continue
        caps = s.get("caps", {})
        if caps.get(flag, 0) == 0:
            fail("--%s %s: its counter stayed 0 (%s)" % (flag, val, caps))
        others = {k: v for k, v in caps.items() if v and k != flag and k not in also}
        if others:
            fail("--%s %s: other caps counted too: %s" % (flag, val, others))
        # The same through '=' and in the text summary line.
        rc, out, err = run([negcap] + args + ["--%s=%s" % (flag, val)])
        line = [l for l in out.splitlines() if l.startswith("Summary:")]
        want = "--%s %d" % (flag, caps.get(flag, 0))
        if not line or "caps hit (raise to analyse all): " not in line[-1] or \
                want not in line[-1]:
            fail("--%s: text summary does not say '%s': %s" % (flag, want, line))
    # Raised to the ceilings: accepted, same diagnosis as the defaults.
    base = summary(negcap, ["-r", S("kerberos-ok.pcap")])
    high = summary(negcap, ["-r", S("kerberos-ok.pcap"), "--max-token", "1M",
                            "--max-challenges", "64", "--max-der-depth", "65535",
                            "--max-der-elements", "16M", "--max-message", "1G"])
    if base is not None and high is not None and base["finding_ids"] != high["finding_ids"]:
        fail("caps at their ceilings change the diagnosis: %s vs %s"
             % (base["finding_ids"], high["finding_ids"]))

    # Usage errors: above the ceiling, zero, junk, missing value.
    for args in (["--max-token", "2M"], ["--max-challenges", "65"], ["--max-der-depth", "0"],
                 ["--max-der-elements", "17M"], ["--max-message", "12Q"], ["--max-token"]):
        rc, out, err = run([negcap, "-r", S("kerberos-ok.pcap")] + args)
        if rc != 2 or out or not err.startswith("negcap: ") or \
                len([l for l in err.splitlines() if "try" not in l]) != 1:
            fail("%s: exit %d, stdout %r, stderr %r" % (" ".join(args), rc, out[:80], err))

    # --decode: the token caps apply, --max-challenges is not one of its flags.
    tshark_line = None
    have_tshark = need_tool("tshark")
    rc, out, err = (1, "", "") if not have_tshark else run(["tshark", "-r", S("kerberos-ok.pcap"), "-Y", "http.authorization",
                        "-T", "fields", "-e", "http.authorization"])
    if rc == 0 and out.strip():
        tshark_line = out.splitlines()[0].strip()
    if tshark_line:
        rc, out, err = run([negcap, "--decode", tshark_line, "--json", "--max-der-elements", "10"])
        if rc != 1 or "more than 10 DER elements (cap)" not in out:
            fail("--decode --max-der-elements 10: exit %d, %s" % (rc, out[:300]))
        rc, out, err = run([negcap, "--decode", tshark_line, "--max-token=64"])
        if "token larger than 64 bytes (cap)" not in out:
            fail("--decode --max-token=64: %s" % out[:300])
        rc, out, err = run([negcap, "--decode", tshark_line])
        if rc != 0:
            fail("--decode at the defaults: exit %d" % rc)
        rc, out, err = run([negcap, "--decode", tshark_line, "--max-challenges", "3"])
        if rc != 2:
            fail("--decode --max-challenges: exit %d, expected 2" % rc)
    elif have_tshark:
        fail("--decode: no Authorization line from tshark in kerberos-ok.pcap (%s)" % err.strip())

    shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(failures))
    return status()


if __name__ == "__main__":
    sys.exit(main())
