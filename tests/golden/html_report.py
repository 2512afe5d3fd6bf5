"""negcap --html: hostile text stays text, and every sample's report passes a real browser.

  html_report.py escape NEGCAP OUTDIR
      builds a capture whose Host, request target, reason phrase, Basic user and realm are
      hostile (<script>, quotes, an event-handler attribute, bidi and control characters,
      invalid UTF-8), renders it, and checks that none of it became markup (HTML parser;
      and the DOM of headless Chromium when it is installed).
  html_report.py probe NEGPROBE OUTDIR
      the same for negprobe --html against a loopback HTTP server whose reason phrase and
      challenges are hostile; one arrow per request and per response.
  html_report.py browser NEGCAP SAMPLES OUTDIR
      for every sample: renders the report, loads it in headless Chromium with JavaScript
      on and off (one Chromium over the DevTools pipe), checks the lanes, one arrow per ladder step (against
      negcap --json --events), findings linked to their frames, no external reference;
      and writes a screenshot of each into OUTDIR for a reviewer.

Chromium runs offline (its own network namespace when root, background networking off),
with a private profile in a temporary directory, under a timeout.  Exit 77 (skipped)
when Chromium is missing and we are not root; root (which can install it, see
.ci/install-deps) or NEGSCOPE_REQUIRE_TOOLS=1 make a missing Chromium a failure.
"""
import atexit
import base64
import glob
import html.parser
import http.server
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time

from golden import dispatch, fail, require_tool, run

CHROMIUM_TIMEOUT = 90

HOSTILE_HOST = "crm.example.test\u202e<script>alert('host')</script>"
# No spaces in the target: it is one token of the request line.
HOSTILE_TARGET = "/a\"><img/src=x/onerror=alert(1)>"
# Ladder steps keep 31 bytes of a reason phrase: the hostile part comes first.
HOSTILE_REASON = b"<b onmouseover=alert(2)>\x1b[31m\xff\xfe' no"
HOSTILE_USER = "ev\u2066il<script>alert(3)</script>"
HOSTILE_REALM = "<svg onload=alert(4)>\u202e"

# Elements the renderer writes; anything else in a report is injected markup.
OUR_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
            "p", "section", "ul", "ol", "li", "a", "code", "strong", "span", "div", "svg",
            "line", "path", "g", "table", "thead", "tbody", "tr", "th", "td", "article", "dl",
            "dt", "dd", "input", "script"}


class Dom(html.parser.HTMLParser):
    """Elements with their attributes, the text, and the nesting of arrows in diagrams."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []     # (tag, attrs dict)
        self.text = []
        self.stack = []     # open (tag, attrs) for void-aware nesting of sections
        self.conv_arrows = {}  # conversation id -> arrows inside its section
        self.conv_lanes = {}   # conversation id -> lane names
        self.cur_conv = None
        self.depth_conv = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elems.append((tag, a))
        if tag == "section" and "conv" in a.get("class", "").split():
            self.cur_conv = a.get("data-conversation") or a.get("data-target")
            self.conv_arrows[self.cur_conv] = []
            self.conv_lanes[self.cur_conv] = []
            self.depth_conv = 1
        elif self.cur_conv is not None and tag == "section":
            self.depth_conv += 1
        if self.cur_conv is not None and tag == "g" and a.get("class") == "arrow":
            self.conv_arrows[self.cur_conv].append(a.get("data-frame"))
        if self.cur_conv is not None and tag == "span" and "lane" in a.get("class", "").split():
            self.conv_lanes[self.cur_conv].append(a.get("class"))

    def handle_endtag(self, tag):
        if self.cur_conv is not None and tag == "section":
            self.depth_conv -= 1
            if self.depth_conv == 0:
                self.cur_conv = None

    def handle_data(self, data):
        self.text.append(data)


def parse(text):
    d = Dom()
    d.feed(text)
    d.close()
    return d


# ---- a capture with hostile strings ----

def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6,
                     0, bytes(src), bytes(dst))
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def hostile_pcap(path):
    cli, srv = [10, 0, 0, 5], [10, 0, 0, 80]
    creds = base64.b64encode(HOSTILE_USER.encode() + b":not-the-password").decode()
    req1 = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (HOSTILE_TARGET, HOSTILE_HOST)).encode()
    resp1 = (b"HTTP/1.1 401 " + HOSTILE_REASON + b"\r\nWWW-Authenticate: Basic realm=\"" +
             HOSTILE_REALM.encode() + b"\"\r\nContent-Length: 0\r\n\r\n")
    req2 = ("GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n" %
            (HOSTILE_TARGET, HOSTILE_HOST, creds)).encode()
    resp2 = b"HTTP/1.1 403 " + HOSTILE_REASON + b"\r\nContent-Length: 0\r\n\r\n"
    c, s = 1000, 5000
    frames = [tcp_frame(cli, srv, 50000, 80, c, 0, 0x02),
              tcp_frame(srv, cli, 80, 50000, s, c + 1, 0x12),
              tcp_frame(cli, srv, 50000, 80, c + 1, s + 1, 0x10)]
    c, s = c + 1, s + 1
    for req, resp in ((req1, resp1), (req2, resp2)):
        frames.append(tcp_frame(cli, srv, 50000, 80, c, s, 0x18, req))
        c += len(req)
        frames.append(tcp_frame(srv, cli, 80, 50000, s, c, 0x18, resp))
        s += len(resp)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)))
            f.write(fr)


CAPTURE_SHOWN = ("<script>alert('host')</script>", "<img/src=x/onerror=alert(1)>",
                 "<b onmouseover=alert(2)>")
PROBE_SHOWN = ("<img/src=x/onerror=alert(1)>", "<b onmouseover=alert(2)>",
               "<svg onload=alert(4)>")


def check_no_markup(name, raw, dom_text, where, shown=CAPTURE_SHOWN):
    """raw: the report's bytes (None for a browser DOM); dom_text: its markup as text;
    shown: hostile strings that must appear as text."""
    if raw is not None:
        try:
            raw.decode("utf-8", "strict")
        except UnicodeDecodeError as e:
            fail("%s: %s is not valid UTF-8: %s" % (name, where, e))
        for bad in (b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\x1b", b"\xff"):
            if bad in raw:
                fail("%s: %s holds the raw byte(s) %r" % (name, where, bad))
    d = parse(dom_text)
    tags = [t for t, _ in d.elems]
    for t in set(tags) - OUR_TAGS:
        fail("%s: %s has an injected <%s> element" % (name, where, t))
    if tags.count("script") != 1:
        fail("%s: %s has %d <script> elements, want 1 (ours)" % (name, where, tags.count("script")))
    for t, a in d.elems:
        for k in a:
            if k.startswith("on"):
                fail("%s: %s: <%s> has an event-handler attribute %s" % (name, where, t, k))
    text = "".join(d.text)
    for s in shown:
        if s not in text:
            fail("%s: %s does not show the hostile string %r as text" % (name, where, s))


# ---- headless Chromium ----

def chromium_path():
    for n in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(n)
        if p:
            return p
    return None


class DevTools:
    """The DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out, messages
    ended by NUL), with a deadline on every read."""

    def __init__(self, to_chrome, from_chrome, deadline):
        self.w, self.r, self.deadline = to_chrome, from_chrome, deadline
        self.buf, self.events, self.next_id = b"", [], 1

    def _read(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        mid, self.next_id = self.next_id, self.next_id + 1
        m = {"id": mid, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(self.w, json.dumps(m).encode() + b"\0")
        while True:
            r = self._read()
            if r.get("id") == mid:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, method):
        """The first pending event METHOD, taken off the queue (one session navigates
        many times: an earlier page's event must not answer for the next)."""
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read())


class Browser:
    """One headless Chromium driven over the DevTools pipe for many pages: a launch costs
    seconds, a page tens of milliseconds.  JavaScript is switched with
    Emulation.setScriptExecutionDisabled (current Chromium's --dump-dom prints nothing
    under --blink-settings=scriptEnabled=false, as it needs script itself to serialise the
    page); screenshots come from Page.captureScreenshot at a set viewport."""

    def __init__(self, exe):
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()

        def fds():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.prof = tempfile.mkdtemp(prefix="negscope-chromium-")
        argv = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + self.prof, "--disable-background-networking",
                "--disable-sync", "--disable-extensions", "--disable-component-update",
                "--disable-default-apps", "--no-default-browser-check",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe",
                "about:blank"]
        if os.geteuid() == 0 and shutil.which("unshare"):
            argv = ["unshare", "--net", "--"] + argv  # no network at all, not even DNS
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, HOME=self.prof), preexec_fn=fds,
                                  pass_fds=(3, 4), start_new_session=True)
        os.close(to_r)
        os.close(from_w)
        self.to_w, self.from_r = to_w, from_r
        self.dt = DevTools(to_w, from_r, time.monotonic() + CHROMIUM_TIMEOUT)
        self.scripts = True
        self.sess = None
        try:
            target = self.dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.sess = self.dt.call("Target.attachToTarget",
                                     {"targetId": target, "flatten": True})["sessionId"]
            self.dt.call("Page.enable", {}, self.sess)
        except (OSError, ValueError, RuntimeError, EOFError, TimeoutError) as e:
            print("chromium (DevTools): %s" % e)
            self.sess = None

    def _load(self, url, scripts, width=None, height=None):
        """Loads url; True once its load event fired, else False (the error printed)."""
        if self.sess is None:
            return False
        self.dt.deadline = time.monotonic() + CHROMIUM_TIMEOUT
        try:
            if scripts != self.scripts:
                self.dt.call("Emulation.setScriptExecutionDisabled", {"value": not scripts},
                             self.sess)
                self.scripts = scripts
            if width:
                self.dt.call("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": height, "deviceScaleFactor": 1,
                              "mobile": False}, self.sess)
            self.dt.events = [e for e in self.dt.events
                              if e.get("method") != "Page.loadEventFired"]
            nav = self.dt.call("Page.navigate", {"url": url}, self.sess)
            if nav.get("errorText"):
                raise RuntimeError(nav["errorText"])
            self.dt.wait_event("Page.loadEventFired")
            return True
        except (OSError, ValueError, RuntimeError, EOFError, TimeoutError) as e:
            print("chromium (DevTools): %s: %s" % (url, e))
            return False

    def dom(self, url, scripts):
        """The page's DOM serialised after its load event, or None."""
        if not self._load(url, scripts):
            return None
        try:
            root = self.dt.call("DOM.getDocument", {"depth": -1}, self.sess)["root"]["nodeId"]
            return self.dt.call("DOM.getOuterHTML", {"nodeId": root}, self.sess)["outerHTML"]
        except (OSError, ValueError, RuntimeError, EOFError, TimeoutError) as e:
            print("chromium (DevTools): %s: %s" % (url, e))
            return None

    def screenshot(self, url, width, height):
        """PNG bytes of the viewport (width x height) with scripts on, or None."""
        if not self._load(url, True, width, height):
            return None
        try:
            data = self.dt.call("Page.captureScreenshot", {"format": "png"}, self.sess)["data"]
            return base64.b64decode(data)
        except (OSError, ValueError, RuntimeError, EOFError, TimeoutError, KeyError) as e:
            print("chromium (DevTools): %s: %s" % (url, e))
            return None

    def close(self):
        try:
            if self.sess is not None:
                self.dt.deadline = time.monotonic() + CHROMIUM_TIMEOUT
                self.dt.call("Browser.close")
                self.p.wait(timeout=CHROMIUM_TIMEOUT)
        except (OSError, ValueError, RuntimeError, EOFError, TimeoutError,
                subprocess.TimeoutExpired):
            pass
        finally:
            if self.p.poll() is None:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
            os.close(self.to_w)
            os.close(self.from_r)
            shutil.rmtree(self.prof, ignore_errors=True)


_BROWSER = None


def browser(exe):
    """The process's one Chromium, started on first use, closed at exit."""
    global _BROWSER
    if _BROWSER is None:
        _BROWSER = Browser(exe)
        atexit.register(_BROWSER.close)
    return _BROWSER


def dump_dom(exe, path, scripts):
    dom = browser(exe).dom("file://" + os.path.abspath(path), scripts)
    if dom is None or "</html>" not in dom:
        fail("%s: chromium gave no DOM (scripts %s)" % (path, "on" if scripts else "off"))
        return None
    return dom


def screenshot(exe, path, png, width, height):
    data = browser(exe).screenshot("file://" + os.path.abspath(path), width, height)
    if not data or data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s: no screenshot %s" % (path, png))
        return
    with open(png, "wb") as f:
        f.write(data)


def need_chromium():
    exe = chromium_path()
    require_tool("chromium", exe)
    return exe


def events(negcap, pcap):
    """negcap --json --events: {conversation id: steps} and the finding records."""
    rc, out, err = run([negcap, "-r", pcap, "--json", "--events"])
    convs, finds = {}, []
    for line in out.splitlines():
        r = json.loads(line)
        if r.get("type") == "conversation":
            convs[str(r["id"])] = r["steps"]
        elif r.get("type") == "finding":
            finds.append(r)
    return convs, finds


def check_report_dom(name, dom, convs, finds, scripts):
    where = "DOM (scripts %s)" % ("on" if scripts else "off")
    d = parse(dom)
    ids = {a["id"] for _, a in d.elems if "id" in a}
    drawn = set(d.conv_arrows)
    want = {str(f["conversation"]) for f in finds if f.get("conversation")}
    if drawn != want:
        fail("%s: %s: diagrams for conversations %s, want those with findings %s" %
             (name, where, sorted(drawn), sorted(want)))
    for cid in drawn:
        lanes = d.conv_lanes[cid]
        for lane in ("lane-client", "lane-server", "lane-kdc"):
            if not any(lane in c for c in lanes):
                fail("%s: %s: conversation %s has no %s" % (name, where, cid, lane))
        frames = [str(s["frame"]) for s in convs.get(cid, [])]
        if d.conv_arrows[cid] != frames:
            fail("%s: %s: conversation %s arrows %s, want one per ladder step %s" %
                 (name, where, cid, d.conv_arrows[cid], frames))
    # Findings: each one's article, each of its frames drawn in its diagram linked to
    # the arrow; each pin in a diagram links to a finding.
    arts = [a for t, a in d.elems if t == "article"]
    if len(arts) != len(finds):
        fail("%s: %s: %d finding articles, want %d" % (name, where, len(arts), len(finds)))
    links = [a["href"] for t, a in d.elems if t == "a" and "href" in a]
    for h in links:
        if not h.startswith("#") or h[1:] not in ids:
            fail("%s: %s: link %r does not resolve inside the file" % (name, where, h))
    for k, f in enumerate(finds):
        cid = str(f.get("conversation") or "")
        for fr in f.get("frames", []):
            if cid in drawn and str(fr) in d.conv_arrows[cid]:
                if "#c%s-f%s" % (cid, fr) not in links:
                    fail("%s: %s: finding %d (%s) does not link to its frame %s" %
                         (name, where, k + 1, f.get("id"), fr))
        if cid in drawn and not any(h == "#finding-%d" % (k + 1) for h in links):
            fail("%s: %s: finding %d is not pinned or listed" % (name, where, k + 1))
    for t, a in d.elems:
        for attr in ("src", "href", "action", "data"):
            v = a.get(attr)
            if v is not None and not v.startswith("#"):
                fail("%s: %s: <%s %s=%r> refers outside the file" % (name, where, t, attr, v))
    box = [a for t, a in d.elems if a.get("id") == "filterbox"]
    if len(box) != 1 or (("hidden" in box[0]) == scripts):
        fail("%s: %s: the filter box should be %s" %
             (name, where, "shown" if scripts else "hidden"))


def cmd_browser(negcap, samples, outdir):
    exe = need_chromium()
    os.makedirs(outdir, exist_ok=True)
    pcaps = sorted(glob.glob(os.path.join(samples, "*.pcap")))
    if not pcaps:
        fail("no samples in " + samples)
    for pcap in pcaps:
        name = os.path.splitext(os.path.basename(pcap))[0]
        path = os.path.join(outdir, name + ".html")
        rc, _, err = run([negcap, "-r", pcap, "-q", "--html", path])
        if rc not in (0, 1) or not os.path.exists(path):
            fail("%s: negcap --html exited %d: %s" % (name, rc, err.strip()))
            continue
        convs, finds = events(negcap, pcap)
        for scripts in (True, False):
            dom = dump_dom(exe, path, scripts)
            if dom is not None:
                check_report_dom(name, dom, convs, finds, scripts)
        screenshot(exe, path, os.path.join(outdir, name + ".png"), 1280, 1600)
        print("ok %s: %d bytes, %d conversation(s), %d finding(s)" %
              (name, os.path.getsize(path), len(convs), len(finds)))
    # One sample on a phone's width, for the reviewer.
    if pcaps:
        name = os.path.splitext(os.path.basename(pcaps[0]))[0]
        screenshot(exe, os.path.join(outdir, name + ".html"),
                   os.path.join(outdir, name + "-phone.png"), 390, 1600)


def cmd_escape(negcap, outdir):
    os.makedirs(outdir, exist_ok=True)
    pcap = os.path.join(outdir, "hostile.pcap")
    path = os.path.join(outdir, "hostile.html")
    hostile_pcap(pcap)
    rc, _, err = run([negcap, "-r", pcap, "-q", "--html", path])
    if rc not in (0, 1) or not os.path.exists(path):
        fail("negcap --html on the hostile capture exited %d: %s" % (rc, err.strip()))
        return
    rc, _, err = run([negcap, "-r", pcap, "-q", "--html", os.path.join(outdir, "no-such-dir", "x.html")])
    if rc != 3 or "HTML report" not in err or len(err.strip().splitlines()) != 1:
        fail("negcap --html into a missing directory: exit %d, stderr %r (want 3 and one line)" %
             (rc, err))
    rc, _, err = run([negcap, "-r", pcap, "-q", "--html", "/dev/full"])
    if rc != 3 or "failed" not in err:
        fail("negcap --html /dev/full: exit %d, stderr %r (want 3, writing failed)" % (rc, err))
    convs, finds = events(negcap, pcap)
    if not finds or not convs:
        fail("the hostile capture gives no finding or conversation: the test would prove "
             "nothing")
    with open(path, "rb") as f:
        raw = f.read()
    check_no_markup("hostile", raw, raw.decode("utf-8", "replace"), "the file")
    exe = chromium_path()
    if exe:
        for scripts in (True, False):
            dom = dump_dom(exe, path, scripts)
            if dom is not None:
                check_no_markup("hostile", None, dom,
                                "the DOM (scripts %s)" % ("on" if scripts else "off"))
                check_report_dom("hostile", dom, convs, finds, scripts)
        screenshot(exe, path, os.path.join(outdir, "hostile.png"), 1280, 1200)
    print("ok hostile: %d bytes%s" % (len(raw), "" if exe else " (no chromium: parser only)"))


class HostileServer(http.server.BaseHTTPRequestHandler):
    """Answers every request with a 401 whose reason phrase and challenges are hostile."""

    def do_GET(self):
        self.wfile.write(b"HTTP/1.1 401 " + HOSTILE_REASON + b"\r\n"
                         b"WWW-Authenticate: Negotiate\r\n"
                         b"WWW-Authenticate: Basic realm=\"" + HOSTILE_REALM.encode() + b"\"\r\n"
                         b"Content-Length: 0\r\n\r\n")

    def log_message(self, *args):
        pass


def cmd_probe(negprobe, outdir):
    """negprobe --html against a loopback server that sends hostile text."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "hostile-probe.html")
    srv = http.server.HTTPServer(("127.0.0.1", 0), HostileServer)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    url = "http://127.0.0.1:%d%s" % (srv.server_address[1], HOSTILE_TARGET)
    env = dict(os.environ, KRB5CCNAME="FILE:" + os.path.join(outdir, "no-such-ccache"))
    try:
        p = subprocess.run([negprobe, "--json", "--timeout", "20", "--html", path, url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        srv.shutdown()
        srv.server_close()
    legs = [json.loads(l) for l in p.stdout.decode("utf-8", "replace").splitlines()
            if l.startswith("{") and json.loads(l).get("type") == "leg"]
    if p.returncode not in (0, 1) or not os.path.exists(path) or not legs:
        fail("negprobe --html against the hostile server exited %d with %d leg(s): %s" %
             (p.returncode, len(legs), p.stderr.decode("utf-8", "replace").strip()))
        return
    rc, _, err = run([negprobe, "--html", os.path.join(outdir, "no-such-dir", "x.html"), url])
    if rc != 3 or "--html" not in err:
        fail("negprobe --html into a missing directory: exit %d, stderr %r (want 3)" % (rc, err))
    with open(path, "rb") as f:
        raw = f.read()
    check_no_markup("hostile-probe", raw, raw.decode("utf-8", "replace"), "the file", PROBE_SHOWN)
    doms = [("the file", raw.decode("utf-8", "replace"))]
    exe = chromium_path()
    if exe:
        for scripts in (True, False):
            dom = dump_dom(exe, path, scripts)
            if dom is not None:
                check_no_markup("hostile-probe", None, dom, "the DOM (scripts %s)" %
                                ("on" if scripts else "off"), PROBE_SHOWN)
                doms.append(("the DOM (scripts %s)" % ("on" if scripts else "off"), dom))
        screenshot(exe, path, os.path.join(outdir, "hostile-probe.png"), 1280, 1000)
    for where, text in doms:
        d = parse(text)
        arrows = d.conv_arrows.get("1", [])
        # One arrow for each request and each response.
        if len(arrows) != 2 * len(legs):
            fail("hostile-probe: %s: %d arrows for %d leg(s)" % (where, len(arrows), len(legs)))
        ids = {a["id"] for _, a in d.elems if "id" in a}
        for t, a in d.elems:
            h = a.get("href") if t == "a" else None
            if h is not None and h[1:] not in ids:
                fail("hostile-probe: %s: link %r does not resolve" % (where, h))
    print("ok hostile-probe: %d bytes, %d leg(s)" % (len(raw), len(legs)))


def main():
    dispatch(__doc__, {"escape": (2, cmd_escape), "browser": (3, cmd_browser),
                       "probe": (2, cmd_probe)})


if __name__ == "__main__":
    main()
