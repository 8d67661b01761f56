"""Reviewed summaries: an analyst replaces or approves one summary of a report (by method). The
review is keyed by a digest of the report's source sentences, so it stands until the report's
text changes; then the new summary is used and the old review is shown beside it as stale.

Kept in `REVIEWS/summaries.json` (sorted, one entry per report and method), saved like the
sentence reviews: lock, read again, merge, atomic replace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import pandas as pd

from helpers.checks.flags import join_flags
from helpers.checks.summary import support_of, unsupported_by
from helpers.review.entries import KINDS, now, reviewer_name
from helpers.review.store import SUMMARIES, read_bytes
from helpers.review.xmlsafe import ReviewFileError
from helpers.store.files import locked, write_text


@dataclass(frozen=True)
class SummaryReview:
    """A report's summary by one method, as a person approved or wrote it, for the report's text
    of `report_digest`."""

    report_id: str
    method: str
    report_digest: str
    summary_en: str
    reviewer: str = ""
    reviewed_at: str = ""
    review: str = "corrected"

    def said(self) -> str:
        """'approved by anna on 2026-05-01 10:15 UTC'."""
        when = self.reviewed_at.replace("T", " ").replace("Z", " UTC")
        return f"{self.review} by {self.reviewer or 'an unnamed reviewer'} on {when or 'an unknown time'}"


def report_digest(sources: list[str]) -> str:
    """A digest of a report's source sentences (text_vi, in order): what a summary review stands on."""
    return hashlib.sha256("\n".join(sources).encode("utf-8")).hexdigest()[:16]


def summaries_file(folder: Path) -> Path:
    """The summary reviews of a reviews folder."""
    return Path(folder) / SUMMARIES


def load_summary_reviews(folder: Path) -> dict[tuple[str, str], SummaryReview]:
    """Every summary review, by (report_id, method); a malformed file is one line naming it."""
    path = summaries_file(folder)
    return parse_summary_reviews(read_bytes(path), path)


def parse_summary_reviews(data: bytes, path: Path) -> dict[tuple[str, str], SummaryReview]:
    """The summary reviews a summaries file's bytes hold ({} for none); `path` is the file errors name."""
    if not data:
        return {}
    names = {f.name for f in fields(SummaryReview)}
    try:
        entries = json.loads(data.decode("utf-8"))["summaries"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise TypeError("'summaries' must be a list of objects")
        reviews = [SummaryReview(**{k: str(v) for k, v in e.items() if k in names}) for e in entries]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReviewFileError(f"{path}: not a summaries file of this project ({type(exc).__name__}: {exc})") from None
    return {(r.report_id, r.method): r for r in reviews}


def save_summary_review(folder: Path, review: SummaryReview) -> bool:
    """Add or replace one summary review (lock, read again, merge, atomic replace); False when the
    same summary already stood for the same text."""
    review = replace(review, reviewer=review.reviewer or reviewer_name(), reviewed_at=review.reviewed_at or now())
    if review.review not in KINDS:
        raise ValueError(f"a summary review is one of {', '.join(KINDS)}, not {review.review!r}")
    path = summaries_file(folder)
    with locked(path):
        current = load_summary_reviews(folder)
        kept = current.get((review.report_id, review.method))
        if kept and (kept.summary_en, kept.report_digest) == (review.summary_en, review.report_digest):
            return False
        current[(review.report_id, review.method)] = review
        entries = [asdict(current[k]) for k in sorted(current)]
        write_text(path, json.dumps({"summaries": entries}, ensure_ascii=False, indent=1) + "\n")
    return True


def apply_summary_reviews(frame: pd.DataFrame, sentences: pd.DataFrame,
                          reviews: dict[tuple[str, str], SummaryReview]) -> pd.DataFrame:
    """summaries.csv with its review columns: a review of the report's current text replaces the
    summary (checked against the report, never cut or repaired); one of an earlier text is kept
    beside the new summary as stale (`review` = stale, `reviewed_summary` its text)."""
    frame = frame.assign(origin="model", review="", reviewer="", reviewed_at="", reviewed_summary="")
    if not reviews:
        return frame
    by_report = {rid: g for rid, g in sentences.groupby("report_id", sort=False)}
    rows = []
    for row in frame.to_dict("records"):
        review = reviews.get((row["report_id"], row["method"]))
        group = by_report.get(row["report_id"])
        if review is not None and group is not None:
            current = review.report_digest == report_digest(group["text_vi"].tolist())
            row.update(review="stale" if not current else review.review, reviewer=review.reviewer,
                       reviewed_at=review.reviewed_at)
            if current:
                text = group[group["role"].isin(["title", "body"])]
                support = support_of(text["text_vi"].tolist(), text["text_en"].tolist())
                row.update(origin="review", summary_en=review.summary_en, n_words=len(review.summary_en.split()),
                           flags=join_flags(unsupported_by(review.summary_en, support)))
            else:
                row["reviewed_summary"] = review.summary_en
        rows.append(row)
    return pd.DataFrame(rows, columns=frame.columns)


def summary_counts(frame: pd.DataFrame) -> dict[str, int]:
    """run.json's account of the summary reviews: applied, and stale (the report's text changed)."""
    return {"applied": int((frame["origin"] == "review").sum()), "stale": int((frame["review"] == "stale").sum())}
