"""The site glossary: the terms and their one Arabic form, and a form to add or correct one.

A term added here (or from a segment's form) is a manual entry: it wins over the form an engine
first gave a name, and the checks hold translations that do not use it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select

from naql.errors import NaqlError
from naql.store.models import GlossaryEntry
from naql.translate.glossary import KINDS, Term, upsert
from naql.web.deps import CheckCsrf, Editor, LoggedIn, Site, render

router = APIRouter(prefix="/glossary", tags=["glossary"], dependencies=[LoggedIn])
PAGE_SIZE = 500


@router.get("", name="glossary")
def glossary(request: Request, user: Editor, site: Site, q: str = "") -> Response:
    query = select(GlossaryEntry).order_by(GlossaryEntry.origin.desc(), GlossaryEntry.key)
    if q.strip():
        like = f"%{q.strip().casefold()}%"
        query = query.where(or_(GlossaryEntry.key.like(like), GlossaryEntry.arabic.like(like)))
    with site.store.session() as s:
        total = s.scalar(select(func.count()).select_from(GlossaryEntry)) or 0
        entries = [
            {"term": e.term, "arabic": e.arabic, "kind": e.kind, "origin": e.origin}
            for e in s.scalars(query.limit(PAGE_SIZE))
        ]
    return render(
        request, "glossary.html", user=user, entries=entries, total=total, q=q, kinds=KINDS
    )


@router.post("", name="glossary_add", dependencies=[CheckCsrf])
def glossary_add(
    request: Request,
    user: Editor,
    site: Site,
    term: Annotated[str, Form()],
    arabic: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "other",
) -> Response:
    try:
        with site.store.session() as s:
            upsert(s, Term(term, arabic, kind, f"added by {user} in the glossary"))
    except NaqlError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return RedirectResponse(str(request.url_for("glossary")), status_code=303)
