"""The entities step: the people, organisations, places and cited documents each report names
(underthesea's NER with the glossary, cited documents and rules), merged across surface forms and
reports, with the reviewers' corrections (`REVIEWS/entities.csv`): entities.csv and mentions.csv.
A report's mentions depend on its own sentences and references alone (`per_report`): a re-run finds
those of new and changed reports only, keeps the others' rows, and makes the entities from all the
mentions (`collective`). The model's tagging of each sentence, and what was found in it, are kept in
memories in CACHE_DIR, so a changed report's sentences already seen are not looked at again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from helpers.entities.build import entity_table, report_mentions
from helpers.entities.corrections import corrections_file, load_corrections
from helpers.entities.memo import MentionMemo, TagMemo
from helpers.entities.model import TagWork, model_version
from helpers.entities.world import world_digest
from helpers.review.store import ENTITIES, GLOSSARY
from helpers.stage import Previous, RunContext, Stage, StageOutput
from helpers.store.code import code_stamp
from helpers.store.paths import shown_path

TAG_MEMO = "entity-tags.sqlite"  # in CACHE_DIR, beside the translation memory
MENTION_MEMO = "entity-mentions.sqlite"  # in CACHE_DIR: what was found in each sentence


class EntitiesStage(Stage):
    """Who, where, which organisation: an entity index across all reports."""

    name = "entities"
    reads = ("sentences", "reports", "references")
    writes = ("entities", "mentions")
    reviews = (GLOSSARY, ENTITIES)  # the glossary and the entity corrections
    per_report = True  # a report's mentions depend on its own sentences and references (entities: `collective`)
    libraries = ("underthesea", "babel")  # its NER models ship with it; CLDR's country names with Babel

    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None = None) -> StageOutput:
        cfg = ctx.cfg
        corrections = load_corrections(cfg.reviews, ctx.reviews.files[ENTITIES])  # as the stamp has them
        glossary = ctx.reviews.glossary
        context = json.dumps([code_stamp(), model_version(), hashlib.sha256(repr(glossary).encode()).hexdigest(),
                              world_digest()])
        work = TagWork()
        with TagMemo(cfg.cache_dir / TAG_MEMO) as memo, MentionMemo(cfg.cache_dir / MENTION_MEMO, context) as found:
            mentions = report_mentions(tables["sentences"], tables["references"], glossary, corrections,
                                       memo=memo, mentions=found, work=work)
        record = {"model": model_version() + " (ner_crf_2017_10_12)",
                  "sentences_tagged": work.sentences, "model_seconds": round(work.seconds, 3),
                  "corrections": {"file": shown_path(corrections_file(cfg.reviews)), "entries": len(corrections)}}
        return StageOutput({"mentions": mentions}, record)

    def collective(self, ctx: RunContext, tables: dict[str, pd.DataFrame],
                   inputs: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The entities, made from every report's mentions (kept or found now)."""
        entities = entity_table(tables["mentions"], inputs["reports"], inputs["references"], ctx.reviews.glossary,
                                load_corrections(ctx.cfg.reviews, ctx.reviews.files[ENTITIES]))
        return {**tables, "entities": entities}

    def totals(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, Any]:
        entities = tables["entities"]
        return {"entities": len(entities), "mentions": len(tables["mentions"]),
                "kinds": {k: int(v) for k, v in entities["kind"].value_counts().items()}}

    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        r = sections[self.name]
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(r["kinds"].items()))
        return f"{r['entities']} entities ({kinds}), {r['mentions']} mentions"
