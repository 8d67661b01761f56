"""The corpus stage: read, classify and segment every input; its tables are the ledger, reports,
problems and the corpus columns of sentences.csv (the runner writes them; later stages read them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.config import Config
from helpers.corpus.changes import changes_said, read_previous, run_time_after, track_changes
from helpers.corpus.inputs import Kept, Known, Rejection, Seen, Skipped, SourceFile, readable_suffixes, scan_folder
from helpers.corpus.lines import Report, build_report
from helpers.corpus.sentences import Sentence, report_sentences
from helpers.corpus.sources import source_name
from helpers.inference.cores import on_every_core
from helpers.inference.engines import Engine, LocalEngine
from helpers.errors import InputError
from helpers.stage import Previous, RunContext, Stage, StageOutput
from helpers.store.compare import differing_reports
from helpers.store.contract import CORPUS_SENTENCE_COLUMNS as CORPUS_COLUMNS, TEXT_ROLES, columns
from helpers.store.files import as_stored, stored_text
from helpers.text.language_id import VIETNAMESE, main_language

SEEN = ".inputs-seen.json"  # in OUT/data: each report file's size, time and digest when read (not a table)
# inputs from which a local run classifies and segments them on every core (a process starts in about a second)
ON_CORES_AT = 1_000


@dataclass
class CorpusResult:
    """The corpus stage's products: one row per report, every line, the sentences, rejected inputs."""

    report_table: pd.DataFrame
    ledger: pd.DataFrame
    sentences: pd.DataFrame
    problems: pd.DataFrame
    skipped: tuple[Skipped, ...] = ()
    anew: frozenset[str] | None = None  # the reports read now (None: all); the others kept from the previous run
    seen: Seen = field(default_factory=dict)  # each report's file: its size, time and digest when read

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
        return set(self.report_table.loc[self.report_table["language"] != VIETNAMESE, "report_id"])


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


def processed_all(sources: Sequence[SourceFile], engine: Engine | None) -> Iterator[Processed | Rejection]:
    """Each source processed (`process_source`), in order: on the engine's workers, or locally on every core
    from ON_CORES_AT sources (`inference.cores.on_every_core`: underthesea's sentence splitter holds one
    core, 57 s of a first run at 10,000 reports in this process alone)."""
    if engine is not None and not isinstance(engine, LocalEngine):
        return engine.map(process_source, sources)
    return on_every_core(process_source, sources, ON_CORES_AT)


def report_languages(sentences: pd.DataFrame) -> dict[str, str]:
    """Each report's main language: the one most letters of its sentences are in (the language its
    sentences the identifier is unsure of were given)."""
    return {rid: main_language(g["text_vi"].tolist(), g["lang"].tolist())
            for rid, g in sentences.groupby("report_id", sort=False)}


def reports_frame(reports: list[Report], sentences: pd.DataFrame) -> pd.DataFrame:
    """One row of metadata per report; n_sentences counts title and body sentences; the language is
    the report's main one, from its sentences' (`report_languages`: Vietnamese when it has none)."""
    text = sentences[sentences["role"].isin(TEXT_ROLES)]
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
            "file_sha256": r.file_sha256,
            "source_name": source_name(r.source),
        }
        for r in reports
    ]
    return pd.DataFrame(rows, columns=columns("reports"))


def problems_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejected inputs: file and problem."""
    return pd.DataFrame([asdict(r) for r in rejections], columns=columns("problems"))


class NoReports(InputError):
    """The input folder holds no usable report: the skipped entries and rejected inputs are listed
    before this one error line."""

    def __init__(self, folder: Path, skipped: tuple[Skipped, ...], rejections: list[Rejection]) -> None:
        self.listed = tuple([f"note: {folder / s.file}: {s.note}" for s in skipped]
                            + [f"error: {folder / r.file}: {r.problem}" for r in rejections])
        if rejections:
            message = f"no report to process in {folder}: all {len(rejections)} inputs were rejected (listed above)"
        else:
            message = (f"no report to process in {folder}: it holds no input file ({readable_suffixes()})"
                       + (f"; {len(skipped)} other entries skipped (listed above)" if skipped else ""))
        super().__init__(message)


def known_files(previous: Previous) -> Known:
    """The files the previous run read, by name: the digest of their bytes and their report id."""
    reports = previous.tables["reports"]
    return {f: (d, r) for f, d, r in zip(reports["file"], reports["file_sha256"], reports["report_id"])
            if d and r not in previous.stale}


def read_seen(data_dir: Path) -> Seen:
    """What the previous run recorded of its inputs (`SEEN`): each report file's size, time and digest
    when read; nothing when the file is missing or not such a record."""
    try:
        recorded = json.loads((data_dir / SEEN).read_text(encoding="utf-8"))
        return {str(name): (int(size), int(mtime), str(sha)) for name, (size, mtime, sha) in recorded.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def build_corpus(cfg: Config, engine: Engine | None = None, previous: Previous | None = None) -> CorpusResult:
    """Read, classify and segment every input of `cfg.seeds` on `engine` (writes nothing); with the
    `previous` run's corpus, a file whose bytes are unchanged keeps its rows, not parsed again, and
    one whose size and time are as the previous run found them is not even read."""
    known = known_files(previous) if previous else None
    scan = scan_folder(cfg.seeds, known, read_seen(cfg.data_dir) if known else None)
    if not scan.sources and not scan.kept:
        raise NoReports(cfg.seeds, scan.skipped, sorted(scan.rejections, key=lambda r: r.file))
    sources, rejections = list(scan.sources), list(scan.rejections)
    done = list(processed_all(sources, engine))
    processed = [d for d in done if isinstance(d, Processed)]
    rejections = sorted(rejections + [d for d in done if isinstance(d, Rejection)], key=lambda r: r.file)
    reports = [p.report for p in processed]
    sentences = sentences_frame([p.sentences for p in processed])
    tables = {"reports": reports_frame(reports, sentences), "ledger": ledger_frame(reports), "sentences": sentences}
    if previous is not None and scan.kept:
        ids = {k.report_id for k in scan.kept}
        at = {rid: i for i, rid in enumerate(scan.order)}
        tables = {name: pd.concat([previous.kept(name, ids)[list(frame.columns)], as_stored(frame)], ignore_index=True)
                  .sort_values("report_id", key=lambda c: c.map(at), kind="stable", ignore_index=True)
                  for name, frame in tables.items()}
    return CorpusResult(
        report_table=tables["reports"],
        ledger=tables["ledger"],
        sentences=tables["sentences"],
        problems=problems_frame(rejections),
        skipped=scan.skipped,
        anew=frozenset(r.report_id for r in reports) if previous is not None else None,
        seen=seen_now(scan.kept, known or {}, sources, reports),
    )


def seen_now(kept: Sequence[Kept], known: Known, sources: Sequence[SourceFile], reports: Sequence[Report]) -> Seen:
    """The record of this run's report files for the next run's cheap check: each one's size and time
    as found, with the digest of the bytes read (a file rejected now is read again next time)."""
    stat_of = {s.file: s.stat for s in sources}
    seen = {k.file: (*k.stat, known[k.file][0]) for k in kept if k.file in known}
    seen.update({r.file: (*stat_of[r.file], r.file_sha256) for r in reports if r.file in stat_of})
    return dict(sorted(seen.items()))


def inputs_record(result: CorpusResult) -> dict:
    """run.json's account of the inputs: how many of each format, the extractors, the conversions
    made, and the entries skipped (with the note shown for each)."""
    table = result.report_table

    def counts(column: str) -> dict[str, int]:
        return {k: int(v) for k, v in table[column][table[column] != ""].value_counts().sort_index().items()}

    return {"formats": counts("format"), "extractors": counts("extractor"), "encodings": counts("encoding"),
            "conversions": counts("conversion"), "skipped": [asdict(s) for s in result.skipped]}


def kept_as_read(previous: Previous | None, reports: pd.DataFrame, anew: frozenset[str] | None) -> frozenset[str]:
    """The reports whose rows in every table are the previous run's as read (`StageOutput.same`): those not
    read anew, but for any whose reports row `track_changes` states otherwise (a `first_seen` it fills in)."""
    if previous is None or anew is None:
        return frozenset()
    kept = set(reports["report_id"]) - anew
    now = stored_text(reports[reports["report_id"].isin(kept)])
    return frozenset(kept - differing_reports(previous.kept("reports", kept), now))


class CorpusStage(Stage):
    """Every input read, its lines given roles, its sentences cut and their languages identified."""

    name = "corpus"
    writes = ("ledger", "reports", "problems", "sentences")
    fields = ("seeds",)
    libraries = ("underthesea",)  # its sentence splitter proposes the boundaries
    sections = ("collection",)  # what is new, changed and removed since the previous run into this OUT

    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None = None) -> StageOutput:
        result = build_corpus(ctx.cfg, ctx.engine, previous)
        # what the previous run left, before this run replaces it (its tables as the runner read them, if it did)
        # (a partial run: the reports read anew are the only ones whose lines can differ from the previous run's)
        before = read_previous(ctx.cfg.data_dir, ctx.cfg.run_json, previous.tables if previous else None, result.anew)
        reports, collection = track_changes(before, result.report_table, result.ledger, run_time_after(before.run_time),
                                            result.anew)
        record = {
            "files": len(result.report_table) + len(result.problems),
            "reports": len(result.report_table),
            "rejected": len(result.problems),
            "lines": len(result.ledger),
            "sentences": int(result.report_table["n_sentences"].astype(int).sum()),
            "captions": int((result.sentences["role"] == "caption").sum()),
            "roles": {k: int(v) for k, v in result.ledger["role"].value_counts().sort_index().items()},
            "inputs": inputs_record(result),
        }
        return StageOutput({"ledger": result.ledger, "reports": reports, "problems": result.problems,
                            "sentences": result.sentences}, record, sections={"collection": collection},
                           anew=result.anew, files={"": {SEEN: json.dumps(result.seen).encode("utf-8")}},
                           same=kept_as_read(previous, reports, result.anew))

    def again(self, sections: Mapping[str, Any]) -> dict[str, Any]:
        """Read back unchanged, the corpus is a run of its own for what is new: nothing new, changed
        or removed since the previous run (whose time this run's follows)."""
        before = sections.get("collection") or {}
        return {"collection": {"run_time": run_time_after(before.get("run_time")),
                               "previous_run_time": before.get("run_time"), "new": [], "changed": [], "removed": []}}

    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        r = sections[self.name]
        return (f"{r['reports']} reports, {r['lines']} lines, {r['sentences'] + r['captions']} sentences, "
                f"{r['rejected']} inputs rejected" + changes_said(sections.get("collection")))
