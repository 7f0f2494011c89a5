"""Installing models in each layout, over HTTP and from files, and translating with them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import tinymodel
from conftest import LocalServer

from naql.errors import ModelError
from naql.translate.engines.ctranslate2 import CTranslate2Engine
from naql.translate.models import find_model, install, list_models

SENTENCES = [
    "The minister said on Tuesday that talks would begin in January.",
    "",
    "Prices rose 3.5% in 2021.",
]


def arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u0600" <= c <= "\u06ff" for c in letters) / max(1, len(letters))


def assert_translates(models_dir: Path, name: str) -> None:
    model = find_model(models_dir, name)
    with CTranslate2Engine(model, inter_threads=1) as engine:
        out = engine.translate(SENTENCES)
    assert len(out) == 3
    assert out[1] == ""  # empty in, empty out
    assert out[0] and out[2] and arabic_share(out[0]) > 0.9


def test_opus_mt_release_over_http(tmp_path: Path, server: LocalServer, tiny_release: Path) -> None:
    url = server.add("/dl/opus-tiny.zip", tiny_release.read_bytes(), content_type="application/zip")
    model = install(url, tmp_path / "models", progress=False)
    assert model.name == "opus-tiny" and model.layout == "opus-mt"
    assert model.source_prefix == [">>ara<<"]  # multi-target release: the Arabic target token
    assert (model.path / "model" / "model.bin").is_file()
    assert [m.name for m in list_models(tmp_path / "models")] == ["opus-tiny"]
    assert_translates(tmp_path / "models", "opus-tiny")


def test_ctranslate2_folder_and_argos_package(tmp_path: Path) -> None:
    ct2 = tinymodel.build_ct2_dir(tmp_path / "ct2-tiny", size="tiny")
    argos = tinymodel.build_argos_package(tmp_path / "translate-en_ar.argosmodel", size="tiny")
    models = tmp_path / "models"
    assert install(str(ct2), models, progress=False).layout == "ctranslate2"
    a = install(str(argos), models, progress=False)
    assert a.layout == "argos" and a.source_spm == a.target_spm == "sentencepiece.model"
    assert_translates(models, "ct2-tiny")
    assert_translates(models, "translate-en_ar")


def test_checksum_and_corrupt_archives_refused(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    models = tmp_path / "models"
    url = server.add("/dl/m.zip", tiny_release.read_bytes(), content_type="application/zip")
    with pytest.raises(ModelError, match="checksum mismatch"):
        install(url, models, sha256="0" * 64, progress=False)
    # Flip bytes inside a stored member: the zip's CRC check catches it.
    data = bytearray(tiny_release.read_bytes())
    with zipfile.ZipFile(tiny_release) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(".npz"))
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    data[start : start + 16] = bytes(16)
    bad = server.add("/dl/bad.zip", bytes(data), content_type="application/zip")
    with pytest.raises(ModelError, match="corrupt|not a zip"):
        install(bad, models, progress=False)
    not_a_model = tmp_path / "notes.zip"
    with zipfile.ZipFile(not_a_model, "w") as zf:
        zf.writestr("README.txt", "hello")
    with pytest.raises(ModelError, match="not a model naql knows"):
        install(str(not_a_model), models, progress=False)
    # Nothing half-installed is left behind.
    assert list_models(models) == []
    assert [p.name for p in models.iterdir()] == []


def test_offline_download_fails_with_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        install("http://127.0.0.1:9/opus.zip", tmp_path / "models", progress=False)
    message = str(info.value)
    assert "cannot download" in message and "naql models install /path/to/opus.zip" in message
    with pytest.raises(ModelError, match="not a catalogue name"):
        install("no-such-model", tmp_path / "models", progress=False)


def test_reinstall_replaces_atomically(tmp_path: Path, tiny_release: Path) -> None:
    models = tmp_path / "models"
    first = install(str(tiny_release), models, name="m", progress=False)
    marker = first.path / "marker"
    marker.write_text("old")
    install(str(tiny_release), models, name="m", progress=False)
    assert not marker.exists()
    assert [m.name for m in list_models(models)] == ["m"]


def test_ctrl_c_during_download_leaves_nothing(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    from conftest import run_naql

    run_naql("init", "s", cwd=tmp_path)
    site = tmp_path / "s"
    url = server.add(
        "/slow/opus.zip", tiny_release.read_bytes(), content_type="application/zip", chunk_delay=0.2
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "naql", "models", "install", url],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((site / "models").glob(".tmp-*/*.zip")):
        time.sleep(0.05)
    time.sleep(0.3)  # well into the download
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err
    assert list((site / "models").iterdir()) == []
    assert "no model installed" in run_naql("models", "list", cwd=site).stdout


# -- multilingual models: what their publishers state, the catalogue ---------------------------

ITC_README = """# opusTCv20210807_transformer-big_2022-08-09.zip

* dataset: opusTCv20210807
* model: transformer-big
* source language(s): arg cat fra glg ita lad lad_Latn lat_Latn mol osp_Latn pob por ron spa
* target language(s): ajp apc ara arq ary arz
* raw source language(s): arg cat fra glg ita lad lat mol osp pob por ron spa
* a sentence initial language token is required in the form of `>>id<<` (id = valid target language ID)
"""


def test_release_languages_from_readme_and_yaml(tmp_path: Path) -> None:
    from naql.translate.models import _licence_of, _release_languages

    (tmp_path / "README.md").write_text(ITC_README, encoding="utf-8")
    sources, targets = _release_languages(tmp_path)
    # ISO 639-1 where the language has one (lad, osp: none); pob -> pt, mol -> ro; order kept.
    assert sources == ["an", "ca", "fr", "gl", "it", "la", "ro", "pt", "es"]
    assert targets == ["ar"]
    yml = tmp_path / "yml"
    yml.mkdir()
    (yml / "opus-2021-02-23.yml").write_text(
        "release: deu-ara/opus-2021-02-23.zip\nsource-languages:\n   - deu\n"
        "target-languages:\n   - afb\n   - ara\n",
        encoding="utf-8",
    )
    assert _release_languages(yml) == (["de"], ["ar"])
    assert _release_languages(tmp_path / "yml" / "nothing") == ([], [])
    (yml / "LICENSE").write_text("All OPUS-MT models are released under a CC-BY 4.0 license.\n")
    assert _licence_of(yml) == "CC-BY-4.0"


def test_from_option_names_languages_the_model_does_not(tmp_path: Path) -> None:
    ct2 = tinymodel.build_ct2_dir(tmp_path / "ct2-tiny", size="tiny")
    (ct2 / "README.md").unlink(missing_ok=True)
    model = install(str(ct2), tmp_path / "models", source_language="fr, es", progress=False)
    assert model.source_languages == ["fr", "es"] and model.source_language == "fr"


def test_nllb_folder_refused_without_what_it_needs(tmp_path: Path) -> None:
    import json

    folder = tinymodel.build_multilingual_ct2_dir(tmp_path / "nllb", size="tiny", family="nllb")
    (folder / "sentencepiece.bpe.model").rename(tmp_path / "spm.model")
    with pytest.raises(ModelError, match="a tokenizer.json is not enough"):
        install(str(folder), tmp_path / "models", progress=False)
    (tmp_path / "spm.model").rename(folder / "sentencepiece.bpe.model")
    vocab_path = folder / "shared_vocabulary.json"
    vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
    vocab[vocab.index("arb_Arab")] = "ary_Arab"  # Moroccan, not Standard Arabic
    vocab_path.write_text(json.dumps(vocab), encoding="utf-8")
    with pytest.raises(ModelError, match="no Arabic token"):
        install(str(folder), tmp_path / "models", progress=False)
    assert list_models(tmp_path / "models") == []


def test_catalogue_entries_say_what_they_are() -> None:
    from naql.translate.models import CATALOGUE, DEFAULT_MODEL, describe_entry, suggest_model

    for entry in CATALOGUE.values():
        assert entry.url.startswith("https://") and entry.size and entry.licence
        assert describe_entry(entry)["licence"] == entry.licence
    nllb = CATALOGUE["nllb-200-600m"]
    assert nllb.licence == "CC-BY-NC-4.0" and nllb.non_commercial
    assert "NON-COMMERCIAL" in nllb.description and describe_entry(nllb)["non_commercial"]
    assert {f for f, _ in nllb.files} >= {"model.bin", "sentencepiece.bpe.model"}
    assert not CATALOGUE[DEFAULT_MODEL].non_commercial
    assert {"fr", "es", "it", "pt"} <= set(CATALOGUE["opus-mt-itc-ar"].languages)
    assert suggest_model("en") == DEFAULT_MODEL and suggest_model("fr") == "opus-mt-itc-ar"
    assert suggest_model("de") == "opus-mt-de-ar" and suggest_model("fa") == "nllb-200-600m"


def test_catalogue_folder_of_files_over_http(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from naql.translate import models as models_module
    from naql.translate.models import CatalogueEntry, describe_model

    folder = tinymodel.build_multilingual_ct2_dir(tmp_path / "nllb", size="tiny", family="nllb")
    names = sorted(p.name for p in folder.iterdir())
    for name in names:
        server.add(
            f"/nllb/{name}", (folder / name).read_bytes(), content_type="application/octet-stream"
        )
    digest = hashlib.sha256((folder / "model.bin").read_bytes()).hexdigest()
    entry = CatalogueEntry(
        "nllb-test",
        f"{server.url}/nllb",
        "test NLLB; licence CC-BY-NC-4.0",
        (),
        "1 MB",
        "CC-BY-NC-4.0",
        files=tuple((n, digest if n == "model.bin" else None) for n in names),
    )
    monkeypatch.setitem(models_module.CATALOGUE, "nllb-test", entry)
    model = install("nllb-test", tmp_path / "models", progress=False)
    assert model.family == "nllb" and model.origin == f"{server.url}/nllb"
    assert describe_model(model)["non_commercial"] is True
    assert all(server.hits(f"/nllb/{n}") == 1 for n in names)

    bad = CatalogueEntry("nllb-bad", entry.url, "", (), "", "", files=(("model.bin", "0" * 64),))
    monkeypatch.setitem(models_module.CATALOGUE, "nllb-bad", bad)
    with pytest.raises(ModelError, match="checksum mismatch"):
        install("nllb-bad", tmp_path / "models", progress=False)
    with pytest.raises(ModelError, match="--sha256 checks a single download"):
        install("nllb-test", tmp_path / "models", sha256="0" * 64, progress=False)
    assert [m.name for m in list_models(tmp_path / "models")] == ["nllb-test"]
