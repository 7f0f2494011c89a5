"""Shared fixtures: a real local HTTP server, a tiny real translation model, CLI runners."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(TESTS))


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0  # > 0: the body trickles out in 64 KiB chunks with this pause between


class LocalServer:
    """A real HTTP server on 127.0.0.1 serving routes set by the test; it records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = route.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for k, v in route.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if not route.chunk_delay:
                    self.wfile.write(route.body)
                    return
                for start in range(0, len(route.body), 65536):
                    try:
                        self.wfile.write(route.body[start : start + 65536])
                        self.wfile.flush()
                    except OSError:
                        return  # the client went away
                    time.sleep(route.chunk_delay)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        gzip_body: bool = False,
        headers: dict[str, str] | None = None,
        chunk_delay: float = 0.0,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        h = {"Content-Type": content_type, **(headers or {})}
        if gzip_body:
            data = gzip.compress(data)
            h["Content-Encoding"] = "gzip"
        self.routes[path] = Route(data, status, h, chunk_delay)
        return self.url + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight OPUS-MT release zip (multi-target: needs >>ara<<)."""
    import tinymodel

    return tinymodel.build_opus_mt_release(
        tmp_path_factory.mktemp("release"), size="tiny", multi_target=True
    )


def run_naql(
    *args: str,
    cwd: Path,
    check: bool = True,
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `naql` command line in a subprocess."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("NAQL_SITE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "naql", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"naql {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


def local_test_settings(site: Path) -> None:
    """Settings for tests: everything is served from 127.0.0.1, no delays, tiny-model output published."""
    text = (site / "naql.toml").read_text(encoding="utf-8")
    text = text.replace("# allow_private_network = false", "allow_private_network = true")
    text = text.replace("# per_host_delay = 1.0", "per_host_delay = 0.0")
    # Random-weight test models write nonsense the checks rightly doubt: publish it unattended.
    text = text.replace('# policy = "hold"', 'policy = "publish"')
    (site / "naql.toml").write_text(text, encoding="utf-8")
