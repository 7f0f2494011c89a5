"""DeepL, Google (v2 and v3), Microsoft and LibreTranslate engines against local fakes of their APIs.

The behaviour every remote engine shares (errors, retries, timeouts, malformed answers, keys kept
out of messages, requests in flight at once) runs for each vendor; then each vendor's wire format
and documented limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fakeapis import (
    DEEPL_KEY,
    FakeAPI,
    FakeDeepL,
    FakeGoogle,
    FakeLibreTranslate,
    FakeMicrosoft,
    arabize,
    google_error,
    microsoft_error,
)

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engines import engine_class, parse_engine
from naql.translate.engines.remote import RemoteEngine

SENTENCES = [
    "The minister met [101] in Geneva on Monday.",
    "Prices rose 5 percent in 2023.",
    "",
    "   ",
    "Talks will resume next week.",
]


def open_engine(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch, language: str = "en", **options: Any
) -> RemoteEngine:
    """The engine for `api`'s kind, pointed at it, with fast retries."""
    monkeypatch.setenv(*api.env)
    conf = parse_engine(f"test-{api.kind}", api.engine_table(**options))
    engine = engine_class(conf.kind).open(conf, None, language)  # type: ignore[attr-defined]
    engine.retry_base = 0.01
    return engine  # type: ignore[no-any-return]


@contextmanager
def opened(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch, language: str = "en", **options: Any
) -> Iterator[RemoteEngine]:
    engine = open_engine(api, monkeypatch, language, **options)
    try:
        yield engine
    finally:
        engine.close()


def batch_sizes(api: FakeAPI) -> list[int]:
    """Texts per request, largest first (requests in flight at once arrive in any order)."""
    return sorted((len(t) for t in api.texts()), reverse=True)


def no_secret(exc: BaseException, *secrets: str) -> None:
    for secret in secrets:
        if secret:
            assert secret not in str(exc)


# -- what every vendor shares --------------------------------------------------------------


@dataclass
class Vendor:
    name: str
    fake: Callable[[], FakeAPI]
    error: Callable[[str], Any]  # the service's error body around a message
    options: dict[str, Any] = field(default_factory=dict)


VENDORS = [
    Vendor("deepl", FakeDeepL, lambda m: {"message": m}),
    Vendor("google-v2", FakeGoogle, lambda m: google_error(400, m, "INVALID_ARGUMENT")),
    Vendor(
        "google-v3",
        FakeGoogle,
        lambda m: google_error(400, m, "INVALID_ARGUMENT"),
        {"version": "v3", "project": "naql-test"},
    ),
    Vendor("microsoft", FakeMicrosoft, lambda m: microsoft_error(400000, m)),
    Vendor("libretranslate", FakeLibreTranslate, lambda m: {"error": m}),
]


@pytest.fixture(params=VENDORS, ids=lambda v: v.name)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def api(vendor: Vendor) -> Iterator[FakeAPI]:
    with vendor.fake() as fake:
        yield fake


@pytest.fixture
def engine(api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch) -> Iterator[RemoteEngine]:
    with opened(api, monkeypatch, **vendor.options, max_retries=2) as e:
        yield e


def test_translates_in_order_keeping_placeholders(engine: RemoteEngine, api: FakeAPI) -> None:
    out = engine.translate(SENTENCES)
    assert out == [arabize(s) if s.strip() else "" for s in SENTENCES]
    assert "[101]" in out[0] and "5" in out[1] and "2023" in out[1]
    assert api.texts() == [[s for s in SENTENCES if s.strip()]]  # blank ones are not sent
    assert engine.usage.requests == 1
    assert engine.usage.characters == sum(len(s) for s in SENTENCES if s.strip())
    assert engine.translate([]) == [] and len(api.requests) == 1


def test_a_refused_input_is_a_translation_error_with_the_service_message(
    engine: RemoteEngine, api: FakeAPI, vendor: Vendor
) -> None:
    api.fail_next(400, vendor.error("Segment 2 is malformed"))
    with pytest.raises(TranslationError) as info:
        engine.translate(["Hello", "World"])
    assert not isinstance(info.value, EngineUnavailable)
    assert "HTTP 400" in str(info.value) and "Segment 2 is malformed" in str(info.value)
    assert len(api.requests) == 1  # not retried


def test_wrong_credentials_make_the_engine_unavailable_without_retrying(
    api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(api.key_env, "wrong-key-4242")
    conf = parse_engine("bad", api.engine_table(**vendor.options))
    with engine_class(conf.kind).open(conf, None, "en") as engine:  # type: ignore[attr-defined]
        with pytest.raises(EngineUnavailable) as info:
            engine.translate(["Hello"])
    assert len(api.requests) == 1
    no_secret(info.value, "wrong-key-4242", api.key)


def test_403_makes_the_engine_unavailable(
    engine: RemoteEngine, api: FakeAPI, vendor: Vendor
) -> None:
    api.fail_next(403, vendor.error("Forbidden"))
    with pytest.raises(EngineUnavailable, match="HTTP 403"):
        engine.translate(["Hello"])
    assert len(api.requests) == 1


def test_429_waits_for_retry_after_then_succeeds(
    engine: RemoteEngine, api: FakeAPI, vendor: Vendor
) -> None:
    api.fail_next(429, vendor.error("Too many requests"), {"Retry-After": "0"})
    assert engine.translate(["Hello"]) == [arabize("Hello")]
    assert len(api.requests) == 2
    assert engine.usage.requests == 2


def test_a_retry_after_beyond_max_retry_wait_passes_the_work_on_at_once(
    api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.fail_next(429, vendor.error("Slow down"), {"Retry-After": "120"})
    with opened(api, monkeypatch, **vendor.options, max_retry_wait=5.0) as engine:
        with pytest.raises(EngineUnavailable, match="Retry-After 120s") as info:
            engine.translate(["Hello"])
    assert info.value.retry_after == 120
    assert len(api.requests) == 1


def test_server_errors_are_retried_then_the_engine_is_unavailable(
    engine: RemoteEngine, api: FakeAPI, vendor: Vendor
) -> None:
    api.fail_next(503, vendor.error("Service unavailable"), times=10)
    with pytest.raises(EngineUnavailable, match="after 3 attempts"):
        engine.translate(["Hello"])
    assert len(api.requests) == 3  # max_retries = 2


def test_a_server_error_then_success(engine: RemoteEngine, api: FakeAPI, vendor: Vendor) -> None:
    api.fail_next(500, vendor.error("Internal error"))
    assert engine.translate(["Hello"]) == [arabize("Hello")]
    assert len(api.requests) == 2


def test_a_timeout_makes_the_engine_unavailable(
    api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.delay = 1.0
    with opened(api, monkeypatch, **vendor.options, timeout=0.2, max_retries=0) as engine:
        with pytest.raises(EngineUnavailable, match="timed out"):
            engine.translate(["Hello"])


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("json", "not JSON"),
        ("shape", "unexpected answer"),
        ("count", "answered 1 translations for 2 texts"),
    ],
)
def test_a_malformed_answer_makes_the_engine_unavailable(
    engine: RemoteEngine, api: FakeAPI, mode: str, message: str
) -> None:
    api.malformed = mode
    with pytest.raises(EngineUnavailable, match=message):
        engine.translate(["Hello", "World"])
    assert engine.usage.characters == 0  # nothing translated, nothing counted


def test_the_key_never_appears_in_an_error(
    engine: RemoteEngine, api: FakeAPI, vendor: Vendor
) -> None:
    for status, times in ((400, 1), (403, 1), (503, 3)):
        api.fail_next(status, vendor.error(f"request with key {api.key} refused"), times=times)
        with pytest.raises(TranslationError) as info:
            engine.translate(["Hello"])
        assert "***" in str(info.value)
        no_secret(info.value, api.key)


def test_requests_are_in_flight_at_once(
    api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.delay = 0.3
    with opened(api, monkeypatch, **vendor.options, max_in_flight=4) as engine:
        sentences = [f"Story number {i}." for i in range(engine.max_batch_items * 4)]
        out = engine.translate(sentences)
    assert out == [arabize(s) for s in sentences]
    assert len(api.requests) == 4
    assert api.max_concurrent > 1


def test_an_unavailable_engine_stops_sending_queued_batches(
    api: FakeAPI, vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.fail_next(403, vendor.error("Forbidden"), times=100)
    with opened(api, monkeypatch, **vendor.options, max_in_flight=1) as engine:
        sentences = [f"Story number {i}." for i in range(engine.max_batch_items * 3)]
        with pytest.raises(EngineUnavailable):
            engine.translate(sentences)
    assert len(api.requests) == 1


# -- DeepL ---------------------------------------------------------------------------------


@pytest.fixture
def deepl() -> Iterator[FakeDeepL]:
    with FakeDeepL() as fake:
        yield fake


def test_deepl_request_shape(deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(deepl, monkeypatch) as engine:
        engine.translate(["Hello [101].", "Goodbye."])
    (request,) = deepl.requests
    assert request.method == "POST" and request.path == "/v2/translate"
    assert request.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "text": ["Hello [101].", "Goodbye."],
        "source_lang": "EN",
        "target_lang": "AR",
    }


def test_deepl_context_glossary_and_model_type(
    deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {
        "context": "International news.",
        "glossary_id": "gl-123",
        "model": "quality_optimized",
    }
    with opened(deepl, monkeypatch, "de", **options) as engine:
        engine.translate(["Guten Tag."])
    body = deepl.requests[0].body
    assert body["source_lang"] == "DE"
    assert body["context"] == "International news."
    assert body["glossary_id"] == "gl-123"
    assert body["model_type"] == "quality_optimized"
    assert "tag_handling" not in body


def test_deepl_batches_at_50_texts(deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = [f"Sentence {i}." for i in range(120)]
    with opened(deepl, monkeypatch) as engine:
        out = engine.translate(sentences)
    assert batch_sizes(deepl) == [50, 50, 20]
    assert out == [arabize(s) for s in sentences]


def test_deepl_batches_within_128_kib_of_encoded_body(
    deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,500 characters but 3,000 bytes each: by characters 50 would fit, by bytes only 43 do.
    sentences = ["é" * 1499 + str(i % 10) for i in range(60)]
    with opened(deepl, monkeypatch) as engine:
        out = engine.translate(sentences)
    assert len(out) == 60 and all(out)
    assert len(deepl.requests) == 2
    assert all(r.size <= 128 * 1024 for r in deepl.requests)
    assert sum(len(t) for t in deepl.texts()) == 60


def test_deepl_quota_exceeded_is_unavailable(
    deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch
) -> None:
    deepl.fail_next(456, {"message": "Quota Exceeded"}, times=100)
    with opened(deepl, monkeypatch) as engine:
        with pytest.raises(EngineUnavailable, match="(?i)quota exceeded"):
            engine.translate(["Hello"])
    assert len(deepl.requests) == 1
    deepl.reset()
    deepl.fail_next(456, None)
    with opened(deepl, monkeypatch) as engine:
        with pytest.raises(EngineUnavailable, match="HTTP 456 quota exceeded"):
            engine.translate(["Hello"])


def test_deepl_free_keys_use_the_free_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def base_url(key: str, **options: Any) -> str:
        monkeypatch.setenv("NAQL_TEST_DEEPL_KEY", key)
        conf = parse_engine("d", {"kind": "deepl", "key_env": "NAQL_TEST_DEEPL_KEY", **options})
        with engine_class("deepl").open(conf, None, "en") as engine:  # type: ignore[attr-defined]
            return str(engine.client.base_url)

    assert base_url("abc-123:fx").startswith("https://api-free.deepl.com")
    assert base_url("abc-123").startswith("https://api.deepl.com")
    assert base_url("abc-123:fx", url="http://127.0.0.1:9").startswith("http://127.0.0.1:9")


def test_deepl_offers_its_documented_source_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = parse_engine("d", {"kind": "deepl", "key_env": "NAQL_TEST_DEEPL_KEY"})
    cls = engine_class("deepl")
    for language in ("en", "de", "fr", "zh", "ja", "no", "nb", "he", "uk"):
        assert cls.offers(conf, None, language), language  # type: ignore[attr-defined]
    for language in ("ar", "sw", "fa", "hi", "ur"):
        assert not cls.offers(conf, None, language), language  # type: ignore[attr-defined]
    monkeypatch.setenv("NAQL_TEST_DEEPL_KEY", DEEPL_KEY)
    with pytest.raises(EngineUnavailable, match="does not translate sw"):
        cls.open(conf, None, "sw")  # type: ignore[attr-defined]


def test_deepl_without_a_key_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAQL_TEST_DEEPL_KEY", raising=False)
    conf = parse_engine("d", {"kind": "deepl", "key_env": "NAQL_TEST_DEEPL_KEY"})
    with pytest.raises(EngineUnavailable, match="NAQL_TEST_DEEPL_KEY"):
        engine_class("deepl").open(conf, None, "en")  # type: ignore[attr-defined]


def test_deepl_unknown_option_is_a_config_error() -> None:
    from naql.errors import ConfigError

    with pytest.raises(ConfigError, match="glossary_id"):
        parse_engine("d", {"kind": "deepl", "glossary": "x"})


# -- Google --------------------------------------------------------------------------------


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


def test_google_v2_request_shape(google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(google, monkeypatch) as engine:
        engine.translate(["Hello [101].", "Goodbye."])
    (request,) = google.requests
    assert request.path == "/language/translate/v2"
    assert request.headers["x-goog-api-key"] == google.key
    assert "key" not in request.query  # the key stays out of URLs
    assert request.body == {
        "q": ["Hello [101].", "Goodbye."],
        "source": "en",
        "target": "ar",
        "format": "text",
    }


def test_google_v2_model_and_language_codes(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(google, monkeypatch, "zh", model="nmt") as engine:
        engine.translate(["你好"])
    assert google.requests[0].body["source"] == "zh-CN"
    assert google.requests[0].body["model"] == "nmt"


def test_google_v2_batches_at_128_segments_and_5000_characters(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(google, monkeypatch) as engine:
        engine.translate([f"Sentence {i}." for i in range(300)])
        assert batch_sizes(google) == [128, 128, 44]
        google.reset()
        engine.translate(["x" * 399 + "." for _ in range(30)])
    assert all(sum(len(t) for t in texts) <= 5_000 for texts in google.texts())
    assert batch_sizes(google) == [12, 12, 6]


def test_google_v2_invalid_key_is_unavailable_though_google_answers_400(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(google, monkeypatch) as engine:
        engine.client.headers["X-goog-api-key"] = "not-the-key"
        with pytest.raises(EngineUnavailable, match="API_KEY_INVALID"):
            engine.translate(["Hello"])


def test_google_daily_limit_and_unsupported_language_are_unavailable(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(google, monkeypatch) as engine:
        google.fail_next(403, google_error(403, "Daily Limit Exceeded", "PERMISSION_DENIED"))
        with pytest.raises(EngineUnavailable, match="Daily Limit Exceeded"):
            engine.translate(["Hello"])
        google.fail_next(400, google_error(400, "Bad language pair: xx|ar", "INVALID_ARGUMENT"))
        with pytest.raises(EngineUnavailable, match="Bad language pair"):
            engine.translate(["Hello"])


def test_google_v3_request_shape(google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(google, monkeypatch, version="v3", project="naql-test") as engine:
        assert engine.model == "Cloud Translation Advanced (v3)"
        engine.translate(["Hello [101].", "Goodbye."])
    (request,) = google.requests
    assert request.path == "/v3/projects/naql-test/locations/global:translateText"
    assert request.headers["authorization"] == f"Bearer {google.key}"
    assert "x-goog-api-key" not in request.headers
    assert request.body == {
        "contents": ["Hello [101].", "Goodbye."],
        "sourceLanguageCode": "en",
        "targetLanguageCode": "ar",
        "mimeType": "text/plain",
    }


def test_google_v3_glossary_and_model(google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> None:
    google.glossary_terms = {"Reuters": "رويترز"}
    options = {
        "version": "v3",
        "project": "naql-test",
        "location": "us-central1",
        "glossary": "news",
        "model": "general/nmt",
    }
    with opened(google, monkeypatch, **options) as engine:
        out = engine.translate(["Reuters reported it."])
    body = google.requests[0].body
    assert google.requests[0].path == "/v3/projects/naql-test/locations/us-central1:translateText"
    assert body["glossaryConfig"] == {
        "glossary": "projects/naql-test/locations/us-central1/glossaries/news"
    }
    assert body["model"] == "projects/naql-test/locations/us-central1/models/general/nmt"
    assert out == [arabize("رويترز reported it.")]  # the glossary translation is the one used


def test_google_v3_glossary_answer_without_glossary_translations(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    google.fail_next(200, {"translations": [{"translatedText": "مرحبا"}]})
    options = {"version": "v3", "project": "p", "glossary": "projects/p/locations/l/glossaries/g"}
    with opened(google, monkeypatch, **options) as engine:
        with pytest.raises(EngineUnavailable, match="glossaryTranslations"):
            engine.translate(["Hello"])
    assert (
        google.requests[0].body["glossaryConfig"]["glossary"]
        == "projects/p/locations/l/glossaries/g"
    )


def test_google_v3_batches_at_1024_contents_and_30000_codepoints(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(google, monkeypatch, version="v3", project="p") as engine:
        engine.translate([f"S{i}." for i in range(2100)])
        assert batch_sizes(google) == [1024, 1024, 52]
        google.reset()
        engine.translate(["x" * 999 + "." for _ in range(70)])
    assert batch_sizes(google) == [30, 30, 10]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"version": "v4"}, "version = 'v4' is invalid"),
        ({"version": "v3"}, "needs project"),
        ({"glossary": "news"}, "glossary needs version"),
    ],
)
def test_google_settings_that_cannot_work(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(EngineUnavailable, match=message):
        open_engine(google, monkeypatch, **options)


# -- Microsoft -----------------------------------------------------------------------------


def test_microsoft_request_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeMicrosoft(region="westeurope") as api:
        with opened(api, monkeypatch, region="westeurope", model="cat-123") as engine:
            engine.translate(["Hello [101].", "Goodbye."])
        (request,) = api.requests
    assert request.path == "/translate"
    assert request.query == {
        "api-version": ["3.0"],
        "from": ["en"],
        "to": ["ar"],
        "category": ["cat-123"],
    }
    assert request.headers["ocp-apim-subscription-key"] == api.key
    assert request.headers["ocp-apim-subscription-region"] == "westeurope"
    assert request.headers["x-clienttraceid"]
    assert request.body == [{"Text": "Hello [101]."}, {"Text": "Goodbye."}]


def test_microsoft_without_category_region_and_with_its_language_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeMicrosoft() as api, opened(api, monkeypatch, "zh") as engine:
        engine.translate(["你好"])
        request = api.requests[0]
    assert request.query == {"api-version": ["3.0"], "from": ["zh-Hans"], "to": ["ar"]}
    assert "ocp-apim-subscription-region" not in request.headers


def test_microsoft_regional_resource_without_region_is_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeMicrosoft(region="westeurope") as api, opened(api, monkeypatch) as engine:
        with pytest.raises(EngineUnavailable, match="HTTP 401 .*401000"):
            engine.translate(["Hello"])


def test_microsoft_batches_at_1000_elements_and_50000_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeMicrosoft() as api, opened(api, monkeypatch) as engine:
        engine.translate([f"S{i}." for i in range(2500)])
        assert batch_sizes(api) == [1000, 1000, 500]
        api.reset()
        engine.translate(["x" * 9_999 + "." for _ in range(12)])
        assert batch_sizes(api) == [5, 5, 2]


def test_microsoft_unsupported_language_is_unavailable_too_long_text_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeMicrosoft() as api, opened(api, monkeypatch, "xx") as engine:
        api.fail_next(400, microsoft_error(400035, "The source language is not valid."))
        with pytest.raises(EngineUnavailable, match=r"\[400035\]"):
            engine.translate(["Hello"])
        api.fail_next(400, microsoft_error(400050, "The input text is too long."))
        with pytest.raises(TranslationError, match=r"\[400050\]") as info:
            engine.translate(["Hello"])
        assert not isinstance(info.value, EngineUnavailable)


# -- LibreTranslate ------------------------------------------------------------------------


def test_libretranslate_request_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLibreTranslate() as api, opened(api, monkeypatch, "fr") as engine:
        engine.translate(["Bonjour [101].", "Au revoir."])
        (request,) = api.requests
    assert request.path == "/translate"
    assert request.body == {
        "q": ["Bonjour [101].", "Au revoir."],
        "source": "fr",
        "target": "ar",
        "format": "text",
        "api_key": api.key,
    }


def test_libretranslate_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLibreTranslate(api_key=None) as api:
        monkeypatch.delenv(api.key_env, raising=False)
        conf = parse_engine("lt", {"kind": "libretranslate", "url": api.url})
        with engine_class("libretranslate").open(conf, None, "en") as engine:  # type: ignore[attr-defined]
            assert engine.translate(["Hello"]) == [arabize("Hello")]
        assert "api_key" not in api.requests[0].body


def test_libretranslate_server_needing_a_key_is_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeLibreTranslate() as api:
        monkeypatch.delenv(api.key_env, raising=False)
        conf = parse_engine("lt", {"kind": "libretranslate", "url": api.url})
        with engine_class("libretranslate").open(conf, None, "en") as engine:  # type: ignore[attr-defined]
            with pytest.raises(EngineUnavailable, match="API key"):
                engine.translate(["Hello"])


def test_libretranslate_stays_within_the_servers_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLibreTranslate() as api:
        api.batch_limit = 10
        with opened(api, monkeypatch, batch_limit=10, char_limit=200) as engine:
            engine.translate([f"Sentence {i}." for i in range(25)])
            assert batch_sizes(api) == [10, 10, 5]
            api.reset()
            engine.translate(["x" * 99 + "." for _ in range(5)])
            assert batch_sizes(api) == [2, 2, 1]
        api.reset()
        with opened(api, monkeypatch) as engine:  # defaults beyond the server's limit
            with pytest.raises(TranslationError, match="exceeds text limit"):
                engine.translate([f"Sentence {i}." for i in range(25)])


def test_libretranslate_language_the_server_lacks_is_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeLibreTranslate() as api, opened(api, monkeypatch, "sw") as engine:
        with pytest.raises(EngineUnavailable, match="sw is not supported"):
            engine.translate(["Habari"])


def test_libretranslate_needs_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = parse_engine("lt", {"kind": "libretranslate"})
    with pytest.raises(EngineUnavailable, match="set url"):
        engine_class("libretranslate").open(conf, None, "en")  # type: ignore[attr-defined]
