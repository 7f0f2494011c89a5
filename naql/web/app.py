"""The site as one ASGI app: the editorial UI under /editor, the published static site elsewhere."""

from __future__ import annotations

import os
from os import PathLike

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

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


class SiteFiles(StaticFiles):
    """The published files, with feed and sitemap XML served as application/xml."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if str(full_path).endswith(".xml"):
            response.headers["content-type"] = "application/xml; charset=utf-8"
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
            Mount("/", app=SiteFiles(directory=config.output_dir, html=True)),
        ],
        middleware=[Middleware(SecurityHeaders)],
    )
