"""Tests for the tinymodel test-fixture builder (tests/tinymodel.py)."""

from __future__ import annotations

import importlib
import json
import re
import sys
import zipfile
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
tinymodel = importlib.import_module("tinymodel")

SENTENCES = [
    "The president said on Monday that the talks would continue.",
    "Scientists found water on the moon, 3 times more than expected.",
    "Hello.",
]
MAX_LEN = 40
_ARABIC = re.compile("[\u0600-\u06ff]")


def _arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(bool(_ARABIC.match(c)) for c in letters) / max(1, len(letters))


def _translate(
    model_dir: Path,
    src: spm.SentencePieceProcessor,
    tgt: spm.SentencePieceProcessor,
    prefix: list[str],
) -> list[tuple[int, str]]:
    translator = ctranslate2.Translator(str(model_dir), device="cpu")
    batch = [prefix + src.encode(s, out_type=str) for s in SENTENCES]
    results = translator.translate_batch(batch, max_decoding_length=MAX_LEN, beam_size=1)
    return [(len(r.hypotheses[0]), tgt.decode_pieces(r.hypotheses[0])) for r in results]


def _assert_arabic_output(outputs: list[tuple[int, str]], src_lens: list[int]) -> None:
    for (n_pieces, text), n_src in zip(outputs, src_lens, strict=False):
        assert text.strip(), "empty translation"
        assert _arabic_share(text) > 0.8, text
        # The fixture is a monotonic word-by-word model: one output piece per source
        # piece, so decoding stops by itself well before max_decoding_length.
        assert n_pieces == min(n_src, MAX_LEN), (n_pieces, n_src, text)


def test_opus_mt_release_converts_and_decodes(tmp_path: Path) -> None:
    zip_path = tinymodel.build_opus_mt_release(tmp_path / "dl", size="tiny", multi_target=True)
    assert zip_path.name == "opus-tiny.zip"
    # Deterministic: a second build is byte-identical.
    again = tinymodel.build_opus_mt_release(tmp_path / "dl2", size="tiny", multi_target=True)
    assert zip_path.read_bytes() == again.read_bytes()

    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "release")
    release = tmp_path / "release"
    decoder = yaml.safe_load((release / "decoder.yml").read_text(encoding="utf-8"))
    npz, vocab = decoder["models"][0], decoder["vocabs"][0]
    assert decoder["vocabs"] == [vocab, vocab]
    assert names == {"decoder.yml", npz, vocab, "source.spm", "target.spm", "README.md", "LICENSE"}
    tokens = ctranslate2.converters.marian.load_vocab(str(release / vocab))
    assert tokens[:2] == ["</s>", "<unk>"] and ">>ara<<" in tokens

    ctranslate2.converters.OpusMTConverter(str(release)).convert(str(tmp_path / "ct2"))
    src = spm.SentencePieceProcessor(model_file=str(release / "source.spm"))
    tgt = spm.SentencePieceProcessor(model_file=str(release / "target.spm"))
    outputs = _translate(tmp_path / "ct2", src, tgt, [">>ara<<"])
    _assert_arabic_output(outputs, [len(src.encode(s)) for s in SENTENCES])


def test_ct2_dir_decodes(tmp_path: Path) -> None:
    out = tinymodel.build_ct2_dir(tmp_path / "ct2", size="tiny")
    assert {p.name for p in out.iterdir()} >= {
        "model.bin",
        "config.json",
        "source.spm",
        "target.spm",
    }
    src = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    tgt = spm.SentencePieceProcessor(model_file=str(out / "target.spm"))
    outputs = _translate(out, src, tgt, [])
    _assert_arabic_output(outputs, [len(src.encode(s)) for s in SENTENCES])


def test_argos_package_decodes(tmp_path: Path) -> None:
    pkg_path = tinymodel.build_argos_package(tmp_path / "en_ar.argosmodel", size="tiny")
    with zipfile.ZipFile(pkg_path) as zf:
        tops = {n.split("/", 1)[0] for n in zf.namelist()}
        zf.extractall(tmp_path / "x")
    assert tops == {"translate-en_ar-tiny"}
    pkg = tmp_path / "x" / "translate-en_ar-tiny"
    meta = json.loads((pkg / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["from_code"], meta["to_code"]) == ("en", "ar")
    assert (pkg / "README.md").is_file() and (pkg / "model" / "model.bin").is_file()

    sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
    outputs = _translate(pkg / "model", sp, sp, [])
    _assert_arabic_output(outputs, [len(sp.encode(s)) for s in SENTENCES])


@pytest.mark.parametrize("token", ["plain", "a:b", 'q"uote', "back\\slash", "'", "\u2581x"])
def test_marian_vocab_round_trip(tmp_path: Path, token: str) -> None:
    tokens = ["</s>", "<unk>", token]
    tinymodel.write_marian_vocab(tokens, tmp_path / "v.yml")  # raises on mismatch
    assert yaml.safe_load((tmp_path / "v.yml").read_text(encoding="utf-8"))[token] == 2


def test_multi_source_release_lists_its_sources(tmp_path: Path) -> None:
    zip_path = tinymodel.build_opus_mt_release(
        tmp_path, size="tiny", sources=("fra", "ita", "spa"), zip_name="itc-tiny.zip"
    )
    with zipfile.ZipFile(zip_path) as zf:
        readme = zf.read("README.md").decode("utf-8")
        zf.extractall(tmp_path / "release")
    assert "* source language(s): fra ita spa\n" in readme
    assert "* target language(s): ara" in readme
    release = tmp_path / "release"
    ctranslate2.converters.OpusMTConverter(str(release)).convert(str(tmp_path / "ct2"))
    src = spm.SentencePieceProcessor(model_file=str(release / "source.spm"))
    tgt = spm.SentencePieceProcessor(model_file=str(release / "target.spm"))
    translator = ctranslate2.Translator(str(tmp_path / "ct2"), device="cpu")
    for text in (
        "Le gouvernement a annoncé mardi un plan de soutien aux agriculteurs.",
        "El Gobierno aprobó el martes un paquete de ayudas para los agricultores.",
    ):
        pieces = src.encode(text, out_type=str)
        result = translator.translate_batch(
            [[">>ara<<", *pieces]], max_decoding_length=MAX_LEN, beam_size=1
        )
        hyp = result[0].hypotheses[0]
        assert len(hyp) == len(pieces) and _arabic_share(tgt.decode_pieces(hyp)) > 0.8


@pytest.mark.parametrize(
    ("family", "source_token", "arabic_token"),
    [("nllb", "fra_Latn", "arb_Arab"), ("m2m100", "__fr__", "__ar__")],
)
def test_multilingual_ct2_dir_decodes(
    tmp_path: Path, family: str, source_token: str, arabic_token: str
) -> None:
    out = tinymodel.build_multilingual_ct2_dir(tmp_path / family, size="tiny", family=family)
    assert {p.name for p in out.iterdir()} == {
        "model.bin",
        "config.json",
        "shared_vocabulary.json",
        "sentencepiece.bpe.model",
    }
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["add_source_eos"] is False and config["decoder_start_token"] == "</s>"
    vocab = json.loads((out / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert vocab[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert source_token in vocab and arabic_token in vocab

    sp = spm.SentencePieceProcessor(model_file=str(out / "sentencepiece.bpe.model"))
    translator = ctranslate2.Translator(str(out), device="cpu", compute_type="int8")
    pieces = [sp.encode(s, out_type=str) for s in SENTENCES]
    results = translator.translate_batch(
        [[source_token, *p, "</s>"] for p in pieces],
        target_prefix=[[arabic_token]] * len(pieces),
        max_decoding_length=MAX_LEN,
        beam_size=2,
    )
    for p, r in zip(pieces, results, strict=True):
        hyp = r.hypotheses[0]
        assert hyp[0] == arabic_token  # the forced prefix comes back first
        assert len(hyp) == 1 + len(p)  # then one piece per source piece, and it stops
        assert _arabic_share(sp.decode_pieces(hyp[1:])) > 0.8
