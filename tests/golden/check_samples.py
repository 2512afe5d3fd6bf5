#!/usr/bin/env python3
"""Golden test: negcap diagnoses every capture in samples/ as expected.tsv says.

For each sample, in JSON (--json, --json --events) and in text (default, -q):
  - the exit status;
  - the exact set of warning/error finding ids, and the info ids required or forbidden;
  - evidence fields of the JSON finding records;
  - the JSON lines are valid, typed, and end with the summary record.
A sample without a row, or a row without a sample, fails the test.  A sample with a TLS key
log beside it (NAME.keylog) is checked twice: as NAME without keys, and as NAME+keylog with
--keylog (its HTTPS decrypted: the findings of its HTTP twin).

usage: check_samples.py NEGCAP SAMPLES_DIR EXPECTED_TSV
"""
import json
import os
import re
import sys

from golden import fail, failures, run


def parse_expected(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split(None, 4)
            if len(cols) < 4:
                raise SystemExit("bad row in %s: %r" % (path, line))
            name, code, problems, info = cols[:4]
            evidence = cols[4].strip() if len(cols) > 4 else "-"
            rows[name] = {
                "exit": int(code),
                "problems": set() if problems == "-" else set(problems.split(",")),
                "info": [] if info == "-" else info.split(","),
                "evidence": [] if evidence == "-" else [e.strip() for e in evidence.split(";")],
            }
    return rows


def json_records(name, out):
    recs = []
    for i, line in enumerate(out.splitlines()):
        try:
            r = json.loads(line)
        except ValueError as e:
            fail("%s: JSON line %d does not parse (%s): %r" % (name, i + 1, e, line[:120]))
            continue
        if not isinstance(r, dict) or r.get("type") not in ("http", "krb", "conversation", "finding",
                                                         "summary"):
            fail("%s: JSON line %d has no known type: %r" % (name, i + 1, line[:120]))
            continue
        recs.append(r)
    if not recs or recs[-1]["type"] != "summary":
        fail("%s: the last JSON record is not the summary" % name)
    if sum(1 for r in recs if r["type"] == "summary") != 1:
        fail("%s: not exactly one summary record" % name)
    return recs


def check_findings(name, mode, findings, want):
    """findings: list of (id, severity)."""
    problems = {i for i, s in findings if s in ("warning", "error")}
    if problems != want["problems"]:
        fail("%s [%s]: warning/error findings %s, expected %s" %
             (name, mode, sorted(problems), sorted(want["problems"])))
    ids = {i for i, _ in findings}
    for spec in want["info"]:
        if spec.startswith("!"):
            if spec[1:] in ids:
                fail("%s [%s]: finding %s must not be reported" % (name, mode, spec[1:]))
        elif spec not in ids:
            fail("%s [%s]: finding %s missing (got %s)" % (name, mode, spec, sorted(ids)))


def check_sample(negcap, path, name, want, extra=()):
    extra = list(extra)
    # JSON, findings and summary.
    code, out, err = run([negcap] + extra + ["--json", "-r", path])
    if code != want["exit"]:
        fail("%s [json]: exit %d, expected %d (stderr: %s)" % (name, code, want["exit"], err.strip()))
    recs = json_records(name, out)
    fr = [r for r in recs if r["type"] == "finding"]
    for r in fr:
        for k in ("id", "severity", "frames", "title", "explanation", "advice"):
            if k not in r:
                fail("%s: finding %s lacks %s" % (name, r.get("id"), k))
        if not r.get("advice"):
            fail("%s: finding %s has no advice" % (name, r.get("id")))
    check_findings(name, "json", [(r["id"], r["severity"]) for r in fr], want)
    sev_order = {"error": 0, "warning": 1, "info": 2}
    sevs = [sev_order[r["severity"]] for r in fr]
    if sevs != sorted(sevs):
        fail("%s: findings are not most severe first" % name)
    summ = recs[-1] if recs else {}
    if summ.get("type") == "summary":
        for sev in ("error", "warning", "info"):
            n = sum(1 for r in fr if r["severity"] == sev)
            if summ["findings"][sev] != n:
                fail("%s: summary counts %d %s findings, records %d" % (name, summ["findings"][sev], sev, n))
        if summ.get("packets", 0) <= 0:
            fail("%s: summary counts no packets" % name)
    for ev in want["evidence"]:
        m = re.match(r"^([a-z0-9-]+)\.frames>=([0-9 ]+)$", ev)
        if m:
            fid, want_frames = m.group(1), {int(x) for x in m.group(2).split()}
            hits = [r for r in fr if r["id"] == fid]
            if not any(want_frames <= set(r["frames"]) for r in hits):
                fail("%s: %s frames %s do not include %s" %
                     (name, fid, [r["frames"] for r in hits], sorted(want_frames)))
            continue
        m = re.match(r"^([a-z0-9-]+)\.([a-z0-9_]+)=(.*)$", ev)
        if not m:
            fail("%s: bad evidence spec %r" % (name, ev))
            continue
        fid, field, value = m.groups()
        hits = [r for r in fr if r["id"] == fid]
        if not hits:
            fail("%s: no %s finding for evidence %s" % (name, fid, ev))
        elif not any(str(r.get(field)) == value for r in hits):
            fail("%s: %s.%s is %r, expected %r" % (name, fid, field, [r.get(field) for r in hits], value))
    # JSON with events: every record valid; counts agree with the summary.
    code2, out2, _ = run([negcap] + extra + ["--json", "--events", "-r", path])
    nhttp = 0
    if code2 != code:
        fail("%s: --events changed the exit status (%d vs %d)" % (name, code2, code))
    recs2 = json_records(name + " --events", out2)
    if recs2 and recs2[-1]["type"] == "summary":
        s = recs2[-1]
        nh = nhttp = sum(1 for r in recs2 if r["type"] == "http")
        nk = sum(1 for r in recs2 if r["type"] == "krb")
        if s["messages"]["http"] != nh or s["messages"]["krb"] != nk:
            fail("%s: summary messages %s, records http=%d krb=%d" % (name, s["messages"], nh, nk))
        for r in recs2:
            if r["type"] == "http" and ("frame" not in r or "stream" not in r):
                fail("%s: http record without frame/stream" % name)
            if r["type"] == "krb":
                for k in ("frame", "transport", "msg"):
                    if k not in r:
                        fail("%s: krb record without %s" % (name, k))
                if r.get("msg") == "KRB-ERROR" and ("error_code" not in r or "error_name" not in r):
                    fail("%s: KRB-ERROR record without error_code/error_name" % name)
        # Conversations: the ladder as typed fields, never sentences; every frame of a
        # step is a frame of an http or krb record (or a connection event's).
        convs = [r for r in recs2 if r["type"] == "conversation"]
        if s["conversations"] != len(convs):
            fail("%s: summary counts %d conversations, %d records" %
                 (name, s["conversations"], len(convs)))
        msg_frames = {r["frame"] for r in recs2 if r["type"] in ("http", "krb")}
        for c in convs:
            for st in c.get("steps", []):
                if "text" in st or "frame" not in st or "step" not in st:
                    fail("%s: conversation %s step is not typed: %r" % (name, c["id"], st))
                elif st["step"] in ("http-request", "http-response", "kdc-request",
                                    "kdc-reply", "krb-error") and st["frame"] not in msg_frames:
                    fail("%s: step frame %d is no message's frame" % (name, st["frame"]))
        if [r for r in recs2 if r["type"] == "finding"] != fr:
            fail("%s: --events changed the finding records" % name)
    # Text: default report and -q.
    code3, out3, _ = run([negcap] + extra + ["--no-color", "-r", path])
    if code3 != want["exit"]:
        fail("%s [text]: exit %d, expected %d" % (name, code3, want["exit"]))
    heads = re.findall(r"^(ERROR|WARNING|INFO)\s+([a-z0-9-]+) — ", out3, re.M)
    check_findings(name, "text", [(i, s.lower()) for s, i in heads], want)
    if "Conversation 1" not in out3 and nhttp > 0:
        fail("%s [text]: no conversation ladder" % name)
    if "\x1b[" in out3:
        fail("%s [text]: colour codes in piped output" % name)
    code4, out4, _ = run([negcap] + extra + ["-q", "-r", path])
    heads4 = re.findall(r"^(ERROR|WARNING|INFO)\s+([a-z0-9-]+) — ", out4, re.M)
    if heads4 != heads or "Conversation" in out4 or code4 != code3:
        fail("%s [-q]: findings-only output differs from the full report's findings" % name)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    negcap, samples, table = sys.argv[1:]
    rows = parse_expected(table)
    pcaps = sorted(f[:-5] for f in os.listdir(samples) if f.endswith(".pcap"))
    if not pcaps:
        fail("no samples in %s" % samples)
    for name in pcaps:
        if name not in rows:
            fail("%s: samples/%s.pcap has no row in expected.tsv" % (name, name))
            continue
        check_sample(negcap, os.path.join(samples, name + ".pcap"), name, rows[name])
        keylog = os.path.join(samples, name + ".keylog")
        if os.path.exists(keylog):
            if name + "+keylog" not in rows:
                fail("%s: samples/%s.keylog has no %s+keylog row" % (name, name, name))
                continue
            check_sample(negcap, os.path.join(samples, name + ".pcap"), name + "+keylog",
                         rows[name + "+keylog"], ["--keylog", keylog])
    for name in rows:
        if name.endswith("+keylog"):
            if not os.path.exists(os.path.join(samples, name[:-7] + ".keylog")):
                fail("%s: expected.tsv names a key log that does not exist" % name)
            continue
        if name not in pcaps:
            fail("%s: expected.tsv names a sample that does not exist" % name)
    print("%d samples checked (%d with their key log too), %d failure(s)" %
          (len(pcaps), sum(1 for n in rows if n.endswith("+keylog")), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
