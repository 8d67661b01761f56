"""What a re-run keeps (docs/architecture.md, "One runner"): the previous output of a stage, the run
of a stage on the reports made anew upstream merged with the kept rows, and the run's tables, a table
read back unchanged being read from `OUT/data/` only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import replace
from typing import Any

import pandas as pd

from helpers.config import Config
from helpers.stage import Previous, RunContext, Stage, StageOutput
from helpers.store.compare import differing_reports
from helpers.store.contract import TABLES, columns, columns_written, read_table
from helpers.store.files import as_stored, read_csv, stored_text
from helpers.store.segments import file_identity


class Tables(MutableMapping[str, pd.DataFrame]):
    """The run's tables by contract name. A table a stage read back unchanged is read from `OUT/data/`
    on first use only: a re-run with nothing new reads none of the large ones."""

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame] = {}
        self._loaders: dict[str, Callable[[], pd.DataFrame]] = {}

    def later(self, name: str, load: Callable[[], pd.DataFrame]) -> None:
        """Table `name` is what `load()` reads, when first used."""
        self._frames.pop(name, None)
        self._loaders[name] = load

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._loaders:
                raise KeyError(name)
            self._frames[name] = self._loaders.pop(name)()
        return self._frames[name]

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        self._loaders.pop(name, None)
        self._frames[name] = frame

    def __delitem__(self, name: str) -> None:
        if name not in self._frames and name not in self._loaders:
            raise KeyError(name)
        self._frames.pop(name, None)
        self._loaders.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._frames, *self._loaders]))

    def __len__(self) -> int:
        return len(set(self._frames) | set(self._loaders))


def read_written(cfg: Config, name: str, stage: str) -> pd.DataFrame:
    """Table `name` as `stage` wrote it (its columns, in the contract's order)."""
    return read_table(cfg, name, stage, only=True)[list(columns_written(name, stage))]


def report_ids(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The run's reports, in order (reports.csv's)."""
    return tables["reports"]["report_id"].tolist() if "reports" in tables else []


def recorded_field(recorded: dict[str, Any], stage: str, field: str) -> Any:
    """A field of a stage's section of run.json as read (None when there is none)."""
    section = recorded.get(stage)
    return section.get(field) if isinstance(section, dict) else None


def previous_outputs(cfg: Config, stages: list[Stage | None]) -> list[Previous | None]:
    """Each stage's output of the previous run into this OUT, as written (None for a stage given as None, or
    whose output cannot be read). A file several stages write (sentences.csv: the corpus's columns, then the
    translation's) is parsed once, with every column they need (at 10,000 reports the corpus's columns parsed
    again took 0.3 s)."""
    needed: dict[str, set[str]] = {}
    for stage in filter(None, stages):
        for t in stage.writes:
            needed.setdefault(t, set()).update(columns_written(t, stage.name))
    read: dict[str, tuple[pd.DataFrame, list[int] | None] | None] = {}
    for t, wanted in needed.items():
        path = cfg.data_dir / TABLES[t].file
        seen = file_identity(path)
        try:
            frame = read_csv(path, wanted)
        except (OSError, ValueError):  # missing, or not a table: made anew
            read[t] = None
            continue
        read[t] = (frame, seen if file_identity(path) == seen else None)  # (not replaced while being read)
    return [_previous_of(stage, read) if stage is not None else None for stage in stages]


def _previous_of(stage: Stage, read: Mapping[str, tuple[pd.DataFrame, list[int] | None] | None]) -> Previous | None:
    """A stage's previous output from the tables as read: its columns of each, in the contract's order (None
    when a table could not be read or lacks one of them: written half, or by another version)."""
    tables, read_from = {}, {}
    for t in stage.writes:
        got = read[t]
        if got is None:
            return None
        frame, read_from[t] = got
        wanted = list(columns_written(t, stage.name))
        if not set(wanted) <= set(frame.columns):
            return None
        tables[t] = frame[wanted]
    return Previous(tables, frozenset(), read_from)


def run_stage(stage: Stage, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None
              ) -> StageOutput:
    """One stage run: whole, or (a `per_report` stage with a `previous` output) on the reports made
    anew upstream only, its tables with a `report_id` merged with the previous rows of the others in a
    whole run's order; then the passes over the whole output (`collective`, which makes a per-report
    stage's tables of the whole collection), and the files of every report whose rows are new or
    changed (the files of the others, named `<report_id>.<suffix>`, stay as they are)."""
    ids = report_ids(tables)
    partial = previous if stage.per_report else None  # a stage of another kind keeps what it can itself
    keep = set(ids) - partial.stale if partial is not None else set()
    todo = set(ids) - keep
    if partial is not None:
        out = stage.run(ctx, {name: tables[name][tables[name]["report_id"].isin(todo)] for name in stage.reads})
        made = {name: stage.order(name, pd.concat([partial.kept(name, keep), as_stored(out.tables[name])],
                                                  ignore_index=True), ids)
                for name in by_report(stage.writes)}
    else:
        out = stage.run(ctx, tables, previous)
        made = dict(out.tables)
    made = stage.collective(ctx, made, {name: tables[name] for name in stage.reads})
    if set(made) != set(stage.writes):
        raise ValueError(f"stage {stage.name} made the tables {sorted(made)}, not those it writes {list(stage.writes)}")
    rewrite = todo | (changed_reports(made, partial, keep) if partial is not None else set())
    files = {**out.files, **stage.files(ctx, made, rewrite)} if stage.folders else out.files
    unchanged = keep - rewrite  # (once: not for each of a folder's tens of thousands of files)
    kept_files = {folder: {f.name for f in (ctx.cfg.data_dir / folder).glob("*")
                           if f.name.split(".", 1)[0] in unchanged} for folder in stage.folders}
    record = {**out.record, **stage.totals(ctx, made, out.record)}
    if partial is None:  # the stage's own `same` holds of its tables only as it made them, not as a pass changed them
        same = out.same if all(made[n] is out.tables[n] for n in out.tables) else frozenset()
        return replace(out, tables=made, record=record, files=files, kept_files=kept_files, same=same)
    return replace(out, tables=made, record=record, files=files, kept_files=kept_files, anew=frozenset(todo),
                   same=frozenset(unchanged))


def by_report(names: tuple[str, ...]) -> list[str]:
    """Those of the contract tables `names` whose rows each belong to a report (a `report_id` column)."""
    return [name for name in names if "report_id" in columns(name)]


def changed_reports(tables: dict[str, pd.DataFrame], previous: Previous, keep: set[str]) -> set[str]:
    """The kept reports whose rows a pass over the whole output changed (their files are made again)."""
    changed: set[str] = set()
    for name, frame in ((n, f) for n, f in tables.items() if n in previous.tables and "report_id" in f.columns):
        changed |= differing_reports(previous.kept(name, keep), stored_text(frame[frame["report_id"].isin(keep)]))
    return changed
