"""A real HTTP image server on loopback (ephemeral port), with the failure modes a CDN shows.

Routes: ``/images/I/<id>.<ext>`` a small PNG drawn from the id (so real Amazon paths can be pointed here),
``/missing.jpg`` 404, ``/slow.jpg`` answers after ``SLOW_SECONDS`` (beyond the tests' read timeout), ``/big.jpg``
declares a body over the cap, ``/big-stream.jpg`` streams one without a Content-Length, ``/truncated.jpg``
declares more than it sends then closes, ``/flaky.jpg`` 503 twice then the image, ``/busy.jpg`` 429 with
Retry-After 0 then the image, ``/empty.jpg`` a 200 with no body, ``/hold/<n>.jpg`` the image after 0.3 s (counts requests in flight). Every request is counted per path.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

SLOW_SECONDS = 1.0
CAP = 50_000  # the tests' max_bytes


def picture(key: str) -> bytes:
    """A deterministic 48x48 PNG whose colour depends on ``key``."""
    r, g, b = hashlib.sha256(key.encode()).digest()[:3]
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (r, g, b)).save(buffer, format="PNG")
    return buffer.getvalue()


picture("warm-up")  # import PIL's PNG plugin here, not lazily in a handler thread while pytest compiles


class ImageServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.hits[self.path] += 1
                    count = server.hits[self.path]
                server.answer(self, self.path, count)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = False  # server_close() joins the handler threads: none outlives its test
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def answer(self, h: BaseHTTPRequestHandler, path: str, count: int) -> None:
        if path.startswith("/images/I/") or path == "/ok.jpg":
            return _send(h, 200, picture(path))
        if path.startswith("/hold/"):  # held briefly, to count requests served at the same time
            with self.lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            time.sleep(0.3)
            with self.lock:
                self.in_flight -= 1
            return _send(h, 200, picture(path))
        if path == "/slow.jpg":
            time.sleep(SLOW_SECONDS)
            return _send(h, 200, picture(path))
        if path == "/big.jpg":
            return _send(h, 200, b"\0" * (CAP + 1))
        if path == "/big-stream.jpg":  # no Content-Length: the cap must be enforced while reading
            h.send_response(200)
            h.send_header("Content-Type", "image/jpeg")
            h.send_header("Connection", "close")
            h.end_headers()
            for _ in range(10):
                h.wfile.write(b"\0" * (CAP // 4))
            h.close_connection = True
            return None
        if path == "/truncated.jpg":
            body = picture(path)
            h.send_response(200)
            h.send_header("Content-Type", "image/png")
            h.send_header("Content-Length", str(len(body) + 1000))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return None
        if path == "/flaky.jpg":
            return _send(h, 503, b"busy") if count <= 2 else _send(h, 200, picture(path))
        if path == "/busy.jpg":
            return _send(h, 429, b"slow down", {"Retry-After": "0"}) if count == 1 else _send(h, 200, picture(path))
        if path == "/empty.jpg":
            return _send(h, 200, b"")
        return _send(h, 404, b"not found")


def _send(h: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict | None = None) -> None:
    h.send_response(code)
    h.send_header("Content-Type", "image/png" if code == 200 else "text/plain")
    h.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def image_server():
    server = ImageServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
