"""The one stage interface, in the spirit of transformers' base `Pipeline`: the base runs, each step
overrides small hooks.

A step (corpus, translate, summarise, ...) is a `Stage`: it declares the contract tables it reads and
writes, the Config fields and models its output depends on, whether reviews shape it, and
implements `run` (the computation: tables in, tables and its run.json record out) and `line` (what
its terminal line says). The runner (`pipeline.run_stages`) does everything else, the same way for
every step: reuse when current, atomic writes through the contract, the run.json section under one
lock, the stage line and its timing.

A `RunContext` is what a run holds while it goes: the Config, the reviews as read once, the engine
the work runs on, and each model's load, memory and release. The runner creates and closes it; no
stage keeps process-wide state.

A re-run does work in proportion to what changed: when a stage's code, parameters, models, libraries
(`libraries`: underthesea's and Babel's releases) and reviews are as before (its `base` stamp), the runner keeps the
previous rows of every report not made anew upstream. A `per_report` stage (each report's rows depend
only on that report's input rows) is simply run on the other reports' rows and the runner merges its
tables with a `report_id` (a table of the whole collection, without one, it makes in `collective`);
another stage is handed the `Previous` output and keeps what it can itself (the corpus keeps the files
whose bytes are unchanged).

Adding a step: a subpackage with a `stage.py` whose class derives from `Stage`, and one line in
`pipeline.SEQUENCE` (docs/architecture.md).
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import pandas as pd

from helpers.config import Config
from helpers.models.heap import hand_back_freed_memory
from helpers.inference.cores import ItemsOf, on_every_core
from helpers.inference.engines import Engine, start_engine, unstarted
from helpers.inference.memory import Memory
from helpers.models.loaded import LoadedModel
from helpers.review.snapshot import ReviewsSnapshot


class MadeFiles(Mapping[str, bytes]):
    """Files by name whose bytes are made when read, a share at a time: `names[key]` are the files of a share
    (a report's), `make(item(key))` their bytes in that order. The runner writes a stage's thousands of files
    as `made` gives them, so a collection's worth is never held in memory at once; with `at_least` shares
    or more they are made on every core (`inference.cores.on_every_core`: `make` is a module's function)."""

    def __init__(self, names: Mapping[str, list[str]], item: Callable[[str], Any], make: Callable[[Any], list[bytes]],
                 at_least: int = sys.maxsize) -> None:
        self._names, self._item, self._make, self._at_least = dict(names), item, make, at_least

    @cached_property
    def _share_of(self) -> dict[str, tuple[str, int]]:
        """Each file's share and place in it."""
        return {name: (key, n) for key, names in self._names.items() for n, name in enumerate(names)}

    def __getitem__(self, name: str) -> bytes:
        key, n = self._share_of[name]
        return self._make(self._item(key))[n]

    def __iter__(self) -> Iterator[str]:
        return (name for names in self._names.values() for name in names)

    def __len__(self) -> int:
        return sum(map(len, self._names.values()))

    def made(self) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of every file, share by share, each given as it is made."""
        keys = list(self._names)
        for key, data in zip(keys, on_every_core(self._make, ItemsOf(keys, self._item), self._at_least)):
            yield from zip(self._names[key], data)


Files = dict[str, Mapping[str, bytes]]  # a stage's other files: by folder, then name (a folder's may be MadeFiles)


@dataclass
class StageOutput:
    """What a stage made: its contract tables by name, its run.json section (the fields the contract
    names, less the runner's `seconds` and `stamp`), the other files it writes under `OUT/data`
    (by folder, then file name: every other file an earlier run wrote in that folder goes), the
    run.json `models` entries of the models it used, and the other run.json sections it declares."""

    tables: dict[str, pd.DataFrame]
    record: dict[str, Any]
    files: Files = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    anew: frozenset[str] | None = None  # the reports whose rows were made anew (None: every report)
    kept_files: dict[str, set[str]] = field(default_factory=dict)  # by folder: files of an earlier run kept as they are
    # the reports whose rows in every table are those read back from its file (`Previous.read_from`): their
    # digests are not made again when the tables are written
    same: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Previous:
    """A stage's output of the previous run into this OUT, made with the same code, parameters, models
    and reviews (the same `base` stamp): its tables as written, and the reports made anew upstream in
    this run (their rows here are out of date)."""

    tables: dict[str, pd.DataFrame]
    stale: frozenset[str]
    read_from: dict[str, list[int] | None] = field(default_factory=dict)  # each table file's identity as read

    def kept(self, table: str, ids: set[str] | frozenset[str]) -> pd.DataFrame:
        """The previous rows of `table` that belong to the reports `ids`."""
        frame = self.tables[table]
        return frame[frame["report_id"].isin(ids)]


class Stage(ABC):
    """One step of the pipeline (see the module's docstring)."""

    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()  # contract tables (store.contract.TABLES) the step reads
    writes: ClassVar[tuple[str, ...]] = ()  # contract tables it writes
    fields: ClassVar[tuple[str, ...]] = ()  # Config fields its output depends on (beyond earlier steps')
    reviews: ClassVar[tuple[str, ...]] = ()  # the review files (review.store.FILES) that shape its output
    sections: ClassVar[tuple[str, ...]] = ()  # run.json sections it writes beside its own (store.contract.RUN_JSON)
    per_report: ClassVar[bool] = False  # each report's rows depend on its own input rows alone
    reviews_by_report: ClassVar[tuple[str, ...]] = ()  # of `reviews`, those whose changes `stale` finds by report
    folders: ClassVar[tuple[str, ...]] = ()  # folders of OUT/data holding its files, one `<report_id>.<suffix>` each
    libraries: ClassVar[tuple[str, ...]] = ()  # distributions whose version shapes its output (beyond the package)

    def model_keys(self, cfg: Config) -> tuple[str, ...]:
        """The models its output depends on (registry keys)."""
        return ()

    @abstractmethod
    def run(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], previous: Previous | None = None) -> StageOutput:
        """The computation: the tables of `reads` (and those of earlier steps) in, the output out. A
        `per_report` stage gets only the reports to make anew; another may keep from `previous`."""

    def order(self, name: str, frame: pd.DataFrame, reports: list[str]) -> pd.DataFrame:
        """Table `name` merged from kept and new rows, in the order a whole run gives it: by default
        the reports' order (`reports`), each report's rows as made."""
        at = {rid: i for i, rid in enumerate(reports)}
        return frame.sort_values("report_id", key=lambda c: c.map(at), kind="stable", ignore_index=True)

    def stale(self, ctx: RunContext, previous: Previous) -> set[str]:
        """The reports of the previous output that the reviews of `reviews_by_report` now make out of
        date (a change of those files does not make the whole stage again)."""
        return set()

    def collective(self, ctx: RunContext, tables: dict[str, pd.DataFrame],
                   inputs: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The passes over the whole output (every report's rows, kept or made now; `inputs`: the run's
        tables the stage read, whole), e.g. a flag relative to the collection, or a table of the whole
        collection without a `report_id` that a `per_report` stage makes here: by default none."""
        return tables

    def files(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], ids: set[str]) -> Files:
        """The files of the reports `ids` (by folder of `folders`, then name), made from the output."""
        return {}

    def again(self, sections: Mapping[str, Any]) -> dict[str, Any]:
        """The run.json sections a stage read back unchanged says anew for this run (none by default)."""
        return {}

    def totals(self, ctx: RunContext, tables: Mapping[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, Any]:
        """The fields of the run.json record that describe the whole output, made from the final
        `tables` (merged after a partial run; the other fields count this run's work)."""
        return {}

    @abstractmethod
    def line(self, tables: Mapping[str, pd.DataFrame], sections: Mapping[str, Any]) -> str:
        """What the terminal's line for the step says, from the step's run.json sections (its own under
        its name; made now or read back) and small tables of the run (a large one read back unchanged
        is read only when used: take its counts from the record)."""


class RunContext:
    """What one run holds: its Config, the reviews read once, the engine (started on first use) and
    the models it loads. Use it as a context manager: closing it stops the engine."""

    def __init__(self, cfg: Config, progress: bool = True) -> None:
        self.cfg = cfg
        self.progress = progress
        self._engine: Engine | None = None
        self._reviews: ReviewsSnapshot | None = None

    @property
    def reviews(self) -> ReviewsSnapshot:
        """The reviews folder as this run read it, once, on first use."""
        if self._reviews is None:
            self._reviews = ReviewsSnapshot.read(self.cfg.reviews)
        return self._reviews

    @property
    def engine(self) -> Engine:
        """Where the work runs (ENGINE): started on first use, stopped when the run closes."""
        if self._engine is None:
            cfg = self.cfg
            self._engine = start_engine(cfg.engine, cfg.cluster, cfg.workers, cfg.cache_dir)
        return self._engine

    def described(self) -> dict[str, Any]:
        """The engine as run.json's `engine` section describes it (one never started stays so: a re-run with
        nothing new starts no local cluster only to say so)."""
        if self._engine is None:
            return unstarted(self.cfg.engine, self.cfg.cluster)
        return self._engine.describe()

    def load(self, key: str) -> LoadedModel:
        """The model `key` as this run's MODELS and BACKEND ask (loaded once per process)."""
        from helpers.models.loading import load_model

        cfg = self.cfg
        return load_model(cfg.spec(key), cfg.models, cfg.cache_dir, cfg.backend)

    @contextmanager
    def model(self, key: str) -> Iterator[tuple[LoadedModel, Memory]]:
        """The model `key` with its translation memory open; afterwards the memory is closed and the
        model's int8 weights let go (a run holds one model's weights at a time)."""
        from helpers.inference.runs import memory_for
        from helpers.models.loading import release

        loaded = self.load(key)
        try:
            with memory_for(loaded, self.cfg.memory_file) as memory:
                yield loaded, memory
        finally:
            release(loaded)
            hand_back_freed_memory()  # the model's buffers and what its work kept freed

    def close(self) -> None:
        """Stop the engine (a local cluster's workers with it)."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def __enter__(self) -> RunContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
