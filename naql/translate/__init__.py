"""Translate stage support: engines, models, sentence segmentation."""

from __future__ import annotations

from naql.config import Config
from naql.translate.engine import Engine
from naql.translate.models import InstalledModel

__all__ = ["Engine", "InstalledModel", "load_engine"]


def load_engine(config: Config, source_language: str = "en") -> Engine:
    """The "local" engine: the site's configured (or first installed) model for the language."""
    from naql.translate.engines import configured_engines, open_engine

    return open_engine(configured_engines(config)["local"], config, source_language)
