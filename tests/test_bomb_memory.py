"""Issue 38's bombs, generated at their found size, through `python -m helpers corpus` in a process of
its own: its peak memory (the child's ru_maxrss, read by a wrapper process whose only child it is)
stays under 1 GB, and each bomb is read in part or rejected with one line naming it. Not a timed
assertion: the readers' own limits (docs/reliability.md) are what keep it bounded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
import zlib

import pytest

from hostile import _pdf, _stream, docx_with_body, p

from cli_in_process import ROOT

LIMIT_KB = 1024 * 1024  # 1 GB, as ru_maxrss counts on Linux (kilobytes)
BODY = ("Ngày 15/3, Công an tỉnh đã tổ chức hội nghị tổng kết công tác năm 2023 với sự tham dự của "
        "nhiều đại biểu đến từ các đơn vị trong toàn tỉnh.")


def spaces_pdf(pages: int, spaces: int) -> bytes:
    """`pages` pages, each a content stream of `spaces` spaces then a line of text, compressed (the
    13 MB PDF whose 180 pages each inflate to 75 MB; one compressed stream shared by every page)."""
    packed = zlib.compress(b" " * spaces + b"BT /F1 11 Tf 72 700 Td (Trang) Tj ET", 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages)),
                                                             pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(_stream(packed, b"/Filter /FlateDecode "))
    return _pdf(objects)


def inflating_docx(size: int) -> bytes:
    """A Word file whose document.xml inflates to about `size` bytes of blank padding (written in
    chunks: the test never holds it whole)."""
    base = zipfile.ZipFile(io.BytesIO(docx_with_body(p(BODY))))
    head, _, tail = base.read("word/document.xml").partition(b"<w:body>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, base.read(item))
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head + b"<w:body>")
            chunk = b" " * 1_000_000
            for _ in range(size // len(chunk)):
                part.write(chunk)
            part.write(tail)
    return out.getvalue()


def merged_rows_docx(tables: int, rows: int) -> bytes:
    """`tables` tables of `rows` rows whose first column is one vertically merged cell."""
    def row(i: int) -> str:
        merge = '<w:vMerge w:val="restart"/>' if i == 0 else "<w:vMerge/>"
        first = p("Nhãn gộp dọc") if i == 0 else p()
        return f"<w:tr><w:tc><w:tcPr>{merge}</w:tcPr>{first}</w:tc><w:tc>{p(f'Dòng {i + 1}')}</w:tc></w:tr>"
    table = "<w:tbl>" + "".join(row(i) for i in range(rows)) + "</w:tbl>"
    return docx_with_body(p(BODY) + table * tables)


@pytest.mark.slow
def test_the_corpus_command_reads_the_bombs_in_under_1_gb(tmp_path):
    seeds = tmp_path / "in"
    seeds.mkdir()
    # 30 of the red team's 180 pages: each page is read and capped on its own, so memory is a page's
    (seeds / "pages of spaces.pdf").write_bytes(spaces_pdf(30, 75_000_000))
    (seeds / "inflating.docx").write_bytes(inflating_docx(450_000_000))
    (seeds / "merged rows.docx").write_bytes(merged_rows_docx(20, 1_200))
    (seeds / "many styles.docx").write_bytes(docx_with_body(p(BODY) * 300, styles=40_000))
    (seeds / "good.txt").write_text(f"Báo cáo tổng kết\n\n{BODY}\n", encoding="utf-8")
    assert all(f.stat().st_size < 20_000_000 for f in seeds.iterdir())  # under the input cap: the readers' limits act
    wrapper = ("import json, resource, subprocess, sys\n"
               "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(json.dumps({'rc': proc.returncode, 'stderr': proc.stderr,"
               " 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
    done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "helpers", "corpus", "--seeds",
                           str(seeds), "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    result = json.loads(done.stdout)
    assert result["rc"] in (0, 2) and "Traceback" not in result["stderr"], result["stderr"][-2000:]
    assert 0 < result["maxrss_kb"] < LIMIT_KB, f"peak memory {result['maxrss_kb'] / 1024:.0f} MB"
    assert f"error: {seeds / 'inflating.docx'}: " in result["stderr"]  # over the XML limit: one line naming it
    reports = (tmp_path / "out" / "data" / "reports.csv").read_text(encoding="utf-8")
    for read in ("good.txt", "merged rows.docx", "many styles.docx"):
        assert read in reports
    print(f"peak memory of the corpus command: {result['maxrss_kb'] / 1024:.0f} MB")
