"""Readers of input formats, one registered per format and found by the file's suffix.

Each reader turns a file's bytes into an `Extracted`: the document's text as lines (one paragraph,
heading, list item, table row or caption a line, blank lines between blocks, as the seeds are
written), which the line roles, ledger and sentences then treat alike whatever the format. A
reader raises `Unreadable` with a one-line reason for a file it cannot use; it never lets a
library's exception out. Heavy libraries are imported by the reader that needs them, when it runs.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import PurePath
from typing import Callable, Iterator

from helpers.text.characters import clean_lines, drop_unholdable
from helpers.corpus.formats.encodings import Unreadable

__all__ = ["Extracted", "Format", "FORMATS", "Unreadable", "format_for", "register", "library", "quiet"]


@dataclass(frozen=True)
class Extracted:
    """A document's text as lines (NFC), and how it was got.

    `roles` are line roles the document's own structure settles, by line index (a Word caption, a
    PDF page footer), with the reason the ledger shows; `notes` are added to a line's ledger reason
    (a conversion that changed it); `meta` is the document's own metadata (title, date as ISO,
    author, site), used where the lines give none.
    """

    lines: tuple[str, ...]
    format: str
    extractor: str
    encoding: str = ""
    conversion: str = ""
    roles: tuple[tuple[int, str, str], ...] = ()
    notes: tuple[tuple[int, str], ...] = ()
    meta: tuple[tuple[str, str], ...] = ()


Reader = Callable[[bytes], Extracted]


@dataclass(frozen=True)
class Format:
    """An input format: its name (as reports.csv shows it), the suffixes it is read from, its reader."""

    name: str
    suffixes: tuple[str, ...]
    read: Reader


FORMATS: dict[str, Format] = {}  # by suffix, lower case with the dot


@dataclass
class Blocks:
    """The lines of a structured document (a web page's main text, a Word body) built block by block:
    a blank line between blocks, as paragraphs are in a text file, and the roles its structure
    settles (a table row, a list item, a caption), by line number."""

    lines: list[str] = field(default_factory=list)
    roles: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, texts: list[str], role: tuple[str, str] | None = None) -> None:
        """One block of lines (blank ones left out), each with `role` (role, reason) when given."""
        texts = [t for t in texts if t.strip()]
        if not texts:
            return
        if self.lines:
            self.lines.append("")
        for t in texts:
            if role:
                self.roles.append((len(self.lines), *role))
            self.lines.append(t)


def cleaned(read: Reader) -> Reader:
    """`read`, its text (lines and metadata) without the characters no text can hold (a lone
    surrogate from a PDF font, a noncharacter), each line that held some noted in the ledger."""

    def read_clean(data: bytes) -> Extracted:
        got = read(data)
        lines, notes = clean_lines(got.lines)
        meta = tuple((k, drop_unholdable(v)) for k, v in got.meta)
        if not notes and meta == got.meta:
            return got
        roles = tuple((i, role, drop_unholdable(reason)) for i, role, reason in got.roles)
        merged = dict(got.notes)
        for i, note in notes:  # the ledger takes one note a line
            merged[i] = f"{merged[i]}; {note}" if i in merged else note
        return replace(got, lines=lines, notes=tuple(sorted(merged.items())), meta=meta, roles=roles)

    return read_clean


def register(name: str, *suffixes: str) -> Callable[[Reader], Reader]:
    """Register the decorated function as the reader of `name`, for files ending in `suffixes` (its
    text cleaned of what no text can hold, `cleaned`)."""

    def add(read: Reader) -> Reader:
        fmt = Format(name, suffixes, cleaned(read))
        for suffix in suffixes:
            if suffix in FORMATS:
                raise ValueError(f"two readers for {suffix}: {FORMATS[suffix].name} and {name}")
            FORMATS[suffix] = fmt
        return read

    return add


def format_for(path: PurePath) -> Format | None:
    """The format a file is read as, by its suffix (case ignored), or None if none reads it."""
    return FORMATS.get(path.suffix.lower())


@contextmanager
def quiet(*loggers: str) -> Iterator[None]:
    """Libraries' log messages below ERROR kept off the terminal while a reader runs (what a library
    repairs in a sloppy file is not the user's concern; what is wrong with a file is its one line)."""
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def library(name: str) -> str:
    """A library's name and installed version, as the `extractor` column names it."""
    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return name


# The readers register themselves on import.
from helpers.corpus.formats import docx, html, pdf, text  # noqa: E402,F401
