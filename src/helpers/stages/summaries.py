"""The summary stage: every report summarised by every method; summaries.csv is written."""

from __future__ import annotations

import time
from dataclasses import asdict

import pandas as pd

from ..config import Config
from ..contract import read_table
from ..outputs import read_json, update_json, write_csv
from ..quality import join_flags
from .corpus import CorpusResult, corpus_for
from .freshness import is_current, stamp
from .translation import TranslationResult, load_translator, model_label, translation_for


def run_summarise(
    cfg: Config,
    corpus: CorpusResult | None = None,
    translation: TranslationResult | None = None,
    methods: tuple[str, ...] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Summarise every report by every method; write summaries.csv."""
    from ..models import load_model
    from ..summarise import METHODS, Summary, bound_length, extractive, map_reduce, summariser, unsupported
    from ..translate import memory_for

    started = time.perf_counter()
    methods = methods or METHODS
    corpus = corpus or corpus_for(cfg)
    translation = translation or translation_for(cfg, corpus, progress=progress)
    sentences = translation.sentences
    body = sentences[sentences["role"] == "body"]
    text = sentences[sentences["role"].isin(["title", "body"])]
    bound = (cfg.summary_max_sentences, cfg.summary_max_words)
    rows: list[Summary] = []
    models: dict[str, dict] = {}

    def add(rid: str, method: str, model: str, summary: str, ids: list[int], flags: list[str]) -> None:
        group = text[text["report_id"] == rid]
        summary, cut = bound_length(summary, *bound) if summary else ("", [])
        checks = unsupported(summary, group["text_vi"].tolist(), group["text_en"].tolist())
        rows.append(Summary(rid, method, model, summary, len(summary.split()), join_flags(flags + cut + checks),
                            " ".join(str(i) for i in ids)))

    report_ids = corpus.report_ids
    other = corpus.not_vietnamese
    empty = [rid for rid in report_ids if rid not in set(body["report_id"])]
    for method in methods:
        for rid in empty:
            add(rid, method, "", "", [], ["no_body_text"])
        todo = [rid for rid in report_ids if rid not in empty]
        if method == "extractive":
            for rid in todo:
                g = body[body["report_id"] == rid]
                summary, ids, flags = extractive(
                    g["sentence_no"].astype(int).tolist(), g["text_vi"].tolist(), g["text_en"].tolist(), *bound
                )
                add(rid, method, f"textrank over {model_label(translation.provenance)}", summary, ids, flags)
            continue
        key = cfg.summariser_en if method == "abstractive-en" else cfg.summariser_vi
        loaded = load_model(cfg.spec(key), cfg.models, cfg.cache_dir, cfg.backend)
        models[method] = loaded.provenance()
        memory = memory_for(loaded, cfg.memory)
        try:
            run = summariser(loaded, memory, progress)
            column = "text_en" if method == "abstractive-en" else "text_vi"
            for rid in todo:
                g = body[body["report_id"] == rid]
                summary, chunks = map_reduce(" ".join(g[column]), loaded, run)
                flags = [f"map_reduce:{chunks}_chunks"] if chunks > 1 else []
                if method == "abstractive-vi" and rid in other:
                    flags.append("not_vietnamese:summary_not_translated")
                elif method == "abstractive-vi" and summary:
                    summary = _translate_text(cfg, summary, progress)
                add(rid, method, model_label(models[method]), summary, [], flags + ([] if summary else ["empty_output"]))
        finally:
            memory.close()
    frame = pd.DataFrame([asdict(r) for r in rows], columns=list(Summary.__dataclass_fields__))
    order = {m: i for i, m in enumerate(METHODS)}
    frame = frame.sort_values(["report_id", "method"], key=lambda c: c.map(order) if c.name == "method" else c)
    write_csv(cfg.data_dir / "summaries.csv", frame)
    update_json(cfg.run_json, "models", {**read_json(cfg.run_json).get("models", {}), **{f"summary {m}": p for m, p in models.items()}})
    update_json(cfg.run_json, "summaries", {
        "methods": list(methods), "rows": len(frame), "max_sentences": bound[0], "max_words": bound[1],
        "seconds": round(time.perf_counter() - started, 3), "stamp": stamp(cfg, "summaries") if methods == METHODS else None,
    })
    return frame


def _translate_text(cfg: Config, text: str, progress: bool) -> str:
    """English for a short Vietnamese text (a summary), through the translator and its memory."""
    from ..glossary import default_glossary
    from ..segment import split_sentences
    from ..translate import memory_for, translate_sentences

    loaded = load_translator(cfg)
    memory = memory_for(loaded, cfg.memory)
    try:
        results, _ = translate_sentences(split_sentences(text), loaded, memory, default_glossary(), loaded.settings, progress)
    finally:
        memory.close()
    return " ".join(r.text_en for r in results)


def summaries_for(cfg: Config, corpus: CorpusResult | None = None, translation: TranslationResult | None = None,
                  progress: bool = True) -> pd.DataFrame:
    """Every report's summaries: read from `OUT/data/summaries.csv` when current, else made now."""
    if is_current(cfg, "summaries"):
        return read_table(cfg, "summaries")
    return run_summarise(cfg, corpus, translation, progress=progress)
