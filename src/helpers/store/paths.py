"""Where the project is, and paths as shared outputs show them (without the machine's folders)."""

from __future__ import annotations

import os
from pathlib import Path


# The output folder's layout (docs/data-contract.md): its folders, and the files beside the tables.
DATA_DIR = "data"  # OUT/data: the tables, run.json and the files below
HTML_DIR = "html"  # OUT/html: the pages
NOTEBOOKS_DIR = "notebooks"  # OUT/notebooks: the stage notebooks as executed
RUN_JSON_FILE = "run.json"  # in OUT/data
TRANSLATIONS_DIR = "translations"  # in OUT/data: each report's English (.txt, .docx, .md)
DATABASE_FILE = "collection.sqlite"  # in OUT/data: every table, with full-text search
WORKBOOK_FILE = "collection.xlsx"  # in OUT/data: every table, a sheet each

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # the checkout (the package is installed editable)

CACHE_ENV = "HELPERS_CACHE"


def default_cache_dir() -> Path:
    """Where stand-in models, conversions and the translation memory live: $HELPERS_CACHE, else
    the checkout's `.cache/` (the same folder for `make` and JupyterLab)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else PROJECT_ROOT / ".cache"


def shown_path(path: Path) -> str:
    """A path as shared outputs show it, without the machine's folders: relative to the project
    when inside it ('seeds', '.cache/translation-memory.sqlite'), '~/…' under the home folder,
    else '…/' and its last two parts."""
    path = Path(path)
    for base, prefix in ((PROJECT_ROOT, ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base)) if path != base else (prefix.rstrip("/") or ".")
        except ValueError:
            continue
    return "…/" + "/".join(path.parts[-2:])
