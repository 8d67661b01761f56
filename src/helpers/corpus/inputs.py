"""Reading the input folder: every entry gets a visible outcome.

Each entry becomes a `SourceFile` (its text as lines, and how it was read), a `Rejection` naming
the file and the problem, or a `Skipped` note (system metadata such as macOS `._name` files and
`.DS_Store`, and subfolders). Nothing here raises for bad input. Which formats are read, and how,
is `helpers.corpus.formats` (one reader per format, found by suffix); this module checks the
entry (kind, size), names it safely and gives it its report id.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from helpers.corpus.formats import FORMATS, Unreadable, format_for
from helpers.corpus.formats.text import split_lines  # noqa: F401  (part of this module's interface)

ID_MAX = 80  # report ids name files (pages, notebooks, translations): kept well under any name limit
MAX_INPUT_BYTES = 20_000_000  # one report; a larger file is named and not read
RESERVED_IDS = frozenset({"index"})  # page names of the run that are not a notebook's
_NOTEBOOK_STEM = re.compile(r"^\d\d_", re.ASCII)  # 01_corpus, 05_index, ...: the stage notebooks and pages
SYSTEM_FILES = {".ds_store": "macOS folder metadata (.DS_Store)", "thumbs.db": "Windows thumbnail cache",
                "desktop.ini": "Windows folder settings"}


@dataclass(frozen=True)
class SourceFile:
    """A readable input: its path, the id used in outputs, its lines (NFC, no EOLs), and how they
    were got (format, extractor, encoding, conversion; roles and ledger notes the format settles;
    the document's own metadata)."""

    path: Path
    report_id: str
    lines: tuple[str, ...]
    encoding: str
    format: str = "txt"
    extractor: str = ""
    conversion: str = ""
    roles: tuple[tuple[int, str, str], ...] = ()
    notes: tuple[tuple[int, str], ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    sha256: str = ""  # of the file's bytes: a re-run keeps the report of a file whose bytes are unchanged
    stat: tuple[int, int] = (0, 0)  # its size and modification time (ns) when read: a re-run's cheap check

    @property
    def file(self) -> str:
        """The file's name as outputs show it (bytes that are not UTF-8 as U+FFFD)."""
        return display_name(self.path.name)


@dataclass(frozen=True)
class Kept:
    """An input whose bytes are those the previous run read (same name, same digest): its report is
    kept from that run, not read again."""

    file: str
    report_id: str
    stat: tuple[int, int] = (0, 0)  # its size and modification time (ns) as found now


@dataclass(frozen=True)
class Rejection:
    """An input that could not be used, and why (the `problems.csv` row; `file` is the name
    within the input folder, as in `reports.csv`)."""

    file: str
    problem: str


@dataclass(frozen=True)
class Skipped:
    """A folder entry that is not an input (system metadata, a subfolder): named in a note, not an error."""

    file: str
    note: str


@dataclass(frozen=True)
class Scan:
    """What the input folder holds: the readable reports, the rejected inputs, the skipped entries."""

    sources: tuple[SourceFile, ...]
    rejections: tuple[Rejection, ...]
    skipped: tuple[Skipped, ...]
    kept: tuple[Kept, ...] = ()
    order: tuple[str, ...] = ()  # the report ids of sources and kept, in the folder's (name) order


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a zip made on Windows) shown as U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def name_bytes(name: str) -> str:
    """The bytes of a file name that is not valid UTF-8, escaped (`B\\xe1o.txt`); '' for a valid name."""
    raw = os.fsencode(name)
    try:
        raw.decode("utf-8")
        return ""
    except UnicodeDecodeError:
        return repr(raw)[2:-1]  # every byte that is not printable ASCII escaped, control bytes too


def report_id_for(path: Path) -> str:
    """A file-system and URL safe id from the file name (letters folded to ASCII), at most
    `ID_MAX` characters (a long name keeps its start and a digest of the whole), never the name
    of a page or notebook of the run (`index`, `01_corpus`, ...: those get a `report-` prefix)."""
    stem = Path(display_name(path.name)).stem
    stem = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = stem.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_") or "report"
    if len(slug) > ID_MAX:
        slug = slug[: ID_MAX - 9].rstrip("-_") + "-" + hashlib.sha1(os.fsencode(path.name)).hexdigest()[:8]
    if slug.casefold() in RESERVED_IDS or _NOTEBOOK_STEM.match(slug):
        slug = f"report-{slug}"
    return slug


def skip_note(path: Path, is_dir: bool | None = None) -> str | None:
    """Why a folder entry is not an input at all (system metadata, a subfolder), or None (`is_dir`: whether
    it is a folder, when the caller knows)."""
    name = display_name(path.name)
    if name.startswith("._"):
        return "macOS metadata file (its '._' name pairs it with another file), skipped"
    if name.casefold() in SYSTEM_FILES:
        return f"{SYSTEM_FILES[name.casefold()]}, skipped"
    if name.startswith("~$"):
        return "Office lock file (the document was open when copied), skipped"
    if name.startswith("."):
        return "hidden file, skipped"
    if (path.is_dir() if is_dir is None else is_dir) and format_for(path) is None:
        return "folder, skipped (inputs are not looked for in subfolders)"
    return None


def readable_suffixes() -> str:
    """The suffixes read, for messages: '.docx, .htm, .html, ...'."""
    return ", ".join(sorted(FORMATS))


Known = dict[str, tuple[str, str]]  # file name -> (sha256 of its bytes, report id) as the previous run read it
Seen = dict[str, tuple[int, int, str]]  # file name -> (size, modification time in ns, sha256) when a run read it


def read_source(path: Path, known: Known | None = None, seen: Seen | None = None) -> SourceFile | Kept | Rejection:
    """Read one input file, or say exactly why it cannot be used; a file `known` with these very
    bytes is not parsed again (`Kept`), and one whose size and time are those `seen` when its known
    bytes were read is not read at all (a cheap check, as make's)."""
    name = display_name(path.name)
    raw_name = name_bytes(path.name)
    rejected = (lambda problem: Rejection(name, f"{problem} (its name is not UTF-8: {raw_name})")) if raw_name \
        else (lambda problem: Rejection(name, problem))
    try:
        info = os.stat(path)  # links followed: what would be read
    except OSError as exc:
        return rejected(f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISDIR(info.st_mode):
        return rejected("is a directory, not a text file")
    fmt = format_for(path)
    if fmt is None:
        kind = f"'{path.suffix.lower()}' files" if path.suffix else "files without a suffix"
        return rejected(f"format not read: {kind} are not inputs (the formats read: {readable_suffixes()})")
    if not stat.S_ISREG(info.st_mode):
        return rejected("is not a regular file (a pipe, device or socket, or a link to one): not read")
    stat_now = (info.st_size, info.st_mtime_ns)
    if known and seen and name in known and seen.get(name) == (*stat_now, known[name][0]):
        return Kept(name, known[name][1], stat_now)
    if info.st_size > MAX_INPUT_BYTES:
        return rejected(f"is {info.st_size / 1e6:.1f} MB, over the {MAX_INPUT_BYTES / 1e6:.0f} MB limit for one report")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        return rejected(f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_INPUT_BYTES:
        return rejected(f"is over the {MAX_INPUT_BYTES / 1e6:.0f} MB limit for one report")
    if not data:
        return rejected("empty file (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    if known and known.get(name, ("", ""))[0] == digest:
        return Kept(name, known[name][1], stat_now)
    try:
        got = fmt.read(data)
    except Unreadable as exc:
        return rejected(str(exc))
    except Exception as exc:  # a reader's defect on one file: named, the other inputs go on
        return rejected(f"could not be read as {fmt.name} ({type(exc).__name__}: {exc})")
    lines = tuple(unicodedata.normalize("NFC", line) for line in got.lines)
    if not any(line.strip() for line in lines):
        return rejected("holds only whitespace: no text to process")
    return SourceFile(path, report_id_for(path), lines, got.encoding, got.format, got.extractor, got.conversion,
                      got.roles, got.notes, got.meta, digest, stat_now)


def input_folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot be read as the folder of the reports (SEEDS), in the words that end 'input folder
    <folder> ...': it does not exist, is a file, or cannot be looked at; None when it is a folder."""
    try:
        if stat.S_ISDIR(folder.stat().st_mode):
            return None
    except (FileNotFoundError, NotADirectoryError):
        return "does not exist"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return "is a file, not a folder (SEEDS names the folder of the reports)"


def folder_entries(folder: Path) -> list[tuple[Path, str | None]]:
    """Every entry of the folder, sorted by name, with why it is skipped (`skip_note`; None for an input).
    One pass over the folder: an entry read from it knows whether it is a folder without a stat of its own."""
    problem = input_folder_problem(folder)
    if problem is not None:
        raise FileNotFoundError(f"input folder {folder} {problem}")
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    return [(folder / e.name, skip_note(folder / e.name, _is_dir(e))) for e in entries]


def _is_dir(entry: os.DirEntry) -> bool:
    """Whether a folder entry is a folder, links followed (as `Path.is_dir`: False when it cannot be told)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def list_inputs(folder: Path) -> list[Path]:
    """Every entry of the folder that is not skipped (see `skip_note`), sorted by name: each is read
    or rejected with a reason."""
    return [path for path, note in folder_entries(folder) if note is None]


def scan_folder(folder: Path, known: Known | None = None, seen: Seen | None = None) -> Scan:
    """Every entry of a folder: the usable files (ids made unique), the rejections, the skipped; a
    file `known` with the same bytes and id is `Kept`, not parsed again (nor read, when `seen` says
    its size and time are those of those bytes)."""
    entries = folder_entries(folder)
    skipped = tuple(Skipped(display_name(p.name), note) for p, note in entries if note)
    sources: list[SourceFile] = []
    kept: list[Kept] = []
    rejections: list[Rejection] = []
    order: list[str] = []
    taken: set[str] = set()  # the ids given so far, case-folded
    for path in (p for p, note in entries if note is None):
        item = read_source(path, known, seen)
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        base = report_id_for(path)
        rid, n = base, 2
        while rid.casefold() in taken:  # case-insensitive: two ids never name one file on any disk
            rid, n = f"{base}-{n}", n + 1
        taken.add(rid.casefold())
        order.append(rid)
        if isinstance(item, Kept):
            if item.report_id == rid:
                kept.append(item)
                continue
            item = read_source(path)  # its id is another now (a file of a like name came or went): read again
            if isinstance(item, Rejection):  # changed meanwhile: rejected now, it takes no id
                order.pop()
                taken.discard(rid.casefold())
                rejections.append(item)
                continue
        assert isinstance(item, SourceFile)  # read without `known`: never Kept
        sources.append(replace(item, report_id=rid) if rid != item.report_id else item)
    return Scan(tuple(sources), tuple(rejections), skipped, tuple(kept), tuple(order))


def read_folder(folder: Path) -> tuple[list[SourceFile], list[Rejection]]:
    """All inputs of a folder: the usable files (ids made unique) and the rejections."""
    scan = scan_folder(folder)
    return list(scan.sources), list(scan.rejections)
