"""A re-run does work in proportion to what changed, and its outputs are those a run from scratch
on the same inputs writes (issue 39): after a day-2 change (a report added, one changed, one
removed) and a review added, `reports` into the same OUT gives byte for byte the data files, the
translations and the report pages of a run into an empty OUT with the same cache.

A run from scratch here is one into an empty OUT, with the translation memory as it was before the
re-run (the cache is the machine's, not the output's): the English a kept report shows came from
what was stored, and so does the from-scratch run's. What differs by nature is left out of the
comparison: reports.csv's `first_seen` and `last_changed` (a from-scratch run sees every report
first now), run.json (times, stamps) and each page's stage timings.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cli_in_process import run_cli
from helpers.store.files import read_csv, read_json

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NEW_REPORT = ("Hà Nội: Hội nghị tổng kết công tác năm 2022\n"
              "Ngày 20-12-2022, tại Hà Nội, Đảng ủy Công an tỉnh tổ chức Hội nghị tổng kết công tác năm 2022.\n"
              "Đồng chí Nguyễn Văn An phát biểu chỉ đạo tại hội nghị.\n")
_TIMINGS = re.compile(r'<td class="num">\d+\.\d+</td>')


def _run(seeds: Path, out: Path, memory: Path, reviews: Path, notebooks: Path) -> tuple[int, str]:
    done = run_cli("reports", "--models", "demo", "--seeds", str(seeds), "--out", str(out),
                   "--memory", str(memory), "--reviews", str(reviews), "--notebooks", str(notebooks))
    assert done.returncode == 0, done.stderr
    return done.returncode, done.stdout


def _compared(out: Path) -> dict[str, bytes]:
    """The files of a run that a from-scratch run must write alike (see the module's docstring)."""
    files = {}
    for path in sorted((out / "data").rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".txt", ".md", ".docx"}:
            files[str(path.relative_to(out))] = path.read_bytes()
    reports = read_csv(out / "data" / "reports.csv").drop(columns=["first_seen", "last_changed"])
    files["data/reports.csv"] = reports.to_csv(index=False).encode()
    for path in sorted((out / "html").glob("*.html")):
        if path.stem not in {"index", "digest"}:  # those two name what is new: a from-scratch run has all new
            files[str(path.relative_to(out))] = _TIMINGS.sub("", path.read_text()).encode()
    for path in sorted((out / "html" / "search").rglob("*")):  # the search data, its index updated in place
        if path.is_file():
            files[str(path.relative_to(out))] = path.read_bytes()
    # the database, updated in place by a re-run: its content (rows in any order, the run times aside, and
    # the reports' digests, which digest them) and what its search finds
    import sqlite3
    from contextlib import closing
    from helpers.collection.database import DATABASE, DIGESTS, search
    from helpers.store.contract import TABLES

    with closing(sqlite3.connect(out / "data" / DATABASE)) as db:
        for name in (*TABLES, DIGESTS):
            kept = [f'"{c[1]}"' for c in db.execute(f'PRAGMA table_info("{name}")')
                    if c[1] not in {"first_seen", "last_changed"}]
            rows = db.execute(f'SELECT {", ".join(kept)} FROM "{name}"' + (" WHERE table_name != 'reports'"
                                                                            if name == DIGESTS else ""))
            files[f"{DATABASE}:{name}"] = repr(sorted(rows, key=repr)).encode()
    for query in ("công an", "Hà Nội", "da nang", '"hoi nghi tong ket"', "the"):
        files[f"{DATABASE}?q={query}"] = repr(search(out / "data" / DATABASE, query, limit=1000)).encode()
    return files


def _same_as_from_scratch(work: Path, seeds: Path, reviews: Path, notebooks: Path, memory_before: Path) -> None:
    """Move the incremental OUT and memory aside, run from scratch into the same paths (so every
    parameter shown is the same) with the memory as before the re-run, compare, and put back."""
    out, memory = work / "out", work / "tm.sqlite"
    incremental = _compared(out)
    shutil.move(out, work / "out-incremental")
    shutil.move(memory, work / "tm-incremental.sqlite")
    shutil.copy(memory_before, memory)
    _run(seeds, out, memory, reviews, notebooks)
    scratch = _compared(out)
    assert sorted(incremental) == sorted(scratch)
    differ = [name for name in scratch if incremental[name] != scratch[name]]
    assert differ == []
    shutil.rmtree(out)
    shutil.move(work / "out-incremental", out)
    memory.unlink()
    shutil.move(work / "tm-incremental.sqlite", memory)


KEPT_REPORT = ("Đà Nẵng: Công an thành phố triển khai nhiệm vụ năm 2023\n"
               "Sáng 5-1-2023, Công an thành phố Đà Nẵng tổ chức hội nghị triển khai nhiệm vụ năm 2023.\n"
               "Thượng tá Trần Văn Bình, Phó Giám đốc Công an thành phố, chủ trì hội nghị.\n")


@pytest.mark.slow
def test_a_re_run_keeps_what_did_not_change_and_writes_what_a_run_from_scratch_writes(tmp_path, monkeypatch,
                                                                                     two_cores):
    from helpers.corpus.stage import CorpusStage
    from helpers.pages import stage as pages

    # the search data in a process of its own (as from 1,000 reports): a re-run starts it with its stages
    monkeypatch.setattr(pages, "SEARCH_APART_AT", 1)
    events: list[str] = []
    beside, corpus = pages.search_beside, CorpusStage.run
    monkeypatch.setattr(pages, "search_beside", lambda reports: events.append("search") or beside(reports))
    monkeypatch.setattr(CorpusStage, "run", lambda *args, **kwargs: events.append("corpus") or corpus(*args, **kwargs))
    seeds, reviews, notebooks = tmp_path / "in", tmp_path / "reviews", tmp_path / "no-notebooks"
    seeds.mkdir()
    reviews.mkdir()
    notebooks.mkdir()
    for name in ("001_33798f45f77cf564.txt", "003_cb679e2c5c5a0d9b.txt", "000_b4ca7e3004645a9d.txt"):
        shutil.copy(SEEDS / name, seeds / name)
    (seeds / "kept.txt").write_text(KEPT_REPORT, encoding="utf-8")
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite"
    _run(seeds, out, memory, reviews, notebooks)
    day1 = read_csv(out / "data" / "sentences.csv")
    untouched = (out / "data" / "translations" / "kept.docx").stat().st_mtime_ns

    # day 2: one added, one changed (a sentence appended), one removed, a reviewer's English for one
    # sentence of a fourth report; the fifth (kept.txt) stays as it was
    (seeds / "new_report.txt").write_text(NEW_REPORT, encoding="utf-8")
    with open(seeds / "001_33798f45f77cf564.txt", "a", encoding="utf-8") as fh:
        fh.write("\nBài viết được cập nhật thêm một câu ở cuối vào ngày hôm sau.\n")
    (seeds / "000_b4ca7e3004645a9d.txt").unlink()
    from helpers.review.entries import Review
    from helpers.review.store import save_reviews

    source = day1.query("report_id == '003_cb679e2c5c5a0d9b'")["text_vi"].iloc[1]
    save_reviews(reviews, [Review(source, "The reviewed English of this sentence.", "anna", "2026-12-06T10:00:00Z")])
    shutil.copy(memory, tmp_path / "tm-day1.sqlite")
    assert events == ["corpus", "search"]  # a first run: the process starts with the pages
    events.clear()
    given = two_cores.given
    _, said = _run(seeds, out, memory, reviews, notebooks)
    # the re-run started it before its first stage, and its pages used that one: it gave their search data
    assert events == ["search", "corpus"] and two_cores.given - given == 2, two_cores.given - given

    # only the new, the changed and the reviewed report were read or translated again
    assert "(2 of 4 reports anew)" in _line(said, "corpus")
    assert all("(3 of 4 reports anew)" in _line(said, stage) for stage in ("translate", "summarise", "entities"))
    run = read_json(out / "data" / "run.json")
    assert run["translate"]["kept"] == 1 and run["summarise"]["kept"] == 1 and run["corpus"]["kept"] == 2
    # the kept report's mentions are kept; the entities, counted over every report's, say it is there
    assert run["entities"]["kept"] == 1 and run["entities"]["mentions"] == len(read_csv(out / "data" / "mentions.csv"))
    assert run["collection"]["new"] == ["new_report"] and run["collection"]["changed"] == ["001_33798f45f77cf564"]
    assert [r["report_id"] for r in run["collection"]["removed"]] == ["000_b4ca7e3004645a9d"]
    after = read_csv(out / "data" / "sentences.csv")
    assert after.loc[after["text_vi"] == source, "text_en"].tolist() == ["The reviewed English of this sentence."]
    assert not (out / "data" / "translations" / "000_b4ca7e3004645a9d.md").exists()
    kept, before = (frame.query("report_id == 'kept'").reset_index(drop=True) for frame in (after, day1))
    # its rows are as day 1 wrote them (a model's English found in the memory now is still the model's,
    # `origin` model), but for a collection-wide flag
    assert kept.drop(columns="flags").equals(before.drop(columns="flags")) and set(kept["origin"]) == {"model"}
    # its files are written again only if its rows changed (a collection-wide flag, low_confidence, moved)
    same_rows = kept["flags"].tolist() == before["flags"].tolist()
    assert ((out / "data" / "translations" / "kept.docx").stat().st_mtime_ns == untouched) == same_rows

    _same_as_from_scratch(tmp_path, seeds, reviews, notebooks, tmp_path / "tm-day1.sqlite")

    # and a run with nothing new keeps everything, and says so
    _, said = _run(seeds, out, memory, reviews, notebooks)
    assert all("(unchanged, read back)" in _line(said, stage) for stage in ("corpus", "translate", "summarise"))
    assert "(unchanged)" in _line(said, "collection")
    collection = read_json(out / "data" / "run.json")["collection"]
    assert (collection["new"], collection["changed"], collection["removed"]) == ([], [], [])


@pytest.mark.slow
def test_a_re_run_that_fails_after_the_search_data_s_process_started_leaves_no_process_behind(tmp_path, monkeypatch,
                                                                                              two_cores):
    import multiprocessing

    from helpers.errors import EnvironmentProblem
    from helpers.pages import stage as pages
    from helpers.translate.stage import TranslateStage

    monkeypatch.setattr(pages, "SEARCH_APART_AT", 1)  # as from 1,000 reports
    seeds, reviews, notebooks = tmp_path / "in", tmp_path / "reviews", tmp_path / "no-notebooks"
    for folder in (seeds, reviews, notebooks):
        folder.mkdir()
    (seeds / "kept.txt").write_text(KEPT_REPORT, encoding="utf-8")
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite"
    _run(seeds, out, memory, reviews, notebooks)
    (seeds / "new_report.txt").write_text(NEW_REPORT, encoding="utf-8")

    def lost(*args, **kwargs):
        raise EnvironmentProblem("the translation model went missing during the run")

    monkeypatch.setattr(TranslateStage, "run", lost)
    pools, running = len(two_cores), set(multiprocessing.active_children())
    done = run_cli("reports", "--models", "demo", "--seeds", str(seeds), "--out", str(out), "--memory", str(memory),
                   "--reviews", str(reviews), "--notebooks", str(notebooks))
    assert done.returncode == 1 and "the translation model went missing" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(two_cores) == pools + 1  # the search data's process started with the stages
    assert set(multiprocessing.active_children()) <= running  # and ended with the run that failed


def _line(said: str, stage: str) -> str:
    """The terminal line of `stage`."""
    return next(line for line in said.splitlines() if line.startswith(stage))


@pytest.mark.slow
def test_a_re_run_where_only_a_rejected_file_came_or_went_makes_no_report_anew(tmp_path):
    seeds, notebooks = tmp_path / "in", tmp_path / "no-notebooks"
    seeds.mkdir()
    notebooks.mkdir()
    (seeds / "kept.txt").write_text(KEPT_REPORT, encoding="utf-8")
    args = ("reports", "--models", "demo", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
            "--memory", str(tmp_path / "tm.sqlite"), "--notebooks", str(notebooks))
    assert run_cli(*args).returncode == 0
    (seeds / "empty.txt").write_bytes(b"")
    second = run_cli(*args)
    assert second.returncode == 2, second.stderr  # one input rejected, the rest as it was
    assert "(0 of 1 reports anew)" in _line(second.stdout, "translate")
    assert "(0 of 1 reports anew)" in _line(second.stdout, "summarise")


@pytest.mark.slow
def test_a_project_folder_moved_elsewhere_keeps_its_work(tmp_path):
    """The stamps hold what a path holds, not where it is: the analyst who moves or renames the folder
    of inputs and OUT (or copies it to another machine) is not made to wait for the whole collection."""
    before, after = tmp_path / "project", tmp_path / "renamed"
    seeds = before / "in"
    seeds.mkdir(parents=True)
    (seeds / "kept.txt").write_text(KEPT_REPORT, encoding="utf-8")

    def args(root: Path) -> tuple[str, ...]:
        return ("reports", "--models", "demo", "--seeds", str(root / "in"), "--out", str(root / "out"),
                "--memory", str(tmp_path / "tm.sqlite"), "--notebooks", str(tmp_path / "no-notebooks"))

    (tmp_path / "no-notebooks").mkdir()
    assert run_cli(*args(before)).returncode == 0
    shutil.move(before, after)
    moved = run_cli(*args(after))
    assert moved.returncode == 0, moved.stderr
    assert all("(unchanged, read back)" in _line(moved.stdout, stage) for stage in ("corpus", "translate", "summarise"))
    (after / "in" / "new_report.txt").write_text(NEW_REPORT, encoding="utf-8")
    grown = run_cli(*args(after))
    assert "(1 of 2 reports anew)" in _line(grown.stdout, "corpus"), grown.stdout


def test_the_previous_outputs_parse_each_table_file_once_and_a_stage_missing_columns_starts_afresh(tmp_path,
                                                                                                monkeypatch):
    import pandas as pd

    from helpers import reuse
    from helpers.config import Config
    from helpers.corpus.stage import CorpusStage
    from helpers.store.contract import TABLES, columns_written
    from helpers.store.files import write_csv
    from helpers.summarise.stage import SummariseStage
    from helpers.translate.stage import TranslateStage

    cfg = Config(seeds=SEEDS, out=tmp_path / "out", models="demo")
    cfg.data_dir.mkdir(parents=True)
    for name, table in TABLES.items():
        rows = [{c: f"{c} {r}" for c in table.columns} | {"report_id": f"r{r}"} for r in range(3)]
        write_csv(cfg.data_dir / table.file, pd.DataFrame(rows, columns=list(table.columns)))
    parsed: list[str] = []
    real = reuse.read_csv
    monkeypatch.setattr(reuse, "read_csv", lambda path, columns=None: parsed.append(path.name) or real(path, columns))
    corpus, translate, summarise = CorpusStage(), TranslateStage(), SummariseStage()
    got = reuse.previous_outputs(cfg, [corpus, translate, None, summarise])
    files = {TABLES[n].file for s in (corpus, translate, summarise) for n in s.writes}
    assert sorted(parsed) == sorted(files)  # each once
    assert got[2] is None and all(p is not None for i, p in enumerate(got) if i != 2)
    for stage, previous in zip((corpus, translate, None, summarise), got):
        if stage is not None:
            assert {n: list(f.columns) for n, f in previous.tables.items()} == {
                n: list(columns_written(n, stage.name)) for n in stage.writes}
            assert previous.tables["sentences" if "sentences" in stage.writes else stage.writes[0]]["report_id"] \
                .tolist() == ["r0", "r1", "r2"]
    # sentences.csv as the corpus left it (a run stopped before the translation): the corpus keeps its rows,
    # the translation has none to keep
    narrow = pd.read_csv(cfg.data_dir / "sentences.csv", dtype=str)[list(columns_written("sentences", "corpus"))]
    write_csv(cfg.data_dir / "sentences.csv", narrow)
    again = reuse.previous_outputs(cfg, [corpus, translate])
    assert again[0] is not None and again[1] is None


def test_rows_moved_between_kept_reports_change_both_and_neither_keeps_its_old_bytes(tmp_path):
    import pandas as pd

    from helpers.reuse import changed_reports
    from helpers.stage import Previous
    from helpers.store.files import csv_bytes, forget_written
    from helpers.store.segments import file_identity, write_table_csv

    path = tmp_path / "t.csv"
    write_table_csv(path, pd.DataFrame({"report_id": ["A", "B", "B", "C"], "v": ["x", "y", "y", "z"]}))
    forget_written()
    read_from, read = file_identity(path), read_csv(path)
    made = pd.DataFrame({"report_id": ["A", "A", "B", "C"], "v": ["x", "x", "y", "z"]})  # a pass moved a row
    changed = changed_reports({"t": made}, Previous({"t": read}, frozenset()), {"A", "B", "C"})
    assert changed == {"A", "B"}
    write_table_csv(path, made, frozenset({"A", "B", "C"} - changed), read_from)
    assert path.read_bytes() == csv_bytes(made)


def test_the_corpus_says_which_kept_reports_rows_are_as_read_and_not_one_whose_row_it_restated():
    """`StageOutput.same` of the corpus: the reports it did not read anew, less any whose reports row
    `track_changes` stated otherwise (a `first_seen` filled in for an old row without one)."""
    import pandas as pd

    from helpers.corpus.stage import kept_as_read
    from helpers.stage import Previous

    before = pd.DataFrame({"report_id": ["r0", "r1", "r2"], "first_seen": ["t0", "", "t0"]})
    now = pd.DataFrame({"report_id": ["r0", "r1", "r2", "r3"], "first_seen": ["t0", "t1", "t0", "t1"]})
    previous = Previous({"reports": before}, frozenset())
    assert kept_as_read(previous, now, frozenset({"r2", "r3"})) == {"r0"}
    assert kept_as_read(previous, now, None) == frozenset()
    assert kept_as_read(None, now, frozenset()) == frozenset()


def test_another_release_of_a_library_a_step_declares_makes_its_rows_anew(tmp_path, monkeypatch):
    """underthesea cuts the sentences and tags the entities: a kept report's rows made by another release are
    not those this one makes, so its version is in the base stamp of the steps that use it (and of those after
    them), and a re-run keeps none of their rows; a library no step declares changes no stamp."""
    import helpers.stamps as stamps
    from helpers.config import Config
    from helpers.pipeline import SEQUENCE

    cfg = Config(seeds=tmp_path, out=tmp_path / "out", models="demo")

    def bases() -> list[str]:
        return [stamps.stamp(cfg, SEQUENCE[: at + 1], lambda names: "reviews", inputs=False)
                for at in range(len(SEQUENCE))]

    before, real = bases(), stamps.version
    monkeypatch.setattr(stamps, "version", lambda name: "99.0" if name == "underthesea" else real(name))
    assert [a != b for a, b in zip(before, bases())] == [True] * len(SEQUENCE)  # the corpus is the first step
    monkeypatch.setattr(stamps, "version", lambda name: "99.0" if name == "transformers" else real(name))
    assert bases() == before
