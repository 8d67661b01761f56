"""The stages of a run, as the notebooks and the CLI call them.

Each stage reads what it needs, writes its part of the data contract under
`OUT/data/` and returns plain DataFrames for display. Stages are idempotent:
running one again gives the same files (translation is served from memory).
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata

import pandas as pd

from .config import Config, shown_path
from .corpus import Report, build_report
from .inputs import Rejection, read_folder
from .outputs import read_json, remove_stale, start_json, update_json, write_csv, write_text
from .quality import join_flags
from .segment import report_sentences
from .translate import TranslationStats

PACKAGES = ("helpers", "torch", "transformers", "tokenizers", "sentencepiece", "underthesea", "pandas")


@dataclass
class CorpusResult:
    """The corpus stage's products: reports, their lines and sentences, and rejected inputs."""

    reports: list[Report]
    ledger: pd.DataFrame
    report_table: pd.DataFrame
    sentences: pd.DataFrame
    problems: pd.DataFrame

    @property
    def rejected(self) -> bool:
        """True if any input was rejected (the run then exits with status 2)."""
        return not self.problems.empty


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the outputs."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def ledger_frame(reports: list[Report]) -> pd.DataFrame:
    """Every line of every report exactly once: report_id, line_no, role, reason, text."""
    rows = [
        {"report_id": r.report_id, "line_no": ln.line_no, "role": ln.role, "reason": ln.reason, "text": ln.text}
        for r in reports
        for ln in r.lines
    ]
    return pd.DataFrame(rows, columns=["report_id", "line_no", "role", "reason", "text"])


def sentences_frame(reports: list[Report]) -> pd.DataFrame:
    """Sentences of every report (title, body and caption lines)."""
    rows = [asdict(s) for r in reports for s in report_sentences(r)]
    return pd.DataFrame(rows, columns=["report_id", "sentence_no", "line_no", "text_vi", "role"])


def reports_frame(reports: list[Report], sentences: pd.DataFrame) -> pd.DataFrame:
    """One row of metadata per report; n_sentences counts title and body sentences."""
    text = sentences[sentences["role"].isin(["title", "body"])]
    counts = text.groupby("report_id").size()
    rows = [
        {
            "report_id": r.report_id,
            "file": r.file,
            "title": r.title,
            "date": r.date,
            "author": r.author,
            "source": r.source,
            "n_lines": len(r.lines),
            "n_sentences": int(counts.get(r.report_id, 0)),
            "date_source": r.date_source,
            "photo_credit": r.photo_credit,
            "n_captions": len(r.captions),
            "language": r.language,
        }
        for r in reports
    ]
    columns = ["report_id", "file", "title", "date", "author", "source", "n_lines", "n_sentences"]
    return pd.DataFrame(rows, columns=columns + ["date_source", "photo_credit", "n_captions", "language"])


def problems_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejected inputs: file and problem."""
    return pd.DataFrame([asdict(r) for r in rejections], columns=["file", "problem"])


def build_corpus(cfg: Config) -> CorpusResult:
    """Read, classify and segment every input of `cfg.seeds` (writes nothing)."""
    sources, rejections = read_folder(cfg.seeds)
    reports = [build_report(s) for s in sources]
    sentences = sentences_frame(reports)
    return CorpusResult(
        reports=reports,
        ledger=ledger_frame(reports),
        report_table=reports_frame(reports, sentences),
        sentences=sentences,
        problems=problems_frame(rejections),
    )


def run_corpus(cfg: Config, *, report_problems: bool = True) -> CorpusResult:
    """The corpus stage: build the corpus and write its data files and run.json section."""
    started = time.perf_counter()
    result = build_corpus(cfg)
    data = cfg.data_dir
    write_csv(data / "ledger.csv", result.ledger)
    write_csv(data / "reports.csv", result.report_table)
    write_csv(data / "problems.csv", result.problems)
    write_csv(data / "sentences.csv", result.sentences)  # the translation stage adds its columns
    if report_problems:
        for rej in result.problems.itertuples():
            print(f"error: {cfg.seeds / rej.file}: {rej.problem}", file=sys.stderr)
    corpus = {
        "files": len(result.reports) + len(result.problems),
        "reports": len(result.reports),
        "rejected": len(result.problems),
        "lines": len(result.ledger),
        "sentences": int(result.report_table["n_sentences"].sum()) if result.reports else 0,
        "captions": int((result.sentences["role"] == "caption").sum()),
        "roles": {k: int(v) for k, v in result.ledger["role"].value_counts().sort_index().items()},
        "seconds": round(time.perf_counter() - started, 3),
    }
    start_json(cfg.run_json, {"parameters": cfg.shown_parameters(), "absolute_paths": cfg.absolute_paths(),
                              "versions": versions(), "corpus": corpus})
    return result



@dataclass
class TranslationResult:
    """The translation stage's products."""

    sentences: pd.DataFrame  # sentences.csv with text_en, flags, model, from_memory, terms
    references: pd.DataFrame
    stats: TranslationStats
    provenance: dict


def load_corpus_tables(cfg: Config) -> CorpusResult:
    """The corpus, recomputed without writing (cheap, always in step with the inputs): later
    stages use it without overwriting the columns they added to sentences.csv."""
    return build_corpus(cfg)


def load_translator(cfg: Config):
    """The configured translation model on the configured backend."""
    from .models import load_model

    return load_model(cfg.spec(cfg.translator), cfg.models, cfg.cache_dir, cfg.backend)


def run_translate(cfg: Config, corpus: CorpusResult | None = None, progress: bool = True) -> TranslationResult:
    """Translate every title, body and caption sentence; write sentences.csv, translations/, references.csv."""
    from .glossary import default_glossary
    from .references import references_frame
    from .translate import memory_for, translate_sentences

    corpus = corpus or load_corpus_tables(cfg)
    loaded = load_translator(cfg)
    spec = loaded.spec
    glossary = default_glossary()
    memory = memory_for(loaded, cfg.memory)
    # Reports that are not Vietnamese are passed through, never fed to a vi-en model.
    other = {r.report_id for r in corpus.reports if r.language != "vi"}
    frame = corpus.sentences.copy()
    todo = ~frame["report_id"].isin(other)
    try:
        results, stats = translate_sentences(frame.loc[todo, "text_vi"].tolist(), loaded, memory, glossary,
                                             loaded.settings, progress)
    finally:
        memory.close()
    frame["text_en"] = frame["text_vi"]
    frame["flags"] = "not_vietnamese:passed_through"
    frame["model"] = ""
    frame["from_memory"] = False
    frame["terms"] = ""
    frame["pieces"] = 0
    frame["confidence"] = None
    frame.loc[todo, "text_en"] = [r.text_en for r in results]
    frame.loc[todo, "flags"] = [join_flags(r.flags) for r in results]
    frame.loc[todo, "model"] = model_label(loaded.provenance())
    frame.loc[todo, "from_memory"] = [r.from_memory for r in results]
    frame.loc[todo, "terms"] = ["|".join(r.terms) for r in results]
    frame.loc[todo, "pieces"] = [r.pieces for r in results]
    frame.loc[todo, "confidence"] = [r.confidence for r in results]
    stats.flags["not_vietnamese"] = int((~todo).sum())
    write_csv(cfg.data_dir / "sentences.csv", frame)
    for rid, group in frame.groupby("report_id", sort=False):
        write_text(cfg.data_dir / "translations" / f"{rid}.txt", english_text(group))
    remove_stale(cfg.data_dir / "translations", "*.txt", {f"{r.report_id}.txt" for r in corpus.reports})
    refs = references_frame(corpus.sentences, glossary)
    write_csv(cfg.data_dir / "references.csv", refs)
    provenance = loaded.provenance()
    update_json(cfg.run_json, "models", {**read_json(cfg.run_json).get("models", {}), "translation": provenance})
    update_json(
        cfg.run_json,
        "translation",
        {**asdict(stats), "model": spec.source, "demo": loaded.demo, "memory": shown_path(cfg.memory), "references": len(refs)},
    )
    return TranslationResult(frame, refs, stats, provenance)


# What must be the same for earlier translations to be reused: the model and everything that shapes its output.
SAME_MODEL = ("source", "revision", "demo", "backend", "output_vocabulary", "generation", "languages")


def same_model(made_by: dict, loaded_now: dict) -> bool:
    """True when outputs recorded with provenance `made_by` are what the model `loaded_now` would give."""
    return all(made_by.get(k) == loaded_now.get(k) for k in SAME_MODEL)


def load_translation(cfg: Config, corpus: CorpusResult) -> TranslationResult | None:
    """The translation stage's results as written to OUT/data, if they match this corpus and were made
    by the model, revision, backend and settings this config loads (else None: translate again).

    Later stages read them instead of translating again, so run.json keeps the figures of the
    run that actually translated.
    """
    from .outputs import read_csv

    path, refs = cfg.data_dir / "sentences.csv", cfg.data_dir / "references.csv"
    run = read_json(cfg.run_json)
    if not (path.exists() and refs.exists() and "translation" in run.get("models", {})):
        return None
    if not same_model(run["models"]["translation"], load_translator(cfg).provenance()):
        return None
    frame = read_csv(path)
    if "text_en" not in frame.columns or frame["text_vi"].tolist() != corpus.sentences["text_vi"].tolist():
        return None
    numbers = {k: v for k, v in run.get("translation", {}).items() if k in TranslationStats.__dataclass_fields__}
    return TranslationResult(frame, read_csv(refs), TranslationStats(**numbers), run["models"]["translation"])


def english_text(sentences: pd.DataFrame) -> str:
    """A report's English text: title, then one paragraph per source line, then the captions."""
    parts: list[str] = []
    text = sentences[sentences["role"] != "caption"]
    for _, line in text.groupby("line_no", sort=True):
        parts.append(" ".join(line["text_en"]))
    captions = sentences[sentences["role"] == "caption"]
    if len(captions):
        parts.append("Photo captions:\n" + "\n".join(f"- {t}" for t in captions["text_en"]))
    return "\n\n".join(parts) + "\n"


def model_label(provenance: dict) -> str:
    """'hub-id@revision', marked '(demo)' for demo models: the `model` column of the outputs."""
    return f"{provenance['source']}@{provenance['revision']}" + (" (demo)" if provenance["demo"] else "")


def run_summarise(
    cfg: Config,
    corpus: CorpusResult | None = None,
    translation: TranslationResult | None = None,
    methods: tuple[str, ...] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Summarise every report by every method; write summaries.csv."""
    from .models import load_model
    from .summarise import METHODS, Summary, bound_length, extractive, map_reduce, summariser, unsupported
    from .translate import memory_for

    started = time.perf_counter()
    methods = methods or METHODS
    corpus = corpus or load_corpus_tables(cfg)
    translation = translation or load_translation(cfg, corpus) or run_translate(cfg, corpus, progress=progress)
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

    report_ids = [r.report_id for r in corpus.reports]
    other = {r.report_id for r in corpus.reports if r.language != "vi"}
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
        "seconds": round(time.perf_counter() - started, 3),
    })
    return frame


def _translate_text(cfg: Config, text: str, progress: bool) -> str:
    """English for a short Vietnamese text (a summary), through the translator and its memory."""
    from .glossary import default_glossary
    from .segment import split_sentences
    from .translate import memory_for, translate_sentences

    loaded = load_translator(cfg)
    memory = memory_for(loaded, cfg.memory)
    try:
        results, _ = translate_sentences(split_sentences(text), loaded, memory, default_glossary(), loaded.settings, progress)
    finally:
        memory.close()
    return " ".join(r.text_en for r in results)
