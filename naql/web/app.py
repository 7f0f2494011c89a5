"""The site as one ASGI app: the editorial UI under /editor, the published static site elsewhere."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from naql.config import Config
from naql.store import Store
from naql.web.editor import create_editor_app
from naql.web.serve import SECURITY_HEADERS


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def create_app(
    config: Config, *, store: Store | None = None, session_seconds: int | None = None
) -> Starlette:
    config.output_dir.mkdir(parents=True, exist_ok=True)
    editor = (
        create_editor_app(config, store)
        if session_seconds is None
        else create_editor_app(config, store, session_seconds=session_seconds)
    )
    return Starlette(
        routes=[
            Mount("/editor", app=editor),
            Mount("/", app=StaticFiles(directory=config.output_dir, html=True)),
        ],
        middleware=[Middleware(SecurityHeaders)],
    )
