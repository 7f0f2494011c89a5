"""The site as one ASGI app: the editorial UI under /editor/, the published static site elsewhere.

The static part is a small pure-ASGI file server rather than Starlette's StaticFiles behind a
BaseHTTPMiddleware: measured with wrk on this machine, that stack served ~940 article pages/s, a
tenth of a plain threaded file server. Here each request is one stat, a cached read when the file
is unchanged, and one response message; the headers come from naql.web.serve.security_headers so
both servers send the same CSP. Whatever the request path (a NUL byte, a name longer than the
file system allows, a file a publish just replaced), the answer is the site's 404, never a 500.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

from naql.config import Config
from naql.store import Store
from naql.web.editor import create_editor_app
from naql.web.serve import SiteHandler, security_headers
from naql.web.throttle import LoginLimits

Scope = dict[str, Any]
CACHE_LIMIT = 256 * 1024  # files up to this size are kept in memory while unchanged
MAX_BODY = 1024 * 1024  # the largest request body the editor accepts


class StaticSite:
    """Serves a folder: index.html for directories, the site's 404.html for missing files."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._cache: dict[Path, tuple[float, int, bytes]] = {}

    def _resolve(self, url_path: str) -> Path | None:
        """The file a path names, or None: outside the site, missing, or no file could have such
        a name (a NUL byte, a name too long: errors from the OS, not from the client's side)."""
        relative = url_path.split("?", 1)[0].lstrip("/")
        try:
            candidate = (self.root / relative).resolve()
            if candidate != self.root and self.root not in candidate.parents:
                return None  # '..' tricks stay inside the site
            if candidate.is_dir():
                candidate = candidate / "index.html"
            return candidate if candidate.is_file() else None
        except (OSError, ValueError):
            return None

    def _read(self, path: Path) -> bytes | None:
        """The file's bytes, or None if it went away since it was found (a publish replaced it)."""
        try:
            return self._read_cached(path)
        except OSError:
            return None

    def _read_cached(self, path: Path) -> bytes:
        st = path.stat()
        cached = self._cache.get(path)
        if cached and cached[0] == st.st_mtime and cached[1] == st.st_size:
            return cached[2]
        data = path.read_bytes()
        if len(data) <= CACHE_LIMIT:
            self._cache[path] = (st.st_mtime, st.st_size, data)
        return data

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if scope["method"] not in ("GET", "HEAD"):
            await self._send(
                send, 405, b"method not allowed", "text/plain; charset=utf-8", path, scope
            )
            return
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        target = self._resolve(path)
        body = None if target is None else self._read(target)
        status = 200
        if target is None or body is None:
            status, target = 404, self._resolve("/404.html")
            body = None if target is None else self._read(target)
        if target is None or body is None:
            await self._send(send, 404, b"not found", "text/plain; charset=utf-8", path, scope)
            return
        content_type = SiteHandler.extensions_map.get(target.suffix, "application/octet-stream")
        await self._send(send, status, body, content_type, path, scope)

    @staticmethod
    async def _send(
        send: Any, status: int, body: bytes, content_type: str, path: str, scope: Scope
    ) -> None:
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        headers += [(k.lower().encode(), v.encode()) for k, v in security_headers(path).items()]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


class SecurityHeaders:
    """Adds the site's security headers to every response of a wrapped ASGI app."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            (k.lower().encode(), v.encode()) for k, v in security_headers(scope["path"]).items()
        ]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {k for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in extra if h[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"request body over {limit} bytes")


class LimitBody:
    """Answers 413 to a request body over `limit` bytes, declared or streamed, before the app
    buffers it (the editor's forms are a few KB; a client can send gigabytes)."""

    def __init__(self, app: Any, limit: int = MAX_BODY):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            body = f"request body over {self.limit} bytes".encode()
            await StaticSite._send(send, 413, body, "text/plain; charset=utf-8", "/", scope)
            return
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)  # the app answers 413
            return message

        await self.app(scope, limited, send)


class SiteApp:
    """Routes /editor/... to the review queue and everything else to the static site."""

    def __init__(self, editor: Any, site: StaticSite):
        self.editor = SecurityHeaders(LimitBody(editor))
        self.site = site

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.editor(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == "/editor" or path.startswith("/editor/"):
            if path == "/editor":
                path = "/editor/"
            scope = {**scope, "root_path": scope.get("root_path", "") + "/editor", "path": path}
            await self.editor(scope, receive, send)
        else:
            await self.site(scope, receive, send)


def create_app(
    config: Config,
    *,
    store: Store | None = None,
    session_seconds: int | None = None,
    login_limits: LoginLimits | None = None,
) -> SiteApp:
    config.output_dir.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"login_limits": login_limits}
    if session_seconds is not None:
        kwargs["session_seconds"] = session_seconds
    editor = create_editor_app(config, store, **kwargs)
    return SiteApp(editor, StaticSite(config.output_dir))


__all__ = ["LimitBody", "SiteApp", "StaticSite", "create_app"]
