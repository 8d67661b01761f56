"""Word files (`.docx`): headings, paragraphs, list items, table rows and captions, in document order,
by python-docx.

python-docx parses the package's XML with lxml set to `resolve_entities=False` (and lxml loads
no DTD and reaches no network by default), so a file's entities are never expanded; the package
is checked first for what python-docx would not: not a zip at all, an encrypted Office file
(which is a compound file, not a zip), a zip that would unpack to far more than it holds.
Page headers, footers, footnotes and text boxes are not read.
"""

from __future__ import annotations

import io
import re
import zipfile

from helpers.corpus.formats import Blocks, Extracted, library, register
from helpers.corpus.formats.encodings import Unreadable, repair

MAX_UNPACKED = 500_000_000  # bytes a .docx may unpack to (a zip bomb stops here, named)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: an encrypted .docx, or an old .doc renamed
_HEADING = re.compile(r"^(?:Heading|Title)\s*(\d*)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^List", re.IGNORECASE)


def check_package(data: bytes) -> None:
    """Raise Unreadable for bytes that are no readable Word package, saying what they are."""
    if data.startswith(_OLE):
        raise Unreadable("password-protected (encrypted) Word file, or an old .doc renamed .docx: not read "
                         "(save it as an unprotected .docx)")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Unreadable("not a Word .docx file (it is not a zip package): damaged or mis-named")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"damaged Word file ({exc})") from None
    if "word/document.xml" not in names:
        raise Unreadable("not a Word document (its package has no word/document.xml): damaged or mis-named")
    if unpacked > MAX_UNPACKED:
        raise Unreadable(f"Word file that would unpack to {unpacked / 1e6:.0f} MB, over the "
                         f"{MAX_UNPACKED / 1e6:.0f} MB limit: not read")


def _paragraph(p) -> tuple[list[str], tuple[str, str] | None, bool]:
    """A paragraph's lines (a manual line break ends one), the role its style settles, and whether
    it is a heading."""
    style = (p.style.name if p.style is not None else "") or ""
    lines = [t.strip() for t in p.text.replace("\v", "\n").split("\n")]
    if style.casefold() == "caption":
        return lines, ("caption", "Word caption (Caption style)"), False
    heading = _HEADING.match(style)
    if heading:
        return lines, None, True
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    if numbered or _LIST_STYLE.match(style):
        return lines, ("body", f"list item (Word {'numbering' if numbered else style})"), False
    return lines, None, False


def _row_cells(row) -> list[str]:
    """A table row's cell texts, a merged cell once."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        cells.append(" ".join(cell.text.split()))
    return cells


def document_lines(document) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Lines and settled roles of a python-docx Document's body, in order."""
    from docx.table import Table

    blocks = Blocks()
    block = blocks.add
    long_seen = False  # after a long paragraph, a heading is a section heading, not the title

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = ["\t".join(_row_cells(row)) for row in item.rows]
            block([r for r in rows if r.strip()], ("body", "table row (Word table)"))
            continue
        texts, role, heading = _paragraph(item)
        if heading and long_seen:
            role = ("body", f"section heading (Word {item.style.name})")
        block(texts, role)
        long_seen = long_seen or len(" ".join(texts).split()) > 15
    return blocks.lines, blocks.roles


@register("docx", ".docx")
def read_docx(data: bytes) -> Extracted:
    """A Word file's text."""
    check_package(data)
    import docx

    try:
        lines, roles = document_lines(docx.Document(io.BytesIO(data)))
    except Exception as exc:  # python-docx and lxml raise many kinds for a damaged part: named, one line
        raise Unreadable(f"damaged Word file, not read ({type(exc).__name__}: {exc})") from None
    if not lines:
        raise Unreadable("Word file with no text (its body is empty, or only images)")
    fixed = repair("\n".join(lines), "")  # text typed in a legacy font (.VnTime) is TCVN3 mojibake
    if len(fixed.text.split("\n")) == len(lines):
        lines = fixed.text.split("\n")
    return Extracted(tuple(lines), "docx", library("python-docx"), "", fixed.conversion, tuple(roles))
