"""underthesea's pretrained Vietnamese NER (`underthesea.ner`, the CRF model shipped inside the
package, `ner_crf_2017_10_12.bin`: nothing is downloaded; run through `crf.py`, which gives the same
tags faster) on one sentence, as character spans of the sentence as written.

underthesea tokenises (and normalises tone placement: `Hoà` becomes `Hòa`) before tagging, so its
words are found back in the sentence folded (`text.names.fold`: case and diacritics aside), which
keeps the length of Vietnamese text; a word that cannot be found is skipped, never guessed.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass

from helpers.inference.cores import on_every_core
from helpers.text.names import fold

KINDS = {"PER": "person", "ORG": "organisation", "LOC": "place"}  # the model's labels (VLSP 2016); MISC is left out
PARALLEL_AT = 1_000  # new sentences from which every core tags (a process loads the models in about a second)


@dataclass(frozen=True)
class Span:
    """A stretch of a sentence: [start, end) in characters, and its kind."""

    start: int
    end: int
    kind: str  # person | organisation | place | document


def _tagged(text: str) -> list[tuple[str, str]]:
    """The model's (word, BIO tag) pairs for a sentence: `underthesea.ner`'s, computed faster (`crf.py`)."""
    from helpers.entities.crf import ner_tags  # imports underthesea on first use: its models load in a second

    return ner_tags(text)


def _locate(words: list[str], text: str) -> list[tuple[int, int] | None]:
    """Each word's [start, end) in the text, searched in order, folded; None when not found."""
    folded = fold(text)
    exact = len(folded) == len(text)  # folding keeps Vietnamese lengths; anything else: exact search only
    haystack = folded if exact else text
    at = 0
    found: list[tuple[int, int] | None] = []
    for word in words:
        needle = fold(unicodedata.normalize("NFC", word)) if exact else word
        i = haystack.find(needle, at) if needle else -1
        if i < 0:
            found.append(None)
            continue
        found.append((i, i + len(needle)))
        at = i + len(needle)
    return found


@dataclass(frozen=True)
class Token:
    """One of the model's words, where it stands in the sentence, and its NER tag ('B-PER', 'O', ...)."""

    start: int
    end: int
    word: str
    tag: str


Tagged = tuple[tuple[str, str], ...]  # the model's (word, tag) pairs of one sentence


def model_version() -> str:
    """What a remembered tagging depends on: underthesea's version (the CRF models ship with it)."""
    from importlib.metadata import version

    return f"underthesea {version('underthesea')}"


@dataclass
class TagWork:
    """What the model did in a run: the sentences it tagged, and the seconds that took (run.json's
    `sentences_tagged` and `model_seconds`, the model time `make bench-scale` takes from the wall)."""

    sentences: int = 0
    seconds: float = 0.0


def tag_all(texts: Iterable[str], memo: MutableMapping[str, Tagged] | None = None,
            work: TagWork | None = None) -> dict[str, Tagged]:
    """The model's tags of each distinct sentence, taken from `memo` (a sentence tagged in an earlier
    run) where it has them; those tagged now (`tag_many`) are added to it and counted in `work`."""
    memo = {} if memo is None else memo
    tagged: dict[str, Tagged] = {}
    new: list[str] = []
    for text in dict.fromkeys(texts):
        known = memo.get(text)
        if known is None and text.strip():
            new.append(text)
        else:
            tagged[text] = tuple((word, tag) for word, tag in known or ())
    started = time.perf_counter()
    for text, known in zip(new, tag_many(new)):
        memo[text] = tagged[text] = known
    if work is not None:
        work.sentences += len(new)
        work.seconds += time.perf_counter() - started
    return tagged


def tag_many(texts: list[str]) -> list[Tagged]:
    """The model's tags of each text, in order: on every core (`inference.cores.on_every_core`) when there
    are PARALLEL_AT or more."""
    return [tuple(pairs) for pairs in on_every_core(_tagged, texts, PARALLEL_AT)]


def tokens(text: str, tagged: Tagged | None = None) -> tuple[Token, ...]:
    """The model's words of a sentence with their places and tags (a word not found back is left out);
    `tagged` is the model's output when it is already known (`tag_all`)."""
    if not text.strip():
        return ()
    pairs = tagged if tagged is not None else tuple(_tagged(text))
    return tuple(Token(w[0], w[1], text[w[0]:w[1]], tag)
                 for (_, tag), w in zip(pairs, _locate([word for word, _ in pairs], text)) if w is not None)


def model_spans(text: str, words: tuple[Token, ...] | None = None) -> tuple[Span, ...]:
    """The model's people, organisations and places in a sentence, as spans of the text as written
    (a B- tag opens one, I- tags of the same label extend it)."""
    spans: list[Span] = []
    label, start, end = "", -1, -1
    for token in (*(tokens(text) if words is None else words), Token(len(text), len(text), "", "O")):
        tag_label = token.tag[2:] if token.tag[:2] in ("B-", "I-") else ""
        if label and not (token.tag.startswith("I-") and tag_label == label):
            if label in KINDS:
                spans.append(Span(start, end, KINDS[label]))
            label = ""
        if label:
            end = token.end
        elif tag_label:
            label, start, end = tag_label, token.start, token.end
    return tuple(spans)
