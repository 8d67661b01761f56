"""Word files (`.docx`): headings, paragraphs, list items, table rows and captions, in document order,
by python-docx.

python-docx parses the package's XML with lxml set to `resolve_entities=False` (and lxml loads
no DTD and reaches no network by default), so a file's entities are never expanded; the package
is checked first for what python-docx would not: not a zip at all, an encrypted Office file
(which is a compound file, not a zip), a zip that would unpack to far more than it holds (in all,
or in its XML parts), a macro-enabled or Strict Open XML file. The body's text is read by
`wordtext` (python-docx's objects leave out insertions, content controls, fields, nested tables).
Page headers, footers, footnotes and text boxes are not read.
"""

from __future__ import annotations

import io
import re
import zipfile

from helpers.corpus.formats import Blocks, Extracted, library, register
from helpers.text.characters import split_lines
from helpers.corpus.formats.encodings import Unreadable, repair
from helpers.corpus.formats.wordtext import Paragraph, Table, Walk, style_names

MAX_UNPACKED = 200_000_000  # bytes a .docx may unpack to, images included (a zip bomb stops here, named)
MAX_XML_UNPACKED = 40_000_000  # bytes its XML parts may unpack to: parsed, they take several times that
_MACROS = b"macroEnabled"  # the content type of a .docm's main part
_STRICT = b"purl.oclc.org/ooxml/wordprocessingml"  # Strict Open XML's namespace (python-docx reads Transitional)
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
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
            infos = package.infolist()
            unpacked = sum(info.file_size for info in infos)
            xml = sum(info.file_size for info in infos if info.filename.lower().endswith((".xml", ".rels")))
            types = package.read("[Content_Types].xml")[:200_000] if "[Content_Types].xml" in names else b""
            head = package.open("word/document.xml").read(4096) if "word/document.xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise Unreadable(f"damaged Word file ({_ADDRESS.sub('', str(exc))})") from None
    if unpacked > MAX_UNPACKED:
        raise Unreadable(f"Word file that would unpack to {unpacked / 1e6:.0f} MB, over the "
                         f"{MAX_UNPACKED / 1e6:.0f} MB limit: not read")
    if xml > MAX_XML_UNPACKED:
        raise Unreadable(f"Word file whose text and layout (XML) would unpack to {xml / 1e6:.0f} MB, over the "
                         f"{MAX_XML_UNPACKED / 1e6:.0f} MB limit: not read")
    if _MACROS in types:
        raise Unreadable("macro-enabled Word file (.docm) named .docx: not read (save it as a Word Document, .docx)")
    if "word/document.xml" not in names:
        raise Unreadable("not a Word document (its package has no word/document.xml): damaged or mis-named")
    if _STRICT in head:
        raise Unreadable("Word file saved as Strict Open XML, which is not read: save it as an ordinary "
                         "Word Document (.docx)")


def _paragraph(p: Paragraph) -> tuple[list[str], tuple[str, str] | None, bool]:
    """A paragraph's lines (a manual line break, or any other line-break character, ends one), the
    role its style settles, and whether it is a heading."""
    style = p.style
    lines = [t.strip() for t in split_lines(p.text)] or [""]
    if style.casefold() == "caption":
        return lines, ("caption", "Word caption (Caption style)"), False
    heading = _HEADING.match(style)
    if heading:
        return lines, None, True
    if p.numbered or _LIST_STYLE.match(style):
        return lines, ("body", f"list item (Word {'numbering' if p.numbered else style})"), False
    return lines, None, False


def document_lines(document) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Lines and settled roles of a python-docx Document's body, in order (`wordtext` reads it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        styles_element = document.part.part_related_by(RELATIONSHIP_TYPE.STYLES).element
    except (KeyError, AttributeError):  # a document without styles: every paragraph is plain
        styles_element = None
    blocks = Blocks()
    block = blocks.add
    long_seen = False  # after a long paragraph, a heading is a section heading, not the title
    walk = Walk(*style_names(styles_element))
    for item in walk.blocks(document.element.body):
        if isinstance(item, Table):
            block([r for r in item.rows if r.strip()], ("body", "table row (Word table)"))
            continue
        texts, role, heading = _paragraph(item)
        if heading and long_seen:
            role = ("body", f"section heading (Word {item.style})")
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
    except Unreadable:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds for a damaged part: named, one line
        raise Unreadable(f"damaged Word file, not read ({type(exc).__name__}: {_ADDRESS.sub('', str(exc))})") from None
    if not lines:
        raise Unreadable("Word file with no text (its body is empty, or only images)")
    fixed = repair("\n".join(lines), "")  # text typed in a legacy font (.VnTime) is TCVN3 mojibake
    if len(fixed.text.split("\n")) == len(lines):
        lines = fixed.text.split("\n")
    return Extracted(tuple(lines), "docx", library("python-docx"), "", fixed.conversion, tuple(roles))
