"""One exception tree for naql. The CLI turns these into one-line messages."""

from __future__ import annotations


class NaqlError(Exception):
    """Base of every error naql raises on purpose; its message is shown to the user as is."""


class ConfigError(NaqlError):
    """The site configuration is missing or invalid."""


class SiteNotFound(NaqlError):
    """The command needs a site folder (with naql.toml) and none was found."""


class FetchError(NaqlError):
    """A network fetch failed (bad URL, refused address, too large, timeout, HTTP error)."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedAddress(FetchError):
    """The URL resolves to a private, loopback or link-local address and that is not allowed."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this URL."""


class ExtractionError(NaqlError):
    """No article could be extracted from a page."""


class ModelError(NaqlError):
    """A translation model could not be installed, found or loaded."""


class TranslationError(NaqlError):
    """The engine failed to translate."""


class EngineUnavailable(TranslationError):
    """The engine cannot take work now (auth, quota, budget, outage, timeout, unsupported language).

    The translate stage passes the articles to the next engine of their route; a plain
    TranslationError is about the input instead, and only that article moves on.
    """

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
