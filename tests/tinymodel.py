"""Build small random-weight translation models in the real on-disk layouts naql installs.

This module is test infrastructure.  Tests and bench scripts import it as ``tinymodel``
after putting the ``tests`` directory on ``sys.path``, so it uses no package-relative
imports and does not depend on naql itself.

Four layouts are produced, all without torch and all deterministic (fixed seeds,
fixed zip timestamps):

* :func:`build_opus_mt_release` -- a Marian/OPUS-MT release zip as OPUS-MT publishes
  them (``decoder.yml``, ``*.npz``, ``*.vocab.yml``, ``source.spm``, ``target.spm``,
  ``README.md``, ``LICENSE``).  ``sources=("fra", "ita", "spa")`` makes a multi-source
  release like Tatoeba's ``itc-ara`` (its README lists the source languages; no source
  token is needed).
* :func:`build_ct2_dir` -- that release already converted to a CTranslate2 model
  directory, with ``source.spm`` and ``target.spm`` copied next to ``model.bin``.
* :func:`build_argos_package` -- an Argos Translate ``.argosmodel`` zip with one
  top-level folder holding ``metadata.json``, ``model/`` (CTranslate2),
  a single shared ``sentencepiece.model`` and ``README.md``.
* :func:`build_multilingual_ct2_dir` -- a CTranslate2 folder shaped like an NLLB-200
  (or M2M-100) conversion by ``ct2-transformers-converter``: one shared vocabulary holding
  the SentencePiece pieces and the language tokens (``fra_Latn`` ... ``arb_Arab``, or
  ``__fr__`` ... ``__ar__``), one ``sentencepiece.bpe.model``, and a ``config.json`` with
  ``add_source_eos: false`` and ``decoder_start_token: "</s>"``.  Input is
  ``[src_lang_token] + pieces + ["</s>"]``, decoded with ``target_prefix=[["arb_Arab"]]``
  (or ``[["__ar__"]]``); the output starts with that prefix.

The weights are random (seeded) noise except for a small hand-built structure, described
above ``_NOISE`` below: the last decoder layer attends monotonically from output step t to
source position t (+1 past a ``>>ara<<`` label), and values/tied embeddings copy that
source piece, or, where the output bias bans it (Latin-only pieces, ``<unk>``, language
labels), its nearest Arabic neighbour.  So the output is nonsense, but it is non-empty,
Arabic-script (digits and punctuation are copied through), has exactly one output piece
per source piece, and stops by itself at the source's ``</s>`` under greedy, beam, and
int8 decoding alike.

Encoding input for the OPUS-MT / CT2 layouts: ``source.spm.encode(text, out_type=str)``,
then (for a multi-target release) prepend the literal token ``">>ara<<"``.  Do not add
``</s>``: the converted model's ``config.json`` has ``add_source_eos: true`` so
CTranslate2 appends it.  Decode the output tokens with ``target.spm.decode_pieces``.

Text for SentencePiece training: FLORES-200 dev (English, Arabic) from the shared data dir,
and a few dozen French and Spanish news sentences written for these tests
(``tests/fixtures/tinymodel/``).

Run ``python tests/tinymodel.py OUTDIR [--size tiny|base]`` to build all four layouts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
FLORES_DIR = SHARED_DIR / "data" / "parallel" / "flores200-dev"
ENG_FILE = FLORES_DIR / "eng_Latn.dev"
ARB_FILE = FLORES_DIR / "arb_Arab.dev"
FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "tinymodel"
CORPUS_FILES = {
    "en": ENG_FILE,
    "ar": ARB_FILE,
    "fr": FIXTURE_DIR / "fra_Latn.txt",
    "es": FIXTURE_DIR / "spa_Latn.txt",
}
#: ISO 639-3 codes as OPUS-MT READMEs write them -> the corpus to train on (when there is one)
OPUS_CODES = {"eng": "en", "fra": "fr", "spa": "es", "ara": "ar"}
#: Language tokens of the multilingual families, for the languages tinymodel knows.
NLLB_TOKENS = {
    "en": "eng_Latn",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "de": "deu_Latn",
    "ru": "rus_Cyrl",
    "zh": "zho_Hans",
    "ar": "arb_Arab",
}

#: Language-label tokens OPUS-MT multi-target en->ar models carry (``>>ara<<`` is MSA).
TARGET_LANGUAGE_TOKENS = (">>ara<<", ">>arz<<", ">>apc<<", ">>acm<<", ">>ary<<")
DEFAULT_TARGET_TOKEN = ">>ara<<"

#: Fixed timestamp for every zip member, so that builds are byte-for-byte reproducible.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_SEED = 1234

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]")


@dataclass(frozen=True)
class SizeSpec:
    layers: int  # encoder and decoder depth
    dim: int
    heads: int
    ffn: int
    vocab: int  # requested sentencepiece vocab size per model
    lines: int | None  # corpus lines used for spm training (None = all)
    eos_bias: float  # output bias of </s> (id 0), see _output_bias()


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(layers=2, dim=64, heads=4, ffn=128, vocab=400, lines=400, eos_bias=-4.0),
    # OPUS-MT transformer-base shape.  The ~1000 FLORES dev lines cannot fill 8000
    # pieces; hard_vocab_limit=False lets sentencepiece stop short instead of failing:
    # source.spm ends up with 4514 pieces, target.spm 5416 (joint Marian vocab 9721),
    # the Argos joint model (asks for 16000) with fewer still.  The npz is ~197 MB.
    "base": SizeSpec(layers=6, dim=512, heads=8, ffn=2048, vocab=8000, lines=None, eos_bias=-4.0),
}

# Strongly negative output bias for tokens we never want emitted.
_BANNED_BIAS = -1000.0


def _size(size: str) -> SizeSpec:
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}") from None


# --------------------------------------------------------------------------- corpus


def read_corpus(lang: str, lines: int | None = None) -> list[str]:
    """Return the training lines for ``lang`` ("en", "ar", "fr" or "es"), optionally the first N."""
    path = CORPUS_FILES[lang]
    if not path.is_file():
        raise FileNotFoundError(
            f"tinymodel needs the FLORES-200 dev text at {path} (the shared data dir "
            f"{SHARED_DIR} next to the repo root) to train its sentencepiece models"
        )
    text = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    text = [ln for ln in text if ln]
    return text[:lines] if lines is not None else text


# --------------------------------------------------------------------------- sentencepiece


def train_spm(lines: list[str], out_prefix: Path, vocab_size: int = 400, **options) -> Path:
    """Train a unigram SentencePiece model in-process; return the ``.model`` path.

    Writes ``<out_prefix>.model`` only (no ``.vocab``).  ``hard_vocab_limit=False``
    makes ``vocab_size`` an upper bound, so training never fails on a few KB of text.
    The model is trained in memory, so no temp path leaks into its trainer_spec and
    identical input gives a byte-identical file.  Extra keyword arguments go to the
    trainer unchanged.
    """
    out_prefix = Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    lines = [ln for ln in (s.strip() for s in lines) if ln]
    if not lines:
        raise ValueError("train_spm needs at least one non-empty line")
    buf = io.BytesIO()
    kwargs = {
        "sentence_iterator": iter(lines),
        "model_writer": buf,
        "model_type": "unigram",
        "vocab_size": vocab_size,
        "character_coverage": 1.0,
        "hard_vocab_limit": False,
        # OPUS-MT's spm models use the sentencepiece defaults: <unk>=0, <s>=1, </s>=2.
        "unk_id": 0,
        "bos_id": 1,
        "eos_id": 2,
        "pad_id": -1,
        "num_threads": max(1, min(4, os.cpu_count() or 1)),
        "minloglevel": 2,
    }
    kwargs.update(options)
    spm.SentencePieceTrainer.train(**kwargs)
    if not buf.getvalue():
        raise RuntimeError("sentencepiece produced an empty model")
    model = out_prefix.with_name(out_prefix.name + ".model")
    model.write_bytes(buf.getvalue())
    return model


def spm_pieces(model_path: Path) -> list[str]:
    """All normal pieces of an spm model, in id order, without control/unknown pieces."""
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    return [
        sp.id_to_piece(i)
        for i in range(sp.get_piece_size())
        if not (sp.is_control(i) or sp.is_unknown(i))
    ]


# --------------------------------------------------------------------------- Marian vocab


def _yaml_quote(token: str) -> str:
    """Double-quote a token the way ``ctranslate2.converters.marian.load_vocab`` unquotes it."""
    if len(token) == 1 and (ord(token) < 0x20 or 0x7F <= ord(token) <= 0x9F):
        return f'"\\x{ord(token):02x}"'
    return '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_marian_vocab(tokens: list[str], path: Path) -> Path:
    """Write a Marian YAML vocabulary (``"token": id`` per line) and check it round-trips."""
    if len(set(tokens)) != len(tokens):
        raise ValueError("duplicate tokens in vocabulary")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{_yaml_quote(tok)}: {i}\n" for i, tok in enumerate(tokens))
    try:
        from ctranslate2.converters.marian import load_vocab
    except ImportError:  # pragma: no cover - ctranslate2 is a hard dependency of naql
        load_vocab = None
    if load_vocab is not None and load_vocab(str(path)) != tokens:
        raise RuntimeError(f"{path} does not round-trip through marian.load_vocab")
    return path


# --------------------------------------------------------------------------- Marian npz


def _marian_model_yml(spec: SizeSpec, vocab_size: int) -> str:
    # Key set and order follow a real OPUS-MT transformer-align model's special:model.yml.
    config = {
        "type": "transformer",
        "dim-vocabs": [vocab_size, vocab_size],
        "dim-emb": spec.dim,
        "dim-rnn": 1024,
        "enc-type": "bidirectional",
        "enc-cell": "gru",
        "enc-cell-depth": 1,
        "enc-depth": spec.layers,
        "dec-cell": "gru",
        "dec-cell-base-depth": 2,
        "dec-cell-high-depth": 1,
        "dec-depth": spec.layers,
        "skip": False,
        "layer-normalization": False,
        "right-left": False,
        "input-types": [],
        "best-deep": False,
        "tied-embeddings": False,
        "tied-embeddings-src": False,
        "tied-embeddings-all": True,
        "transformer-heads": spec.heads,
        "transformer-no-projection": False,
        "transformer-pool": False,
        "transformer-dim-ffn": spec.ffn,
        "transformer-ffn-depth": 2,
        "transformer-ffn-activation": "swish",
        "transformer-dim-aan": spec.ffn,
        "transformer-aan-depth": 2,
        "transformer-aan-activation": "swish",
        "transformer-aan-nogate": False,
        "transformer-decoder-autoreg": "self-attention",
        "transformer-tied-layers": [],
        "transformer-guided-alignment-layer": "last",
        "transformer-preprocess": "",
        "transformer-postprocess": "dan",
        "transformer-postprocess-emb": "d",
        "transformer-postprocess-top": "",
        "transformer-train-position-embeddings": False,
        "transformer-depth-scaling": False,
        "bert-mask-symbol": "[MASK]",
        "bert-sep-symbol": "[SEP]",
        "bert-class-symbol": "[CLS]",
        "bert-masking-fraction": 0.15,
        "bert-train-type-embeddings": True,
        "bert-type-vocab-size": 2,
        "dropout-rnn": 0,
        "dropout-src": 0,
        "dropout-trg": 0,
        "transformer-dropout": 0.1,
        "transformer-dropout-attention": 0,
        "transformer-dropout-ffn": 0,
        "max-length": 500,
        "max-length-crop": False,
        "version": "v1.7.6 02f4af4 2019-08-14 tinymodel",
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False, allow_unicode=True)


def _noise(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _glorot(rng: np.random.Generator, fan_in: int, fan_out: int, gain: float = 1.0) -> np.ndarray:
    # Marian stores W as [in, out] and initialises with glorot-uniform.
    limit = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


# How the random-but-shaped weights work (all W are [in, out], y = x @ W):
#
# * Every sublayer is glorot-random but scaled by _NOISE, so in Marian's post-norm
#   layers (x = LN(x + f(x))) it only perturbs the residual stream.  No matrix is exactly
#   zero, so int8/float16 conversion behaves as it does for a real model.
# * The sinusoidal position table (which CTranslate2 adds to the sqrt(d)-scaled
#   embeddings) pairs dim m (sin) with dim d/2+m (cos), frequency w_m = 10000^(-2m/d).
#   The k highest-frequency pairs ("P" dims) plus one near-constant dim (the lowest
#   frequency sin, "ref") are reserved: embeddings are zero there.  The rest ("C") holds
#   token content.
# * The last decoder layer's context attention (Marian's guided-alignment layer) reads
#   only the P dims: keys are PE(s), queries PE(t) rotated by `offset` positions, so
#   sum_m cos(w_m (t + offset - s)) peaks at source position s = t + offset.  Subtracting
#   the ref dim cancels LayerNorm's position-dependent mean shift.  Values copy the C
#   dims, strongly, into the residual stream.
# * Logits are h . Wemb (tied), so decoder step t scores highest the source piece at
#   t + offset (a monotonic "word-by-word" model), or, where the output bias bans that
#   piece (Latin-only pieces, <unk>, language labels), its nearest allowed neighbour in
#   embedding space.  Reaching the source's </s> emits </s>, so output length tracks
#   input length and decoding stops by itself.
_NOISE = 0.02
_EMB_NORM = 2.0  # L2 norm of every content embedding row
_ATTN_GAIN = 12.0  # alpha in the positional query/key projections
_VALUE_GAIN = 8.0  # how strongly the attended source content overrides the residual


def _position_dims(d: int, k: int) -> tuple[list[int], list[int], int]:
    sin_dims = list(range(k))
    cos_dims = [d // 2 + m for m in range(k)]
    ref = d // 2 - 1  # sin of the lowest frequency: ~0 for every position we use
    return sin_dims, cos_dims, ref


def _positional_qk(spec: SizeSpec, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Query/key projections that make every head attend from step t to source t+offset."""
    d, heads = spec.dim, spec.heads
    dh = d // heads
    k = dh // 2
    sin_dims, cos_dims, ref = _position_dims(d, k)
    omega = np.power(10000.0, -2.0 * np.arange(k) / d)
    wq = np.zeros((d, d), np.float64)
    wk = np.zeros((d, d), np.float64)
    for h in range(heads):
        for m in range(k):
            a, b = h * dh + 2 * m, h * dh + 2 * m + 1
            c, s = np.cos(omega[m] * offset), np.sin(omega[m] * offset)
            # Query: rotate (sin wt, cos wt) to (sin w(t+o), cos w(t+o)).
            wq[sin_dims[m], a], wq[cos_dims[m], a] = c, s
            wq[sin_dims[m], b], wq[cos_dims[m], b] = -s, c
            wk[sin_dims[m], a] = 1.0
            wk[cos_dims[m], b] = 1.0
    for w in (wq, wk):
        w[ref, :] = -w.sum(axis=0)  # use x_p - x_ref: invariant to LayerNorm's mean shift
    return (_ATTN_GAIN * wq).astype(np.float32), (_ATTN_GAIN * wk).astype(np.float32)


def _embeddings(
    rng: np.random.Generator, spec: SizeSpec, vocab: int
) -> tuple[np.ndarray, np.ndarray]:
    d = spec.dim
    k = (d // spec.heads) // 2
    sin_dims, cos_dims, ref = _position_dims(d, k)
    reserved = sorted(set(sin_dims) | set(cos_dims) | {ref})
    content = np.setdiff1d(np.arange(d), reserved)
    emb = np.zeros((vocab, d), np.float64)
    rows = rng.standard_normal((vocab, len(content)))
    rows -= rows.mean(axis=1, keepdims=True)
    rows *= _EMB_NORM / np.linalg.norm(rows, axis=1, keepdims=True)
    emb[:, content] = rows
    return emb.astype(np.float32), content


def _ln(rng, params: dict, name: str, d: int) -> None:
    params[f"{name}_ln_scale"] = np.ones((1, d), np.float32) + _noise(rng, (1, d), _NOISE)
    params[f"{name}_ln_bias"] = _noise(rng, (1, d), _NOISE)


def _attention(rng, params: dict, prefix: str, d: int, qkvo: dict | None = None) -> None:
    for name in ("q", "k", "v", "o"):
        w = _glorot(rng, d, d, _NOISE)
        if qkvo and name in qkvo:
            w = w + qkvo[name]
        params[f"{prefix}_W{name}"] = w.astype(np.float32)
        params[f"{prefix}_b{name}"] = _noise(rng, (1, d), _NOISE)
    _ln(rng, params, f"{prefix}_Wo", d)


def _ffn(rng, params: dict, prefix: str, d: int, ffn: int) -> None:
    params[f"{prefix}_W1"] = _glorot(rng, d, ffn, _NOISE)
    params[f"{prefix}_b1"] = _noise(rng, (1, ffn), _NOISE)
    params[f"{prefix}_W2"] = _glorot(rng, ffn, d, _NOISE)
    params[f"{prefix}_b2"] = _noise(rng, (1, d), _NOISE)
    _ln(rng, params, f"{prefix}_ffn", d)


def _is_banned(tok: str, banned: set[str]) -> bool:
    if tok == "<unk>" or tok in banned or tok.startswith(">>"):
        return True
    return bool(_LATIN_RE.search(tok)) and not _ARABIC_RE.search(tok)


def _output_bias(tokens: list[str], banned: set[str], eos_bias: float) -> np.ndarray:
    """Output-layer bias: keep </s> rare, ban <unk>, labels and Latin-script pieces."""
    bias = np.zeros((1, len(tokens)), np.float32)
    for i, tok in enumerate(tokens):
        if tok == "</s>":
            bias[0, i] = eos_bias
        elif _is_banned(tok, banned):
            bias[0, i] = _BANNED_BIAS
        elif _ARABIC_RE.search(tok):
            bias[0, i] = 1.0  # favour Arabic-script pieces over bare punctuation/digits
    return bias


def write_marian_npz(
    path: Path,
    tokens: list[str],
    *,
    size: str = "tiny",
    banned: set[str] = frozenset(),
    offset: int = 0,
    seed: int = _SEED,
) -> Path:
    """Write a Marian post-norm transformer npz (tied embeddings, "random" weights).

    ``tokens`` is the Marian vocabulary (``</s>`` first for OPUS-MT; anywhere for the
    NLLB/M2M shapes, which start with ``<s> <pad> </s> <unk>``).  ``banned`` pieces get a
    strongly negative output bias.  ``offset`` is how many source tokens precede the
    text (1 for a ``>>ara<<`` label): decoder step t copies source position t+offset.
    """
    spec = _size(size)
    if "</s>" not in tokens:
        raise ValueError("the vocabulary has no </s>")
    rng = np.random.default_rng(seed)
    d, V = spec.dim, len(tokens)
    params: dict[str, np.ndarray] = {}
    emb, content = _embeddings(rng, spec, V)
    params["Wemb"] = emb
    for i in range(1, spec.layers + 1):
        _attention(rng, params, f"encoder_l{i}_self", d)
        _ffn(rng, params, f"encoder_l{i}_ffn", d, spec.ffn)
    wq, wk = _positional_qk(spec, offset)
    copy = np.zeros((d, d), np.float32)
    copy[content, content] = _VALUE_GAIN
    for i in range(1, spec.layers + 1):
        _attention(rng, params, f"decoder_l{i}_self", d)
        last = i == spec.layers
        qkvo = {"q": wq, "k": wk, "v": copy, "o": np.eye(d, dtype=np.float32)} if last else None
        _attention(rng, params, f"decoder_l{i}_context", d, qkvo)
        _ffn(rng, params, f"decoder_l{i}_ffn", d, spec.ffn)
    params["decoder_ff_logit_out_b"] = _output_bias(tokens, set(banned), spec.eos_bias)
    yml = _marian_model_yml(spec, V).encode("utf-8") + b"\0"
    params["special:model.yml"] = np.frombuffer(yml, dtype=np.int8).copy()
    with open(path, "wb") as f:  # np.savez on a path would append ".npz" to odd names
        np.savez(f, **params)
    return path


# --------------------------------------------------------------------------- zip helpers


def _zip_dir(src: Path, zip_path: Path, *, arc_root: str = "", store_suffixes=(".npz", ".bin")):
    """Zip ``src`` recursively with fixed timestamps; big binary weights are stored."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as zf:
        if arc_root:
            info = zipfile.ZipInfo(arc_root.rstrip("/") + "/", date_time=_ZIP_DATE)
            info.external_attr = (0o40755 << 16) | 0x10
            zf.writestr(info, b"")
        for p in sorted(src.rglob("*")):
            rel = p.relative_to(src).as_posix()
            name = f"{arc_root.rstrip('/')}/{rel}" if arc_root else rel
            if p.is_dir():
                info = zipfile.ZipInfo(name + "/", date_time=_ZIP_DATE)
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
                continue
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = (
                zipfile.ZIP_STORED if p.name.endswith(store_suffixes) else zipfile.ZIP_DEFLATED
            )
            with open(p, "rb") as fin, zf.open(info, "w") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
    return zip_path


# --------------------------------------------------------------------------- OPUS-MT


def _opus_names(size: str) -> tuple[str, str]:
    spec = _size(size)
    tag = f"spm{spec.vocab // 1000}k" if spec.vocab >= 1000 else f"spm{spec.vocab}"
    stem = f"opus.{tag}-{tag}"
    return f"{stem}.transformer-align.model1.npz.best-perplexity.npz", f"{stem}.vocab.yml"


_OPUS_LICENSE = """\
All OPUS-MT models are released under a CC-BY 4.0 license.

This release is a naql TEST FIXTURE built by tests/tinymodel.py: its weights are
random and it translates nothing. Its sentencepiece models were trained on the
FLORES-200 dev set (CC BY-SA 4.0).
"""


def _source_lines(sources: tuple[str, ...], lines: int | None) -> list[str]:
    corpora = [OPUS_CODES[c] for c in sources if c in OPUS_CODES]
    if not corpora:
        raise ValueError(f"tinymodel has no training text for any of {sources}")
    return [ln for lang in corpora for ln in read_corpus(lang, lines)]


def _write_opus_release_dir(
    out: Path, size: str, multi_target: bool, sources: tuple[str, ...] = ("eng",)
) -> None:
    spec = _size(size)
    npz_name, vocab_name = _opus_names(size)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tinymodel-spm-") as tmp:
        src_model = train_spm(_source_lines(sources, spec.lines), Path(tmp) / "source", spec.vocab)
        tgt_model = train_spm(read_corpus("ar", spec.lines), Path(tmp) / "target", spec.vocab)
        shutil.copyfile(src_model, out / "source.spm")
        shutil.copyfile(tgt_model, out / "target.spm")
    src_pieces = spm_pieces(out / "source.spm")
    tgt_pieces = spm_pieces(out / "target.spm")

    # Marian vocab: </s>=0, <unk>=1 (spm's <unk>/<s>/</s> map onto these), language
    # labels next (every multi-target training line starts with one), then the union.
    tokens = ["</s>", "<unk>"]
    if multi_target:
        tokens += list(TARGET_LANGUAGE_TOKENS)
    seen = set(tokens)
    for piece in tgt_pieces + src_pieces:
        if piece not in seen:
            seen.add(piece)
            tokens.append(piece)
    source_only = set(src_pieces) - set(tgt_pieces)
    write_marian_vocab(tokens, out / vocab_name)
    write_marian_npz(
        out / npz_name, tokens, size=size, banned=source_only, offset=1 if multi_target else 0
    )

    decoder = {
        "models": [npz_name],
        "vocabs": [vocab_name, vocab_name],
        "beam-size": 6,
        "normalize": 1,
        "word-penalty": 0,
        "mini-batch": 16,
        "maxi-batch": 100,
        "maxi-batch-sort": "src",
        "relative-paths": True,
    }
    (out / "decoder.yml").write_text(
        yaml.safe_dump(decoder, sort_keys=False, default_flow_style=False), encoding="utf-8"
    )
    label = (
        f"* a sentence initial language token is required in the form of `>>id<<` "
        f"(id = valid target language ID)\n* valid language labels: "
        f"{' '.join(TARGET_LANGUAGE_TOKENS)}\n"
        if multi_target
        else ""
    )
    (out / "README.md").write_text(
        f"# {npz_name.split('.transformer')[0]}.zip (naql test fixture: random weights)\n\n"
        f"* dataset: opus\n* model: transformer-align\n* source language(s): {' '.join(sources)}\n"
        f"* target language(s): {'ara arz apc acm ary' if multi_target else 'ara'}\n"
        f"* pre-processing: normalization + SentencePiece (spm{spec.vocab},spm{spec.vocab})\n"
        f"{label}* size: {size} ({spec.layers}+{spec.layers} layers, d={spec.dim})\n",
        encoding="utf-8",
    )
    (out / "LICENSE").write_text(_OPUS_LICENSE, encoding="utf-8")


def build_opus_mt_release(
    out_dir: Path,
    *,
    size: str = "tiny",
    multi_target: bool = True,
    zip_name: str = "opus-tiny.zip",
    sources: tuple[str, ...] = ("eng",),
) -> Path:
    """Build an OPUS-MT release zip (flat: decoder.yml, npz, vocab.yml, spm, README, LICENSE).

    ``sources`` are the ISO 639-3 codes the README lists as source languages; the source
    SentencePiece model is trained on those tinymodel has text for (eng, fra, spa).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / zip_name
    with tempfile.TemporaryDirectory(prefix="tinymodel-opus-") as tmp:
        release = Path(tmp) / "release"
        _write_opus_release_dir(release, size, multi_target, tuple(sources))
        _zip_dir(release, zip_path)
    return zip_path


# --------------------------------------------------------------------------- CTranslate2


def _convert_marian(release_dir: Path, out_dir: Path) -> None:
    import ctranslate2

    ctranslate2.converters.OpusMTConverter(str(release_dir)).convert(
        str(out_dir), quantization=None, force=True
    )


def build_ct2_dir(out_dir: Path, *, size: str = "tiny", multi_target: bool = False) -> Path:
    """Build a converted CTranslate2 model dir (model.bin, config.json, shared_vocabulary.*,
    plus source.spm and target.spm).  Returns ``out_dir``."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="tinymodel-ct2-") as tmp:
        release = Path(tmp) / "release"
        _write_opus_release_dir(release, size, multi_target)
        _convert_marian(release, out_dir)
        for name in ("source.spm", "target.spm"):
            shutil.copyfile(release / name, out_dir / name)
    return out_dir


# --------------------------------------------------------------------------- NLLB / M2M-100


def _multilingual_converter(model_path: Path, vocab_path: Path):
    """A MarianConverter whose TransformerSpec gets the config of a Transformers conversion."""
    from ctranslate2.converters.marian import MarianConverter

    class _Converter(MarianConverter):
        def _load(self):
            spec = super()._load()
            # As ct2-transformers-converter writes NLLB / M2M-100: the caller adds </s> (the
            # Hugging Face tokenizer does), and decoding starts from </s>.
            spec.config.add_source_eos = False
            spec.config.decoder_start_token = "</s>"
            return spec

    return _Converter(str(model_path), [str(vocab_path), str(vocab_path)])


def language_token(family: str, lang: str) -> str:
    """The token a multilingual family uses for an ISO 639-1 language."""
    return NLLB_TOKENS[lang] if family == "nllb" else f"__{lang}__"


def build_multilingual_ct2_dir(
    out_dir: Path,
    *,
    size: str = "tiny",
    family: str = "nllb",
    languages: tuple[str, ...] = ("en", "fr", "es", "de", "ar"),
) -> Path:
    """Build a CTranslate2 folder shaped like NLLB-200 (``family="nllb"``) or M2M-100
    (``family="m2m100"``) converted by ct2-transformers-converter.  Returns ``out_dir``.

    Files: ``model.bin``, ``config.json``, ``shared_vocabulary.json`` (``<s> <pad> </s> <unk>``,
    the pieces, the language tokens, then ``<mask>`` / made-up words as in the real
    vocabularies) and ``sentencepiece.bpe.model`` (one model for every language).
    """
    if family not in ("nllb", "m2m100"):
        raise ValueError(f"unknown family {family!r}; expected 'nllb' or 'm2m100'")
    spec = _size(size)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="tinymodel-multi-") as tmp:
        tmp = Path(tmp)
        lines = [
            ln for lang in languages if lang in CORPUS_FILES for ln in read_corpus(lang, spec.lines)
        ]
        joint = train_spm(lines, tmp / "joint", spec.vocab * 2)
        tokens = ["<s>", "<pad>", "</s>", "<unk>"]
        tokens += [p for p in spm_pieces(joint) if p not in tokens]
        tokens += [language_token(family, lang) for lang in languages]
        tokens += ["<mask>"] if family == "nllb" else ["madeupword0000", "madeupword0001"]
        write_marian_vocab(tokens, tmp / "vocab.yml")
        # Source: [lang token, p1..pn, </s>]; target: [</s> start, arb_Arab prefix, y1..yn]:
        # decoder step t (t >= 1) copies source position t, so offset 0.
        write_marian_npz(tmp / "model.npz", tokens, size=size, offset=0)
        _multilingual_converter(tmp / "model.npz", tmp / "vocab.yml").convert(
            str(out_dir), quantization=None, force=True
        )
        shutil.copyfile(joint, out_dir / "sentencepiece.bpe.model")
    return out_dir


# --------------------------------------------------------------------------- Argos


def build_argos_package(
    out_path: Path,
    *,
    size: str = "tiny",
    package_version: str = "1.0",
    target_prefix: str | None = None,
) -> Path:
    """Build an Argos Translate ``.argosmodel`` (zip with one top-level folder)."""
    spec = _size(size)
    out_path = Path(out_path)
    folder = f"translate-en_ar-{size}"
    with tempfile.TemporaryDirectory(prefix="tinymodel-argos-") as tmp:
        tmp = Path(tmp)
        pkg = tmp / folder
        pkg.mkdir()
        lines = read_corpus("en", spec.lines) + read_corpus("ar", spec.lines)
        joint = train_spm(lines, tmp / "joint", spec.vocab * 2)
        shutil.copyfile(joint, pkg / "sentencepiece.model")
        tokens = ["</s>", "<unk>"] + spm_pieces(joint)

        # Build the CT2 model through the Marian converter with the joint vocab, so
        # token strings line up with the single sentencepiece model.
        marian = tmp / "marian"
        marian.mkdir()
        write_marian_vocab(tokens, marian / "vocab.yml")
        write_marian_npz(marian / "model.npz", tokens, size=size)
        (marian / "decoder.yml").write_text(
            yaml.safe_dump({"models": ["model.npz"], "vocabs": ["vocab.yml", "vocab.yml"]}),
            encoding="utf-8",
        )
        _convert_marian(marian, pkg / "model")

        metadata = {
            "package_version": package_version,
            "argos_version": "1.5",
            "from_code": "en",
            "from_name": "English",
            "to_code": "ar",
            "to_name": "Arabic",
            "package_type": "translate",
            "languages": [{"code": "en", "name": "English"}, {"code": "ar", "name": "Arabic"}],
            "links": [],
        }
        if target_prefix is not None:
            metadata["target_prefix"] = target_prefix
        (pkg / "metadata.json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (pkg / "README.md").write_text(
            f"# English - Arabic ({size})\n\nnaql test fixture built by tests/tinymodel.py: "
            "random weights, nonsense output. sentencepiece trained on FLORES-200 dev "
            "(CC BY-SA 4.0).\n",
            encoding="utf-8",
        )
        _zip_dir(pkg, out_path, arc_root=folder)
    return out_path


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--size", choices=sorted(SIZES), default="tiny")
    args = ap.parse_args(argv)
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    steps = [
        (
            "opus-mt zip",
            lambda: build_opus_mt_release(out, size=args.size, zip_name=f"opus-{args.size}.zip"),
        ),
        ("ct2 dir", lambda: build_ct2_dir(out / f"ct2-{args.size}", size=args.size)),
        (
            "nllb ct2 dir",
            lambda: build_multilingual_ct2_dir(out / f"nllb-{args.size}", size=args.size),
        ),
        (
            "argos package",
            lambda: build_argos_package(
                out / f"translate-en_ar-{args.size}.argosmodel", size=args.size
            ),
        ),
    ]
    for label, fn in steps:
        t0 = time.perf_counter()
        path = fn()
        print(f"{label:14s} {path}  ({time.perf_counter() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
