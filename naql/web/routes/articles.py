"""One article under review: its page, a segment's edit, re-check, approve and reject.

The page links to its neighbours in the queue's order (weakest first), so "next" is the next
article the editor should look at. The handlers are plain `def`s (FastAPI runs them in its thread
pool): the store's writes and the publishing after an approval, which may wait for another
publisher's lock, never hold the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from naql.config import Config
from naql.errors import NaqlError
from naql.pipeline.review import apply_checks, approve, edit_segment, reject
from naql.store import Article, Store
from naql.web.deps import CheckCsrf, Editor, Id, LoggedIn, Site, render
from naql.web.views import finding_view, neighbours, review_queue, segment_view, summary

router = APIRouter(prefix="/articles", tags=["articles"], dependencies=[LoggedIn])


@router.get("/{article_id}", name="article")
def article(request: Request, article_id: Id, user: Editor, site: Site) -> Response:
    with site.store.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise HTTPException(status_code=404, detail="no such article")
        view = summary(art)
        segments = [segment_view(seg) for seg in art.segments]
        article_findings = [finding_view(f, "", "") for f in art.findings or []]
        queue = review_queue(s)
    previous, following, position = neighbours(queue, article_id)
    return render(
        request,
        "article.html",
        user=user,
        article=view,
        segments=segments,
        article_findings=article_findings,
        previous=previous,
        next=following,
        position=position,
        queue_length=len(queue),
    )


@router.post("/{article_id}/segments/{segment_id}", name="edit", dependencies=[CheckCsrf])
def edit(
    request: Request,
    article_id: Id,
    segment_id: Id,
    user: Editor,
    site: Site,
    translation: Annotated[str, Form()],
    term: Annotated[str, Form()] = "",
    arabic: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "other",
) -> Response:
    try:
        with site.store.session() as s:
            edit_segment(
                s,
                site.config,
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


@router.post("/{article_id}/recheck", name="recheck", dependencies=[CheckCsrf])
def recheck(request: Request, article_id: Id, site: Site) -> Response:
    with site.store.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise HTTPException(status_code=404, detail="no such article")
        apply_checks(s, art, site.config)
    return RedirectResponse(str(request.url_for("article", article_id=article_id)), status_code=303)


@router.post("/{article_id}/approve", name="approve", dependencies=[CheckCsrf])
def do_approve(request: Request, article_id: Id, user: Editor, site: Site) -> Response:
    try:
        with site.store.session() as s:
            approve(s, article_id, editor=user)
    except NaqlError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    _publish(site.config, site.store)
    return RedirectResponse(str(request.url_for("queue")), status_code=303)


@router.post("/{article_id}/reject", name="reject", dependencies=[CheckCsrf])
def do_reject(
    request: Request,
    article_id: Id,
    user: Editor,
    site: Site,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        with site.store.session() as s:
            reject(s, article_id, editor=user, reason=reason.strip()[:500])
    except NaqlError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return RedirectResponse(str(request.url_for("queue")), status_code=303)


def _publish(config: Config, store: Store) -> None:
    """Publish approved articles now, so the editor sees the page at once."""
    from naql.pipeline.stages import Context, publish_articles

    publish_articles(Context(config=config, store=store, progress=False))
