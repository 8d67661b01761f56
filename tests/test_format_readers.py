"""The format readers, encodings and line shapes, function by function (no command line: fast).
Whole runs through the command line are in test_formats_end_to_end.py."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import pytest

from documents import font_path
from helpers.corpus.formats import FORMATS, format_for
from helpers.corpus.formats.docx import read_docx
from helpers.corpus.formats.encodings import Unreadable, decode_text, is_syllable, repair
from helpers.corpus.formats.html import read_html
from helpers.corpus.formats.legacy import TABLES, codepage_text, decode_legacy, encode_legacy
from helpers.corpus.formats.pdf import join_lines, read_pdf
from helpers.corpus.formats.text import looks_like_html, split_lines
from helpers.corpus.inputs import Rejection, name_bytes, read_source, report_id_for, skip_note
from helpers.corpus.lines import build_report, classify
from helpers.corpus.sentences import line_text
from helpers.text.terminal import shown

CHARMAPS = Path("/usr/share/i18n/charmaps")
PARA = ("Năm 2021, toàn tỉnh đã xử lý 1.250 vụ vi phạm trật tự an toàn giao thông, thu nộp ngân sách nhà nước "
        "hơn 12 tỷ đồng, góp phần giữ vững an ninh trật tự trên địa bàn.")


# --- encodings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, charmap", [("TCVN3", "TCVN5712-1"), ("VISCII", "VISCII")])
def test_legacy_tables_match_the_published_charmaps(encoding, charmap):
    path = CHARMAPS / f"{charmap}.gz"
    if not path.exists():
        pytest.skip("glibc's charmaps are not installed here")
    table = {}
    for line in gzip.open(path, "rt", encoding="latin-1"):
        m = re.match(r"<U([0-9A-F]{4,})>\s+/x([0-9a-f]{2})\s", line)
        if m:
            table[int(m.group(2), 16)] = chr(int(m.group(1), 16))
    assert "".join(table[b] for b in range(256)) == TABLES[encoding]


def test_the_classic_mojibake_of_each_encoding_reads_back():
    assert encode_legacy("Cộng hòa xã hội chủ nghĩa Việt Nam", "TCVN3").decode("cp1252") == \
        "Céng hßa x· héi chñ nghÜa ViÖt Nam"
    assert encode_legacy("Việt Nam Cộng hòa", "VNI").decode("cp1252") == "Vieät Nam Coäng hoøa"
    assert decode_legacy("Vieät Nam".encode("cp1252"), "VNI") == "Việt Nam"
    assert decode_legacy(encode_legacy("Đảng ủy Ứng Ỹ", "VISCII"), "VISCII") == "Đảng ủy Ứng Ỹ"


def test_vietnamese_syllables():
    assert all(is_syllable(w) for w in ["Việt", "nghiêng", "gì", "quyết", "ĐẢNG", "Ủy", "khuya", "người"])
    assert not any(is_syllable(w) for w in ["ViÖt", "Vieät", "tâòp", "chiÒ", "Zürich", "Viá»‡t", "hoàà"])


@pytest.mark.parametrize("data", ["Báo cáo".encode("cp1258"), "Hà Nội".encode("latin-1", "replace")])
def test_too_little_text_to_tell_an_encoding_is_rejected_naming_those_tried(tmp_path, data):
    path = tmp_path / "short.txt"
    path.write_bytes(data)
    problem = read_source(path).problem
    assert "not valid UTF-8" in problem and "too little text to tell" in problem
    assert all(enc in problem for enc in ("windows-1258", "TCVN3", "VNI", "VISCII"))


def test_doubly_encoded_utf8_is_repaired_or_rejected_with_that_reason():
    text = (Path(__file__).parents[1] / "seeds" / "001_33798f45f77cf564.txt").read_text(encoding="utf-8")
    assert repair(codepage_text(text.encode("utf-8")), "utf-8").text == text
    damaged = text.encode("utf-8").decode("cp1252", "replace").replace("¡", "?").replace("»", "?")
    with pytest.raises(Unreadable, match="read as windows-1252 and saved again .* could not be repaired"):
        repair(damaged, "utf-8")


def test_other_scripts_and_languages_are_never_converted():
    for text in ["中文报告 Việt Nam 中国 " * 5, "Zürich café résumé naïve à la carte élève " * 5,
                 "Giá vé là 5€ – “rẻ” " * 5, "Москва и Ханой подписали соглашение " * 5]:
        decoded = decode_text(text.encode("utf-8"))
        assert decoded.text == text and decoded.encoding == "utf-8" and not decoded.conversion


def test_utf32_is_not_read_as_utf16_and_line_separators_end_lines():
    assert decode_text("Xin chào\nHà Nội".encode("utf-32")).text == "Xin chào\nHà Nội"
    assert decode_text(b"\x00\x00\xfe\xff" + "Hà".encode("utf-32-be")).encoding == "utf-32"
    assert split_lines("a\vb\fc\x85d\u2028e\u2029f\r\ng\rh\n") == tuple("abcdefgh")
    assert decode_text("Tiêu đề\vdòng hai\u2028dòng ba".encode()).text.count("\v") == 1  # not binary


# --- text, names -----------------------------------------------------------------------------------

def test_a_page_saved_as_text_goes_the_html_way_and_markup_in_a_report_stays_text(tmp_path):
    page = (f"<!DOCTYPE html><html><head><title>Tin</title><script>var a = 1;</script></head><body>"
            f"<nav><a href='/'>Trang chủ</a></nav><article><h1>Tiêu đề của bản tin hôm nay</h1><p>{PARA}</p>"
            f"<p>Chỉ số &aacute;p d&#7909;ng t&#7841;i Hà Nội tăng mạnh trong năm qua, theo báo cáo của ngành.</p>"
            f"</article><footer>© Báo</footer></body></html>")
    assert looks_like_html(page) and not looks_like_html(f"Tin có mã <script>alert(1)</script>\n\n{PARA}")
    (tmp_path / "page.txt").write_text(page, encoding="utf-8")
    source = read_source(tmp_path / "page.txt")
    assert source.format == "html (saved as .txt)" and "var a" not in "".join(source.lines)
    assert "Chỉ số áp dụng tại Hà Nội tăng mạnh trong năm qua, theo báo cáo của ngành." in source.lines


def test_names_ids_notes_and_terminal_safety(tmp_path):
    assert skip_note(tmp_path / "._a.txt").startswith("macOS metadata file")
    assert skip_note(tmp_path / ".DS_Store").startswith("macOS folder metadata")
    assert skip_note(tmp_path / "~$báo cáo.docx").startswith("Office lock file")
    assert skip_note(tmp_path / "a.txt") is None
    assert report_id_for(Path("B\udce1o c\udce1o.txt")) == "Bo-co"
    assert name_bytes("\x1b[31mb\udcff.txt") == "\\x1b[31mb\\xff.txt" and name_bytes("Báo.txt") == ""
    assert shown("x\x1b[2Jy\nz\u202e\udce1.txt") == "x\\x1b[2Jy\\nz\\u202e\ufffd.txt"
    (tmp_path / "a.odt").write_bytes(b"PK\x03\x04")
    assert isinstance(read_source(tmp_path / "a.odt"), Rejection)
    assert set(FORMATS) == {".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".docx", ".pdf"}
    assert format_for(Path("X.PDF")).name == "pdf"


# --- line shapes (30.3, 30.4) ----------------------------------------------------------------------

def test_lists_tables_and_markdown_are_body_text_not_captions():
    lines = ["# Báo cáo tổng kết công tác năm 2022", "", "*Thứ Tư, 22-06-2022, 17:57*", "", PARA, "",
             "## Kết quả chính", "- Xử lý 1.250 vụ vi phạm", "+ Thu nộp ngân sách 12 tỷ đồng", "• Tuần tra 300 lượt",
             "1) Kiểm tra 52 đơn vị", "Năm 2021\t1.250 vụ\t12 tỷ đồng", "| Năm 2022 | 1.430 vụ |", "",
             PARA.replace("2021", "2023"),
             "", "*Minh Khôi*"]
    roles = [r for r, _ in classify(lines)]
    assert roles[0] == "title" and roles[2] == "dateline" and roles[16] == "byline"
    assert roles[6:13] == ["body"] * 7 and "caption" not in roles


def test_a_data_uri_line_is_not_text_and_gives_no_sentence(tmp_path):
    blob = "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAA" * 8000  # ~190 KB
    path = tmp_path / "r.txt"
    path.write_text(f"Tiêu đề của bản tin hôm nay\n\n{PARA}\n\n<img src=\"{blob}\">\n\n{PARA.replace('2021', '2022')}",
                    encoding="utf-8")
    report = build_report(read_source(path))
    assert report.lines[4].role == "boilerplate" and "base64 data URI of 144 KB" in report.lines[4].reason


def test_heading_marks_and_table_cells_in_sentence_text():
    assert line_text("## Kết quả chính", "body") == "Kết quả chính"
    assert line_text("Năm 2021\t1.250 vụ\t12 tỷ đồng", "body") == "Năm 2021 | 1.250 vụ | 12 tỷ đồng"


# --- Word ------------------------------------------------------------------------------------------

def _docx(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_headings_lists_tables_captions_and_line_breaks():
    def build(d):
        d.add_heading("Báo cáo tổng kết công tác năm 2022", level=0)
        d.add_paragraph(PARA)
        d.add_heading("Kết quả chính", level=2)
        d.add_paragraph("Xử lý 1.250 vụ vi phạm", style="List Bullet")
        d.add_paragraph("Thu nộp ngân sách 12 tỷ đồng", style="List Number")
        table = d.add_table(rows=2, cols=2)
        for r, row in enumerate([("Năm", "Số vụ"), ("2021", "1.250")]):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        d.add_paragraph("Toàn cảnh hội nghị", style="Caption")
        d.add_paragraph("Dòng một").add_run().add_break()
        d.paragraphs[-1].add_run("Dòng hai")

    got = read_docx(_docx(build))
    lines = [ln for ln in got.lines if ln]
    assert lines == ["Báo cáo tổng kết công tác năm 2022", PARA, "Kết quả chính", "Xử lý 1.250 vụ vi phạm",
                     "Thu nộp ngân sách 12 tỷ đồng", "Năm\tSố vụ", "2021\t1.250", "Toàn cảnh hội nghị", "Dòng một",
                     "Dòng hai"]
    roles = {got.lines[i]: (role, why) for i, role, why in got.roles}
    assert roles["Kết quả chính"][0] == "body" and "section heading" in roles["Kết quả chính"][1]
    assert roles["Xử lý 1.250 vụ vi phạm"][0] == roles["2021\t1.250"][0] == "body"
    assert roles["Toàn cảnh hội nghị"] == ("caption", "Word caption (Caption style)")


def test_word_entities_are_never_expanded():
    good = _docx(lambda d: d.add_paragraph("Nội dung"))
    bomb = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi"))
            + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, bomb if item.filename == "word/document.xml" else src.read(item))
    try:
        got = read_docx(out.getvalue())
        assert "aaaaaaaaaa" not in "".join(got.lines)  # 10^9 letters had it been expanded
    except Unreadable as exc:
        assert "Word file" in str(exc)


@pytest.mark.parametrize("data, words", [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "encrypted"),
                                         (b"not a zip at all", "not a zip package"),
                                         (b"PK\x05\x06" + b"\x00" * 18, "no word/document.xml")])
def test_word_files_that_cannot_be_read_say_why(data, words):
    with pytest.raises(Unreadable, match=words):
        read_docx(data)


# --- web pages -------------------------------------------------------------------------------------

def test_web_page_lists_tables_breaks_and_metadata():
    page = (f"<html><head><meta charset='windows-1258'><title>Báo cáo - Báo CAND</title>"
            f"<meta name='author' content='Minh Khôi'><meta property='article:published_time' content='2022-06-22'>"
            f"</head><body><nav><ul><li><a href='/'>Trang chủ</a></li></ul></nav><article>"
            f"<h1>Báo cáo tổng kết công tác năm</h1><p>{PARA}</p><p>Dòng một<br>Dòng hai của đoạn văn này</p>"
            f"<ul><li>Xử lý 1.250 vụ vi phạm</li><li>Thu nộp 12 tỷ đồng</li></ul>"
            f"<table><tr><td>Năm 2021</td><td>1.250 vụ</td></tr></table><p>{PARA.replace('2021', '2022')}</p>"
            f"</article><footer>© 2024 Báo Công an nhân dân</footer></body></html>")
    got = read_html(encode_legacy(page, "windows-1258"))
    assert got.encoding == "windows-1258"
    assert {"Xử lý 1.250 vụ vi phạm", "Năm 2021\t1.250 vụ", "Dòng một", "Dòng hai của đoạn văn này"} <= set(got.lines)
    assert not any("Trang chủ" in ln or "©" in ln for ln in got.lines)
    meta = dict(got.meta)
    assert meta["author"] == "Minh Khôi" and meta["date"] == "2022-06-22"


def test_a_figure_caption_is_kept_when_the_image_has_no_alt_text():
    page = (f"<html><body><article><h1>Tiêu đề của bản tin hôm nay</h1><p>{PARA}</p><figure><img src='a.jpg'>"
            f"<figcaption>Toàn cảnh hội nghị tại Hà Nội</figcaption></figure><p>{PARA}</p></article></body></html>")
    got = read_html(page.encode("utf-8"))
    assert (got.lines.index("Toàn cảnh hội nghị tại Hà Nội"), "caption") in [(i, r) for i, r, _ in got.roles]


def test_a_page_with_no_main_text_is_rejected():
    with pytest.raises(Unreadable, match="no main text"):
        read_html(b"<html><body><nav><a href='/'>Trang chu</a></nav><script>x()</script></body></html>")


# --- PDF -------------------------------------------------------------------------------------------

def test_hyphens_at_line_ends():
    assert join_lines(["Kết nối Inter-", "net toàn quốc"]) == "Kết nối Internet toàn quốc"
    assert join_lines(["tổ chức chính trị-", "xã hội"]) == "tổ chức chính trị-xã hội"
    assert join_lines(["Kế hoạch số 118-", "KH/ĐUCA ngày 25-5-", "2022"]) == "Kế hoạch số 118-KH/ĐUCA ngày 25-5-2022"
    assert join_lines(["Hội nghị -", "tổng kết"]) == "Hội nghị - tổng kết"
    assert join_lines(["soft\u00ad", "hyphen"]) == "softhyphen"


def test_pdf_paragraphs_headers_footers_and_page_numbers():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=font_path())
    # one paragraph over three pages: each page goes on in lower case
    lines = [f"dòng thứ {i} của đoạn văn dài về công tác xây dựng lực lượng Công an nhân dân năm" for i in range(60)]
    edges = ["ở đầu trang một", "ở cuối trang một", "ở đầu trang hai", "ở cuối trang hai", "ở đầu trang ba",
             "ở cuối trang ba"]  # lines at a page's top and bottom differ from page to page, as in prose
    for k, i in enumerate((0, 19, 20, 39, 40, 59)):
        lines[i] = f"dòng {edges[k]} của đoạn văn dài về công tác xây dựng lực lượng Công an nhân dân năm"
    lines[10] = "dòng mười của đoạn văn dài về công tác xây dựng lực lượng, về việc kết nối Inter-"
    lines[11] = "net của các đơn vị Công an trên toàn quốc trong năm qua và các năm sau đó nữa"
    for page in range(3):
        pdf.add_page()
        pdf.set_font("dejavu", size=8)
        pdf.cell(0, 5, "Báo Công an nhân dân - Chuyên mục Xây dựng lực lượng", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font("dejavu", size=11)
        for ln in lines[page * 20: page * 20 + 20]:
            pdf.cell(0, 6, ln, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-15)
        pdf.set_font("dejavu", size=8)
        pdf.cell(0, 10, f"- {page + 1} -", align="C")
    got = read_pdf(bytes(pdf.output()))
    text = [ln for ln in got.lines if ln]
    assert len(text) == 7 and text[0].startswith("dòng ở đầu trang một ") and "kết nối Internet của các" in text[0]
    assert text[0].endswith("dòng ở cuối trang ba của đoạn văn dài về công tác xây dựng lực lượng Công an nhân dân năm")
    roles = sorted({why.split(" (")[0].split(",")[0] for _, role, why in got.roles if role == "boilerplate"})
    assert roles == ["page header or footer", "page number"] and len(got.roles) == 6


def test_pdfs_locked_only_against_changes_are_read_and_damaged_ones_named():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=font_path())
    pdf.set_encryption(owner_password="owner-only")  # opens without a password, as many official PDFs do
    pdf.add_page()
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(0, 6, PARA)
    assert read_pdf(bytes(pdf.output())).lines == (PARA,)
    with pytest.raises(Unreadable, match="damaged PDF"):
        read_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")


def test_a_pdf_page_that_is_only_an_image_is_named():
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_font("dejavu", fname=font_path())
    pdf.add_page()
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(0, 6, PARA)
    pdf.add_page()
    pdf.image(Image.new("L", (200, 100), 255), x=10, y=10, w=190)
    got = read_pdf(bytes(pdf.output()))
    assert got.lines == (PARA,) and got.conversion == "page 2 only an image (scanned, no text layer): not read"
