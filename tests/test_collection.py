"""The collection across runs into one OUT: what is new, changed and removed (reports.csv, run.json,
the terminal), the site's name, and the collection as a SQLite file with folded full-text search
and as a workbook, read back."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import pandas as pd
import pytest

from helpers.corpus.changes import Previous, run_time_after, text_digests, track_changes
from helpers.corpus.sources import source_name
from helpers.store.contract import TABLES, columns
from helpers.collection.database import DATABASE, match_expression, search
from helpers.store.files import read_csv
from helpers.collection.workbook import WORKBOOK, write_workbook
from helpers.text.normalise import fold

from cli_in_process import run_cli
from conftest import SEEDS

KEPT, EDITED, GONE = "003_cb679e2c5c5a0d9b", "001_33798f45f77cf564", "000_b4ca7e3004645a9d"
ADDED = "da-nang"
ADDED_TEXT = """Công an Đà Nẵng triển khai kế hoạch bảo đảm an ninh, trật tự dịp cuối năm

Nguồn: https://www.NhanDan.vn/thoi-su

Sáng 5/12/2026, Công an thành phố Đà Nẵng tổ chức hội nghị triển khai kế hoạch theo chỉ đạo của Bộ Công an.
"""
EDIT = "\nNgày 6/12, đoàn công tác của Bộ Công an đã làm việc tại Đà Nẵng về công tác bảo đảm an ninh.\n"


@pytest.mark.parametrize("source, name", [
    ("Nguồn: nhandan.vn", "nhandan.vn"),
    ("Theo VnExpress", "VnExpress"),
    ("www.cand.com.vn", "cand.com.vn"),
    ("congan.nghean.gov.vn", "congan.nghean.gov.vn"),
    ("Nguồn: https://www.NhanDan.vn/thoi-su/bai-1.html", "nhandan.vn"),
    ("Công an nhân dân", "Công an nhân dân"),
    ("Nguồn: TTXVN; (www.cand.com.vn); Theo TTXVN", "TTXVN; cand.com.vn"),
    ("", ""),
])
def test_the_source_becomes_the_sites_name(source, name):
    assert source_name(source) == name


def test_fold_takes_case_marks_and_the_d_stroke_away():
    assert [fold(t) for t in ("Đà Nẵng", "Hà Nội", "BỘ CÔNG AN", "Đảng ủy")] == ["da nang", "ha noi", "bo cong an",
                                                                                 "dang uy"]
    assert match_expression('Đà Nẵng "bộ công  an" OR (x') == '"da" "nang" "bo cong an" "or" "x"'


def test_changes_are_tracked_by_report_and_text():
    reports = pd.DataFrame({"report_id": ["a", "b", "n"], "file": ["a.txt", "b.txt", "n.txt"],
                            "title": ["A", "B", "N"]})
    ledger = pd.DataFrame({"report_id": ["a", "b", "n"], "text": ["same", "edited", "new"]})
    old = pd.DataFrame({"report_id": ["a", "b", "x"], "text": ["same", "before", "gone"]})
    t0, t1 = "2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z"
    previous = Previous(t1, [{"report_id": r, "file": f"{r}.txt", "title": r.upper(), "first_seen": t0,
                              "last_changed": t1 if r == "a" else t0} for r in ("a", "b", "x")], text_digests(old))
    table, record = track_changes(previous, reports, ledger, "2026-12-03T08:00:00Z")
    assert table["first_seen"].tolist() == [t0, t0, "2026-12-03T08:00:00Z"]
    assert table["last_changed"].tolist() == [t1, "2026-12-03T08:00:00Z", "2026-12-03T08:00:00Z"]
    assert record == {"run_time": "2026-12-03T08:00:00Z", "previous_run_time": t1, "new": ["n"], "changed": ["b"],
                      "removed": [{"report_id": "x", "title": "X", "file": "x.txt"}]}
    # a corpus run that read only b and n anew digests only their lines, then and now, and finds the same
    partial = Previous(t1, previous.reports, text_digests(old, {"b", "n"}))
    assert set(partial.digests) == {"b"}
    again, said = track_changes(partial, reports, ledger, "2026-12-03T08:00:00Z", {"b", "n"})
    pd.testing.assert_frame_equal(again, table)
    assert said == record
    first, _ = track_changes(Previous(), reports, ledger, t0)
    assert (first["first_seen"] == t0).all() and (first["last_changed"] == t0).all()
    assert run_time_after(t1) > t1 and run_time_after(None).endswith("Z")  # a clock behind never goes back
    behind = datetime(2026, 12, 2, 7, 0, tzinfo=timezone.utc)
    assert (run_time_after(t1, behind), run_time_after("garbled", behind)) == ("2026-12-02T08:00:01Z",
                                                                              "2026-12-02T07:00:00Z")


def test_the_workbook_keeps_every_cell_as_text(tmp_path):
    """A formula-like cell stays text, a control character and a cell over Excel's limit are said."""
    from openpyxl import load_workbook

    hostile = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "a\x1bb", "Đảng ủy", "x" * 40_000],
                            "line_no": ["1", "2", "", "4"]})
    path = write_workbook(tmp_path, {"ledger": hostile})
    rows = list(load_workbook(path, read_only=True)["ledger"].iter_rows(values_only=True))
    assert rows[:3] == [("text", "line_no"), ("=HYPERLINK(\"http://x\")", 1), ("a_x001B_b", 2)]
    assert rows[3] == ("Đảng ủy",)  # an empty cell is not written
    assert len(rows[4][0]) == 32_767 and "cut: 40,000 characters" in rows[4][0]
    assert [p.name for p in tmp_path.iterdir()] == [WORKBOOK]  # the temporary file replaced it


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, demo_cache):
    """Two `reports` runs into one OUT: three seeds, then one removed, one edited and one added."""
    tmp = tmp_path_factory.mktemp("collection")
    seeds, out, none = tmp / "in", tmp / "out", tmp / "no-notebooks"
    seeds.mkdir(), none.mkdir()
    for rid in (KEPT, EDITED, GONE):
        shutil.copy(SEEDS / f"{rid}.txt", seeds)
    args = ["reports", "--seeds", str(seeds), "--out", str(out), "--models", "demo", "--notebooks", str(none),
            "--memory", str(tmp / "tm.sqlite")]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    first_run = json.loads((out / "data" / "run.json").read_text(encoding="utf-8"))
    assert not (out / "data" / WORKBOOK).exists()  # `reports` alone makes no workbook
    asked = run_cli("workbook", "--out", str(out))  # an analyst asks for it: the re-run keeps it current
    sheets = pd.read_excel(out / "data" / WORKBOOK, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == list(TABLES) and sorted(sheets["reports"]["report_id"]) == sorted([KEPT, EDITED, GONE])
    (seeds / f"{GONE}.txt").unlink()
    with open(seeds / f"{EDITED}.txt", "a", encoding="utf-8") as fh:
        fh.write(EDIT)
    (seeds / f"{ADDED}.txt").write_text(ADDED_TEXT, encoding="utf-8")
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr[-2000:]
    return first, first_run, second, asked, out


@pytest.mark.slow
def test_the_first_run_sees_every_report_new(two_runs):
    first, run, *_ = two_runs
    record = run["collection"]
    assert record["previous_run_time"] is None and record["removed"] == [] and record["changed"] == []
    assert sorted(record["new"]) == sorted([KEPT, EDITED, GONE])
    corpus_line = next(line for line in first.stdout.splitlines() if line.startswith("corpus"))
    assert " new" not in corpus_line


@pytest.mark.slow
def test_the_second_run_names_new_changed_and_removed_reports(two_runs):
    _, first_run, second, _, out = two_runs
    before = first_run["collection"]["run_time"]
    record = json.loads((out / "data" / "run.json").read_text(encoding="utf-8"))["collection"]
    now = record["run_time"]
    assert record["previous_run_time"] == before < now
    assert (record["new"], record["changed"]) == ([ADDED], [EDITED])
    assert record["removed"] == [{"report_id": GONE, "file": f"{GONE}.txt", "title": (
        "Đảng ủy Công an Trung ương tổng kết công tác đảng năm 2022 và trao Giải Búa liềm vàng trong CAND")}]
    corpus_line = next(line for line in second.stdout.splitlines() if line.startswith("corpus"))
    assert "1 new, 1 changed, 1 removed" in corpus_line

    reports = read_csv(out / "data" / "reports.csv").set_index("report_id")
    assert list(reports.reset_index().columns) == columns("reports")
    assert reports.loc[KEPT, ["first_seen", "last_changed"]].tolist() == [before, before]
    assert reports.loc[EDITED, ["first_seen", "last_changed"]].tolist() == [before, now]
    assert reports.loc[ADDED, ["first_seen", "last_changed"]].tolist() == [now, now]
    assert reports.loc[ADDED, "source_name"] == "nhandan.vn"
    assert reports.loc[KEPT, "source_name"] == "congan.nghean.gov.vn"


@pytest.mark.slow
def test_the_database_holds_every_table_and_finds_words_typed_without_marks(two_runs):
    *_, out = two_runs
    path = out / "data" / DATABASE
    with sqlite3.connect(path) as db:
        for name, table in TABLES.items():
            csv = read_csv(out / "data" / table.file)
            stored = pd.read_sql_query(f'SELECT * FROM "{name}"', db)
            assert list(stored.columns[:len(csv.columns)]) == list(csv.columns) and len(stored) == len(csv), name
        counts = dict(db.execute("SELECT report_id, count(*) FROM sentences GROUP BY report_id").fetchall())
        # datasette's own test for the table's search index (its detect_fts), so its page has a search box
        assert db.execute("""SELECT name FROM sqlite_master WHERE rootpage = 0
                             AND sql LIKE '%VIRTUAL TABLE%USING FTS%content="sentences"%'""").fetchall() == [
            ("sentences_fts",)]
    assert set(counts) == {KEPT, EDITED, ADDED}  # the removed report's sentences are gone
    sentences = read_csv(out / "data" / "sentences.csv")
    named = sentences[sentences["text_vi"].str.contains("Đà Nẵng")]
    assert set(named["report_id"]) == {EDITED, ADDED}
    found = [(r["report_id"], str(r["sentence_no"]), r["text_vi"]) for r in search(path, "da nang")]
    assert {f[:2] for f in found[:len(named)]} == set(zip(named["report_id"], named["sentence_no"]))
    assert found[len(named):] and all("Đà Nẵng" not in f[2] for f in found[len(named):])  # đã ... nâng: after
    assert {r["report_id"] for r in search(path, '"bo cong an" "da nang"')} == {ADDED, EDITED}
    assert search(path, "Hải Phòng") == []
    if shutil.which("sqlite3"):  # the file opens as it is, and the sqlite3 shell searches it too
        shell = subprocess.run(["sqlite3", str(path), "SELECT s.report_id FROM sentences_fts JOIN sentences s "
                                "ON s.rowid = sentences_fts.rowid WHERE sentences_fts MATCH '\"cong an da nang\"'"],
                               capture_output=True, text=True, check=True)
        assert shell.stdout.split() == [ADDED]


@pytest.mark.slow
def test_the_workbook_reads_back_every_table_with_its_vietnamese(two_runs):
    *_, out = two_runs
    sheets = pd.read_excel(out / "data" / WORKBOOK, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == list(TABLES)
    for name, table in TABLES.items():
        csv = read_csv(out / "data" / table.file)
        assert list(sheets[name].columns) == list(csv.columns) and len(sheets[name]) == len(csv), name
    assert sheets["sentences"]["text_vi"].tolist() == read_csv(out / "data" / "sentences.csv")["text_vi"].tolist()
    assert sheets["reports"].set_index("report_id").loc[ADDED, "title"] == ADDED_TEXT.splitlines()[0]
    assert not [p.name for p in (out / "data").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_the_re_run_updates_the_database_and_keeps_the_asked_for_workbook_current(two_runs, tmp_path):
    from collection_content import index_agrees

    first, _, second, asked, out = two_runs
    collection = [next(line for line in done.stdout.splitlines() if line.startswith("collection"))
                  for done in (first, second)]
    assert f"{DATABASE} written whole" in collection[0] and f"no {WORKBOOK} (`make workbook`" in collection[0]
    assert asked.returncode == 0 and asked.stdout.startswith(f"wrote {out / 'data' / WORKBOOK}"), asked.stderr
    # the edited and the added report's rows anew (the kept one's too if a collection-wide flag moved on it)
    assert re.search(rf"{DATABASE} updated \([23] reports' rows anew, 1 removed\); {WORKBOOK} written again",
                     collection[1]), collection[1]
    assert index_agrees(out / "data" / DATABASE, tmp_path)


def test_the_workbook_command_names_an_out_without_a_run(tmp_path):
    done = run_cli("workbook", "--out", str(tmp_path / "nothing"))
    assert done.returncode == 1 and done.stdout == ""
    nothing = tmp_path / "nothing"
    assert done.stderr.splitlines() == [f"error: {nothing} holds no run (no {nothing / 'data' / 'run.json'}): "
                                        "run `make reports` into it first"]
    assert not (tmp_path / "nothing").exists()
