"""The stage notebooks of `make reports` (01-03) at scale, their paths, and whether they are current
(issues 38 and 39): their pages summarise a collection of any size and stay small; the executed copies
and pages never show the analyst's folders; `notebooks_current` says when a re-run may skip them."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from cli_in_process import run_cli
from helpers.config import Config
from helpers.notebooks.current import manifest_path, notebooks_current
from helpers.notebooks.execute import shown_parameters
from helpers.notebooks.overview import exploded, flag_codes, newest, sample, spread, tally, word_counts
from helpers.notebooks.run import reused_notebooks, run_stage_notebooks
from helpers.notebooks.stages import is_view, notebook_paths, stage_page
from helpers.store.paths import PROJECT_ROOT, shown_path
from scaled import scale_data
from synthetic import write_reports

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REPORTS = 12  # the run made by the command; copied to SCALED for the size check
SCALED = 600


def stage_pages(folder: Path = NOTEBOOKS) -> list:
    return [stage_page(nb) for nb in notebook_paths(folder) if not is_view(nb)]


@pytest.fixture(scope="module")
def reports_run(tmp_path_factory, demo_cache):
    """`python -m helpers reports` (what `make reports` runs) on REPORTS synthetic reports, with the notebooks."""
    tmp = tmp_path_factory.mktemp("stage-notebooks")
    seeds = tmp / "in"
    write_reports(REPORTS, seeds)
    cfg = Config(seeds=seeds, out=tmp / "out", models="demo", cache_dir=demo_cache, memory=tmp / "tm.sqlite",
                 reviews=Path(os.environ["HELPERS_REVIEWS"]))  # the run's own: conftest's empty reviews
    proc = run_cli("reports", "--seeds", str(seeds), "--out", str(cfg.out), "--models", "demo",
                   "--memory", str(cfg.memory), "--cache-dir", str(demo_cache), "--notebooks", str(NOTEBOOKS))
    assert proc.returncode == 0, proc.stderr
    return cfg


@pytest.mark.slow  # a whole run with the notebooks
def test_executed_notebooks_and_their_pages_show_no_absolute_path(reports_run):
    cfg = reports_run
    files = sorted((cfg.out / "notebooks").glob("*.ipynb")) + [cfg.html_dir / s.file for s in stage_pages()]
    assert len(files) == 6
    machine = re.compile(re.escape(str(cfg.out.parent)) + "|" + re.escape(str(ROOT)))
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not machine.search(text), f"{path.name} shows a folder of this machine"
    nb = nbformat.read(cfg.out / "notebooks" / "01_corpus.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    given: dict = {}
    exec(injected.source, given)  # the injected cell: plain assignments, as a kernel would run them
    assert given["OUT"] == shown_path(cfg.out) and given["MODELS"] == "demo" and given["SEEDS"].endswith("/in")
    assert nb.metadata["papermill"]["parameters"]["SEEDS"] == shown_path(cfg.seeds)
    assert nb.metadata["papermill"]["input_path"] == "notebooks/01_corpus.ipynb"


def test_a_path_inside_the_project_is_given_relative_and_read_back_as_the_same_folder():
    shown = shown_parameters({"OUT": str(PROJECT_ROOT / "build" / "day2"), "SEEDS": "/srv/scrapes/2026/in",
                              "MODELS": "demo", "MEMORY": ""})
    assert shown == {"OUT": "build/day2", "SEEDS": "…/2026/in", "MODELS": "demo", "MEMORY": ""}
    assert Config.from_parameters({"OUT": shown["OUT"]}).out == PROJECT_ROOT / "build" / "day2"


@pytest.mark.slow  # a whole run with the notebooks
def test_the_stage_pages_stay_small_and_summarise_a_collection_fifty_times_larger(reports_run, tmp_path):
    """The same notebooks on SCALED reports (the run's data copied): pages of about the same size,
    naming a bounded number of reports, with the collection's counts."""
    small = reports_run
    big = replace(small, out=scale_data(small.out, SCALED, tmp_path / "big"))
    stages = stage_pages()
    ran = run_stage_notebooks(big, stages)
    assert [p.name for p in ran.pages] == [s.file for s in stages]
    ids = set(pd.read_csv(big.data_dir / "reports.csv", dtype=str)["report_id"])
    assert len(ids) == SCALED
    for stage in stages:
        before = (small.html_dir / stage.file).stat().st_size
        page = (big.html_dir / stage.file).read_text(encoding="utf-8")
        named = {rid for rid in re.findall(r"[0-9a-z_]+-\d{4}", page) if rid in ids}
        assert len(page.encode()) < 1.5 * before + 20_000 and len(page.encode()) < 150_000, stage.file
        assert len(named) <= 40, f"{stage.file} names {len(named)} of the {SCALED} reports"
    corpus = (big.html_dir / "01_corpus.html").read_text(encoding="utf-8")
    assert f">{SCALED}<" in corpus  # the count of reports


@pytest.mark.slow  # a whole run with the notebooks
def test_the_notebooks_are_current_after_a_run_and_not_once_anything_they_show_changed(reports_run, tmp_path):
    cfg = reports_run
    stages = stage_pages()
    assert notebooks_current(cfg, stages)
    again = reused_notebooks(cfg, stages)
    assert again is not None and again.pages == [cfg.html_dir / s.file for s in stages]
    assert again.warnings == json.loads((cfg.data_dir / "run.json").read_text())["warnings"]

    assert not notebooks_current(replace(cfg, summary_max_words=50), stages)  # a parameter
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy)
    assert notebooks_current(cfg, stage_pages(copy))  # the same bytes elsewhere
    edited = copy / "02_translate.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not notebooks_current(cfg, stage_pages(copy))  # a notebook
    assert not notebooks_current(cfg, stages[:2])  # another set of notebooks

    for path in (cfg.data_dir / "summaries.csv", cfg.html_dir / "03_summarise.html",
                 cfg.out / "notebooks" / "01_corpus.ipynb", manifest_path(cfg)):
        kept, st = path.read_bytes(), path.stat()
        path.write_bytes(kept[: len(kept) // 2])  # the data, a page, an executed copy, the manifest cut short
        assert not notebooks_current(cfg, stages), path.name
        path.unlink()
        assert not notebooks_current(cfg, stages), path.name
        path.write_bytes(kept)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert notebooks_current(cfg, stages)
    (cfg.data_dir / "ledger.csv").touch()  # a table written again: its size and time are what is checked
    assert not notebooks_current(cfg, stages)


def test_the_overview_counts_most_first_and_samples_the_same_rows_each_time():
    frame = pd.DataFrame({"report_id": ["a", "a", "b", "c", "c", "c"], "role": ["x", "y", "x", "x", "x", "y"],
                          "flags": ["n:1 | t:Bộ Công an", "", "n:2", "t:Hà Nội | t:CAND | n:4", "", "n:3"]})
    counted = tally(frame, ["role"], "lines")
    assert counted.to_dict("records") == [{"role": "x", "lines": 4, "reports": 3},
                                          {"role": "y", "lines": 2, "reports": 2}]
    flags = flag_codes(frame)
    assert tally(flags, ["flag"], "sentences")[["flag", "sentences", "reports"]].values.tolist() == [
        ["n", 4, 3], ["t", 2, 2]]  # a sentence with a flag twice counted once: never more sentences than there are
    assert tally(flags, ["detail"], "sentences")["sentences"].tolist() == [1] * 7  # each detail its sentence's
    assert flags[flags["flag"] == "t"]["detail"].tolist() == ["Bộ Công an", "Hà Nội", "CAND"]
    big = pd.DataFrame({"report_id": [f"r{i}" for i in range(1000)], "n": range(1000)})
    drawn = sample(big, 12)
    assert len(drawn) == 12 and drawn.equals(sample(big, 12)) and drawn["n"].is_monotonic_increasing
    reports = pd.DataFrame({"report_id": ["a", "b", "c"], "date": ["2024-01-02", "", "2025-03-01"]})
    assert newest(reports, 2)["report_id"].tolist() == ["c", "a"]
    assert spread(pd.Series([1, 2, 3, 10]), "words").iloc[0].to_dict() == {
        "count": 4, "mean words": 4.0, "median words": 2.5, "90% at most": 7.9, "most words": 10.0}


def test_word_counts_are_str_splits_for_every_kind_of_whitespace_and_items_are_split_as_written():
    spaces = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
    texts = pd.Series(["", "one", f"a{spaces}b", " Hà\u00a0Nội\u2028x ", None, "\u200bzero-width is no space",
                       "😀 ✓  \U00020000", spaces, "a lone \udc80 surrogate"], index=[7, 3, 9, 1, 2, 8, 4, 6, 0])
    assert word_counts(texts).to_dict() == {i: 0 if pd.isna(t) else len(t.split()) for i, t in texts.items()}
    assert word_counts(texts).to_dict() == {7: 0, 3: 1, 9: 2, 1: 3, 2: 0, 8: 4, 4: 3, 6: 0, 0: 4}
    # each whitespace character alone between words, and single spaces (counted without splitting) beside runs
    alone = pd.Series([f"x{c}y z" for c in spaces] + ["a b c", "a  b c", " a b", "a b ", "Hà Nội, 20-12"])
    assert word_counts(alone).tolist() == [len(t.split()) for t in alone] and word_counts(alone).tolist()[-5:] == [
        3, 3, 2, 2, 3]
    frame = pd.DataFrame({"report_id": ["a", "b", "c", "d"], "terms": ["x|y", "", "z||x", None]}, index=[5, 6, 7, 8])
    items = exploded(frame, "terms", "|", "term")
    assert items.index.tolist() == [5, 5, 7, 7] and items["term"].tolist() == ["x", "y", "z", "x"]
    assert items["report_id"].tolist() == ["a", "a", "c", "c"] and list(items.columns) == ["report_id", "term"]


def test_inspecting_a_notebook_leaves_out_the_unused_iri_grammar():
    """nbformat's jsonschema would import rfc3987-syntax and compile its grammar (0.9 s of each run); the
    notebooks package leaves it out, and notebooks are still inspected and validated."""
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "from helpers.notebooks.stages import is_view, stage_page\n"
        "import nbformat\n"
        "from pathlib import Path\n"
        "nb = nbformat.read('notebooks/01_corpus.ipynb', as_version=4)\n"
        "nbformat.validate(nb)\n"
        "print(is_view(Path('notebooks/01_corpus.ipynb')), is_view(Path('notebooks/04_report.ipynb')))\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'), 'lark' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    views, left_out = done.stdout.splitlines()
    assert views == "False True"
    assert left_out == "None False"


@pytest.mark.slow  # a whole run again
def test_a_re_run_s_stage_pages_do_not_call_the_pages_it_makes_out_of_date(reports_run, tmp_path, demo_cache,
                                                                             monkeypatch):
    """The stage notebooks of a re-run (the pages there already) run as their stage is done, before the run has
    marked what its pages are made from: their note on out-of-date pages, for a notebook run by hand, says nothing."""
    import time

    from helpers.entities.stage import EntitiesStage

    cfg = reports_run
    seeds, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(cfg.seeds, seeds)
    shutil.copytree(cfg.out, out)
    started, entities = time.time(), EntitiesStage.run

    def after_notebook_01(self, *args, **kwargs):  # the last stage waits for notebook 01, run beside the stages
        executed, deadline = out / "notebooks" / "01_corpus.ipynb", time.monotonic() + 60
        while executed.stat().st_mtime < started and time.monotonic() < deadline:
            time.sleep(0.1)
        return entities(self, *args, **kwargs)

    monkeypatch.setattr(EntitiesStage, "run", after_notebook_01)
    shutil.copy(cfg.memory, tmp_path / "tm.sqlite")
    write_reports(1, tmp_path / "more", seed=5)[0].rename(seeds / "synthetic_new.txt")  # a day's new report
    proc = run_cli("reports", "--seeds", str(seeds), "--out", str(out), "--models", "demo", "--memory",
                   str(tmp_path / "tm.sqlite"), "--cache-dir", str(demo_cache), "--notebooks", str(NOTEBOOKS))
    assert proc.returncode == 0, proc.stderr
    assert "(1 of" in proc.stdout  # a re-run: one report made anew
    for stage in stage_pages():
        assert "out of date" not in (out / "html" / stage.file).read_text(encoding="utf-8"), stage.file
