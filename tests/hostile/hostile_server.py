#!/usr/bin/env python3
"""hostile_server.py - one misbehaving HTTP server on loopback, for negprobe's hostile suite.

    hostile_server.py MODE [--lifetime SECONDS] [--garbage-conns N]

Binds 127.0.0.1 on a free port, prints the port on stdout (one line), then answers every
connection with MODE's misbehaviour until --lifetime seconds (default 60) have passed,
when it exits by itself.  Each connection is served on its own thread, so a slow mode
never blocks the next client.  Modes are listed in MODES below.
"""
import base64
import os
import socket
import struct
import sys
import threading
import time

ESC_REASON = b"\x1b]0;owned\x07\x1b[2J\xff\xfe\xc2\x9b31m Forbidden \xc3\xa9t\xc3\xa9"
ESC_LOCATION = b"/next\x1b[31m\x07\x7f\xff"


def read_head(conn, limit=65536):
    """Reads one request head; returns the bytes, or b'' when the client went away."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            return b""
        data += chunk
    return data


def hold(conn, deadline):
    """Keeps a connection open and silent until the client leaves or the server ends."""
    conn.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            if not conn.recv(4096):
                return
        except socket.timeout:
            continue
        except OSError:
            return


def der(tag, body):
    """One DER TLV (X.690 §8.1: definite length)."""
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def spnego_resp(ntlm):
    """negTokenResp (RFC 4178 §4.2.2): accept-incomplete, NTLM, the NTLM message."""
    oid = der(0x06, bytes.fromhex("2b06010401823702020a"))
    return der(0xA1, der(0x30, der(0xA0, der(0x0A, b"\x01")) + der(0xA1, oid)
                         + der(0xA2, der(0x04, ntlm))))


def challenge_header(head, kind):
    """The 401's challenge in the scheme the client used, SPNEGO-wrapped for Negotiate."""
    msg = ntlm_challenge(kind)
    if b"Authorization: Negotiate" in head:
        return b"Negotiate " + base64.b64encode(spnego_resp(msg))
    return b"NTLM " + base64.b64encode(msg)


def authorization_token(head):
    """The decoded token of the request's Authorization header, b'' when none."""
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"authorization:"):
            parts = line.split(None, 2)
            if len(parts) == 3:
                try:
                    return base64.b64decode(parts[2].strip())
                except ValueError:
                    return b""
    return b""


def ntlm_challenge(kind):
    """A malformed NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) of the given kind."""
    sig = b"NTLMSSP\x00" + struct.pack("<I", 2)
    if kind == "valid":
        # a well-formed challenge with a fresh server challenge: target name and an AV
        # pair list (MsvAvNbDomainName, MsvAvNbComputerName, MsvAvEOL)
        name = "HOSTILE".encode("utf-16-le")
        info = (struct.pack("<HH", 2, len(name)) + name + struct.pack("<HH", 1, len(name)) + name
                + struct.pack("<HH", 0, 0))
        off = 56
        return (sig + struct.pack("<HHI", len(name), len(name), off) + struct.pack("<I", 0xE2898215)
                + os.urandom(8) + b"\x00" * 8
                + struct.pack("<HHI", len(info), len(info), off + len(name))
                + b"\x06\x01\xb1\x1d\x00\x00\x00\x0f" + name + info)
    if kind == "short":
        return sig + b"\x00\x00"  # cut before the target name field
    if kind == "offsets":
        # target name and target info point far outside the message
        return (sig + struct.pack("<HHI", 0xFFFF, 0xFFFF, 0x7FFFFFF0) + struct.pack("<I", 0x00828215)
                + os.urandom(8) + b"\x00" * 8 + struct.pack("<HHI", 0xFFFF, 0xFFFF, 0xFFFFFF00)
                + b"\x06\x01\xb1\x1d\x00\x00\x00\x0f")
    # an AV pair list that never ends (no MsvAvEOL) and claims a huge pair
    info = struct.pack("<HH", 2, 0xFFF0) + b"A" * 16
    hdr_len = 8 + 4 + 8 + 4 + 8 + 8 + 8 + 8
    return (sig + struct.pack("<HHI", 0, 0, hdr_len) + struct.pack("<I", 0x00828215) + os.urandom(8)
            + b"\x00" * 8 + struct.pack("<HHI", len(info), len(info), hdr_len)
            + b"\x06\x01\xb1\x1d\x00\x00\x00\x0f" + info)


def respond(conn, mode, deadline, count, garbage_conns, conn_no):
    """Serves one connection in `mode`; `count` numbers the requests across connections."""
    if mode == "tls-garbage":
        # the first `garbage_conns` connections get bytes that are no TLS record; later
        # ones (a client's second try) get silence, as from a server that hung
        if conn_no <= garbage_conns:
            conn.sendall(b"\x15\x03\x09\xff\xffGARBAGE-NOT-TLS\r\n")
        hold(conn, deadline)
        return
    while time.monotonic() < deadline:
        head = read_head(conn)
        if not head:
            return
        n = count()
        if mode == "escapes":
            conn.sendall(b"HTTP/1.1 302 " + ESC_REASON + b"\r\nLocation: " + ESC_LOCATION
                         + b"\r\nX-Note: \x1b[5mblink\r\nContent-Length: 0\r\n\r\n")
        elif mode == "escapes-401":
            conn.sendall(b"HTTP/1.1 401 " + ESC_REASON + b"\r\nWWW-Authenticate: Basic realm=\""
                         + b"\x1b[2J\xff\"\r\nContent-Length: 0\r\n\r\n")
        elif mode == "big-headers":
            # 400 KB of headers: over libcurl's 300 KB cap (CURL_MAX_HTTP_HEADER)
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n")
            line = b"X-Filler: " + b"f" * 1000 + b"\r\n"
            try:
                for _ in range(400):
                    conn.sendall(line)
                conn.sendall(b"Content-Length: 0\r\n\r\n")
            except OSError:
                pass
            return
        elif mode == "cut-headers":
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Le")
            return
        elif mode == "cut-body":
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
                         b"Content-Length: 1000\r\n\r\nonly-part")
            return
        elif mode == "slowloris":
            # one byte of the status line every 0.3 s, for ever
            for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"s" * 100000:
                if time.monotonic() >= deadline:
                    return
                try:
                    conn.sendall(bytes([b]))
                except OSError:
                    return
                time.sleep(0.3)
            return
        elif mode == "continue":
            # 100 Continue heads without end
            try:
                while time.monotonic() < deadline:
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 64)
                    time.sleep(0.001)
            except OSError:
                pass
            return
        elif mode == "endless-401":
            # every request, whatever it carries, gets a 401 with a new NTLM challenge in
            # the scheme the client used: a handshake that never ends
            if b"Authorization:" in head:
                tok = challenge_header(head, "valid")
            else:
                tok = b"Negotiate\r\nWWW-Authenticate: NTLM"
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + tok
                         + b"\r\nContent-Length: 0\r\n\r\n")
        elif mode == "no-challenge":
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        elif mode == "bad-base64":
            if b"Authorization:" in head:
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate "
                             b"!!not*base64@@\r\nContent-Length: 0\r\n\r\n")
            else:
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
                             b"Content-Length: 0\r\n\r\n")
        elif mode in ("ntlm-reject", "ntlm-reject-raw"):
            # a valid CHALLENGE, then a plain fresh offer answering the AUTHENTICATE: the
            # server refused the user (IIS answers a wrong password so); -raw offers NTLM only
            offer = b"WWW-Authenticate: NTLM\r\n"
            if mode == "ntlm-reject":
                offer = b"WWW-Authenticate: Negotiate\r\n" + offer
            tok = authorization_token(head)
            if b"NTLMSSP\x00\x01" in tok:
                offer = b"WWW-Authenticate: " + challenge_header(head, "valid") + b"\r\n"
            elif b"NTLMSSP\x00\x03" in tok:
                offer = b"WWW-Authenticate: NTLM\r\n"
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\n" + offer + b"Content-Length: 0\r\n\r\n")
        elif mode.startswith("ntlm-"):
            if b"Authorization:" in head:
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: "
                             + challenge_header(head, mode[5:]) + b"\r\nContent-Length: 0\r\n\r\n")
            else:
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\n"
                             b"WWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 500 unknown mode\r\nContent-Length: 0\r\n\r\n")
            return


MODES = ["tls-garbage", "escapes", "escapes-401", "big-headers", "cut-headers", "cut-body",
         "slowloris", "continue", "endless-401", "no-challenge", "bad-base64", "ntlm-short", "ntlm-offsets",
         "ntlm-avpairs", "ntlm-reject", "ntlm-reject-raw"]


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in MODES:
        sys.stderr.write("usage: hostile_server.py MODE [--lifetime S] [--garbage-conns N]; modes: %s\n" % " ".join(MODES))
        return 2
    mode = sys.argv[1]
    lifetime = 60.0
    garbage_conns = 1
    args = sys.argv[2:]
    while len(args) >= 2:
        if args[0] == "--lifetime":
            lifetime = float(args[1])
        elif args[0] == "--garbage-conns":
            garbage_conns = int(args[1])
        args = args[2:]
    deadline = time.monotonic() + lifetime
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    srv.settimeout(0.5)
    print(srv.getsockname()[1], flush=True)
    lock = threading.Lock()
    served = [0]

    def count():
        with lock:
            served[0] += 1
            return served[0]

    def serve(conn, conn_no):
        try:
            respond(conn, mode, deadline, count, garbage_conns, conn_no)
        except OSError:
            pass
        finally:
            conn.close()

    accepted = 0
    while time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        accepted += 1
        threading.Thread(target=serve, args=(conn, accepted), daemon=True).start()
    srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
