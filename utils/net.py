"""Local networking, once for the whole course: free ports, a readiness probe, a base for small HTTP servers.

Every server the course starts binds 127.0.0.1 only (:data:`LOCALHOST`).

- :func:`free_port` and :func:`port_is_free`: a port to listen on;
- :func:`http_ok`: whether a URL answers 200, asked directly (never through a proxy);
- :class:`LocalServer` and :class:`QuietHandler`: an HTTP server in a thread of this process,
  started and stopped as a context manager (the Lambda Runtime stand-in of
  :mod:`utils.serving` and the machinery's Hub stand-in build on them).
"""

from __future__ import annotations

import socket
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCALHOST = "127.0.0.1"

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def port_is_free(port: int, ip: str = LOCALHOST) -> bool:
    """Whether a server could listen on ``ip:port`` now (bound with SO_REUSEADDR, as servers bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError:
            return False
    return True


def free_port(ip: str = LOCALHOST) -> int:
    """A TCP port that is free now on ``ip``, chosen by the system (fixed defaults such as
    accelerate's 29500 collide when two runs, or two CI jobs, happen at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((ip, 0))
        return probe.getsockname()[1]


def http_ok(url: str, timeout: float = 2.0, headers: dict | None = None) -> bool:
    """Whether a GET of ``url`` (with ``headers``) answers 200; any error, refusal or other status: False."""
    try:
        with _NO_PROXY.open(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status == 200
    except OSError:  # urllib's URLError and HTTPError are OSErrors
        return False


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that prints no traceback when a client goes away mid-answer."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps connections alive, logs nothing, and answers with :meth:`reply`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each small answer waits ~40 ms for the client's delayed ACK

    def log_message(self, *args):  # quiet: whoever runs the server prints what matters
        pass

    def reply(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False) -> None:
        """Send ``status``, ``headers`` and ``body`` (only its length for a HEAD request)."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class LocalServer:
    """An HTTP server on 127.0.0.1 in a thread of this process; a subclass gives :meth:`handler_class`.

    Use it as a context manager (or call :meth:`stop` in a ``finally``): the server stops
    when the block ends, also on failure. ``port=0`` takes a free port.
    """

    thread_name = "local-server"

    def __init__(self, port: int = 0):
        self._server = QuietHTTPServer((LOCALHOST, port), self.handler_class())
        self._thread: threading.Thread | None = None

    def handler_class(self) -> type[QuietHandler]:
        raise NotImplementedError

    @property
    def address(self) -> str:
        """``host:port``."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def endpoint(self) -> str:
        """``http://host:port``."""
        return f"http://{self.address}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
