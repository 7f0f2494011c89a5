"""Signing in and out: the login form, the login post, the logout post.

The password check (argon2: a CPU for a good part of a second) runs in a worker thread, at most
`HASH_THREADS` at once, so a flood of guesses never holds the event loop that serves the site;
guesses beyond what the limit lets wait are refused at once. Before any hashing, the attempt
limits (naql.web.throttle) answer a locked account or address with 429 and Retry-After.
"""

from __future__ import annotations

import logging
import os
from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from naql.web.deps import CheckCsrf, Site, new_session, render
from naql.web.sessions import end_session, start_session
from naql.web.throttle import LoginThrottle, retry_after
from naql.web.users import verify_user

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])

#: Password checks at once: half the CPUs (at least 1, at most 4), the rest for serving pages.
HASH_THREADS = max(1, min(4, (os.cpu_count() or 2) // 2))
#: Logins that may wait for a hashing thread; more are answered 429 at once.
MAX_WAITING = 32
WRONG = "اسم المستخدم أو كلمة المرور غير صحيحة"
TOO_MANY = "محاولات دخول كثيرة: انتظر قليلًا ثم أعد المحاولة"


def _hash_limiter(request: Request) -> CapacityLimiter:
    state = request.app.state
    if getattr(state, "hash_limiter", None) is None:
        state.hash_limiter = CapacityLimiter(HASH_THREADS)
    limiter: CapacityLimiter = state.hash_limiter
    return limiter


def _too_many(request: Request, seconds: float) -> Response:
    response = render(request, "login.html", status=429, error=TOO_MANY)
    response.headers["Retry-After"] = retry_after(seconds)
    return response


@router.get("/login", name="login_form")
async def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login", name="login", dependencies=[CheckCsrf])
async def login(
    request: Request,
    site: Site,
    username: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    address = request.client.host if request.client else "unknown"
    limiter = _hash_limiter(request)
    if limiter.statistics().tasks_waiting >= MAX_WAITING:
        return _too_many(request, 1)
    wait = await to_thread.run_sync(throttle.begin, username, address)
    if wait:
        log.warning("login for %r from %s refused: too many attempts", username, address)
        return _too_many(request, wait)
    ok = await to_thread.run_sync(verify_user, site.store, username, password, limiter=limiter)
    if not ok:
        log.warning("failed editor login for %r from %s", username, address)
        return render(request, "login.html", status=401, error=WRONG)
    await to_thread.run_sync(throttle.succeeded, username, address)
    seconds = request.app.state.session_seconds
    token = await to_thread.run_sync(start_session, site.store, username, seconds)
    new_session(request, token)
    return RedirectResponse(str(request.url_for("queue")), status_code=303)


@router.post("/logout", name="logout", dependencies=[CheckCsrf])
def logout(request: Request, site: Site) -> Response:
    end_session(site.store, request.session.get("sid"))
    request.session.clear()
    return RedirectResponse(str(request.url_for("login_form")), status_code=303)
