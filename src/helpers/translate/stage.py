"""The translation stage: every title, body and caption sentence in English, with its flags;
sentences.csv gains the translation columns, and translations/ and references.csv are made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from helpers.checks.flags import flag, flag_code, join_flags, split_flags
from helpers.config import Config
from helpers.models.loaded import model_label
from helpers.review.store import GLOSSARY, SENTENCES
from helpers.stage import Files, MadeFiles, Previous, RunContext, Stage, StageOutput
from helpers.store.paths import TRANSLATIONS_DIR
from helpers.store.paths import shown_path
from helpers.translate.exports import Columns, Provenance, columns_of, docx_bytes, markdown_text

TRANSLATIONS = TRANSLATIONS_DIR  # the folder of OUT/data with each report's English (.txt, .docx, .md)
FILE_KINDS = ("txt", "docx", "md")  # each report's files in TRANSLATIONS, as `report_files` makes them
FILES_ON_CORES_AT = 1_000  # reports from which their files are made on every core (a process starts in about a second)


class TranslateStage(Stage):
    """Every sentence in English by its language, reviewed English winning; each report's English as
    text, Word and Markdown; the documents the reports cite."""

    name = "translate"
    reads = ("sentences", "reports")
    writes = ("sentences", "references")
    fields = ("models", "translator", "backend")
    reviews = (SENTENCES, GLOSSARY)
    per_report = True  # a sentence's English depends on it alone (and the memory, reviews and glossary)
    reviews_by_report = (SENTENCES,)  # a review added or changed makes its sentences' reports anew, not all
    folders = (TRANSLATIONS,)

    def model_keys(self, cfg: Config) -> tuple[str, ...]:
        return (cfg.translator,)

    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None = None) -> StageOutput:
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
        frame["terms"] = ["|".join(r.terms) for r in results]
        frame["pieces"] = [r.pieces for r in results]
        frame["confidence"] = [r.confidence for r in results]
        frame = with_origin(frame, done)  # origin (model, review, source) and who reviewed when
        refs = references_frame(tables["sentences"], glossary)
        record = {**{k: v for k, v in vars(stats).items() if k != "seconds"}, "model": provenance["source"],
                  "demo": loaded.demo, "memory": shown_path(cfg.memory_file), "date": date.today().isoformat(),
                  "references": len(refs), "reviews": ctx.reviews.record(frame["text_vi"])}
        return StageOutput({"sentences": frame, "references": refs}, record, models={"translate": provenance})

    def stale(self, ctx: RunContext, previous: Previous) -> set[str]:
        """Reports with a sentence whose review came, went or changed since the previous output."""
        reviews = ctx.reviews.sentences
        frame = previous.tables["sentences"]
        stale = set()
        for rid, source, english, origin, who, when, kind in zip(*(frame[c].tolist() for c in (
                "report_id", "text_vi", "text_en", "origin", "reviewer", "reviewed_at", "review"))):
            rev = reviews.get(source)
            if rev is None:
                if origin == "review":
                    stale.add(rid)
            elif origin != "review" or (who, when, kind, english) != (rev.reviewer, rev.when, rev.kind, rev.english):
                stale.add(rid)
        return stale

    def collective(self, ctx: RunContext, tables: dict[str, pd.DataFrame],
                   inputs: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """`low_confidence` is relative to the collection: the lowest-scoring sentences of every report."""
        return {**tables, "sentences": rank_confidence(tables["sentences"])}

    def files(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], ids: set[str]) -> Files:
        """Each report's English as text, Word (for post-editing, translate.exports) and Markdown, each
        made as the runner writes it (`MadeFiles`: 10,000 reports' Word files are never held at once),
        on every core from FILES_ON_CORES_AT reports."""
        frame = tables["sentences"]
        frame = frame[frame["report_id"].isin(ids)]
        if frame.empty:
            return {TRANSLATIONS: {}}
        provenance = ctx.load(ctx.cfg.translator).provenance()
        made = Provenance(provenance["source"], provenance["revision"], provenance["demo"], date.today().isoformat())
        rows = frame.groupby("report_id", sort=False).indices
        names = {str(rid): [f"{rid}.{kind}" for kind in FILE_KINDS] for rid in rows}
        columns = columns_of(frame)

        def item(rid: str) -> tuple[str, Columns, Provenance]:
            return rid, {name: [values[i] for i in rows[rid]] for name, values in columns.items()}, made

        return {TRANSLATIONS: MadeFiles(names, item, report_files, at_least=FILES_ON_CORES_AT)}

    def totals(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, Any]:
        sentences = tables["sentences"]
        return {"references": len(tables["references"]), "reviews": ctx.reviews.record(sentences["text_vi"]),
                "flagged": int((sentences["flags"] != "").sum())}

    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        record = sections[self.name]
        return (f"{record['sentences']} sentences, {record['from_memory']} from memory, {record['flagged']} flagged"
                + (f", {record['reviewed']} reviewed" if record["reviewed"] else ""))


def rank_confidence(sentences: pd.DataFrame) -> pd.DataFrame:
    """sentences.csv with `low_confidence:SCORE` on the lowest-scoring share of the scored sentences
    of the whole collection (`inference.sentences.flag_low_confidence`'s rule: ties by position), and
    on no other. Only the rows whose flags change are rewritten (a collection's worth of rows each run)."""
    import numpy as np

    from helpers.inference.sentences import LOW_CONFIDENCE_SHARE

    scores = pd.to_numeric(sentences["confidence"], errors="coerce").to_numpy(dtype=float)
    scored = np.flatnonzero(~np.isnan(scores))
    # sorted by (score, position) as the rule says: a stable sort of the positions by score
    order = scored[np.argsort(scores[scored], kind="stable")]
    lowest = set(order[: max(1, round(len(scored) * LOW_CONFIDENCE_SHARE))].tolist()) if len(scored) else set()
    flags = sentences["flags"].astype(str).tolist()
    marked = sentences["flags"].astype(str).str.contains("low_confidence", regex=False).to_numpy()
    for i in sorted(lowest | set(np.flatnonzero(marked).tolist())):
        kept = [f for f in split_flags(flags[i]) if flag_code(f) != "low_confidence"]
        flags[i] = join_flags(kept + ([flag("low_confidence", f"{scores[i]:.2f}")] if i in lowest else []))
    return sentences.assign(flags=flags)


def report_files(item: tuple[str, Columns, Provenance]) -> list[bytes]:
    """One report's English files (FILE_KINDS: text, Word, Markdown) from its (id, sentences, provenance)."""
    report_id, group, made = item
    return [english_text(group).encode("utf-8"), docx_bytes(report_id, group, made),
            markdown_text(report_id, group, made).encode("utf-8")]


def english_text(sentences: pd.DataFrame | Columns) -> str:
    """A report's English text: title, then one paragraph per source line, then the captions."""
    lines: dict[int | str, list[str]] = {}  # one pass over plain columns (this runs once per report)
    captions: list[str] = []
    for role, line_no, english in zip(sentences["role"], sentences["line_no"], sentences["text_en"]):
        (captions if role == "caption" else lines.setdefault(line_no, [])).append(english)
    parts = [" ".join(lines[n]) for n in sorted(lines, key=int)]
    if captions:
        parts.append("Photo captions:\n" + "\n".join(f"- {t}" for t in captions))
    return "\n\n".join(parts) + "\n"

