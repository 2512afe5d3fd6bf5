#!/usr/bin/env python3
"""Golden test: the rules that judge in context (issue 11), on captures other projects
recorded (../shared/captures).

Each case names a capture, the findings negcap must give or must not give for it, and
the tshark evidence that justifies the expectation: a display filter, the fields read,
and the rows tshark prints.  The default mode checks negcap only (no tshark needed);
--oracle also runs tshark and checks that it still prints exactly those rows, so the
evidence written here cannot drift from the packets.

usage: context_rules.py [--oracle] NEGCAP CAPTURES_DIR
exit 77 (skipped) when CAPTURES_DIR is absent, or with --oracle when tshark is absent.
"""
import json
import os
import shutil
import subprocess
import sys

from golden import fail, failures, run

# expect: (present?, finding id, {evidence field: value, "frames": [frames it must hold],
#          "count": n}).  tshark: (filter, fields, rows), rows tab-separated as tshark -T
#          fields prints them.
CASES = [
    {
        "capture": "nDPI/tests/cfgs/default/pcap/kerberos.pcap",
        "why": "Rule 2. The KDC answered the AS-REQs in frames 3, 17 and 46: frames 4, 18 "
               "and 47 come from 172.16.8.8:88 on the same streams. The client had "
               "acknowledged nothing from the KDC yet (ack 1), and the KDC's segments start "
               "at relative seq 1461: the reply's first 1460 bytes are not in the capture, "
               "so tshark cannot decode it either (no msg_type). That is a reply not "
               "captured, never kdc-unreachable.",
        "tshark": ("tcp.stream==1 || tcp.stream==8 || tcp.stream==22",
                   ["frame.number", "ip.src", "tcp.ack", "tcp.seq", "tcp.len",
                    "kerberos.msg_type"],
                   ["3\t172.16.8.201\t1\t1\t319\t10",
                    "4\t172.16.8.8\t320\t1461\t112\t",
                    "17\t172.16.8.201\t1\t1\t319\t10",
                    "18\t172.16.8.8\t320\t1461\t112\t",
                    "46\t172.16.8.201\t1\t1\t319\t10",
                    "47\t172.16.8.8\t320\t1461\t112\t"]),
        "expect": [
            (False, "kdc-unreachable", {}),
            (True, "kdc-reply-not-captured",
             {"frames": [3, 4, 17, 18, 46, 47], "severity": "info", "kdc": "172.16.8.8:88"}),
        ],
    },
    {
        "capture": "nDPI/tests/cfgs/default/pcap/webdav.pcap",
        "why": "Rules 3 and 8. Every 401 carries an NTLM CHALLENGE (ntlmssp type 2) answering "
               "an NTLM NEGOTIATE the client sent unprompted: no first challenge is in the "
               "capture. After each AUTHENTICATE (type 3) the server answers 405, 400, 403: "
               "the user authenticated; 405 and 403 are method and authorization refusals.",
        "tshark": ("http.response.code==401 || http.response.code==403 || "
                   "http.response.code==405 || ntlmssp.messagetype==3",
                   ["frame.number", "tcp.stream", "http.response.code", "ntlmssp.messagetype"],
                   ["19\t1\t401\t0x00000002", "21\t1\t\t0x00000003", "22\t1\t405\t",
                    "31\t2\t401\t0x00000002", "33\t2\t\t0x00000003",
                    "42\t3\t401\t0x00000002", "44\t3\t\t0x00000003",
                    "53\t4\t401\t0x00000002", "55\t4\t\t0x00000003",
                    "64\t5\t401\t0x00000002", "66\t5\t\t0x00000003",
                    "75\t6\t401\t0x00000002", "77\t6\t\t0x00000003", "78\t6\t403\t",
                    "86\t7\t401\t0x00000002", "88\t7\t\t0x00000003"]),
        "expect": [
            (False, "negotiate-not-offered", {}),
            (True, "first-offer-not-captured", {"frames": [18, 19]}),
            (False, "ntlm-rejected", {}),
            (True, "ntlm-ok", {"user": "www.dlp-test.com\\WebDAV", "count": 7}),
            (True, "failed-after-auth", {"status": 405, "cause": "method", "frames": [21, 22]}),
            (True, "failed-after-auth", {"status": 403, "cause": "authorization",
                                         "frames": [77, 78]}),
        ],
    },
    {
        "capture": "arkime/tests/pcap/ntlm_synthetic.pcap",
        "why": "Rule 3. On stream 3 the client opens with an NTLM NEGOTIATE (frame 44); the "
               "401 in frame 46 carries the CHALLENGE, a continuation leg; the AUTHENTICATE "
               "(48) gets 200. The server's first offer is not in the capture.",
        "tshark": ("tcp.stream==3 && http",
                   ["frame.number", "http.response.code", "ntlmssp.messagetype"],
                   ["44\t\t0x00000001", "46\t401\t0x00000002", "48\t\t0x00000003",
                    "50\t200\t"]),
        "expect": [
            (False, "negotiate-not-offered", {}),
            (True, "first-offer-not-captured", {"frames": [46], "server": "10.10.4.1:80"}),
            (True, "ntlm-ok", {"user": "HTTPDOM\\dave", "status": 200, "frames": [48, 50]}),
        ],
    },
] + [
    {
        "capture": "suricata-verify/tests/%s/input.pcap" % test,
        "why": "Rule 4. The only 401 offers Basic alone and closes the connection: closing "
               "after a Basic challenge breaks nothing (Basic is not connection-bound). It "
               "still offers no Negotiate.",
        "tshark": ("http.response.code==401",
                   ["frame.number", "http.www_authenticate", "http.connection"],
                   ["12\tBasic realm=\"Authentification user password\"\tclose"]),
        "expect": [
            (False, "keepalive-missing", {}),
            (True, "negotiate-not-offered", {"offered": "Basic"}),
        ],
    }
    for test in ("bug-130", "bug-7389-01")
] + [
    {
        "capture": "suricata-verify/tests/dcerpc/dcerpc-ctxids/input.pcap",
        "why": "Rule 6. The TGS-REQs in frames 51 and 78 ask for sname Administrator with "
               "name-type -128 (NT-MS-PRINCIPAL), one component: a user's name, not an SPN. "
               "The KDC's 7 is no missing SPN, and no setspn advice may name HTTP/Administrator.",
        "tshark": ("frame.number==51 || frame.number==53 || frame.number==78 || "
                   "frame.number==80",
                   ["frame.number", "kerberos.msg_type", "kerberos.name_type",
                    "kerberos.SNameString", "kerberos.error_code"],
                   ["51\t12,14\t2,-128\tkrbtgt,PURP.LE,Administrator\t",
                    "53\t30\t-128\tAdministrator\t7",
                    "78\t12,14\t2,-128\tkrbtgt,PURP.LE,Administrator\t",
                    "80\t30\t-128\tAdministrator\t7"]),
        "expect": [
            (False, "spn-unknown", {}),
            (True, "kdc-error", {"sname": "Administrator", "error_code": 7,
                                 "frames": [51, 53, 78, 80], "no_advice": "setspn"}),
        ],
    },
    {
        "capture": "suricata-verify/tests/bug-8278-krb5-03/baseline.2.flows.pcap",
        "why": "Rule 6. The TGS-REQ in frame 20 asks for host/anything (NT-SRV-INST, two "
               "components): a service principal of class host/, so SPN advice with that "
               "class, and no IIS or application pool advice.",
        "tshark": ("frame.number==20 || frame.number==21",
                   ["frame.number", "kerberos.msg_type", "kerberos.name_type",
                    "kerberos.SNameString", "kerberos.error_code"],
                   ["20\t12,14\t1,2\tkrbtgt,DOM189.LOCAL,host,anything\t",
                    "21\t30\t2\thost,anything\t7"]),
        "expect": [
            (True, "spn-unknown", {"spn": "host/anything", "frames": [20, 21],
                                   "advice": "setspn -S host/anything",
                                   "no_advice": "application pool"}),
        ],
    },
]


def findings(negcap, path):
    code, out, err = run([negcap, "--json", "-r", path])
    recs = []
    for line in out.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            fail("%s: a JSON line does not parse: %r" % (path, line[:100]))
            continue
        if r.get("type") == "finding":
            recs.append(r)
    if code not in (0, 1):
        fail("%s: negcap exited %d: %s" % (path, code, err.strip()[:200]))
    return recs


def matches(rec, want):
    for k, v in want.items():
        if k == "frames":
            if not set(v) <= set(rec.get("frames", [])):
                return False
        elif k == "advice":
            if not any(v in a for a in rec.get("advice", [])):
                return False
        elif k == "no_advice":
            if any(v in a for a in rec.get("advice", [])):
                return False
        elif rec.get(k) != v:
            return False
    return True


def check_negcap(negcap, root):
    for case in CASES:
        path = os.path.join(root, case["capture"])
        recs = findings(negcap, path)
        for present, fid, want in case["expect"]:
            hits = [r for r in recs if r.get("id") == fid and matches(r, want)]
            if present and not hits:
                fail("%s: expected %s %s (%s); got %s" % (
                    case["capture"], fid, want, case["why"][:60],
                    [(r["id"], r.get("frames")) for r in recs]))
            if not present and any(r.get("id") == fid for r in recs):
                fail("%s: %s must not be reported (%s)" % (case["capture"], fid,
                                                           case["why"][:60]))


def check_tshark(root):
    tshark = shutil.which("tshark")
    if tshark is None:
        if os.environ.get("NEGSCOPE_REQUIRE_TOOLS") == "1":
            print("FAIL: tshark not installed (package tshark; .ci/install-deps installs it)")
            sys.exit(1)
        print("SKIP: tshark not installed (package tshark; .ci/install-deps installs it)")
        sys.exit(77)
    for case in CASES:
        flt, fields, rows = case["tshark"]
        argv = [tshark, "-n", "-r", os.path.join(root, case["capture"]), "-Y", flt,
                "-T", "fields"]
        for f in fields:
            argv += ["-e", f]
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           timeout=120)
        got = p.stdout.decode("utf-8", "replace").splitlines()
        if got != rows:
            fail("%s: tshark -Y '%s' no longer prints the stated evidence:\n  want %r\n"
                 "  got  %r" % (case["capture"], flt, rows, got))


def main():
    args = sys.argv[1:]
    oracle = "--oracle" in args
    args = [a for a in args if a != "--oracle"]
    if len(args) != 2:
        print(__doc__)
        return 2
    negcap, root = args
    if not os.path.isdir(root):
        print("SKIP: %s is absent" % root)
        return 77
    if oracle:
        check_tshark(root)
    else:
        check_negcap(negcap, root)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok: %d captures" % len(CASES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
