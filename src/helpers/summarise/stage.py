"""The summary stage: every report summarised by every method; summaries.csv is written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from helpers.checks.flags import flag, flag_code, join_flags, split_flags
from helpers.config import Config
from helpers.inference.cores import ItemsOf, on_every_core
from helpers.models.loaded import model_label
from helpers.review.summaries import apply_summary_reviews, summary_counts
from helpers.review.store import GLOSSARY, SUMMARIES
from helpers.stage import Previous, RunContext, Stage, StageOutput
from helpers.store.contract import TEXT_ROLES, columns
from helpers.summarise.abstractive import Summariser, map_reduce_all
from helpers.summarise.checked import ReportSummaries, check_all
from helpers.summarise.extractive import extractive_of
from helpers.text.language_id import VIETNAMESE


METHODS = ("extractive", "abstractive-en", "abstractive-vi")
# Reports from which the summaries' own Python work (TextRank, the checks against the report: a few milliseconds a
# report, holding one core) is done on every core (`inference.cores`; a process starts in about a second).
ON_CORES_AT = 1_000


@dataclass(frozen=True)
class Summary:
    """One summary of one report (a `summaries.csv` row)."""

    report_id: str
    method: str
    model: str
    summary_en: str
    n_words: int
    flags: str
    source_sentence_ids: str


class SummariseStage(Stage):
    """Every report summarised by every method (`METHODS`), held to the length bound and checked
    against what the report states; a reviewed summary of the report's current text wins."""

    name = "summarise"
    reads = ("sentences", "reports")
    writes = ("summaries",)
    fields = ("summariser_en", "summariser_vi", "summary_max_sentences", "summary_max_words")
    reviews = (SUMMARIES, GLOSSARY)  # the sentences' reviews reach it through sentences.csv
    per_report = True  # a report's summaries depend on its own sentences alone

    def model_keys(self, cfg: Config) -> tuple[str, ...]:
        return (cfg.translator, cfg.summariser_en, cfg.summariser_vi)

    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None = None) -> StageOutput:
        frame, models, model_seconds = summarise(ctx, tables["sentences"], tables["reports"])
        record = {"methods": list(METHODS), "rows": len(frame), "max_sentences": ctx.cfg.summary_max_sentences,
                  "max_words": ctx.cfg.summary_max_words, "model_seconds": round(model_seconds, 3),
                  "reviews": summary_counts(frame)}
        return StageOutput({"summaries": frame}, record, models={f"summary {m}": p for m, p in models.items()})

    def order(self, name: str, frame: pd.DataFrame, reports: list[str]) -> pd.DataFrame:
        return sort_summaries(frame)

    def totals(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, Any]:
        return {"rows": len(tables["summaries"]), "reviews": summary_counts(tables["summaries"])}

    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        return f"{len(tables['summaries'])} summaries of {len(tables['reports'])} reports"


def summarise(ctx: RunContext, sentences: pd.DataFrame, reports: pd.DataFrame,
              methods: tuple[str, ...] = METHODS) -> tuple[pd.DataFrame, dict[str, dict], float]:
    """Every report summarised by every one of `methods`: summaries.csv's rows, the provenance of each
    method's model, and the seconds spent in models."""
    cfg = ctx.cfg
    translated = sentences.loc[sentences["model"] != "", "model"]  # the translator's label, as the sentences carry it
    body, left_out = with_english(sentences[sentences["role"] == "body"])
    text = sentences[sentences["role"].isin(TEXT_ROLES)]
    bound = (cfg.summary_max_sentences, cfg.summary_max_words)
    models: dict[str, dict] = {}
    model_seconds = 0.0

    by_report = ReportColumns(text[["report_id", "text_vi", "text_en"]])  # one pass, not one filter per report
    body_of = ReportColumns(body[["report_id", "sentence_no", "text_vi", "text_en", "lang"]])

    drafts: dict[str, list[tuple[str, str, str, list[int], list[str]]]] = {}  # per report, its summaries as made

    def add(rid: str, method: str, model: str, summary: str, ids: list[int], flags: list[str]) -> None:
        drafts.setdefault(rid, []).append((method, model, summary, ids, flags))

    report_ids = reports["report_id"].tolist()
    other = set(reports.loc[reports["language"] != VIETNAMESE, "report_id"])
    empty = [rid for rid in report_ids if rid not in body_of]
    for method in methods:
        for rid in empty:
            add(rid, method, "", "", [], [flag("no_body_text")])
        todo = [rid for rid in report_ids if rid not in empty]
        if method == "extractive":
            label = translated.iloc[0] if len(translated) else model_label(ctx.load(cfg.translator).provenance())

            def textrank_item(rid: str) -> tuple[list[int], list[str], list[str], int, int]:
                g = body_of[rid]
                return [int(n) for n in g["sentence_no"]], g["text_vi"], g["text_en"], *bound

            # TextRank is Python and numpy that hold one core: a collection's reports on every core
            for rid, (summary, ids, flags) in zip(todo, on_every_core(extractive_of, ItemsOf(todo, textrank_item),
                                                                      ON_CORES_AT)):
                add(rid, method, f"textrank over {label}", summary, ids, flags)
            continue
        key = cfg.summariser_en if method == "abstractive-en" else cfg.summariser_vi
        with ctx.model(key) as (loaded, memory):
            models[method] = loaded.provenance()
            column = "text_en" if method == "abstractive-en" else "text_vi"
            texts = {rid: " ".join(vietnamese_only(body_of[rid], rid in other)[column]) for rid in todo}
            run = Summariser(loaded, memory, ctx.progress, ctx.engine)
            made = map_reduce_all(texts, loaded, run)
            model_seconds += run.stats.model_seconds
        english: dict[str, str] = {}
        if method == "abstractive-vi":  # every Vietnamese summary translated in one call
            english, seconds = _translate_texts(
                ctx, {rid: made[rid][0] for rid in todo if rid not in other and made[rid][0]})
            model_seconds += seconds
        for rid in todo:
            summary, chunks = made[rid]
            flags = [flag("map_reduce", f"{chunks}_chunks")] if chunks > 1 else []
            if method == "abstractive-vi" and rid in other:
                flags.append(flag("not_vietnamese", "summary_not_translated"))
            elif method == "abstractive-vi" and summary:
                summary = english[rid]
            add(rid, method, model_label(models[method]), summary, [],
                flags + ([] if summary else [flag("empty_output")]))

    # every report's summaries held to the bound and checked against what it states (on every core for a collection's)
    def item(rid: str) -> ReportSummaries:
        group = by_report.get(rid, {"text_vi": [], "text_en": []})
        return ReportSummaries(group["text_vi"], group["text_en"], [summary for _, _, summary, _, _ in drafts[rid]],
                               bound)

    rows: list[Summary] = []
    for rid, results in zip(drafts, check_all(list(drafts), item, ON_CORES_AT)):
        untranslated = [flag("untranslated_language", code) for code in left_out.get(rid, ())]
        for (method, model, _, ids, flags), (summary, checks) in zip(drafts[rid], results):
            rows.append(Summary(rid, method, model, summary, len(summary.split()),
                                join_flags(flags + untranslated + checks), " ".join(str(i) for i in ids)))
    frame = pd.DataFrame([asdict(r) for r in rows], columns=[f.name for f in fields(Summary)])
    # a reviewed summary of the report's current text wins; one of an earlier text is shown as stale
    frame = apply_summary_reviews(frame, sentences, ctx.reviews.summaries)[columns("summaries")]
    return sort_summaries(frame), models, model_seconds


class ReportColumns(Mapping[str, dict[str, list]]):
    """A frame's rows by report, each report's as its columns' values in plain lists, made when asked: one pass
    over the frame, each column a list once (a collection's groups as frames were 300 MB at 10,000 reports, and
    taking one report's rows as a frame cost 0.4 ms: 8 s of a first run's summaries at 10,000)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = {str(c): frame[c].tolist() for c in frame.columns}
        self.at = frame.groupby("report_id", sort=False).indices

    def __getitem__(self, report_id: str) -> dict[str, list]:
        at = self.at[report_id]
        return {name: [values[i] for i in at] for name, values in self.columns.items()}

    def __contains__(self, report_id: object) -> bool:
        return report_id in self.at

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)


def sort_summaries(frame: pd.DataFrame) -> pd.DataFrame:
    """summaries.csv's order: by report id, then method as `METHODS` lists them."""
    order = {m: i for i, m in enumerate(METHODS)}
    return frame.sort_values(["report_id", "method"], key=lambda c: c.map(order) if c.name == "method" else c)


def with_english(body: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The body sentences that have English (translated, or English kept as it is), and per report the
    languages of those left untranslated, whole or in a span kept as it was (`span_untranslated`: their
    text would put another language in an English summary): each summary of that report is flagged
    `untranslated_language:<code>`."""
    def foreign(cell: str, lang: str) -> list[str]:
        """The languages a sentence's English leaves untranslated: its own, or a span's."""
        flags = split_flags(cell)
        return ([lang] if any(flag_code(f) == "untranslated_language" for f in flags) else []) + \
            [f.split(":", 1)[1] for f in flags if flag_code(f) == "span_untranslated" and ":" in f]

    languages = [foreign(cell, lang) for cell, lang in zip(body["flags"], body["lang"])]
    kept = pd.Series([bool(found) for found in languages], index=body.index, dtype=bool)
    left_out: dict[str, list[str]] = {}
    for rid, found in zip(body["report_id"], languages):
        if found:
            left_out[rid] = sorted(set(left_out.get(rid, [])) | set(found))
    return body[~kept], left_out


def vietnamese_only(body: Mapping[str, list], other_report: bool) -> dict[str, list]:
    """What the Vietnamese summariser reads of a report (its body sentences' columns, `ReportColumns`): its
    Vietnamese sentences (the English and translated passages of a mixed report are left to the English
    summaries); a report mostly in another language whole, as before (its summary is then not translated,
    `not_vietnamese`)."""
    if other_report:
        return dict(body)
    kept = [isinstance(lang, str) and lang == VIETNAMESE for lang in body["lang"]]  # (a missing one: no)
    return {name: [v for v, keep in zip(values, kept) if keep] for name, values in body.items()}


def _translate_texts(ctx: RunContext, texts: dict[str, str]) -> tuple[dict[str, str], float]:
    """English for short Vietnamese texts (summaries), all in one pass through the translator and
    its memory (loaded and opened once), with the reviewers' glossary as the sentences have it; and
    the seconds spent in the model."""
    from helpers.text.sentences import split_sentences
    from helpers.inference.sentences import translate_sentences

    if not texts:
        return {}, 0.0
    parts = {key: split_sentences(text) for key, text in texts.items()}
    with ctx.model(ctx.cfg.translator) as (loaded, memory):
        results, stats = translate_sentences([s for ss in parts.values() for s in ss], loaded, memory,
                                             ctx.reviews.glossary, loaded.settings, ctx.progress, ctx.engine)
    english, at = {}, 0
    for key, ss in parts.items():
        english[key] = " ".join(r.text_en for r in results[at:at + len(ss)])
        at += len(ss)
    return english, stats.model_seconds
