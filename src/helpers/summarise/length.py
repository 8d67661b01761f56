"""A summary's length bound: at most N sentences and M words, whole sentences kept; a cut inside a
sentence is marked with '…' and flagged (`cut_to`), dropped sentences too (`shortened`)."""

from __future__ import annotations

import re

from helpers.checks.flags import flag
from helpers.text.normalise import clean_space

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def bound_length(text: str, max_sentences: int, max_words: int) -> tuple[str, list[str]]:
    """At most `max_sentences` sentences and `max_words` words: whole sentences kept,
    a cut inside a sentence marked with '…' and flagged."""
    sentences = [s for s in SENTENCE_END.split(clean_space(text)) if s]
    kept: list[str] = []
    for s in sentences[:max_sentences]:
        if len(" ".join(kept + [s]).split()) > max_words:
            break
        kept.append(s)
    flags = []
    if not kept and sentences:
        kept = [" ".join(sentences[0].split()[:max_words]) + "…"]
        flags.append(flag("cut_to", f"{max_words}_words"))
    if len(kept) < len(sentences):
        flags.append(flag("shortened", f"{len(sentences)}_to_{len(kept)}_sentences"))
    return " ".join(kept), flags
