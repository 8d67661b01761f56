"""`python -m helpers models fetch|check|pack`: the models command, over the hub (fetching,
packing) and the loader (the check table loads and converts each model)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers.errors import EXIT_FATAL, EXIT_OK, SettingsError
from helpers.models.convert import with_ct2
from helpers.models.hub import fetch, folder_bytes, pack, read_lock
from helpers.models.loaded import ModelError
from helpers.models.loading import load_real
from helpers.models.locate import locate
from helpers.models.registry import ModelSpec
from helpers.text.terminal import shown


def check_rows(specs: Mapping[str, ModelSpec], cache_dir: Path, backend: str) -> list[dict[str, Any]]:
    """One row per model of `specs`: whether it is here, whether it loads (and converts, once, into
    the cache), its revision, size and backend. Models are loaded one at a time and let go."""
    rows = []
    for key, spec in specs.items():
        found = locate(spec)
        row = {"model": key, "source": spec.source, "found": found.origin if found else "missing",
               "loadable": "no", "revision": found.revision if found else "", "size_mb": "",
               "backend": "", "note": ""}
        if found:
            row["size_mb"] = f"{folder_bytes(found.folder) / 1e6:.1f}"
            try:
                loaded = load_real(spec, cache_dir)
                if backend == "ctranslate2":
                    loaded = with_ct2(loaded, cache_dir)
                row.update(loadable="yes", backend=loaded.backend, note=loaded.ct2_note)
                del loaded
            except ModelError as exc:
                row["note"] = str(exc)
        else:
            row["note"] = "not in the cache: `make models` on a connected machine, or MODEL_PACK=DIR"
        rows.append(row)
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    """The check table as aligned text."""
    columns = ["model", "source", "found", "loadable", "revision", "size_mb", "backend"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    for r in rows:
        lines.append("  ".join(str(r[c]).ljust(widths[c]) for c in columns))
        if r["note"]:
            lines.append(f"    {r['note']}")
    return "\n".join(lines)


def run_models_command(specs: Mapping[str, ModelSpec], cache_dir: Path, backend: str, action: str,
                       lock_path: Path, to: str | None, archive: bool) -> int:
    """`python -m helpers models fetch|check|pack` over `specs` (every registry model, with the run's
    settings): the exit status, 0 when all is well, 1 otherwise."""
    if action == "fetch":
        fetch(specs, lock_path)
        print(shown(f"lock file written: {lock_path}"), file=sys.stderr)
        action = "check"
    if action == "check":
        rows = check_rows(specs, cache_dir, backend)
        for line in format_rows(rows).splitlines():
            print(shown(line))
        return EXIT_OK if all(r["loadable"] == "yes" for r in rows) else EXIT_FATAL
    if not to:
        raise SettingsError("models pack needs --to DIR (the folder to write)")
    where = pack(lock_path, Path(to).expanduser().absolute(), archive)
    print(shown(f"packed {len(read_lock(lock_path))} models into {where}"), file=sys.stderr)
    return EXIT_OK
