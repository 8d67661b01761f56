"""Odd and hostile files for the reliability tests (issue 38), each built when a test runs, never
committed: a PDF written by hand (a font's ToUnicode map of our choosing, a page of any size), Word
files with the parts python-docx's own API does not make (tracked changes, content controls, smart
tags, fields, nested tables, merged cells, many styles), bombs of the same shape as the ones found,
only smaller."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

import docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ---- PDF ---------------------------------------------------------------------------------------

def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(pages: list[list[tuple[float, float, float, str]]]) -> bytes:
    """A PDF whose pages hold these pieces of text (x, y, font size, text): any character, a lone
    surrogate too, reaches pypdf through the font's ToUnicode map (a one-byte code per character)."""
    chars = sorted({c for page in pages for *_, text in page for c in text} - {" "})
    if len(chars) > 254:
        raise ValueError("at most 254 distinct characters")
    code = {c: i + 1 if i + 1 < 0x20 else i + 2 for i, c in enumerate(chars)}  # 0x20 is the space
    code[" "] = 0x20
    entries = b"".join(b"<%02X> <%s>\n" % (code[c], c.encode("utf-16-be", "surrogatepass").hex().upper().encode())
                       for c in [" ", *chars])
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Odd def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n%d beginbfchar\n" % (len(chars) + 1)
            + entries + b"endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop end end")
    n_pages = len(pages)
    font = 3 + 2 * n_pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n_pages)),
                                                             n_pages)]
    for i, page in enumerate(pages):
        ops = b"".join(b"BT /F1 %.1f Tf %.1f %.1f Td <%s> Tj ET\n"
                       % (size, x, y, bytes(code[c] for c in text).hex().encode())
                       for x, y, size, text in page)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                       b"/Contents %d 0 R >>" % (font, 4 + 2 * i))
        objects.append(_stream(ops))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode %d 0 R >>" % (font + 1))
    objects.append(_stream(cmap))
    return _pdf(objects)


def lines_pdf(pages: list[list[str]], size: float = 11.0, top: float = 780.0, spacing: float = 14.0) -> bytes:
    """Pages of lines at the usual spacing from the top left."""
    return text_pdf([[(72.0, top - k * spacing, size, line) for k, line in enumerate(page)] for page in pages])


# ---- Word --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _blank_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def docx_with_body(body_xml: str, styles: int = 0, last_style: str = "") -> bytes:
    """A Word file whose body is `body_xml` (WordprocessingML, `w:` prefix): python-docx's default
    template with its document.xml written here (fast for a large body); `styles` extra paragraph
    styles added to styles.xml (ids S0, S1, ...; the last one named `last_style` when given)."""
    base = _blank_docx()
    package = zipfile.ZipFile(io.BytesIO(base))
    document = package.read("word/document.xml").decode("utf-8")
    head, _, rest = document.partition("<w:body>")
    sect = rest[rest.index("<w:sectPr"):]
    data = replace_part(base, "word/document.xml", f"{head}<w:body>{body_xml}{sect}".encode("utf-8"))
    if styles:
        xml = package.read("word/styles.xml").decode("utf-8")
        names = [f"Style {i}" for i in range(styles - 1)] + [last_style or f"Style {styles - 1}"]
        extra = "".join(f'<w:style w:type="paragraph" w:styleId="S{i}"><w:name w:val="{name}"/></w:style>'
                        for i, name in enumerate(names))
        data = replace_part(data, "word/styles.xml", xml.replace("</w:styles>", extra + "</w:styles>").encode("utf-8"))
    return data


def p(*runs: str, style: str = "") -> str:
    """A paragraph of runs (plain text, or ready markup when it starts with '<')."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{''.join(r if r.startswith('<') else run(r) for r in runs)}</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def replace_part(data: bytes, name: str, content: bytes, compress: bool = True) -> bytes:
    """The package with part `name` replaced (or added)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(name, content)
    return out.getvalue()
