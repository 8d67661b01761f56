"""The data contract of a run, named once: the files under `OUT/data/`, their columns, the stage
that writes each, and the sections of `run.json` with their fields. Readers go through
`read_table`, which checks the columns, so a missing or foreign file is a clear error naming it,
never a KeyError deep in a page; the runner writes run.json only through `check_section`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from helpers.errors import InputError
from helpers.store.files import read_csv


class HasDataDir(Protocol):
    """Anything that names the run's data folder (a Config does)."""

    @property
    def data_dir(self) -> Path: ...


@dataclass(frozen=True)
class ContractFile:
    """One CSV file of the contract: its columns (in order) and the stage and notebook that write it."""

    file: str
    columns: tuple[str, ...]
    stage: str
    notebook: str


# The roles a line of the ledger takes (its `role` column; docs/data-contract.md#line-roles): those whose
# sentences make up a report's text, and those that are cut into sentences.csv's rows.
ROLES = ("title", "body", "caption", "duplicate", "dateline", "byline", "source", "boilerplate", "blank")
TEXT_ROLES = ("title", "body")
SENTENCE_ROLES = ("title", "body", "caption")

CORPUS_SENTENCE_COLUMNS = ("report_id", "sentence_no", "line_no", "text_vi", "role", "lang")
TRANSLATION_COLUMNS = ("text_en", "flags", "model", "terms", "pieces", "confidence")
REVIEW_COLUMNS = ("origin", "review", "reviewer", "reviewed_at")  # where the English came from; who reviewed it, when

TABLES: dict[str, ContractFile] = {t.file.removesuffix(".csv"): t for t in (
    ContractFile("ledger.csv", ("report_id", "line_no", "role", "reason", "text"), "corpus", "01_corpus"),
    ContractFile("reports.csv", ("report_id", "file", "title", "date", "author", "source", "n_lines", "n_sentences",
                                 "date_source", "photo_credit", "n_captions", "language", "format", "extractor",
                                 "encoding", "conversion", "file_bytes", "file_sha256", "source_name", "first_seen",
                                 "last_changed"),
                 "corpus", "01_corpus"),
    ContractFile("problems.csv", ("file", "problem"), "corpus", "01_corpus"),
    ContractFile("sentences.csv", CORPUS_SENTENCE_COLUMNS + TRANSLATION_COLUMNS + REVIEW_COLUMNS, "translate",
                 "02_translate"),
    ContractFile("references.csv", ("report_id", "sentence_no", "type", "type_en", "number", "code", "date", "issuer",
                             "cited_as", "english"), "translate", "02_translate"),
    ContractFile("summaries.csv", ("report_id", "method", "model", "summary_en", "n_words", "flags",
                            "source_sentence_ids") + REVIEW_COLUMNS + ("reviewed_summary",),
                 "summarise", "03_summarise"),
    ContractFile("entities.csv", ("entity_id", "kind", "name_vi", "name_en", "reports", "mentions", "first_date",
                                  "last_date"), "entities", "07_entities"),
    ContractFile("mentions.csv", ("entity_id", "report_id", "sentence_no", "surface"), "entities", "07_entities"),
)}


def columns(name: str) -> list[str]:
    """The columns of a contract table, in order: every writer builds its frame with these."""
    return list(TABLES[name].columns)


def columns_written(name: str, stage: str) -> tuple[str, ...]:
    """The columns `stage` writes of table `name`: the table's own, but the corpus stage writes only
    the corpus columns of sentences.csv (the translation stage adds the rest)."""
    return CORPUS_SENTENCE_COLUMNS if (name == "sentences" and stage == "corpus") else TABLES[name].columns


def _data_dir(where: HasDataDir | Path) -> Path:
    return where if isinstance(where, Path) else where.data_dir


def read_table(where: HasDataDir | Path, name: str, stage: str | None = None, only: bool = False) -> pd.DataFrame:
    """A table of `OUT/data/` (`where`: the data folder, or a Config), checked against the contract.

    `stage` names the stage whose columns are needed (sentences.csv holds only the corpus
    columns until the translation stage has run); by default, the table's own stage. `only`: read
    those columns alone (the corpus's six of sentences.csv's seventeen parse in half the time).
    """
    table = TABLES[name]
    path = _data_dir(where) / table.file
    if not path.is_file():
        raise InputError(f"{path} is missing: run the {table.stage} stage first "
                         f"(notebook {table.notebook}, or `make reports`)")
    needed = columns_written(name, stage or table.stage)
    frame = read_csv(path, set(needed) if only else None)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{path} lacks the columns {', '.join(missing)}: it was not written by the "
                         f"{stage or table.stage} stage of this version (run notebook {table.notebook} again)")
    return frame


def data_stamp(where: HasDataDir | Path) -> str:
    """A digest of the contract's files as they are now (name, size, time: no file is read, so it
    costs the same at 10,000 reports; a file written again counts as changed): pages record the one
    they were made from."""
    h = hashlib.sha256()
    for table in TABLES.values():
        path = _data_dir(where) / table.file
        try:
            st = path.stat()
            h.update(f"{table.file}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{table.file}\0-\n".encode())
    return h.hexdigest()


# ------------------------------------------------------------------ run.json, section by section


@dataclass(frozen=True)
class RunSection:
    """One top-level section of `OUT/data/run.json`: who writes it, what it holds, and its fields
    (None: a mapping whose keys are names of the run, e.g. package versions or parameters)."""

    name: str
    writer: str
    meaning: str
    fields: tuple[str, ...] | None = None


# the runner adds these to every stage's section (base: the stamp without the inputs; kept: reports kept as they were)
STAGE_FIELDS = ("seconds", "stamp", "base", "kept")

RUN_JSON: dict[str, RunSection] = {s.name: s for s in (
    RunSection("parameters", "corpus", "every run parameter (Config), paths as shared outputs show them"),
    RunSection("absolute_paths", "corpus", "the path parameters as this machine has them"),
    RunSection("versions", "corpus", "Python and the packages that shape the outputs"),
    RunSection("corpus", "corpus", "what was read: counts of files, reports, lines, sentences, roles; how inputs "
               "were read (formats, extractors, encodings, conversions) and the entries skipped",
               ("files", "reports", "rejected", "lines", "sentences", "captions", "roles", "inputs") + STAGE_FIELDS),
    RunSection("collection", "corpus", "what the run found new, changed and removed since the previous run into "
               "this OUT (report ids; removed reports named with their title and file) and the two run times",
               ("run_time", "previous_run_time", "new", "changed", "removed")),
    RunSection("translate", "translate", "the translation's counts (memory, pieces, flags, languages), its model, "
               "memory and date, and the reviews file used",
               ("sentences", "from_memory", "pieces", "split_sentences", "redecoded", "reviewed", "generated",
                "generate_calls", "model_seconds", "flags", "languages", "model", "demo", "memory", "date",
                "references", "reviews", "flagged") + STAGE_FIELDS),
    RunSection("summarise", "summarise", "the summary methods, rows, length bound, model time and summary reviews",
               ("methods", "rows", "max_sentences", "max_words", "model_seconds", "reviews") + STAGE_FIELDS),
    RunSection("entities", "entities", "the entity index: the model, how many entities (by kind) and mentions, "
               "sentences the model tagged in this run (the others from its memory) and the seconds that took, "
               "the corrections file",
               ("model", "entities", "mentions", "kinds", "sentences_tagged", "model_seconds", "corrections")
               + STAGE_FIELDS),
    RunSection("models", "translate, summarise", "per model used: source, revision, files and sha256, backend, "
               "decoding settings (keys: `translate`, `summary abstractive-en`, `summary abstractive-vi`)"),
    RunSection("pages", "pages", "what the pages were made from: the data, the reviews, and (`made_with`) the code, "
               "parameters and stage pages they show", ("data", "reviews", "made_with")),
    RunSection("warnings", "notebooks", "what the stage notebooks wrote to stderr, their cells and their kernel's "
                                        "imports at start (with the first notebook's page; a list of page and text)"),
    RunSection("engine", "reports", "where the work ran, on how many workers (a Dask cluster not started when "
               "nothing ran: 0), each stage's seconds"),
)}


# The stages' own sections (each holds STAGE_FIELDS, its seconds among them), in the order the stages run.
STAGE_SECTIONS = tuple(s.name for s in RUN_JSON.values() if s.fields is not None and set(STAGE_FIELDS) <= set(s.fields))


def check_section(name: str, value: Any) -> Any:
    """`value`, when it is what the contract says section `name` of run.json holds; a bug otherwise."""
    section = RUN_JSON.get(name)
    if section is None:
        raise KeyError(f"run.json has no section {name!r} in the contract (store.contract.RUN_JSON)")
    if section.fields is not None:
        if not isinstance(value, dict) or set(value) != set(section.fields):
            got = sorted(value) if isinstance(value, dict) else type(value).__name__
            raise KeyError(f"run.json section {name!r} must hold {sorted(section.fields)}, not {got}")
    return value


def run_json_table() -> str:
    """run.json's sections as docs/data-contract.md's Markdown table (section, written by, fields,
    what it holds), made from RUN_JSON; a test keeps the doc's copy equal to it."""
    rows = ["| section | written by | fields | what it holds |", "| --- | --- | --- | --- |"]
    for s in RUN_JSON.values():
        listed = ", ".join(f"`{f}`" for f in s.fields) if s.fields else "(by name)"
        rows.append(f"| `{s.name}` | {s.writer} | {listed} | {s.meaning} |")
    return "\n".join(rows)
