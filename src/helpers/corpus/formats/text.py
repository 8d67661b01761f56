"""Plain text and Markdown files: decoded (`encodings`), split into lines as an editor numbers them.

A `.txt` or `.md` that is a whole web page saved as text (it opens with `<!DOCTYPE html>`,
`<html>`, or holds a `<body>` with paragraphs) is read as the web page it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from helpers.corpus.formats import Extracted, register
from helpers.text.characters import split_lines
from helpers.corpus.formats.encodings import Decoded, decode_text
from helpers.corpus.formats.legacy import LEGACY, codepage_text

READER = "helpers text reader"
_PAGE_START = re.compile(r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
                         re.IGNORECASE | re.DOTALL)
_BODY = re.compile(r"<body[\s>]", re.IGNORECASE)
_BLOCK = re.compile(r"<(?:p|div|h[1-6]|article|br)[\s/>]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True for a whole web page: a text that opens as HTML, or holds a <body> with paragraphs.
    A report that merely quotes some markup (`<b>`, `<script>`) is text."""
    head = text[:65536]
    return bool(_PAGE_START.match(head)) or (bool(_BODY.search(head)) and len(_BLOCK.findall(head)) >= 3)


def changed_lines(before: str, after: str, note: str) -> tuple[tuple[int, str], ...]:
    """A ledger note for each line a conversion changed (every line with a non-ASCII letter when the
    conversion changed the number of lines)."""
    old, new = split_lines(before), split_lines(after)
    if len(old) != len(new):
        return tuple((i, note) for i, line in enumerate(new) if not line.isascii())
    return tuple((i, note) for i, (a, b) in enumerate(zip(old, new)) if a != b)


def _as_read(data: bytes, decoded: Decoded) -> str:
    """The text as a plain reading would show it, before any conversion (for the ledger notes)."""
    if decoded.encoding in LEGACY:
        return codepage_text(data)
    return data.decode(decoded.encoding, "replace")


def read_text(data: bytes, fmt: str) -> Extracted:
    """A text file's lines, or the web page it holds."""
    decoded = decode_text(data)
    if looks_like_html(decoded.text):
        from helpers.corpus.formats.html import extract_html

        page = extract_html(decoded.text)
        conversion = "; ".join(c for c in (decoded.conversion, page.conversion) if c)
        return replace(page, format=f"html (saved as .{fmt})", encoding=decoded.encoding, conversion=conversion)
    notes: tuple[tuple[int, str], ...] = ()
    if decoded.conversion and "NFC" not in decoded.conversion:
        notes = changed_lines(_as_read(data, decoded), decoded.text, f"converted: {decoded.conversion}")
    return Extracted(split_lines(decoded.text), fmt, READER, decoded.encoding, decoded.conversion, notes=notes)


@register("txt", ".txt")
def read_txt(data: bytes) -> Extracted:
    """A plain text file."""
    return read_text(data, "txt")


@register("md", ".md", ".markdown")
def read_markdown(data: bytes) -> Extracted:
    """A Markdown file: read as text; the line roles know its shapes (headings, lists, emphasis)."""
    return read_text(data, "md")
