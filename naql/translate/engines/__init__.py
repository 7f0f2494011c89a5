"""The engine registry: configured engines by name, their kinds, and opening one for a language.

A site names its engines in naql.toml (`[engines.NAME]` tables, any name, several of one kind
allowed) and orders them in `translate.engines` / `[translate.routes]`. Every installed CTranslate2
model is also an engine under its own name, and "local" means "the installed model for the
article's language" (today's default), so `engines = ["deepl", "local"]` works with no table.

Each kind is one module with one `Engine` subclass; it is imported only when a site uses it.
"""

from __future__ import annotations

import importlib
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naql.errors import ConfigError, EngineUnavailable

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engine import Engine

#: kind -> "module:Class"
KINDS: dict[str, str] = {
    "ctranslate2": "naql.translate.engines.ctranslate2:CTranslate2Engine",
    "deepl": "naql.translate.engines.deepl:DeepLEngine",
    "google": "naql.translate.engines.google:GoogleEngine",
    "microsoft": "naql.translate.engines.microsoft:MicrosoftEngine",
    "libretranslate": "naql.translate.engines.libretranslate:LibreTranslateEngine",
    "openai": "naql.translate.engines.openai:OpenAIEngine",
}

#: the engine name that means "the installed CTranslate2 model for the article's language"
LOCAL = "local"

SECRETS_NAME = "naql.secrets.toml"

# Settings every `[engines.NAME]` table may hold: name -> (type, default, help). A kind adds its
# own in its class's OPTIONS (same shape); anything else is an error naming the key.
COMMON_OPTIONS: dict[str, tuple[type, Any, str]] = {
    "kind": (str, "", "ctranslate2 | google | deepl | microsoft | libretranslate | openai"),
    "url": (
        str,
        "",
        "Base URL of the service (each kind has its public default; set it for self-hosted or test servers).",
    ),
    "key_env": (
        str,
        "",
        "Environment variable holding the API key (else `key` in naql.secrets.toml's [engines.NAME]).",
    ),
    "model": (
        str,
        "",
        "Model: an installed model's name (ctranslate2), the LLM's model name (openai), a category (microsoft) or a model id (google v3).",
    ),
    "languages": (
        list,
        [],
        "Source languages this engine is used for (ISO 639-1); empty = every language the kind offers.",
    ),
    "timeout": (float, 30.0, "Seconds for one request (connect + read) before it is retried."),
    "max_in_flight": (int, 8, "Requests in flight at once."),
    "max_retries": (
        int,
        4,
        "Retries of a request after 429, 5xx, a timeout or a dropped connection.",
    ),
    "max_retry_wait": (
        float,
        60.0,
        "Longest Retry-After honoured by waiting; a longer one passes the work to the next engine.",
    ),
    "budget_chars_day": (
        int,
        0,
        "Characters sent per day (UTC) after which the engine is skipped; 0 = no limit.",
    ),
    "budget_chars_month": (
        int,
        0,
        "Characters sent per calendar month after which the engine is skipped; 0 = no limit.",
    ),
}


@dataclass(frozen=True)
class EngineConfig:
    """One configured engine: its name, kind, and validated options."""

    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    site_root: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.options[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def url(self) -> str:
        return self.options.get("url", "")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.options.get("languages") or ())

    def api_key(self, *, required: bool = True) -> str:
        """The key, from `key_env` or naql.secrets.toml; never logged or shown."""
        env = self.options.get("key_env") or ""
        if env and os.environ.get(env):
            return os.environ[env]
        key = _secret(self.site_root, self.name) if self.site_root else None
        if key:
            return key
        if not required:
            return ""
        where = (
            f"set the environment variable {env}"
            if env
            else f"set key_env in [engines.{self.name}]"
        )
        raise EngineUnavailable(
            f'engine {self.name}: no API key ({where}, or put key = "..." under '
            f"[engines.{self.name}] in {SECRETS_NAME}, readable by its owner only)"
        )


def engine_class(kind: str) -> type[Engine]:
    target = KINDS.get(kind)
    if target is None:
        raise ConfigError(f"unknown engine kind {kind!r}: expected one of {', '.join(KINDS)}")
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def parse_engine(name: str, body: Any, site_root: Path | None = None) -> EngineConfig:
    """Validate one `[engines.NAME]` table; errors name the key and what was expected."""
    where = f"[engines.{name}]"
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a table")
    kind = body.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where} needs kind = one of {', '.join(KINDS)}")
    allowed = {**COMMON_OPTIONS, **getattr(engine_class(kind), "OPTIONS", {})}
    options = {k: v[1] for k, v in allowed.items()}
    for key, value in body.items():
        spec = allowed.get(key)
        if spec is None:
            raise ConfigError(
                f"unknown setting {key!r} in {where} (a {kind} engine takes {', '.join(sorted(allowed))})"
            )
        expected = spec[0]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (
            expected in (int, float) and isinstance(value, bool)
        ):
            raise ConfigError(f"{where} {key} = {value!r} is invalid: expected {expected.__name__}")
        if expected in (int, float) and value < 0:
            raise ConfigError(f"{where} {key} = {value!r} is invalid: expected a value >= 0")
        if key == "languages" and not all(isinstance(x, str) and x for x in value):
            raise ConfigError(f"{where} languages must be a list of language codes")
        options[key] = value
    if options["max_in_flight"] < 1:
        raise ConfigError(f"{where} max_in_flight must be at least 1")
    if options["timeout"] <= 0:
        raise ConfigError(f"{where} timeout must be more than 0")
    url = options["url"]
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where} url = {url!r} is invalid: expected an http(s) URL")
    return EngineConfig(name, kind, options, site_root)


def _secret(site_root: Path, name: str) -> str | None:
    path = site_root / SECRETS_NAME
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} can be read by other users: naql will not read keys from it (run `chmod 600 {path}`)"
        )
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    table = (data.get("engines") or {}).get(name) or {}
    key = table.get("key") if isinstance(table, dict) else None
    return key if isinstance(key, str) and key else None


def configured_engines(config: Config) -> dict[str, EngineConfig]:
    """Every engine a site can name: its `[engines.*]` tables, its installed models, and "local"."""
    from naql.translate.models import list_models

    found: dict[str, EngineConfig] = {}
    for model in list_models(config.models_dir):
        found[model.name] = EngineConfig(
            model.name, "ctranslate2", _ct2_options(config, model.name), config.root
        )
    found[LOCAL] = EngineConfig(LOCAL, "ctranslate2", _ct2_options(config, ""), config.root)
    found.update(config.engines)
    return found


def _ct2_options(config: Config, model: str) -> dict[str, Any]:
    options = {k: v[1] for k, v in COMMON_OPTIONS.items()}
    options.update(kind="ctranslate2", model=model or config["translate.model"])
    return options


def open_engine(conf: EngineConfig, config: Config, language: str) -> Engine:
    """Open `conf` for translating `language` into Arabic (loads a model or makes a client)."""
    return engine_class(conf.kind).open(conf, config, language)  # type: ignore[attr-defined,no-any-return]


def offers(conf: EngineConfig, config: Config, language: str) -> bool:
    """Whether `conf` can translate `language` at all (no network: from config and installed models)."""
    if conf.languages and language not in conf.languages:
        return False
    return bool(engine_class(conf.kind).offers(conf, config, language))  # type: ignore[attr-defined]
