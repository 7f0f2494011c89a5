"""Login attempts, limited per account and per address, with exponential back-off.

Kept in the store (`login_attempts`), so a restart does not reset them. An attempt is counted
before its password is checked, so concurrent guesses cannot slip past the limit; a correct
password clears the account's and the address's count. Past the limit (`per_account` or
`per_address` attempts within `window` seconds), the key is locked for `base_delay` seconds,
doubling with every further failed attempt up to `max_delay`; a locked key is answered with 429
and Retry-After without hashing anything.

Locking an account by name is the price of the per-account limit: anyone can keep an editor out
for up to `max_delay` by guessing wrong. The per-address limit alone would let a botnet guess.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from naql.store import Store
from naql.store.models import LoginAttempt, utcnow

KEY_LENGTH = 128
PRUNE_EVERY_S = 60.0


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 20
    window: float = 15 * 60
    base_delay: float = 30.0
    max_delay: float = 3600.0


class LoginThrottle:
    """Counts login attempts in the store; one process updates the counts at a time."""

    def __init__(self, store: Store, limits: LoginLimits | None = None):
        self.store = store
        self.limits = limits or LoginLimits()
        self._lock = threading.Lock()
        self._pruned = -PRUNE_EVERY_S

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"user:{username}"[:KEY_LENGTH], self.limits.per_account),
            (f"addr:{address}"[:KEY_LENGTH], self.limits.per_address),
        ]

    def begin(self, username: str, address: str) -> float:
        """Count one attempt; returns 0 if it may go on, else the seconds to wait (not counted)."""
        now = utcnow()
        window = timedelta(seconds=self.limits.window)
        with self._lock, self.store.session() as s:
            self._prune(s, now, now - window)
            rows = []
            for key, limit in self._keys(username, address):
                row = s.scalar(select(LoginAttempt).where(LoginAttempt.key == key))
                if row is None:
                    row = LoginAttempt(key=key, failures=0, window_start=now)
                    s.add(row)
                if row.locked_until is not None and row.locked_until > now:
                    return max(1.0, (row.locked_until - now).total_seconds())
                rows.append((row, limit))
            for row, limit in rows:
                if row.window_start < now - window:
                    row.failures, row.window_start = 0, now
                row.failures += 1
                if row.failures >= limit:
                    delay = self.limits.base_delay * 2.0 ** min(row.failures - limit, 30)
                    row.locked_until = now + timedelta(seconds=min(delay, self.limits.max_delay))
        return 0.0

    def succeeded(self, username: str, address: str) -> None:
        """A correct password: forget the account's and the address's attempts."""
        keys = [key for key, _ in self._keys(username, address)]
        with self._lock, self.store.session() as s:
            s.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(keys)))

    def _prune(self, s: Session, now: datetime, window_start: datetime) -> None:
        """Forget keys whose window has passed and that are not locked (at most once a minute)."""
        if time.monotonic() - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = time.monotonic()
        s.execute(
            delete(LoginAttempt).where(
                LoginAttempt.window_start < window_start,
                or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until < now),
            )
        )


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


__all__ = ["LoginLimits", "LoginThrottle", "retry_after"]
