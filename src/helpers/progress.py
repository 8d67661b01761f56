"""One way to report progress: tqdm bars (widgets in JupyterLab with ipywidgets, text on a terminal)
and, for the command line, one line per stage with its duration."""

from __future__ import annotations

import sys
import time
import warnings
from contextlib import contextmanager
from typing import Iterable, Iterator, TypeVar

from helpers.text.terminal import shown

with warnings.catch_warnings():  # tqdm.auto says nothing useful when it falls back to text bars
    warnings.filterwarnings("ignore", message="IProgress not found")
    from tqdm.auto import tqdm

T = TypeVar("T")


def bar(items: Iterable[T], *, total: int | None = None, desc: str = "", unit: str = "it",
        enabled: bool = True) -> Iterable[T]:
    """`items`, with a progress bar while they are consumed (none when not `enabled`)."""
    # On a terminal, bars only when it is one (a log file gets the stage lines alone); in JupyterLab, widgets.
    # (tqdm.auto's bar is a notebook's only where it imported tqdm.notebook: a command does not import it, its
    # widgets' imports 0.1 s of every run's main thread.)
    notebook = sys.modules.get("tqdm.notebook")
    in_notebook = notebook is not None and issubclass(tqdm, notebook.tqdm_notebook)
    disable = (False if in_notebook else None) if enabled else True
    return tqdm(items, total=total, desc=desc, unit=unit, disable=disable, leave=False, dynamic_ncols=True)


@contextmanager
def stage_line(name: str, seconds: dict[str, float] | None = None, say: bool = True) -> Iterator[list[str]]:
    """Time a stage and print one line for it when it ends: its name, what it did, its duration
    (also kept in `seconds` under its name, when given).

    The body appends what the stage did to the yielded list (e.g. "108 sentences"), joined as is.
    Not `say`: timed and kept in `seconds`, not printed."""
    said: list[str] = []
    started = time.perf_counter()
    yield said
    stage_done(name, "".join(said), time.perf_counter() - started, seconds, say)


def stage_done(name: str, what: str, took: float, seconds: dict[str, float] | None = None,
               say: bool = True) -> None:
    """The line of a stage timed elsewhere (one that ran beside another): name, what it did, duration."""
    if seconds is not None:
        seconds[name] = round(took, 3)
    if say:
        print(shown(f"{name:<10} {what:<66} {took:6.1f} s"), file=sys.stdout, flush=True)
