"""Measuring the step: hand-annotated sentences (`[PER Tô Lâm]`-style marks in plain text) scored by
exact match of span and kind, the step against underthesea's NER alone.

A found mention counts only when its start, end and kind are all those of an annotated one
(exact span + kind match, the CoNLL convention): a name found with its title, or a place found
with its administrative word, is both a false positive and a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.entities.mentions import find_mentions
from helpers.entities.model import model_spans, tag_all, tokens
from helpers.text.glossary import Term
from helpers.text.references import references_frame

TAGS = {"PER": "person", "ORG": "organisation", "LOC": "place", "DOC": "document"}
_MARK = re.compile(r"\[(PER|ORG|LOC|DOC) ([^\]]+)\]")

Gold = tuple[str, frozenset[tuple[int, int, str]]]  # a sentence and its annotated (start, end, kind)


def read_annotated(path: Path) -> list[Gold]:
    """The annotated sentences of a file (lines starting with # are comments)."""
    sentences = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, at = "", set(), 0
        for m in _MARK.finditer(line):
            text += line[at:m.start()]
            spans.add((len(text), len(text) + len(m.group(2)), TAGS[m.group(1)]))
            text += m.group(2)
            at = m.end()
        text += line[at:]
        if "[" in text and re.search(r"\[[A-Z]{3} ", text):
            raise ValueError(f"{path}, line {n}: a mark is not closed")
        sentences.append((text, frozenset(spans)))
    return sentences


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one system, with the counts they come from."""

    system: str
    found: int
    correct: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def step_spans(sentences: list[Gold], glossary: tuple[Term, ...]) -> list[set[tuple[int, int, str]]]:
    """What the step finds in each sentence (its cited documents from the references rules, as a run)."""
    frame = pd.DataFrame({"report_id": "gold", "sentence_no": range(len(sentences)),
                          "text_vi": [t for t, _ in sentences]})
    refs = references_frame(frame, glossary)
    cited = refs.groupby("sentence_no")["cited_as"].apply(list).to_dict() if len(refs) else {}
    tagged = tag_all(t for t, _ in sentences)
    return [{(m.start, m.end, m.kind) for m in find_mentions(t, glossary, cited.get(n, ()), tagged[t])}
            for n, (t, _) in enumerate(sentences)]


def model_only(sentences: list[Gold]) -> list[set[tuple[int, int, str]]]:
    """What underthesea's NER alone finds in each sentence (its PER, ORG and LOC spans)."""
    tagged = tag_all(t for t, _ in sentences)
    return [{(s.start, s.end, s.kind) for s in model_spans(t, tokens(t, tagged[t]))} for t, _ in sentences]


def score(system: str, sentences: list[Gold], found: list[set[tuple[int, int, str]]],
          kinds: tuple[str, ...] = tuple(TAGS.values())) -> Score:
    """Exact span + kind scores over the sentences, counting only the given kinds."""
    gold = [{g for g in spans if g[2] in kinds} for _, spans in sentences]
    got = [{f for f in spans if f[2] in kinds} for spans in found]
    return Score(system, sum(map(len, got)), sum(len(g & f) for g, f in zip(gold, got)), sum(map(len, gold)))


def misses(sentences: list[Gold], found: list[set[tuple[int, int, str]]]) -> tuple[list[str], list[str]]:
    """What a system missed and what it found wrongly, as 'kind: surface' lines."""
    missed, wrong = [], []
    for (text, gold), got in zip(sentences, found):
        missed += [f"{k}: {text[s:e]}" for s, e, k in sorted(gold - got)]
        wrong += [f"{k}: {text[s:e]}" for s, e, k in sorted(got - gold)]
    return missed, wrong
