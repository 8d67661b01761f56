"""What the report pages and the index show, read from the data contract and handed to the templates.

The functions read `OUT/data/*.csv` and `run.json` (through `load_outputs`) and
build plain tables and counts; `pages.render` renders them with autoescaped Jinja2
templates, so nothing from an input reaches a page unescaped. Notebooks 04 and 05
display the same fragments (`report_html`, `index_html`) that `make reports`
renders into `OUT/html/`.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

# index_html, load_outputs, ran_on_demo and Outputs are imported from here by the notebooks and the pages stage
from helpers.pages.listing import index_html, report_rows  # noqa: F401
from helpers.pages.outputs import (DEMO_BANNER, Outputs, Record, counts, display_title, english_title,  # noqa: F401
                                   load_outputs, pick_report, ran_on_demo)
from helpers.pages.render import PageTable, render
from helpers.pages.search import sentence_anchor
from helpers.checks.flags import describe, flag_code, meaning, split_flags
from helpers.pages.entities import KIND_LABELS, PAGE as ENTITIES_PAGE

FLAG_MARK = "⚑ "
REVIEW_MARK = "✓ "  # English a person approved or corrected (its reviewer and time in the `reviewed` column)


def legend_rows(cells: list[str]) -> list[tuple[str, str]]:
    """The meaning of every flag code that occurs in `cells` (from the registry `checks.flags.FLAGS`)."""
    codes = sorted({flag_code(f) for c in cells for f in split_flags(c)})
    return [(c, meaning(c)) for c in codes]


def legend_table(cells: list[str]) -> pd.DataFrame:
    """`legend_rows` as a table (flag, meaning), for the notebooks."""
    return pd.DataFrame(legend_rows(cells), columns=["flag", "meaning"])


def flag_words(cell: str) -> list[tuple[str, str]]:
    """A flags cell as (flag as written, its meaning in words) pairs (`checks.flags.describe`)."""
    return [(f, line[len(f) + 2:]) for f, line in zip(split_flags(cell), describe(cell))]


def named_entities(out: Outputs, report_id: str) -> list[dict]:
    """The entities a report names, by kind (people, organisations, places, documents), by name, each with
    its link to the entities page (`entities.html#<entity_id>`). Nothing of the rest of the collection
    (how many reports name it): the page changes only when the report does (`pages.digest`)."""
    named = sorted(out.named_in(report_id), key=lambda e: (str(e["name_vi"]).casefold(), str(e["entity_id"])))
    groups = [{"label": label, "entities": [
        {"href": f"{ENTITIES_PAGE}#{e['entity_id']}", "name_vi": e["name_vi"],
         "name_en": e["name_en"] if e["name_en"] != e["name_vi"] else ""}
        for e in named if e["kind"] == kind]} for kind, label in KIND_LABELS.items()]
    return [g for g in groups if g["entities"]]


def cited_documents(references: list[Record]) -> PageTable:
    """A report's cited documents, each resolution once, with the sentences that cite it."""
    cited: dict[tuple, list[str]] = {}  # in order of first citation; empty codes and dates kept
    for r in references:
        cited.setdefault((r["cited_as"], r["english"], r["code"], r["date"]), []).append(str(r["sentence_no"]))
    return PageTable(["as cited", "in English", "code", "date", "in sentences"],
                 [[*d, ", ".join(dict.fromkeys(s))] for d, s in cited.items()])


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
                       flag_words(s["flags"]), s["source_sentence_ids"], review(s)] for s in summ])


def _sentence_rows(sents: list[Record]) -> tuple[PageTable, list[str]]:
    table = PageTable(["#", "Vietnamese", "English", "flags", "reviewed"],
                  [[s["sentence_no"], s["text_vi"],
                    (FLAG_MARK if s["flags"] else "") + (REVIEW_MARK if s["origin"] == "review" else "") + s["text_en"],
                    flag_words(s["flags"]), reviewed_by(s)]
                   for s in sents])
    classes = [" ".join(c for c, on in (("flagged", s["flags"]), ("reviewed", s["origin"] == "review")) if on)
               for s in sents]
    return table, classes


def sentence_ids(sents: list[Record]) -> list[str]:
    """The id of each sentence's row (`s-12`): the anchor a search result links to."""
    return [sentence_anchor(s["sentence_no"]) for s in sents]


def report_html(out: Outputs, report_id: str, with_style: bool = True) -> Markup:
    """One report: summaries, metadata, documents cited, terms, the entities it names, a chart of flagged sentences,
    the Vietnamese and English side by side, captions, the flags' legend and provenance."""
    return render("report.html.j2", **report_context(out, pick_report(out, report_id), with_style))


def report_context(out: Outputs, report_id: str, with_style: bool = False) -> dict[str, object]:
    """Everything `report.html.j2` shows of one report: the template's context (also what `pages.digest`
    digests, so that a page is rendered again exactly when one of these changed)."""
    r = out.records("reports", report_id)[0]
    sents = out.records("sentences", report_id)
    summ = out.records("summaries", report_id)
    text = [s for s in sents if s["role"] != "caption"]
    captions = [s for s in sents if s["role"] == "caption"]
    text_rows, text_classes = _sentence_rows(text)
    caption_rows, caption_classes = _sentence_rows(captions)
    words = [len(s["text_vi"].split()) for s in text]
    longest = max(max(words, default=1), 1)
    return dict(
        with_style=with_style,
        demo_banner=DEMO_BANNER if out.demo else "",
        title=display_title(r, sents),
        english_title=english_title(sents),
        counts=counts(sents),
        summaries=_summary_rows(summ),
        about=PageTable(["field", "value"], [
            ["file", r["file"]], ["date", r["date"] or "not found"],
            ["date read from", r["date_source"] or ("" if r["date"] else "no date found in the text")],
            ["author", r["author"] or "not found"], ["photo credit", r["photo_credit"] or "none"],
            ["source", r["source"] or "not found"], ["lines in the file", r["n_lines"]]]),
        cited=cited_documents(out.records("references", report_id)),
        terms=sorted({t for s in sents for t in s["terms"].split("|") if t}),
        entities=named_entities(out, report_id), has_entities=bool(len(out.entities)),
        bars=[{"no": s["sentence_no"], "words": w, "percent": round(100 * w / longest, 1), "flagged": bool(s["flags"])}
              for s, w in zip(text, words)],
        text=text_rows, text_classes=text_classes, captions=caption_rows, caption_classes=caption_classes,
        text_ids=sentence_ids(text), caption_ids=sentence_ids(captions), exports=english_files(report_id),
        legend=legend_rows([s["flags"] for s in summ] + [s["flags"] for s in sents]),
        provenance={k: v for k, v in out.provenance.items() if k != "stages"},  # the run's times: on the index
    )


ENGLISH_FILES = (("Word", ".docx"), ("Markdown", ".md"), ("text", ".txt"))  # the translate stage's, per report


def english_files(report_id: str) -> list[tuple[str, str]]:
    """(label, link) of a report's English files for post-editing, relative to the pages' folder
    (`OUT/html/` -> `OUT/data/translations/`)."""
    return [(label, f"../data/translations/{report_id}{suffix}") for label, suffix in ENGLISH_FILES]


def report_titles(out: Outputs) -> list[tuple[str, str]]:
    """(page file, title) of every report in the index's order (newest first): the previous/next links."""
    return [(row["href"], row["title"]) for row in report_rows(out)]
