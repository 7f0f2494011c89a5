"""News from several languages into Arabic: multi-source OPUS-MT releases and NLLB / M2M-100 folders.

The models are random-weight fixtures in the real on-disk shapes (tests/tinymodel.py): what is
checked is what naql reads from them (languages, tokens, licence), what it feeds them (the source
language token, "</s>", the target prefix) and that their output comes back as Arabic text.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

import pytest
import tinymodel
from conftest import TESTS, LocalServer, local_test_settings, run_naql

from naql.config import parse_config
from naql.errors import ModelError
from naql.translate.engines import configured_engines, open_engine
from naql.translate.engines.ctranslate2 import CTranslate2Engine
from naql.translate.languages import arabic_name, flores_code, iso639_1, iso639_3
from naql.translate.models import describe_model, find_model, install, list_models

PAGES = TESTS / "fixtures" / "multilingual"
FRENCH = [
    "Le ministre de l'Agriculture a présenté mardi un plan d'urgence de 400 millions d'euros.",
    "",
    "« Personne ne sera laissé de côté », a assuré le ministre.",
]
SPANISH = [
    "El ayuntamiento puso en marcha este lunes la primera línea de autobuses eléctricos.",
    "El billete sencillo costará 1,40 euros.",
]


def arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u0600" <= c <= "\u06ff" for c in letters) / max(1, len(letters))


@pytest.fixture(scope="module")
def itc_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A multi-source, multi-target release like Tatoeba's itc-ara: French, Italian, Spanish."""
    return tinymodel.build_opus_mt_release(
        tmp_path_factory.mktemp("itc"),
        size="tiny",
        multi_target=True,
        sources=("fra", "ita", "spa"),
        zip_name="itc-tiny.zip",
    )


@pytest.fixture(scope="module")
def nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tinymodel.build_multilingual_ct2_dir(
        tmp_path_factory.mktemp("nllb") / "nllb-tiny", size="tiny", family="nllb"
    )


def assert_arabic(outputs: list[str], inputs: list[str]) -> None:
    assert len(outputs) == len(inputs)
    for source, out in zip(inputs, outputs, strict=True):
        if not source:
            assert out == ""
            continue
        assert out and arabic_share(out) > 0.9, out


def test_multi_source_release(tmp_path: Path, itc_release: Path) -> None:
    models = tmp_path / "models"
    model = install(str(itc_release), models, progress=False)
    # The languages the release's README states, not the --from default ("en").
    assert model.layout == "opus-mt" and model.languages == {"fr", "it", "es"}
    assert model.source_prefix == [">>ara<<"] and model.family == ""
    assert describe_model(model) == {
        "name": "itc-tiny",
        "layout": "opus-mt",
        "family": None,
        "languages": ["es", "fr", "it"],
        "target": "ar",
        "licence": "CC-BY-4.0",
        "non_commercial": False,
        "origin": str(itc_release.resolve()),
    }
    assert find_model(models, "", "fr").name == find_model(models, "", "es").name == "itc-tiny"
    with pytest.raises(ModelError, match="naql models install opus-mt-de-ar"):
        find_model(models, "", "de")

    installed = find_model(models, "itc-tiny")
    for language, sentences in (("fr", FRENCH), ("es", SPANISH)):
        with CTranslate2Engine(installed, inter_threads=1, source_language=language) as engine:
            assert engine.source_language == language
            # No source-language token: only the target label, then the pieces.
            encoded = engine.encode([s for s in sentences if s])
            assert all(t[0] == ">>ara<<" and t[1] != ">>ara<<" for t in encoded)
            assert_arabic(engine.translate(sentences), sentences)
    with pytest.raises(ModelError, match="translates es, fr, it, not de"):
        CTranslate2Engine(installed, inter_threads=1, source_language="de")


def test_nllb_folder(tmp_path: Path, nllb_dir: Path) -> None:
    models = tmp_path / "models"
    model = install(str(nllb_dir), models, progress=False)
    assert model.layout == "ctranslate2" and model.family == "nllb"
    # Every language token of the vocabulary but Arabic's, in ISO 639-1.
    assert model.languages == {"en", "fr", "es", "de"}
    assert model.source_tokens["fr"] == "fra_Latn" and model.source_tokens["es"] == "spa_Latn"
    assert model.target_prefix == ["arb_Arab"] and model.source_prefix == []
    assert model.source_suffix == ["</s>"]  # its config.json leaves </s> to the caller
    assert model.source_spm == model.target_spm == "sentencepiece.bpe.model"
    described = describe_model(model)
    assert described["licence"] == "CC-BY-NC-4.0" and described["non_commercial"] is True

    config = parse_config(tmp_path, {})
    conf = configured_engines(config)["nllb-tiny"]
    for language, token, sentences in (("fr", "fra_Latn", FRENCH), ("es", "spa_Latn", SPANISH)):
        with open_engine(conf, config, language) as engine:
            assert isinstance(engine, CTranslate2Engine) and engine.source_language == language
            encoded = engine.encode([s for s in sentences if s])
            assert all(t[0] == token and t[-1] == "</s>" for t in encoded)
            assert all(token not in t[1:] for t in encoded)
            out = engine.translate(sentences)
            assert_arabic(out, sentences)
            assert not any(re.search(r"[a-z]{3}_[A-Z][a-z]{3}", o) for o in out)  # prefix stripped
    # A language the model has no token for.
    with pytest.raises(ModelError, match="not ja"):
        open_engine(conf, config, "ja")
    with CTranslate2Engine(find_model(models, "nllb-tiny"), inter_threads=1) as engine:
        with pytest.raises(ModelError, match="not ja"):
            engine.source_language = "ja"
        engine.source_language = "de"
        assert engine.encode(["Guten Morgen."])[0][0] == "deu_Latn"


def test_m2m100_folder(tmp_path: Path) -> None:
    folder = tinymodel.build_multilingual_ct2_dir(
        tmp_path / "m2m-tiny", size="tiny", family="m2m100", languages=("en", "fr", "es", "ar")
    )
    model = install(str(folder), tmp_path / "models", progress=False)
    assert model.family == "m2m100" and model.languages == {"en", "fr", "es"}
    assert model.source_tokens == {"en": "__en__", "fr": "__fr__", "es": "__es__"}
    assert model.target_prefix == ["__ar__"] and model.licence == "MIT"
    with CTranslate2Engine(model, inter_threads=1, source_language="es") as engine:
        assert engine.encode(SPANISH)[0][0] == "__es__"
        assert_arabic(engine.translate(SPANISH), SPANISH)


def test_pair_models_before_massively_multilingual(
    tmp_path: Path, itc_release: Path, nllb_dir: Path
) -> None:
    models = tmp_path / "models"
    install(str(nllb_dir), models, name="a-nllb", progress=False)  # first by name
    install(str(itc_release), models, progress=False)
    assert find_model(models, "", "fr").name == "itc-tiny"
    assert find_model(models, "", "de").name == "a-nllb"  # only NLLB has German
    assert {m.name for m in list_models(models)} == {"a-nllb", "itc-tiny"}


def test_models_installed_before_multilingual_support_still_load(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "old"
    folder.mkdir(parents=True)
    (folder / "naql-model.json").write_text(
        '{"name": "old", "layout": "opus-mt", "source_language": "en", "target_language": "ar",'
        ' "source_spm": "source.spm", "target_spm": "target.spm", "source_prefix": [">>ara<<"],'
        ' "target_prefix": [], "origin": "x"}'
    )
    model = find_model(tmp_path / "models", "", "en")
    assert model.languages == {"en"} and model.source_languages == ["en"]
    assert model.family == "" and model.source_tokens == {} and model.source_suffix == []


def test_language_codes() -> None:
    assert [iso639_1(c) for c in ("fra", "fra_Latn", "pob", "mol", "arb_Arab", "lad")] == [
        "fr",
        "fr",
        "pt",
        "ro",
        "ar",
        None,
    ]
    assert iso639_3("es") == "spa" and iso639_1("es") == "es" and iso639_1("xx") is None
    assert flores_code("fr") == "fra_Latn" and flores_code("ar") == "arb_Arab"
    assert flores_code("zh") == "zho_Hans" and flores_code("fa") == "pes_Arab"
    assert arabic_name("fr") == "الفرنسية" and arabic_name("es") == "الإسبانية"
    assert arabic_name("xx") == "xx"


# -- end to end, as a user runs it -------------------------------------------------------------


def new_site(tmp_path: Path, server: LocalServer, models: list[Path]) -> Path:
    run_naql("init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    local_test_settings(site)
    for model in models:
        if model.is_dir():
            source = str(model)
        else:
            source = server.add(
                f"/models/{model.name}", model.read_bytes(), content_type="application/zip"
            )
        out = run_naql("models", "install", source, cwd=site)
        assert f"installed {model.name.removesuffix('.zip')}" in out.stdout
    return site


def add_pages(site: Path, server: LocalServer) -> dict[str, str]:
    pages = {
        "fr": server.add(
            "/monde/secheresse-aide-agriculteurs.html", (PAGES / "fr-article.html").read_bytes()
        ),
        "es": server.add(
            "/local/autobuses-electricos.html", (PAGES / "es-article.html").read_bytes()
        ),
    }
    for page in pages.values():
        assert "added page" in run_naql("sources", "add", page, "--kind", "page", cwd=site).stdout
    return pages


def assert_published(site: Path, pages: dict[str, str], models: dict[str, str]) -> None:
    """Each page published once, in Arabic, naming the model that translated it."""
    status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)
    assert status["articles"]["published"] == 2 and status["articles"]["held"] == 0
    db = sqlite3.connect(site / "naql.db")
    rows = db.execute("SELECT url, language, slug, model FROM articles ORDER BY id").fetchall()
    db.close()
    assert {(url, language) for url, language, _, _ in rows} == {(u, k) for k, u in pages.items()}
    for url, language, slug, model in rows:
        assert model == models[language]
        page = (site / "site" / "articles" / f"{slug}.html").read_text(encoding="utf-8")
        assert f'href="{html.escape(url)}"' in page  # the source link
        assert models[language] in page and "CTranslate2" in page  # who translated it
        body = re.search(r'<div class="body">(.*?)</div>', page, re.DOTALL)
        assert body, "article page has no body"
        paragraphs = re.findall(r"<p>(.*?)</p>", body.group(1), re.DOTALL)
        assert len(paragraphs) == 5
        assert all(arabic_share(html.unescape(p)) > 0.9 for p in paragraphs)


def test_french_and_spanish_pages_published(
    tmp_path: Path, server: LocalServer, itc_release: Path
) -> None:
    site = new_site(tmp_path, server, [itc_release])
    pages = add_pages(site, server)
    out = run_naql("run", "--no-progress", cwd=site)
    assert "2 published" in out.stdout, out.stdout + out.stderr
    assert_published(site, pages, {"fr": "itc-tiny", "es": "itc-tiny"})


@pytest.mark.slow
def test_nllb_routed_for_spanish(
    tmp_path: Path, server: LocalServer, itc_release: Path, nllb_dir: Path
) -> None:
    """The NLLB folder through the real CLI: Spanish routed to it, French to the OPUS-MT model."""
    site = new_site(tmp_path, server, [itc_release, nllb_dir])
    config = site / "naql.toml"
    text = config.read_text(encoding="utf-8")
    assert "# routes = {}" in text
    config.write_text(text.replace("# routes = {}", 'routes = {es = ["nllb-tiny"]}'), "utf-8")
    listing = run_naql("models", "list", cwd=site).stdout
    assert "itc-tiny" in listing and "nllb-tiny" in listing
    pages = add_pages(site, server)
    out = run_naql("run", "--no-progress", cwd=site)
    assert "2 published" in out.stdout, out.stdout + out.stderr
    assert_published(site, pages, {"fr": "itc-tiny", "es": "nllb-tiny"})
