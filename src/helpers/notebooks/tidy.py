"""A notebook as it is stored in the project: what a reader should open in JupyterLab."""

from __future__ import annotations

from pathlib import Path

from helpers.config import Config, parameters_cell

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # a progress widget's output


def tidy_notebook(notebook: Path) -> bool:
    """Make a stored notebook what a reader should open: its parameters cell's run parameters are
    the Config fields (`config.parameters_cell`; the notebook's own parameters, e.g. REPORT_ID, kept
    after them), and no progress widget is stored (its state is not saved, so JupyterLab would show
    a dead bar as text). True when it changed. `make notebooks-sync` runs it on every notebook."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    before = nbformat.writes(nb)
    names = set(Config.parameter_names())
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError(f"{notebook.name} has no cell tagged `parameters`")
    own = [line for line in tagged[0].source.splitlines()
           if line.strip() and not line.startswith("#") and line.split("=")[0].strip() not in names]
    tagged[0].source = "\n".join([parameters_cell(), *own])
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    if nbformat.writes(nb) == before:
        return False
    nbformat.write(nb, notebook)
    return True
