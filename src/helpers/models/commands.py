"""`python -m helpers models fetch|check|pack`: the models command, over the hub (fetching,
packing) and the loader (the check table loads and converts each model)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from helpers.models.registry import MODEL_REGISTRY
from helpers.config import Config
from helpers.models.convert import with_ct2
from helpers.models.hub import fetch, folder_bytes, pack, read_lock
from helpers.models.loaded import ModelError
from helpers.models.loading import load_real
from helpers.models.locate import locate
from helpers.store.terminal import shown


def check_rows(cfg: Config, keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """One row per model: whether it is here, whether it loads (and converts, once, into the cache),
    its revision, size and backend. Models are loaded one at a time and let go."""
    rows = []
    for key in keys or tuple(MODEL_REGISTRY):
        spec = cfg.spec(key)
        found = locate(spec)
        row = {"model": key, "source": spec.source, "found": found.origin if found else "missing",
               "loadable": "no", "revision": found.revision if found else "", "size_mb": "",
               "backend": "", "note": ""}
        if found:
            row["size_mb"] = f"{folder_bytes(found.folder) / 1e6:.1f}"
            try:
                loaded = load_real(spec, cfg.cache_dir)
                if cfg.backend == "ctranslate2":
                    loaded = with_ct2(loaded, cfg.cache_dir)
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


def run_models_command(cfg: Config, action: str, lock_path: Path, to: str | None, archive: bool) -> int:
    """`python -m helpers models fetch|check|pack`: 0 when all is well, 1 otherwise."""
    if action == "fetch":
        fetch(cfg, lock_path)
        print(shown(f"lock file written: {lock_path}"), file=sys.stderr)
        action = "check"
    if action == "check":
        rows = check_rows(cfg)
        print(format_rows(rows))
        return 0 if all(r["loadable"] == "yes" for r in rows) else 1
    if not to:
        raise ValueError("models pack needs --to DIR (the folder to write)")
    where = pack(cfg, lock_path, Path(to).expanduser().absolute(), archive)
    print(shown(f"packed {len(read_lock(lock_path))} models into {where}"), file=sys.stderr)
    return 0
