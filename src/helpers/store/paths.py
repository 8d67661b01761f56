"""Where the project is, and paths as shared outputs show them (without the machine's folders)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # the checkout (the package is installed editable)


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
