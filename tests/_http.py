"""A throw-away local HTTP server for download tests (chapters 0 and 5's loaders).

Each route maps a path to ``(kind, body)``:

* ``"full"``: the body with a correct Content-Length;
* ``"truncated"``: a Content-Length for the whole body, but only half of it is sent;
* ``"cutoff"``: the body without a Content-Length (the connection just ends);
* ``"slow"``: headers at once, the body only after 1.5 s (for timeout tests).

Unknown paths get a 404. ``server.hits`` counts requests per path; ``server.base`` is the
URL prefix.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def serve_routes(routes: Mapping[str, tuple[str, bytes]]) -> Iterator[ThreadingHTTPServer]:
    hits: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            hits[self.path] += 1
            if self.path not in routes:
                self.send_error(404, "Not Found")
                return
            kind, body = routes[self.path]
            self.send_response(200)
            if kind != "cutoff":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if kind == "truncated":
                body = body[: len(body) // 2]
            if kind == "slow":
                time.sleep(1.5)
            try:
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (slow route)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, client_address: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.hits = hits
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
