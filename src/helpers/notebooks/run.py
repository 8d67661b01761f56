"""The stage notebooks (01-03) as `make reports` runs them: executed with papermill one after another
in one kernel, each in a fresh namespace (`execute.SharedKernel`; they only read what the stages wrote),
and exported to `OUT/html/`; a run starts the kernel while its stages run (`StageNotebooks.start`).
Whatever a notebook wrote to stderr (warnings) is handed back, for the terminal and run.json.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.config import Config, shown_path
from helpers.notebooks.current import forget_notebooks, notebooks_current, record_notebooks, recorded_warnings, stamps
from helpers.notebooks.execute import SharedKernel, run_notebook
from helpers.notebooks.gate import Gate, notebook_imports
from helpers.notebooks.stages import shown_stage
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


class StageNotebooks:
    """The stage notebooks of a run, one after another in one kernel (they only read what the stages wrote;
    three kernels cost three starts and three sets of imports, beside the stages). `start` starts the kernel
    while the stages run (it imports what the notebooks import, then the cells wait at their gates); a
    notebook named for a stage of `after` (01_corpus: `corpus`) runs as soon as that stage is done
    (`stage_done`), while the later stages run, and the others once every stage is (`run`); the pages are
    exported once every stage is done (their banner says whether any stage ran on demo models), each while
    the next notebook runs; leaving the `with` block abandons the notebooks that did not start (a failed run,
    notebooks current) and shuts the kernel down."""

    def __init__(self, cfg: Config, stages: list[StagePage], after: Sequence[str] = ()) -> None:
        self.cfg, self.stages = cfg, stages
        self.gates = [Gate() for _ in stages]  # each notebook's cells wait at its own
        self.shows = [shown_stage(stage.notebook, after) for stage in stages]
        self.demo = False  # whether the run used demo models: read once the stages are done (`run`)
        self._done = Gate()  # every stage is done: the pages may be exported (cancelled: the run failed)
        self._pool: ThreadPoolExecutor | None = None
        self._running: Future[list[tuple[Path, list[str]]]] | None = None

    def stage_done(self, name: str) -> None:
        """Stage `name` is written or read back (and every stage before it): the notebook that shows it may run."""
        if self._running is not None and self._running.done():
            self._running.result()  # a notebook that failed stops the run now, not after the stages and pages
        if name in self.shows:
            self.gates[self.shows.index(name)].open()  # it runs once the kernel is started (`start`)

    def start(self) -> None:
        """Start the notebooks' kernel (once); each notebook's cells wait for its stage (`stage_done`), or `run`."""
        if self._pool is None:
            forget_notebooks(self.cfg)  # they run from now on: what the last run recorded of them goes
            imports = [notebook_imports(stage.notebook) for stage in self.stages]  # here: one thread parses
            # one thread runs the notebooks in the kernel (and shuts it down: its manager is that thread's);
            # the others export the pages as they come
            self._pool = ThreadPoolExecutor(max_workers=1 + len(self.stages), thread_name_prefix="notebook")
            every = tuple(dict.fromkeys(name for names in imports for name in names))
            self._running = self._pool.submit(self._run_all, every)

    def _run_all(self, imports: tuple[str, ...]) -> list[tuple[Path, list[str]]]:
        """Every notebook executed in one kernel (importing `imports` as it starts, the cells waiting at the gate),
        in order, each exported beside the next one's cells; each one's page and stderr texts. The first failure
        stops the rest."""
        assert self._pool is not None
        kernel = SharedKernel()
        exports: list[Future[tuple[Path, list[str]]]] = []
        try:
            for stage, gate in zip(self.stages, self.gates):
                executed = run_notebook(stage.notebook, self.cfg, gate, imports, kernel)
                exports.append(self._pool.submit(self._export, stage, executed.notebook, executed.warm_up_said))
        finally:
            kernel.shut_down()
        return [future.result() for future in exports]

    def _export(self, stage: StagePage, executed: Path, warm_up_said: str) -> tuple[Path, list[str]]:
        """One executed notebook's page, and its stderr texts (what the kernel's warm-up wrote first), once every
        stage is done."""
        self._done.wait()
        page, said = export_stage(executed, stage, nav_for(stage.file, self.stages), self.cfg.html_dir / stage.file,
                                  self.demo)
        return page, [warm_up_said, *said] if warm_up_said.strip() else said

    def run(self) -> NotebooksRun:
        """Run every stage notebook's cells (starting their kernel if it is not yet) and export their pages;
        the notebooks' stderr is kept, in their order, for run.json and the terminal, never shown on a page.
        `OUT/notebooks/manifest.json` records what they were made from (`notebooks.current`)."""
        started = time.perf_counter()
        wanted = stamps(self.cfg, self.stages)  # what they read (no stage writes any more)
        self.demo = ran_on_demo(read_json(self.cfg.data_dir / "run.json"))
        self.start()
        for gate in self.gates:
            gate.open()
        self._done.open()
        assert self._running is not None
        done = self._running.result()
        warnings = [{"page": stage.file, "text": shown_warning(t)}
                    for stage, (_, stderr) in zip(self.stages, done) for t in stderr if shown_warning(t)]
        record_notebooks(self.cfg, self.stages, wanted, warnings)
        return NotebooksRun([page for page, _ in done], warnings, time.perf_counter() - started)

    def close(self) -> None:
        """Abandon the notebooks that did not start (let run or not: a failed run runs none of them but the one
        running), and the pages not exported; the kernel is shut down; wait for it."""
        for gate in (*self.gates, self._done):
            gate.cancel()
        if self._pool is not None and self._running is not None:
            try:
                self._running.result()
            except Exception:  # noqa: BLE001  (Abandoned; or a notebook's failure, which `run` raised)
                pass
            self._pool.shutdown()

    def __enter__(self) -> StageNotebooks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_stage_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun:
    """Run every stage notebook and export its page (`StageNotebooks.run`), its kernel started now."""
    with StageNotebooks(cfg, stages) as notebooks:
        return notebooks.run()


def reused_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun | None:
    """The stage notebooks' pages and warnings as the last run made them, when they are current
    (`notebooks_current`: nothing they show has changed), else None: run them."""
    started = time.perf_counter()
    if not notebooks_current(cfg, stages):
        return None
    return NotebooksRun([cfg.html_dir / s.file for s in stages], recorded_warnings(cfg), time.perf_counter() - started,
                        reused=True)
