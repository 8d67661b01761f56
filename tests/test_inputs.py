"""Reading inputs: strict UTF-8, named rejections, every line kept."""

from __future__ import annotations


import pytest

from helpers.corpus.inputs import Rejection, SourceFile, read_folder, read_source, report_id_for, split_lines


def test_seed_is_read_with_every_line(seed_lines):
    assert len(seed_lines["000"]) == 52  # `wc -l` + 1: the file has no final newline
    assert seed_lines["004"][1].startswith("\u00a0" * 6)  # NBSP kept as written


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "empty file"),
        (b"  \n\t\n\xc2\xa0\n", "only whitespace"),
        ("Báo cáo".encode("cp1258"), "not valid UTF-8"),
        ("Hà Nội".encode("latin-1", "replace"), "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ],
)
def test_bad_files_are_rejected_with_a_named_problem(tmp_path, data, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    result = read_source(path)
    assert isinstance(result, Rejection)
    assert result.file == path.name  # the name within the input folder, as reports.csv
    assert problem in result.problem


def test_utf8_bom_is_tolerated_and_text_is_nfc(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Ho\u0300a Bi\u0300nh".encode())  # decomposed accents
    result = read_source(path)
    assert isinstance(result, SourceFile)
    assert result.lines == ("Hòa Bình",)


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Xin chào\nHà Nội".encode("utf-16"))
    assert read_source(path).lines == ("Xin chào", "Hà Nội")


def test_directory_and_unreadable_file_are_rejected(tmp_path, monkeypatch):
    (tmp_path / "folder.txt").mkdir()
    assert "directory" in read_source(tmp_path / "folder.txt").problem
    locked = tmp_path / "locked.txt"
    locked.write_text("x")

    def denied(path, *args, **kwargs):  # CI runs as root, which reads any file: deny the open itself
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("helpers.corpus.inputs.open", denied, raising=False)
    assert read_source(locked).problem == "cannot be read: Permission denied"


def test_crlf_and_cr_split_like_lf():
    assert split_lines("a\r\nb\rc\n") == ("a", "b", "c")
    assert split_lines("a\n\nb") == ("a", "", "b")


def test_folder_keeps_good_files_when_others_are_bad(tmp_path):
    (tmp_path / "a.txt").write_text("Tiêu đề\nNội dung.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\xfa")
    (tmp_path / "notes.odt").write_text("not an input format")
    sources, rejections = read_folder(tmp_path)
    assert [s.path.name for s in sources] == ["a.txt"]
    assert [r.file for r in rejections] == ["b.txt", "notes.odt"]  # every entry has an outcome
    assert "format not read" in rejections[1].problem


def test_report_ids_are_ascii_and_unique(tmp_path):
    assert report_id_for(tmp_path / "Báo cáo Đà Nẵng.txt") == "Bao-cao-Da-Nang"
    (tmp_path / "x y.txt").write_text("a")
    (tmp_path / "x-y.txt").write_text("b")
    sources, _ = read_folder(tmp_path)
    assert sorted(s.report_id for s in sources) == ["x-y", "x-y-2"]


def test_utf16_without_bom_is_named_as_such(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Xin chào Hà Nội".encode("utf-16-le"))
    assert "UTF-16 without a byte-order mark" in read_source(path).problem


def test_a_file_as_the_previous_run_found_it_is_not_read_again(tmp_path, monkeypatch):
    """The cheap check: an input whose size and time are those the previous run recorded with the digest
    it read is kept unread; one changed in place (same size, a later time) is read again."""
    import builtins
    import os

    from helpers.corpus.inputs import scan_folder

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Hà Nội: tin một\nNội dung thứ nhất.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Hà Nội: tin hai\nNội dung thứ hai.\n", encoding="utf-8")
    first = scan_folder(folder)
    known = {s.file: (s.sha256, s.report_id) for s in first.sources}
    seen = {s.file: (*s.stat, s.sha256) for s in first.sources}
    b = folder / "b.txt"
    stamp = b.stat().st_mtime_ns
    b.write_text("Hà Nội: tin hai\nNội dung thứ ba.\n", encoding="utf-8")  # as long, another text
    os.utime(b, ns=(stamp + 10**9, stamp + 10**9))
    opened: list[str] = []
    real = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: opened.append(os.path.basename(f)) or real(f, *a, **k))
    scan = scan_folder(folder, known, seen)
    assert [k.file for k in scan.kept] == ["a.txt"] and [s.file for s in scan.sources] == ["b.txt"]
    assert opened == ["b.txt"]
    opened.clear()
    assert [k.file for k in scan_folder(folder, known).kept] == ["a.txt"]  # without the record: read, then kept
    assert opened == ["a.txt", "b.txt"]
