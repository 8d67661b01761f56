"""The reviewer's own copy of notebook 06, which `make lab` opens: reviewing writes the copy
(JupyterLab's autosave, widget state, a parameter set to one's own OUT), never the tracked
`notebooks/06_review.ipynb` or its paired `.py`. The copy lives in `notebooks/my-review/`, which
git ignores; it is not paired with a .py (its jupytext metadata is dropped) and holds no outputs
when made. It is made again when the tracked notebook is newer (a pull changed it); the earlier
copy is kept beside it as `06_review.earlier.ipynb`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

FOLDER = "my-review"
NOTEBOOK = "06_review.ipynb"


def review_copy(notebooks: Path, into: Path | None = None) -> tuple[Path, str]:
    """Make (or keep) the copy of `notebooks/06_review.ipynb` in `into` (default `notebooks/my-review`);
    its path and the line to print."""
    tracked = Path(notebooks) / NOTEBOOK
    copy = Path(into or Path(notebooks) / FOLDER) / NOTEBOOK
    if copy.is_file() and copy.stat().st_mtime >= tracked.stat().st_mtime:
        return copy, f"reviewing in {copy} (your copy; git ignores it)"
    nb = nbformat.read(tracked, as_version=4)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    copy.parent.mkdir(parents=True, exist_ok=True)
    said = f"reviewing in {copy} (a fresh copy of {tracked}; git ignores it)"
    if copy.is_file():
        earlier = copy.with_name("06_review.earlier.ipynb")
        copy.replace(earlier)
        said += f"; your earlier copy is {earlier}"
    nbformat.write(nb, copy)
    return copy, said


if __name__ == "__main__":
    print(review_copy(Path(sys.argv[1] if len(sys.argv) > 1 else "notebooks"))[1])
