"""From source sentences to Arabic segments: memory, protection, engine, restoration, post-editing.

`SegmentTranslator.translate` is what the translate stage calls for each chunk of sentences. It
keeps the engine batch whole (throughput) and does the per-sentence work around it in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from naql.translate.engine import Engine
from naql.translate.glossary import Glossary, Term
from naql.translate.protect import (
    arabic_punctuation,
    candidate_names,
    normalise_quotes,
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


def _finding(check: str, severity: str, message: str, message_ar: str) -> dict[str, str]:
    return {"check": check, "severity": severity, "message": message, "message_ar": message_ar}


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
        # New names ride in the sentences' engine call: alone they are one small batch that one
        # replica runs while the others idle (measured ~8% of the stage's time).
        translated = self.engine.translate([p.text for p in protected] + names)
        raw = translated[: len(protected)]
        self._record_names(names, translated[len(protected) :])
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
                        )
                    ],
                )
        for i in todo:
            segment = out[i]
            assert segment is not None
            segment.text = self._post_edit(sources[i], segment)
        return [s for s in out if s is not None]

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
                    )
                )
        return normalise_quotes(arabic_punctuation(text), self.quote_style)

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
