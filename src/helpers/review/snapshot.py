"""The reviews a run uses, read once: every file of the reviews folder is read when the run first
needs it, digested, and parsed from those bytes. The stamp of a stage records that digest, so a
review saved while the run translates makes the next run translate again instead of being
silently never applied (what the run read is what its stamp records)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

from helpers.review.entries import Review
from helpers.review.store import FILES, GLOSSARY, SENTENCES, SUMMARIES, digest_of, read_bytes
from helpers.review.summaries import SummaryReview, parse_summary_reviews
from helpers.review.tmx import read_tmx
from helpers.store.paths import shown_path
from helpers.text.glossary import Term, default_glossary, parse_glossary


@dataclass(frozen=True)
class ReviewsSnapshot:
    """The review files of a folder as one run read them (b'' for a file that is not there)."""

    folder: Path
    files: dict[str, bytes]

    @classmethod
    def read(cls, folder: Path) -> "ReviewsSnapshot":
        return cls(Path(folder), {name: read_bytes(Path(folder) / name) for name in FILES})

    @property
    def digest(self) -> str:
        """The digest of every review file as read (`review.store.reviews_digest` of the folder then)."""
        return digest_of(self.files)

    def digest_of(self, names: tuple[str, ...]) -> str:
        """The digest of the files `names` as read: a stage's stamp covers the review files that shape it."""
        return digest_of({name: self.files[name] for name in names}, names)

    @cached_property
    def sentences(self) -> dict[str, Review]:
        """Every sentence review, by its Vietnamese sentence."""
        data = self.files[SENTENCES]
        return {r.source: r for r in read_tmx(data, str(self.folder / SENTENCES))[0]} if data else {}

    @cached_property
    def summaries(self) -> dict[tuple[str, str], SummaryReview]:
        """Every summary review, by (report_id, method)."""
        return parse_summary_reviews(self.files[SUMMARIES], self.folder / SUMMARIES)

    @cached_property
    def glossary(self) -> tuple[Term, ...]:
        """The packaged glossary with the reviewers' terms (theirs win for the same term): used for the
        sentences and for the summaries alike."""
        data = self.files[GLOSSARY]
        if not data:
            return default_glossary()
        added = parse_glossary(data.decode("utf-8-sig"), str(self.folder / GLOSSARY))
        names = {t.term for t in added}
        return tuple(t for t in default_glossary() if t.term not in names) + added

    def record(self, sources: Iterable[str]) -> dict[str, object]:
        """run.json's account of the sentence reviews: the file and its sha256, the folder's digest, how
        many reviews there are, how many sentences of this run they gave, and those whose sentence
        occurs nowhere (kept)."""
        present = set(sources)
        data = self.files[SENTENCES]
        return {
            "file": shown_path(self.folder / SENTENCES),
            "sha256": hashlib.sha256(data).hexdigest() if data else "",
            "digest": self.digest,
            "entries": len(self.sentences),
            "used": sum(s in present for s in self.sentences),
            "unused": sorted(s for s in self.sentences if s not in present),
        }
