"""Failures of the machine rather than of naql: a full disk, a corrupt or locked database.

They surface deep inside a library (SQLite, the file system) with the library's words. This module
says them as naql's one-line errors, naming the file and what to do: `DiskFull` is raised where
naql writes files, and `explain` is the command line's last word on any other exception.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from naql.errors import NaqlError

FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
LOW_SPACE = 1 << 20  # under this many free bytes, an I/O error is taken for a full disk


class DiskFull(NaqlError):
    """A write failed for want of space (or quota)."""

    def __init__(self, path: Path | str):
        super().__init__(f"disk full writing {path}: free space and run again")
        self.path = str(path)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def low_on_space(path: Path | str) -> bool:
    """Whether the file system holding `path` (or its nearest existing folder) is all but full."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE
    except OSError:
        return False


def explain(exc: BaseException) -> str | None:
    """A one-line message for a failure the user can meet and fix, or None for anything else."""
    from naql.store.db import explain_database_error

    message = explain_database_error(exc)
    if message:
        return message
    if isinstance(exc, OSError) and exc.filename is not None:
        path = exc.filename
        if exc.errno in FULL_ERRNOS:
            return str(DiskFull(path))
        if exc.errno == errno.EROFS:
            return f"cannot write {path}: the file system is read-only"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"cannot write {path}: permission denied (check who owns it and its folder)"
    elif is_disk_full(exc):
        return "disk full: free space and run again"
    return None


def first_line(exc: BaseException) -> str:
    """The exception's own message without a driver's SQL dump or continuation lines."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    text = str(orig if isinstance(orig, BaseException) else exc).strip()
    return text.splitlines()[0] if text else ""


__all__ = ["DiskFull", "explain", "first_line", "is_disk_full", "low_on_space"]
