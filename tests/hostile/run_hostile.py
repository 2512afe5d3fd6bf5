#!/usr/bin/env python3
"""run_hostile.py - negprobe against each misbehaving server of hostile_server.py.

    run_hostile.py NEGPROBE CASE

NEGPROBE may be overridden with the environment variable NEGPROBE (for example the
negprobe of an ASan build: NEGPROBE=build-san/probe/negprobe).  Each CASE starts its own
server on 127.0.0.1 (a free port), runs negprobe twice (text report with -v and --junit,
then --json) and checks, for every run:
  - the exit status is one of the expected ones;
  - the run ended within its time bound (monotonic clock; bounds are generous, as CI may
    run under ASan on busy cores);
  - peak RSS (wait4's ru_maxrss) stayed under NEGSCOPE_HOSTILE_MAX_RSS_MB (default 300);
  - stdout and stderr hold valid UTF-8 and no raw control character (C0 but tab and
    newline, DEL, C1): server text is shown escaped;
  - the --junit file parses as XML, every --json line parses as JSON;
  - the case's own words are (or are not) in the output.
Under ASan, pass ASAN_OPTIONS and LSAN_OPTIONS (suppressions=tests/hardening/lsan.supp) as
ci-extra.sh does.  Exit 0 when all hold, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_RSS_KB = int(os.environ.get("NEGSCOPE_HOSTILE_MAX_RSS_MB", "300")) * 1024
SLACK = float(os.environ.get("NEGSCOPE_HOSTILE_SLACK", "4"))

NTLM_ARGS = ["--timeout", "3", "--mech", "ntlm", "--resolve", "hostile.test:{port}:127.0.0.1",
             "http://hostile.test:{port}/"]

# name: (server mode or None, negprobe args ({url}, {tmp} substituted), expected exits,
#        time bound in s before slack, words that must appear, words that must not)
CASES = {
    "tls-garbage": ("tls-garbage", ["--timeout", "1", "--connect-timeout", "1", "https://127.0.0.1:{port}/"],
                    {1}, 1.5, ["not-tls"], []),
    "tls-garbage-parallel": ("tls-garbage", ["--timeout", "1", "--parallel", "16", "--targets", "{targets6}"],
                             {1}, 2.0, ["not-tls"], []),
    "escapes": ("escapes", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3, ["\\x1b"], []),
    "escapes-401": ("escapes-401", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3, ["\\x1b"], []),
    "junit-bytes": ("escapes-401", ["--timeout", "3", "--targets", "{badurl}"], {1, 3}, 3, [], []),
    "big-headers": ("big-headers", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3,
                    ["exceeded", "response-too-large"],
                    ["Out of memory", "connect-failed"]),
    "cut-headers": ("cut-headers", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3,
                    ["middle of its headers", "response-incomplete"],
                    ["<- 401", "connect-failed"]),
    "cut-body": ("cut-body", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3,
                 ["<- 401 Unauthorized  (then cut)", "response-incomplete", "middle of the body"],
                 ["connect-failed"]),
    "slowloris": ("slowloris", ["--timeout", "2", "http://127.0.0.1:{port}/"], {1}, 2,
                  ["response-incomplete", "time limit"], ["connect-failed"]),
    "continue": ("continue", ["--timeout", "2", "http://127.0.0.1:{port}/"], {1}, 2,
                 ["response-"], ["connect-failed"]),
    # NTLM through gss-ntlmssp with NTLM_USER_FILE (see main()); the server's challenge is
    # SPNEGO-wrapped and malformed (or, endless-401, valid and new on every leg)
    "endless-401": ("endless-401", NTLM_ARGS, {1}, 3, ["leg 3"], []),
    "no-challenge": ("no-challenge", ["--timeout", "3", "http://127.0.0.1:{port}/"], {1}, 3,
                     ["no WWW-Authenticate header"],
                     ["but not Negotiate"]),
    "bad-base64": ("bad-base64", NTLM_ARGS, {1}, 3, ["not valid base64"], []),
    "ntlm-short": ("ntlm-short", NTLM_ARGS, {1}, 3, ["NTLM CHALLENGE"], []),
    "ntlm-offsets": ("ntlm-offsets", NTLM_ARGS, {1}, 3, ["NTLM CHALLENGE"], []),
    "ntlm-avpairs": ("ntlm-avpairs", NTLM_ARGS, {1}, 3, ["NTLM CHALLENGE"], []),
    # a plain fresh offer answering the final AUTHENTICATE is the server's rejection
    "ntlm-reject": ("ntlm-reject", NTLM_ARGS, {1}, 3, ["ntlm-rejected", "HOSTILE\\alice"],
                    ["negotiate-not-offered", "ntlm-ok"]),
    "ntlm-reject-raw": ("ntlm-reject-raw", NTLM_ARGS, {1}, 3, ["ntlm-rejected", "(leg 1)"],
                        ["ntlm-ok"]),
    "targets-dev-zero": (None, ["--targets", "/dev/zero"], {3}, 3, ["line 1"], []),
    "targets-long-line": (None, ["--targets", "{longline}"], {3}, 3, ["line 2"], []),
    "targets-empty-expect": (None, ["--expect", "kerberos", "--targets", "{empty}"], {3}, 3,
                             ["nothing"], []),
    "targets-comments-expect": (None, ["--expect", "kerberos", "--targets", "{comments}"], {3}, 3,
                                ["nothing"], []),
}

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def start_server(mode, garbage_conns):
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "hostile_server.py"), mode,
                            "--lifetime", "60", "--garbage-conns", str(garbage_conns)],
                           stdout=subprocess.PIPE)
    line = srv.stdout.readline()
    if not line.strip().isdigit():
        srv.kill()
        raise RuntimeError("hostile_server.py %s printed no port" % mode)
    return srv, int(line)


def run(argv, env):
    """Runs negprobe; returns (exit, seconds, peak RSS KB, stdout bytes, stderr bytes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return p.returncode, secs, ru.ru_maxrss, out.read(), err.read()


def check_text(what, data, problems):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("%s is not valid UTF-8 (%s)" % (what, e))
        return ""
    m = CONTROL.search(text)
    if m:
        problems.append("%s holds a raw control character U+%04X near %r" %
                        (what, ord(m.group()), text[max(0, m.start() - 30):m.start() + 10]))
    return text


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        sys.stderr.write("usage: run_hostile.py NEGPROBE CASE; cases: %s\n" % " ".join(CASES))
        return 2
    negprobe = os.environ.get("NEGPROBE") or sys.argv[1]
    name = sys.argv[2]
    mode, args, exits, bound, want, unwanted = CASES[name]
    env = dict(os.environ)
    env["KRB5CCNAME"] = "MEMORY:hostile"  # an empty cache: no ticket is ever used
    env.pop("NTLM_USER_FILE", None)
    env.pop("NO_COLOR", None)
    problems = []
    srv = None
    with tempfile.TemporaryDirectory() as tmp:
        subst = {"tmp": tmp}
        if args is NTLM_ARGS:
            # gss-ntlmssp's credential for the probe; its leaks (tests/hardening/lsan.supp)
            # match only with full malloc stacks, which are slow: NTLM cases only
            env["NTLM_USER_FILE"] = os.path.join(tmp, "ntlm-users")
            with open(env["NTLM_USER_FILE"], "w") as f:
                f.write("HOSTILE:alice:hostile-test-password\n")
            if "ASAN_OPTIONS" in env:
                env["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
        if mode is not None:
            srv, port = start_server(mode, 6 if "targets6" in " ".join(args) else 1)
            subst["port"] = str(port)
            t6 = os.path.join(tmp, "targets6")
            with open(t6, "w") as f:
                for i in range(6):
                    f.write("https://127.0.0.1:%d/t%d\n" % (port, i))
            subst["targets6"] = t6
            subst["badurl"] = os.path.join(tmp, "badurl")
            with open(subst["badurl"], "wb") as f:
                # invalid UTF-8 and a control character in the URL itself
                f.write(b"http://127.0.0.1:%d/\xff\xfe/\x1b[2J\xc3\xa9\n" % port)
        subst["longline"] = os.path.join(tmp, "long")
        if "{longline}" in args:
            with open(subst["longline"], "wb") as f:
                f.write(b"http://127.0.0.1:1/\n")
                chunk = b"x" * (1 << 20)
                for _ in range(64):  # a 64 MiB second line, written in pieces
                    f.write(chunk)
                f.write(b"\n")
        subst["empty"] = os.path.join(tmp, "empty")
        open(subst["empty"], "w").close()
        subst["comments"] = os.path.join(tmp, "comments")
        with open(subst["comments"], "w") as f:
            f.write("# nothing here\n\n   # indented comment\n")
        argv = [a.format(**subst) for a in args]
        junit = os.path.join(tmp, "out.xml")
        try:
            for style in (["--no-color", "-v", "--junit", junit], ["--json"]):
                cmd = [negprobe] + style + argv
                code, secs, rss, out, err = run(cmd, env)
                label = "%s %s" % (name, style[0])
                print("%s: exit %d, %.2f s, peak RSS %d KB" % (label, code, secs, rss))
                if code not in exits:
                    problems.append("%s: exit %d, expected %s" % (label, code, sorted(exits)))
                if secs > bound + SLACK:
                    problems.append("%s: took %.2f s, bound %.1f s + %.1f s slack" %
                                    (label, secs, bound, SLACK))
                if rss > MAX_RSS_KB:
                    problems.append("%s: peak RSS %d KB over %d KB" % (label, rss, MAX_RSS_KB))
                text = check_text(label + " stdout", out, problems)
                text += check_text(label + " stderr", err, problems)
                if style[0] == "--json":
                    last_leg = {}
                    for ln in out.decode("utf-8", "replace").splitlines():
                        try:
                            rec = json.loads(ln)
                        except ValueError as e:
                            problems.append("%s: bad JSON line %r: %s" % (label, ln[:80], e))
                            continue
                        # the result's status is its last leg's: one story per target
                        if rec.get("type") == "leg":
                            last_leg[rec.get("target")] = rec.get("status")
                        elif rec.get("type") == "result" and rec.get("target") in last_leg \
                                and rec.get("status") != last_leg[rec.get("target")]:
                            problems.append("%s: result status %r but last leg status %r" %
                                            (label, rec.get("status"), last_leg[rec.get("target")]))
                    continue
                if os.path.exists(junit):
                    try:
                        ET.parse(junit)
                    except ET.ParseError as e:
                        problems.append("%s: --junit is not XML: %s" % (label, e))
                elif mode is not None:
                    problems.append("%s: no --junit file written" % label)
                for w in want:
                    if w not in text:
                        problems.append("%s: expected %r in the output" % (label, w))
                for w in unwanted:
                    if w in text:
                        problems.append("%s: %r must not be in the output" % (label, w))
                if problems:
                    sys.stdout.write(text[:4000] + "\n")
        finally:
            if srv is not None:
                srv.kill()
                srv.wait()
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
