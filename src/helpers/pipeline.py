"""The stages of a run, as the notebooks and the CLI call them.

Each stage reads what it needs, writes its part of the data contract under
`OUT/data/` and returns plain DataFrames for display. Stages are idempotent:
running one again gives the same files (translation is served from memory).
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata

import pandas as pd

from .config import Config
from .corpus import Report, build_report
from .inputs import Rejection, read_folder
from .outputs import update_json, write_csv
from .segment import report_sentences

PACKAGES = ("helpers", "torch", "transformers", "tokenizers", "sentencepiece", "underthesea", "pandas")


@dataclass
class CorpusResult:
    """The corpus stage's products: reports, their lines and sentences, and rejected inputs."""

    reports: list[Report]
    ledger: pd.DataFrame
    report_table: pd.DataFrame
    sentences: pd.DataFrame
    problems: pd.DataFrame

    @property
    def rejected(self) -> bool:
        """True if any input was rejected (the run then exits with status 2)."""
        return not self.problems.empty


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the outputs."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def ledger_frame(reports: list[Report]) -> pd.DataFrame:
    """Every line of every report exactly once: report_id, line_no, role, reason, text."""
    rows = [
        {"report_id": r.report_id, "line_no": ln.line_no, "role": ln.role, "reason": ln.reason, "text": ln.text}
        for r in reports
        for ln in r.lines
    ]
    return pd.DataFrame(rows, columns=["report_id", "line_no", "role", "reason", "text"])


def sentences_frame(reports: list[Report]) -> pd.DataFrame:
    """Sentences of every report (title, body and caption lines)."""
    rows = [asdict(s) for r in reports for s in report_sentences(r)]
    return pd.DataFrame(rows, columns=["report_id", "sentence_no", "line_no", "text_vi", "role"])


def reports_frame(reports: list[Report], sentences: pd.DataFrame) -> pd.DataFrame:
    """One row of metadata per report; n_sentences counts title and body sentences."""
    text = sentences[sentences["role"].isin(["title", "body"])]
    counts = text.groupby("report_id").size()
    rows = [
        {
            "report_id": r.report_id,
            "file": r.file,
            "title": r.title,
            "date": r.date,
            "author": r.author,
            "source": r.source,
            "n_lines": len(r.lines),
            "n_sentences": int(counts.get(r.report_id, 0)),
            "date_source": r.date_source,
            "photo_credit": r.photo_credit,
            "n_captions": len(r.captions),
        }
        for r in reports
    ]
    columns = ["report_id", "file", "title", "date", "author", "source", "n_lines", "n_sentences"]
    return pd.DataFrame(rows, columns=columns + ["date_source", "photo_credit", "n_captions"])


def problems_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejected inputs: file and problem."""
    return pd.DataFrame([asdict(r) for r in rejections], columns=["file", "problem"])


def run_corpus(cfg: Config, *, report_problems: bool = True) -> CorpusResult:
    """Read, classify and segment every input of `cfg.seeds`; write the corpus data files."""
    started = time.perf_counter()
    sources, rejections = read_folder(cfg.seeds)
    reports = [build_report(s) for s in sources]
    sentences = sentences_frame(reports)
    result = CorpusResult(
        reports=reports,
        ledger=ledger_frame(reports),
        report_table=reports_frame(reports, sentences),
        sentences=sentences,
        problems=problems_frame(rejections),
    )
    data = cfg.data_dir
    write_csv(data / "ledger.csv", result.ledger)
    write_csv(data / "reports.csv", result.report_table)
    write_csv(data / "problems.csv", result.problems)
    write_csv(data / "sentences.csv", result.sentences)  # the translation stage adds its columns
    if report_problems:
        for rej in rejections:
            print(f"error: {rej.file}: {rej.problem}", file=sys.stderr)
    update_json(cfg.run_json, "parameters", {"seeds": str(cfg.seeds), "out": str(cfg.out), "models": cfg.models})
    update_json(cfg.run_json, "versions", versions())
    update_json(
        cfg.run_json,
        "corpus",
        {
            "files": len(sources) + len(rejections),
            "reports": len(reports),
            "rejected": len(rejections),
            "lines": len(result.ledger),
            "sentences": int(result.report_table["n_sentences"].sum()) if reports else 0,
            "captions": int((result.sentences["role"] == "caption").sum()),
            "roles": {k: int(v) for k, v in result.ledger["role"].value_counts().sort_index().items()},
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return result

