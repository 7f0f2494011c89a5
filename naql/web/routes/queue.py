"""The review queue: held articles, weakest first, with the counts that put them there."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from naql.store import Article
from naql.web.deps import Editor, LoggedIn, Site, render
from naql.web.views import review_queue

router = APIRouter(tags=["queue"], dependencies=[LoggedIn])


@router.get("/", name="queue")
def queue(request: Request, user: Editor, site: Site) -> Response:
    with site.store.session() as s:
        items = review_queue(s)
        counts = dict(s.execute(select(Article.state, func.count()).group_by(Article.state)).all())
    return render(request, "queue.html", user=user, items=items, counts=counts)
