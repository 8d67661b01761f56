"""The data contract of a run, named once: the files under `OUT/data/`, their columns, and the
stage that writes each. Readers go through `read_table`, which checks the columns, so a
missing or foreign file is a clear error naming it, never a KeyError deep in a page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from helpers.config import Config
from helpers.store.files import read_csv


@dataclass(frozen=True)
class ContractFile:
    """One CSV file of the contract: its columns (in order) and the stage and notebook that write it."""

    file: str
    columns: tuple[str, ...]
    stage: str
    notebook: str


CORPUS_SENTENCE_COLUMNS = ("report_id", "sentence_no", "line_no", "text_vi", "role", "lang")
TRANSLATION_COLUMNS = ("text_en", "flags", "model", "from_memory", "terms", "pieces", "confidence")
REVIEW_COLUMNS = ("origin", "review", "reviewer", "reviewed_at")  # where the English came from; who reviewed it, when

TABLES: dict[str, ContractFile] = {t.file.removesuffix(".csv"): t for t in (
    ContractFile("ledger.csv", ("report_id", "line_no", "role", "reason", "text"), "corpus", "01_corpus"),
    ContractFile("reports.csv", ("report_id", "file", "title", "date", "author", "source", "n_lines", "n_sentences",
                                 "date_source", "photo_credit", "n_captions", "language", "format", "extractor",
                                 "encoding", "conversion", "file_bytes"), "corpus", "01_corpus"),
    ContractFile("problems.csv", ("file", "problem"), "corpus", "01_corpus"),
    ContractFile("sentences.csv", CORPUS_SENTENCE_COLUMNS + TRANSLATION_COLUMNS + REVIEW_COLUMNS, "translate",
                 "02_translate"),
    ContractFile("references.csv", ("report_id", "sentence_no", "type", "type_en", "number", "code", "date", "issuer",
                             "cited_as", "english"), "translate", "02_translate"),
    ContractFile("summaries.csv", ("report_id", "method", "model", "summary_en", "n_words", "flags",
                            "source_sentence_ids") + REVIEW_COLUMNS + ("reviewed_summary",), "summarise", "03_summarise"),
    ContractFile("entities.csv", ("entity_id", "kind", "name_vi", "name_en", "reports", "mentions", "first_date",
                                  "last_date"), "entities", "07_entities"),
    ContractFile("mentions.csv", ("entity_id", "report_id", "sentence_no", "surface"), "entities", "07_entities"),
)}


def columns(name: str) -> list[str]:
    """The columns of a contract table, in order: every writer builds its frame with these."""
    return list(TABLES[name].columns)


def read_table(cfg: Config, name: str, stage: str | None = None) -> pd.DataFrame:
    """A table of `OUT/data/`, checked against the contract.

    `stage` names the stage whose columns are needed (sentences.csv holds only the corpus
    columns until the translation stage has run); by default, the table's own stage.
    """
    table = TABLES[name]
    path = cfg.data_dir / table.file
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run the {table.stage} stage first "
                                f"(notebook {table.notebook}, or `make reports`)")
    frame = read_csv(path)
    needed = CORPUS_SENTENCE_COLUMNS if (name == "sentences" and stage == "corpus") else table.columns
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {', '.join(missing)}: it was not written by the "
                         f"{stage or table.stage} stage of this version (run notebook {table.notebook} again)")
    return frame


def data_stamp(cfg: Config) -> str:
    """A digest of the contract's files as they are now: pages record the one they were made from."""
    h = hashlib.sha256()
    for table in TABLES.values():
        path = cfg.data_dir / table.file
        h.update(table.file.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    return h.hexdigest()
