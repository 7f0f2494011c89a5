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
