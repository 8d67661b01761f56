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

import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any


from helpers.config import IN_RUN, Config
from helpers.models.heap import hand_back_freed_memory
from helpers.corpus.stage import CorpusStage
from helpers.inference.cores import Beside
from helpers.entities.stage import EntitiesStage
from helpers.notebooks.run import StageNotebooks, reused_notebooks
from helpers.notebooks.stages import is_view, notebook_paths, stage_page
from helpers.pages.render import INDEX
from helpers.progress import stage_done, stage_line
from helpers.reuse import Tables, previous_outputs, read_written, recorded_field, report_ids, run_stage
from helpers.stage import MadeFiles, RunContext, Stage, StageOutput
from helpers.stamps import inputs_stamp, recorded_stamp, stamp
from helpers.store.code import code_stamp
from helpers.store.contract import TABLES, check_section, columns_written, read_table
from helpers.store.files import (drop_json, forget_written, merge_json, read_json, remove_stale, start_json,
                                 synced_together, update_json, write_bytes)
from helpers.store.segments import forget_records, write_table_csv
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

    tables: Tables = field(default_factory=Tables)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: dict[str, bool] = field(default_factory=dict)


def stages_upto(name: str | None) -> tuple[Stage, ...]:
    """The stages of SEQUENCE up to and including `name` (all of them for None)."""
    if name is None:
        return SEQUENCE
    return SEQUENCE[: STAGE_NAMES.index(name) + 1]


def run_stages(cfg: Config, upto: str | None = None, *, ctx: RunContext | None = None, progress: bool = True,
               force: bool = False, say: bool = True, seconds: dict[str, float] | None = None,
               a_run: bool = False, on_work: Callable[[], None] | None = None,
               on_done: Callable[[str], None] | None = None) -> StagesRun:
    """Every stage up to `upto`, each reused when current (unless `force`), else run and written;
    one terminal line each unless not `say` (a notebook shows its own tables; the time is also kept
    in `seconds`). A stage not current but made before with the same code, parameters, models and
    reviews keeps the rows of every report not made anew upstream (work in proportion to change).
    `ctx`: the run's context (made and closed here when not given). `on_work` is called once, before
    the first stage that runs (is not read back): a whole run starts its notebooks' kernel then; `on_done`
    with each stage's name once it is written or read back: the notebook that shows it may run."""
    claim_output(cfg.out, cfg.seeds)  # a notebook run by hand writes only where a run may (store.outputs)
    own = ctx is None
    context = ctx or RunContext(cfg, progress)
    done = StagesRun()
    stages = stages_upto(upto)
    recorded = read_json(cfg.run_json)  # before the first stage run starts it anew
    if os.environ.get(IN_RUN):  # a stage notebook of `make reports`: the stages it shows are this run's, read back
        wanted: list[str] = []  # (a review saved, a file put in SEEDS since the run began: the next run's to take)
        bases: list[str] = []
        current = [True] * len(stages)
    else:
        inputs = inputs_stamp(cfg.seeds)
        wanted = [stamp(cfg, SEQUENCE[: at + 1], context.reviews.digest_of, inputs) for at in range(len(stages))]
        bases = [stamp(cfg, SEQUENCE[: at + 1], context.reviews.digest_of, inputs=False) for at in range(len(stages))]
        current = [not force and recorded_field(recorded, s.name, "stamp") == wanted[at]
                   for at, s in enumerate(stages)]
    # the previous outputs a stage run again may keep, read before any stage of this run replaces them
    previous = previous_outputs(cfg, [None if force or current[at] or recorded_field(recorded, stage.name, "base")
                                      != bases[at] else stage for at, stage in enumerate(stages)])
    anew: set[str] = set()  # the reports made anew in this run, by any stage so far
    try:
        for at, stage in enumerate(stages):
            with stage_line(stage.name, seconds, say=say) as said:
                reused = current[at]
                if reused:
                    said.append("(unchanged, read back) ")
                    for t in stage.writes:
                        done.tables.later(t, partial(read_written, cfg, t, stage.name))
                    run = read_json(cfg.run_json)
                    sections = {s: run.get(s) or {} for s in (stage.name, *stage.sections)}
                    for name, value in (stage.again(sections) if a_run else {}).items():
                        update_json(cfg.run_json, name, check_section(name, value))
                        sections[name] = value
                else:
                    if on_work is not None:
                        on_work()
                        on_work = None
                    started = time.perf_counter()
                    before = previous[at]
                    if before is not None:
                        before = replace(before, stale=frozenset(anew | stage.stale(context, before)))
                    out = run_stage(stage, context, done.tables, before)
                    ids = report_ids(out.tables if "reports" in out.tables else done.tables)
                    made = set(ids) if out.anew is None else set(out.anew)
                    anew |= made
                    kept = len(set(ids) - made)
                    if kept:
                        said.append(f"({len(ids) - kept} of {len(ids)} reports anew) ")
                    record = {**out.record, "seconds": round(time.perf_counter() - started, 3), "stamp": wanted[at],
                              "base": bases[at], "kept": kept}
                    sections = {stage.name: record, **out.sections}
                    write_output(cfg, stage, out, sections, first=at == 0,
                                 read_from=before.read_from if before is not None else {})
                    done.tables.update(out.tables)
                    previous[at] = None
                    del out, before  # the previous output and the stage's files, let go before the next stage
                done.records.update(sections)
                done.reused[stage.name] = reused
                said.append(stage.line(done.tables, sections))
            if on_done is not None:
                on_done(stage.name)
            hand_back_freed_memory()  # what the stage freed leaves the process, not only its heap
    finally:
        if own:
            context.close()
            forget_written()  # (a whole run keeps them for its pages: `run_all`)
    done.models = read_json(cfg.run_json).get("models", {})
    return done


def is_current(cfg: Config, name: str) -> bool:
    """True when run.json says stage `name`'s files were made with the stamp this Config gives now."""
    from helpers.review.snapshot import ReviewsSnapshot

    wanted = stamp(cfg, stages_upto(name), ReviewsSnapshot.read(cfg.reviews).digest_of)
    return recorded_stamp(cfg, name) == wanted


def write_output(cfg: Config, stage: Stage, out: StageOutput, sections: dict[str, Any], first: bool,
                 read_from: dict[str, list[int] | None] | None = None) -> None:
    """A stage's output into `OUT/data`: each table as the contract names and orders it, its other
    files (an earlier run's files of the same folder that this run did not write go), its
    models and its sections of run.json (the first stage starts run.json anew)."""
    for name in stage.writes:
        frame = out.tables[name]
        expected = list(columns_written(name, stage.name))
        if list(frame.columns) != expected:
            raise ValueError(f"stage {stage.name} made {name} with columns {list(frame.columns)}, "
                             f"not the contract's {expected}")
        write_table_csv(cfg.data_dir / TABLES[name].file, frame, out.same, (read_from or {}).get(name))
    for folder in dict.fromkeys([*out.files, *stage.folders]):
        files = out.files.get(folder, {})
        if files:
            with synced_together():  # on disk before run.json records the stage below
                for name, data in (files.made() if isinstance(files, MadeFiles) else files.items()):
                    write_bytes(cfg.data_dir / folder / name, data)
        remove_stale(cfg.data_dir / folder, "*", set(files) | out.kept_files.get(folder, set()))
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
    from helpers.pages.stage import SEARCH_APART_AT, mark_pages, pages_mark, search_beside, write_pages
    from helpers.collection.current import keep_current

    seconds: dict[str, float] = {}
    read: dict[str, Any] = {}  # the contract tables the pages read, by name
    stages = [stage_page(nb) for nb in notebook_paths(notebooks) if not is_view(nb)]
    # The search data's process starts with the stages when the last run's collection was large enough for
    # one (SEARCH_APART_AT reports; a collection that shrank below it since still gets one, the same files):
    # it has imported what it needs when the pages come, instead of doing so while they are rendered.
    reports_before = recorded_field(read_json(cfg.run_json), "corpus", "reports")
    early: list[Beside[Any, bool]] = []

    def on_work() -> None:
        """The stages start: the notebooks' kernel, and the search data's process, start too."""
        stage_notebooks.start()
        if isinstance(reports_before, int) and reports_before >= SEARCH_APART_AT:
            early.append(search_beside(reports_before))

    # The notebooks' kernel starts (importing what they import) as a stage runs; each runs once its stage is done.
    with RunContext(cfg, progress) as ctx, StageNotebooks(cfg, stages, STAGE_NAMES) as stage_notebooks, \
            ExitStack() as closing:
        closing.callback(_close_all, early)  # a failed run's, started and not used (the pages step uses or closes it)
        records = run_stages(cfg, ctx=ctx, seconds=seconds, a_run=True, on_work=on_work,
                             on_done=stage_notebooks.stage_done).records
        # the stages' tables go here: the pages and the collection read what was written, one copy at a time
        # What the pages, the database and the workbook were made from, as the previous run left it; its
        # `engine` section, written last, says that run finished (this run's goes until this one does).
        before = read_json(cfg.run_json)
        mark = pages_mark(cfg, stages, code_stamp())
        unchanged = "engine" in before and before.get("pages") == mark
        drop_json(cfg.run_json, "engine")
        mark_pages(cfg, mark)  # the notebooks change no data
        # The stage notebooks run in their kernels (other processes) while this process renders the
        # report pages: the two overlap instead of one waiting for the other.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks") as pool:
            notebooks_run = pool.submit(lambda: reused_notebooks(cfg, stages) or stage_notebooks.run())
            try:
                with stage_line("pages", seconds) as said:
                    if unchanged and (cfg.html_dir / INDEX).is_file():
                        _close_all(early)  # not needed: its process ends now, not with the run
                        pages = []
                        said.append("(unchanged) the report pages, the index and the entities")
                    else:
                        outputs = load_outputs(cfg)
                        # the entities page too; the search data's process reads the tables anew where they are
                        pages = write_pages(outputs, cfg.html_dir, stages, ctx.engine, read_from=cfg.data_dir,
                                            search=early.pop() if early else None)
                        said.append(f"{len(outputs.reports)} report pages, the index and the entities")
                        read = {n: getattr(outputs, n) for n in TABLES if hasattr(outputs, n)
                                and (cfg.data_dir / TABLES[n].file).is_file()}  # the tables as the pages read them
                        del outputs
                        hand_back_freed_memory()
                with stage_line("collection", seconds) as said:  # the notebooks change no data: written beside them
                    # the database takes the tables the pages read (one copy, not read again), and reads the others
                    said.append(keep_current(cfg.data_dir, unchanged,
                                             lambda: {n: read[n] if n in read else read_table(cfg, n) for n in TABLES}))
            except BaseException:  # a failed run: the notebooks not started do not run, no page is exported
                stage_notebooks.close()
                raise
            forget_written()  # what the stages wrote and neither the pages nor the collection read
            forget_records()  # the tables' sidecars, as read or written
            ran = notebooks_run.result()
        names = ", ".join(s.notebook.stem for s in stages)
        stage_done("notebooks", f"(unchanged) {len(stages)} read back ({names})" if ran.reused
                   else f"{len(stages)} run and exported ({names})", ran.seconds, seconds)
        warnings = ran.warnings

        # A run's outputs are exactly its own: pages and notebooks of reports since removed go.
        if pages:  # (none when the pages were kept: they are those of the same reports)
            remove_stale(cfg.html_dir, "*.html", {p.name for p in pages + ran.pages})
        pages += ran.pages
        remove_stale(cfg.notebooks_dir, "*.ipynb", {s.notebook.name for s in stages})
        update_json(cfg.run_json, "warnings", check_section("warnings", warnings))
        engine = {**ctx.described(), "stage_seconds": seconds}
        update_json(cfg.run_json, "engine", check_section("engine", engine))
    for w in dict.fromkeys(f"warning ({w['page']}): {w['text']}" for w in warnings):
        print(shown(w))
    corpus, translated = records["corpus"], records["translate"]
    return RunSummary(pages, corpus["reports"], corpus["sentences"] + corpus["captions"], translated["flagged"],
                      corpus["rejected"], warnings)


def _close_all(searches: list[Beside[Any, bool]]) -> None:
    """Close each of `searches` (their processes end)."""
    for search in searches:
        search.close()


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

