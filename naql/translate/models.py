"""Installing translation models: catalogue names, URLs, local files and folders.

Three layouts are understood, as their publishers ship them:
  * an OPUS-MT (Marian) release: `decoder.yml`, `*.npz`, vocab YAML, `source.spm`, `target.spm`;
    converted once at install with ctranslate2's OpusMTConverter (no torch needed);
  * an already converted CTranslate2 folder (`model.bin`, vocabularies) with its SentencePiece model(s);
  * an Argos Translate package (`.argosmodel`: a zip holding `metadata.json`, `model/` and
    `sentencepiece.model`).

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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from tqdm import tqdm

from naql.errors import ModelError

log = logging.getLogger(__name__)

META_NAME = "naql-model.json"
MAX_DOWNLOAD_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    url: str
    description: str
    sha256: str | None = None


CATALOGUE: dict[str, CatalogueEntry] = {
    e.name: e
    for e in (
        CatalogueEntry(
            "opus-mt-en-ar",
            "https://object.pouta.csc.fi/Tatoeba-MT-models/eng-ara/opusTCv20210807+bt_transformer-big_2022-02-25.zip",
            "OPUS-MT English→Arabic transformer-big (BLEU 29.7 FLORES-200 devtest); the default",
        ),
        CatalogueEntry(
            "opus-mt-en-ar-base",
            "https://object.pouta.csc.fi/OPUS-MT-models/en-ar/opus-2021-02-23.zip",
            "OPUS-MT English→Arabic transformer-base (BLEU 23.7), several times faster",
        ),
    )
}
DEFAULT_MODEL = "opus-mt-en-ar"


@dataclass
class InstalledModel:
    name: str
    path: Path
    layout: str  # "opus-mt" | "ctranslate2" | "argos"
    source_language: str = "en"
    target_language: str = "ar"
    source_spm: str = "source.spm"
    target_spm: str = "target.spm"
    # Token put before each source sentence (multi-target OPUS-MT models: ">>ara<<").
    source_prefix: list[str] = field(default_factory=list)
    # Tokens the decoder is forced to start with (some Argos packages).
    target_prefix: list[str] = field(default_factory=list)
    origin: str = ""

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
            return cls(path=folder, **data)
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(
                f"{folder} is not a usable naql model ({exc}): reinstall it with `naql models install`"
            ) from exc


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
    for model in models:
        if model.source_language == source_language and model.target_language == "ar":
            return model
    raise ModelError(
        f"no {source_language}→ar translation model is installed: run `naql models install {DEFAULT_MODEL}`"
        " (or give a URL or a local file)"
    )


def languages_with_models(models_dir: Path) -> set[str]:
    return {m.source_language for m in list_models(models_dir) if m.target_language == "ar"}


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


def _build(
    folder: Path, layout: str, staging: Path, name: str, src_lang: str, tgt_lang: str
) -> InstalledModel:
    model = InstalledModel(
        name=name, path=staging, layout=layout, source_language=src_lang, target_language=tgt_lang
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
        spms = sorted(p.name for p in folder.glob("*.spm")) + sorted(
            p.name for p in folder.glob("*.model")
        )
        if "source.spm" in spms and "target.spm" in spms:
            pass
        elif len(spms) == 1:
            model.source_spm = model.target_spm = spms[0]
        else:
            raise ModelError(
                "the CTranslate2 folder needs source.spm and target.spm (or one SentencePiece model)"
            )
        for spm in {model.source_spm, model.target_spm}:
            shutil.copy2(folder / spm, staging / spm)
    else:  # argos
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        model.source_language = meta.get("from_code", src_lang)
        model.target_language = meta.get("to_code", tgt_lang)
        shutil.copytree(folder / "model", staging / "model")
        if not (folder / "sentencepiece.model").is_file():
            raise ModelError("the Argos package has no sentencepiece.model")
        shutil.copy2(folder / "sentencepiece.model", staging / "sentencepiece.model")
        model.source_spm = model.target_spm = "sentencepiece.model"
        prefix = meta.get("target_prefix") or ""
        model.target_prefix = [prefix] if isinstance(prefix, str) and prefix else list(prefix or [])
    model.source_prefix = _multi_target_prefix(_ct2_vocab(staging / "model"), model.target_language)
    return model


def install(
    source: str,
    models_dir: Path,
    *,
    name: str | None = None,
    sha256: str | None = None,
    source_language: str = "en",
    target_language: str = "ar",
    progress: bool = True,
) -> InstalledModel:
    """Install a model from a catalogue name, an http(s) URL, or a local file or folder."""
    entry = CATALOGUE.get(source)
    if entry is not None:
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
    models_dir.mkdir(parents=True, exist_ok=True)
    for leftover in models_dir.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=models_dir))
    try:
        if url is not None:
            archive = download(
                url,
                work / (Path(urlsplit(url).path).name or "model.zip"),
                sha256=sha256,
                progress=progress,
            )
        else:
            archive = Path(source)
            if sha256 and archive.is_file():
                got = hashlib.sha256(archive.read_bytes()).hexdigest()
                if got != sha256.lower():
                    raise ModelError(
                        f"checksum mismatch for {archive}: expected sha256 {sha256}, got {got}"
                    )
        folder = archive if archive.is_dir() else _unpack(archive, work / "unpacked")
        layout = _detect_layout(folder)
        staging = work / "staging"
        staging.mkdir()
        model = _build(folder, layout, staging, name, source_language, target_language)
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
