"""Whether the stage notebooks' executed copies and pages in `OUT` are current, so a re-run with
nothing new need not execute them again (each costs a kernel and seconds).

After the notebooks ran, `OUT/notebooks/manifest.json` records, per notebook, the stamp of what
made it and digests of its executed copy and page, and the warnings its cells wrote. The stamp
covers the notebook's bytes, the package's code (`stamps.code_stamp`: the templates too), the run's
parameters, the data files as the file system has them (size and time of each file of the contract:
a cheap check, where `store.contract.data_stamp` reads 200 MB at 10,000 reports), what run.json says
of the stages and models (their seconds aside), and the pages' navigation. They are current when
every stamp matches and every file is there as it was written.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from helpers.config import Config
from helpers.pages.render import StagePage
from helpers.stamps import code_stamp
from helpers.store.contract import TABLES
from helpers.store.files import read_json, write_bytes

MANIFEST = "manifest.json"  # in OUT/notebooks/
VOLATILE = ("engine", "warnings", "pages", "collection")  # run.json sections a notebook's output does not depend on


def manifest_path(cfg: Config) -> Path:
    """Where the manifest of the stage notebooks of `cfg`'s run is kept."""
    return cfg.out / "notebooks" / MANIFEST


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def data_files(cfg: Config) -> list[tuple[str, int, int] | str]:
    """Each data file of the contract as (name, size, modification time in ns), or its name when missing:
    any write of a table (every writer replaces the file) changes it."""
    found: list[tuple[str, int, int] | str] = []
    for table in TABLES.values():
        try:
            st = (cfg.data_dir / table.file).stat()
            found.append((table.file, st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            found.append(table.file)
    return found


def run_record(run: dict[str, Any]) -> dict[str, Any]:
    """What of run.json the notebooks show: every section but the volatile ones, and no stage's seconds."""
    return {name: ({k: v for k, v in value.items() if k != "seconds"} if isinstance(value, dict) else value)
            for name, value in run.items() if name not in VOLATILE}


def stamps(cfg: Config, stages: list[StagePage]) -> dict[str, str]:
    """The stamp each stage notebook's copy and page must carry to be current (by notebook file name)."""
    common = {"code": code_stamp(), "parameters": cfg.parameters(), "data": data_files(cfg),
              "run": run_record(read_json(cfg.run_json)),
              "nav": [(s.file, s.label, s.title) for s in stages]}
    return {s.notebook.name: _digest({**common, "notebook": _file_digest(s.notebook), "page": s.file})
            for s in stages}


def record_notebooks(cfg: Config, stages: list[StagePage], wanted: dict[str, str],
                     warnings: list[dict[str, str]]) -> Path:
    """Write the manifest after the notebooks ran: each one's stamp (`wanted`, taken once every stage was done: what they read),
    the digests of its executed copy and page, and the warnings of the run."""
    entries = {s.notebook.name: {"stamp": wanted[s.notebook.name], "page": s.file,
                                 "executed": _file_digest(cfg.out / "notebooks" / s.notebook.name),
                                 "html": _file_digest(cfg.html_dir / s.file)} for s in stages}
    manifest = {"notebooks": entries, "warnings": warnings}
    return write_bytes(manifest_path(cfg), (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                                            + "\n").encode("utf-8"))


def forget_notebooks(cfg: Config) -> None:
    """Drop the manifest before the notebooks run: a run stopped half way leaves nothing current."""
    manifest_path(cfg).unlink(missing_ok=True)


def notebooks_current(cfg: Config, stages: list[StagePage]) -> bool:
    """True when the executed copies and pages of exactly these stage notebooks are in `OUT` as the
    last run wrote them, made from the same notebooks, code, parameters and data."""
    try:
        entries = read_json(manifest_path(cfg)).get("notebooks")
    except (OSError, ValueError):
        return False
    if not isinstance(entries, dict) or set(entries) != {s.notebook.name for s in stages}:
        return False
    wanted = stamps(cfg, stages)
    return all(entries[s.notebook.name] == {
        "stamp": wanted[s.notebook.name], "page": s.file,
        "executed": _file_digest(cfg.out / "notebooks" / s.notebook.name) or "missing",
        "html": _file_digest(cfg.html_dir / s.file) or "missing"} for s in stages)


def recorded_warnings(cfg: Config) -> list[dict[str, str]]:
    """The warnings the notebooks wrote when they last ran (for run.json when they are not run again)."""
    found = read_json(manifest_path(cfg)).get("warnings", [])
    return found if isinstance(found, list) else []
