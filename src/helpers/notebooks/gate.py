"""The stage notebooks' kernel, started while the stages run: it starts and imports what the notebooks
import (seconds of work they would otherwise do after the stages), then their cells wait at a gate until
the stages' tables are written (`Gate.open`), or are abandoned (`Gate.close`; `Gate.cancel`, a run that failed)."""

from __future__ import annotations

import ast
import os
import threading
from pathlib import Path


class Abandoned(Exception):
    """The run stopped, or found the notebooks current, before their cells could run."""


class Gate:
    """Holds the notebooks' cells until `open` (the tables they read are written); `close` abandons them unless
    opened, `cancel` even then, unless they started."""

    def __init__(self, opened: bool = False) -> None:
        self._decided = threading.Event()
        self._go = opened
        self._cancelled = False
        if opened:
            self._decided.set()

    def open(self) -> None:
        """Let the cells run."""
        self._go = True
        self._decided.set()

    def close(self) -> None:
        """Abandon the cells, unless opened already: `wait` raises Abandoned (the kernel is shut down as after a run)."""
        self._decided.set()

    def cancel(self) -> None:
        """Abandon the cells, opened or not, unless they started already (a run that failed: the notebooks
        let run as their stage was done, but not started yet, do not run)."""
        self._cancelled = True
        self._decided.set()

    @property
    def opened(self) -> bool:
        """Whether the cells were let run."""
        return self._go

    @property
    def abandoned(self) -> bool:
        """Whether the cells will not run (`close` came first, or `cancel`): a kernel not started yet need not start."""
        return self._decided.is_set() and (self._cancelled or not self._go)

    def wait(self) -> None:
        """Return when the cells may run; raise Abandoned when they will not."""
        self._decided.wait()
        if self._cancelled or not self._go:
            raise Abandoned


def imported_modules(source: list[str]) -> list[str]:
    """The modules the code cells' top-level `import` and `from … import` statements name, in order
    (a cell that is not plain Python, with a magic, is skipped: its imports run in it as written)."""
    names: list[str] = []
    for code in source:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
    return list(dict.fromkeys(names))


# A kernel's niceness: the stages and the pages, which the notebooks wait for or run beside, come first.
NICENESS = 10


def lower_priority(pid: int) -> None:
    """Run process `pid` (a kernel just started) NICENESS below this process, so the stages and pages come first."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS))
    except OSError:  # gone already, or not ours to change: it runs as it is
        pass


def notebook_imports(notebook: Path) -> tuple[str, ...]:
    """The modules a notebook's code cells import (`imported_modules`). Call it from one thread at a time:
    Python 3.11's `ast.parse` in threads side by side can fail ("AST constructor recursion depth mismatch")."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return tuple(imported_modules([c.source for c in nb.cells if c.cell_type == "code"]))


def warm_up_code(modules: tuple[str, ...], said: Path) -> str:
    """Code a kernel runs as it starts (IPython's `exec_lines`): it imports `modules`, binding no name. What
    the imports write (a warning, say) goes to the file `said`, which the run reports as a cell's stderr
    (the kernel's own streams lead nowhere yet); a module that fails to import is left to the notebook's
    own cell, which shows the error."""
    return ("import contextlib as _context\n"
            f"with open({str(said)!r}, 'w', encoding='utf-8') as _said, "
            "_context.redirect_stdout(_said), _context.redirect_stderr(_said):\n"
            f"    for _module in {modules!r}:\n"
            "        try:\n            __import__(_module)\n        except Exception:\n            pass\n"
            "_module = None\ndel _context, _said, _module\n")
