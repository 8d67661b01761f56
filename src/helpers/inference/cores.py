"""Python work that holds one core (the entity model's tagging, the Word files of a collection, the checks of its
sentences and summaries) on every core: the items shared out among processes of their own, one a core, each
result given back in order; and one piece of work beside this process's own (`Beside`: the search data beside
the pages).

The processes are spawned, never forked (this process may hold a translator's threads), and only where
a spawned process cannot run this program's own job again (`spawn_safe`). Where processes cannot be
started, or one is lost, this process does the rest itself: the results are the same either way.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
TASKS_PER_CORE = 16  # items are sent in this many chunks a core: few messages, and the cores end together
IN_FLIGHT = 2  # chunks a core sent ahead: none waits for the next, and few are held at once


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container narrows), at least one."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def spawn_safe() -> bool:
    """Whether a spawned process starts without running this program's own code again. Python runs the
    main module again in each, unless it is a package's `__main__.py` (`python -m helpers`) or there is
    none (a notebook's kernel, an interactive session): a script of a user's own without an
    `if __name__ == "__main__":` guard would run its whole job again there."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return name == "__main__" or name.endswith(".__main__")
    return getattr(main, "__file__", None) is None


def on_every_core(fn: Callable[[T], R], items: Sequence[T], at_least: int) -> Iterator[R]:
    """`fn` of each item, in order, each given as it is ready: on every core when there are `at_least`
    items or more, more than one core, and processes may be spawned (`spawn_safe`); in this process
    otherwise, and for the items not yet given when processes cannot start or one is lost. `fn` must
    be a module's function, the items picklable. An error `fn` raises is raised here, as in this process.
    The items are sent in chunks, IN_FLIGHT a core at a time, and taken from `items` only then: `items`
    may make them as they are asked for (a collection's worth is never held at once)."""
    given = 0
    cores = usable_cores()
    if cores > 1 and len(items) >= at_least and spawn_safe():
        pool: Any = None
        try:
            pool = ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=leave_interrupt)
            size = max(1, len(items) // (TASKS_PER_CORE * cores))
            starts = iter(range(0, len(items), size))
            pending: deque[Any] = deque()

            def send(start: int) -> None:
                chunk = [items[i] for i in range(start, min(start + size, len(items)))]
                pending.append(pool.submit(_chunk, fn, chunk))

            for start in islice(starts, IN_FLIGHT * cores):
                send(start)
            while pending:
                results = pending.popleft().result()
                for start in islice(starts, 1):
                    send(start)
                for result in results:
                    yield result
                    given += 1
            return
        except (BrokenProcessPool, OSError):
            pass
        finally:
            if pool is not None:  # a caller that stops early leaves nothing running
                pool.shutdown(wait=True, cancel_futures=True)
    for i in range(given, len(items)):
        yield fn(items[i])


class ItemsOf(Sequence[T]):
    """`item(key)` of each key, made only when asked for: `on_every_core`'s items, never all held at once (a
    report's rows taken from a collection's table as its turn comes)."""

    def __init__(self, keys: Sequence[Any], item: Callable[[Any], T]) -> None:
        self._keys, self._item = keys, item

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, n: int) -> T:  # type: ignore[override]  # one item: no slices are asked for
        return self._item(self._keys[n])


def _chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """In a process of the pool: `fn` of each item of a chunk."""
    return [fn(item) for item in items]


def leave_interrupt() -> None:
    """In a process of a pool (or a local Dask cluster's worker: `engines.dask_setup`), first: Ctrl-C is left to
    this program's own process (a terminal sends it to every process of the group), which stops the pool and says
    so in one line; a worker would print a traceback. (Only a process's main thread may set it.)"""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def interrupt_ignored() -> Iterator[None]:
    """Ctrl-C ignored while processes start (a local Dask cluster's workers, which are not this module's pools):
    a process started meanwhile keeps ignoring it (an ignored signal stays ignored across `exec`, and Python
    installs no handler of its own then), so a terminal's Ctrl-C, which reaches every process of the group, is
    left to this program, which stops them and says so in one line; they printed tracebacks of their own. A
    Ctrl-C while they start is lost: the next one stops the run. Only from the main thread (elsewhere, as is)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # (None: a handler set from outside Python, which could not be set back)
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _import(name: str) -> None:
    """Import module `name` (a process's first work: nothing to hand back, a module cannot be pickled)."""
    importlib.import_module(name)


class Beside(Generic[T, R]):
    """`fn` of an item in a process of its own (spawned, where `spawn_safe`, on a machine of more than one core,
    when `apart`: worth a process's start), while this process goes on with its own work. The process starts
    as this is made, importing `fn`'s module while this process makes the item (`start`); `result()` waits
    for it. Otherwise, or where the process cannot start or is lost, `result()` makes the item again and runs
    `fn` of it here (the item is not held meanwhile): the result is the same either way. `fn` must be a
    module's function, the item picklable."""

    def __init__(self, fn: Callable[[T], R], apart: bool = True) -> None:
        self._fn = fn
        self._make: Callable[[], T] | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._future: Any = None
        if apart and usable_cores() > 1 and spawn_safe():
            try:
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=leave_interrupt)
                self._pool.submit(_import, fn.__module__)
            except (BrokenProcessPool, OSError, RuntimeError):
                self.close()

    @property
    def apart(self) -> bool:
        """Whether `fn` runs in a process of its own (so far)."""
        return self._pool is not None

    def start(self, make: Callable[[], T]) -> None:
        """Give the process its item, `make()` (once)."""
        self._make = make
        if self._pool is not None:
            item = make()
            try:
                self._future = self._pool.submit(self._fn, item)
            except (BrokenProcessPool, RuntimeError):  # lost already: done here (`result`)
                self.close()

    def result(self) -> R:
        """`fn` of the item, from the process when it gave it, else made here."""
        assert self._make is not None, "start() first"
        try:
            if self._future is not None:
                return self._future.result()
        except BrokenProcessPool:
            pass
        finally:
            self.close()
        return self._fn(self._make())

    def close(self) -> None:
        """Wait for the process to end (a caller that stops early leaves nothing running)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._future = None, None
