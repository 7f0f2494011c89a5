"""`naql serve`: the published static site over HTTP on loopback, with security headers.

The Content-Security-Policy header is the pages' own policy (naql.publish.content_security_policy)
plus what only a header can say (frame-ancestors). It allows https: images so that a site that
hotlinks lead images works; each page's <meta> policy narrows that to what the page needs. Only the
search page and its Pagefind worker may compile WebAssembly. Unknown paths get the site's 404.html.
"""

from __future__ import annotations

import functools
import logging
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from naql.publish import content_security_policy

log = logging.getLogger(__name__)

# The search page and Pagefind's files (its web worker compiles the WebAssembly index reader, and
# a worker's CSP comes from its own response) may compile WebAssembly; nothing else may.
SEARCH_PATHS = ("/search.html", "/pagefind/")


def _csp(*, search: bool) -> str:
    return content_security_policy(search=search, remote_images=True) + "; frame-ancestors 'none'"


SECURITY_HEADERS = {
    "Content-Security-Policy": _csp(search=False),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SEARCH_CSP = _csp(search=True)


def security_headers(path: str) -> dict[str, str]:
    """The headers for a request path of the published site (any server can use this)."""
    path = path.split("?", 1)[0]
    if path == SEARCH_PATHS[0] or path.startswith(SEARCH_PATHS[1]):
        return {**SECURITY_HEADERS, "Content-Security-Policy": SEARCH_CSP}
    return SECURITY_HEADERS


class SiteHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries its Content-Length
    disable_nagle_algorithm = True  # else headers and body, sent apart, wait on delayed ACKs
    timeout = 60  # an idle keep-alive connection gives its thread back after a minute
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".txt": "text/plain; charset=utf-8",
        ".pagefind": "application/octet-stream",
    }

    def end_headers(self) -> None:
        for name, value in security_headers(self.path).items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


class SiteServer(ThreadingHTTPServer):
    request_queue_size = (
        128  # the default 5 drops connections under a burst (SYN retried 1 s later)
    )


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    server = SiteServer((host, port), handler)
    server.daemon_threads = True
    return server
