"""What the report pages and the index show, read from the data contract and handed to the templates.

The functions read `OUT/data/*.csv` and `run.json` (through `load_outputs`) and
build plain tables and counts; `pages.render` renders them with autoescaped Jinja2
templates, so nothing from an input reaches a page unescaped. Notebooks 04 and 05
display the same fragments (`report_html`, `index_html`) that `make reports`
renders into `OUT/html/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from markupsafe import Markup

from helpers.config import Config
from helpers.store.contract import read_table
from helpers.store.files import read_json
from helpers.pages.render import PageTable, render
from helpers.pages.search import sentence_anchor
from helpers.checks.flags import flag_code, meaning, split_flags

DEMO_BANNER = (
    "DEMO MODELS: the English text on this page was produced by tiny random-weight demo models. "
    "It is not a translation and not a summary; it only shows that every step of the pipeline ran."
)
FLAG_MARK = "⚑ "
REVIEW_MARK = "✓ "  # English a person approved or corrected (its reviewer and time in the `reviewed` column)


Record = dict[str, str]  # a row of a contract table: every value as written in the CSV


def ran_on_demo(run: dict) -> bool:
    """True if any model of a run (its run.json) was a demo model."""
    return any(m.get("demo") for m in run.get("models", {}).values())


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
        return ran_on_demo(self.run)

    @cached_property
    def provenance(self) -> dict[str, object]:
        """`provenance(self.run)`, made once for every page of the run."""
        return provenance(self.run)

    @cached_property
    def _records(self) -> dict[str, dict[str, list[Record]]]:
        """Every table's records grouped by report, once for all pages."""
        grouped: dict[str, dict[str, list[Record]]] = {}
        for name in ("sentences", "summaries", "references"):
            by_report: dict[str, list[Record]] = {}
            for record in getattr(self, name).to_dict("records"):
                by_report.setdefault(record["report_id"], []).append(record)
            grouped[name] = by_report
        grouped["reports"] = {r["report_id"]: [r] for r in self.reports.to_dict("records")}
        return grouped

    def records(self, table: str, report_id: str) -> list[Record]:
        """One report's rows of a table (reports, sentences, summaries, references) as plain records
        in the table's order, grouped once for all pages (a page reads its own without pandas)."""
        return self._records[table].get(report_id, [])

    def share(self, report_ids: list[str]) -> "Outputs":
        """The outputs of these reports only (what their pages need; sent to a cluster's workers)."""
        def of(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["report_id"].isin(report_ids)]

        return Outputs(of(self.reports), of(self.sentences), of(self.summaries), of(self.references),
                       self.problems, self.run)


@dataclass(frozen=True)
class Counts:
    """A report's sentences, counted the same way on its page and on the index."""

    total: int
    text: int
    captions: int
    flagged: int
    reviewed: int  # sentences whose English a person gave (origin `review`)


def load_outputs(cfg: Config) -> Outputs:
    """Read `OUT/data/` (written by the corpus, translation and summary stages), each table checked."""
    return Outputs(
        reports=read_table(cfg, "reports"),
        sentences=read_table(cfg, "sentences", stage="translate"),
        summaries=read_table(cfg, "summaries"),
        references=read_table(cfg, "references"),
        problems=read_table(cfg, "problems"),
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


def display_title(report: Mapping[str, object], sentences: list[Record]) -> str:
    """The report's title, or its first sentence marked as such when it has no title line
    (`sentences`: the report's own, `Outputs.records`)."""
    if report["title"]:
        return str(report["title"])
    return f"(no title) {sentences[0]['text_vi'][:120]}…" if sentences else "(no title, no text)"


def english_title(sentences: list[Record]) -> str:
    """The English of the report's title sentence(s), or '' (`sentences`: the report's own)."""
    return " ".join(s["text_en"] for s in sentences if s["role"] == "title")


def counts(sentences: list[Record]) -> Counts:
    """Sentences of one report: all of them, title and body, captions, and how many are flagged."""
    captions = sum(s["role"] == "caption" for s in sentences)
    return Counts(len(sentences), len(sentences) - captions, captions, sum(s["flags"] != "" for s in sentences),
                  sum(s["origin"] == "review" for s in sentences))


def legend_rows(cells: list[str]) -> list[tuple[str, str]]:
    """The meaning of every flag code that occurs in `cells` (from the registry `checks.flags.FLAGS`)."""
    codes = sorted({flag_code(f) for c in cells for f in split_flags(c)})
    return [(c, meaning(c)) for c in codes]


def legend_table(cells: list[str]) -> pd.DataFrame:
    """`legend_rows` as a table (flag, meaning), for the notebooks."""
    return pd.DataFrame(legend_rows(cells), columns=["flag", "meaning"])


def cited_documents(references: list[Record]) -> PageTable:
    """A report's cited documents, each resolution once, with the sentences that cite it."""
    cited: dict[tuple, list[str]] = {}  # in order of first citation; empty codes and dates kept
    for r in references:
        cited.setdefault((r["cited_as"], r["english"], r["code"], r["date"]), []).append(str(r["sentence_no"]))
    return PageTable(["as cited", "in English", "code", "date", "in sentences"],
                 [[*d, ", ".join(dict.fromkeys(s))] for d, s in cited.items()])


def provenance(run: dict) -> dict[str, object]:
    """Models (revision or demo status, settings), stage timings, parameters and versions of the run."""
    models = pd.DataFrame(
        [[role, m.get("source"), "DEMO (random weights)" if m.get("demo") else f"revision {m.get('revision')}",
          ", ".join(f"{k}={v}" for k, v in (m.get("generation") or {}).items())]
         for role, m in run.get("models", {}).items()],
        columns=["used for", "model", "status", "settings"],
    )
    stages = pd.DataFrame([[k, run[k].get("seconds", "")] for k in ("corpus", "translate", "summarise") if k in run],
                          columns=["stage", "seconds"])
    return {
        "models": models,
        "stages": stages,
        "reviews": reviews_line(run),
        "parameters": ", ".join(f"{k}={v}" for k, v in run.get("parameters", {}).items()),
        "versions": ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items()),
    }


def reviews_line(run: dict) -> str:
    """Provenance of the reviews a run used: the file, its digest, what was used and left unused."""
    used = run.get("translate", {}).get("reviews")
    if not used:
        return "no reviews"
    summaries = run.get("summarise", {}).get("reviews", {})
    return (f"{used['file']} (sha256 {used['sha256'][:12] or 'none: no file'}; reviews digest {used['digest'][:12]}): "
            f"{used['entries']} reviewed sentences, {used['used']} used in this run, {len(used['unused'])} unused; "
            f"{summaries.get('applied', 0)} reviewed summaries used, {summaries.get('stale', 0)} stale")


def reviewed_by(record: Record) -> str:
    """'corrected by anna on 2026-05-01 10:15 UTC', or '' for a row nobody reviewed."""
    if not record["review"]:
        return ""
    when = record["reviewed_at"].replace("T", " ").replace("Z", " UTC") or "an unknown time"
    return f"{record['review']} by {record['reviewer'] or 'an unnamed reviewer'} on {when}"


def _summary_rows(summ: list[Record]) -> PageTable:
    """A report's summaries; a reviewed one says so, and a stale review is shown beside the new summary."""
    def review(s: Record) -> str:
        if s["review"] == "stale":
            return (f"stale: the report's text changed since this summary was reviewed "
                    f"({reviewed_by({**s, 'review': 'written'})}): {s['reviewed_summary']}")
        return reviewed_by(s)

    return PageTable(["method", "summary", "words", "flags", "sentences used", "reviewed"],
                     [[s["method"], (REVIEW_MARK if s["origin"] == "review" else "") + s["summary_en"], s["n_words"],
                       split_flags(s["flags"]), s["source_sentence_ids"], review(s)] for s in summ])


def _sentence_rows(sents: list[Record]) -> tuple[PageTable, list[str]]:
    table = PageTable(["#", "Vietnamese", "English", "flags", "reviewed"],
                  [[s["sentence_no"], s["text_vi"],
                    (FLAG_MARK if s["flags"] else "") + (REVIEW_MARK if s["origin"] == "review" else "") + s["text_en"],
                    split_flags(s["flags"]), reviewed_by(s)]
                   for s in sents])
    classes = [" ".join(c for c, on in (("flagged", s["flags"]), ("reviewed", s["origin"] == "review")) if on)
               for s in sents]
    return table, classes


def sentence_ids(sents: list[Record]) -> list[str]:
    """The id of each sentence's row (`s-12`): the anchor a search result links to."""
    return [sentence_anchor(s["sentence_no"]) for s in sents]


def report_html(out: Outputs, report_id: str, with_style: bool = True) -> Markup:
    """One report: summaries, metadata, documents cited, terms, a chart of flagged sentences,
    the Vietnamese and English side by side, captions, the flags' legend and provenance."""
    report_id = pick_report(out, report_id)
    r = out.records("reports", report_id)[0]
    sents = out.records("sentences", report_id)
    summ = out.records("summaries", report_id)
    text = [s for s in sents if s["role"] != "caption"]
    captions = [s for s in sents if s["role"] == "caption"]
    text_rows, text_classes = _sentence_rows(text)
    caption_rows, caption_classes = _sentence_rows(captions)
    words = [len(s["text_vi"].split()) for s in text]
    longest = max(max(words, default=1), 1)
    return render(
        "report.html.j2",
        with_style=with_style,
        demo_banner=DEMO_BANNER if out.demo else "",
        title=display_title(r, sents),
        english_title=english_title(sents),
        counts=counts(sents),
        summaries=_summary_rows(summ),
        about=PageTable(["field", "value"], [
            ["file", r["file"]], ["date", r["date"] or "not found"], ["date read from", r["date_source"]],
            ["author", r["author"] or "not found"], ["photo credit", r["photo_credit"] or "none"],
            ["source", r["source"] or "not found"], ["lines in the file", r["n_lines"]]]),
        cited=cited_documents(out.records("references", report_id)),
        terms=sorted({t for s in sents for t in s["terms"].split("|") if t}),
        bars=[{"no": s["sentence_no"], "words": w, "percent": round(100 * w / longest, 1), "flagged": bool(s["flags"])}
              for s, w in zip(text, words)],
        text=text_rows, text_classes=text_classes, captions=caption_rows, caption_classes=caption_classes,
        text_ids=sentence_ids(text), caption_ids=sentence_ids(captions), exports=english_files(report_id),
        legend=legend_rows([s["flags"] for s in summ] + [s["flags"] for s in sents]),
        provenance=out.provenance,
    )


def index_html(out: Outputs, with_style: bool = True) -> Markup:
    """The index of the run's reports (`pages.listing.index_html`; here for notebook 05 and the pages stage)."""
    from helpers.pages.listing import index_html as listing_index

    return listing_index(out, with_style)


def flag_counts(out: Outputs) -> pd.DataFrame:
    """How many sentences of the run carry each flag, with the flag's meaning."""
    codes = [flag_code(f) for cell in out.sentences["flags"] for f in split_flags(cell)]
    table = pd.Series(codes, dtype=str).value_counts().rename_axis("flag").reset_index(name="sentences")
    table["meaning"] = table["flag"].map(meaning)
    return table


ENGLISH_FILES = (("Word", ".docx"), ("Markdown", ".md"), ("text", ".txt"))  # the translate stage's, per report


def english_files(report_id: str) -> list[tuple[str, str]]:
    """(label, link) of a report's English files for post-editing, relative to the pages' folder
    (`OUT/html/` -> `OUT/data/translations/`)."""
    return [(label, f"../data/translations/{report_id}{suffix}") for label, suffix in ENGLISH_FILES]


def report_titles(out: Outputs) -> list[tuple[str, str]]:
    """(page file, title) of every report in the index's order (newest first): the previous/next links."""
    from helpers.pages.listing import report_rows

    return [(row["href"], row["title"]) for row in report_rows(out)]
