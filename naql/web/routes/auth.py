"""Signing in and out: the login form, the login post, the logout post."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from naql.web.deps import CheckCsrf, Site, new_session, render
from naql.web.users import verify_user

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])


@router.get("/login", name="login_form")
async def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login", name="login", dependencies=[CheckCsrf])
async def login(
    request: Request,
    site: Site,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    if not verify_user(site.store, username, password):
        log.warning("failed editor login for %r", username)
        return render(
            request, "login.html", status=401, error="اسم المستخدم أو كلمة المرور غير صحيحة"
        )
    new_session(request, username)
    return RedirectResponse(str(request.url_for("queue")), status_code=303)


@router.post("/logout", name="logout", dependencies=[CheckCsrf])
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse(str(request.url_for("login_form")), status_code=303)
