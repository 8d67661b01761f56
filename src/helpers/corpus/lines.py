"""Line roles and report metadata: what each line of a scraped report is.

Every line gets exactly one role and a reason a reader can check. The rules
come from the seeds: photo captions (often given twice, with a case or full-stop
difference, or in `<...>`), datelines in several formats, bylines at the end,
site menus, section labels above the title, and a lead paragraph that may open
with a site tag such as `(Congan.nghean.gov.vn)-`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpers.store.contract import ROLES, TEXT_ROLES
from helpers.text.dates import is_dateline, lead_date, parse_dateline
from helpers.corpus.inputs import SourceFile, name_bytes
from helpers.corpus.repeats import fuller, near_repeat
from helpers.corpus.shapes import embedded_data, is_heading, is_list_item, is_table_row, plain
from helpers.text.language_id import VIETNAMESE
from helpers.text.normalise import clean_space, is_punctuation_only, language, word_count

__all__ = ["ROLES", "TEXT_ROLES", "Line", "Report", "build_report", "classify", "near_repeat"]


# Site menus and widgets seen in scraped Vietnamese news pages (compared case-insensitively).
SITE_MENU = frozenset(
    {
        "phản hồi", "các tin khác", "tin khác", "mới nhất", "xem nhiều nhất", "đọc nhiều nhất",
        "tin liên quan", "bài liên quan", "bài viết liên quan", "tin cùng chuyên mục", "bình luận",
        "gửi bình luận", "chia sẻ", "in bài", "in bài viết", "gửi bài", "xem thêm", "đọc thêm",
        "trở về", "quay lại", "lên đầu trang", "ý kiến bạn đọc", "gửi phản hồi", "tin mới", "tin nổi bật",
    }
)
DUPLICATE_WINDOW = 3  # a repeat is looked for among the next N non-blank lines
CAPTION_MAX_WORDS = 25  # a line repeated nearby and this short is a photo caption
CAPTION_NO_STOP_MAX_WORDS = 60  # ... or this short if it has no final punctuation
SHORT_LINE_WORDS = 30  # a line this short without final punctuation is a caption
PARAGRAPH_MIN_WORDS = 30  # a line this long is a paragraph, never a title
TITLE_MIN_WORDS = 3
NAME_MAX_WORDS = 5

_DOMAIN = r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|gov|info|edu)"
_SITE_TAG_LINE = re.compile(rf"^\(?\s*({_DOMAIN})\s*\)?$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(?:Nguồn|Theo)\s*:?\s+(.{2,80})$")
_LEAD_SITE_TAG = re.compile(rf"^\(\s*({_DOMAIN})\s*\)\s*[-–—:]?\s*", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"\(\s*Ảnh\s*:\s*([^)]+)\)", re.IGNORECASE)
_CREDIT_LINE = re.compile(r"^(?:Tin|Bài)\s*:?\s+(?P<author>[^,]+?)\s*(?:,\s*Ảnh\s*:?\s+(?P<photo>.+))?$")
_SENTENCE_END = re.compile(r"[.!?…;:]$")
_CLOSERS = "\"'”’)]»"


@dataclass(frozen=True)
class Line:
    """One input line with its role and the reason for it (a `ledger.csv` row)."""

    line_no: int
    text: str
    role: str
    reason: str


@dataclass(frozen=True)
class Report:
    """A processed input: its classified lines and the metadata drawn from them."""

    report_id: str
    file: str
    lines: tuple[Line, ...]
    title: str = ""
    date: str = ""
    date_source: str = ""
    author: str = ""
    photo_credit: str = ""
    source: str = ""
    captions: tuple[str, ...] = field(default_factory=tuple)
    language: str = VIETNAMESE  # 'other' when the text is not Vietnamese (it is then not translated)
    format: str = "txt"  # how the file was read: format, library, encoding, conversion (reports.csv)
    extractor: str = ""
    encoding: str = ""
    conversion: str = ""
    file_bytes: str = ""  # the file name's bytes when they are not UTF-8
    file_sha256: str = ""  # of the file's bytes, as read


def ends_sentence(text: str) -> bool:
    """True if the line ends with sentence punctuation (closing quotes ignored)."""
    return bool(_SENTENCE_END.search(clean_space(text).rstrip(_CLOSERS)))


def looks_like_name(text: str) -> bool:
    """A short run of capitalised words, as in a byline ('Phương Thuỷ', 'LÊ MẬU LÂM')."""
    s = clean_space(text)
    words = s.split()
    return (
        0 < len(words) <= NAME_MAX_WORDS
        and not any(ch.isdigit() for ch in s)
        and not ends_sentence(s)
        and all(w[0].isupper() for w in words)
    )


def lead_site_tag(text: str) -> str:
    """The site tag opening a lead paragraph ('(Congan.nghean.gov.vn)-Sáng ...'), or ''."""
    m = _LEAD_SITE_TAG.match(clean_space(text))
    return m.group(1).lower() if m else ""


def strip_lead_site_tag(text: str) -> str:
    """The line without its opening site tag."""
    return _LEAD_SITE_TAG.sub("", text, count=1)


def caption_text(text: str) -> str:
    """A caption without its angle brackets and photo credit."""
    s = clean_space(text)
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1].strip()
    return clean_space(_PHOTO_CREDIT.sub("", s))


def _first_pass(s: str, raw: str = "") -> tuple[str, str] | None:
    """Roles decided by a line alone (`s`: its plain form, `raw`: as read)."""
    if not s:
        return "blank", "empty or whitespace-only line"
    data = embedded_data(s)
    if data:
        return "boilerplate", data
    if is_punctuation_only(s):
        return "boilerplate", "punctuation only, no words"
    if s.casefold().rstrip(":").strip() in SITE_MENU:
        return "boilerplate", "site menu label"
    if is_dateline(s):
        iso = parse_dateline(s)
        return "dateline", (f"dateline, publication date {iso}" if iso
                            else "dateline with an impossible date: publication date left empty")
    if _SITE_TAG_LINE.match(s) or (_SOURCE_LINE.match(s) and not ends_sentence(s) and word_count(s) <= 10):
        return "source", "site tag or source line"
    if s.startswith("<") and s.endswith(">"):
        if _CREDIT_LINE.match(s[1:-1].strip()):
            return "byline", "author and photo credit in angle brackets"
        return "caption", "photo caption in angle brackets"
    if _PHOTO_CREDIT.search(s) and word_count(s) <= CAPTION_MAX_WORDS:
        return "caption", "photo caption with a photo credit '(Ảnh: ...)'"
    credit = _CREDIT_LINE.match(s)
    if credit and credit.group("photo") and word_count(s) <= 12 and not ends_sentence(s):
        return "byline", "author and photo credit line"
    if is_list_item(raw or s):
        return "body", "list item"
    if is_table_row(raw or s):
        return "body", "table row"
    return None


def classify(lines: tuple[str, ...] | list[str],
             settled: tuple[tuple[int, str, str], ...] = ()) -> list[tuple[str, str]]:
    """A (role, reason) for every line, in order. Pure: the same lines give the same roles.
    `settled`: (index, role, reason) that the document's format decides (a Word caption, a PDF
    footer); the other rules see those lines as decided, and a repeat may still be found among them."""
    clean = [clean_space(plain(x)) for x in lines]
    n = len(clean)
    roles: list[str | None] = [None] * n
    reasons = [""] * n
    preset = {i: (role, why) for i, role, why in settled if 0 <= i < n}
    for i, s in enumerate(clean):
        decided = preset.get(i) if clean[i] else None
        decided = decided or _first_pass(s, lines[i])
        if decided:
            roles[i], reasons[i] = decided

    # Repeats: a line given again nearby (photo captions usually are). The window runs on from the
    # last repeat found, so a run of repeats (a paragraph pasted 300 times) is one group.
    content = [i for i in range(n) if roles[i] not in ("blank", "boilerplate")]
    for pos, i in enumerate(content):
        if roles[i] == "duplicate":
            continue
        misses = 0
        for j in content[pos + 1 :]:
            if misses >= DUPLICATE_WINDOW:
                break
            if roles[j] == "duplicate":
                continue
            how = near_repeat(clean[i], clean[j])
            if not how:
                misses += 1
                continue
            misses = 0
            # Keep the first, unless the later one is the fuller form of it.
            keep, drop = (j, i) if how != "identical" and fuller(clean[i], clean[j]) else (i, j)
            roles[drop], reasons[drop] = "duplicate", f"repeat of line {keep + 1} ({how})"
            if roles[keep] is None and _caption_sized(clean[keep]):
                roles[keep] = "caption"
                reasons[keep] = f"photo caption, given twice (line {drop + 1} repeats it)"
            if drop == i:
                break

    # Bylines: names on the last content lines.
    for i in reversed(range(n)):
        if roles[i] in ("blank", "boilerplate", "duplicate", "byline", "source", "caption", "dateline"):
            continue  # a byline may stand above a final dateline
        if roles[i] is None and looks_like_name(clean[i]):
            roles[i], reasons[i] = "byline", "author name closing the report"
            continue
        break

    # Title: the longest heading-like line above the first paragraph.
    first_para = next(
        (i for i in range(n) if roles[i] is None and _is_paragraph(clean[i])),
        n,
    )
    header = [i for i in range(first_para) if roles[i] is None]
    candidates = [
        i for i in header
        if TITLE_MIN_WORDS <= word_count(clean[i]) <= PARAGRAPH_MIN_WORDS and not clean[i].endswith(".")
    ]
    title = max(candidates, key=lambda i: word_count(clean[i]), default=None)
    if title is not None:
        roles[title] = "title"
        reasons[title] = f"heading above the first paragraph, {word_count(clean[title])} words"
        for i in candidates:
            if i < title:
                roles[i], reasons[i] = "boilerplate", "section label above the title"
            elif i > title and is_heading(lines[i]):
                roles[i], reasons[i] = "body", "section heading (Markdown #)"
            elif i > title:
                roles[i], reasons[i] = "caption", "short line between the title and the first paragraph"

    for i in range(n):
        if roles[i] is not None:
            continue
        if is_heading(lines[i]):
            roles[i], reasons[i] = "body", "section heading (Markdown #)"
        elif word_count(clean[i]) <= SHORT_LINE_WORDS and not ends_sentence(clean[i]):
            roles[i], reasons[i] = "caption", "short line without final punctuation between paragraphs"
        else:
            tag = lead_site_tag(clean[i])
            roles[i] = "body"
            reasons[i] = f"paragraph; opening site tag ({tag}) taken as source" if tag else "paragraph"
    return [(r or "body", why) for r, why in zip(roles, reasons)]


def _caption_sized(s: str) -> bool:
    """Short enough for a photo caption given twice (a repeated paragraph is not one)."""
    words = word_count(s)
    return words <= CAPTION_MAX_WORDS or (words <= CAPTION_NO_STOP_MAX_WORDS and not ends_sentence(s))


def _is_paragraph(s: str) -> bool:
    """A line that reads as running text rather than a heading."""
    words = word_count(s)
    return words > PARAGRAPH_MIN_WORDS or (words > 15 and ends_sentence(s))


def _credit(byline: str) -> tuple[str, str]:
    """(author, photo credit) from a byline such as '<Tin Thanh Hoa, Ảnh Tất Đạt - Bảo tàng CAND>'."""
    s = clean_space(byline).strip("<>").strip()
    m = _CREDIT_LINE.match(s)
    if m:
        return m.group("author").strip(), (m.group("photo") or "").strip()
    return s, ""


def build_report(source: SourceFile) -> Report:
    """Classify a file's lines and draw its metadata (title, ISO date, author, source, captions); the
    document's own metadata (a web page's) fills what the lines leave empty."""
    notes = dict(source.notes)
    lines = tuple(
        Line(no, text, role, f"{reason}; {notes[no - 1]}" if no - 1 in notes else reason)
        for no, (text, (role, reason)) in enumerate(zip(source.lines, classify(source.lines, source.roles)), start=1)
    )
    by_role: dict[str, list[Line]] = {}
    for ln in lines:
        by_role.setdefault(ln.role, []).append(ln)
    meta = dict(source.meta)
    named = f"page metadata ({source.extractor})"

    title = clean_space(plain(by_role["title"][0].text)) if "title" in by_role else meta.get("title", "")
    date, date_source = "", ""
    if "dateline" in by_role:
        first = by_role["dateline"][0]
        date = parse_dateline(clean_space(plain(first.text))) or ""
        date_source = f"dateline (line {first.line_no})" + ("" if date else ": impossible date, left empty")
    elif "body" in by_role and lead_date(by_role["body"][0].text):
        first = by_role["body"][0]
        date, date_source = lead_date(first.text) or "", f"opening of the lead paragraph (line {first.line_no})"
    elif meta.get("date"):
        date, date_source = meta["date"], named

    author, photo = "", ""
    if "byline" in by_role:
        author, photo = _credit(plain(by_role["byline"][-1].text))
    author = author or meta.get("author", "")
    captions = tuple(caption_text(plain(ln.text)) for ln in by_role.get("caption", []))
    if not photo:
        credits = [m.group(1).strip() for ln in by_role.get("caption", []) for m in _PHOTO_CREDIT.finditer(ln.text)]
        photo = "; ".join(dict.fromkeys(credits))

    sources = [clean_space(ln.text).strip("()") for ln in by_role.get("source", [])]
    sources += [lead_site_tag(ln.text) for ln in by_role.get("body", []) if lead_site_tag(ln.text)]
    sources = sources or ([meta["site"]] if meta.get("site") else [])
    return Report(
        report_id=source.report_id,
        file=source.file,
        lines=lines,
        title=title,
        date=date,
        date_source=date_source,
        author=author,
        photo_credit=photo,
        source="; ".join(dict.fromkeys(sources)),
        captions=captions,
        language=language([ln.text for ln in lines if ln.role in TEXT_ROLES]),
        format=source.format,
        extractor=source.extractor,
        encoding=source.encoding,
        conversion=source.conversion,
        file_bytes=name_bytes(source.path.name),
        file_sha256=source.sha256,
    )
