"""The pipeline: the one sequence of stages (`SEQUENCE`) and the one runner that every command,
`make reports` and every notebook goes through (`run_stages`), then, for `make reports`, the stage
notebooks and the pages (`run_all`).

The runner does for every stage what a stage does not: it reuses the stage's files when run.json's
stamp says they are current (same code, inputs, parameters, models and reviews), else runs the stage
and writes its tables through the contract (atomically), its other files, and its run.json section
(checked against the contract, under the file's lock); and it prints the stage's one terminal line.

For `make reports`, the stage notebooks (01-03) then run with papermill, side by side, and read what
the stages wrote, and are exported with the run's header to `OUT/html/`, while the report pages and
the index are rendered in-process from the same functions notebooks 04 and 05 display. Whatever a
notebook wrote to stderr goes to the terminal and run.json, never to a page. The last line names
the page to open.
"""

from __future__ import annotations

import platform
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.config import Config
from helpers.corpus.stage import CorpusStage
from helpers.entities.stage import EntitiesStage
from helpers.notebooks.run import run_stage_notebooks
from helpers.notebooks.stages import is_view, notebook_paths, stage_page
from helpers.pages.render import INDEX
from helpers.progress import stage_done, stage_line
from helpers.stage import RunContext, Stage, StageOutput
from helpers.stamps import recorded_stamp, stamp
from helpers.store.contract import TABLES, check_section, columns_written, read_table
from helpers.store.files import merge_json, read_json, remove_stale, start_json, update_json, write_bytes, write_csv
from helpers.store.outputs import claim_output
from helpers.text.terminal import shown
from helpers.summarise.stage import SummariseStage
from helpers.translate.stage import TranslateStage

# The steps, in order: adding a step is a subpackage with its Stage, and a line here.
SEQUENCE: tuple[Stage, ...] = (
    CorpusStage(),
    TranslateStage(),
    SummariseStage(),
    EntitiesStage(),
)
STAGE_NAMES = tuple(s.name for s in SEQUENCE)

PACKAGES = ("helpers", "torch", "transformers", "tokenizers", "sentencepiece", "underthesea", "py3langid", "pandas",
            "trafilatura", "python-docx", "pypdf", "ftfy")


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the outputs (run.json's `versions`)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@dataclass
class StagesRun:
    """The tables of the stages run (by contract name), each stage's run.json sections, the run's
    models (run.json's `models`: provenance by use), and which stages were current (read back)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: dict[str, bool] = field(default_factory=dict)


def stages_upto(name: str | None) -> tuple[Stage, ...]:
    """The stages of SEQUENCE up to and including `name` (all of them for None)."""
    if name is None:
        return SEQUENCE
    return SEQUENCE[: STAGE_NAMES.index(name) + 1]


def run_stages(cfg: Config, upto: str | None = None, *, ctx: RunContext | None = None, progress: bool = True,
               force: bool = False, say: bool = True, seconds: dict[str, float] | None = None) -> StagesRun:
    """Every stage up to `upto`, each reused when current (unless `force`), else run and written;
    one terminal line each unless not `say` (a notebook shows its own tables; the time is also kept
    in `seconds`). `ctx`: the run's context (made and closed here when not given)."""
    claim_output(cfg.out, cfg.seeds)  # a notebook run by hand writes only where a run may (store.outputs)
    own = ctx is None
    context = ctx or RunContext(cfg, progress)
    done = StagesRun()
    try:
        for at, stage in enumerate(stages_upto(upto)):
            with stage_line(stage.name, seconds, say=say) as said:
                wanted = stamp(cfg, SEQUENCE[: at + 1], context.reviews.digest_of)
                reused = not force and recorded_stamp(cfg, stage.name) == wanted
                if reused:
                    said.append("(unchanged, read back) ")
                    tables = {t: read_table(cfg, t, stage.name)[list(columns_written(t, stage.name))]
                              for t in stage.writes}
                    run = read_json(cfg.run_json)
                    sections = {s: run.get(s) or {} for s in (stage.name, *stage.sections)}
                else:
                    started = time.perf_counter()
                    out = stage.run(context, done.tables)
                    record = {**out.record, "seconds": round(time.perf_counter() - started, 3), "stamp": wanted}
                    sections = {stage.name: record, **out.sections}
                    write_output(cfg, stage, out, sections, first=at == 0)
                    tables = out.tables
                done.tables.update(tables)
                done.records.update(sections)
                done.reused[stage.name] = reused
                said.append(stage.line(done.tables, sections))
    finally:
        if own:
            context.close()
    done.models = read_json(cfg.run_json).get("models", {})
    return done


def is_current(cfg: Config, name: str) -> bool:
    """True when run.json says stage `name`'s files were made with the stamp this Config gives now."""
    from helpers.review.snapshot import ReviewsSnapshot

    wanted = stamp(cfg, stages_upto(name), ReviewsSnapshot.read(cfg.reviews).digest_of)
    return recorded_stamp(cfg, name) == wanted


def write_output(cfg: Config, stage: Stage, out: StageOutput, sections: dict[str, Any], first: bool) -> None:
    """A stage's output into `OUT/data`: each table as the contract names and orders it, its other
    files (an earlier run's files of the same folder that this run did not write go), its
    models and its sections of run.json (the first stage starts run.json anew)."""
    for name in stage.writes:
        frame = out.tables[name]
        expected = list(columns_written(name, stage.name))
        if list(frame.columns) != expected:
            raise ValueError(f"stage {stage.name} made {name} with columns {list(frame.columns)}, "
                             f"not the contract's {expected}")
        write_csv(cfg.data_dir / TABLES[name].file, frame)
    for folder, files in out.files.items():
        for name, data in files.items():
            write_bytes(cfg.data_dir / folder / name, data)
        remove_stale(cfg.data_dir / folder, "*", set(files))
    if first:
        start_json(cfg.run_json, {"parameters": check_section("parameters", cfg.shown_parameters()),
                                  "absolute_paths": check_section("absolute_paths", cfg.absolute_paths()),
                                  "versions": check_section("versions", versions())})
    if out.models:
        merge_json(cfg.run_json, "models", check_section("models", out.models))
    if set(sections) != {stage.name, *stage.sections}:
        raise ValueError(f"stage {stage.name} made the run.json sections {sorted(sections)}, "
                         f"not those it declares {sorted({stage.name, *stage.sections})}")
    for name, value in sections.items():
        update_json(cfg.run_json, name, check_section(name, value))


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
    from helpers.pages.report import load_outputs
    from helpers.pages.stage import mark_pages, write_pages
    from helpers.collection.database import write_database
    from helpers.collection.workbook import write_workbook

    seconds: dict[str, float] = {}
    with RunContext(cfg, progress) as ctx:
        run_stages(cfg, ctx=ctx, seconds=seconds)
        stages = [stage_page(nb) for nb in notebook_paths(notebooks) if not is_view(nb)]
        mark_pages(cfg)  # the notebooks read this data and change none of it: their pages are current
        # The stage notebooks run in their kernels (other processes) while this process renders the
        # report pages: the two overlap instead of one waiting for the other.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks") as pool:
            notebooks_run = pool.submit(run_stage_notebooks, cfg, stages)
            with stage_line("pages", seconds) as said:
                outputs = load_outputs(cfg)
                pages = write_pages(outputs, cfg.html_dir, stages, ctx.engine)  # the entities page too
                said.append(f"{len(outputs.reports)} report pages, the index and the entities")
            with stage_line("collection", seconds) as said:  # the notebooks change no data: written beside them
                tables = {name: read_table(cfg, name) for name in TABLES}
                said.append(f"{write_database(cfg.data_dir, tables).name} and "
                            f"{write_workbook(cfg.data_dir, tables).name}: {len(tables)} tables")
            ran = notebooks_run.result()
        stage_done("notebooks", f"{len(stages)} run and exported ({', '.join(s.notebook.stem for s in stages)})",
                   ran.seconds, seconds)
        pages += ran.pages
        warnings = ran.warnings

        # A run's outputs are exactly its own: pages and notebooks of reports since removed go.
        remove_stale(cfg.html_dir, "*.html", {p.name for p in pages})
        remove_stale(cfg.out / "notebooks", "*.ipynb", {s.notebook.name for s in stages})
        update_json(cfg.run_json, "warnings", check_section("warnings", warnings))
        engine = {**ctx.engine.describe(), "stage_seconds": seconds}
        update_json(cfg.run_json, "engine", check_section("engine", engine))
    for w in dict.fromkeys(f"warning ({w['page']}): {w['text']}" for w in warnings):
        print(shown(w))
    sentences = outputs.sentences
    return RunSummary(pages, len(outputs.reports), len(sentences), int((sentences["flags"] != "").sum()),
                      len(outputs.problems), warnings)


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

