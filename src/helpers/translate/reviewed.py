"""The reviewed layer of the translation step: a sentence a person reviewed takes their English,
whatever the translator, backend or settings, in every report where it occurs; only the other
sentences go to the model behind it (and its memory), as `CachedRun` puts the memory in front of
a `ModelRun`.

Reviewed English is checked like a model's (its flags are shown: a reviewer can be wrong) but never
repaired or decoded again. Each sentence's `origin` says who made its English: `model` (made now or
found in the memory), `review`, or `source` (text passed through untranslated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.review.entries import Review
from helpers.store.contract import REVIEW_COLUMNS
from helpers.text.glossary import Term
from helpers.inference.sentences import (SentenceLayer, SentenceTranslation, TranslationStats, checked,
                                         count_sentences)



@dataclass
class Reviewed:
    """Every sentence's translation in order, the run's counts, and the review behind each (or None)."""

    results: list[SentenceTranslation]
    stats: TranslationStats
    reviews: list[Review | None]


@dataclass(frozen=True)
class ReviewedLayer:
    """Reviewed English in front of `inner` (an `inference.sentences.SentenceLayer`, as is this): a
    reviewed sentence takes its review's English; only the others, with their languages, reach `inner`."""

    reviews: Mapping[str, Review]
    glossary: tuple[Term, ...]
    inner: SentenceLayer

    def __call__(self, sources: list[str], languages: list[str]) -> tuple[list[SentenceTranslation], TranslationStats]:
        todo = [i for i, s in enumerate(sources) if s not in self.reviews]
        made, stats = self.inner([sources[i] for i in todo], [languages[i] for i in todo])
        left = iter(made)
        given = {s: checked(s, self.reviews[s].english, self.glossary) for s in dict.fromkeys(sources)
                 if s in self.reviews}
        results = [given[s] if s in given else next(left) for s in sources]
        count_sentences(stats, results)
        stats.reviewed = sum(s in given for s in sources)
        return results, stats

    def reviews_of(self, sources: list[str]) -> list[Review | None]:
        """The review behind each sentence (None: not reviewed)."""
        return [self.reviews.get(s) for s in sources]


def with_origin(frame: pd.DataFrame, done: Reviewed) -> pd.DataFrame:
    """`frame` (sentences.csv, a row per result of `done`) with the contract's REVIEW_COLUMNS: where each
    English came from (`review`, `model`, or `source`: text kept as it is) and who reviewed it when.
    Whether this run found the model's English in the memory is the run's affair, not the sentence's
    (run.json's `from_memory`): a re-run keeps a report's rows as they were."""
    frame = frame.assign(**dict.fromkeys(REVIEW_COLUMNS, ""))
    frame["origin"] = ["review" if rev else "source" if not r.translated else "model"
                       for r, rev in zip(done.results, done.reviews)]
    frame.loc[frame["origin"] == "review", "model"] = ""  # no model made a reviewed English
    for column, field in (("review", "kind"), ("reviewer", "reviewer"), ("reviewed_at", "when")):
        frame[column] = [getattr(rev, field) if rev else "" for rev in done.reviews]
    return frame
