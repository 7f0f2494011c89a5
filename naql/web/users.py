"""Editor accounts: argon2 password hashes in the store, and the site's session-signing key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from naql.errors import NaqlError
from naql.store import Store
from naql.store.models import EditorSession, User, utcnow

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(store: Store, username: str, password: str) -> None:
    """Create an editor, or set a new password for one (which ends that editor's sessions)."""
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise NaqlError(f"invalid user name {username!r}: use letters, digits, '.', '-' and '_'")
    if len(password) < 10:
        raise NaqlError("the password is too short: use at least 10 characters")
    password_hash = hash_password(password)
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            s.add(User(username=username, password_hash=password_hash))
        else:
            user.password_hash = password_hash
            s.execute(delete(EditorSession).where(EditorSession.username == username))


def remove_user(store: Store, username: str) -> None:
    """Remove an editor and end their sessions at once."""
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NaqlError(f"no editor named {username!r}")
        s.delete(user)
        s.execute(delete(EditorSession).where(EditorSession.username == username))


def verify_user(store: Store, username: str, password: str) -> bool:
    """Whether the password is the editor's. Blocking (argon2 takes a CPU for a good part of a
    second): the web app calls it in a worker thread, never on the event loop."""
    with store.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == username))
    if stored is None:
        _hasher.hash(password)  # same work whether or not the user exists
        return False
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    rehashed = hash_password(password) if _hasher.check_needs_rehash(stored) else None
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            return False  # removed while the password was being checked
        if rehashed:
            user.password_hash = rehashed
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
