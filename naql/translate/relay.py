"""From source sentences to Arabic segments: memory, protection, engine, restoration, post-editing.

`SegmentTranslator.translate` is what the translate stage calls for each chunk of sentences. It
keeps the engine batch whole (throughput) and does the per-sentence work around it in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engine import Document, Engine
from naql.translate.glossary import Glossary, Term
from naql.translate.protect import (
    arabic_punctuation,
    candidate_names,
    protect,
    restore,
    unify_names,
)


def memory_key(source: str) -> str:
    """Key of a source sentence in the translation memory (whitespace and case folded)."""
    return hashlib.sha256(" ".join(source.split()).casefold().encode("utf-8")).hexdigest()


@dataclass
class Segment:
    text: str
    origin: str  # "engine" | "memory"
    findings: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Stats:
    protected: int = 0  # glossary terms replaced by placeholders
    restored: int = 0  # ... whose placeholder came back from the engine intact
    names_recorded: int = 0
    variants_fixed: int = 0
    from_memory: int = 0


def _translate_documents(engine: Engine, docs: list[Document]) -> list[list[str]]:
    # Engines that only implement `translate` (duck-typed ones included) get the batching default.
    call = getattr(engine, "translate_documents", None)
    if call is None:
        return Engine.translate_documents(engine, docs)
    return call(docs)  # type: ignore[no-any-return]


def _finding(check: str, severity: str, message: str, message_ar: str, kind: str) -> dict[str, str]:
    return {
        "check": check,
        "severity": severity,
        "kind": kind,
        "message": message,
        "message_ar": message_ar,
    }


class SegmentTranslator:
    def __init__(
        self,
        engine: Engine,
        glossary: Glossary,
        *,
        memory: dict[str, str] | None = None,
        quote_style: str = "“”",
        unify: bool = True,
    ):
        self.engine = engine
        self.glossary = glossary
        self.memory = memory or {}
        self.quote_style = quote_style
        self.unify = unify
        self.stats = Stats()
        self.new_names: list[Term] = []

    def translate(self, sources: Sequence[str]) -> list[Segment]:
        """Translate sentences that belong to no particular article (one document)."""
        return self.translate_documents([[(0, s) for s in sources]])[0]

    def translate_documents(
        self, documents: Sequence[Sequence[tuple[int, str]]]
    ) -> list[list[Segment]]:
        """Translate articles given as (paragraph, source sentence) lists; one Segment each.

        Every document's sentences go to the engine in one `translate_documents` call (sentence
        engines batch them all; an LLM reads each article whole), with the glossary entries found
        in each document.
        """
        sources = [src for doc in documents for _, src in doc]
        owner = [(d, p) for d, doc in enumerate(documents) for p, _ in doc]
        out: list[Segment | None] = [None] * len(sources)
        todo = []
        for i, source in enumerate(sources):
            remembered = self.memory.get(memory_key(source))
            if remembered is not None:
                out[i] = Segment(remembered, "memory")
                self.stats.from_memory += 1
            else:
                todo.append(i)
        names = self._unknown_names([sources[i] for i in todo]) if self.unify else []
        protected = [protect(sources[i], self.glossary) for i in todo]
        docs: list[Document] = []
        members: list[list[int]] = []  # positions in `todo` of each engine document
        by_doc: dict[int, int] = {}
        for k, i in enumerate(todo):
            d = owner[i][0]
            if d not in by_doc:
                by_doc[d] = len(docs)
                docs.append(Document([], []))
                members.append([])
            docs[by_doc[d]].segments.append(protected[k].text)
            docs[by_doc[d]].paragraphs.append(owner[i][1])
            members[by_doc[d]].append(k)
        for doc, ks in zip(docs, members, strict=True):
            doc.glossary = self._glossary_for([sources[todo[k]] for k in ks])
        by_document = getattr(self.engine, "document_level", False)
        if names and not by_document:
            # New names ride in the sentences' engine call: alone they are one small batch that
            # one replica runs while the others idle (measured ~8% of the stage's time).
            docs.append(Document(list(names), list(range(len(names)))))
        translated = _translate_documents(self.engine, docs) if docs else []
        raw = [""] * len(todo)
        for ks, texts in zip(members, translated, strict=False):
            for k, text in zip(ks, texts, strict=True):
                raw[k] = text
        if names and not by_document:
            self._record_names(names, translated[-1])
        elif names:
            # A document engine reads articles, not lists of names: ask separately, and a failed
            # list only means the names are recorded later, never that the article fails.
            try:
                self._record_names(names, self.engine.translate(names))
            except EngineUnavailable:
                raise
            except TranslationError:
                pass

        retry: list[int] = []
        for k, (i, p, text) in enumerate(zip(todo, protected, raw, strict=True)):
            findings: list[dict[str, str]] = []
            if p.slots:
                self.stats.protected += len(p.slots)
                text, complete = restore(text, p.slots)
                if complete:
                    self.stats.restored += len(p.slots)
                else:
                    retry.append(k)
            out[i] = Segment(text, "engine", findings)
        if retry:
            # The engine lost a placeholder: translate those sentences unprotected instead;
            # the names check then verifies the listed forms.
            again = self.engine.translate([sources[todo[k]] for k in retry])
            for k, text in zip(retry, again, strict=True):
                terms = ", ".join(s.term.term for s in protected[k].slots)
                out[todo[k]] = Segment(
                    text,
                    "engine",
                    [
                        _finding(
                            "glossary-protection",
                            "info",
                            f"the engine did not keep the protected term(s) {terms}; translated without protection",
                            f"لم يحافظ المحرك على المصطلح المحمي ({terms})؛ تُرجمت الجملة دون حماية",
                            "meaning",
                        )
                    ],
                )
        for i in todo:
            segment = out[i]
            assert segment is not None
            segment.text = self._post_edit(sources[i], segment)
        result: list[list[Segment]] = [[] for _ in documents]
        for (d, _), segment in zip(owner, out, strict=True):
            assert segment is not None
            result[d].append(segment)
        return result

    def _glossary_for(self, sources: Sequence[str]) -> list[tuple[str, str]]:
        """(term, Arabic form) of every glossary entry found in `sources`, each once."""
        found: dict[str, str] = {}
        for source in sources:
            for m in self.glossary.find(source):
                found.setdefault(m.term.term, m.term.arabic)
        return list(found.items())

    def _post_edit(self, source: str, segment: Segment) -> str:
        text = segment.text
        if self.unify:
            forms = [
                t for t in (self.glossary.get(n) for n in candidate_names(source)) if t is not None
            ]
            forms += [m.term for m in self.glossary.find(source)]
            text, replaced = unify_names(text, forms)
            for variant, form in replaced:
                self.stats.variants_fixed += 1
                segment.findings.append(
                    _finding(
                        "names-consistency",
                        "info",
                        f"spelling {variant} replaced by the site's form {form}",
                        f"استُبدل الرسم {variant} بالرسم المعتمد {form}",
                        "form",
                    )
                )
        from naql.qa.quote_repair import repair_quotes

        # Quote marks re-placed where the source shows what is right, in the site's style; the
        # repair is recorded as an info (form) finding.
        text, repaired = repair_quotes(source, arabic_punctuation(text), self.quote_style)
        for f in repaired:
            found = f.as_dict()
            found.pop("segment", None)
            segment.findings.append(found)
        return text

    def _unknown_names(self, sources: Sequence[str]) -> list[str]:
        """Names in `sources` the glossary does not know yet, each once."""
        unknown: dict[str, None] = {}
        for source in sources:
            for name in candidate_names(source):
                # "State Antony Blinken" holds a known name: it is that name with a stray word.
                if self.glossary.get(name) is None and not self.glossary.find(name):
                    unknown.setdefault(name, None)
        return list(unknown)

    def _record_names(self, names: Sequence[str], forms: Sequence[str]) -> None:
        """Remember the form the engine gave each new name (translated on its own), for the site."""
        new = [
            Term(n, " ".join(f.strip(" .،,").split()), "other", None, "engine")
            for n, f in zip(names, forms, strict=True)
            if f.strip(" .،,")
        ]
        if not new:
            return
        self.new_names.extend(new)
        self.stats.names_recorded += len(new)
        self.glossary = Glossary([*self.glossary.terms, *new])
