"""The output folder is the project's own: a run writes only into a folder that is new, empty or a
previous output of this project, and removes only files that a previous run recorded as its own.

`claim_output` is called before anything is written (by the CLI, and by the corpus stage for a
notebook run by hand). It refuses, with one line naming OUT and why:

- the project's checkout (`OUT=.` from the checkout: the run would write over its notebooks), or a
  folder that holds it;
- the input folder `SEEDS`, or a folder that holds it;
- a folder holding anything that is not a previous output of this project.

A previous output is marked by `OUT/.vi2en-output` (JSON: what it is, and the files runs wrote),
written when a run first claims the folder (outputs written before the marker existed are
recognised by their `data/run.json`, and marked). Within an output, `store.files.remove_stale`
removes only the files the marker records as a run's (pages, notebooks and translations of reports
since removed), never a file someone put there.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.errors import SettingsError
from helpers.store.paths import PROJECT_ROOT
from helpers.store.files import MARKER, marker_text, write_text
from helpers.store.paths import DATA_DIR, RUN_JSON_FILE

ABOUT = ("An output of vi2en (Vietnamese reports to English translations and summaries): `make reports "
         "OUT=<this folder>` may write here again. It rewrites its own files (data/, html/, notebooks/) and "
         "removes only the files listed under `files`, which earlier runs wrote.")


class OutputRefused(SettingsError):
    """OUT is not a folder a run may write into; the message says why, naming it."""


def _inside(path: Path, folder: Path) -> bool:
    """True if `path` is `folder` or lies within it (both resolved)."""
    return path == folder or folder in path.parents


def is_project_output(out: Path) -> bool:
    """True if `out` is marked as an output of this project (or holds the run.json one wrote)."""
    if (out / MARKER).is_file():
        return True
    try:
        run = json.loads((out / DATA_DIR / RUN_JSON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(run, dict) and isinstance(run.get("parameters"), dict)


def refusal(out: Path, seeds: Path, checkout: Path = PROJECT_ROOT) -> str | None:
    """Why a run may not write into `out` (one line naming it), or None when it may."""
    where, seeds, checkout = Path(out).resolve(), Path(seeds).resolve(), Path(checkout).resolve()
    if where == checkout:
        return (f"OUT={out} is the project's checkout: a run would write over its notebooks; "
                f"name a folder of its own (the default is build)")
    if _inside(checkout, where):
        return f"OUT={out} holds the project's checkout ({checkout}): name a folder of its own"
    if where == seeds:
        return f"OUT={out} is the input folder SEEDS: name another folder for the outputs"
    if _inside(seeds, where):
        return f"OUT={out} holds the input folder SEEDS ({seeds}): name a folder beside it"
    if where.is_dir() and not is_project_output(where) and any(where.iterdir()):
        return (f"OUT={out} holds files and is not an output of this project (no {MARKER} in it): "
                f"name a new or empty folder, or one an earlier run wrote")
    return None


def claim_output(out: Path, seeds: Path, checkout: Path = PROJECT_ROOT) -> None:
    """Refuse `out` (OutputRefused, naming it and why) or make it this project's: created when
    missing, and marked. Nothing is written before the checks."""
    why = refusal(out, seeds, checkout)
    if why:
        raise OutputRefused(why)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).is_file():
        write_text(out / MARKER, marker_text({"about": ABOUT, "files": {}}))
