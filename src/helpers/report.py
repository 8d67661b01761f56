"""HTML for the readable report pages and the index: every input text escaped.

The functions take the data contract (`OUT/data/*.csv`, `run.json`) and return
HTML fragments that the report notebooks display; nbconvert then exports them.
Nothing from an input reaches the page unescaped: `esc` is applied to every value.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import Config
from .outputs import read_csv, read_json, write_text
from .quality import LEGEND, flag_code, split_flags

STYLE = """
<style>
.vi2en { font-family: system-ui, sans-serif; line-height: 1.45; max-width: 70em; }
.vi2en table { border-collapse: collapse; margin: .5em 0 1em; }
.vi2en th, .vi2en td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left !important; }
.vi2en tr.flagged td { background: #fff4e5; }
.vi2en .flags { color: #b35900; font-size: .85em; }
.vi2en .banner { background: #b00020; color: #fff; padding: .8em 1em; font-weight: bold; border-radius: 4px; }
.vi2en .muted { color: #666; font-size: .9em; }
</style>
"""
DEMO_BANNER = (
    "DEMO MODELS: the English text on this page was produced by tiny random-weight demo models. "
    "It is not a translation and not a summary; it only shows that every step of the pipeline ran."
)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_REMOTE_LINK = re.compile(r"<link\b[^>]*href=[\"']https?://[^>]*>", re.IGNORECASE)


def esc(value: object) -> str:
    """HTML-escaped text of any value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class Outputs:
    """The data contract of a run, read back for the report pages."""

    reports: pd.DataFrame
    sentences: pd.DataFrame
    summaries: pd.DataFrame
    references: pd.DataFrame
    problems: pd.DataFrame
    run: dict

    @property
    def demo(self) -> bool:
        """True if any model of the run was a demo model."""
        return any(m.get("demo") for m in self.run.get("models", {}).values())


def load_outputs(cfg: Config) -> Outputs:
    """Read `OUT/data/` (written by the corpus, translation and summary stages)."""
    data = cfg.data_dir

    def table(name: str) -> pd.DataFrame:
        path = data / name
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run the notebooks 01-03 (or `make reports`) first")
        return read_csv(path)

    return Outputs(
        reports=table("reports.csv"),
        sentences=table("sentences.csv"),
        summaries=table("summaries.csv"),
        references=table("references.csv"),
        problems=table("problems.csv"),
        run=read_json(cfg.run_json),
    )


def pick_report(out: Outputs, report_id: str | None) -> str:
    """The report to show: the one asked for (a clear error listing the valid ids), else the first."""
    ids = out.reports["report_id"].tolist()
    if not ids:
        raise ValueError("reports.csv lists no report: every input was rejected (see problems.csv)")
    if report_id is None:
        return ids[0]
    if report_id not in ids:
        raise ValueError(f"no report {report_id!r} in reports.csv; the reports are: {', '.join(ids)}")
    return report_id


def banner(demo: bool) -> str:
    """The unmistakable demo banner (empty for real models)."""
    return f'<div class="vi2en"><p class="banner">{esc(DEMO_BANNER)}</p></div>' if demo else ""


def _table(rows: list[list[object]], header: list[str], row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def display_title(report: pd.Series, sentences: pd.DataFrame) -> str:
    """The report's title, or its first sentence marked as such when it has no title line."""
    if report["title"]:
        return report["title"]
    first = sentences[sentences["report_id"] == report["report_id"]]
    return f"(no title) {first['text_vi'].iloc[0][:120]}…" if len(first) else "(no title, no text)"


def english_title(report_id: str, sentences: pd.DataFrame) -> str:
    """The English of the title sentence(s), or ''."""
    rows = sentences[(sentences["report_id"] == report_id) & (sentences["role"] == "title")]
    return " ".join(rows["text_en"])


def report_page(out: Outputs, report_id: str) -> str:
    """The body of one report's page: summaries, metadata, references, terms, text, captions, provenance."""
    rep = out.reports[out.reports["report_id"] == report_id]
    if rep.empty:
        raise KeyError(f"no report {report_id!r} in reports.csv")
    r = rep.iloc[0]
    sents = out.sentences[out.sentences["report_id"] == report_id]
    parts = [STYLE, '<div class="vi2en">', banner(out.demo)]
    parts.append(f"<h1>{esc(display_title(r, out.sentences))}</h1>")
    parts.append(f'<p class="muted">{esc(english_title(report_id, out.sentences))}</p>')

    parts.append("<h2>Summary</h2>")
    summ = out.summaries[out.summaries["report_id"] == report_id]
    parts.append(_table(
        [[esc(s.method), esc(s.summary_en), esc(s.n_words), flags_html(s.flags),
          esc(s.source_sentence_ids)] for s in summ.itertuples()],
        ["method", "summary", "words", "flags", "sentences used"],
    ))

    parts.append("<h2>About this report</h2>")
    meta = [("file", r["file"]), ("date", r["date"] or "not found"), ("date read from", r["date_source"]),
            ("author", r["author"]), ("photo credit", r["photo_credit"]), ("source", r["source"]),
            ("lines", r["n_lines"]), ("sentences", r["n_sentences"])]
    parts.append(_table([[esc(k), esc(v)] for k, v in meta], ["field", "value"]))

    parts.append("<h2>Documents cited</h2>")
    refs = out.references[out.references["report_id"] == report_id]
    parts.append(_table([[esc(x.cited_as), esc(x.english), esc(x.code), esc(x.date)] for x in refs.itertuples()],
                        ["as cited", "in English", "code", "date"]) if len(refs) else "<p>None.</p>")

    parts.append("<h2>Glossary terms used</h2>")
    terms = sorted({t for ts in sents["terms"] for t in ts.split("|") if t})
    parts.append(f"<p>{esc(', '.join(terms)) or 'None.'}</p>")

    parts.append("<h2>Source and English</h2>")
    text = sents[sents["role"] != "caption"]
    parts.append(_sentence_table(text))
    caps = sents[sents["role"] == "caption"]
    parts.append("<h2>Photo captions</h2>")
    parts.append(_sentence_table(caps) if len(caps) else "<p>None.</p>")

    shown = list(summ["flags"]) + list(sents["flags"])
    parts.append("<h2>What the flags mean</h2>")
    parts.append(legend_html(shown))

    parts.append("<h2>Provenance</h2>")
    parts.append(provenance_html(out.run))
    parts.append("</div>")
    return "\n".join(parts)


def flags_html(cell: str) -> str:
    """A CSV cell's flags, one per line."""
    return '<span class="flags">' + "<br>".join(esc(f) for f in split_flags(cell)) + "</span>"


def legend_html(cells: list[str]) -> str:
    """The meaning of every flag code that occurs in `cells` (from `quality.LEGEND`, defined once)."""
    codes = sorted({flag_code(f) for c in cells for f in split_flags(c)})
    if not codes:
        return "<p>No flags on this page.</p>"
    rows = [[f"<code>{esc(c)}</code>", esc(LEGEND.get(c, "(no description)"))] for c in codes]
    return _table(rows, ["flag", "meaning"])


def _sentence_table(sents: pd.DataFrame) -> str:
    rows, classes = [], []
    for s in sents.itertuples():
        flagged = bool(s.flags)
        mark = "⚑ " if flagged else ""
        rows.append([esc(s.sentence_no), esc(s.text_vi), esc(mark) + esc(s.text_en), flags_html(s.flags)])
        classes.append("flagged" if flagged else "")
    return _table(rows, ["#", "Vietnamese", "English", "flags"], classes)


def provenance_html(run: dict) -> str:
    """Models (revision or demo status, settings), parameters, versions and timings of the run."""
    rows = []
    for role, m in run.get("models", {}).items():
        status = "DEMO (random weights)" if m.get("demo") else f"revision {m.get('revision')}"
        settings = ", ".join(f"{k}={v}" for k, v in (m.get("generation") or {}).items())
        rows.append([esc(role), esc(m.get("source")), esc(status), esc(settings)])
    models = _table(rows, ["used for", "model", "status", "settings"]) if rows else "<p>No model was used.</p>"
    stages = [[esc(k), esc(run[k].get("seconds", ""))] for k in ("corpus", "translation", "summaries") if k in run]
    params = ", ".join(f"{k}={v}" for k, v in run.get("parameters", {}).items())
    versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
    return (models + _table(stages, ["stage", "seconds"]) + f'<p class="muted">parameters: {esc(params)}</p>'
            + f'<p class="muted">versions: {esc(versions)}</p>')


def index_page(out: Outputs) -> str:
    """The index: every report with its title, date, English title, short summary, flag counts, link;
    then every rejected input with its problem."""
    parts = [STYLE, '<div class="vi2en">', banner(out.demo), "<h1>Reports</h1>"]
    rows = []
    for r in out.reports.itertuples():
        sents = out.sentences[out.sentences["report_id"] == r.report_id]
        flagged = int((sents["flags"] != "").sum())
        summ = out.summaries[(out.summaries["report_id"] == r.report_id) & (out.summaries["method"] == "extractive")]
        short = summ["summary_en"].iloc[0] if len(summ) else ""
        rows.append([
            f'<a href="{esc(r.report_id)}.html">{esc(display_title(out.reports.loc[r.Index], out.sentences))}</a>',
            esc(r.date or "—"), esc(english_title(r.report_id, out.sentences)), esc(short),
            esc(f"{flagged} of {len(sents)} sentences flagged"),
        ])
    parts.append(_table(rows, ["report", "date", "English title", "summary (extractive)", "flags"]))
    parts.append("<h2>Inputs that could not be used</h2>")
    if len(out.problems):
        parts.append(_table([[esc(p.file), esc(p.problem)] for p in out.problems.itertuples()], ["file", "problem"]))
    else:
        parts.append("<p>None: every input was processed.</p>")
    parts.append("</div>")
    return "\n".join(parts)


def self_contained(page: str) -> str:
    """A page with every script and remote stylesheet removed: it opens offline, from an e-mail."""
    return _REMOTE_LINK.sub("", _SCRIPT.sub("", page))


def save_page(path: Path, page: str) -> Path:
    """Write a self-contained HTML page atomically."""
    return write_text(path, self_contained(page))
