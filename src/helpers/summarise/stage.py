"""The summary stage: every report summarised by every method; summaries.csv is written."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields

import pandas as pd

from helpers.config import Config
from helpers.store.contract import columns, read_table
from helpers.inference.engines import engine_for
from helpers.store.files import read_json, update_json, write_csv
from helpers.checks.flags import flag, flag_code, join_flags, split_flags
from helpers.checks.summary import Support, support_of, unsupported_by
from helpers.summarise.abstractive import map_reduce_all, summariser
from helpers.summarise.extractive import extractive
from helpers.summarise.length import bound_length
from helpers.corpus.stage import CorpusResult, corpus_for
from helpers.stamps import is_current, stamp
from helpers.text.language_id import VIETNAMESE
from helpers.translate.stage import TranslationResult, load_translator, model_label, translate_for
from helpers.review.summaries import apply_summary_reviews, load_summary_reviews, summary_counts


METHODS = ("extractive", "abstractive-en", "abstractive-vi")


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


def run_summarise(
    cfg: Config,
    corpus: CorpusResult | None = None,
    translation: TranslationResult | None = None,
    methods: tuple[str, ...] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Summarise every report by every method; write summaries.csv."""
    from helpers.models.loading import load_model, release
    from helpers.inference.runs import memory_for

    started = time.perf_counter()
    methods = methods or METHODS
    corpus = corpus or corpus_for(cfg)
    translation = translation or translate_for(cfg, corpus, progress=progress)
    sentences = translation.sentences
    body, left_out = with_english(sentences[sentences["role"] == "body"])
    text = sentences[sentences["role"].isin(["title", "body"])]
    bound = (cfg.summary_max_sentences, cfg.summary_max_words)
    rows: list[Summary] = []
    models: dict[str, dict] = {}
    model_seconds = 0.0

    by_report = {rid: g for rid, g in text.groupby("report_id", sort=False)}  # one pass, not one filter per report
    body_of = {rid: g for rid, g in body.groupby("report_id", sort=False)}

    support: dict[str, Support] = {}  # what each report states: made once, for its three summaries

    def add(rid: str, method: str, model: str, summary: str, ids: list[int], flags: list[str]) -> None:
        if rid not in support:
            group = by_report.get(rid, text.iloc[:0])
            support[rid] = support_of(group["text_vi"].tolist(), group["text_en"].tolist())
        summary, cut = bound_length(summary, *bound) if summary else ("", [])
        checks = unsupported_by(summary, support[rid]) if summary else []
        flags = flags + [flag("untranslated_language", code) for code in left_out.get(rid, ())]
        rows.append(Summary(rid, method, model, summary, len(summary.split()), join_flags(flags + cut + checks),
                            " ".join(str(i) for i in ids)))

    report_ids = corpus.report_ids
    other = corpus.not_vietnamese
    empty = [rid for rid in report_ids if rid not in body_of]
    for method in methods:
        for rid in empty:
            add(rid, method, "", "", [], [flag("no_body_text")])
        todo = [rid for rid in report_ids if rid not in empty]
        if method == "extractive":
            for rid in todo:
                g = body_of[rid]
                summary, ids, flags = extractive(
                    g["sentence_no"].astype(int).tolist(), g["text_vi"].tolist(), g["text_en"].tolist(), *bound
                )
                add(rid, method, f"textrank over {model_label(translation.provenance)}", summary, ids, flags)
            continue
        key = cfg.summariser_en if method == "abstractive-en" else cfg.summariser_vi
        loaded = load_model(cfg.spec(key), cfg.models, cfg.cache_dir, cfg.backend)
        models[method] = loaded.provenance()
        memory = memory_for(loaded, cfg.memory_file)
        try:
            column = "text_en" if method == "abstractive-en" else "text_vi"
            texts = {rid: " ".join(vietnamese_only(body_of[rid], rid in other)[column]) for rid in todo}
            run = summariser(loaded, memory, progress, engine_for(cfg))
            made = map_reduce_all(texts, loaded, run)
            model_seconds += run.stats.model_seconds
        finally:
            memory.close()
            release(loaded)  # one model's int8 weights held at a time
        english = {}
        if method == "abstractive-vi":  # every Vietnamese summary translated in one call
            english, seconds = _translate_texts(
                cfg, {rid: made[rid][0] for rid in todo if rid not in other and made[rid][0]}, progress)
            model_seconds += seconds
        for rid in todo:
            summary, chunks = made[rid]
            flags = [flag("map_reduce", f"{chunks}_chunks")] if chunks > 1 else []
            if method == "abstractive-vi" and rid in other:
                flags.append(flag("not_vietnamese", "summary_not_translated"))
            elif method == "abstractive-vi" and summary:
                summary = english[rid]
            add(rid, method, model_label(models[method]), summary, [], flags + ([] if summary else [flag("empty_output")]))
    frame = pd.DataFrame([asdict(r) for r in rows], columns=[f.name for f in fields(Summary)])
    # a reviewed summary of the report's current text wins; one of an earlier text is shown as stale
    frame = apply_summary_reviews(frame, sentences, load_summary_reviews(cfg.reviews))[columns("summaries")]
    order = {m: i for i, m in enumerate(METHODS)}
    frame = frame.sort_values(["report_id", "method"], key=lambda c: c.map(order) if c.name == "method" else c)
    write_csv(cfg.data_dir / "summaries.csv", frame)
    update_json(cfg.run_json, "models", {**read_json(cfg.run_json).get("models", {}), **{f"summary {m}": p for m, p in models.items()}})
    update_json(cfg.run_json, "summarise", {
        "methods": list(methods), "rows": len(frame), "max_sentences": bound[0], "max_words": bound[1],
        "seconds": round(time.perf_counter() - started, 3), "model_seconds": round(model_seconds, 3),
        "reviews": summary_counts(frame),
        "stamp": stamp(cfg, "summarise") if methods == METHODS else None,
    })
    return frame


def with_english(body: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The body sentences that have English (translated, or English kept as it is), and per report the
    languages of those left untranslated (their text would put another language in an English summary):
    each summary of that report is flagged `untranslated_language:<code>`."""
    kept = body["flags"].map(lambda cell: any(flag_code(f) == "untranslated_language" for f in split_flags(cell)))
    left_out = {rid: sorted(set(g["lang"])) for rid, g in body[kept].groupby("report_id", sort=False)}
    return body[~kept], left_out


def vietnamese_only(body: pd.DataFrame, other_report: bool) -> pd.DataFrame:
    """What the Vietnamese summariser reads of a report: its Vietnamese sentences (the English and
    translated passages of a mixed report are left to the English summaries); a report mostly in
    another language whole, as before (its summary is then not translated, `not_vietnamese`)."""
    return body if other_report else body[body["lang"] == VIETNAMESE]


def _translate_texts(cfg: Config, texts: dict[str, str], progress: bool) -> tuple[dict[str, str], float]:
    """English for short Vietnamese texts (summaries), all in one pass through the translator and
    its memory (loaded and opened once); and the seconds spent in the model."""
    from helpers.text.glossary import default_glossary
    from helpers.models.loading import release
    from helpers.corpus.sentences import split_sentences
    from helpers.inference.runs import memory_for
    from helpers.translate.sentences import translate_sentences

    if not texts:
        return {}, 0.0
    parts = {key: split_sentences(text) for key, text in texts.items()}
    loaded = load_translator(cfg)
    memory = memory_for(loaded, cfg.memory_file)
    try:
        results, stats = translate_sentences([s for ss in parts.values() for s in ss], loaded, memory,
                                             default_glossary(), loaded.settings, progress, engine_for(cfg))
    finally:
        memory.close()
        release(loaded)  # one model's int8 weights held at a time
    english, at = {}, 0
    for key, ss in parts.items():
        english[key] = " ".join(r.text_en for r in results[at:at + len(ss)])
        at += len(ss)
    return english, stats.model_seconds


def summarise_for(cfg: Config, corpus: CorpusResult | None = None, translation: TranslationResult | None = None,
                  progress: bool = True) -> pd.DataFrame:
    """Every report's summaries: read from `OUT/data/summaries.csv` when current, else made now."""
    if is_current(cfg, "summarise"):
        return read_table(cfg, "summaries")
    return run_summarise(cfg, corpus, translation, progress=progress)
