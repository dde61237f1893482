#!/usr/bin/env python3
"""Server memory and temporary files while unauthenticated 300 MB bodies arrive (loopback only).

Starts `materiel serve --writable` (the code on PYTHONPATH) over a fresh ledger, with TMPDIR set
to a folder of its own, then sends, one after the other and without a token, a body of
``--mb`` MB (default 300) to each write route — as a declared Content-Length and as a chunked
stream, JSON to /api/ingest, multipart to /api/ingest/upload and to the ingest page — sending
every byte unless the server closes the connection. A sampler reads the server's resident memory
(/proc/PID/status) and the size of its open files in its temporary folder every 20 ms; the peaks are printed per
case, with the answer's status line and when it came.

    PYTHONPATH=src python bench/body_memory.py
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TOKEN = "memory-Bench-token-5c2e8a1f9d3b7046"
PIECE = b"a" * (1 << 20)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def temporary_mb(pid: int, folder: Path) -> float:
    """Bytes in the server's open files under its temporary folder (unlinked spool files too)."""
    total = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).startswith(str(folder)):
                total += os.stat(fd).st_size
        except OSError:
            pass
    return total / 1e6


def send(port: int, path: str, content_type: str, megabytes: int, chunked: bool) -> tuple[str, float, int]:
    """The status line, when it came (s) and how many MB were sent before it or the end."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {megabytes << 20}\r\n\r\n"
    started = time.monotonic()
    reply, answered, sent = b"", None, 0
    first = PIECE
    if content_type.startswith("multipart/"):  # a well-formed start: a file part, as a browser sends it
        part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        first = part + PIECE[len(part):]
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(head.encode())
        try:
            for _ in range(megabytes):
                if answered is None and select.select([conn], [], [], 0)[0]:
                    reply = conn.recv(65536)
                    answered = time.monotonic() - started
                    if not reply:
                        break
                piece = first if sent == 0 else PIECE
                conn.sendall(b"100000\r\n" + piece + b"\r\n" if chunked else piece)
                sent += 1
            if chunked:
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection
        if answered is None:
            reply = conn.recv(65536)
            answered = time.monotonic() - started
    return reply.split(b"\r\n", 1)[0].decode("latin-1"), answered, sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=300)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="materiel-bodies-"))
    (work / "tmp").mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "materiel", "serve", "--db", str(work / "ledger.db"),
                               "--port", str(port)], env={**os.environ, "MATERIEL_TOKEN": TOKEN,
                                                          "TMPDIR": str(work / "tmp")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
        time.sleep(1)
        print(f"server RSS at rest: {rss_mb(server.pid):.0f} MB")
        multipart = "multipart/form-data; boundary=b"
        cases = [("/api/ingest", "application/json", False), ("/api/ingest", "application/json", True),
                 ("/api/ingest/upload", multipart, False), ("/api/ingest/upload", multipart, True),
                 ("/ingest", multipart, False), ("/ingest", multipart, True)]
        for path, content_type, chunked in cases:
            peaks = {"rss": 0.0, "tmp": 0.0}
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peaks["rss"] = max(peaks["rss"], rss_mb(server.pid))
                    peaks["tmp"] = max(peaks["tmp"], temporary_mb(server.pid, work / "tmp"))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            status, seconds, sent = send(port, path, content_type, args.mb, chunked)
            time.sleep(0.5)  # what the server still does with the rest
            done.set()
            sampler.join()
            kind = "chunked" if chunked else "Content-Length"
            print(f"POST {path:<19} {kind:<15} {status:<32} after {seconds:5.2f} s, {sent:>4} MB sent; "
                  f"server RSS peak {peaks['rss']:.0f} MB, temporary files peak {peaks['tmp']:.1f} MB")
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
