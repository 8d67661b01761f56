"""Documents built from the seeds for the format tests: a web page with the usual noise around the
article, a Word file (python-docx) and a PDF with a text layer (fpdf2), each laid out from the
seed's own line roles (the title as a heading, captions as captions, the site menus in the page's
navigation), plus the odd ones: a scan, an encrypted PDF, a damaged Word file, legacy encodings.
Nothing here is committed as a binary: every file is made when the tests run."""

from __future__ import annotations

import html
import io
import os
from pathlib import Path

from helpers.corpus.formats.legacy import codepage_text, encode_legacy
from helpers.corpus.lines import Report, caption_text

# The characters TCVN3 and VISCII lack, as a typist of those days wrote them.
LEGACY_SUBSTITUTES = {"…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "}


def font_path() -> str:
    """A Unicode TrueType font shipped in a pip package (matplotlib's DejaVu Sans): no system font needed."""
    import matplotlib

    return os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")


def blocks(report: Report) -> list[tuple[str, str]]:
    """(kind, text) of each non-blank line: kind is title, dateline, caption, byline, menu or text."""
    kinds = {"title": "title", "dateline": "dateline", "caption": "caption", "byline": "byline",
             "boilerplate": "menu"}
    out = []
    for ln in report.lines:
        if ln.role == "blank" or not ln.text.strip():
            continue
        kind = kinds.get(ln.role, "text")
        if ln.role == "duplicate":  # a repeat is laid out as what it repeats: a caption given twice stays one
            kept = int(ln.reason.split("line ")[1].split()[0])
            kind = kinds.get(report.lines[kept - 1].role, "text")
        out.append((kind, ln.text.strip()))
    return out


def web_page(report: Report) -> str:
    """The report as a news site serves it: menus, share buttons, related links, footer, scripts."""
    body, menu = [], []
    for n, (kind, text) in enumerate(blocks(report)):
        t = html.escape(text)
        if kind == "menu":
            menu.append(t)
        elif kind == "title":
            body.append(f'<h1 class="article-title">{t}</h1>')
        elif kind == "dateline":
            body.append(f'<div class="date-time"><span>{t}</span></div>')
        elif kind == "caption":
            c = html.escape(caption_text(text))
            body.append(f'<figure class="image"><img src="/images/{report.report_id}-{n}.jpg" alt="{c}">'
                        f"<figcaption>{c}</figcaption></figure>")
        elif kind == "byline":
            body.append(f'<p class="author" style="text-align:right"><strong>{t}</strong></p>')
        else:
            body.append(f"<p>{t}</p>")
    title = html.escape(report.title or "Tin tức")
    related = "".join(f'<li><a href="/tin/{i}">{m}</a></li>' for i, m in enumerate(menu))
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} - Báo Công an nhân dân</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="Công an nhân dân">
<link rel="stylesheet" href="/css/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} \
gtag('js', new Date());</script>
<script type="application/json">{{"tracking": "Đăng nhập để bình luận"}}</script>
</head><body>
<header class="site-header"><a class="logo" href="/">CAND</a>
<nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/phap-luat">Pháp luật</a></li><li><a href="/quoc-te">Quốc tế</a></li>\
<li><a href="/the-thao">Thể thao</a></li></ul></nav>
<form class="search"><input name="q" placeholder="Tìm kiếm"><button>Tìm</button></form></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/thoi-su">Thời sự</a></div>
<main><article class="detail">
{chr(10).join(body)}
</article>
<div class="share-buttons"><a href="#" class="fb">Chia sẻ Facebook</a> <a href="#" class="zalo">Zalo</a>
<a href="#" class="print">In bài viết</a> <a href="#" class="mail">Gửi bài</a></div>
<section class="comments"><h3>Bình luận</h3><textarea placeholder="Ý kiến của bạn"></textarea>\
<button>Gửi bình luận</button></section>
<aside class="related"><h3>Tin liên quan</h3><ul>{related}
<li><a href="/tin/x1">Bộ Công an tổ chức hội nghị triển khai công tác năm mới</a></li>
<li><a href="/tin/x2">Công an các tỉnh phía Bắc ra quân bảo đảm trật tự an toàn giao thông</a></li></ul></aside>
</main>
<footer class="site-footer"><p>© Báo Công an nhân dân. Tổng biên tập: Nguyễn Văn A.</p>
<p>Giấy phép số 123/GP-BTTTT. Địa chỉ: 92 Nguyễn Du, Hai Bà Trưng, Hà Nội. Điện thoại: 069.123456.</p></footer>
<script src="/js/ads.js"></script><script>console.log("Đọc thêm tin tức tại đây");</script>
</body></html>
"""


def word_file(report: Report) -> bytes:
    """The report as a Word file: title in the Title style, captions in the Caption style."""
    import docx

    document = docx.Document()
    for kind, text in blocks(report):
        if kind == "menu":
            continue  # site menus are not part of the document
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "caption":
            document.add_paragraph(text, style="Caption")
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf():
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("dejavu", size=8)
            self.cell(0, 5, "Báo Công an nhân dân điện tử - Chuyên mục Xây dựng lực lượng", align="C")
            self.ln(10)

        def footer(self):
            self.set_y(-15)
            self.set_font("dejavu", size=8)
            self.cell(0, 10, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Report()
    pdf.add_font("dejavu", fname=font_path())
    pdf.set_font("dejavu", size=11)
    return pdf


def pdf_file(report: Report) -> bytes:
    """The report as a PDF with a text layer: justified paragraphs, space between them, a running
    header and a page number on every page."""
    pdf = _pdf()
    pdf.add_page()
    for kind, text in blocks(report):
        if kind == "menu":
            continue
        pdf.set_font("dejavu", size=15 if kind == "title" else 9 if kind == "caption" else 11)
        pdf.multi_cell(0, 7 if kind == "title" else 6, " ".join(text.split()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A PDF whose page is only an image (a scan): no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("L", (200, 100), 255)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def encrypted_pdf(text: str) -> bytes:
    """A PDF that opens only with a password."""
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def damaged_docx(good: bytes) -> bytes:
    """A Word file cut short (a failed download): its zip directory is gone."""
    return good[: len(good) // 2]


def legacy_versions(text: str) -> dict[str, bytes]:
    """The text in each legacy encoding, raw and as mojibake (read as windows-1252, saved as UTF-8)."""
    out = {}
    for encoding in ("windows-1258", "TCVN3", "VNI", "VISCII"):
        raw = encode_legacy(in_repertoire(text, encoding), encoding)
        out[f"{encoding}.txt"] = raw
        out[f"{encoding}-mojibake.txt"] = codepage_text(raw).encode("utf-8")
    return out


def in_repertoire(text: str, encoding: str) -> str:
    """The text as it can be written in a legacy encoding: TCVN3 and VISCII have no curly quotes,
    ellipsis or dashes (and VISCII no no-break space); windows-1258 and VNI have them all."""
    if encoding in ("windows-1258", "VNI"):
        return text
    for a, b in LEGACY_SUBSTITUTES.items():
        if encoding == "TCVN3" and a == "\u00a0":
            continue
        text = text.replace(a, b)
    return text


def write(folder: Path, files: dict[str, bytes | str]) -> Path:
    """Write files into a new folder; str as UTF-8."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder
