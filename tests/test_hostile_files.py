"""Issue 38, the files a red team brought: each built here (tests/hostile.py), put in one input folder
and read by the command a user runs (`python -m helpers corpus`, in this process). No input ends the
run: each file is read (a bad character or page dropped with a note) or rejected with one line
naming it and the problem; Word text is complete; every reader's work is bounded by a named limit."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest

from helpers.corpus.formats import docx as docx_format, pdf as pdf_format, wordtext
from helpers.corpus.formats.legacy import codepage_text, encode_legacy
from helpers.store.files import read_csv, write_csv

from cli_in_process import run_cli as cli
from hostile import W, docx_with_body, lines_pdf, p, replace_part, run, text_pdf

BODY = ("Ngày 15/3, Công an tỉnh đã tổ chức hội nghị tổng kết công tác năm 2023 với sự tham dự của "
        "nhiều đại biểu đến từ các đơn vị trong toàn tỉnh.")
INS = '<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t>Đắk Lắk</w:t></w:r></w:ins>'
DEL = '<w:del w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>XÓA BỎ</w:delText></w:r></w:del>'
SDT = '<w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>Buôn Ma Thuột</w:t></w:r></w:sdtContent></w:sdt>'
SMART = '<w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>Hội trường A</w:t></w:r></w:smartTag>'
FIELD = '<w:fldSimple w:instr=" DATE "><w:r><w:t>15/03/2024</w:t></w:r></w:fldSimple>'
COMPLEX = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DOCPROPERTY Noi </w:instrText></w:r>'
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Đà Nẵng</w:t></w:r>'
           '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
RESTART = ' w:val="restart"'


def cell(*blocks: str, merge: str | None = None) -> str:
    props = f"<w:tcPr><w:vMerge{merge}/></w:tcPr>" if merge is not None else ""
    return f"<w:tc>{props}{''.join(blocks) or p()}</w:tc>"


def table(*rows: list[str]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(r) + "</w:tr>" for r in rows) + "</w:tbl>"


COMPLETE_WORD = docx_with_body(
    p("Báo cáo kết quả hội nghị tại Đắk Lắk", style="Title")
    + p("Hội nghị tổ chức tại ", INS, DEL, " và ", SDT, ", ", SMART, " vào ngày ", FIELD, " ở ", COMPLEX,
        " với nhiều đại biểu.")
    + "<w:sdt><w:sdtContent>" + p("Đoạn văn trong điều khiển nội dung khối của mẫu công văn.")
    + "</w:sdtContent></w:sdt>"
    + p(BODY)
    + table([cell(p("Ô ngoài"), table([cell(p("Ô của bảng lồng bên trong"))])), cell(p("Ô thứ hai"))])
    + table(*[[cell(p("Nhãn gộp dọc") if i == 0 else "", merge=RESTART if i == 0 else ""), cell(p(f"Dòng {i + 1}"))]
              for i in range(3)])
)
PDF_LINES = ["Báo cáo tổng kết công tác năm 2023 của Công an tỉnh Đắk Lắk", "",
             "Ngày 15/3, Công an tỉnh đã tổ chức hội nghị tổng kết công tác\ud800 năm 2023 với sự tham",
             "dự của nhiều đại biểu đến từ các đơn vị trong toàn tỉnh và các địa phương lân cận."]


def _stuffed_page_pdf(spaces: int) -> bytes:
    """Two pages: the first a normal one, the second a content stream of `spaces` spaces (compressed:
    the shape of the 13 MB PDF whose pages each inflate to 75 MB), then a line of text."""
    import zlib

    good = lines_pdf([PDF_LINES[2:]])
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    page = writer.add_blank_page(595, 842)
    page[NameObject("/Resources")] = writer.pages[0]["/Resources"]
    stream = DecodedStreamObject()
    stream.set_data(b" " * spaces + b"BT /F1 11 Tf 72 700 Td <01> Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    out = io.BytesIO()
    writer.write(out)
    del zlib, ContentStream
    return out.getvalue()


def _xml_bomb_docx(size: int) -> bytes:
    """A Word file whose document.xml inflates to `size` bytes (blank padding inside the body)."""
    base = docx_with_body(p(BODY))
    xml = zipfile.ZipFile(io.BytesIO(base)).read("word/document.xml")
    padded = xml.replace(b"<w:body>", b"<w:body>" + b" " * size, 1)
    return replace_part(base, "word/document.xml", padded)


def web_page(body: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức</title></head><body>'
            f'<nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav>{body}</body></html>').encode("utf-8")


ARTICLE = f"<h1>Công an tỉnh tổ chức hội nghị</h1><p>{BODY}</p><p>Hội nghị kết thúc vào buổi chiều cùng ngày.</p>"
MENU = "".join(f'<li><a href="/t{i}">Chuyên mục tin tức số {i} của báo điện tử</a></li>' for i in range(30))
FULL = "Công an tỉnh đã tổ chức hội nghị tổng kết công tác năm 2023 với sự tham dự"
PAGE_BREAK = lines_pdf([["Báo cáo tổng kết", "", FULL, FULL, FULL + " của đồng chí"],
                        ["Nguyễn Văn An, Giám đốc Công an tỉnh, cùng nhiều đại biểu khác.", "", FULL + "."]])
HEADLINE = ["Công an tỉnh Đắk Lắk tổ chức hội nghị tổng kết công", "tác năm 2023 và triển khai nhiệm vụ trọng tâm năm",
            "2024 của toàn lực lượng"]  # printed at 20 pt, wrapped over three lines at 26 pt spacing
HEADLINE_PDF = text_pdf([[(72.0, 780.0 - 26 * k, 20.0, line) for k, line in enumerate(HEADLINE)]
                         + [(72.0, 690.0 - 14 * k, 11.0, line) for k, line in enumerate([FULL] * 5 + [FULL + "."])]
                         + [(72.0, 580.0, 9.0, "Ảnh: Quang cảnh hội nghị tổng kết")]])
DAK_LAK = ("Báo cáo tình hình an ninh tại Đắk Lắk\n\nNgày 15/3, Công an tỉnh Đắk Lắk tổ chức hội nghị tại thành phố "
           "Buôn Ma Thuột, huyện Krông Búk và huyện Lắk, xã Đắk Liêng, Đắk Phơi, Đắk Nuê cùng các đơn vị của tỉnh.\n")
PASTED = "Người dân vui mừng đón Tết cổ truyền của dân tộc với nhiều hoạt động văn hóa đặc sắc, ý nghĩa."  # 21 words
MOJIBAKE_LINE = f"{DAK_LAK}\n{BODY}\n\n" + codepage_text(encode_legacy(PASTED, "windows-1258")) + "\n"
STYLES = 40_000  # as in the 248 KB Word file that hung: python-docx scanned every style per paragraph

FILES = {
    "page break.pdf": PAGE_BREAK,
    "headline.pdf": HEADLINE_PDF,
    "pasted mojibake.txt": MOJIBAKE_LINE.encode("utf-8"),
    "dak lak 1258.txt": encode_legacy(DAK_LAK, "windows-1258"),
    "control.html": web_page(f"<article><h1>Công an tỉnh tổ chức hội nghị</h1><p>{BODY}\x01</p></article>"),
    "noncharacter.html": web_page(f"<article><h1>Công an tỉnh tổ chức hội nghị</h1><p>{BODY}&#xFFFF;</p></article>"),
    "deep.html": web_page("<div>" * 300 + ARTICLE + "</div>" * 300),
    "too deep.html": web_page("<div>" * 1200 + ARTICLE + "</div>" * 1200),
    "layout table.html": web_page(f'<table><tr><td><div class="menu"><a href="/">Tin nổi bật</a></div>'
                                  f"<div>{ARTICLE}</div></td></tr></table>"),
    "scripts only.html": web_page(f"<script>var x = 1;</script><ul>{MENU}</ul><script>track()</script>"
                                  "<noscript>Vui lòng bật JavaScript để xem trang này "
                                  "một cách đầy đủ nhất.</noscript>"),
    "many styles.docx": docx_with_body(p("Chú thích ảnh: hội nghị tổng kết", style=f"S{STYLES - 1}")
                                       + "".join(p(f"{BODY} Đoạn {i}.") for i in range(300)), styles=STYLES,
                                       last_style="Caption"),
    "surrogate.pdf": lines_pdf([PDF_LINES]),
    "complete.docx": COMPLETE_WORD,
    "xml bomb.docx": _xml_bomb_docx(docx_format.MAX_XML_UNPACKED + 1),
    "deep tables.docx": docx_with_body(
        "".join("<w:tbl><w:tr><w:tc>" for _ in range(wordtext.MAX_TABLE_DEPTH + 1)) + p("Sâu")
        + "".join("</w:tc></w:tr></w:tbl>" for _ in range(wordtext.MAX_TABLE_DEPTH + 1)) + p(BODY)),
    "many cells.docx": docx_with_body(p(BODY) + table(*[[cell(p("x")) for _ in range(100)]
                                                      for _ in range(wordtext.MAX_CELLS // 100 + 1)])),
    "macros.docx": replace_part(COMPLETE_WORD, "[Content_Types].xml", zipfile.ZipFile(io.BytesIO(COMPLETE_WORD)).read(
        "[Content_Types].xml").replace(b"document.main+xml", b"document.macroEnabled.main+xml")),
    "strict.docx": replace_part(COMPLETE_WORD, "word/document.xml", zipfile.ZipFile(io.BytesIO(COMPLETE_WORD)).read(
        "word/document.xml").replace(W.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main")),
    "stuffed page.pdf": _stuffed_page_pdf(pdf_format.MAX_PAGE_CONTENT + 1),
    "carriage return.docx": docx_with_body(p(BODY) + p(run("Dòng có&#13;ký tự về đầu dòng&#x85;và NEL giữa chữ."))),
}


@pytest.fixture(scope="module")
def hostile_corpus_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-files") / "in"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    out = folder.parent / "out"
    proc = cli("corpus", "--seeds", str(folder), "--out", str(out))
    data = out / "data"
    return folder, proc, {name: read_csv(data / f"{name}.csv")
                          for name in ("reports", "ledger", "problems", "sentences")}


def _ledger(tables, file: str) -> list[str]:
    rid = tables["reports"].set_index("file").loc[file, "report_id"]
    ledger = tables["ledger"]
    return ledger[ledger["report_id"] == rid]["text"].tolist()


def _problem(folder, proc, tables, file: str) -> str:
    problems = tables["problems"].set_index("file")
    assert file in problems.index, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"error: {folder / file}: ")]
    assert len(lines) == 1 and "0x" not in lines[0]
    return problems.loc[file, "problem"]


def test_no_file_ends_the_run_a_lone_surrogate_is_dropped_with_a_note(hostile_corpus_run):
    folder, proc, tables = hostile_corpus_run
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # rejected files named, the rest read
    text = " ".join(_ledger(tables, "surrogate.pdf"))
    assert "công tác năm 2023" in text and "\ud800" not in text
    ledger = tables["ledger"]
    assert ledger["reason"].str.contains("U+D800 (a lone surrogate)", regex=False).any()


def test_word_text_is_complete_insertions_controls_tags_fields_nested_tables(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    lines = _ledger(tables, "complete.docx")
    assert ("Hội nghị tổ chức tại Đắk Lắk và Buôn Ma Thuột, Hội trường A vào ngày 15/03/2024 ở Đà Nẵng "
            "với nhiều đại biểu.") in lines
    assert not any("XÓA BỎ" in ln or "DOCPROPERTY" in ln for ln in lines)
    assert "Đoạn văn trong điều khiển nội dung khối của mẫu công văn." in lines
    assert "Ô ngoài\tÔ thứ hai" in lines and "Ô của bảng lồng bên trong" in lines
    assert sum("Nhãn gộp dọc" in ln for ln in lines) == 1 and "\tDòng 2" in lines


@pytest.mark.parametrize("file, said", [
    ("xml bomb.docx", f"over the {docx_format.MAX_XML_UNPACKED / 1e6:.0f} MB limit"),
    ("deep tables.docx", f"nested more than {wordtext.MAX_TABLE_DEPTH} deep"),
    ("many cells.docx", f"more than {wordtext.MAX_CELLS:,} table cells"),
    ("macros.docx", "macro-enabled Word file (.docm)"),
    ("strict.docx", "Strict Open XML"),
])
def test_a_word_file_over_a_limit_or_of_another_kind_is_one_line_naming_it(hostile_corpus_run, file, said):
    assert said in _problem(*hostile_corpus_run, file)


def test_a_pdf_page_over_the_content_limit_is_left_out_with_a_note_and_the_rest_read(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    reports = tables["reports"].set_index("file")
    assert "page 2 left out" in reports.loc["stuffed page.pdf", "conversion"]
    assert "công tác" in " ".join(_ledger(tables, "stuffed page.pdf"))


def test_a_bad_character_in_a_web_page_costs_that_character_with_a_note(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    reports = tables["reports"].set_index("file")
    for file, said in (("control.html", "U+0001"), ("noncharacter.html", "U+FFFF")):
        assert said in reports.loc[file, "conversion"]
        assert BODY in _ledger(tables, file)


def test_web_pages_deep_layout_tables_and_scripts_only(hostile_corpus_run):
    folder, proc, tables = hostile_corpus_run
    deep = _ledger(tables, "deep.html")
    assert BODY in deep and "Trang chủ" not in deep
    laid_out = _ledger(tables, "layout table.html")
    assert "Công an tỉnh tổ chức hội nghị" in laid_out and BODY in laid_out  # not glued to each other
    assert "over the 1000 limit" in _problem(folder, proc, tables, "too deep.html")
    assert "no main text" in _problem(folder, proc, tables, "scripts only.html")


def test_a_word_file_with_many_styles_is_read_and_its_styles_known(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    rid = tables["reports"].set_index("file").loc["many styles.docx", "report_id"]
    ledger = tables["ledger"][tables["ledger"]["report_id"] == rid]
    assert len(ledger[ledger["text"].str.startswith(BODY)]) == 300
    caption = ledger[ledger["text"] == "Chú thích ảnh: hội nghị tổng kết"]
    assert caption["role"].tolist() == ["caption"]  # its style, the 40,000th, found by name


def test_a_sentence_continued_across_a_pdf_page_break_with_a_name_is_joined(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    assert any(ln.endswith("tham dự của đồng chí Nguyễn Văn An, Giám đốc Công an tỉnh, cùng nhiều đại biểu khác.")
               for ln in _ledger(tables, "page break.pdf"))


def test_a_pdf_headline_wrapped_over_three_lines_is_one_title(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    assert tables["reports"].set_index("file").loc["headline.pdf", "title"] == " ".join(HEADLINE)
    assert _ledger(tables, "headline.pdf")[0] == " ".join(HEADLINE)


def test_a_pasted_passage_of_windows_1258_mojibake_in_a_good_report_is_converted_with_a_note(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    assert PASTED in _ledger(tables, "pasted mojibake.txt") and BODY in _ledger(tables, "pasted mojibake.txt")
    assert "1 line of windows-1258 text read as windows-1252 and saved as Unicode (mojibake) converted (line 7)" \
        in tables["reports"].set_index("file").loc["pasted mojibake.txt", "conversion"]


def test_a_windows_1258_report_about_dak_lak_is_read(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    reports = tables["reports"].set_index("file")
    assert reports.loc["dak lak 1258.txt", "encoding"] == "windows-1258"
    assert "Báo cáo tình hình an ninh tại Đắk Lắk" in _ledger(tables, "dak lak 1258.txt")


def test_line_breaks_in_a_word_run_split_lines_and_reach_no_csv_row_apart(hostile_corpus_run):
    _, _, tables = hostile_corpus_run
    lines = _ledger(tables, "carriage return.docx")
    assert {"Dòng có", "ký tự về đầu dòng", "và NEL giữa chữ."} <= set(lines)


BREAKS = ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"]


def test_csv_fields_with_any_line_break_come_back_as_one_row(tmp_path):
    frame = pd.DataFrame({"id": [str(i) for i in range(len(BREAKS))],
                          "text": [f"trước{b}sau, \"trích\"" for b in BREAKS]})
    path = write_csv(tmp_path / "t.csv", frame)
    back = read_csv(path)
    assert back["text"].tolist() == frame["text"].tolist() and back["id"].tolist() == frame["id"].tolist()
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1:] == frame.values.tolist()
