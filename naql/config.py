"""One typed settings table: every setting with its default and help, read from naql.toml.

The table (SETTINGS) is the single source of truth: `naql init` writes it out as a commented
naql.toml, `load_config` validates a file against it, and a test checks the README documents it.
An invalid value is an error naming the key, the value and what was expected; it is never silently
replaced by the default.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naql.errors import ConfigError, SiteNotFound

if TYPE_CHECKING:
    from naql.translate.engines import EngineConfig

CONFIG_NAME = "naql.toml"
DB_NAME = "naql.db"


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"


# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("site", "title", "نقل", "Site name shown in the header, feeds and page titles."),
    Setting("site", "base_url", "http://127.0.0.1:8000", "Public URL the site is served from (used in feeds and canonical links)."),
    Setting("site", "description", "أخبار العالم بالعربية", "One-line description for the home page and feeds."),
    Setting("site", "articles_on_home", 50, "Articles per list page (home, source, day)."),
    Setting("site", "digits", "latin", "Digits on pages: latin (0-9) or arabic (٠-٩).", ("latin", "arabic")),
    Setting("site", "ad_slots", {}, "Operator HTML per ad slot name (e.g. {top = \"...\"}); empty = no ads. Trusted: it is not sanitised."),
    Setting("fetch", "user_agent", "naql/0.1 (+https://github.com/naql/naql)", "User-Agent sent with every request."),
    Setting("fetch", "timeout", 20.0, "Longest wait on the network (to connect, or between two reads), in seconds."),
    Setting("fetch", "deadline", 60.0, "Longest time, in seconds, one fetch may take in all: connecting, every redirect and the whole body (a server that trickles its answer is cut off there)."),
    Setting("fetch", "max_bytes", 5_000_000, "Largest response body accepted (after decompression), in bytes."),
    Setting("fetch", "max_redirects", 5, "Redirects followed before a fetch fails."),
    Setting("fetch", "allow_private_network", False, "Allow fetches to private, loopback and link-local addresses."),
    Setting("fetch", "check_interval", 900, "Seconds between checks of a source (a feed's ttl or sy:updatePeriod wins when longer)."),
    Setting("fetch", "max_backoff", 86_400, "Longest wait, in seconds, after repeated errors on a source."),
    Setting("fetch", "per_host_delay", 1.0, "Seconds between two requests to the same host."),
    Setting("fetch", "concurrency", 4, "Feeds and pages fetched at once (at most one per host at a time)."),
    Setting("fetch", "max_attempts", 5, "Attempts at fetching an article before it is marked failed."),
    Setting("fetch", "respect_robots", True, "Honour robots.txt."),
    Setting("translate", "engines", [], "Engines to try in order (names of [engines.NAME] tables, installed models, or \"local\" = the installed model for the article's language); empty = [\"local\"]."),
    Setting("translate", "routes", {}, "Engine order per source language or per source host, e.g. {fr = [\"deepl\", \"local\"], \"example.com\" = [\"llm\"]}; a host wins over a language, a language over translate.engines."),
    Setting("translate", "model", "", "Installed model the \"local\" engine uses (see `naql models list`); empty = the first installed model for the article's language."),
    Setting("translate", "compute_type", "int8", "CTranslate2 compute type (int8, int8_float32, float32, ...)."),
    Setting("translate", "inter_threads", 0, "Batches translated in parallel; 0 = number of CPU cores."),
    Setting("translate", "intra_threads", 1, "Threads per batch."),
    Setting("translate", "max_batch_tokens", 2048, "Tokens per decoding batch."),
    Setting("translate", "beam_size", 2, "Beam size (1 = greedy, fastest)."),
    Setting("translate", "max_input_length", 256, "Longest sentence in tokens; longer input is truncated by the engine."),
    Setting("translate", "chunk_sentences", 4000, "Sentences gathered across pending articles per engine call."),
    Setting("translate", "quote_style", "“”", "Quotation marks in Arabic text: “” or «»."),
    Setting("translate", "consistent_names", True, "Give each name one Arabic spelling across the site (variants are replaced and flagged)."),
    Setting("enrich", "ner_model", "", "spaCy pipeline for tags: an installed package (e.g. en_core_web_sm) or a folder; empty = glossary and keywords only (pip install 'naql[ner]')."),
    Setting("enrich", "max_tags", 12, "Most tags on one article."),
    Setting("enrich", "max_topics", 5, "Most topic keywords (YAKE) among an article's tags."),
    Setting("check", "policy", "hold", "hold: articles the checks doubt wait for an editor; publish: publish everything unattended (findings kept, pages say unreviewed).", ("hold", "publish")),
    Setting("check", "thresholds", {}, "Verdict thresholds, e.g. {review_warnings = 2, reject_errors = 5, length_z = 3.5}; see naql/qa/verdict.py."),
    Setting("check", "min_arabic_ratio", 0.5, "Share of letters that must be Arabic script in a translated text."),
    Setting("check", "qe", ["confidence"], "Quality-estimation scorers run on the segments the rule checks did not flag: confidence (an installed model's log-probability of the Arabic), roundtrip (back-translation by an installed Arabic→source model), llm (an MQM judgement by an openai engine); [] = none."),
    Setting("check", "qe_model", "", "Installed model the confidence scorer uses; empty = the installed model for the article's language."),
    Setting("check", "qe_judge", "", "The [engines.NAME] table (kind openai) the llm scorer asks; empty = the first openai engine configured."),
    Setting("check", "qe_tail", 0.01, "A confidence or round-trip score in this lowest share of the site's earlier scores (same model, language and engine) is flagged for review."),
    Setting("check", "qe_min_scores", 200, "Scores a scorer must have on this site before it flags any; until then they are only recorded."),
    Setting("publish", "output_dir", "site", "Folder (relative to the site folder) the static site is written to."),
    Setting("publish", "feed_items", 50, "Articles in the site's feeds (RSS, Atom, JSON Feed)."),
    Setting("publish", "noindex_unreviewed", True, "Machine translations no editor reviewed get noindex and are left out of sitemaps and JSON-LD."),
    Setting("publish", "hotlink_images", False, "Show lead images from the source's server (a third-party request from readers' browsers)."),
    Setting("publish", "search", True, "Rebuild the Pagefind search index after each publish pass."),
)
# fmt: on

_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """Validated settings of one site, with the site folder they belong to."""

    def __init__(
        self, root: Path, values: dict[str, Any], engines: dict[str, EngineConfig] | None = None
    ):
        self.root = root
        self._values = values
        #: the `[engines.NAME]` tables, validated (see naql.translate.engines)
        self.engines: dict[str, EngineConfig] = engines or {}

    def get(self, name: str) -> Any:
        return self._values[name]

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def db_url(self) -> str:
        return os.environ.get("NAQL_DATABASE_URL") or f"sqlite:///{self.db_path}"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def output_dir(self) -> Path:
        return self.root / self["publish.output_dir"]


# Numbers must be greater than 0, except these, where 0 has a meaning (a zero timeout, size,
# interval, batch or count would stop the work or make it spin, and fail later, far from here).
ZERO_ALLOWED = {
    "fetch.per_host_delay": "no pause between requests to one host",
    "fetch.max_redirects": "follow no redirect",
    "translate.inter_threads": "one batch per CPU core",
    "translate.intra_threads": "CTranslate2's default",
    "enrich.max_tags": "no tags",
    "enrich.max_topics": "no topic keywords",
    "check.min_arabic_ratio": "no minimum",
}
AT_MOST = {"check.min_arabic_ratio": 1.0}  # a share


def _check_type(setting: Setting, value: Any) -> Any:
    expected = type(setting.default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f"{setting.name} = {value!r} is invalid: expected {expected.__name__}"
            f" (default {setting.default!r})"
        )
    if setting.choices and value not in setting.choices:
        raise ConfigError(
            f"{setting.name} = {value!r} is invalid: expected one of {', '.join(setting.choices)}"
        )
    if expected in (int, float):
        if not math.isfinite(value):
            raise ConfigError(f"{setting.name} = {value!r} is invalid: expected a finite number")
        if setting.name in ZERO_ALLOWED:
            if value < 0:
                raise ConfigError(
                    f"{setting.name} = {value!r} is invalid: expected a value >= 0"
                    f" (0 = {ZERO_ALLOWED[setting.name]})"
                )
        elif value <= 0:
            raise ConfigError(
                f"{setting.name} = {value!r} is invalid: expected a value > 0"
                f" (default {setting.default!r})"
            )
        if setting.name in AT_MOST and value > AT_MOST[setting.name]:
            raise ConfigError(
                f"{setting.name} = {value!r} is invalid: expected a value <= {AT_MOST[setting.name]}"
            )
    return value


def parse_config(root: Path, data: dict[str, Any]) -> Config:
    values = {s.name: s.default for s in SETTINGS}
    engines: dict[str, EngineConfig] = {}
    for section, body in data.items():
        if not isinstance(body, dict):
            raise ConfigError(f"[{section}] in {CONFIG_NAME} must be a table")
        if section == "engines":
            from naql.translate.engines import parse_engine

            for name, table in body.items():
                try:
                    engines[name] = parse_engine(name, table, root)
                except ConfigError as exc:
                    raise ConfigError(f"{exc} in {root / CONFIG_NAME}") from None
            continue
        for key, value in body.items():
            name = f"{section}.{key}"
            setting = _BY_NAME.get(name)
            if setting is None:
                raise ConfigError(f"unknown setting {name} in {root / CONFIG_NAME}")
            values[name] = _check_type(setting, value)
    if values["check.thresholds"]:
        from naql.qa.verdict import Thresholds  # validated now: a typo fails at start, named

        try:
            Thresholds.from_mapping(values["check.thresholds"])
        except ValueError as exc:
            raise ConfigError(f"check.thresholds in {root / CONFIG_NAME}: {exc}") from None
    _check_routes(root, values)
    for name, setting in _BY_NAME.items():
        env = os.environ.get("NAQL_" + name.replace(".", "_").upper())
        if env is not None and not isinstance(setting.default, dict):
            values[name] = _check_type(setting, _coerce_env(setting, env))
    return Config(root, values, engines)


def _check_routes(root: Path, values: dict[str, Any]) -> None:
    """Engine lists are lists of names; which names exist is checked when the stage routes."""
    lists = {"translate.engines": values["translate.engines"]}
    for key, value in values["translate.routes"].items():
        lists[f"translate.routes.{key}"] = value
    for name, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise ConfigError(
                f"{name} = {value!r} in {root / CONFIG_NAME} is invalid: expected a list of engine names"
            )


def _coerce_env(setting: Setting, raw: str) -> Any:
    kind = type(setting.default)
    try:
        if kind is list:
            return [x.strip() for x in raw.split(",") if x.strip()]
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        return kind(raw)
    except ValueError:
        raise ConfigError(
            f"environment NAQL_{setting.name.replace('.', '_').upper()}={raw!r} is not a {kind.__name__}"
        ) from None


def load_config(root: Path) -> Config:
    path = root / CONFIG_NAME
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise SiteNotFound(
            f"no {CONFIG_NAME} in {root}: run `naql init DIR` and `cd DIR` first"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return parse_config(root, data)


def find_site(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding naql.toml (NAQL_SITE overrides)."""
    env = os.environ.get("NAQL_SITE")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise SiteNotFound(
        f"{here} is not inside a naql site (no {CONFIG_NAME} here or above): "
        "run `naql init DIR` and `cd DIR`, or set NAQL_SITE"
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def default_toml(overrides: dict[str, Any] | None = None) -> str:
    """naql.toml with every setting, its help as a comment; overrides are written uncommented."""
    overrides = overrides or {}
    lines = [
        "# naql site configuration. Every setting is listed with its default;",
        "# uncomment a line to change it.",
        "",
    ]
    section = None
    for s in SETTINGS:
        if s.section != section:
            if section is not None:
                lines.append("")
            lines.append(f"[{s.section}]")
            section = s.section
        lines.append(f"# {s.help}")
        if s.name in overrides:
            lines.append(f"{s.key} = {_toml_value(overrides[s.name])}")
        else:
            lines.append(f"# {s.key} = {_toml_value(s.default)}")
    return "\n".join(lines) + "\n"
