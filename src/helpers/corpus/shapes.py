"""Line shapes that say what a line is before its words do.

A list item (`- `, `+ `, `• `, `1)`, `a)`, `II.`), a table row (cells between tabs or pipes) and a
Markdown heading (`# ...`) are body text, however short and unpunctuated; Markdown emphasis
(`*Thứ Tư, 22-06-2022*`) is looked through, so an italic dateline is a dateline; a line of
embedded data (a base64 `data:` URI, a run of hundreds of characters without a space) is not text
at all. The rules of `lines.py` read a line's `plain` form.
"""

from __future__ import annotations

import re

LONG_RUN = 200  # characters without a space: data, code or a link, never prose
_LIST_ITEM = re.compile(r"^(?:[-+*•◦▪‣–]\s+|\(?(?:\d{1,3}|[a-zđ])\)\s+|\d{1,3}\.\s+|[IVX]{1,5}\.\s+)(?=\S)")
_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_EMPHASIS = re.compile(r"^(\*\*\*|\*\*|\*|___|__|_)(?=\S)(.+?)(?<=\S)\1$")
_PIPE_ROW = re.compile(r"^\|.*\|$")
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w=.+-]+)*;base64,([A-Za-z0-9+/=\s]*)", re.IGNORECASE)
_RUN = re.compile(rf"\S{{{LONG_RUN},}}")


def is_list_item(line: str) -> bool:
    """A bullet or numbered list item: '- ...', '+ ...', '• ...', '1) ...', '1. ...', 'a) ...', 'II. ...'."""
    return bool(_LIST_ITEM.match(line.strip()))


def is_table_row(line: str) -> bool:
    """Cells of a table: two or more separated by tabs, or a Markdown row between pipes."""
    s = line.strip()
    return len([c for c in s.split("\t") if c.strip()]) >= 2 or (len(s) > 2 and bool(_PIPE_ROW.match(s)))


def is_heading(line: str) -> bool:
    """A Markdown heading ('# Title', '## Section')."""
    return bool(_HEADING.match(line.strip()))


def plain(line: str) -> str:
    """The line without Markdown heading marks and emphasis around it (what the rules read)."""
    s = _HEADING.sub("", line.strip()).strip().rstrip("#").strip() if is_heading(line) else line.strip()
    m = _EMPHASIS.match(s)
    return m.group(2).strip() if m else s


def table_text(line: str) -> str:
    """A table row as text: its cells separated by ' | '."""
    s = line.strip().strip("|")
    cells = [c.strip() for c in re.split(r"\t+|\s*\|\s*", s) if c.strip()]
    return " | ".join(cells)


def embedded_data(line: str) -> str | None:
    """Why a line is not text (a base64 data URI, a long run without spaces), or None."""
    m = _DATA_URI.search(line)
    if m:
        return f"embedded data, not text: a base64 data URI of {len(m.group(1)) * 3 // 4 / 1000:,.0f} KB"
    run = _RUN.search(line)
    if run and len(run.group()) >= 0.5 * len(line.strip()):
        return (f"not text: a run of {len(run.group()):,} characters without a space "
                "(encoded data, code or a link)")
    return None
