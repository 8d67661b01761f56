"""ENGINE=dask gives the local run's outputs byte for byte, and a worker killed mid-translation
loses and repeats nothing. A local Dask cluster of two worker processes (this machine's cores)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.config import Config
from helpers.pipeline import STAGE_NAMES
from helpers.store.contract import TABLES
from helpers.corpus.changes import COLUMNS as RUN_TIMES
from helpers.inference.memory import Memory
from helpers.models.loading import loads
from helpers.collection.database import DATABASE
from helpers.store.files import read_csv
from helpers.collection.workbook import WORKBOOK

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
KILLED_RUN_REPORTS = 10
# small batches, so that these reports make enough batches for some to be queued or running when a
# worker is killed (the outputs do not depend on the batching: test_translate checks it)
SMALL_BATCHES = ",".join(f"{key}.batch_tokens=128" for key in ("opus-mt", "distilbart", "mt5-xlsum"))
DATA = tuple(t.file for t in TABLES.values())  # every table of the data contract


def synthetic_reports(n: int, folder: Path) -> Path:
    """N synthetic reports made from the seeds (the generator `make bench-scale` uses too)."""
    from synthetic import write_reports

    write_reports(n, folder)
    return folder


def data_files(out: Path) -> dict[str, bytes]:
    """Every data file of a run by name, but run.json (which records times and the engine), the
    collection's database and workbook (made from the CSVs compared) and reports.csv's run times."""
    data = out / "data"
    files = {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()
             and p.name not in ("run.json", DATABASE, WORKBOOK) and not p.name.startswith(".")}
    files["reports.csv"] = read_csv(data / "reports.csv").drop(columns=list(RUN_TIMES)).to_csv().encode()
    return files


def memory_rows(path: Path) -> set[tuple]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return set(db.execute("SELECT key, source, output, score FROM memory"))


def test_make_reports_on_dask_gives_the_local_outputs(tmp_path, capsys, monkeypatch):
    """The whole job through the command `make reports` runs, on both engines: the same data files
    (two seeds: the killed-worker test below compares the engines on many more reports)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("001_33798f45f77cf564.txt", "003_cb679e2c5c5a0d9b.txt"):
        (seeds / name).write_bytes((SEEDS / name).read_bytes())
    common = ["reports", "--seeds", str(seeds), "--models", "demo", "--notebooks", str(ROOT / "notebooks")]
    assert main(common + ["--out", str(tmp_path / "local"), "--memory", str(tmp_path / "local.sqlite")]) == 0
    assert main(common + ["--out", str(tmp_path / "dask"), "--memory", str(tmp_path / "dask.sqlite"),
                          "--engine", "dask", "--workers", "2"]) == 0
    local, dask = data_files(tmp_path / "local"), data_files(tmp_path / "dask")
    assert set(local) == set(dask) and len(local) == len(DATA) + 3 * 2  # and .txt, .docx and .md per seed
    assert [name for name in local if local[name] != dask[name]] == []
    run = json.loads((tmp_path / "dask" / "data" / "run.json").read_text())
    assert run["engine"]["name"] == "dask" and run["engine"]["workers"] == 2
    assert set(run["engine"]["stage_seconds"]) == {*STAGE_NAMES, "notebooks", "pages", "collection"}
    assert json.loads((tmp_path / "local" / "data" / "run.json").read_text())["engine"]["name"] == "local"
    assert memory_rows(tmp_path / "local.sqlite") == memory_rows(tmp_path / "dask.sqlite")
    pages = sorted(p.name for p in (tmp_path / "dask" / "html").glob("*.html"))
    local_pages = sorted(p.name for p in (tmp_path / "local" / "html").glob("*.html"))
    assert pages == local_pages and len(pages) == 2 + 6  # and the index, the digest, the entities, three stage pages
    search = {p.relative_to(tmp_path / "dask" / "html"): p.read_bytes()
              for p in (tmp_path / "dask" / "html" / "search").rglob("*.js")}
    assert {p.name for p in search} >= {"manifest.js", "terms-0000.js", "ids-0000.js"}
    assert search == {p.relative_to(tmp_path / "local" / "html"): p.read_bytes()
                      for p in (tmp_path / "local" / "html" / "search").rglob("*.js")}
    assert "Traceback" not in capsys.readouterr().err
    # again with nothing new: every stage and page is current, and no local cluster is started only to say so
    started = []
    monkeypatch.setattr("distributed.LocalCluster.__init__", lambda *a, **k: started.append(a) or 1 / 0)
    assert main(common + ["--out", str(tmp_path / "dask"), "--memory", str(tmp_path / "dask.sqlite"),
                          "--engine", "dask", "--workers", "2"]) == 0
    assert started == []
    again = json.loads((tmp_path / "dask" / "data" / "run.json").read_text())["engine"]
    assert again["name"] == "dask" and again["workers"] == 0 and again["startup_seconds"] == 0.0
    assert "not started" in again["cluster"]
    assert data_files(tmp_path / "dask") == dask


def test_a_worker_killed_during_translation_loses_and_repeats_nothing(tmp_path, monkeypatch):
    """KILLED_RUN_REPORTS synthetic reports; one worker process killed (SIGKILL) while it runs a batch: Dask runs
    its tasks again elsewhere, and the outputs and the memory are the local run's, unit for unit."""
    from helpers.pipeline import run_stages
    from helpers.stage import RunContext

    seeds = synthetic_reports(KILLED_RUN_REPORTS, tmp_path / "seeds")
    local = Config(seeds=seeds, out=tmp_path / "local", models="demo", memory=tmp_path / "local.sqlite",
                   generation=SMALL_BATCHES)
    run_stages(local, progress=False)

    cfg = replace(local, out=tmp_path / "dask", memory=tmp_path / "dask.sqlite", engine="dask", workers=2)
    ctx = RunContext(cfg, progress=False)
    client = ctx.engine.client
    killed: list[int] = []
    store = Memory.store

    def store_then_kill(self, pairs, scores=None):
        store(self, pairs, scores)
        if not killed:  # after the first batch came back, with the others queued or running
            busy = [w for w, keys in client.processing().items() if keys]
            assert busy, "no worker was running a batch"
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    monkeypatch.setattr(Memory, "store", store_then_kill)
    with ctx:
        run_stages(cfg, ctx=ctx)
        assert killed
        pids = set(client.run(os.getpid).values())
        per_worker = client.run(loads)
    assert killed[0] not in pids  # that process is gone; the cluster went on without it
    # each worker loaded each model once (translator, two summarisers), then served every later batch
    assert per_worker and all(counts and max(counts.values()) == 1 for counts in per_worker.values()), per_worker
    local_files, dask_files = data_files(local.out), data_files(cfg.out)
    assert len(local_files) == len(DATA) + 3 * KILLED_RUN_REPORTS  # .txt, .docx and .md per report
    assert [name for name in local_files if local_files[name] != dask_files.get(name)] == []
    assert memory_rows(local.memory_file) == memory_rows(cfg.memory_file)


def test_a_task_that_keeps_killing_workers_stops_the_run_with_one_line(tmp_path, monkeypatch, capsys):
    """With no retry left (allowed-failures 0), a killed worker ends the run: exit 1, one `error:`
    line, and the batches stored before are in an intact memory."""
    import dask
    from distributed import default_client

    args = ["translate", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"), "--models", "demo",
            "--memory", str(tmp_path / "tm.sqlite"), "--engine", "dask", "--workers", "2"]
    store, killed = Memory.store, []

    def store_then_kill(self, pairs, scores=None):
        store(self, pairs, scores)
        client = default_client()  # the cluster the run started
        busy = [w for w, keys in client.processing().items() if keys]
        if busy and not killed:
            killed.append(client.run(os.getpid, workers=[busy[0]])[busy[0]])
            os.kill(killed[0], signal.SIGKILL)

    monkeypatch.setattr(Memory, "store", store_then_kill)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # read when the scheduler starts
        status = main(args)
    err = capsys.readouterr().err
    assert killed and status == 1
    assert "error: ENGINE=dask: the cluster's workers died running the same task" in err
    assert "Traceback" not in err
    assert len(memory_rows(tmp_path / "tm.sqlite")) >= 1


def test_a_report_that_fails_to_process_is_a_problem_and_the_rest_go_on(tmp_path, monkeypatch):
    from helpers.corpus import stage as corpus_stage

    build = corpus_stage.build_report

    def fails_on_one(source):
        if source.path.name.startswith("002"):
            raise IndexError("list index out of range")
        return build(source)

    monkeypatch.setattr(corpus_stage, "build_report", fails_on_one)
    result = corpus_stage.build_corpus(Config(seeds=SEEDS, out=tmp_path, models="demo"))
    assert len(result.report_table) == 4
    [problem] = result.problems.to_dict("records")
    assert problem["file"].startswith("002")
    assert problem["problem"] == "could not be processed: IndexError: list index out of range"


@pytest.mark.parametrize("fields, message", [
    ({"engine": "ray"}, "ENGINE must be one of local, dask, not 'ray'"),
    ({"cluster": "tcp://10.0.0.5:8786"}, "CLUSTER=tcp://10.0.0.5:8786 needs ENGINE=dask"),
    ({"engine": "dask", "workers": "two"}, "WORKERS must be a whole number, not 'two'"),
    ({"engine": "dask", "workers": -1}, "WORKERS must be 0 (one per core) or more, not -1"),
])
def test_engine_settings_are_checked_with_a_clear_message(fields, message):
    with pytest.raises(ValueError) as err:
        Config(**fields)
    assert str(err.value).startswith(message)


def test_an_unreachable_cluster_is_one_line_naming_it_within_seconds(tmp_path, capsys):
    import time

    started = time.monotonic()
    status = main(["translate", "--seeds", str(SEEDS), "--out", str(tmp_path), "--models", "demo",
                   "--engine", "dask", "--cluster", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert status == 1 and time.monotonic() - started < 30  # a refused port, not Dask's 120 s of retries
    assert "error: ENGINE=dask: the cluster at tcp://127.0.0.1:1 could not be reached" in err
    assert "Traceback" not in err



def test_ctrl_c_stops_a_run_on_a_local_cluster_with_one_line_and_no_worker_traceback(tmp_path):
    """A terminal's Ctrl-C reaches every process of the group: the local cluster's workers leave it to the program
    (`cores.interrupt_ignored` as they start), which stops the cluster and says so in one line, exit 130; the workers
    printed KeyboardInterrupt tracebacks of their own, and nothing is left running."""
    import subprocess
    import sys
    import time

    import psutil

    (tmp_path / "none").mkdir()  # (no stage notebooks: the run's own processes only)
    run = subprocess.Popen([sys.executable, "-m", "helpers", "reports", "--models", "demo", "--engine", "dask",
                            "--workers", "2", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"),
                            "--memory", str(tmp_path / "tm.sqlite"), "--notebooks", str(tmp_path / "none")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # (as a terminal has it)
    assert run.stdout is not None
    try:
        assert run.stdout.readline().startswith("corpus ")  # read on the workers: the cluster is up
        workers = [p for p in psutil.Process(run.pid).children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) >= 2
        time.sleep(0.5)
        os.killpg(run.pid, signal.SIGINT)  # as a terminal sends it: to the whole group
        _, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:  # (a run that did not stop: not left running, in a session of its own)
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 130 and err.splitlines() == [err.strip()] and err.startswith("interrupted:"), err[-3000:]
    psutil.wait_procs(workers, timeout=30)
    assert not [p for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
