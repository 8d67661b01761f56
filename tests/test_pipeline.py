"""The corpus stage end to end: the data contract, the ledger invariant, rejections, exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from helpers.config import Config
from helpers.corpus.inputs import read_source
from helpers.store.files import read_csv
from helpers.pipeline import run_stages

from cli_in_process import run_cli
from conftest import SEEDS


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return run_stages(Config(seeds=SEEDS, out=out, models="demo"), "corpus", say=False).tables, out


def test_ledger_holds_every_line_of_every_seed_once(seed_run):
    _, out = seed_run
    ledger = read_csv(out / "data" / "ledger.csv")
    for path in sorted(SEEDS.glob("*.txt")):
        lines = read_source(path).lines
        rows = ledger[ledger["report_id"] == path.stem]
        assert rows["line_no"].astype(int).tolist() == list(range(1, len(lines) + 1))
        assert rows["text"].tolist() == list(lines)


def test_contract_columns(seed_run):
    _, out = seed_run
    data = out / "data"
    assert list(read_csv(data / "ledger.csv").columns) == ["report_id", "line_no", "role", "reason", "text"]
    assert list(read_csv(data / "reports.csv").columns)[:8] == [
        "report_id", "file", "title", "date", "author", "source", "n_lines", "n_sentences"
    ]
    assert list(read_csv(data / "sentences.csv").columns)[:4] == ["report_id", "sentence_no", "line_no", "text_vi"]
    assert (data / "problems.csv").read_text() == '"file","problem"\n'  # a header only, every field quoted
    run = json.loads((data / "run.json").read_text())
    assert run["corpus"]["reports"] == 5 and run["corpus"]["rejected"] == 0
    assert run["corpus"]["lines"] == len(read_csv(data / "ledger.csv"))


def test_sentences_point_at_text_lines(seed_run):
    result, _ = seed_run
    ledger = result["ledger"].set_index(["report_id", "line_no"])
    for row in result["sentences"].itertuples():
        assert ledger.loc[(row.report_id, row.line_no), "role"] == row.role
    counts = result["sentences"][result["sentences"]["role"] != "caption"].groupby("report_id").size()
    assert counts.to_dict() == result["reports"].set_index("report_id")["n_sentences"].to_dict()


@pytest.mark.slow
def test_cli_rejects_bad_files_keeps_the_rest_and_exits_2(tmp_path):
    seeds = tmp_path / "in"
    shutil.copytree(SEEDS, seeds)
    (seeds / "latin1.txt").write_bytes("Báo cáo".encode("latin-1"))
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blob.txt").write_bytes(bytes(range(256)))
    out = tmp_path / "out"
    proc = run_cli("corpus", "--seeds", str(seeds), "--out", str(out))  # in this process: cli_in_process
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for name, problem in [("latin1.txt", "not valid UTF-8"), ("empty.txt", "empty"), ("blob.txt", "binary")]:
        assert f"{seeds / name}: " in proc.stderr and problem in proc.stderr
    problems = read_csv(out / "data" / "problems.csv")
    assert sorted(problems["file"]) == ["blob.txt", "empty.txt", "latin1.txt"]  # names within SEEDS, as reports.csv
    assert read_csv(out / "data" / "reports.csv")["report_id"].str[:3].tolist() == ["000", "001", "002", "003", "004"]


@pytest.mark.slow
def test_cli_names_a_missing_input_folder(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "corpus", "--seeds", str(tmp_path / "nope"), "--out", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert "nope does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_reports_names_a_missing_notebooks_folder_before_any_work(tmp_path):
    """A typo in --notebooks (NOTEBOOKS=) would have run every stage and then no stage notebook, silently."""
    from cli_in_process import run_cli

    done = run_cli("reports", "--models", "demo", "--seeds", str(tmp_path), "--out", str(tmp_path / "out"),
                   "--notebooks", str(tmp_path / "notebok"))
    assert done.returncode != 0
    assert "--notebooks" in done.stderr and "notebok: no such folder" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "data" / "sentences.csv").exists()


def test_shared_outputs_show_paths_without_the_machine_s_folders(tmp_path):
    from pathlib import Path

    from helpers.config import PROJECT_ROOT, shown_path

    assert shown_path(PROJECT_ROOT / "seeds") == "seeds" and shown_path(PROJECT_ROOT) == "."
    assert shown_path(Path.home() / "data" / "in") == "~/data/in"
    assert shown_path(Path("/srv/archive/2022/reports")) == "…/2022/reports"
    cfg = Config(seeds=SEEDS, out=tmp_path / "out", models="demo", memory=tmp_path / "tm.sqlite")
    assert cfg.absolute_paths()["memory"] == str(tmp_path / "tm.sqlite")
    assert not any(str(tmp_path) in str(v) for v in cfg.shown_parameters().values())


@pytest.mark.slow
def test_a_planted_bug_in_a_stage_keeps_its_traceback_and_a_user_error_is_one_line(tmp_path, monkeypatch, capsys):
    """The CLI boundary turns only a UserError (or an OSError) into one line: a bug raises through."""
    from helpers.cli import main
    from helpers.errors import InputError
    from helpers.translate.stage import TranslateStage

    args = ["translate", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"), "--models", "demo",
            "--memory", str(tmp_path / "tm.sqlite")]

    def bug(self, ctx, tables, previous=None):
        raise ZeroDivisionError("a planted bug")

    monkeypatch.setattr(TranslateStage, "run", bug)
    with pytest.raises(ZeroDivisionError, match="a planted bug"):
        main(args)

    def user_problem(self, ctx, tables, previous=None):
        raise InputError("reviews/glossary.csv, row 3: needs a term")

    monkeypatch.setattr(TranslateStage, "run", user_problem)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "error: reviews/glossary.csv, row 3: needs a term" in err and "Traceback" not in err


@pytest.mark.slow
def test_the_reviewers_glossary_reaches_the_summaries_translation(tmp_path, monkeypatch):
    """A reviewer's term is in the glossary the Vietnamese summaries are translated with, as it is for
    the sentences (through the command)."""
    from helpers.inference import sentences as translation

    reviews = tmp_path / "reviews"
    reviews.mkdir()
    (reviews / "glossary.csv").write_text("term,kind,expansion_vi,english,variants,variants_en\n"
                                          "Hội nghị tổng kết,office,,Year-End Review Conference,,\n", encoding="utf-8")
    seen: list[set[str]] = []
    original = translation.translate_sentences

    def spy(sources, loaded, memory, glossary, *args, **kwargs):
        seen.append({t.term for t in glossary})
        return original(sources, loaded, memory, glossary, *args, **kwargs)

    monkeypatch.setattr(translation, "translate_sentences", spy)
    proc = run_cli("summarise", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"), "--models", "demo",
                   "--memory", str(tmp_path / "tm.sqlite"), "--reviews", str(reviews))
    assert proc.returncode == 0, proc.stderr
    assert seen  # the summaries' translation (and the sentences', where the spy is in place when they run)
    assert all("Hội nghị tổng kết" in terms and "CAND" in terms for terms in seen)


@pytest.mark.slow
def test_a_review_saved_while_the_run_translates_is_applied_by_the_next_run(tmp_path, monkeypatch):
    """The reviews a run uses are read once and their digest is what its stamp records: a review
    saved while the translation runs (here: from inside it) is not in this run's English, and the
    next run is not 'unchanged' but translates again and applies it."""
    from helpers.review.entries import Review
    from helpers.review.store import save_reviews
    from helpers.translate.stage import TranslateStage

    reviews = tmp_path / "reviews"
    cfg = Config(seeds=SEEDS, out=tmp_path / "out", models="demo", memory=tmp_path / "tm.sqlite", reviews=reviews)
    source = run_stages(cfg, "corpus", say=False).tables["sentences"]["text_vi"].iloc[3]
    original = TranslateStage.run

    def run_with_a_save_meanwhile(self, ctx, tables, previous=None):
        ctx.reviews.sentences  # the run has read its reviews
        save_reviews(reviews, [Review(source, "The reviewed English.", "anna", "2026-12-06T10:00:00Z")])
        return original(self, ctx, tables, previous)

    monkeypatch.setattr(TranslateStage, "run", run_with_a_save_meanwhile)
    during = run_stages(cfg, "translate", say=False)
    assert "The reviewed English." not in during.tables["sentences"]["text_en"].tolist()
    monkeypatch.setattr(TranslateStage, "run", original)
    after = run_stages(cfg, "translate", say=False)
    assert not after.reused["translate"]
    row = after.tables["sentences"][after.tables["sentences"]["text_vi"] == source].iloc[0]
    assert row["text_en"] == "The reviewed English." and row["origin"] == "review"
    assert after.records["translate"]["reviews"]["entries"] == 1


def test_a_run_is_told_once_when_its_first_stage_runs_and_not_when_every_stage_is_read_back(tmp_path):
    """`on_work` is where a whole run starts its notebooks' kernels: once when a stage runs, never for a
    run with nothing new (kernels started for nothing would cost it seconds)."""
    cfg = Config(seeds=SEEDS, out=tmp_path / "out", models="demo")
    told: list[str] = []
    run_stages(cfg, "corpus", say=False, on_work=lambda: told.append("work"))
    assert told == ["work"]
    run_stages(cfg, "corpus", say=False, on_work=lambda: told.append("again"))
    assert told == ["work"]
