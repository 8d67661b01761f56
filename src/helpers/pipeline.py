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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers.config import Config
from helpers.store.files import remove_stale, update_json
from helpers.store.terminal import shown
from helpers.pages.notebooks import is_view, notebook_paths, run_stage_notebooks, stage_page
from helpers.pages.render import INDEX
from helpers.progress import stage_done, stage_line


@dataclass
class RunSummary:
    """What a run made: its pages, and the counts its last line gives."""

    pages: list[Path]
    reports: int
    sentences: int
    flagged: int
    rejected: int
    warnings: list[dict[str, str]]


def run_all(cfg: Config, notebooks: Path, progress: bool = True) -> RunSummary:
    """The whole job: stages, stage notebooks and their pages, report pages and the index."""
    from helpers.inference.engines import engine_for
    from helpers.pages.report import load_outputs
    from helpers.pages.stage import mark_pages, write_pages
    from helpers.corpus.changes import changes_said
    from helpers.corpus.stage import corpus_for
    from helpers.summarise.stage import summarise_for
    from helpers.translate.stage import translate_for
    from helpers.stamps import is_current
    from helpers.store.contract import TABLES, read_table
    from helpers.store.database import write_database
    from helpers.store.workbook import write_workbook

    def reused(stage: str) -> str:
        return "(unchanged, read back) " if is_current(cfg, stage) else ""

    seconds: dict[str, float] = {}

    with stage_line("corpus", seconds) as said:
        said.append(reused("corpus"))
        corpus = corpus_for(cfg)
        said.append(f"{len(corpus.report_table)} reports, {len(corpus.ledger)} lines, "
                    f"{len(corpus.sentences)} sentences, {len(corpus.problems)} inputs rejected"
                    + changes_said(corpus.collection))
    with stage_line("translate", seconds) as said:
        said.append(reused("translate"))
        translation = translate_for(cfg, corpus, progress=progress)
        stats = translation.stats
        flagged = int((translation.sentences["flags"] != "").sum())
        said.append(f"{stats.sentences} sentences, {stats.from_memory} from memory, {flagged} flagged"
                    + (f", {stats.reviewed} reviewed" if stats.reviewed else ""))
    with stage_line("summarise", seconds) as said:
        said.append(reused("summarise"))
        summaries = summarise_for(cfg, corpus, translation, progress=progress)
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
        with stage_line("collection", seconds) as said:  # the notebooks change no data: written beside them
            tables = {name: read_table(cfg, name) for name in TABLES}
            said.append(f"{write_database(cfg.data_dir, tables).name} and "
                        f"{write_workbook(cfg.data_dir, tables).name}: {len(tables)} tables")
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
        print(shown(w))
    sentences = outputs.sentences
    return RunSummary(pages, len(outputs.reports), len(sentences), int((sentences["flags"] != "").sum()),
                      len(outputs.problems), warnings)


def engine_record(cfg: Config, seconds: dict[str, float]) -> dict:
    """run.json's `engine` section: where the run's work ran, on how many workers, each stage's time."""
    from helpers.inference.engines import engine_for

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

