"""The translation stage: every title, body and caption sentence in English, with its flags;
sentences.csv gains the translation columns, translations/ and references.csv are written.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from helpers.config import Config, shown_path
from helpers.store.contract import read_table
from helpers.inference.engines import engine_for
from helpers.store.files import read_json, remove_stale, update_json, write_csv, write_text
from helpers.checks.flags import join_flags
from helpers.translate.exports import SUFFIXES as EXPORT_SUFFIXES, Provenance, write_exports
from helpers.translate.sentences import TranslationStats
from helpers.corpus.stage import CorpusResult, corpus_for
from helpers.stamps import is_current, stamp


@dataclass
class TranslationResult:
    """The translation stage's products."""

    sentences: pd.DataFrame  # sentences.csv with text_en, flags, model, from_memory, terms
    references: pd.DataFrame
    stats: TranslationStats
    provenance: dict


def load_translator(cfg: Config):
    """The configured translation model on the configured backend."""
    from helpers.models.loading import load_model

    return load_model(cfg.spec(cfg.translator), cfg.models, cfg.cache_dir, cfg.backend)


def run_translate(cfg: Config, corpus: CorpusResult | None = None, progress: bool = True) -> TranslationResult:
    """Translate every title, body and caption sentence; write sentences.csv, translations/, references.csv."""
    from helpers.models.loading import release
    from helpers.text.references import references_frame
    from helpers.review.glossary import glossary_for
    from helpers.review.store import load_reviews, review_record
    from helpers.translate.languages import translate_by_language
    from helpers.translate.reviewed import translate_reviewed, with_origin

    started = time.perf_counter()
    corpus = corpus or corpus_for(cfg)
    loaded = load_translator(cfg)
    spec = loaded.spec
    glossary = glossary_for(cfg.reviews)  # the packaged glossary and the reviewers' terms
    reviews = load_reviews(cfg.reviews)
    frame = corpus.sentences.copy()
    sources, languages = frame["text_vi"].tolist(), frame["lang"].tolist()
    todo_languages = [lang for text, lang in zip(sources, languages) if text not in reviews]
    try:
        # a reviewed sentence takes its review's English; only the others reach the model, each as its
        # language asks (translate.languages): English kept, other languages by a translator that knows them
        done = translate_reviewed(sources, reviews, glossary, lambda units: translate_by_language(
            units, todo_languages, loaded, cfg.memory_file, glossary, loaded.settings, progress, engine_for(cfg)))
        results, stats = done.results, done.stats
    finally:
        release(loaded)  # one model's int8 weights held at a time
    frame["text_en"] = [r.text_en for r in results]
    frame["flags"] = [join_flags(r.flags) for r in results]
    label = model_label(loaded.provenance())
    frame["model"] = [label if r.translated else "" for r in results]
    frame["from_memory"] = [r.from_memory for r in results]
    frame["terms"] = ["|".join(r.terms) for r in results]
    frame["pieces"] = [r.pieces for r in results]
    frame["confidence"] = [r.confidence for r in results]
    frame = with_origin(frame, done)  # origin (model, memory, review, source) and who reviewed when
    write_csv(cfg.data_dir / "sentences.csv", frame)
    provenance = loaded.provenance()
    made = Provenance(provenance["source"], provenance["revision"], provenance["demo"], date.today().isoformat())
    folder = cfg.data_dir / "translations"
    for rid, group in frame.groupby("report_id", sort=False):
        write_text(folder / f"{rid}.txt", english_text(group))
        write_exports(folder, rid, group, made)  # .docx and .md for post-editing (translate.exports)
    for suffix in (".txt", *EXPORT_SUFFIXES):
        remove_stale(folder, f"*{suffix}", {f"{rid}{suffix}" for rid in corpus.report_ids})
    refs = references_frame(corpus.sentences, glossary)
    write_csv(cfg.data_dir / "references.csv", refs)
    update_json(cfg.run_json, "models", {**read_json(cfg.run_json).get("models", {}), "translate": provenance})
    update_json(
        cfg.run_json,
        "translate",
        {**asdict(stats), "model": spec.source, "demo": loaded.demo, "memory": shown_path(cfg.memory_file),
         "date": made.date, "references": len(refs), "seconds": round(time.perf_counter() - started, 3),
         "stamp": stamp(cfg, "translate"),
         "reviews": review_record(cfg.reviews, reviews, frame["text_vi"])},  # the reviews file, used and unused
    )
    return TranslationResult(frame, refs, stats, provenance)


def translate_for(cfg: Config, corpus: CorpusResult | None = None, progress: bool = True) -> TranslationResult:
    """The translation of this Config's corpus: read from `OUT/data/` when it is current (same code,
    inputs, model, revision, backend and settings), else made now. Later stages and notebook 02 call
    this, so a run translates once and run.json keeps the figures of the run that translated."""
    if not is_current(cfg, "translate"):
        return run_translate(cfg, corpus, progress=progress)
    run = read_json(cfg.run_json)
    numbers = {k: v for k, v in run.get("translate", {}).items() if k in TranslationStats.__dataclass_fields__}
    return TranslationResult(read_table(cfg, "sentences"), read_table(cfg, "references"),
                             TranslationStats(**numbers), run["models"]["translate"])


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


def model_label(provenance: dict) -> str:
    """'hub-id@revision', marked '(demo)' for demo models: the `model` column of the outputs."""
    return f"{provenance['source']}@{provenance['revision']}" + (" (demo)" if provenance["demo"] else "")


