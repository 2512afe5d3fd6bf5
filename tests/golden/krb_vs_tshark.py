#!/usr/bin/env python3
"""negcap's `krb` events agree with tshark on every Kerberos message to or from port 88.

For each capture (samples/*.pcap and every pcap/pcapng under NEGSCOPE_CAPTURES_DIR):
  negcap --json --events -r FILE        -> krb records (frame, msg, error_code, sname, realm)
  tshark -Y 'kerberos && port 88 && !icmp' -T fields ...   -> the same facts, independently
and per frame:
  - the frames carrying Kerberos are the same set in both;
  - each negcap message type is one tshark saw in that frame (tshark lists the AP-REQ
    inside a TGS-REQ too, so its first value is the top-level type);
  - error codes are equal;
  - negcap's sname components appear, in order, in tshark's SNameString values, and its
    realm is one of tshark's realm values.

usage: krb_vs_tshark.py NEGCAP FILE_OR_DIR...
"""
import json
import os
import subprocess
import sys

MSG = {"AS-REQ": 10, "AS-REP": 11, "TGS-REQ": 12, "TGS-REP": 13, "AP-REQ": 14,
       "AP-REP": 15, "KRB-CRED": 22, "KRB-ERROR": 30}
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import fail, failures, need_tool, skip, status  # noqa: E402


def negcap_krb(negcap, path):
    p = subprocess.run([negcap, "--json", "--events", "-r", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode not in (0, 1, 3):
        fail("%s: negcap exit %d: %s" % (path, p.returncode, p.stderr.decode(errors="replace").strip()))
        return None
    if p.returncode == 3:
        return None  # not readable by negcap (reported on stderr); tshark must agree below
    recs = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        r = json.loads(line)
        if r.get("type") == "krb":
            recs.setdefault(r["frame"], []).append(r)
    return recs


def tshark_krb(path):
    fields = ["frame.number", "kerberos.msg_type", "kerberos.error_code", "kerberos.SNameString",
              "kerberos.realm"]
    argv = ["tshark", "-n", "-r", path, "-Y",
            "kerberos && (udp.port == 88 || tcp.port == 88) && !icmp && !icmpv6",
            "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    for f in fields:
        argv += ["-e", f]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        return None
    rows = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        cols = line.split("|")
        if len(cols) != len(fields):
            continue
        vals = [c.split("\x1f") if c else [] for c in cols]
        rows[int(vals[0][0])] = {"msg": [int(x) for x in vals[1]],
                                 "err": [int(x) for x in vals[2]],
                                 "snames": vals[3], "realms": vals[4]}
    return rows


def contains_run(hay, needle):
    n = len(needle)
    return any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def compare(path, ours, theirs):
    checked = 0
    if set(ours) != set(theirs):
        only_us = sorted(set(ours) - set(theirs))
        only_ts = sorted(set(theirs) - set(ours))
        fail("%s: Kerberos frames differ: negcap only %s, tshark only %s" % (path, only_us[:10], only_ts[:10]))
    for frame in sorted(set(ours) & set(theirs)):
        t = theirs[frame]
        for r in ours[frame]:
            checked += 1
            msg = MSG.get(r.get("msg"))
            if msg is None or msg not in t["msg"]:
                fail("%s frame %d: negcap msg %s, tshark msg types %s" % (path, frame, r.get("msg"), t["msg"]))
                continue
            if not r.get("decoded"):
                continue  # negcap says it could not decode the rest: only frame and type count
            if msg == 30:
                if r.get("error_code") not in t["err"]:
                    fail("%s frame %d: error_code %s, tshark %s" % (path, frame, r.get("error_code"), t["err"]))
            sname = r.get("sname")
            if sname and not contains_run(t["snames"], sname.split("/")):
                fail("%s frame %d: sname %s not in tshark's %s" % (path, frame, sname, t["snames"]))
            realm = r.get("realm")
            if realm and realm not in t["realms"]:
                fail("%s frame %d: realm %s not in tshark's %s" % (path, frame, realm, t["realms"]))
            if msg in (12, 13, 10, 11) and not sname:
                fail("%s frame %d: %s without sname" % (path, frame, r.get("msg")))
    return checked


def inputs(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, files in os.walk(a):
                for f in sorted(files):
                    if f.endswith((".pcap", ".pcapng", ".cap")):
                        yield os.path.join(root, f)
        else:
            yield a


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    negcap = sys.argv[1]
    if not need_tool("tshark"):
        return status()
    for a in sys.argv[2:]:
        if not os.path.exists(a):
            # ../shared/captures beside the clone: none in a user's clone
            skip("%s missing" % a)
            return status()
    files = total = with_krb = 0
    for path in inputs(sys.argv[2:]):
        files += 1
        theirs = tshark_krb(path)
        ours = negcap_krb(negcap, path)
        if theirs is None:
            if ours:
                fail("%s: tshark cannot read it, negcap found Kerberos" % path)
            continue
        if ours is None:
            if theirs:
                fail("%s: negcap could not read it, tshark found %d Kerberos frames" % (path, len(theirs)))
            continue
        if theirs or ours:
            with_krb += 1
        total += compare(path, ours, theirs)
    print("%d captures, %d with Kerberos, %d Kerberos messages compared, %d failure(s)" %
          (files, with_krb, total, len(failures)))
    if total == 0:
        print("FAIL: no Kerberos message compared at all")
        return 1
    return status()


if __name__ == "__main__":
    sys.exit(main())
