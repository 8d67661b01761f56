"""The collection's database updated in place (`collection.update`), on small tables: the same content
and search as a whole write, by the content of each report's rows; written whole when it cannot be
updated; a failed update leaves the file as it was. (Through the command: test_collection.py.)"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pandas as pd
import pytest

from collection_content import content, index_agrees
from helpers.collection import update
from helpers.collection.database import DATABASE, search, write_database
from helpers.collection.digests import report_digests
from helpers.collection.update import save_database


def _tables(sentences: list[tuple[str, str, str, str]], flags: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Small tables of the contract's shape: (report_id, sentence_no, text_vi, text_en) sentences; the
    reports' flags, as a collection-wide flag would set them; entities without report_id."""
    frame = pd.DataFrame(sentences, columns=["report_id", "sentence_no", "text_vi", "text_en"])
    ids = list(dict.fromkeys(frame["report_id"]))
    return {"reports": pd.DataFrame({"report_id": ids, "title": [f"Báo cáo {r}" for r in ids],
                                     "n_sentences": [str((frame["report_id"] == r).sum()) for r in ids]}),
            "sentences": frame.assign(flags=[flags.get(r, "") for r in frame["report_id"]]),
            "entities": pd.DataFrame({"entity_id": [f"e{len(ids)}"], "name_vi": ["Đà Nẵng"]})}


DAY1 = _tables([("a", "1", "Công an Đà Nẵng họp.", "Da Nang police met."),
                ("a", "2", "Hội nghị tổng kết.", "A review meeting."),
                ("b", "1", "Bộ Công an chỉ đạo.", "The ministry directed."),
                ("k", "1", "Hà Nội mưa to.", "Heavy rain in Hanoi."),
                ("gone", "1", "Hải Phòng đón khách.", "Hai Phong welcomes guests.")], {})
# day 2: `b` edited, `new` added, `gone` removed, and a collection-wide flag moved onto the kept `k`
DAY2 = _tables([("a", "1", "Công an Đà Nẵng họp.", "Da Nang police met."),
                ("a", "2", "Hội nghị tổng kết.", "A review meeting."),
                ("b", "1", "Bộ Công an chỉ đạo tại Đà Nẵng.", "The ministry directed in Da Nang."),
                ("k", "1", "Hà Nội mưa to.", "Heavy rain in Hanoi."),
                ("new", "1", "Quảng Ninh triển khai kế hoạch.", "Quang Ninh deploys a plan.")], {"k": "low_confidence"})


def _whole(tmp_path, tables):
    """The database written whole, in a folder of its own."""
    (tmp_path / "whole").mkdir()
    return write_database(tmp_path / "whole", tables)


def test_a_reports_digest_follows_its_rows_content_and_order():
    frame = DAY1["sentences"]
    digests = report_digests(frame)
    assert set(digests) == {"a", "b", "k", "gone"} and report_digests(frame.copy()) == digests
    edited = frame.assign(text_en=frame["text_en"].where(frame.index != 1, "A meeting."))
    swapped = frame.iloc[[1, 0, 2, 3, 4]]
    for changed in (edited, swapped, frame.drop(index=1)):
        new = report_digests(changed)
        assert new["a"] != digests["a"] and {r: new[r] for r in "bk"} == {r: digests[r] for r in "bk"}


def test_the_database_is_updated_in_place_to_what_a_whole_write_holds(tmp_path):
    (tmp_path / "inc").mkdir()
    assert save_database(tmp_path / "inc", DAY1) == f"{DATABASE} written whole (3 tables)"
    assert save_database(tmp_path / "inc", DAY1) == f"{DATABASE} updated (0 reports' rows anew)"
    assert save_database(tmp_path / "inc", DAY2) == f"{DATABASE} updated (3 reports' rows anew, 1 removed)"
    inc, whole = tmp_path / "inc" / DATABASE, _whole(tmp_path, DAY2)
    assert content(inc) == content(whole)
    assert index_agrees(inc, tmp_path)
    for query in ("da nang", "cong an", "quang ninh", "hai phong", "Hà Nội"):
        assert search(inc, query) == search(whole, query), query
    assert {r["report_id"] for r in search(inc, "da nang")} == {"a", "b"} and search(inc, "hai phong") == []
    with closing(sqlite3.connect(inc)) as db:  # a reader's file: the journal mode the update leaves
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_the_index_check_sees_an_index_out_of_step(tmp_path):
    path = write_database(tmp_path, DAY1)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE sentences SET folded_en = 'stale' WHERE report_id = 'b'")  # the index not told
    assert not index_agrees(path, tmp_path)


@pytest.mark.parametrize("made", ["another schema", "not a database", "other code"])
def test_a_database_that_cannot_be_updated_is_written_whole(tmp_path, made):
    path = tmp_path / DATABASE
    if made == "another schema":  # an older file: a column fewer
        write_database(tmp_path, {**DAY1, "reports": DAY1["reports"].drop(columns="n_sentences")})
    elif made == "not a database":
        path.write_bytes(b"garbled " * 1000)
    else:
        write_database(tmp_path, DAY1)
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE collection_state SET value = 'an older code' WHERE key = 'code'")
    assert save_database(tmp_path, DAY2) == f"{DATABASE} written whole (3 tables)"
    assert content(path) == content(_whole(tmp_path, DAY2))


def test_a_failed_update_leaves_the_file_as_it_was_then_writes_it_whole(tmp_path, monkeypatch):
    path = write_database(tmp_path, DAY1)
    before = content(path)
    real = update.insert_rows

    def failing(db, name, frame):  # the disk fills on the sentences' rows, after the reports' were replaced
        if name == "sentences":
            raise sqlite3.OperationalError("database or disk is full")
        real(db, name, frame)

    monkeypatch.setattr(update, "insert_rows", failing)
    assert update.update_database(tmp_path, DAY2) is None
    assert content(path) == before and index_agrees(path, tmp_path)  # rolled back: nothing half done
    assert save_database(tmp_path, DAY2) == f"{DATABASE} written whole (3 tables)"
    assert content(path) == content(_whole(tmp_path, DAY2))
