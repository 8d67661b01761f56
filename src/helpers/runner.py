"""`make reports`: the stages, the stage notebooks and the pages, one terminal line each.

The stages run in-process first, with progress bars (`corpus`, `translate`, `summarise`);
the stage notebooks (01-03) then run with papermill, side by side, and read what the stages
wrote, and are exported with the run's header to `OUT/html/`, while the report pages and the
index are rendered in-process from the same functions notebooks 04 and 05 display (no
kernel per report; the notebooks' kernels are other processes, so the two overlap).
Whatever a notebook wrote to stderr goes to the terminal and run.json, never to a page.
The last line names the page to open.
"""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .config import Config, shown_path
from .outputs import remove_stale, update_json
from .pages import INDEX, StagePage, export_stage, nav_for, stage_page
from .progress import stage_done, stage_line

KERNEL = "python3"
_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+[\w.@+-]+")


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks of a folder, in order (01_..., 02_..., ...)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


class NotebookFailed(RuntimeError):
    """A notebook stopped with an error; the message names it and the error."""


@dataclass
class RunSummary:
    """What a run made: its pages, and the counts its last line gives."""

    pages: list[Path]
    reports: int
    sentences: int
    flagged: int
    rejected: int
    warnings: list[dict[str, str]]


def run_notebook(path: Path, cfg: Config) -> Path:
    """Execute one notebook with papermill into `OUT/notebooks/`, every Config field its
    parameter; return the executed copy."""
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(path), str(target), parameters=cfg.parameters(), kernel_name=KERNEL,
            # The kernel starts in the notebook's folder (nbclient's `path`), not this process: papermill's
            # `cwd` would change this whole process's working folder while other threads work in it.
            resources={"metadata": {"path": str(path.parent.absolute())}},
            progress_bar=False, log_output=False,
            # the kernel's start-up warnings (TCP without encryption) are not the user's concern
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None
    return target


def is_view(path: Path) -> bool:
    """True for a notebook that shows pages rendered in-process (a report by REPORT_ID, or the
    index): `make reports` renders those pages itself; the notebooks are for JupyterLab."""
    import papermill

    return path.stem.endswith("_index") or "REPORT_ID" in papermill.inspect_notebook(str(path))


def shown_warning(text: str) -> str:
    """A notebook's stderr as one short line with the machine's paths shortened."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _ABSOLUTE.sub(lambda m: shown_path(Path(m.group(0))), first)[:300]


def run_all(cfg: Config, notebooks: Path, progress: bool = True) -> RunSummary:
    """The whole job: stages, stage notebooks and their pages, report pages and the index."""
    from .engines import engine_for
    from .report import load_outputs, mark_pages, write_pages
    from .stages import corpus_for, summaries_for, translation_for
    from .stages.freshness import is_current

    def reused(stage: str) -> str:
        return "(unchanged, read back) " if is_current(cfg, stage) else ""

    seconds: dict[str, float] = {}

    with stage_line("corpus", seconds) as said:
        said.append(reused("corpus"))
        corpus = corpus_for(cfg)
        said.append(f"{len(corpus.report_table)} reports, {len(corpus.ledger)} lines, "
                    f"{len(corpus.sentences)} sentences, {len(corpus.problems)} inputs rejected")
    with stage_line("translate", seconds) as said:
        said.append(reused("translation"))
        translation = translation_for(cfg, corpus, progress=progress)
        stats = translation.stats
        flagged = int((translation.sentences["flags"] != "").sum())
        said.append(f"{stats.sentences} sentences, {stats.from_memory} from memory, {flagged} flagged")
    with stage_line("summarise", seconds) as said:
        said.append(reused("summaries"))
        summaries = summaries_for(cfg, corpus, translation, progress=progress)
        said.append(f"{len(summaries)} summaries of {len(corpus.report_table)} reports")

    stages = [stage_page(nb) for nb in notebook_paths(notebooks) if not is_view(nb)]
    mark_pages(cfg)  # the notebooks read this data and change none of it: their pages are current
    # The stage notebooks run in their kernels (other processes) while this process renders the
    # report pages: the two overlap instead of one waiting for the other.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks") as pool:
        notebooks = pool.submit(run_stage_notebooks, cfg, stages)
        with stage_line("pages", seconds) as said:
            outputs = load_outputs(cfg)
            pages = write_pages(outputs, cfg.html_dir, stages, engine_for(cfg))
            said.append(f"{len(outputs.reports)} report pages and the index")
        ran = notebooks.result()
    stage_done("notebooks", f"{len(stages)} run and exported ({', '.join(s.notebook.stem for s in stages)})",
               ran.seconds, seconds)
    pages += ran.pages
    warnings = ran.warnings

    # A run's outputs are exactly its own: pages and notebooks of reports since removed go.
    remove_stale(cfg.html_dir, "*.html", {p.name for p in pages})
    remove_stale(cfg.out / "notebooks", "*.ipynb", {s.notebook.name for s in stages})
    update_json(cfg.run_json, "warnings", warnings)
    update_json(cfg.run_json, "engine", engine_record(cfg, seconds))
    for w in dict.fromkeys(f"warning ({w['page']}): {w['text']}" for w in warnings):
        print(w)
    sentences = outputs.sentences
    return RunSummary(pages, len(outputs.reports), len(sentences), int((sentences["flags"] != "").sum()),
                      len(outputs.problems), warnings)


@dataclass
class NotebooksRun:
    """What running the stage notebooks made: their pages, what they wrote to stderr, how long it took."""

    pages: list[Path]
    warnings: list[dict[str, str]]
    seconds: float


def run_stage_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun:
    """Run every stage notebook with papermill, each in its own kernel and all at once (they only
    read what the stages wrote), and export their pages; the notebooks' stderr is kept, in their
    order, for run.json and the terminal, never shown on a page."""
    started = time.perf_counter()

    def run(stage: StagePage) -> tuple[Path, list[str]]:
        return export_stage(run_notebook(stage.notebook, cfg), stage, nav_for(stage.file, stages),
                            cfg.html_dir / stage.file)

    with ThreadPoolExecutor(max_workers=max(1, len(stages)), thread_name_prefix="notebook") as pool:
        done = list(pool.map(run, stages))
    warnings = [{"page": stage.file, "text": shown_warning(t)}
                for stage, (_, stderr) in zip(stages, done) for t in stderr if shown_warning(t)]
    return NotebooksRun([page for page, _ in done], warnings, time.perf_counter() - started)


def engine_record(cfg: Config, seconds: dict[str, float]) -> dict:
    """run.json's `engine` section: where the run's work ran, on how many workers, each stage's time."""
    from .engines import engine_for

    return {**engine_for(cfg).describe(), "stage_seconds": seconds}


def _openable(path: Path) -> str:
    """A path as the terminal shows it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def final_line(cfg: Config, summary: RunSummary) -> str:
    """The last line of `make reports`: the page to open, and what the run found."""
    return (f"Open {_openable(cfg.html_dir / INDEX)}: {summary.reports} reports, {summary.flagged} of "
            f"{summary.sentences} sentences flagged, {summary.rejected} inputs rejected"
            + (f", {len(summary.warnings)} warnings (run.json)" if summary.warnings else "") + ".")

