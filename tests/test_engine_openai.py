"""The `openai` engine (an LLM over the Chat Completions API) against a real local fake server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_llm import FakeLLM, completion, pseudo_arabic

from naql.errors import ConfigError, EngineUnavailable, TranslationError
from naql.translate.engine import TITLE, Document
from naql.translate.engines import parse_engine
from naql.translate.engines.openai import OpenAIEngine, UnalignedReply, align

ARTICLE = Document(
    segments=[
        "Storm hits [101] coast",
        "The storm reached land on Monday.",
        "It killed 12 people, officials said.",
        "",
        '"We are rebuilding," [102] said.',
    ],
    paragraphs=[TITLE, 0, 0, 1, 2],
    glossary=[("Florida", "فلوريدا"), ("Ron DeSantis", "رون ديسانتيس")],
)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def engine_for(fake: FakeLLM, **options: Any) -> OpenAIEngine:
    conf = parse_engine(
        "llm", {"kind": "openai", "url": fake.url + "/v1", "model": "test-model", **options}
    )
    engine = OpenAIEngine.open(conf, None, "en")
    assert isinstance(engine, OpenAIEngine)
    engine.retry_base = 0.01
    return engine


def expected(document: Document) -> list[str]:
    return [pseudo_arabic(s) if s.strip() else "" for s in document.segments]


# -- the request --------------------------------------------------------------------------------


def test_request_shape_without_key(fake: FakeLLM) -> None:
    with engine_for(fake, temperature=0.2, max_tokens=900) as engine:
        engine.translate_documents([ARTICLE])
    (request,) = fake.requests
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    assert request.query == ""
    assert "authorization" not in request.headers and "api-key" not in request.headers
    assert request.headers["content-type"] == "application/json"
    body = request.body
    assert body["model"] == "test-model"
    assert body["temperature"] == 0.2 and body["max_tokens"] == 900
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    system = body["messages"][0]["content"]
    assert "Modern Standard Arabic" in system and "English" in system and "[101]" in system
    assert set(body) == {"model", "messages", "temperature", "max_tokens"}


def test_max_tokens_zero_is_not_sent(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        engine.translate(["Hello."])
    body = fake.requests[0].body
    assert "max_tokens" not in body and body["temperature"] == 0.0


def test_bearer_key_when_configured(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test-123")
    fake.api_key = "sk-test-123"
    with engine_for(fake, key_env="TEST_LLM_KEY") as engine:
        assert engine.translate(["Hello."]) == [pseudo_arabic("Hello.")]
    assert fake.requests[0].headers["authorization"] == "Bearer sk-test-123"


def test_azure_api_version_and_api_key_header(
    fake: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_AZURE_KEY", "azure-key-1")
    fake.api_key = "azure-key-1"
    conf = parse_engine(
        "azure",
        {
            "kind": "openai",
            "url": fake.url + "/openai/deployments/gpt-4o-news",
            "model": "gpt-4o-news",
            "api_version": "2024-10-21",
            "key_env": "TEST_AZURE_KEY",
        },
    )
    with OpenAIEngine.open(conf, None, "en") as engine:
        assert engine.translate(["Hello."]) == [pseudo_arabic("Hello.")]
    (request,) = fake.requests
    assert request.path == "/openai/deployments/gpt-4o-news/chat/completions"
    assert request.query == "api-version=2024-10-21"
    assert request.headers["api-key"] == "azure-key-1"
    assert "authorization" not in request.headers


def test_public_api_needs_a_key_and_every_engine_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    conf = parse_engine("gpt", {"kind": "openai", "model": "gpt-4o-mini"})
    with pytest.raises(EngineUnavailable, match="no API key"):
        OpenAIEngine.open(conf, None, "en")
    conf = parse_engine("llm", {"kind": "openai", "url": "http://127.0.0.1:9/v1"})
    with pytest.raises(ConfigError, match=r"\[engines.llm\] needs model"):
        OpenAIEngine.open(conf, None, "en")
    with pytest.raises(ConfigError, match="temperature"):
        OpenAIEngine.open(
            parse_engine(
                "llm", {"kind": "openai", "url": "http://x/v1", "model": "m", "temperature": 3}
            ),
            None,
            "en",
        )


def test_disclosure_names() -> None:
    conf = parse_engine("llm", {"kind": "openai", "url": "http://127.0.0.1:9/v1", "model": "qwen"})
    with OpenAIEngine.open(conf, None, "en") as engine:
        assert (engine.kind, engine.name, engine.model, engine.config_name) == (
            "openai",
            "LLM",
            "qwen",
            "llm",
        )
        assert engine.document_level


# -- the prompt ---------------------------------------------------------------------------------


def test_prompt_holds_glossary_and_numbered_segments(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        engine.translate_documents([ARTICLE])
    prompt = fake.last_prompt()
    assert "Florida → فلوريدا" in prompt and "Ron DeSantis → رون ديسانتيس" in prompt
    assert fake.requests[0].segments == [
        ("t.s1", "Storm hits [101] coast"),
        ("p1.s1", "The storm reached land on Monday."),
        ("p1.s2", "It killed 12 people, officials said."),
        ("p2.s1", '"We are rebuilding," [102] said.'),
    ]
    # the title comes first, and paragraphs are separated by a blank line
    lines = prompt.splitlines()
    first = lines.index("[t.s1] Storm hits [101] coast")
    assert lines[first + 1] == "" and lines[first + 2].startswith("[p1.s1]")
    assert lines[first + 3].startswith("[p1.s2]") and lines[first + 4] == ""


def test_prompt_without_glossary_and_other_language(fake: FakeLLM) -> None:
    conf = parse_engine("llm", {"kind": "openai", "url": fake.url + "/v1", "model": "m"})
    with OpenAIEngine.open(conf, None, "fr") as engine:
        engine.translate_documents([Document(["Bonjour."], [0])])
    assert "Glossary" not in fake.last_prompt()
    assert "from French into" in fake.requests[0].system_prompt


def test_system_prompt_override(fake: FakeLLM) -> None:
    with engine_for(fake, system_prompt="Translate {language} news for Al-Naql.") as engine:
        engine.translate(["Hello."])
    assert fake.requests[0].system_prompt == "Translate English news for Al-Naql."


def test_segment_newlines_are_folded(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        out = engine.translate(["Two\nlines  here."])
    assert fake.requests[0].segments == [("p1.s1", "Two lines here.")]
    assert out == [pseudo_arabic("Two lines here.")]


# -- alignment ----------------------------------------------------------------------------------


def test_reply_is_aligned_to_segments(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        (out,) = engine.translate_documents([ARTICLE])
    assert out == expected(ARTICLE)
    assert out[3] == ""  # an empty segment is not sent and stays empty
    assert "12" in out[2] and "[101]" in out[0]


def test_reordered_reply_is_aligned_by_label(fake: FakeLLM) -> None:
    fake.reply_next("Here is the translation:\n```\n[p2.s1] ثانية\n\n[p1.s1] أولى\n```")
    with engine_for(fake) as engine:
        assert engine.translate(["First.", "Second."]) == ["أولى", "ثانية"]


def test_align_strictness() -> None:
    labels = ["t.s1", "p1.s1", "p1.s2"]
    assert align("[t.s1] ع\n[p1.s1] ب\n[p1.s2] ج", labels) == (["ع", "ب", "ج"], "")
    # tolerated: a preamble, code fences, list markers, bold labels, a colon, Arabic-Indic digits
    reply = "Sure:\n```\n- **[t.s1]** ع\n[p١.s١]: ب\n[P1.S2] ج\n```"
    assert align(reply, labels) == (["ع", "ب", "ج"], "")
    assert align("[t.s1] ع\n[p1.s2] ج", labels) == (None, "missing [p1.s1]")
    assert align("[t.s1] ع\n[p1.s1]\n[p1.s2] ج", labels) == (None, "empty [p1.s1]")
    assert align("[t.s1] ع\n[p1.s1] ب\n[p1.s1] ب\n[p1.s2] ج", labels)[1] == "repeated [p1.s1]"
    assert align("[t.s1] ع\n[p1.s1] ب\n[p1.s2] ج\n[p1.s3] د", labels)[1] == "unknown [p1.s3]"
    # text after the first labelled line must be labelled: no commentary, no split answers
    assert align("[t.s1] ع\n[p1.s1] ب\nتتمة\n[p1.s2] ج", labels)[1] == "1 unlabelled line"
    assert align("[t.s1] ع\n[p1.s1] ب\n[p1.s2] ج\nI hope this helps!", labels)[0] is None
    assert align("1. ع\n2. ب\n3. ج", labels)[1] == "missing [t.s1], [p1.s1], [p1.s2]"


def test_think_block_is_ignored(fake: FakeLLM) -> None:
    fake.reply_next("<think>\n[p1.s1] draft\n</think>\n[p1.s1] نهائي")
    with engine_for(fake) as engine:
        assert engine.translate(["Final."]) == ["نهائي"]


def test_missing_segment_is_asked_again_once(fake: FakeLLM) -> None:
    fake.drop_segment_next()
    with engine_for(fake) as engine:
        (out,) = engine.translate_documents([ARTICLE])
    assert out == expected(ARTICLE)
    assert len(fake.chat_requests()) == 2
    assert "could not be used (missing [p1.s2])" in fake.prompts()[1]
    assert engine.usage.requests == 2
    assert engine.usage.characters == sum(len(p) for p in fake.prompts())


def test_missing_segment_twice_refuses_the_article(fake: FakeLLM) -> None:
    # A TranslationError about this article: it alone goes to the next engine, the LLM goes on.
    fake.drop_segment_next(times=2)
    with engine_for(fake) as engine, pytest.raises(UnalignedReply) as info:
        engine.translate_documents([ARTICLE])
    assert str(info.value) == (
        "engine llm: reply could not be aligned to the article's 4 segments (missing [p1.s2])"
    )
    assert len(fake.chat_requests()) == 2


def test_garbled_numbering_is_retried(fake: FakeLLM) -> None:
    fake.garble_next()
    with engine_for(fake) as engine:
        assert engine.translate_documents([ARTICLE]) == [expected(ARTICLE)]
    fake.garble_next(times=2)
    with engine_for(fake) as engine, pytest.raises(UnalignedReply, match="missing"):
        engine.translate_documents([ARTICLE])


def test_truncated_reply_is_asked_for_in_halves(fake: FakeLLM) -> None:
    fake.truncate_next()
    with engine_for(fake) as engine:
        (out,) = engine.translate_documents([ARTICLE])
    assert out == expected(ARTICLE)
    sent = [[label for label, _ in r.segments] for r in fake.chat_requests()]
    assert sent == [["t.s1", "p1.s1", "p1.s2", "p2.s1"], ["t.s1", "p1.s1"], ["p1.s2", "p2.s1"]]
    # the glossary rides with each half
    assert all("Florida → فلوريدا" in p for p in fake.prompts())


def test_truncated_single_segment_is_unaligned(fake: FakeLLM) -> None:
    fake.reply_next("[p1.s1] نص مقطو", finish_reason="length", times=2)
    with engine_for(fake) as engine, pytest.raises(UnalignedReply, match="cut off"):
        engine.translate(["A very long sentence."])
    assert len(fake.chat_requests()) == 2


def test_sentence_fallback(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        assert engine.translate([]) == []
        out = engine.translate(["One [101].", "", "Two 3."])
    assert out == [pseudo_arabic("One [101]."), "", pseudo_arabic("Two 3.")]
    assert fake.requests[0].segments == [("p1.s1", "One [101]."), ("p2.s1", "Two 3.")]


# -- long documents and concurrency -------------------------------------------------------------


def test_long_document_is_split_into_parts(fake: FakeLLM) -> None:
    paragraphs = [TITLE, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 3]
    segments = [f"Sentence {i} of the article." for i in range(len(paragraphs))]
    document = Document(segments, paragraphs, [("Gaza", "غزة")])
    with engine_for(fake, max_segments_per_request=4, max_in_flight=1) as engine:
        (out,) = engine.translate_documents([document])
    assert out == expected(document)
    sent = [[label for label, _ in r.segments] for r in fake.chat_requests()]
    # whole paragraphs while they fit; the 5-sentence paragraph is cut between sentences
    assert sent == [
        ["t.s1", "p1.s1", "p1.s2"],
        ["p2.s1", "p2.s2", "p2.s3", "p3.s1"],
        ["p4.s1", "p4.s2", "p4.s3", "p4.s4"],
        ["p4.s5"],
    ]
    prompts = fake.prompts()
    assert all("Gaza → غزة" in p for p in prompts)
    assert "part 2 of 4" in prompts[1]


def test_parts_bounded_by_characters(fake: FakeLLM) -> None:
    document = Document(["x" * 40, "y" * 40, "z" * 40], [0, 1, 2])
    with engine_for(fake, max_chars_per_request=90, max_in_flight=1) as engine:
        engine.translate_documents([document])
    assert [len(r.segments) for r in fake.chat_requests()] == [2, 1]


def test_documents_are_translated_concurrently(fake: FakeLLM) -> None:
    fake.delay = 0.3
    documents = [
        Document([f"Title {i}", f"Body {i}."], [TITLE, 0], [("Gaza", "غزة")]) for i in range(4)
    ]
    with engine_for(fake) as engine:
        out = engine.translate_documents(documents)
    assert out == [expected(d) for d in documents]
    assert len(fake.chat_requests()) == 4
    assert fake.max_concurrent > 1


def test_empty_documents_send_nothing(fake: FakeLLM) -> None:
    with engine_for(fake) as engine:
        assert engine.translate_documents([Document(["", " "], [0, 1]), Document([], [])]) == [
            ["", ""],
            [],
        ]
    assert fake.requests == []


# -- errors -------------------------------------------------------------------------------------


def test_429_with_retry_after_is_retried(fake: FakeLLM) -> None:
    fake.fail_next(429, headers={"Retry-After": "0"})
    with engine_for(fake) as engine:
        assert engine.translate(["Hello."]) == [pseudo_arabic("Hello.")]
    assert len(fake.chat_requests()) == 2


def test_long_retry_after_passes_to_the_next_engine(fake: FakeLLM) -> None:
    fake.fail_next(429, headers={"Retry-After": "3600"})
    with engine_for(fake) as engine, pytest.raises(EngineUnavailable) as info:
        engine.translate(["Hello."])
    assert info.value.retry_after == 3600


def test_400_is_a_translation_error_with_the_message(fake: FakeLLM) -> None:
    fake.fail_next(
        400,
        {
            "error": {
                "message": "This model's maximum context length is 8192 tokens.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        },
    )
    with engine_for(fake) as engine, pytest.raises(TranslationError) as info:
        engine.translate(["Hello."])
    assert not isinstance(info.value, EngineUnavailable)
    assert str(info.value) == (
        "engine llm: HTTP 400 This model's maximum context length is 8192 tokens."
    )


def test_401_and_404_make_the_engine_unavailable(fake: FakeLLM) -> None:
    fake.fail_next(401)
    with engine_for(fake) as engine, pytest.raises(EngineUnavailable, match="HTTP 401"):
        engine.translate(["Hello."])
    fake.fail_next(
        404,
        {
            "error": {
                "message": "The model `nope` does not exist",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
        },
    )
    with engine_for(fake) as engine, pytest.raises(EngineUnavailable, match="does not exist"):
        engine.translate(["Hello."])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>Bad gateway</html>", "not JSON"),
        ({"object": "chat.completion", "choices": []}, "no choices"),
        ({"choices": [{"index": 0, "finish_reason": "stop"}]}, "no message"),
        ({"choices": [{"message": {"role": "assistant", "content": None}}]}, "no text content"),
        ({"error": {"message": "model is loading"}}, "model is loading"),
    ],
)
def test_malformed_answers_make_the_engine_unavailable(
    fake: FakeLLM, body: Any, message: str
) -> None:
    fake.fail_next(200, body)
    with engine_for(fake) as engine, pytest.raises(EngineUnavailable, match=message):
        engine.translate(["Hello."])


def test_refusal_and_content_filter_are_about_the_input(fake: FakeLLM) -> None:
    refusal = completion("test-model", "")
    refusal["choices"][0]["message"] = {"role": "assistant", "content": None, "refusal": "No."}
    fake.fail_next(200, refusal)
    with engine_for(fake) as engine, pytest.raises(TranslationError, match="refused: No.") as info:
        engine.translate(["Hello."])
    assert not isinstance(info.value, EngineUnavailable)
    fake.reply_next("", finish_reason="content_filter")
    with engine_for(fake) as engine, pytest.raises(TranslationError, match="content filter"):
        engine.translate(["Hello."])


def test_key_never_appears_in_errors(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-proj-SECRET-abc123"
    monkeypatch.setenv("TEST_LLM_KEY", secret)
    fake.api_key = "the-right-key"  # the fake's 401 echoes the key it was sent, as OpenAI's does
    with (
        engine_for(fake, key_env="TEST_LLM_KEY") as engine,
        pytest.raises(EngineUnavailable) as info,
    ):
        engine.translate(["Hello."])
    assert "HTTP 401 Incorrect API key provided: ***." in str(info.value)
    assert secret not in repr(info.value)
    fake.api_key = ""
    fake.fail_next(400, {"error": {"message": f"bad request from {secret}"}})
    fake.fail_next(200, {"error": {"message": f"key {secret} over quota"}})
    for _ in range(2):
        with (
            engine_for(fake, key_env="TEST_LLM_KEY") as engine,
            pytest.raises(TranslationError) as error,
        ):
            engine.translate(["Hello."])
        assert secret not in str(error.value) and secret not in repr(error.value)
        assert "***" in str(error.value)
