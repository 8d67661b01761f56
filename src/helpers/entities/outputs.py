"""The step's files, for whatever runs it (the stage runner, a notebook): read the run's tables,
build the index with the reviewed corrections and the tag memory, write `entities.csv`,
`mentions.csv` and `entities.html`, and say what was done for run.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.config import Config, shown_path
from helpers.entities.build import build_entities
from helpers.entities.corrections import corrections_digest, corrections_file, load_corrections
from helpers.entities.memo import TagMemo
from helpers.entities.model import model_version
from helpers.pages.entities import PAGE, entities_html
from helpers.pages.render import Nav, save_page
from helpers.review.glossary import glossary_for
from helpers.store.contract import read_table
from helpers.store.files import write_csv

TAG_MEMO = "entity-tags.sqlite"  # in CACHE_DIR, beside the translation memory


@dataclass
class EntitiesResult:
    """The two tables and run.json's account of how they were made."""

    entities: pd.DataFrame
    mentions: pd.DataFrame
    reports: pd.DataFrame
    record: dict[str, object] = field(default_factory=dict)


def make_entities(cfg: Config) -> EntitiesResult:
    """The entity index of the run in `OUT` (its sentences, reports and references), with the
    reviewers' corrections of `REVIEWS/entities.csv`; writes only the tag memory."""
    started = time.perf_counter()
    sentences, reports, references = (read_table(cfg, n) for n in ("sentences", "reports", "references"))
    corrections = load_corrections(cfg.reviews)
    with TagMemo(cfg.cache_dir / TAG_MEMO) as memo:
        before = len(memo)
        entities, mentions = build_entities(sentences, reports, references, glossary_for(cfg.reviews), corrections,
                                            memo=memo)
        tagged = len(memo) - before
    record = {"model": model_version() + " (ner_crf_2017_10_12)", "entities": len(entities),
              "mentions": len(mentions), "kinds": entities["kind"].value_counts().to_dict(),
              "sentences_tagged": tagged, "corrections": {"file": shown_path(corrections_file(cfg.reviews)),
                                                           "entries": len(corrections),
                                                           "digest": corrections_digest(cfg.reviews)},
              "seconds": round(time.perf_counter() - started, 3)}
    return EntitiesResult(entities, mentions, reports, record)


def write_entities(cfg: Config, result: EntitiesResult, nav: Nav | None = None) -> list[Path]:
    """Write entities.csv and mentions.csv into `OUT/data/` and entities.html into `OUT/html/`."""
    return [write_csv(cfg.data_dir / "entities.csv", result.entities),
            write_csv(cfg.data_dir / "mentions.csv", result.mentions),
            save_page(cfg.html_dir / PAGE, entities_html(result.entities, result.mentions, result.reports, nav))]
