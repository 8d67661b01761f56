"""Each report's English for post-editing, beside `translations/<report_id>.txt` (`stage.english_text`):

- `<report_id>.docx` (python-docx): the English title, one paragraph per source paragraph, the photo
  captions, a provenance line (model, revision, date), on A4 pages; every flagged sentence
  highlighted, with a Word comment giving its flags in words and its source sentence, as a
  translator post-editing in Word expects (`Review > Comments`); every reviewed sentence with a
  ✓ comment saying who reviewed it when;
- `<report_id>.md`: the same in Markdown, each flagged sentence marked ⚑ with a footnote giving its
  flags in words and its source; the text escaped, so a report's `*`, `<script>` or `[link](...)` stays text.

Both are made from the sentences alone and are byte-identical from run to run of the same day: the
.docx's parts carry fixed zip times, and its document and comment dates are the provenance date.

A .docx starts from python-docx's own default template made lean once per process (`lean_template`):
only the styles these documents use and those they build on, without the Word 2010 copy of the styles,
the template's thumbnail and its bibliography part. Opening and saving the whole default (790 kB of
styles XML) was 20 of the 23 ms a report's Word file took: 4 minutes of a first run at 10,000 reports.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

import pandas as pd

from helpers.checks.flags import describe
from helpers.review.entries import Review

# A report's sentences as plain columns (name → values in order): what the exports read, and what a report's
# share of a collection is sent to another process as (a frame's slice cost ten times as much to take and send).
Columns = Mapping[str, Sequence]

FLAG_MARK = "⚑"
AUTHOR = "vi2en checks"  # the author of the .docx's comments
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every part of a .docx: the same bytes from the same text
A4_MM, MARGIN_MM = (210, 297), 25  # the paper Vietnamese offices print on
STYLES_USED = ("Title", "Heading2", "ListBullet")  # style ids `docx_bytes` applies (the defaults are kept too)
PARTS_LEFT_OUT = ("stylesWithEffects", "thumbnail", "customXml")  # the default template's parts no reader needs


@dataclass(frozen=True)
class Provenance:
    """What made a report's English: the translator, its revision, and the day."""

    model: str  # hub id or folder
    revision: str
    demo: bool
    date: str  # ISO date of the translation run

    def line(self) -> str:
        demo = ", a DEMO model: this text is not a translation" if self.demo else ""
        return (f"Machine translation into English by {self.model} (revision {self.revision}{demo}), {self.date}. "
                f"Sentences flagged for a second look are marked; their flags and source are noted.")


@dataclass(frozen=True)
class Layout:
    """A report's sentences as the English text lays them out."""

    title: list[dict]
    paragraphs: list[list[dict]]  # one per source line, in order (the title line apart)
    captions: list[dict]


def columns_of(sentences: pd.DataFrame) -> dict[str, list]:
    """A frame's columns as plain lists (`Columns`)."""
    return {name: sentences[name].tolist() for name in sentences.columns}


def layout(sentences: pd.DataFrame | Columns) -> Layout:
    """Title sentences, body paragraphs (one per source line) and captions, as `english_text` orders them."""
    columns = columns_of(sentences) if isinstance(sentences, pd.DataFrame) else sentences
    names = list(columns)  # each row a dict, made from plain lists (to_dict took three times as long)
    rows = [dict(zip(names, values)) for values in zip(*(columns[n] for n in names))]
    lines: dict[int, list[dict]] = {}
    for r in rows:
        if r["role"] == "body":
            lines.setdefault(int(r["line_no"]), []).append(r)
    return Layout([r for r in rows if r["role"] == "title"], [lines[n] for n in sorted(lines)],
                  [r for r in rows if r["role"] == "caption"])


def note(row: dict) -> str:
    """What a flagged sentence's comment or footnote says: its flags in words (the registry's), then
    its source."""
    return f"{FLAG_MARK} {'; '.join(describe(row['flags']))}. Source: {row['text_vi']}"


def review_note(row: dict) -> str:
    """A reviewed sentence's comment ('✓ corrected by anna on 2026-05-01 10:15 UTC'), '' for others."""
    if row.get("origin") != "review":
        return ""
    return "✓ " + Review(row["text_vi"], row["text_en"], str(row.get("reviewer") or ""),
                         str(row.get("reviewed_at") or ""), str(row.get("review") or "corrected")).said()


# ---------------------------------------------------------------- Markdown

_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_BLOCK_START = re.compile(r"^(\s*)([#+=-])")  # a heading, list item or rule at the start of a line
_MD_LIST_START = re.compile(r"^(\s*\d+)([.)])")  # a numbered list item: the mark escaped, not the digits
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: str) -> str:
    """Text as Markdown shows it literally: inline markup, raw HTML, entities and block starts escaped."""
    text = _MD_ENTITY.sub("&amp;", _MD_ANYWHERE.sub(r"\\\1", str(text)))
    return _MD_LIST_START.sub(r"\1\\\2", _MD_BLOCK_START.sub(r"\1\\\2", text))


def markdown_text(report_id: str, sentences: pd.DataFrame | Columns, provenance: Provenance) -> str:
    """A report's English as Markdown: title, provenance, paragraphs, captions, then the footnotes."""
    lay = layout(sentences)
    notes: dict[int, str] = {}  # by sentence number: the footnotes in the report's order

    def marked(row: dict) -> str:
        if not row["flags"]:
            return md_escape(row["text_en"])
        notes[int(row["sentence_no"])] = f"[^s{row['sentence_no']}]: {md_escape(note(row))}"
        return f"{FLAG_MARK} {md_escape(row['text_en'])}[^s{row['sentence_no']}]"

    title = " ".join(marked(r) for r in lay.title) or md_escape(f"Report {report_id} (no title)")
    parts = [f"# {title}", f"*{md_escape(provenance.line())}*"]
    parts += [" ".join(marked(r) for r in para) for para in lay.paragraphs]
    if lay.captions:
        parts.append("## Photo captions\n\n" + "\n".join(f"- {marked(r)}" for r in lay.captions))
    if notes:
        parts.append("\n".join(notes[n] for n in sorted(notes)))
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------- Word

def docx_bytes(report_id: str, sentences: pd.DataFrame | Columns, provenance: Provenance) -> bytes:
    """A report's English as a Word document (see the module's docstring)."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Mm

    lay = layout(sentences)
    when = datetime.fromisoformat(provenance.date).replace(tzinfo=timezone.utc)
    doc = Document(io.BytesIO(lean_template()))
    props = doc.core_properties
    props.title = xml_safe(" ".join(r["text_en"] for r in lay.title))[:255] or f"Report {report_id}"
    props.author, props.last_modified_by, props.comments = AUTHOR, AUTHOR, provenance.line()
    props.created = props.modified = when.replace(tzinfo=None)
    props.revision = 1

    for section in doc.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN_MM)

    def write(paragraph, rows: list[dict]) -> None:
        for i, row in enumerate(rows):
            run = add_run(paragraph, ("" if i == 0 else " ") + xml_safe(row["text_en"]))
            said = [text for text in (review_note(row), note(row) if row["flags"] else "") if text]
            if row["flags"]:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            if said:
                comment = add_comment(doc, run, xml_safe("\n".join(said)))
                comment._comment_elm.set(qn("w:date"), when.strftime("%Y-%m-%dT%H:%M:%SZ"))

    if lay.title:
        write(doc.add_heading(level=0), lay.title)
    else:
        doc.add_heading(f"Report {report_id} (no title)", level=0)
    doc.add_paragraph().add_run(provenance.line()).italic = True
    for para in lay.paragraphs:
        write(doc.add_paragraph(), para)
    if lay.captions:
        doc.add_heading("Photo captions", level=2)
        for row in lay.captions:
            write(doc.add_paragraph(style="List Bullet"), [row])
    return _fixed_times(doc)


_RUN_BREAKS = re.compile(r"([\t\r\n])")  # what a run's text becomes other than text: a tab, a line break


def add_run(paragraph, text: str):  # noqa: ANN001, ANN201 (python-docx's Paragraph and Run)
    """`paragraph.add_run(text)` as python-docx 1.2 (pinned) makes it: each stretch of text between tabs
    and line breaks one `w:t`, each tab a `w:tab`, each CR or LF a `w:br`; but a stretch at a time, where
    python-docx's `_RunContentAppender` goes a character at a time (a third of a report's Word file: demo
    translations run to thousands of characters). The same XML (tested against `add_run`)."""
    run = paragraph.add_run()
    r = run._r
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            r.add_tab()
        elif piece in ("\r", "\n"):
            r.add_br()
        elif piece:
            r.add_t(piece)
    return run


def add_comment(doc, run, text: str):  # noqa: ANN001, ANN201 (python-docx's Document, Run and Comment)
    """`doc.add_comment(run, text=text, author=AUTHOR, initials="QA")` as python-docx 1.2 makes it (a
    paragraph a line of `text`), its runs added by `add_run`."""
    comment = doc.add_comment(run, author=AUTHOR, initials="QA")
    if text == "":  # (python-docx's empty comment: one paragraph, no run)
        return comment
    first, *more = text.split("\n")
    add_run(comment.paragraphs[0], first)
    for line in more:
        added = comment.add_paragraph()
        if line:
            add_run(added, line)
    return comment


@lru_cache(maxsize=1)
def lean_template() -> bytes:
    """python-docx's default template as a .docx of its parts a report's document uses: the styles in
    STYLES_USED, the default of each type and every style those are based on, linked to or followed
    by (with the document defaults and Word's latent styles); not the PARTS_LEFT_OUT."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for part in [doc.part, doc.part.package]:
        for rid, rel in list(part.rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in PARTS_LEFT_OUT:
                part.rels.pop(rid)
    root = doc.styles.element
    styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    wanted = [*STYLES_USED, *(sid for sid, s in styles.items() if s.get(qn("w:default")) in ("1", "true"))]
    kept: set[str] = set()
    while wanted:
        sid = wanted.pop()
        if sid in styles and sid not in kept:
            kept.add(sid)
            wanted += [ref.get(qn("w:val")) for tag in ("w:basedOn", "w:link", "w:next")
                       for ref in styles[sid].findall(qn(tag))]
    for sid, style in styles.items():
        if sid not in kept:
            root.remove(style)
    return _fixed_times(doc)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML cannot hold (control characters, lone surrogates)."""
    return _NOT_XML.sub("", str(text))


class _FixedTimeZip:
    """python-docx's writer of a package's parts (`write(pack_uri, blob)`, `close()`), every part
    stamped `ZIP_TIME`: python-docx's own stamps the time of saving."""

    def __init__(self, stream: io.BytesIO) -> None:
        self._zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob: bytes) -> None:  # noqa: ANN001 (python-docx's PackURI)
        self._zip.writestr(zipfile.ZipInfo(pack_uri.membername, ZIP_TIME), blob, zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self._zip.close()


def _fixed_times(doc) -> bytes:
    """The document's zip with every part stamped `ZIP_TIME`, written once: `OpcPackage.save` of
    python-docx 1.2 (pinned) with `_FixedTimeZip` for its zip writer (saving, then zipping again
    with fixed times, compressed every part twice: a third of a report's Word file)."""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    stream = io.BytesIO()
    writer = _FixedTimeZip(stream)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return stream.getvalue()
