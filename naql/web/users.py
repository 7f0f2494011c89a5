"""Editor accounts: argon2 password hashes in the store, and the site's session-signing key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from naql.errors import NaqlError
from naql.store import Store
from naql.store.models import User, utcnow

_hasher = PasswordHasher()


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
