"""The extractive summary, the baseline that needs no weights: the report's most central
sentences (TextRank: PageRank over the cosine-similarity graph of TF-IDF vectors of the
Vietnamese sentences), given as their English translations in source order, with their numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from helpers.summarise.length import bound_length

DAMPING, ITERATIONS = 0.85, 50


def _tfidf(texts: list[str]) -> np.ndarray:
    docs = [Counter(re.findall(r"\w+", t.casefold())) for t in texts]
    vocab = sorted({w for d in docs for w in d})
    index = {w: i for i, w in enumerate(vocab)}
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    m = np.zeros((n, len(vocab)))
    for r, d in enumerate(docs):
        for w, c in d.items():
            m[r, index[w]] = (1 + math.log(c)) * math.log((1 + n) / (1 + df[w]) + 1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def centrality(texts: list[str]) -> np.ndarray:
    """TextRank scores: PageRank over the cosine-similarity graph of the sentences."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    vectors = _tfidf(texts)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, 0)
    rows = sim.sum(axis=1, keepdims=True)
    trans = np.where(rows > 0, sim / np.where(rows == 0, 1, rows), 1 / n)
    score = np.full(n, 1 / n)
    for _ in range(ITERATIONS):
        score = (1 - DAMPING) / n + DAMPING * trans.T @ score
    return score


def extractive(
    sentence_nos: list[int], texts_vi: list[str], texts_en: list[str], max_sentences: int, max_words: int
) -> tuple[str, list[int], list[str]]:
    """The most central sentences that fit the bound, in source order: (summary, ids, flags)."""
    scores = centrality(texts_vi)
    chosen: list[int] = []
    words = 0
    for i in np.argsort(-scores, kind="stable"):
        n = len(texts_en[i].split())
        if len(chosen) < max_sentences and words + n <= max_words:
            chosen.append(int(i))
            words += n
    flags: list[str] = []
    if not chosen and texts_en:
        best = int(np.argmax(scores))
        text, flags = bound_length(texts_en[best], 1, max_words)
        return text, [sentence_nos[best]], flags
    chosen.sort()
    return " ".join(texts_en[i] for i in chosen), [sentence_nos[i] for i in chosen], flags


def extractive_of(item: tuple[list[int], list[str], list[str], int, int]) -> tuple[str, list[int], list[str]]:
    """`extractive` of one report's (sentence numbers, Vietnamese, English, max sentences, max words): one item
    of a collection's, summarised on every core (`summarise.stage`)."""
    return extractive(*item)
