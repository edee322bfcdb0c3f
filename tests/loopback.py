"""A real HTTP server on 127.0.0.1 for tests of the code that talks to lore, patchwork or
GitHub: each test gives it a handler function and reads what it was sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, NamedTuple


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


class Response(NamedTuple):
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = {}

    @classmethod
    def of_json(cls, value, status: int = 200, headers: dict[str, str] | None = None) -> "Response":
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})


class Server:
    """`with Server(handler) as srv:` serves `handler(Request) -> Response` at `srv.url`."""

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                outer.requests.append(request)
                try:
                    response = outer.handler(request)
                except Exception as e:   # a broken test handler shows up as a 599, not a hang
                    response = Response(599, repr(e).encode())
                self.send_response(response.status)
                for k, v in response.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
