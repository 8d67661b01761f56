"""PDF files with a text layer, by pypdf: the lines of each page joined back into paragraphs.

pypdf (pure Python, no other dependency than `cryptography` for AES-encrypted files) gives each
piece of text with its position. Lines are joined into a paragraph while they follow at the
usual line spacing (wider in larger type: a headline wrapped over lines is one paragraph) and the
line above reaches the right margin; a wider gap, a change of font
size, an indented first line or a short line above ends it; across a page break, the text goes on
when the full line above it ends mid-sentence and the next starts in lower case or with a name,
or the line above ends with a comma or the like. A hyphen at a line's end is undone
when it split a word ('Inter-' 'net'), kept when it joins two Vietnamese syllables or a code
('chính trị-' 'xã hội', '118-' 'KH/ĐUCA'). Headers and footers (a line at a page's top or bottom
that recurs at the same height, numbers aside, on most pages) and page numbers are left out of the text and listed
after it as boilerplate, so the ledger still shows them. No OCR: a scan is rejected.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass

from helpers.corpus.formats import Extracted, library, quiet, register
from helpers.corpus.formats.encodings import Unreadable, is_syllable, repair

EDGE_LINES = 2  # lines at a page's top and bottom that may be a header, footer or page number
RUNNING_SHARE = 0.5  # a header or footer recurs on at least this share of the pages (and on two)
GAP_FACTOR = 1.3  # a gap this much wider than the usual line spacing ends a paragraph
SHORT_LINE = 0.75  # a line shorter than this share of a full line ends its paragraph
MAX_PAGE_CONTENT = 8_000_000  # bytes a page's content stream may decode to (a stream bomb stops here)
MAX_PAGE_TEXT = 500_000  # characters of text one page may give (a page of megabytes of spaces)
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_PAGE_NUMBER = re.compile(r"^(?:(?:trang|page|tr\.)\s*)?[-–—(]?\s*\d{1,4}\s*(?:(?:/|of|trên|\|)\s*\d{1,4})?\s*[-–—)]?$",
                          re.IGNORECASE)
_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"\w+")


@dataclass(frozen=True)
class PdfLine:
    """One line of a page, with the position of its first character and its font size."""

    page: int
    x: float
    y: float
    size: float
    text: str


def page_lines(page, number: int) -> list[PdfLine]:
    """The lines of a page in pypdf's order, each at the position of its first piece of text."""
    pieces: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((text, x, y, (font_size or 0) * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])))

    page.extract_text(visitor_text=visit)
    lines: list[PdfLine] = []
    parts: list[str] = []
    at: tuple[float, float, float] | None = None
    for text, x, y, size in pieces + [("\n", 0.0, 0.0, 0.0)]:
        for k, part in enumerate(text.split("\n")):
            if k:  # a new line: the one before is complete
                line = "".join(parts)
                if line.strip() and at is not None:
                    lines.append(PdfLine(number, *at, line.strip()))
                parts, at = [], None
            if part.strip() and at is None:
                at = (x, y, size)
            parts.append(part)
    return lines


def running_lines(pages: list[list[PdfLine]]) -> dict[PdfLine, str]:
    """Headers, footers and page numbers, each with the reason the ledger gives."""
    def signature(ln: PdfLine) -> tuple[str, int]:
        # the same words (numbers aside) at the same height: a caption repeated across a page
        # break is not a running header
        return re.sub(r"\d+", "#", " ".join(ln.text.split())), round(ln.y / 3)

    pages_with: dict[tuple[str, int], set[int]] = {}
    for lines in pages:
        for ln in lines[:EDGE_LINES] + lines[-EDGE_LINES:]:
            pages_with.setdefault(signature(ln), set()).add(ln.page)
    running: dict[PdfLine, str] = {}
    for lines in pages:
        for edge in (lines[:EDGE_LINES], lines[::-1][:EDGE_LINES]):  # from the top, from the bottom
            for ln in edge:  # outermost first; the first line that is text ends the edge
                on = len(pages_with[signature(ln)])
                if _PAGE_NUMBER.match(ln.text.strip()):
                    running[ln] = f"page number (page {ln.page})"
                elif on >= max(2, RUNNING_SHARE * len(pages)):
                    running[ln] = f"page header or footer, on {on} of {len(pages)} pages (page {ln.page})"
                else:
                    break
    return running


def join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one line: a space between, except where a hyphen or soft hyphen
    ends a line (undone when it split a word, kept in a compound or code)."""
    out = lines[0].strip()
    for nxt in (ln.strip() for ln in lines[1:]):
        if not nxt:
            continue
        if out.endswith("\u00ad"):
            out = out[:-1] + nxt
        elif out.endswith("-") and len(out) > 1 and not out[-2].isspace():
            head, tail = _WORD_BEFORE_HYPHEN.search(out), _WORD_START.match(nxt)
            split_word = (head and tail and nxt[0].islower() and not head.group(1).isdigit()
                          and not (is_syllable(head.group(1)) and is_syllable(tail.group())))
            out = out[:-1] + nxt if split_word else out + nxt
        else:
            out = f"{out} {nxt}"
    return out


def _continues(last: str, first: str, body_text: bool) -> bool:
    """Across a page break (where no spacing tells): the text on the next page goes on with the
    paragraph when the line before it ends mid-sentence and it starts in lower case, or the line
    before ends with a comma, colon, semicolon or hyphen, or (in body text: a caption is not) it
    starts with a name ('... của đồng chí' / 'Nguyễn Văn An, ...': two capitalised words)."""
    last, first = last.rstrip(), first.lstrip()
    if not last or not first or last[-1] in ".!?…\"”":
        return False
    words = first.split()[:2]
    name = len(words) == 2 and all(w[0].isupper() and w[1:].islower() for w in words)
    return first[0].islower() or last[-1] in ",;:-–(" or (body_text and name)


def paragraphs(body: list[PdfLine]) -> list[str]:
    """Body lines (in order, across pages) joined into paragraphs."""
    if not body:
        return []
    gaps = [a.y - b.y for a, b in zip(body, body[1:]) if a.page == b.page and a.y > b.y and abs(a.size - b.size) < 0.5]
    spacing = sorted(gaps)[len(gaps) // 4] if gaps else 0.0  # within paragraphs: the common, small gap
    sizes = Counter(round(ln.size, 1) for ln in body)
    usual = sizes.most_common(1)[0][0] or 1.0
    lengths = sorted(len(ln.text) for ln in body if round(ln.size, 1) == usual)
    full = lengths[int(0.9 * (len(lengths) - 1))]  # a full line of the usual size; larger type holds fewer
    left = {p: min(ln.x for ln in body if ln.page == p) for p in {ln.page for ln in body}}
    out: list[list[str]] = [[body[0].text]]
    for a, b in zip(body, body[1:]):
        ends = (
            len(a.text) < SHORT_LINE * full * usual / max(a.size, 1.0)
            or abs(a.size - b.size) >= 0.5
            or (a.page == b.page and (a.y - b.y > GAP_FACTOR * spacing * max(1.0, a.size / usual) or a.y <= b.y))
            or (a.page != b.page and not _continues(a.text, b.text, round(a.size, 1) == usual))
            or (b.x > left[b.page] + 0.8 * max(b.size, 1.0) and abs(a.x - left[a.page]) < 1.0)
        )
        if ends:
            out.append([b.text])
        else:
            out[-1].append(b.text)
    return [join_lines(p) for p in out]


def _open(data: bytes):
    """A pypdf reader of the bytes, decrypted if it opens without a password; else Unreadable."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("password-protected PDF: not read (remove the password and save it again)")
        len(reader.pages)
        return reader
    except (FileNotDecryptedError, DependencyError) as exc:
        raise Unreadable(f"encrypted PDF that cannot be opened here ({exc}): not read") from None
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds for a damaged file: named, one line
        raise Unreadable(f"damaged PDF, not read ({type(exc).__name__}: {exc})") from None


def _has_images(page) -> bool:
    try:
        return len(page.images) > 0
    except Exception:
        return False


def _page(page, number: int) -> tuple[list[PdfLine], str]:
    """A page's lines, or none and why it was left out (over a limit, or a part pypdf cannot read):
    one bad page costs that page, never the file."""
    try:
        lines = page_lines(page, number)
    except Exception as exc:  # pypdf's budget (LimitReachedError) or a damaged content stream
        reason = _ADDRESS.sub("", str(exc)).strip() or type(exc).__name__
        if "limit" in reason.lower() or type(exc).__name__ == "LimitReachedError":
            reason = f"over the {MAX_PAGE_CONTENT / 1e6:.0f} MB limit of a page's content, or pypdf's own ({reason})"
        return [], f"page {number} left out: {reason}"
    if sum(len(ln.text) for ln in lines) > MAX_PAGE_TEXT:
        return [], f"page {number} left out: its text is over the {MAX_PAGE_TEXT:,} characters limit of a page"
    return lines, ""


@register("pdf", ".pdf")
def read_pdf(data: bytes) -> Extracted:
    """A PDF's text layer as paragraphs, its running headers, footers and page numbers listed after;
    a page over a limit, or one pypdf cannot read, is left out with a note."""
    from pypdf import apply_configuration

    with quiet("pypdf"), apply_configuration(zlib_maximum_output_length=MAX_PAGE_CONTENT,
                                             lzw_maximum_output_length=MAX_PAGE_CONTENT,
                                             run_length_maximum_output_length=MAX_PAGE_CONTENT,
                                             stream_decoding_work_maximum_length=MAX_PAGE_CONTENT):
        reader = _open(data)
        pages: list[list[PdfLine]] = []
        left_out: list[str] = []
        try:
            for n, page in enumerate(reader.pages, start=1):
                page_lines, why = _page(page, n)
                pages.append(page_lines)
                if why:
                    left_out.append(why)
        except Exception as exc:
            raise Unreadable(f"damaged PDF, its text could not be read ({type(exc).__name__}: {exc})") from None
        scanned = [n for n, (lines, page) in enumerate(zip(pages, reader.pages), start=1)
                   if not lines and _has_images(page)]
        if not any(pages):
            if left_out:
                raise Unreadable(f"PDF with no page that could be read ({'; '.join(left_out[:3])})")
            if scanned:
                raise Unreadable("scanned PDF: its pages are images with no text layer (no OCR is done here)")
            raise Unreadable("PDF with no text on any page")
    unread = (f"page{'s' if len(scanned) > 1 else ''} {', '.join(map(str, scanned))} only an image "
              "(scanned, no text layer): not read" if scanned else "")
    running = running_lines(pages)
    body = [ln for lines in pages for ln in lines if ln not in running]
    lines: list[str] = []
    for para in paragraphs(body):
        lines += [para, ""]
    roles = []
    for ln in (ln for page in pages for ln in page if ln in running):
        roles.append((len(lines), "boilerplate", running[ln]))
        lines.append(ln.text)
    while lines and not lines[-1]:
        lines.pop()
    fixed = repair("\n".join(lines), "")  # text in a legacy font (.VnTime) is TCVN3 mojibake
    text_lines = fixed.text.split("\n")
    if len(text_lines) != len(lines):
        text_lines = lines
    conversion = "; ".join(c for c in (fixed.conversion, unread, *left_out) if c)
    return Extracted(tuple(text_lines), "pdf", library("pypdf"), "", conversion, tuple(roles))
