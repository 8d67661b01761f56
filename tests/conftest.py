"""Shared fixtures. Notebook runs under nbval write to a temporary OUT and use demo models."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


# A test is slow (left out of `make test-fast`) when it needs a whole run, a real-layout model hub,
# a kernel or a subprocess: it uses one of these fixtures, sits in one of these modules, is a
# notebook (nbval), or says so with @pytest.mark.slow.
SLOW_FIXTURES = {"seed_run", "odd_run", "hostile_run", "hostile_corpus_run", "whole_job_pages", "summary_run",
                 "real_hub", "offline_hub"}
SLOW_MODULES = {"test_engines.py", "test_real_models.py", "test_whole_runs_under_stress.py", "test_progress.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (item.path.suffix == ".ipynb" or item.path.name in SLOW_MODULES
                or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    # nbval kernels inherit this environment: keep their outputs out of the work tree, one folder per
    # test process (`make test` runs two, pytest-xdist's workers: each runs its notebooks on its own OUT).
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["HELPERS_OUT"] = tempfile.mkdtemp(prefix=f"helpers-nbval-{os.environ['PYTEST_XDIST_WORKER']}-")
    os.environ.setdefault("HELPERS_OUT", tempfile.mkdtemp(prefix="helpers-nbval-"))
    os.environ.setdefault("HELPERS_MODELS", "demo")
    # ...and read no reviews the checkout may hold (whole runs and notebooks give the models' English)
    os.environ.setdefault("HELPERS_REVIEWS", tempfile.mkdtemp(prefix="helpers-reviews-"))
    os.environ.setdefault("HELPERS_CACHE", str(ROOT / ".cache"))
    # ...and the review panel remembers names and unsaved edits in a folder of the test run, not the user's
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.environ[xdg] = tempfile.mkdtemp(prefix=f"helpers-{xdg.lower()}-")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def seed_lines() -> dict[str, list[str]]:
    """Lines of each seed, keyed by the first three characters of its file name."""
    from helpers.corpus.inputs import SourceFile, read_source

    lines: dict[str, list[str]] = {}
    for p in sorted(SEEDS.glob("*.txt")):
        source = read_source(p)
        assert isinstance(source, SourceFile), source  # a seed is never rejected
        lines[p.name[:3]] = list(source.lines)
    return lines


@pytest.fixture(scope="session")
def seed_reports():
    """Every seed report, classified."""
    from helpers.corpus.lines import build_report
    from helpers.corpus.inputs import read_folder

    sources, rejections = read_folder(SEEDS)
    assert not rejections
    return {s.report_id[:3]: build_report(s) for s in sources}


@pytest.fixture(scope="session")
def small_seeds(tmp_path_factory) -> Path:
    """A folder holding the shortest seed only: for tests of what a run does with any input, where the
    five seeds would only make the run longer."""
    folder = tmp_path_factory.mktemp("small-seeds")
    shutil.copy(SEEDS / "001_33798f45f77cf564.txt", folder)
    return folder


@pytest.fixture(scope="session")
def demo_cache() -> Path:
    """The cache folder demo models are built into: once, then reused by every test and run."""
    return Path(os.environ["HELPERS_CACHE"])


@pytest.fixture(scope="session")
def real_hub(demo_cache, tmp_path_factory) -> Path:
    """A Hugging Face cache holding the six registry models as their real repos lay them out
    (pytorch_model.bin, the real tokenizer files and config keys; tiny random weights), built once
    into the project cache and laid out here (blobs, snapshots/<commit>, refs/main)."""
    from helpers.models.registry import MODEL_REGISTRY
    from helpers.models.standins import build_standin, place_in_hub_cache
    from helpers.models.families import family_of

    hub = tmp_path_factory.mktemp("hf-cache")
    for spec in MODEL_REGISTRY.values():
        folder = build_standin(spec, family_of(spec).standin, demo_cache, weights="bin")
        place_in_hub_cache(folder, spec.source, hub)
    return hub


@pytest.fixture
def offline_hub(real_hub, monkeypatch) -> Path:
    """The real-layout cache in force, offline: what a user with the models copied in has."""
    monkeypatch.setenv("HF_HUB_CACHE", str(real_hub))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return real_hub


@pytest.fixture(scope="module")
def browser():
    """Real Chromium through playwright, one per test module (tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


class Pools(list):
    """The arguments of each process pool started, in order; `given`: how many pieces of work came back from
    their processes (a pool whose processes were lost leaves the work to this process, with the same results)."""

    given = 0


@pytest.fixture
def two_cores(monkeypatch) -> Pools:
    """A machine of two cores where processes may be spawned (`inference.cores`); the arguments of each process
    pool started, in order (`[(2,)]`: one pool of two processes), and how much work they gave back."""
    from concurrent.futures import ProcessPoolExecutor

    from helpers.inference import cores

    pools = Pools()

    def given(future) -> None:
        if not future.cancelled() and future.exception() is None:
            pools.given += 1

    class Recorded(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

        def submit(self, *args, **kwargs):
            future = super().submit(*args, **kwargs)
            future.add_done_callback(given)
            return future

    monkeypatch.setattr(cores, "spawn_safe", lambda: True)
    monkeypatch.setattr(cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(cores, "ProcessPoolExecutor", Recorded)
    return pools
