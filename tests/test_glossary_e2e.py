"""The glossary end to end with a real (tiny, random-weight) model: never silently wrong.

Every segment whose source holds a glossary term must either carry the listed Arabic form or
carry a finding an editor will see. The share of terms that protection alone brought through is
printed (it depends on how well the model copies placeholders).
"""

from __future__ import annotations

from pathlib import Path

from qa_corruptions import GLOSSARY, flores_documents
from sqlalchemy import select

from naql.config import parse_config
from naql.pipeline.stages import Context, check_articles, make_segments, translate_articles
from naql.store import Article, State, Store
from naql.translate.glossary import Glossary, Term, upsert
from naql.translate.models import install


def test_glossary_terms_come_out_listed_or_flagged(tmp_path: Path, tiny_release: Path) -> None:
    install(str(tiny_release), tmp_path / "models", name="tiny", progress=False)
    config = parse_config(tmp_path, {"check": {"policy": "hold"}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    terms = [Term(e.english, e.arabic, e.kind) for e in GLOSSARY]
    glossary = Glossary(terms)
    with ctx.store.session() as s:
        for term in terms:
            upsert(s, term)
        for i, doc in enumerate(flores_documents()):
            sources = [src for src, _ in doc]
            if not any(glossary.find(src) for src in sources):
                continue
            article = Article(
                url=f"https://example.org/{i}",
                title=None,
                paragraphs=sources,
                language="en",
                state=State.EXTRACTED.value,
            )
            s.add(article)
            s.flush()
            article.segments = make_segments(article)

    translate_articles(ctx)
    check_articles(ctx)

    with_term = listed = flagged = 0
    with ctx.store.session() as s:
        for article in s.scalars(select(Article)):
            assert article.state in (State.READY.value, State.HELD.value)
            for seg in article.segments:
                matches = glossary.find(seg.source)
                if not matches:
                    continue
                with_term += 1
                if all(m.term.arabic in (seg.translation or "") for m in matches):
                    listed += 1
                else:
                    assert any(
                        f["check"] == "names" and f["severity"] in ("warning", "error")
                        for f in seg.findings or []
                    ), (seg.source, seg.translation, seg.findings)
                    flagged += 1
    stats = ctx.stats
    ctx.store.close()
    print(
        f"\nglossary e2e: {with_term} segments with a term; {listed} carry every listed form, "
        f"{flagged} carry a names finding; protection kept {stats.get('restored', 0)} of "
        f"{stats.get('protected', 0)} placeholders ({stats.get('restored', 0) / max(1, stats.get('protected', 0)):.0%})"
    )
    assert with_term >= 50
    assert listed + flagged == with_term  # 100%: never silently wrong


def test_lost_placeholders_are_flagged_not_hidden(tmp_path: Path) -> None:
    from test_pipeline import ScriptedEngine

    config = parse_config(tmp_path, {"check": {"policy": "hold"}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    with ctx.store.session() as s:
        upsert(s, Term("Sergei Lavrov", "سيرغي لافروف", "person"))
        article = Article(
            url="https://example.org/x",
            paragraphs=["Sergei Lavrov spoke on Monday. Talks went on."],
            language="en",
            state=State.EXTRACTED.value,
        )
        s.add(article)
        s.flush()
        article.segments = make_segments(article)
    # An engine that drops every placeholder and misspells nothing else: the term is simply lost.
    engine = ScriptedEngine(lambda sentence: "تحدث المسؤول يوم الاثنين واستمرت المحادثات")
    translate_articles(ctx, engine_factory=lambda language: engine)
    check_articles(ctx)
    with ctx.store.session() as s:
        article = s.scalar(select(Article))
        seg = next(seg for seg in article.segments if "Lavrov" in seg.source)
        checks = {(f["check"], f["severity"]) for f in seg.findings}
        assert ("names", "error") in checks and ("glossary-protection", "info") in checks
        assert article.state == State.HELD.value
    assert ctx.stats["protected"] == 1 and ctx.stats["restored"] == 0
    ctx.store.close()
