"""Editor sessions kept in the store: the signed cookie carries a random token, the store its hash.

A request is signed in only while its token's row exists, has not expired and names an editor
who still exists, so logout, a new password (`naql users add` again, `naql users passwd`) and
`naql users remove` end the editor's sessions at once, in every browser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from naql.store import Store
from naql.store.models import EditorSession, User, utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, username: str, seconds: int) -> str:
    """A new session for `username`, valid for `seconds`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as s:
        s.execute(delete(EditorSession).where(EditorSession.expires_at < now))
        s.add(
            EditorSession(
                token_hash=_digest(token),
                username=username,
                created_at=now,
                expires_at=now + timedelta(seconds=seconds),
            )
        )
    return token


def session_user(store: Store, token: object) -> str | None:
    """The editor a session token belongs to, or None (unknown, expired, or editor removed)."""
    if not isinstance(token, str) or not token:
        return None
    with store.session() as s:
        row = s.execute(
            select(EditorSession.username, EditorSession.expires_at)
            .join(User, User.username == EditorSession.username)
            .where(EditorSession.token_hash == _digest(token))
        ).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return str(row.username)


def end_session(store: Store, token: object) -> None:
    if isinstance(token, str) and token:
        with store.session() as s:
            s.execute(delete(EditorSession).where(EditorSession.token_hash == _digest(token)))


def end_sessions(store: Store, username: str) -> int:
    """End every session of one editor; returns how many there were."""
    with store.session() as s:
        result = s.execute(delete(EditorSession).where(EditorSession.username == username))
        return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["end_session", "end_sessions", "session_user", "start_session"]
