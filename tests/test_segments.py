"""A contract table written in proportion to change (store.segments): the bytes are always those of the
whole frame written at once, whatever changed, and only the changed reports are formatted again."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from helpers.store import segments
from helpers.store.files import read_csv, write_csv
from helpers.store.segments import kept_copy, segments_file, write_table_csv

HARD = ['plain', 'with "quotes"', 'a\nnew line', 'a bare\rCR', '', '\n"r2","', 'Hà Nội, 2022', 'x\u2028y']


def _frame(reports: int, rng: np.random.Generator, typed: bool = False) -> pd.DataFrame:
    rows = []
    for r in range(reports):
        for i in range(int(rng.integers(1, 5))):
            rows.append({"report_id": f"r{r}", "n": i if typed else str(i),
                         "text": HARD[int(rng.integers(len(HARD)))] + f" {r}.{i}",
                         "score": float(rng.random()) if typed else f"{rng.random():.3f}"})
    return pd.DataFrame(rows)


def _whole(frame: pd.DataFrame, tmp_path) -> bytes:
    return write_csv(tmp_path / "whole.csv", frame).read_bytes()


def _formatted(monkeypatch) -> list[int]:
    """The number of rows each call formats (to_csv of the frame or a part of it)."""
    calls: list[int] = []
    real = pd.DataFrame.to_csv

    def spy(self, *args, **kwargs):
        calls.append(len(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", spy)
    return calls


@pytest.mark.parametrize("columns", [["report_id", "n", "text", "score"],  # report_id first: found by its bytes
                                     ["text", "report_id", "n", "score"]])  # mentions.csv's shape: by the rows' sizes
def test_a_rewrite_formats_only_the_changed_reports_and_gives_the_whole_writes_bytes(tmp_path, monkeypatch, columns):
    """Each report's bytes are found by its key where it is the first field, else from its rows' sizes as written
    (a first field may hold `","` and a key, HARD; multi-byte text, doubled quotes)."""
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    first = _frame(40, rng, typed=True)[columns]  # a first run's frame holds numbers; the file, their text
    write_table_csv(path, first)
    assert path.read_bytes() == _whole(first, tmp_path)
    again = read_csv(path)  # a re-run's rows as read back ...
    again.loc[again["report_id"] == "r3", "text"] = 'changed "in" Hà Nội\n"r4","over lines'
    again = pd.concat([again[again["report_id"] != "r7"],  # ... one report removed, one added, one changed
                       pd.DataFrame([{"report_id": "r99", "n": "0", "text": "mới", "score": "0.5"}])[columns]],
                      ignore_index=True)
    calls = _formatted(monkeypatch)
    write_table_csv(path, again)
    monkeypatch.undo()
    assert path.read_bytes() == _whole(again, tmp_path)
    rows = [n for n in calls if n]
    assert rows == [int((again["report_id"].isin({"r3", "r99"})).sum())], calls  # the two reports, formatted once
    recorded = json.loads(segments_file(path, columns).read_text())["segments"]
    data = path.read_bytes()
    for rid, (_, a, b) in recorded.items():
        assert read_csv_bytes(data[:data.index(b"\n") + 1] + data[a:b])["report_id"].eq(rid).all()


def test_sizes_that_do_not_add_up_are_refused():
    rows = pd.DataFrame({"text": ["a", "é"], "report_id": ["r1", "r2"]})
    data = b'\n"a","r1"\n"\xc3\xa9","r2"\n'
    assert segments._sized_starts(data, rows, ["r1", "r2"]) == [1, 10]
    with pytest.raises(ValueError):
        segments._sized_starts(data[:-1], rows, ["r1", "r2"])
    with pytest.raises(ValueError):  # the reports found are not those formatted
        segments._sized_starts(data, rows, ["r2", "r1"])


def test_rows_without_a_report_id_are_written_whole_not_left_out(tmp_path):
    frame = pd.DataFrame({"text": ["a", "b", "c"], "report_id": [None, None, "r1"]})
    path = write_table_csv(tmp_path / "t.csv", frame)
    assert path.read_bytes() == _whole(frame, tmp_path) and len(read_csv(path)) == 3
    assert not segments_file(path, list(frame.columns)).exists()


def test_a_file_changed_since_or_an_unsegmented_table_is_written_whole(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "t.csv"
    frame = read_csv(write_csv(tmp_path / "f.csv", _frame(20, rng)))
    write_table_csv(path, frame)
    path.write_bytes(path.read_bytes().replace(b'"r1"', b'"rX"'))  # edited by hand: its ranges do not hold
    write_table_csv(path, frame)
    assert path.read_bytes() == _whole(frame, tmp_path)
    shuffled = frame.sample(frac=1, random_state=0, ignore_index=True)  # a report's rows apart: no segments
    write_table_csv(path, shuffled)
    assert path.read_bytes() == _whole(shuffled, tmp_path)
    assert not segments_file(path, list(frame.columns)).exists()
    write_table_csv(path, frame.iloc[:0])
    assert path.read_bytes() == _whole(frame.iloc[:0], tmp_path)


def test_the_sidecar_records_each_reports_bytes(tmp_path):
    frame = read_csv(write_csv(tmp_path / "f.csv", _frame(12, np.random.default_rng(2))))
    path = write_table_csv(tmp_path / "t.csv", frame)
    data = path.read_bytes()
    recorded = json.loads(segments_file(path, list(frame.columns)).read_text())
    assert recorded["file"][0] == len(data)
    for rid, (_, a, b) in recorded["segments"].items():
        assert read_csv_bytes(data[:data.index(b"\n") + 1] + data[a:b])["report_id"].eq(rid).all()
        assert len(read_csv_bytes(data[:data.index(b"\n") + 1] + data[a:b])) == (frame["report_id"] == rid).sum()


def test_two_versions_of_a_table_written_in_turn_each_reuse_their_own_bytes(tmp_path, monkeypatch):
    """sentences.csv is written with the corpus's columns, then with the translation's, every run: each
    write finds the bytes of its own columns from the previous run (the other version kept as a link)."""
    rng = np.random.default_rng(3)
    path = tmp_path / "sentences.csv"
    wide = read_csv(write_csv(tmp_path / "f.csv", _frame(30, rng)))
    narrow = wide[["report_id", "n", "text"]]
    write_table_csv(path, narrow)  # a first run: the corpus's version, then the translation's
    write_table_csv(path, wide)
    for day in range(2):  # two re-runs, each changing one report
        changed = f"r{5 + day}"
        wide = wide.assign(text=wide["text"].where(wide["report_id"] != changed, f"day {day}"))
        narrow = wide[["report_id", "n", "text"]]
        for frame in (narrow, wide):
            calls = _formatted(monkeypatch)
            write_table_csv(path, frame)
            monkeypatch.undo()
            assert path.read_bytes() == _whole(frame, tmp_path)
            assert [n for n in calls if n] == [int((frame["report_id"] == changed).sum())], calls
    assert sorted(p.name for p in tmp_path.glob(".sentences.csv.*")) == sorted(  # the narrow version kept
        p.name for p in (segments_file(path, list(narrow.columns)), segments_file(path, list(wide.columns)),
                         kept_copy(path, list(narrow.columns))))


def read_csv_bytes(data: bytes) -> pd.DataFrame:
    import io

    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_a_key_that_another_key_begins_with_is_found_apart():
    data = b'\n"r10","a"\n"r1","b\n""r1"","""\n'
    starts = segments._record_starts(data, ["r10", "r1"])
    assert starts == [1, 11]


def test_recorded_digests_are_those_the_database_makes_of_the_table_read_back(tmp_path):
    """The collection's database compares each report's digest with those it holds, made whole or taken
    from a table's sidecar: both must be the same digest of the same rows, or every report would be
    found changed (and none, wrongly, if they met by accident)."""
    from helpers.collection.digests import report_digests
    from helpers.store.segments import recorded_digests

    path = write_table_csv(tmp_path / "t.csv", _frame(25, np.random.default_rng(4), typed=True))
    frame = read_csv(path)
    assert recorded_digests(path, list(frame.columns)) == report_digests(frame)
    assert recorded_digests(path, list(frame.columns)[:-1]) == {}  # another version's columns: none
    os.utime(path, ns=(1, 1))  # touched since (another time): the record no longer holds
    assert recorded_digests(path, list(frame.columns)) == {}


def _parsed(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_a_table_this_process_wrote_is_read_back_from_memory_once_as_the_file_reads(tmp_path):
    """The frame a table was written from is what parsing the file gives (every value as the file holds it,
    every column text, a new index), for a segmented table and one written whole, typed values too."""
    from helpers.store import files

    rng = np.random.default_rng(7)
    for typed in (False, True):
        for segmented in (True, False):
            frame = _frame(30, rng, typed)
            frame = frame if segmented else frame.sample(frac=1, random_state=1)  # reports not contiguous
            path = write_table_csv(tmp_path / f"t-{typed}-{segmented}.csv", frame)
            assert os.path.abspath(path) in files._WRITTEN
            pd.testing.assert_frame_equal(read_csv(path), _parsed(path))
            assert os.path.abspath(path) not in files._WRITTEN  # served once: the reader owns it
            pd.testing.assert_frame_equal(read_csv(path), _parsed(path))  # (parsed)
            write_table_csv(path, frame)
            pd.testing.assert_frame_equal(read_csv(path, {"text", "report_id", "nothing"}),
                                          pd.read_csv(path, dtype=str, keep_default_na=False,
                                                      usecols=["report_id", "text"]))


def test_a_table_changed_after_it_was_written_is_read_from_the_file(tmp_path):
    from helpers.store import files

    rng = np.random.default_rng(8)
    path = write_table_csv(tmp_path / "t.csv", _frame(5, rng))
    other = _frame(6, rng)
    write_csv(path, other)  # by another writer: another file in its place
    pd.testing.assert_frame_equal(read_csv(path), other)
    write_table_csv(path, _frame(5, rng))
    files.forget_written()
    assert not files._WRITTEN


def test_every_table_of_a_run_is_read_back_from_memory_as_the_files_read(small_seeds, demo_cache, tmp_path):
    """The stages' real frames (numbers, empty cells, every contract table): what the pages then read without
    parsing is what parsing the files gives."""
    from helpers.config import Config
    from helpers.pipeline import run_stages
    from helpers.stage import RunContext
    from helpers.store import files
    from helpers.store.contract import TABLES

    cfg = Config(seeds=small_seeds, out=tmp_path / "out", models="demo", memory=tmp_path / "tm.sqlite")
    with RunContext(cfg, progress=False) as ctx:
        run_stages(cfg, ctx=ctx, say=False)
    written = [cfg.data_dir / t.file for t in TABLES.values()
               if os.path.abspath(cfg.data_dir / t.file) in files._WRITTEN]
    assert {p.name for p in written} == {t.file for t in TABLES.values()}
    for path in written:
        pd.testing.assert_frame_equal(read_csv(path), _parsed(path))
    assert not files._WRITTEN


def test_kept_bytes_are_copied_by_the_kernel_in_runs_or_through_the_process_where_it_cannot(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    frame = _frame(60, rng)
    changed = frame.copy()
    changed.loc[changed["report_id"].isin(["r10", "r40"]), "text"] = "changed"
    for kernel in ("copies", "refuses", "copies nothing", "absent"):
        path = tmp_path / f"t-{kernel}.csv"
        write_table_csv(path, frame)
        copies: list[int] = []
        real = os.copy_file_range

        def copy(src, dst, count, offset_src, *args, kernel=kernel, real=real):
            copies.append(count)
            if kernel == "refuses":
                raise OSError(18, "Invalid cross-device link")  # EXDEV: the fallback reads and writes
            return 0 if kernel == "copies nothing" else real(src, dst, count, offset_src, *args)

        if kernel == "absent":  # not Linux
            monkeypatch.delattr(os, "copy_file_range")
        else:
            monkeypatch.setattr(os, "copy_file_range", copy)
        write_table_csv(path, changed)
        monkeypatch.undo()
        assert path.read_bytes() == _whole(changed, tmp_path), kernel
        # the kept reports around the two changed ones: three runs, not 58 copies (once each, then read and written)
        assert len(copies) == (0 if kernel == "absent" else 3), kernel


def test_a_kept_range_beyond_the_old_files_end_is_an_error_not_a_short_table(tmp_path):
    old = tmp_path / "old.csv"
    old.write_bytes(b"0123456789")
    with pytest.raises(OSError, match="old.csv ended before byte 20"):
        segments.write_pieces(tmp_path / "new.csv", [memoryview(b"ab"), (4, 20)], old)


def _digested(monkeypatch) -> list[int]:
    """The number of rows each call of `grouped_digests` digests."""
    calls: list[int] = []
    real = segments.grouped_digests

    def spy(frame, *args, **kwargs):
        calls.append(len(frame))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(segments, "grouped_digests", spy)
    return calls


def test_reports_read_back_unchanged_are_not_digested_again_and_a_stale_claim_is_not_believed(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    path = tmp_path / "t.csv"
    write_table_csv(path, _frame(30, rng))
    read_from = segments.file_identity(path)
    again = read_csv(path)
    again.loc[again["report_id"] == "r4", "text"] = "changed"
    same = frozenset(f"r{r}" for r in range(30)) - {"r4"}
    calls = _digested(monkeypatch)
    write_table_csv(path, again, same, read_from)
    assert calls == [int((again["report_id"] == "r4").sum())]  # only the changed report's rows
    assert path.read_bytes() == _whole(again, tmp_path)
    recorded = json.loads(segments_file(path, list(again.columns)).read_text())["segments"]
    monkeypatch.undo()
    assert {k: d for k, (d, _, _) in recorded.items()} == {
        k: d.hex() for k, d in segments.grouped_digests(again, list(again.columns)).items()}
    # a claim about another version of the file (read before it was written again) is not believed: r9's
    # change is found by its digest although the caller says r9 is unchanged
    later = read_csv(path)
    later.loc[later["report_id"] == "r9", "text"] = "changed too"
    calls = _digested(monkeypatch)
    write_table_csv(path, later, frozenset(f"r{r}" for r in range(30)), read_from)
    assert calls == [len(later)]
    assert path.read_bytes() == _whole(later, tmp_path)


def test_a_sidecar_is_parsed_once_a_version_and_read_again_when_it_changed(tmp_path, monkeypatch):
    frame = read_csv(write_csv(tmp_path / "f.csv", _frame(6, np.random.default_rng(5))))
    path = write_table_csv(tmp_path / "t.csv", frame)
    columns = list(frame.columns)
    parsed: list[int] = []
    real = json.loads
    monkeypatch.setattr(segments.json, "loads", lambda text: parsed.append(1) or real(text))
    written = segments.recorded_digests(path, columns)
    assert segments.recorded_digests(path, columns) == written and parsed == []  # the record written, not parsed
    sidecar = segments_file(path, columns)
    record = real(sidecar.read_text())
    record["segments"]["r0"][0] = "0" * 32  # another version of the sidecar (a new file in its place)
    tmp = tmp_path / "other"
    tmp.write_text(json.dumps(record))
    os.replace(tmp, sidecar)
    assert segments.recorded_digests(path, columns)["r0"] == "0" * 32 and parsed == [1]
    assert segments.recorded_digests(path, columns)["r0"] == "0" * 32 and parsed == [1]  # once
