"""What belongs to the reviewer, not to the project, kept in the user's own folders (platformdirs:
`~/.config/vi2en/` and `~/.local/share/vi2en/` on Linux), never in the checkout: the name the
review panel last had, and the edits typed but not saved yet (so closing the tab loses nothing:
JupyterLab gives a notebook no way to warn before it is closed).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from helpers.review.entries import REVIEWER_ENV, reviewer_name
from helpers.store.files import write_text

APP = "vi2en"


def name_file() -> Path:
    """Where the reviewer's name is remembered."""
    return Path(user_config_dir(APP)) / "reviewer.txt"


def drafts_file(reviews: Path) -> Path:
    """Where the unsaved edits for one reviews folder are kept (one file per folder)."""
    key = hashlib.sha256(str(Path(reviews).absolute()).encode()).hexdigest()[:16]
    return Path(user_data_dir(APP)) / "drafts" / f"{key}.json"


def remembered_name() -> str:
    """The name the panel last had, '' when none (or the file cannot be read)."""
    try:
        return name_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def starting_name(given: str | None) -> str:
    """Who reviews when the panel opens: REVIEWER (the parameter, `make lab REVIEWER=…`,
    $HELPERS_REVIEWER), else the name remembered from the last session, else the login name."""
    for name in (given, os.environ.get(REVIEWER_ENV), remembered_name()):
        if name and str(name).strip():
            return str(name).strip()
    return reviewer_name()


def remember_name(name: str) -> str:
    """Keep the name for the next session; '' when kept, else why not (the panel says it)."""
    try:
        write_text(name_file(), name.strip() + "\n")
    except OSError as exc:
        return f"the name is not remembered: {name_file()}: {exc.strerror or exc}"
    return ""


def load_drafts(reviews: Path) -> dict[str, str]:
    """The unsaved edits of an earlier session: {Vietnamese sentence: the box's text}."""
    try:
        data = json.loads(drafts_file(reviews).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def keep_drafts(reviews: Path, drafts: dict[str, str]) -> str:
    """Write the unsaved edits (atomically); '' when written, else why not."""
    try:
        write_text(drafts_file(reviews), json.dumps(drafts, ensure_ascii=False, indent=0))
    except OSError as exc:
        return f"unsaved edits are not kept on disk: {exc.strerror or exc}"
    return ""
