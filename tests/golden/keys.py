#!/usr/bin/env python3
"""negcap --keytab on the lab's samples: each verdict of issue 14, and the decrypted
fields against tshark given the same keytab.

The lab (samples/regenerate.sh) writes each scenario's server keytab beside its capture
(samples/NAME.keytab), plus rc4-only.keytab (the crm principal at its kvno, RC4 only) and
other-principal.keytab (HTTP/sales only) for kerberos-ok.pcap.

  1. verdicts: the finding each pairing must give, its severity, and for a refused ticket
     the refusal's root_cause (krb-ap-err-modified);
  2. decrypted contents agree with tshark -o kerberos.decrypt:TRUE -o kerberos.file:KEYTAB
     (cname, crealm, ticket flags, authtime, endtime, the authenticator's GSS checksum
     flags), frame by frame, from negcap's JSON http records (auth.ticket);
  3. the stored tshark answers (tests/golden/oracle/keys/*.tsv, read by the unit test
     test_krb_keys) are what tshark says now (--record rewrites them);
  4. no key of the keytab, and no session key or subkey (as tshark shows them once it
     decrypts), appears in any output format (text -v, JSON events, HTML).

usage: keys.py [--record] NEGCAP SAMPLES_DIR
"""
import calendar
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import fail, need_tool, status  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
STORED = os.path.join(HERE, "oracle", "keys")

# pcap, keytab, finding id, severity, root cause joined to krb-ap-err-modified (or None)
CASES = [
    ("kerberos-ok", "kerberos-ok", "ticket-decrypted", "info", None),
    ("delegation-ok", "delegation-ok", "ticket-decrypted", "info", None),
    ("stale-keytab", "stale-keytab", "keytab-kvno-stale", "error", "keytab-kvno-stale"),
    ("wrong-key", "wrong-key", "keytab-wrong-key", "error", "keytab-wrong-key"),
    ("iis-ap-err-modified", "iis-ap-err-modified", "keytab-wrong-key", "error",
     "keytab-wrong-key"),
    # the server accepted these tickets: the keys given are not its keys (a warning)
    ("kerberos-ok", "rc4-only", "keytab-etype-missing", "warning", None),
    ("kerberos-ok", "other-principal", "keytab-principal-missing", "warning", None),
]
# Samples whose AP-REQs tshark and negcap both decrypt (part 2).
DECRYPTED = ["kerberos-ok", "delegation-ok"]
GSS = ["deleg", "mutual", "replay", "sequence", "conf", "integ"]


def negcap(binary, args):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if p.returncode not in (0, 1):
        fail("negcap %s: exit %d: %s" % (" ".join(args), p.returncode,
                                         p.stderr.decode(errors="replace").strip()))
    return p.stdout.decode("utf-8", "replace")


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_verdicts(binary, samples):
    for pcap, keytab, want, sev, root in CASES:
        what = "%s.pcap --keytab %s.keytab" % (pcap, keytab)
        recs = records(negcap(binary, ["--json", "-r", os.path.join(samples, pcap + ".pcap"),
                                       "--keytab", os.path.join(samples, keytab + ".keytab")]))
        found = [r for r in recs if r.get("type") == "finding" and r.get("id") == want]
        if not found:
            fail("%s: no %s finding (got %s)" % (what, want,
                 sorted(r.get("id") for r in recs if r.get("type") == "finding")))
            continue
        if found[0]["severity"] != sev:
            fail("%s: %s is %s, want %s" % (what, want, found[0]["severity"], sev))
        if root is not None:
            roots = [r.get("root_cause") for r in recs if r.get("id") == "krb-ap-err-modified"]
            if roots != [root]:
                fail("%s: krb-ap-err-modified root_cause %s, want %s" % (what, roots, root))
        if want == "ticket-decrypted":
            f = found[0]
            if f.get("user") != "alice@EXAMPLE.TEST":
                fail("%s: user %r" % (what, f.get("user")))
            if f.get("ap_rep") != "verified":
                fail("%s: the AP-REP is not verified (%r)" % (what, f.get("ap_rep")))
            deleg = "forwarded-tgt" if pcap == "delegation-ok" else "none"
            if f.get("delegation") != deleg:
                fail("%s: delegation %r, want %s" % (what, f.get("delegation"), deleg))
            ids = {r.get("id") for r in recs}
            if pcap == "delegation-ok" and "no-delegation" in ids:
                fail("%s: no-delegation despite the forwarded TGT" % what)
        print("ok: %s -> %s (%s)" % (what, want, sev))


def tshark_time(s):
    # "Dec  2, 2026 07:34:36.000000000 UTC"
    s = s.split(".")[0]
    return calendar.timegm(time.strptime(" ".join(s.replace(",", "").split()),
                                         "%b %d %Y %H:%M:%S"))


def tshark_rows(pcap, keytab):
    """frame -> (cname, crealm, flags, authtime, endtime, gss_flags) from tshark."""
    fields = ["frame.number", "kerberos.CNameString", "kerberos.crealm", "kerberos.flags",
              "kerberos.authtime", "kerberos.endtime"] + \
             ["kerberos.gssapi.checksum.flags." + g for g in GSS]
    argv = ["tshark", "-n", "-r", pcap, "-o", "kerberos.decrypt:TRUE",
            "-o", "kerberos.file:" + keytab, "-Y", "http && kerberos.msg_type == 14",
            "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        argv += ["-e", f]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        fail("tshark on %s: %s" % (pcap, p.stderr.decode(errors="replace").strip()))
        return {}
    rows = {}
    for line in p.stdout.decode().splitlines():
        c = line.split("\t")
        if len(c) != len(fields) or not c[1]:
            continue
        gss = sum(1 << i for i, v in enumerate(c[6:]) if v in ("1", "True"))
        rows[int(c[0])] = (c[1], c[2], int(c[3], 16), tshark_time(c[4]), tshark_time(c[5]),
                           gss)
    return rows


def negcap_rows(binary, pcap, keytab):
    rows = {}
    for r in records(negcap(binary, ["--json", "--events", "-r", pcap, "--keytab", keytab])):
        t = r.get("auth", {}).get("ticket") if r.get("type") == "http" else None
        if not t or t.get("keys") != "decrypted":
            continue
        a = t.get("authenticator", {})
        rows[r["frame"]] = (t["cname"], t["crealm"], t["flags_value"], t["authtime"],
                            t["endtime"], a.get("gss_flags_value", 0) & 0x3f)
    return rows


def stored_path(name):
    return os.path.join(STORED, name + ".tsv")


def check_tshark(binary, samples, record):
    for name in DECRYPTED:
        pcap = os.path.join(samples, name + ".pcap")
        keytab = os.path.join(samples, name + ".keytab")
        ts = tshark_rows(pcap, keytab)
        nc = negcap_rows(binary, pcap, keytab)
        if not ts:
            fail("%s: tshark decrypted no AP-REQ" % name)
        if ts != nc:
            fail("%s: tshark %s != negcap %s" % (name, ts, nc))
        else:
            print("ok: %s: %d AP-REQ(s) agree with tshark: %s" % (name, len(ts), ts))
        text = "".join("%d\t%s\t%s\t%08x\t%d\t%d\t%d\n" % ((f,) + ts[f]) for f in sorted(ts))
        if record:
            os.makedirs(STORED, exist_ok=True)
            with open(stored_path(name), "w") as fp:
                fp.write(text)
        elif not os.path.exists(stored_path(name)) or open(stored_path(name)).read() != text:
            fail("%s: the stored answer %s differs from tshark's (keys.py --record)" %
                 (name, stored_path(name)))


def key_hexes(keytab):
    """The keys of a keytab, in hex, as klist -K shows them."""
    p = subprocess.run(["klist", "-k", "-K", keytab], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    out = []
    for line in p.stdout.decode().splitlines():
        if "(0x" in line:
            out.append(line.split("(0x")[1].rstrip(")").strip().lower())
    return out


def session_keys(pcap, keytab):
    """The session keys and subkeys tshark finds once it decrypts with the keytab."""
    if not need_tool("tshark"):
        return []
    p = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "kerberos.decrypt:TRUE",
                        "-o", "kerberos.file:" + keytab, "-V"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    return sorted({line.split("keyvalue:")[1].strip().lower()
                   for line in p.stdout.decode(errors="replace").splitlines()
                   if "keyvalue:" in line})


def check_secrets(binary, samples):
    if not need_tool("klist", "krb5-user"):
        return
    for pcap, keytab, _, _, _ in CASES:
        kt = os.path.join(samples, keytab + ".keytab")
        keys = key_hexes(kt)
        if not keys:
            fail("klist -K listed no key of %s" % kt)
            continue
        if pcap in DECRYPTED and keytab == pcap:
            sk = session_keys(os.path.join(samples, pcap + ".pcap"), kt)
            if not sk:
                fail("%s: tshark showed no session key to look for" % pcap)
            keys += sk
        with tempfile.TemporaryDirectory() as d:
            html = os.path.join(d, "r.html")
            outs = [negcap(binary, ["-v", "-r", os.path.join(samples, pcap + ".pcap"),
                                    "--keytab", kt]),
                    negcap(binary, ["--json", "--events", "-r",
                                    os.path.join(samples, pcap + ".pcap"), "--keytab", kt]),
                    negcap(binary, ["-q", "--html", html, "-r",
                                    os.path.join(samples, pcap + ".pcap"), "--keytab", kt])]
            outs.append(open(html, encoding="utf-8", errors="replace").read())
        for k in keys:
            for o in outs:
                if k in o.lower() or k.upper() in o:
                    fail("%s: a key of %s appears in the output" % (pcap, kt))
    print("ok: no keytab key in text, JSON or HTML output")


def main():
    args = sys.argv[1:]
    record = args[:1] == ["--record"]
    if record:
        args = args[1:]
    if len(args) != 2:
        print(__doc__)
        return 2
    binary, samples = args
    check_verdicts(binary, samples)
    if need_tool("tshark"):
        check_tshark(binary, samples, record)
    check_secrets(binary, samples)
    return status()


if __name__ == "__main__":
    sys.exit(main())
