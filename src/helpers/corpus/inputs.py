"""Reading input files: strict UTF-8 text or a clear, named rejection.

Nothing here raises for bad input: every file becomes either a `SourceFile`
(its lines, exactly as written) or a `Rejection` naming the file and the problem.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ID_MAX = 80  # report ids name files (pages, notebooks, translations): kept well under any name limit
MAX_INPUT_BYTES = 20_000_000  # one report; a larger file is named and not read
RESERVED_IDS = frozenset({"index"})  # page names of the run that are not a notebook's
_NOTEBOOK_STEM = re.compile(r"^\d\d_", re.ASCII)  # 01_corpus, 05_index, ...: the stage notebooks and pages
# Control characters that never occur in text files (tab, LF, CR, FF excluded).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BINARY = "binary file, not text (it holds NUL or control bytes)"


@dataclass(frozen=True)
class SourceFile:
    """A readable input: its path, the id used in outputs, and its lines (NFC, no EOLs)."""

    path: Path
    report_id: str
    lines: tuple[str, ...]
    encoding: str


@dataclass(frozen=True)
class Rejection:
    """An input that could not be used, and why (the `problems.csv` row; `file` is the name
    within the input folder, as in `reports.csv`)."""

    file: str
    problem: str


def report_id_for(path: Path) -> str:
    """A file-system and URL safe id from the file name (letters folded to ASCII), at most
    `ID_MAX` characters (a long name keeps its start and a digest of the whole), never the name
    of a page or notebook of the run (`index`, `01_corpus`, ...: those get a `report-` prefix)."""
    stem = unicodedata.normalize("NFKD", path.stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = stem.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_") or "report"
    if len(slug) > ID_MAX:
        slug = slug[: ID_MAX - 9].rstrip("-_") + "-" + hashlib.sha1(path.name.encode()).hexdigest()[:8]
    if slug.casefold() in RESERVED_IDS or _NOTEBOOK_STEM.match(slug):
        slug = f"report-{slug}"
    return slug


def split_lines(text: str) -> tuple[str, ...]:
    """Lines as an editor numbers them: CRLF, CR and LF all end a line; a final EOL adds none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return tuple(text.split("\n"))


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name for bytes that are UTF-8 (BOM allowed) or BOM-marked UTF-16.

    Raises ValueError with a reader-facing message otherwise.
    """
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ValueError(f"marked as UTF-16 by its BOM but not valid UTF-16 ({exc.reason})") from None
    if b"\x00" in data:
        if _looks_utf16(data):
            raise ValueError("looks like UTF-16 without a byte-order mark: re-save it as UTF-8")
        raise ValueError(BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ValueError(
            f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}); it may be windows-1258 or latin-1: "
            "re-save it as UTF-8"
        ) from None
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise ValueError(BINARY)
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def _looks_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 with no BOM: decodes cleanly, and many code units are ASCII."""
    if len(data) % 2:
        return False
    for encoding, high in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if high.count(0) >= 0.3 * len(high) and not _CONTROL.search(text):
            return True
    return False


def read_source(path: Path) -> SourceFile | Rejection:
    """Read one input file, or say exactly why it cannot be used."""
    name = path.name
    try:
        info = os.stat(path)  # links followed: what would be read
    except OSError as exc:
        return Rejection(name, f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISDIR(info.st_mode):
        return Rejection(name, "is a directory, not a text file")
    if not stat.S_ISREG(info.st_mode):
        return Rejection(name, "is not a regular file (a pipe, device or socket, or a link to one): not read")
    if info.st_size > MAX_INPUT_BYTES:
        return Rejection(name, f"is {info.st_size / 1e6:.1f} MB, over the {MAX_INPUT_BYTES / 1e6:.0f} MB limit for one report")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        return Rejection(name, f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_INPUT_BYTES:
        return Rejection(name, f"is over the {MAX_INPUT_BYTES / 1e6:.0f} MB limit for one report")
    if not data:
        return Rejection(name, "empty file (0 bytes)")
    try:
        text, encoding = decode(data)
    except ValueError as exc:
        return Rejection(name, str(exc))
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        return Rejection(name, "holds only whitespace: no text to process")
    return SourceFile(path, report_id_for(path), split_lines(text), encoding)


def list_inputs(folder: Path) -> list[Path]:
    """Every `*.txt` entry of the folder, sorted by name (directories included, to be rejected)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"input folder {folder} does not exist or is not a folder")
    return sorted((p for p in folder.iterdir() if p.name.lower().endswith(".txt")), key=lambda p: p.name)


def read_folder(folder: Path) -> tuple[list[SourceFile], list[Rejection]]:
    """All inputs of a folder: the usable files (ids made unique) and the rejections."""
    sources: list[SourceFile] = []
    rejections: list[Rejection] = []
    seen: set[str] = set()
    for path in list_inputs(folder):
        item = read_source(path)
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        rid, n = item.report_id, 2
        while rid.casefold() in seen:  # case-insensitive: two ids never name one file on any disk
            rid, n = f"{item.report_id}-{n}", n + 1
        seen.add(rid.casefold())
        sources.append(SourceFile(item.path, rid, item.lines, item.encoding) if rid != item.report_id else item)
    return sources, rejections
