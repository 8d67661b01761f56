"""Which notebooks `make reports` runs (the stage notebooks, 01-03) and their pages: the others are
for JupyterLab (a report by REPORT_ID, the index, the notebooks a person works in)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from helpers.pages.render import StagePage

# notebooks a person works in (widgets): JupyterLab only, never run by `make reports`
INTERACTIVE = ("_review", "_entities")

_HEADING = re.compile(r"^#\s+(?:\d+\s*·\s*)?(.+)$", re.MULTILINE)


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks of a folder, in order (01_..., 02_..., ...)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def is_view(path: Path) -> bool:
    """True for a notebook that `make reports` does not run: one that shows pages rendered
    in-process (a report by REPORT_ID, or the index: `make reports` renders those pages itself), or
    one a person works in (the review notebook). They are for JupyterLab."""
    import papermill

    return (path.stem.endswith(("_index", *INTERACTIVE))
            or "REPORT_ID" in papermill.inspect_notebook(str(path)))


def shown_stage(notebook: Path, names: Sequence[str]) -> str | None:
    """The stage a stage notebook shows, by its name (`01_corpus.ipynb`: `corpus`), when it is one of `names`
    (a run's stages); None for another (it shows the whole run)."""
    name = notebook.stem.partition("_")[2]
    return name if name in names else None


def stage_page(notebook: Path) -> StagePage:
    """A stage notebook's page, named after the notebook and titled by its first heading
    (`# 01 · Corpus: what is in the reports?` gives the label `Corpus`)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    heading = next((m.group(1).strip() for c in nb.cells if c.cell_type == "markdown"
                    for m in [_HEADING.search(c.source)] if m), notebook.stem)
    return StagePage(notebook, f"{notebook.stem}.html", heading.split(":")[0].strip(), heading)
