"""Edge cases of one input each (a line, a name, a file's kind, a folder's state): nothing lost or
altered, a clear error for the rest. Each test builds its input in tmp_path, checks the rule or runs
the command in the test's process, and would have caught the fault it names. Whole runs under
stress (killed, concurrent, large, odd folders and settings) are tests/test_whole_runs_under_stress.py."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from helpers.corpus.lines import classify
from helpers.text.glossary import default_glossary, prepare
from helpers.corpus.inputs import ID_MAX, read_folder
from helpers.store.files import read_csv
from helpers.text.normalise import clean_space

from cli_in_process import run_cli, run_process
from conftest import SEEDS

PARA = ("Năm 2021, toàn tỉnh đã xử lý 1.250 vụ vi phạm trật tự an toàn giao thông, "
        "thu nộp ngân sách nhà nước hơn 12 tỷ đồng, góp phần giữ vững an ninh trật tự trên địa bàn.")


def test_lines_that_differ_in_a_number_or_a_name_are_both_kept():
    later = PARA.replace("Năm 2021", "Năm 2022").replace("1.250 vụ", "1.430 vụ")
    award = "Đồng chí Nguyễn Văn An được tặng Bằng khen của Bộ trưởng Bộ Công an vì thành tích xuất sắc trong năm."
    lines = ["Báo cáo tổng kết công tác năm", "", PARA, "", later, "", award, "", award.replace("An được", "Bình được")]
    roles = [r for r, _ in classify(lines)]
    assert roles[2] == roles[4] == roles[6] == roles[8] == "body"
    caption = "Toàn cảnh Hội nghị"  # a caption given twice is still one caption
    roles = [r for r, _ in classify(["Tiêu đề của bản tin hôm nay", PARA, caption, caption + ".",
                                     PARA.replace("2021", "2023")])]
    assert roles[2:4] == ["caption", "duplicate"]


def test_a_run_of_repeated_paragraphs_is_one_group():
    roles = [r for r, _ in classify(["Tiêu đề của bản tin hôm nay"] + [PARA] * 300)]
    assert roles.count("body") == 1 and roles.count("duplicate") == 299


@pytest.mark.slow
def test_invisible_characters_are_removed_before_any_rule_and_the_ledger_keeps_the_line(tmp_path):
    zw = "Cô\u200bng an Trung ươ\ufeffng tổ chức Hội ng\u00adhị tổng kết\u202e công tác năm 2022."
    assert clean_space(zw) == "Công an Trung ương tổ chức Hội nghị tổng kết công tác năm 2022."
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zw.txt").write_text("Tiêu đề của bản tin hôm nay\n\n" + zw + " " + PARA, encoding="utf-8")
    proc = run_cli("corpus", "--seeds", str(folder), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    sentences = read_csv(tmp_path / "o" / "data" / "sentences.csv")
    assert sentences["text_vi"].iloc[1].startswith("Công an Trung ương tổ chức Hội nghị tổng kết công tác")
    assert not any(ch in "".join(sentences["text_vi"]) for ch in "\u200b\ufeff\u00ad\u202e")
    ledger = read_csv(tmp_path / "o" / "data" / "ledger.csv")
    assert ledger["text"].iloc[2].startswith(zw)  # as read


def test_old_style_tone_marks_match_the_glossary_and_share_memory_keys():
    glossary = default_glossary()
    old = prepare("Uỷ ban Kiểm tra Trung ương và Quân uỷ Trung ương làm việc với Đảng uỷ Công an Trung ương", glossary)
    new = prepare("Ủy ban Kiểm tra Trung ương và Quân ủy Trung ương làm việc với Đảng ủy Công an Trung ương", glossary)
    assert set(old.terms) == {"Ủy ban Kiểm tra Trung ương", "Quân ủy Trung ương", "Đảng ủy Công an Trung ương"}
    assert old.text == new.text and old.source != new.source  # same model input and memory key; source as written


def test_control_characters_from_a_model_never_reach_the_text():
    assert clean_space("The\x00 Ministry\x07 held\x1b a\u202e conference") == "The Ministry held a conference"


@pytest.mark.slow
def test_only_regular_files_are_read_with_a_named_size_limit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Tiêu đề của bản tin hôm nay\n\n" + PARA, encoding="utf-8")
    os.mkfifo(folder / "x.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    big = folder / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(25_000_000)
    proc = run_cli("corpus", "--seeds", str(folder), "--out", str(tmp_path / "o"))  # a FIFO would hang: timeout
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    problems = read_csv(tmp_path / "o" / "data" / "problems.csv").set_index("file")["problem"]
    assert "not a regular file" in problems["x.txt"] and "not a regular file" in problems["zero.txt"]
    assert "over the 20 MB limit" in problems["big.txt"]
    assert f"{folder / 'x.txt'}: is not a regular file" in proc.stderr


def test_report_ids_never_clash_with_pages_notebooks_or_each_other_and_are_bounded(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["index.txt", "01_corpus.txt", "a b.txt", "a-b.txt", "A-B.txt", "x" * 240 + ".txt"]
    for name in names:
        (folder / name).write_text("Tiêu đề của bản tin hôm nay\n\n" + PARA, encoding="utf-8")
    sources, rejections = read_folder(folder)
    ids = [s.report_id for s in sources]
    assert not rejections and len({i.casefold() for i in ids}) == len(names)
    assert "index" not in ids and "01_corpus" not in ids and "report-index" in ids and "report-01_corpus" in ids
    assert all(len(i) <= ID_MAX for i in ids)


@pytest.mark.slow
@pytest.mark.parametrize("make", ["empty", "all_rejected"])
def test_no_usable_report_says_what_was_found_and_exits_1(make, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    if make == "all_rejected":
        (folder / "empty.txt").write_bytes(b"")
        (folder / "blob.txt").write_bytes(bytes(range(256)))
    proc = run_process("reports", "--models", "demo", "--seeds", str(folder), "--out", str(tmp_path / "o"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no report to process" in proc.stderr
    if make == "all_rejected":
        assert f"{folder / 'empty.txt'}: empty file" in proc.stderr and "all 2 inputs were rejected" in proc.stderr
    assert not (tmp_path / "o" / "notebooks").exists()


@pytest.mark.slow
def test_out_that_is_a_file_or_memory_that_is_a_folder_is_one_clear_line(tmp_path):
    (tmp_path / "out").write_text("I am a file")
    proc = run_cli("corpus", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"output folder {tmp_path / 'out'} exists and is a file" in proc.stderr
    proc = run_cli("translate", "--models", "demo", "--seeds", str(SEEDS), "--out", str(tmp_path / "o"),
               "--memory", str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"translation memory {tmp_path} is a directory" in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_memory_is_moved_aside_named_and_rebuilt(damage, tmp_path, small_seeds):
    memory = tmp_path / "tm.sqlite"
    args = ["translate", "--models", "demo", "--seeds", str(small_seeds), "--out", str(tmp_path / "o"),
            "--memory", str(memory)]
    assert run_cli(*args).returncode == 0
    with sqlite3.connect(memory) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = memory.read_bytes()
    memory.write_bytes(b"not a database at all " * 100 if damage == "garbage" else data[: len(data) // 2])
    proc = run_cli(*args)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    aside = [p for p in tmp_path.iterdir()
             if p.name.startswith("tm.sqlite.corrupt-") and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and f"moved aside to {aside[0]}" in proc.stderr
    with sqlite3.connect(memory) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM memory").fetchone()[0] > 0


def test_outputs_get_the_normal_file_mode(tmp_path):
    old = os.umask(0o022)
    try:
        import importlib

        import helpers.store.files as outputs

        importlib.reload(outputs)
        outputs.write_text(tmp_path / "a.csv", "x\n")
    finally:
        os.umask(old)
        importlib.reload(outputs)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644


@pytest.mark.slow
def test_a_report_removed_from_the_inputs_leaves_no_stale_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("one.txt", "two.txt"):
        (folder / name).write_text("Tiêu đề của bản tin hôm nay\n\n" + PARA, encoding="utf-8")
    args = ["translate", "--models", "demo", "--seeds", str(folder), "--out", str(tmp_path / "o"),
            "--memory", str(tmp_path / "tm.sqlite")]
    assert run_cli(*args).returncode == 0
    (folder / "two.txt").unlink()
    assert run_cli(*args).returncode == 0
    kept = sorted(p.name for p in (tmp_path / "o" / "data" / "translations").iterdir())
    assert kept == ["one.docx", "one.md", "one.txt"]


def test_a_byline_above_a_final_dateline_and_an_impossible_dateline(tmp_path):
    from helpers.corpus.lines import build_report
    from helpers.corpus.inputs import read_source

    path = tmp_path / "r.txt"
    path.write_text("\n".join(["Tiêu đề của bản tin hôm nay", "", PARA, "", "Nguyễn Văn An",
                               "Thứ Hai, 31/02/2022 08:30"]),
                    encoding="utf-8")
    report = build_report(read_source(path))
    roles = [ln.role for ln in report.lines]
    assert roles[4] == "byline" and roles[5] == "dateline" and report.author == "Nguyễn Văn An"
    assert report.date == "" and "impossible date" in report.date_source
    assert "impossible date" in report.lines[5].reason


@pytest.mark.slow
def test_a_read_only_out_is_one_clear_line_before_any_work(tmp_path, monkeypatch, capsys):
    """A read-only filesystem (simulated: root ignores chmod here) stops the run at once, named."""
    import errno
    import tempfile

    from helpers import cli as cli_module

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    status = cli_module.main(["corpus", "--seeds", str(SEEDS), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1
    assert f"output folder {tmp_path / 'o'} cannot be written: Read-only file system" in err


@pytest.mark.slow
def test_a_full_disk_mid_run_is_one_clear_line_naming_the_file(tmp_path, monkeypatch, capsys):
    import errno

    from helpers import cli as cli_module
    from helpers.store import files as outputs

    real_fsync = os.fsync

    def full(fd):
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".sentences.csv"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "o" / "data" / "sentences.csv"))
        return real_fsync(fd)

    monkeypatch.setattr(outputs.os, "fsync", full)
    status = cli_module.main(["corpus", "--seeds", str(SEEDS), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert err.strip() == f"error: {tmp_path / 'o' / 'data' / 'sentences.csv'}: No space left on device"
    assert not list((tmp_path / "o" / "data").glob(".sentences.csv.*"))  # no half-written debris


def test_files_written_together_are_synced_once_and_each_lands_whole(tmp_path, monkeypatch):
    """A stage's thousands of files are synced to disk together (one os.sync), not one fsync each; each
    still lands whole by its move into place, and a file written alone is synced on its own."""
    from helpers.store import files as outputs

    calls: list[str] = []
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync"))
    monkeypatch.setattr(outputs.os, "sync", lambda: calls.append("sync"))
    with outputs.synced_together():
        for i in range(5):
            outputs.write_bytes(tmp_path / "t" / f"{i}.docx", b"PK" * i)
        assert calls == []
    assert calls == ["sync"]
    assert [p.read_bytes() for p in sorted((tmp_path / "t").iterdir())] == [b"PK" * i for i in range(5)]
    outputs.write_text(tmp_path / "alone.json", "{}")
    assert calls == ["sync", "fsync"]
    assert not list(tmp_path.rglob(".*.tmp"))


def test_files_written_beside_land_in_order_synced_with_the_rest_and_a_failure_is_raised(tmp_path, monkeypatch):
    """Pages handed to a writer thread (`BesideWriter`) land whole, written as the caller's own would be: inside
    `synced_together` none is synced on its own; a write that fails (a folder where a file should go) is raised
    when the writer closes, as the OSError the boundary shows in one line, and no later file is written; an
    error already on its way out is the one raised."""
    from helpers.store import files as outputs

    calls: list[str] = []
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync"))
    monkeypatch.setattr(outputs.os, "sync", lambda: calls.append("sync"))
    with outputs.synced_together():
        with outputs.BesideWriter(ahead=2) as files:
            for i in range(20):
                files.write(tmp_path / "p" / f"{i:02d}.html", f"<p>{i}</p>" if i % 2 else f"{i}".encode(),
                            (lambda path, html: outputs.write_text(path, html.upper())) if i % 4 == 1 else None)
        assert calls == []
    assert calls == ["sync"]
    assert [p.read_text() for p in sorted((tmp_path / "p").iterdir())] == [
        f"<P>{i}</P>" if i % 4 == 1 else f"<p>{i}</p>" if i % 2 else f"{i}" for i in range(20)]
    (tmp_path / "q" / "02.html").mkdir(parents=True)  # a folder where a page goes
    with pytest.raises(OSError, match="02.html"):
        with outputs.BesideWriter(ahead=1) as files:
            for i in range(6):
                files.write(tmp_path / "q" / f"{i:02d}.html", f"{i}")
    written = sorted(p.name for p in (tmp_path / "q").iterdir() if p.is_file())
    assert written[:2] == ["00.html", "01.html"] and "05.html" not in written
    assert not list(tmp_path.rglob(".*.tmp"))
    with pytest.raises(KeyError):
        with outputs.BesideWriter() as files:
            files.write(tmp_path / "r" / "0.html", "0")
            raise KeyError("the run's own error")
