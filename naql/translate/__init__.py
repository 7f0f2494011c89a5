"""Translate stage support: engines, models, sentence segmentation."""

from __future__ import annotations

from naql.config import Config
from naql.translate.engine import Engine
from naql.translate.models import InstalledModel, find_model

__all__ = ["Engine", "InstalledModel", "load_engine"]


def load_engine(config: Config, source_language: str = "en") -> Engine:
    """The engine for the site's configured (or only installed) model."""
    from naql.translate.engines.ctranslate2 import CTranslate2Engine

    model = find_model(config.models_dir, config["translate.model"], source_language)
    return CTranslate2Engine(
        model,
        compute_type=config["translate.compute_type"],
        inter_threads=config["translate.inter_threads"],
        intra_threads=config["translate.intra_threads"],
        max_batch_tokens=config["translate.max_batch_tokens"],
        beam_size=config["translate.beam_size"],
        max_input_length=config["translate.max_input_length"],
    )
