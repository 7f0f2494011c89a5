"""What every editor route depends on: the site, the signed-in editor, the CSRF check, pages.

Dependencies as `Annotated` aliases, so a route states what it needs in its signature:
`user: Editor`, `site: Site`, `article_id: Id`, and `dependencies=[CheckCsrf]` on every form post.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from naql.config import Config
from naql.store import Store
from naql.web.sessions import session_user

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


@dataclass(frozen=True)
class EditorSite:
    """The site the editor works on (set on `app.state.site` by `create_editor_app`)."""

    config: Config
    store: Store


class LoginRequired(Exception):
    """Raised by the `Editor` dependency; the app answers with a redirect to the login page."""


def editor_site(request: Request) -> EditorSite:
    site: EditorSite = request.app.state.site
    return site


def current_editor(request: Request) -> str:
    """The signed-in editor: the cookie's session token must still be in the store (a sync
    dependency, so the store is read in FastAPI's thread pool, not on the event loop)."""
    site: EditorSite = request.app.state.site
    user = session_user(site.store, request.session.get("sid"))
    if user is None:
        raise LoginRequired
    return user


async def check_csrf(request: Request) -> None:
    """Refuse a form post whose CSRF token does not match the session's."""
    form = await request.form()
    token = request.session.get("csrf")
    if not token or not secrets.compare_digest(str(form.get("csrf", "")), token):
        raise HTTPException(
            status_code=403, detail="invalid or missing CSRF token: reload the page"
        )


#: Ids in paths: a number SQLite can store (a larger one would be a 500 from the driver).
MAX_ID = 2**63 - 1
Site = Annotated[EditorSite, Depends(editor_site)]
Id = Annotated[int, FastAPIPath(ge=1, le=MAX_ID)]
Editor = Annotated[str, Depends(current_editor)]
#: For a router or route: the request must come from a signed-in editor.
LoggedIn = Depends(current_editor)
#: For every form post: the form's CSRF token must match the session's.
CheckCsrf = Depends(check_csrf)


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A template with the session's CSRF token (created on first use) in its context."""
    request.session.setdefault("csrf", secrets.token_urlsafe(32))
    return templates.TemplateResponse(
        request, name, {"csrf": request.session["csrf"], **context}, status_code=status
    )


def new_session(request: Request, token: str) -> None:
    """Start a fresh cookie for a signed-in editor: the store's session token, a new CSRF token."""
    request.session.clear()
    request.session.update(sid=token, csrf=secrets.token_urlsafe(32))
