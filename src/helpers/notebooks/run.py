"""The stage notebooks (01-03) as `make reports` runs them: each executed with papermill in its
own kernel, all at once (they only read what the stages wrote), and exported to `OUT/html/`.
Whatever a notebook wrote to stderr (warnings) is handed back, for the terminal and run.json.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers.config import Config, shown_path
from helpers.notebooks.current import forget_notebooks, notebooks_current, record_notebooks, recorded_warnings, stamps
from helpers.notebooks.execute import run_notebook
from helpers.notebooks.export import export_stage
from helpers.pages.outputs import ran_on_demo
from helpers.pages.render import StagePage, nav_for
from helpers.store.files import read_json

_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+[\w.@+-]+")


def shown_warning(text: str) -> str:
    """A notebook's stderr as one short line with the machine's paths shortened."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _ABSOLUTE.sub(lambda m: shown_path(Path(m.group(0))), first)[:300]


@dataclass
class NotebooksRun:
    """What running the stage notebooks made: their pages, what they wrote to stderr, how long it took."""

    pages: list[Path]
    warnings: list[dict[str, str]]
    seconds: float
    reused: bool = False  # read back as the last run made them (`notebooks_current`), not run


def run_stage_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun:
    """Run every stage notebook with papermill, each in its own kernel and all at once (they only
    read what the stages wrote), and export their pages; the notebooks' stderr is kept, in their
    order, for run.json and the terminal, never shown on a page. `OUT/notebooks/manifest.json`
    records what they were made from (`notebooks.current`)."""
    started = time.perf_counter()
    wanted = stamps(cfg, stages)  # before they run: what they read
    forget_notebooks(cfg)
    demo = ran_on_demo(read_json(cfg.data_dir / "run.json"))

    def run(stage: StagePage) -> tuple[Path, list[str]]:
        return export_stage(run_notebook(stage.notebook, cfg), stage, nav_for(stage.file, stages),
                            cfg.html_dir / stage.file, demo)

    with ThreadPoolExecutor(max_workers=max(1, len(stages)), thread_name_prefix="notebook") as pool:
        done = list(pool.map(run, stages))
    warnings = [{"page": stage.file, "text": shown_warning(t)}
                for stage, (_, stderr) in zip(stages, done) for t in stderr if shown_warning(t)]
    record_notebooks(cfg, stages, wanted, warnings)
    return NotebooksRun([page for page, _ in done], warnings, time.perf_counter() - started)


def reused_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun | None:
    """The stage notebooks' pages and warnings as the last run made them, when they are current
    (`notebooks_current`: nothing they show has changed), else None: run them."""
    started = time.perf_counter()
    if not notebooks_current(cfg, stages):
        return None
    return NotebooksRun([cfg.html_dir / s.file for s in stages], recorded_warnings(cfg), time.perf_counter() - started,
                        reused=True)
