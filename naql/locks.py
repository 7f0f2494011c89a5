"""Site-wide locks between processes: one `naql run` at a time, one writer of the published site.

Each lock is an advisory `flock` on a file in the site folder. The kernel releases it when the
holder's file is closed, however the holder ends (`kill -9` included), so a crash never leaves a
site locked and there is no expiry to tune. The holder writes its pid into the file, so a process
that has to wait can say who it waits for. The file itself stays: deleting a lock file while
another process waits on it would let two holders lock two different files.

A lock is re-entrant within one thread (publishing takes the site lock, and so does the search
index rebuild it calls); another thread of the same process waits like another process would,
because each acquisition opens the file anew and flock locks belong to the open file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from naql.errors import NaqlError
from naql.failures import DiskFull, is_disk_full

RUN_LOCK = ".naql-run.lock"
PUBLISH_LOCK = ".naql-publish.lock"

_held = threading.local()  # path -> depth, for the locks this thread holds


class Busy(NaqlError):
    """The lock is held by another process and the caller chose not to wait."""

    def __init__(self, message: str, pid: int | None):
        super().__init__(message)
        self.pid = pid


def holder(path: Path) -> int | None:
    """The pid written by the lock's current (or last) holder, if any."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _depths() -> dict[str, int]:
    if not hasattr(_held, "depths"):
        _held.depths = {}
    depths: dict[str, int] = _held.depths
    return depths


def _open(path: Path) -> int:
    try:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:  # another user's lock file: flock needs no write access
            return os.open(path, os.O_RDONLY)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull(path) from exc
        raise NaqlError(
            f"cannot open lock file {path}: {exc.strerror}: the site folder must be writable"
        ) from exc


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


@contextmanager
def site_lock(
    path: Path,
    *,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
    busy: Callable[[int | None], str] | None = None,
    stop: threading.Event | None = None,
    poll: float = 0.1,
) -> Iterator[None]:
    """Hold the lock at `path` for the block.

    When another process holds it: `on_wait(pid)` is called once, then this waits (until `stop`
    is set, when given, which raises Busy); with wait=False it raises Busy(busy(pid)) at once.
    """
    key = str(path.resolve())
    depths = _depths()
    if depths.get(key):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    fd = _open(path)
    try:
        if not _try_lock(fd):
            pid = holder(path)
            if not wait:
                raise Busy(busy(pid) if busy else f"{path} is locked by pid {pid}", pid)
            if on_wait is not None:
                on_wait(pid)
            if stop is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                while not _try_lock(fd):
                    if stop.wait(poll):
                        raise Busy(busy(pid) if busy else f"{path} is locked by pid {pid}", pid)
        with contextlib.suppress(OSError):  # the pid only informs; a full disk must not stop us
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        depths[key] = 1
        try:
            yield
        finally:
            del depths[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # still held: nobody reads a pid that is gone
    finally:
        os.close(fd)  # releases the flock


__all__ = [
    "PUBLISH_LOCK",
    "RUN_LOCK",
    "Busy",
    "holder",
    "site_lock",
]
