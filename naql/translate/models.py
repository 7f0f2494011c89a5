"""Installing translation models: catalogue names, URLs, local files and folders.

Three layouts are understood, as their publishers ship them:
  * an OPUS-MT (Marian) release: `decoder.yml`, `*.npz`, vocab YAML, `source.spm`, `target.spm`;
    converted once at install with ctranslate2's OpusMTConverter (no torch needed);
  * an already converted CTranslate2 folder (`model.bin`, vocabularies) with its SentencePiece model(s),
    among them NLLB-200 and M2M-100 conversions (recognised by the language tokens in their
    vocabulary, `fra_Latn` ... `arb_Arab` or `__fr__` ... `__ar__`; one `sentencepiece.bpe.model`);
  * an Argos Translate package (`.argosmodel`: a zip holding `metadata.json`, `model/` and
    `sentencepiece.model`).

A model's source languages are what its publisher states: an OPUS-MT release's README ("source
language(s): fra ita spa"), an Argos package's metadata, an NLLB / M2M-100 vocabulary's language
tokens; `naql models install --from` only names them for a model that does not.

Every installed model is a folder `models/<name>/` with `model/` (CTranslate2), the SentencePiece
model(s) and `naql-model.json`. Installs are atomic: the folder is built under a temporary name and
renamed into place, so an interrupted install leaves nothing half-installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import yaml
from tqdm import tqdm

from naql.errors import ModelError
from naql.translate.languages import flores_languages, iso639_1

log = logging.getLogger(__name__)

META_NAME = "naql-model.json"
MAX_DOWNLOAD_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    #: a release archive, or (with `files`) the folder URL the files are fetched from
    url: str
    description: str
    #: source languages (ISO 639-1) as the publisher states them
    languages: tuple[str, ...] = ("en",)
    #: approximate download size, as shown to the user
    size: str = ""
    licence: str = ""
    #: the publisher's SHA-256 of the archive, where the publisher gives one
    sha256: str | None = None
    #: a model published as a folder of files: (file name, publisher's SHA-256 or None)
    files: tuple[tuple[str, str | None], ...] = ()

    @property
    def non_commercial(self) -> bool:
        return "-NC" in self.licence.upper()


_TATOEBA = "https://object.pouta.csc.fi/Tatoeba-MT-models"
# NLLB-200 distilled 600M converted to CTranslate2 int8 (ct2-transformers-converter
# --quantization int8), pinned to the commit whose file list was checked.
_NLLB_600M = (
    "https://huggingface.co/JustFrederik/nllb-200-distilled-600M-ct2-int8/resolve/"
    "f84941bd43259bdf2e6e56ab779bc30b481df5a0"
)
_ITC = ("an", "ca", "es", "fr", "gl", "it", "la", "pt", "ro")

CATALOGUE: dict[str, CatalogueEntry] = {
    e.name: e
    for e in (
        CatalogueEntry(
            "opus-mt-en-ar",
            f"{_TATOEBA}/eng-ara/opusTCv20210807+bt_transformer-big_2022-02-25.zip",
            "OPUS-MT English→Arabic transformer-big (BLEU 29.7, chrF 61.5 FLORES-200 devtest); the default",
            ("en",),
            "≈1.2 GB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "opus-mt-en-ar-base",
            f"{_TATOEBA}/eng-ara/opus-2021-02-23.zip",
            "OPUS-MT English→Arabic transformer-base (BLEU 23.7 FLORES-200 devtest), several times faster",
            ("en",),
            "≈300 MB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "opus-mt-itc-ar",
            f"{_TATOEBA}/itc-ara/opusTCv20210807_transformer-big_2022-08-09.zip",
            "OPUS-MT Romance (French, Spanish, Italian, Portuguese, Romanian, Catalan...)→Arabic "
            "transformer-big (chrF 52.8 French, 48.1 Spanish, FLORES-200 devtest)",
            _ITC,
            "≈1.2 GB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "opus-mt-de-ar",
            f"{_TATOEBA}/deu-ara/opusTCv20210807_transformer-big_2022-06-27.zip",
            "OPUS-MT German→Arabic transformer-big (chrF 52.7 FLORES-200 devtest)",
            ("de",),
            "≈1.2 GB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "opus-mt-ru-ar",
            f"{_TATOEBA}/rus-ara/opus-2020-07-03.zip",
            "OPUS-MT Russian→Arabic transformer-base (chrF 43.9 FLORES-200 devtest)",
            ("ru",),
            "≈300 MB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "opus-mt-tr-ar",
            f"{_TATOEBA}/tur-ara/opus-2021-02-24.zip",
            "OPUS-MT Turkish→Arabic transformer-base (chrF 37.0 FLORES-200 devtest)",
            ("tr",),
            "≈300 MB",
            "CC-BY-4.0",
        ),
        CatalogueEntry(
            "nllb-200-600m",
            _NLLB_600M,
            "NLLB-200 distilled 600M (Meta), CTranslate2 int8: about 200 languages→Arabic. "
            "Licence CC-BY-NC-4.0: NON-COMMERCIAL USE ONLY",
            (),  # about 200: read from the model's vocabulary at install
            "≈630 MB",
            "CC-BY-NC-4.0",
            files=(
                ("config.json", None),
                ("model.bin", None),
                ("shared_vocabulary.txt", None),
                ("sentencepiece.bpe.model", None),
            ),
        ),
    )
}
DEFAULT_MODEL = "opus-mt-en-ar"

#: model families whose language is a token in the input (and `family` of InstalledModel)
NLLB, M2M100 = "nllb", "m2m100"


@dataclass
class InstalledModel:
    name: str
    path: Path
    layout: str  # "opus-mt" | "ctranslate2" | "argos"
    #: the primary source language (ISO 639-1): `source_languages[0]`
    source_language: str = "en"
    target_language: str = "ar"
    source_spm: str = "source.spm"
    target_spm: str = "target.spm"
    # Token put before each source sentence (multi-target OPUS-MT models: ">>ara<<").
    source_prefix: list[str] = field(default_factory=list)
    # Tokens the decoder is forced to start with (NLLB: "arb_Arab", M2M-100: "__ar__", some Argos
    # packages); stripped from the output.
    target_prefix: list[str] = field(default_factory=list)
    origin: str = ""
    #: every source language (ISO 639-1); a file written before this field = [source_language]
    source_languages: list[str] = field(default_factory=list)
    #: "" (one model per language pair, or a multi-source model that needs no source token),
    #: "nllb" or "m2m100" (the source language is a token before the sentence)
    family: str = ""
    #: ISO 639-1 -> the model's token for that source language ("fr" -> "fra_Latn" / "__fr__")
    source_tokens: dict[str, str] = field(default_factory=dict)
    #: tokens naql appends to each sentence (["</s>"] where the CTranslate2 config does not)
    source_suffix: list[str] = field(default_factory=list)
    licence: str = ""

    def __post_init__(self) -> None:
        if self.source_languages:
            self.source_language = self.source_languages[0]
        else:
            self.source_languages = [self.source_language]

    @property
    def languages(self) -> set[str]:
        """Source languages the model translates from (ISO 639-1)."""
        return set(self.source_languages)

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path")
        return data

    @classmethod
    def load(cls, folder: Path) -> InstalledModel:
        try:
            data = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
            known = {f.name for f in fields(cls)} - {"path"}
            return cls(path=folder, **{k: v for k, v in data.items() if k in known})
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise ModelError(
                f"{folder} is not a usable naql model ({exc}): reinstall it with `naql models install`"
            ) from exc


def describe_model(model: InstalledModel) -> dict[str, Any]:
    """What `naql models list` shows for an installed model."""
    return {
        "name": model.name,
        "layout": model.layout,
        "family": model.family or None,
        "languages": sorted(model.languages),
        "target": model.target_language,
        "licence": model.licence or None,
        "non_commercial": "-NC" in model.licence.upper(),
        "origin": model.origin,
    }


def describe_entry(entry: CatalogueEntry) -> dict[str, Any]:
    """What `naql models list` shows for a catalogue entry."""
    return {
        "name": entry.name,
        "description": entry.description,
        "languages": sorted(entry.languages),
        "size": entry.size,
        "licence": entry.licence or None,
        "non_commercial": entry.non_commercial,
        "url": entry.url,
    }


def list_models(models_dir: Path) -> list[InstalledModel]:
    if not models_dir.is_dir():
        return []
    found = []
    for folder in sorted(models_dir.iterdir()):
        if folder.name.startswith(".") or not (folder / META_NAME).is_file():
            continue
        found.append(InstalledModel.load(folder))
    return found


def find_model(models_dir: Path, name: str = "", source_language: str = "en") -> InstalledModel:
    """The model named `name`, else the first installed one for `source_language`→ar."""
    models = list_models(models_dir)
    if name:
        for model in models:
            if model.name == name:
                return model
        raise ModelError(
            f"model {name!r} is not installed: run `naql models install {name}` (installed: "
            f"{', '.join(m.name for m in models) or 'none'})"
        )
    candidates = [m for m in models if source_language in m.languages and m.target_language == "ar"]
    if candidates:
        # A model made for the language pair (OPUS-MT) before a massively multilingual one (NLLB,
        # M2M-100: larger, slower, and NLLB's weights are non-commercial); then by name.
        return min(candidates, key=lambda m: (m.family in (NLLB, M2M100), m.name))
    raise ModelError(
        f"no {source_language}→ar translation model is installed: run `naql models install "
        f"{suggest_model(source_language)}` (or give a URL or a local file)"
    )


def suggest_model(language: str) -> str:
    """The catalogue entry to install for `language` (the default model for English)."""
    if language in CATALOGUE[DEFAULT_MODEL].languages:
        return DEFAULT_MODEL
    for entry in CATALOGUE.values():
        if language in entry.languages:
            return entry.name
    return "nllb-200-600m"


def languages_with_models(models_dir: Path) -> set[str]:
    return {
        lang for m in list_models(models_dir) if m.target_language == "ar" for lang in m.languages
    }


# -- fetching the archive ---------------------------------------------------------------------


def _name_from(source: str) -> str:
    base = Path(unquote(urlsplit(source).path if "://" in source else source)).name
    for suffix in (".argosmodel", ".zip", ".tar.gz", ".tgz"):
        base = base.removesuffix(suffix)
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", base).strip("-.")
    return name or "model"


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    progress: bool = True,
    timeout: float = 30.0,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Path:
    """Stream `url` to `dest` with a progress bar, bounded in size and time, then verify sha256."""
    digest = hashlib.sha256()
    try:
        with httpx.stream(
            "GET", url, follow_redirects=True, timeout=httpx.Timeout(timeout)
        ) as resp:
            if resp.status_code >= 400:
                raise ModelError(f"cannot download {url}: HTTP {resp.status_code}")
            total = int(resp.headers.get("Content-Length", "0") or 0)
            if total > max_bytes:
                raise ModelError(f"{url} is {total} bytes, more than the {max_bytes}-byte limit")
            with (
                dest.open("wb") as out,
                tqdm(
                    total=total or None,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=f"downloading {dest.name}",
                    disable=not progress,
                    leave=False,
                ) as bar,
            ):
                size = 0
                for chunk in resp.iter_bytes(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ModelError(f"{url} is larger than the {max_bytes}-byte limit")
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        raise ModelError(
            f"cannot download {url} ({type(exc).__name__}: {exc}); if this machine is offline, fetch the "
            f"file elsewhere and run `naql models install /path/to/{Path(urlsplit(url).path).name}`"
        ) from exc
    if sha256 and digest.hexdigest() != sha256.lower():
        raise ModelError(
            f"checksum mismatch for {url}: expected sha256 {sha256}, got {digest.hexdigest()}"
        )
    return dest


def _unpack(archive: Path, into: Path) -> Path:
    """Unzip after checking every member's CRC; returns the folder holding the model files."""
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ModelError(
                    f"{archive.name} is corrupt (bad CRC for {bad}): download it again"
                )
            zf.extractall(into)  # zipfile strips absolute paths and '..' from member names
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{archive.name} is not a zip archive ({exc})") from exc
    entries = [p for p in into.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return into


def _detect_layout(folder: Path) -> str:
    if (folder / "decoder.yml").is_file():
        return "opus-mt"
    if (folder / "metadata.json").is_file() and (folder / "model" / "model.bin").is_file():
        return "argos"
    if (folder / "model.bin").is_file():
        return "ctranslate2"
    raise ModelError(
        f"{folder} is not a model naql knows: expected an OPUS-MT release (decoder.yml), a CTranslate2 "
        "folder (model.bin) or an Argos Translate package (metadata.json + model/)"
    )


def _multi_target_prefix(vocab_tokens: list[str], target: str) -> list[str]:
    tags = [t for t in vocab_tokens if re.fullmatch(r">>[a-z_]{2,8}<<", t)]
    if not tags:
        return []
    for wanted in (">>ara<<", ">>arb<<") if target == "ar" else (f">>{target}<<",):
        if wanted in tags:
            return [wanted]
    raise ModelError(
        f"this multi-target model has no Arabic target token (it has {', '.join(tags[:8])})"
    )


def _ct2_vocab(model_dir: Path) -> list[str]:
    for name in ("shared_vocabulary.json", "source_vocabulary.json"):
        path = model_dir / name
        if path.is_file():
            return list(json.loads(path.read_text(encoding="utf-8")))
    for name in ("shared_vocabulary.txt", "source_vocabulary.txt"):
        path = model_dir / name
        if path.is_file():
            return path.read_text(encoding="utf-8").splitlines()
    return []


def _ct2_config(model_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _split_languages(value: str | list[str] | tuple[str, ...]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(x.strip().lower() for x in items if x.strip()))


def _with_equivalents(languages: list[str]) -> list[str]:
    # Language identification reports Norwegian Bokmål as "no" or "nb".
    out = list(languages)
    if "nb" in out and "no" not in out:
        out.append("no")
    return out


def _release_languages(folder: Path) -> tuple[list[str], list[str]]:
    """(sources, targets) as an OPUS-MT / Tatoeba release states them, in ISO 639-1.

    Releases carry a README.md with lines such as ``* source language(s): fra ita spa`` and
    ``* target language(s): ajp apc ara arz``; some also carry the release's YAML with
    ``source-languages:`` / ``target-languages:`` lists.
    """
    raw: dict[str, list[str]] = {"source": [], "target": []}
    readme = folder / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8", errors="replace")
        for side in raw:
            m = re.search(
                rf"^\W*{side} language\(s\):[ \t]*(.*)$", text, re.MULTILINE | re.IGNORECASE
            )
            if m:
                raw[side] = m.group(1).split()
    if not raw["source"]:
        for path in sorted(folder.glob("*.yml")):
            if path.name == "decoder.yml" or "vocab" in path.name:
                continue
            try:
                meta = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(meta, dict) and isinstance(meta.get("source-languages"), list):
                raw["source"] = [str(x) for x in meta["source-languages"]]
                raw["target"] = [str(x) for x in meta.get("target-languages") or []]
                break
    sources = [iso639_1(code) for code in raw["source"]]
    targets = [iso639_1(code) for code in raw["target"]]
    return (
        list(dict.fromkeys(c for c in sources if c)),
        list(dict.fromkeys(c for c in targets if c)),
    )


def _licence_of(folder: Path) -> str:
    for name in ("LICENSE", "LICENSE.txt", "README.md"):
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            m = re.search(r"CC[- ]BY((?:[- ](?:NC|SA|ND))*)[- ]4\.0", text, re.IGNORECASE)
            if m:
                return "CC-BY" + re.sub(r"[- ]", "-", m.group(1)).upper() + "-4.0"
    return ""


def _language_tokens(vocab: list[str]) -> tuple[str, dict[str, str], list[str]]:
    """(family, ISO 639-1 -> source token, target prefix) for an NLLB or M2M-100 vocabulary."""
    flores = flores_languages(vocab)
    if len(flores) >= 2:
        if "ar" not in flores:
            raise ModelError(
                "this NLLB-style model has no Arabic token (arb_Arab) in its vocabulary"
            )
        return NLLB, flores, [flores["ar"]]
    m2m: dict[str, str] = {}
    for token in vocab:
        m = re.fullmatch(r"__([a-z]{2,3})__", token)
        lang = iso639_1(m.group(1)) if m else None
        if lang and lang not in m2m:
            m2m[lang] = token
    if len(m2m) >= 2:
        if "ar" not in m2m:
            raise ModelError(
                "this M2M-100-style model has no Arabic token (__ar__) in its vocabulary"
            )
        return M2M100, m2m, [m2m["ar"]]
    return "", {}, []


def _pick_spm(folder: Path, family: str) -> tuple[str, str]:
    spms = sorted(p.name for p in folder.glob("*.spm")) + sorted(
        p.name for p in folder.glob("*.model")
    )
    if "source.spm" in spms and "target.spm" in spms:
        return "source.spm", "target.spm"
    # NLLB and M2M-100 (Transformers) ship sentencepiece.bpe.model; M2M-100 (fairseq) spm.128k.model.
    for preferred in ("sentencepiece.bpe.model", "spm.128k.model", "sentencepiece.model"):
        if family and preferred in spms:
            return preferred, preferred
    if len(spms) == 1:
        return spms[0], spms[0]
    raise ModelError(
        "the CTranslate2 folder needs source.spm and target.spm (or one SentencePiece model, such as "
        "NLLB's sentencepiece.bpe.model)"
        + (
            f"; it has {', '.join(spms)}"
            if spms
            else "; it has none (a tokenizer.json is not enough)"
        )
    )


def _build(
    folder: Path, layout: str, staging: Path, name: str, src_langs: list[str], tgt_lang: str
) -> InstalledModel:
    model = InstalledModel(
        name=name, path=staging, layout=layout, source_languages=src_langs, target_language=tgt_lang
    )
    if layout == "opus-mt":
        from ctranslate2.converters import OpusMTConverter

        for spm in ("source.spm", "target.spm"):
            if not (folder / spm).is_file():
                raise ModelError(f"the OPUS-MT release has no {spm}")
            shutil.copy2(folder / spm, staging / spm)
        try:
            OpusMTConverter(str(folder)).convert(str(staging / "model"), force=True)
        except Exception as exc:  # converter errors are plain Exceptions of many kinds
            raise ModelError(f"cannot convert the OPUS-MT model: {exc}") from exc
    elif layout == "ctranslate2":
        shutil.copytree(folder, staging / "model")
        vocab = _ct2_vocab(folder)
        model.family, model.source_tokens, model.target_prefix = _language_tokens(vocab)
        model.source_spm, model.target_spm = _pick_spm(folder, model.family)
        for spm in {model.source_spm, model.target_spm}:
            shutil.copy2(folder / spm, staging / spm)
        if model.family:
            # Languages are the model's own: every language token but the target's.
            del model.source_tokens[model.target_language]
            if "nb" in model.source_tokens:  # language identification says "no" or "nb"
                model.source_tokens.setdefault("no", model.source_tokens["nb"])
            model.source_languages = sorted(model.source_tokens)
            # Transformers-converted models leave </s> to the caller; fairseq-converted ones do not.
            if not _ct2_config(folder).get("add_source_eos"):
                model.source_suffix = ["</s>"]
            model.licence = {NLLB: "CC-BY-NC-4.0", M2M100: "MIT"}[model.family]
    else:  # argos
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        model.source_languages = [meta.get("from_code") or model.source_language]
        model.source_language = model.source_languages[0]
        model.target_language = meta.get("to_code", tgt_lang)
        shutil.copytree(folder / "model", staging / "model")
        if not (folder / "sentencepiece.model").is_file():
            raise ModelError("the Argos package has no sentencepiece.model")
        shutil.copy2(folder / "sentencepiece.model", staging / "sentencepiece.model")
        model.source_spm = model.target_spm = "sentencepiece.model"
        prefix = meta.get("target_prefix") or ""
        model.target_prefix = [prefix] if isinstance(prefix, str) and prefix else list(prefix or [])
    if layout != "argos" and not model.family:
        sources, targets = _release_languages(folder)
        if sources:
            model.source_languages = _with_equivalents(sources)
        if targets:
            model.target_language = tgt_lang if tgt_lang in targets else targets[0]
    model.source_language = model.source_languages[0]
    model.licence = model.licence or _licence_of(folder)
    model.source_prefix = _multi_target_prefix(_ct2_vocab(staging / "model"), model.target_language)
    return model


def _fetch(
    entry: CatalogueEntry | None,
    url: str | None,
    source: str,
    work: Path,
    sha256: str | None,
    progress: bool,
) -> Path:
    """The archive or folder to install from: downloaded into `work`, or the local `source`."""
    if entry is not None and entry.files:
        folder = work / "download"
        folder.mkdir()
        for filename, digest in entry.files:
            download(f"{entry.url}/{filename}", folder / filename, sha256=digest, progress=progress)
        return folder
    if url is not None:
        return download(
            url,
            work / (Path(urlsplit(url).path).name or "model.zip"),
            sha256=sha256,
            progress=progress,
        )
    archive = Path(source)
    if sha256 and archive.is_file():
        got = hashlib.sha256(archive.read_bytes()).hexdigest()
        if got != sha256.lower():
            raise ModelError(
                f"checksum mismatch for {archive}: expected sha256 {sha256}, got {got}"
            )
    return archive


def install(
    source: str,
    models_dir: Path,
    *,
    name: str | None = None,
    sha256: str | None = None,
    source_language: str | list[str] = "en",
    target_language: str = "ar",
    progress: bool = True,
) -> InstalledModel:
    """Install a model from a catalogue name, an http(s) URL, or a local file or folder.

    Source languages come from the model itself where its publisher states them (an OPUS-MT
    release's README, an Argos package's metadata, an NLLB / M2M-100 vocabulary's language
    tokens); else from `source_language` ("fr", or several: "fr,es,it").
    """
    entry = CATALOGUE.get(source)
    if entry is not None:
        if entry.files and sha256:
            raise ModelError(
                f"--sha256 checks a single download; {entry.name} is a folder of files checked one by one"
            )
        name = name or entry.name
        sha256 = sha256 or entry.sha256
        url: str | None = entry.url
    elif source.startswith(("http://", "https://")):
        url = source
    elif Path(source).exists():
        url = None
    else:
        raise ModelError(
            f"{source!r} is not a catalogue name ({', '.join(CATALOGUE)}), an http(s) URL, or an existing file or folder"
        )
    name = name or _name_from(source)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", name):
        raise ModelError(f"invalid model name {name!r}: use letters, digits, '.', '_', '+' and '-'")
    languages = (
        (list(entry.languages) if entry else []) or _split_languages(source_language) or ["en"]
    )
    models_dir.mkdir(parents=True, exist_ok=True)
    for leftover in models_dir.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=models_dir))
    try:
        archive = _fetch(entry, url, source, work, sha256, progress)
        folder = archive if archive.is_dir() else _unpack(archive, work / "unpacked")
        layout = _detect_layout(folder)
        staging = work / "staging"
        staging.mkdir()
        model = _build(folder, layout, staging, name, languages, target_language)
        if entry is not None and entry.licence:
            model.licence = entry.licence
        model.origin = url or str(Path(source).resolve())
        (staging / META_NAME).write_text(
            json.dumps(model.to_json(), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        _check_loads(staging)
        final = models_dir / name
        if final.exists():
            old = work / "previous"
            os.replace(final, old)
        os.replace(staging, final)
        model.path = final
        return model
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_loads(folder: Path) -> None:
    """Refuse to install a model that CTranslate2 cannot load."""
    from naql.translate.engines.ctranslate2 import CTranslate2Engine

    try:
        CTranslate2Engine(InstalledModel.load(folder), inter_threads=1).close()
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"the model does not load in CTranslate2: {exc}") from exc


def remove(models_dir: Path, name: str) -> None:
    folder = models_dir / name
    if not (folder / META_NAME).is_file():
        raise ModelError(f"model {name!r} is not installed")
    shutil.rmtree(folder)
