"""The editorial review queue: held articles, side-by-side review, edit, approve, reject.

Login-protected (argon2 password hashes, checked in worker threads; attempts limited per account
and per address), sessions kept in the store and named by a signed cookie that expires (logout,
a new password and removing the editor end them at once), a CSRF token in every form, and no
inline script or style, so the same strict Content-Security-Policy as the public site applies.
Handlers that touch the store or publish are plain `def`s, which FastAPI runs in its thread pool:
nothing the editor does blocks the event loop that serves the public site. The app is assembled
here from one router per resource (naql/web/routes/); what the routes share (the site, the
signed-in editor, the CSRF check) is in naql/web/deps.py.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from naql.config import Config
from naql.store import Store
from naql.web.deps import EditorSite, LoginRequired
from naql.web.routes import ROUTERS
from naql.web.throttle import LoginLimits, LoginThrottle
from naql.web.users import add_user, hash_password, remove_user, secret_key, verify_user

SESSION_SECONDS = 8 * 3600


def create_editor_app(
    config: Config,
    store: Store | None = None,
    *,
    session_seconds: int = SESSION_SECONDS,
    login_limits: LoginLimits | None = None,
) -> FastAPI:
    app = FastAPI(title="naql editor", docs_url=None, redoc_url=None, openapi_url=None)
    site = EditorSite(config=config, store=store or Store(config.db_url))
    app.state.site = site
    app.state.session_seconds = session_seconds
    app.state.throttle = LoginThrottle(site.store, login_limits)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(config.root),
        session_cookie="naql_editor",
        max_age=session_seconds,
        same_site="strict",
        https_only=config["site.base_url"].startswith("https://"),
    )
    app.add_exception_handler(LoginRequired, _to_login)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _to_login(request: Request, _exc: Exception) -> Response:
    return RedirectResponse(str(request.url_for("login_form")), status_code=303)


__all__ = [
    "LoginLimits",
    "add_user",
    "create_editor_app",
    "hash_password",
    "remove_user",
    "verify_user",
]
