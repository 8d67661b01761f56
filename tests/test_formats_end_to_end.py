"""Every input format and text form gives the seed's sentences, through the command a user runs.

One corpus run (no translation) reads a folder holding, for each of the five seeds: the .txt, a
web page with menus, share buttons, comments, scripts and a footer around the article, a Word
file, a PDF with a text layer, the text decomposed (NFD), with a UTF-8 BOM, in UTF-16 and UTF-32,
in windows-1258, TCVN3, VNI and VISCII (raw, and as mojibake saved as UTF-8), doubly encoded
UTF-8, and a web page saved as .txt; beside them a scan, a password-protected PDF, a damaged
Word file, other formats, system files and hostile names. All are built here from the seeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest

from documents import (damaged_docx, encrypted_pdf, in_repertoire, legacy_versions, pdf_file, scanned_pdf,
                       web_page, word_file, write)
from helpers.corpus.formats.legacy import codepage_text
from helpers.corpus.inputs import read_source
from helpers.corpus.lines import build_report
from helpers.store.files import read_csv, read_json

from conftest import ROOT, SEEDS

KEYS = [p.name[:3] for p in sorted(SEEDS.glob("*.txt"))]
FORMATS = ["html", "docx", "pdf"]
FORMS = ["nfd.txt", "bom.txt", "utf16.txt", "utf32.txt", "double.txt", "page.txt", "md.md"]
LEGACY = [f"{enc}{kind}.txt" for enc in ("windows-1258", "TCVN3", "VNI", "VISCII") for kind in ("", "-mojibake")]
NOT_UTF8_NAME = b"B\xe1o c\xe1o 001.txt"  # a name from a zip made on Windows (cp1258 bytes)
ANSI_NAME = "\x1b[2J\x1b[31mred.txt"
BAD = {  # file: words its one error line must hold
    "scan.pdf": "scanned PDF",
    "locked.pdf": "password-protected PDF",
    "broken.docx": "not a Word .docx file",
    "notes.odt": "format not read: '.odt' files",
    "photo.png": "format not read: '.png' files",
    ANSI_NAME: "binary file",
}
SKIPPED = {"._000.txt": "macOS metadata file", ".DS_Store": "macOS folder metadata"}
PARA = ("Năm 2021, toàn tỉnh đã xử lý 1.250 vụ vi phạm trật tự an toàn giao thông, thu nộp ngân sách nhà nước "
        "hơn 12 tỷ đồng, góp phần giữ vững an ninh trật tự trên địa bàn.")
SHAPES = {  # issue 30, items 3 and 4: line shapes that are body text, line separators, embedded data
    "shapes.md": "\n".join(["# Báo cáo tổng kết công tác năm 2022", "", "*Thứ Tư, 22-06-2022, 17:57*", "", PARA, "",
                            "## Kết quả chính", "- Xử lý 1.250 vụ vi phạm", "+ Thu nộp ngân sách 12 tỷ đồng",
                            "• Tuần tra 300 lượt", "1) Kiểm tra 52 đơn vị", "Năm 2021\t1.250 vụ\t12 tỷ đồng", "",
                            PARA.replace("2021", "2023"), "", "*Minh Khôi*"]),
    "separators.txt": ("Báo cáo tổng kết công tác năm 2022\u2028Thứ Tư, 22-06-2022, 17:57\u2029" + PARA + "\v"
                       + PARA.replace("2021", "2022") + "\x85" + "Minh Khôi"),
    "data uri.txt": "Báo cáo tổng kết công tác năm 2022\n\n" + PARA + '\n\n<img src="data:image/png;base64,'
                    + "iVBORw0KGgoAAAANSUhEUgAA" * 9000 + '">\n\n' + PARA.replace("2021", "2022"),
}


@pytest.fixture(scope="session")
def formats_run(tmp_path_factory):
    """The folder, the output folder and the finished corpus run."""
    files: dict[str, bytes | str] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        key, text = path.name[:3], path.read_text(encoding="utf-8")
        report = build_report(read_source(path))
        files[f"{key}.txt"] = path.read_bytes()
        files[f"{key}.html"] = web_page(report)
        files[f"{key}.docx"] = word_file(report)
        files[f"{key}.pdf"] = pdf_file(report)
        files[f"{key} nfd.txt"] = unicodedata.normalize("NFD", text)
        files[f"{key} bom.txt"] = b"\xef\xbb\xbf" + text.encode("utf-8")
        files[f"{key} utf16.txt"] = text.encode("utf-16")
        files[f"{key} utf32.txt"] = text.encode("utf-32")
        files[f"{key} double.txt"] = codepage_text(text.encode("utf-8"))  # 'Viá»‡t', saved as UTF-8
        files[f"{key} page.txt"] = web_page(report)
        files[f"{key} md.md"] = text
        for name, data in legacy_versions(text).items():
            files[f"{key} {name}"] = data
        for enc in ("TCVN3", "VISCII"):  # the seed as these encodings can hold it: what they must give
            files[f"{key} {enc} original.txt"] = in_repertoire(text, enc)
    files.update(SHAPES)
    files.update({"scan.pdf": scanned_pdf(), "locked.pdf": encrypted_pdf("Báo cáo mật của Bộ Công an."),
                  "broken.docx": damaged_docx(files["000.docx"]), "notes.odt": b"PK\x03\x04 odt",
                  "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00", ANSI_NAME: b"\x00\x01\x02 binary",
                  "._000.txt": b"\x00\x05\x16\x07Mac OS X        \x00\x02", ".DS_Store": b"\x00\x00\x00\x01Bud1"})
    folder = write(tmp_path_factory.mktemp("formats") / "in", files)
    with open(os.fsencode(folder) + b"/" + NOT_UTF8_NAME, "wb") as fh:
        fh.write((SEEDS / "001_33798f45f77cf564.txt").read_bytes())
    out = folder.parent / "out"
    proc = subprocess.run([sys.executable, "-m", "helpers", "corpus", "--seeds", str(folder), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    return folder, out, proc


@pytest.fixture(scope="session")
def outputs(formats_run):
    _, out, _ = formats_run
    reports = read_csv(out / "data" / "reports.csv")
    return reports.set_index("file"), read_csv(out / "data" / "sentences.csv"), read_csv(out / "data" / "ledger.csv")


def sentences_of(outputs, file: str, roles=("title", "body")) -> list[tuple[str, str]]:
    reports, sentences, _ = outputs
    rid = reports.loc[file, "report_id"]
    rows = sentences[(sentences["report_id"] == rid) & sentences["role"].isin(roles)]
    return list(zip(rows["role"], rows["text_vi"]))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", KEYS)
def test_a_web_page_word_file_and_pdf_give_the_seed_sentences(outputs, key, fmt):
    expected = sentences_of(outputs, f"{key}.txt")
    assert expected and sentences_of(outputs, f"{key}.{fmt}") == expected
    # measured: the captions come out the same too
    assert sentences_of(outputs, f"{key}.{fmt}", ("caption",)) == sentences_of(outputs, f"{key}.txt", ("caption",))


@pytest.mark.slow
@pytest.mark.parametrize("form", FORMS + LEGACY)
@pytest.mark.parametrize("key", KEYS)
def test_every_text_form_and_encoding_gives_the_seed_sentences(outputs, key, form):
    enc = form.split("-")[0].removesuffix(".txt")
    original = f"{key} {enc} original.txt" if enc in ("TCVN3", "VISCII") else f"{key}.txt"
    roles = ("title", "body", "caption")
    assert sentences_of(outputs, f"{key} {form}", roles) == sentences_of(outputs, original, roles)


@pytest.mark.slow
def test_format_extractor_encoding_and_conversion_are_named(outputs, formats_run):
    reports, _, ledger = outputs
    row = reports.loc["000.html"]
    assert (row["format"], row["extractor"].split()[0], row["source"]) == ("html", "trafilatura", "Công an nhân dân")
    assert reports.loc["000.docx", "extractor"].startswith("python-docx ")
    assert reports.loc["000.pdf", "extractor"].startswith("pypdf ")
    assert reports.loc["000 page.txt", "format"] == "html (saved as .txt)"
    assert reports.loc["000 md.md", "format"] == "md"
    assert reports.loc["000 utf32.txt", "encoding"] == "utf-32"
    assert reports.loc["000 TCVN3.txt", "encoding"] == "TCVN3"
    assert "TCVN3" in reports.loc["000 TCVN3.txt", "conversion"]
    assert "mojibake" in reports.loc["000 VNI-mojibake.txt", "conversion"]
    assert "ftfy" in reports.loc["000 double.txt", "conversion"]
    assert "NFC" in reports.loc["000 nfd.txt", "conversion"]
    rid = reports.loc["000 VISCII.txt", "report_id"]
    converted = ledger[(ledger["report_id"] == rid) & ledger["reason"].str.contains("converted: VISCII")]
    assert len(converted) > 10  # each converted line says so in the ledger
    _, out, _ = formats_run
    inputs = read_json(out / "data" / "run.json")["corpus"]["inputs"]
    assert inputs["formats"]["pdf"] == 5 and inputs["extractors"][reports.loc["000.pdf", "extractor"]] == 5
    assert {s["file"] for s in inputs["skipped"]} == set(SKIPPED)


@pytest.mark.slow
def test_bad_documents_each_get_one_line_and_exit_2_with_the_rest_processed(formats_run, outputs):
    folder, out, proc = formats_run
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    reports, _, _ = outputs
    assert len(reports) == len(KEYS) * (4 + len(FORMS) + len(LEGACY) + 2) + 1 + len(SHAPES)  # the rest all processed
    problems = read_csv(out / "data" / "problems.csv").set_index("file")["problem"]
    assert sorted(problems.index) == sorted(BAD)
    for name, words in BAD.items():
        assert words in problems[name], problems[name]
        shown = name.replace("\x1b", "\\x1b")
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"error: {folder}/{shown}: ")]
        assert len(lines) == 1, proc.stderr
    assert "\x1b" not in proc.stderr  # an ANSI escape in a name never reaches the terminal raw


@pytest.mark.slow
def test_system_files_are_skipped_with_a_note_not_an_error(formats_run):
    folder, _, proc = formats_run
    for name, words in SKIPPED.items():
        assert f"note: {folder}/{name}: {words}" in proc.stderr


@pytest.mark.slow
def test_a_name_that_is_not_utf8_is_shown_with_a_replacement_character_and_processed(outputs):
    reports, _, _ = outputs
    shown = NOT_UTF8_NAME.decode("utf-8", "replace")
    assert reports.loc[shown, "file_bytes"] == "B\\xe1o c\\xe1o 001.txt"
    assert sentences_of(outputs, shown) == sentences_of(outputs, "001.txt")


@pytest.mark.slow
def test_lists_tables_markdown_separators_and_data_uris_through_the_command(outputs):
    reports, _, ledger = outputs

    def roles(file: str) -> list[str]:
        return ledger[ledger["report_id"] == reports.loc[file, "report_id"]]["role"].tolist()

    shapes = roles("shapes.md")
    assert shapes[0] == "title" and shapes[2] == "dateline" and shapes[-1] == "byline"
    assert shapes[6:12] == ["body"] * 6 and "caption" not in shapes  # nothing under "Photo captions"
    assert reports.loc["shapes.md", "date"] == "2022-06-22" and reports.loc["shapes.md", "author"] == "Minh Khôi"
    # U+2028, U+2029, VT and NEL end lines: the title and the date are found
    assert roles("separators.txt") == ["title", "dateline", "body", "body", "byline"]
    assert reports.loc["separators.txt", "date"] == "2022-06-22"
    data = roles("data uri.txt")
    assert data[4] == "boilerplate" and "caption" not in data
    assert sentences_of(outputs, "data uri.txt", ("title", "body", "caption"))[-1][1] == PARA.replace("2021", "2022")
    assert int(reports.loc["data uri.txt", "n_sentences"]) == 3
