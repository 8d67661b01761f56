"""The translation stage: every title, body and caption sentence in English, with its flags;
sentences.csv gains the translation columns, and translations/ and references.csv are made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from helpers.checks.flags import join_flags
from helpers.config import Config
from helpers.models.loaded import model_label
from helpers.review.store import GLOSSARY, SENTENCES
from helpers.stage import RunContext, Stage, StageOutput
from helpers.store.paths import shown_path
from helpers.translate.exports import Provenance, docx_bytes, markdown_text

TRANSLATIONS = "translations"  # the folder of OUT/data with each report's English (.txt, .docx, .md)


class TranslateStage(Stage):
    """Every sentence in English by its language, reviewed English winning; each report's English as
    text, Word and Markdown; the documents the reports cite."""

    name = "translate"
    reads = ("sentences", "reports")
    writes = ("sentences", "references")
    fields = ("models", "translator", "backend")
    reviews = (SENTENCES, GLOSSARY)

    def model_keys(self, cfg: Config) -> tuple[str, ...]:
        return (cfg.translator,)

    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame]) -> StageOutput:
        from helpers.text.references import references_frame
        from helpers.translate.languages import ByLanguage
        from helpers.translate.reviewed import Reviewed, ReviewedLayer, with_origin

        cfg = ctx.cfg
        reviews, glossary = ctx.reviews.sentences, ctx.reviews.glossary  # as this run read them, once
        frame = tables["sentences"].copy()
        sources, languages = frame["text_vi"].tolist(), frame["lang"].tolist()
        loaded = ctx.load(cfg.translator)
        # a reviewed sentence takes its review's English; only the others reach the model, each as its
        # language asks (translate.languages): English kept, other languages by a translator that knows them
        translate = ReviewedLayer(reviews, glossary, ByLanguage(ctx, loaded, glossary))
        results, stats = translate(sources, languages)
        done = Reviewed(results, stats, translate.reviews_of(sources))
        provenance = loaded.provenance()
        frame["text_en"] = [r.text_en for r in results]
        frame["flags"] = [join_flags(r.flags) for r in results]
        label = model_label(provenance)
        frame["model"] = [label if r.translated else "" for r in results]
        frame["from_memory"] = [r.from_memory for r in results]
        frame["terms"] = ["|".join(r.terms) for r in results]
        frame["pieces"] = [r.pieces for r in results]
        frame["confidence"] = [r.confidence for r in results]
        frame = with_origin(frame, done)  # origin (model, memory, review, source) and who reviewed when
        made = Provenance(provenance["source"], provenance["revision"], provenance["demo"], date.today().isoformat())
        files: dict[str, bytes] = {}
        for rid, group in frame.groupby("report_id", sort=False):
            files[f"{rid}.txt"] = english_text(group).encode("utf-8")
            files[f"{rid}.docx"] = docx_bytes(rid, group, made)  # for post-editing (translate.exports)
            files[f"{rid}.md"] = markdown_text(rid, group, made).encode("utf-8")
        refs = references_frame(tables["sentences"], glossary)
        record = {**{k: v for k, v in vars(stats).items() if k != "seconds"}, "model": provenance["source"],
                  "demo": loaded.demo, "memory": shown_path(cfg.memory_file), "date": made.date,
                  "references": len(refs), "reviews": ctx.reviews.record(frame["text_vi"])}
        return StageOutput({"sentences": frame, "references": refs}, record, {TRANSLATIONS: files},
                           {"translate": provenance})

    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        record = sections[self.name]
        flagged = int((tables["sentences"]["flags"] != "").sum())
        return (f"{record['sentences']} sentences, {record['from_memory']} from memory, {flagged} flagged"
                + (f", {record['reviewed']} reviewed" if record["reviewed"] else ""))


def english_text(sentences: pd.DataFrame) -> str:
    """A report's English text: title, then one paragraph per source line, then the captions."""
    lines: dict[int | str, list[str]] = {}  # one pass over plain columns (this runs once per report)
    captions: list[str] = []
    for role, line_no, english in zip(sentences["role"], sentences["line_no"], sentences["text_en"]):
        (captions if role == "caption" else lines.setdefault(line_no, [])).append(english)
    parts = [" ".join(lines[n]) for n in sorted(lines, key=int)]
    if captions:
        parts.append("Photo captions:\n" + "\n".join(f"- {t}" for t in captions))
    return "\n\n".join(parts) + "\n"
