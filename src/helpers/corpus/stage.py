"""The corpus stage: read, classify and segment every input; write ledger, reports, problems and
the corpus columns of sentences.csv. Later stages read these files (`corpus_for`) instead of
building the corpus again.
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata

import pandas as pd

from helpers.config import Config
from helpers.store.contract import CORPUS_SENTENCE_COLUMNS as CORPUS_COLUMNS, columns, read_table
from helpers.corpus.changes import read_previous, run_time_after, track_changes
from helpers.corpus.lines import Report, build_report
from helpers.corpus.sources import source_name
from helpers.corpus.inputs import Rejection, Skipped, SourceFile, scan_folder
from helpers.store.files import start_json, write_csv
from helpers.store.outputs import claim_output
from helpers.store.terminal import shown
from helpers.corpus.sentences import Sentence, report_sentences
from helpers.stamps import is_current, stamp
from helpers.text.language_id import VIETNAMESE, main_language

PACKAGES = ("helpers", "torch", "transformers", "tokenizers", "sentencepiece", "underthesea", "py3langid", "pandas",
            "trafilatura", "python-docx", "pypdf", "ftfy")


@dataclass
class CorpusResult:
    """The corpus stage's products: one row per report, every line, the sentences, rejected inputs."""

    report_table: pd.DataFrame
    ledger: pd.DataFrame
    sentences: pd.DataFrame
    problems: pd.DataFrame
    skipped: tuple[Skipped, ...] = ()
    collection: dict | None = None  # run.json's `collection` record, when this run built the corpus

    @property
    def rejected(self) -> bool:
        """True if any input was rejected (the run then exits with status 2)."""
        return not self.problems.empty

    @property
    def report_ids(self) -> list[str]:
        """The reports, in order."""
        return self.report_table["report_id"].tolist()

    @property
    def not_vietnamese(self) -> set[str]:
        """Reports mostly in another language (their sentences go by their own languages)."""
        return set(self.report_table.loc[self.report_table["language"] != "vi", "report_id"])


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
    return pd.DataFrame(rows, columns=columns("ledger"))


def sentences_frame(sentences: list[list[Sentence]]) -> pd.DataFrame:
    """Sentences of every report (title, body and caption lines), report by report."""
    rows = [asdict(s) for report in sentences for s in report]
    return pd.DataFrame(rows, columns=list(CORPUS_COLUMNS))


@dataclass(frozen=True)
class Processed:
    """One readable input, classified and segmented (the unit of work an engine maps over)."""

    report: Report
    sentences: list[Sentence]


def process_source(source: SourceFile) -> Processed | Rejection:
    """A file's report and sentences; a file whose processing fails becomes a problem (its name
    and the error), never the end of the run."""
    try:
        report = build_report(source)
        return Processed(report, report_sentences(report))
    except Exception as exc:  # a defect met on one input: listed as a problem, the other reports go on
        return Rejection(source.file, f"could not be processed: {type(exc).__name__}: {exc}")


def report_languages(sentences: pd.DataFrame) -> dict[str, str]:
    """Each report's main language: the one most letters of its sentences are in (the language its
    sentences the identifier is unsure of were given)."""
    return {rid: main_language(g["text_vi"].tolist(), g["lang"].tolist())
            for rid, g in sentences.groupby("report_id", sort=False)}


def reports_frame(reports: list[Report], sentences: pd.DataFrame) -> pd.DataFrame:
    """One row of metadata per report; n_sentences counts title and body sentences; the language is
    the report's main one, from its sentences' (`report_languages`: Vietnamese when it has none)."""
    text = sentences[sentences["role"].isin(["title", "body"])]
    counts = text.groupby("report_id").size()
    languages = report_languages(sentences)
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
            "language": languages.get(r.report_id, VIETNAMESE),
            "format": r.format,
            "extractor": r.extractor,
            "encoding": r.encoding,
            "conversion": r.conversion,
            "file_bytes": r.file_bytes,
            "source_name": source_name(r.source),
        }
        for r in reports
    ]
    return pd.DataFrame(rows, columns=columns("reports"))


def problems_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejected inputs: file and problem."""
    return pd.DataFrame([asdict(r) for r in rejections], columns=columns("problems"))


def build_corpus(cfg: Config) -> CorpusResult:
    """Read, classify and segment every input of `cfg.seeds` (writes nothing)."""
    from helpers.inference.engines import engine_for

    scan = scan_folder(cfg.seeds)
    sources, rejections = list(scan.sources), list(scan.rejections)
    done = engine_for(cfg).map(process_source, sources)
    processed = [d for d in done if isinstance(d, Processed)]
    rejections = sorted(rejections + [d for d in done if isinstance(d, Rejection)], key=lambda r: r.file)
    reports = [p.report for p in processed]
    sentences = sentences_frame([p.sentences for p in processed])
    return CorpusResult(
        report_table=reports_frame(reports, sentences),
        ledger=ledger_frame(reports),
        sentences=sentences,
        problems=problems_frame(rejections),
        skipped=scan.skipped,
    )


def inputs_record(result: CorpusResult) -> dict:
    """run.json's account of the inputs: how many of each format, the extractors, the conversions
    made, and the entries skipped (with the note shown for each)."""
    table = result.report_table

    def counts(column: str) -> dict[str, int]:
        return {k: int(v) for k, v in table[column][table[column] != ""].value_counts().sort_index().items()}

    return {"formats": counts("format"), "extractors": counts("extractor"), "encodings": counts("encoding"),
            "conversions": counts("conversion"), "skipped": [asdict(s) for s in result.skipped]}


def run_corpus(cfg: Config, *, report_problems: bool = True) -> CorpusResult:
    """The corpus stage: build the corpus and write its data files and run.json section."""
    started = time.perf_counter()
    claim_output(cfg.out, cfg.seeds)  # a notebook run by hand writes only where a run may (store.outputs)
    result = build_corpus(cfg)
    data = cfg.data_dir
    previous = read_previous(data, cfg.run_json)  # before this run replaces it: new, changed, removed
    result.report_table, result.collection = track_changes(previous, result.report_table, result.ledger,
                                                           run_time_after(previous.run_time))
    write_csv(data / "ledger.csv", result.ledger)
    write_csv(data / "reports.csv", result.report_table)
    write_csv(data / "problems.csv", result.problems)
    write_csv(data / "sentences.csv", result.sentences)  # the translation stage adds its columns
    if report_problems:
        for skipped in result.skipped:
            print(shown(f"note: {cfg.seeds / skipped.file}: {skipped.note}"), file=sys.stderr)
        for rej in result.problems.itertuples():
            print(shown(f"error: {cfg.seeds / rej.file}: {rej.problem}"), file=sys.stderr)
    corpus = {
        "files": len(result.report_table) + len(result.problems),
        "reports": len(result.report_table),
        "rejected": len(result.problems),
        "lines": len(result.ledger),
        "sentences": int(result.report_table["n_sentences"].astype(int).sum()),
        "captions": int((result.sentences["role"] == "caption").sum()),
        "roles": {k: int(v) for k, v in result.ledger["role"].value_counts().sort_index().items()},
        "inputs": inputs_record(result),
        "seconds": round(time.perf_counter() - started, 3),
        "stamp": stamp(cfg, "corpus"),
    }
    start_json(cfg.run_json, {"parameters": cfg.shown_parameters(), "absolute_paths": cfg.absolute_paths(),
                              "versions": versions(), "corpus": corpus, "collection": result.collection})
    return result


def corpus_for(cfg: Config) -> CorpusResult:
    """The corpus of this Config: read from `OUT/data/` when it is current, else built and written."""
    if not is_current(cfg, "corpus"):
        return run_corpus(cfg, report_problems=False)
    return CorpusResult(
        report_table=read_table(cfg, "reports"),
        ledger=read_table(cfg, "ledger"),
        sentences=read_table(cfg, "sentences", stage="corpus")[list(CORPUS_COLUMNS)],
        problems=read_table(cfg, "problems"),
    )
