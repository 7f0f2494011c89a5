"""The editorial review queue: held articles, side-by-side review, edit, approve, reject.

Login-protected (argon2 password hashes), sessions in a signed cookie that expires, a CSRF token
in every form, and no inline script or style, so the same strict Content-Security-Policy as the
public site applies.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from starlette.middleware.sessions import SessionMiddleware

from naql.config import Config
from naql.errors import NaqlError
from naql.pipeline.review import apply_checks, approve, edit_segment, reject
from naql.store import Article, State, Store
from naql.store.models import User, utcnow

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION_SECONDS = 8 * 3600
_hasher = PasswordHasher()


# -- users ------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(store: Store, username: str, password: str) -> None:
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise NaqlError(f"invalid user name {username!r}: use letters, digits, '.', '-' and '_'")
    if len(password) < 10:
        raise NaqlError("the password is too short: use at least 10 characters")
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            s.add(User(username=username, password_hash=hash_password(password)))
        else:
            user.password_hash = hash_password(password)


def verify_user(store: Store, username: str, password: str) -> bool:
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            _hasher.hash(password)  # same work whether or not the user exists
            return False
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        return True


def secret_key(root: Path) -> str:
    """The site's session-signing key, created once (mode 600) in the site folder."""
    path = root / ".naql-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# -- app --------------------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised by the `Editor` dependency; the app answers with a redirect to the login page."""


def current_editor(request: Request) -> str:
    user = request.session.get("user")
    if not user:
        raise LoginRequired
    return str(user)


async def csrf(request: Request) -> None:
    """Refuse a form post whose CSRF token does not match the session's."""
    form = await request.form()
    token = request.session.get("csrf")
    if not token or not secrets.compare_digest(str(form.get("csrf", "")), token):
        raise HTTPException(
            status_code=403, detail="invalid or missing CSRF token: reload the page"
        )


Editor = Annotated[str, Depends(current_editor)]


def create_editor_app(
    config: Config, store: Store | None = None, *, session_seconds: int = SESSION_SECONDS
) -> FastAPI:
    store = store or Store(config.db_url)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app = FastAPI(title="naql editor", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(config.root),
        session_cookie="naql_editor",
        max_age=session_seconds,
        same_site="strict",
        https_only=config["site.base_url"].startswith("https://"),
    )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(str(request.url_for("login_form")), status_code=303)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        request.session.setdefault("csrf", secrets.token_urlsafe(32))
        return templates.TemplateResponse(
            request, name, {"csrf": request.session["csrf"], **context}, status_code=status
        )

    @app.get("/static/editor.css", name="css")
    async def css() -> FileResponse:
        return FileResponse(HERE / "static" / "editor.css", media_type="text/css")

    @app.get("/login", name="login_form")
    async def login_form(request: Request) -> Response:
        return page(request, "login.html")

    @app.post("/login", name="login", dependencies=[Depends(csrf)])
    async def login(
        request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        if not verify_user(store, username, password):
            log.warning("failed editor login for %r", username)
            return page(
                request, "login.html", status=401, error="اسم المستخدم أو كلمة المرور غير صحيحة"
            )
        request.session.clear()
        request.session.update(user=username, csrf=secrets.token_urlsafe(32))
        return RedirectResponse(str(request.url_for("queue")), status_code=303)

    @app.post("/logout", name="logout", dependencies=[Depends(csrf)])
    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse(str(request.url_for("login_form")), status_code=303)

    @app.get("/", name="queue")
    async def queue(request: Request, user: Editor) -> Response:
        with store.session() as s:
            held = list(
                s.scalars(
                    select(Article).where(Article.state == State.HELD.value).order_by(Article.id)
                )
            )
            counts = dict(
                s.execute(select(Article.state, func.count()).group_by(Article.state)).all()
            )
            items = [_summary(a) for a in held]
        return page(request, "queue.html", user=user, items=items, counts=counts)

    @app.get("/articles/{article_id}", name="article")
    async def article(request: Request, article_id: int, user: Editor) -> Response:
        with store.session() as s:
            art = s.get(Article, article_id)
            if art is None:
                raise HTTPException(status_code=404, detail="no such article")
            view = _summary(art)
            segments = [
                {
                    "id": seg.id,
                    "paragraph": seg.paragraph,
                    "source": seg.source,
                    "translation": seg.translation or "",
                    "origin": seg.origin or "",
                    "findings": seg.findings or [],
                }
                for seg in art.segments
            ]
        return page(request, "article.html", user=user, article=view, segments=segments)

    @app.post(
        "/articles/{article_id}/segments/{segment_id}", name="edit", dependencies=[Depends(csrf)]
    )
    async def edit(
        request: Request,
        article_id: int,
        segment_id: int,
        user: Editor,
        translation: Annotated[str, Form()],
        term: Annotated[str, Form()] = "",
        arabic: Annotated[str, Form()] = "",
        kind: Annotated[str, Form()] = "other",
    ) -> Response:
        try:
            with store.session() as s:
                edit_segment(
                    s,
                    config,
                    article_id,
                    segment_id,
                    translation,
                    editor=user,
                    glossary_term=(term, arabic, kind) if term.strip() else None,
                )
        except NaqlError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return RedirectResponse(
            str(request.url_for("article", article_id=article_id)) + f"#s{segment_id}",
            status_code=303,
        )

    @app.post("/articles/{article_id}/recheck", name="recheck", dependencies=[Depends(csrf)])
    async def recheck(request: Request, article_id: int, user: Editor) -> Response:
        with store.session() as s:
            art = s.get(Article, article_id)
            if art is None:
                raise HTTPException(status_code=404, detail="no such article")
            apply_checks(s, art, config)
        return RedirectResponse(
            str(request.url_for("article", article_id=article_id)), status_code=303
        )

    @app.post("/articles/{article_id}/approve", name="approve", dependencies=[Depends(csrf)])
    async def do_approve(request: Request, article_id: int, user: Editor) -> Response:
        try:
            with store.session() as s:
                approve(s, article_id, editor=user)
        except NaqlError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        _publish(config, store)
        return RedirectResponse(str(request.url_for("queue")), status_code=303)

    @app.post("/articles/{article_id}/reject", name="reject", dependencies=[Depends(csrf)])
    async def do_reject(
        request: Request, article_id: int, user: Editor, reason: Annotated[str, Form()] = ""
    ) -> Response:
        try:
            with store.session() as s:
                reject(s, article_id, editor=user, reason=reason.strip()[:500])
        except NaqlError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return RedirectResponse(str(request.url_for("queue")), status_code=303)

    return app


def _summary(article: Article) -> dict[str, Any]:
    findings = [f for seg in article.segments for f in (seg.findings or [])] + list(
        article.findings or []
    )
    return {
        "id": article.id,
        "title": article.title or article.url,
        "title_ar": article.title_ar or "",
        "url": article.url,
        "site": article.site_name or "",
        "state": article.state,
        "verdict": article.verdict or "",
        "reason": article.held_reason or "",
        "reviewed_by": article.reviewed_by or "",
        "errors": sum(1 for f in findings if f.get("severity") == "error"),
        "warnings": sum(1 for f in findings if f.get("severity") == "warning"),
    }


def _publish(config: Config, store: Store) -> None:
    """Publish approved articles now, so the editor sees the page at once."""
    from naql.pipeline.stages import Context, publish_articles

    publish_articles(Context(config=config, store=store, progress=False))
