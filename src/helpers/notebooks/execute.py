"""One stage notebook executed with papermill, in its own kernel, into `OUT/notebooks/`. The kernel
gets the run's parameters as they are; the stored copy shows its paths as shared outputs do
(`shown_path`: relative to the project, `~/…` under the home folder), never the analyst's folders."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from helpers.config import Config, shown_path
from helpers.errors import EnvironmentProblem
from helpers.store.files import write_bytes

KERNEL = "python3"


class NotebookFailed(EnvironmentProblem):
    """A notebook stopped with an error; the message names it and the error."""


def shown_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Papermill's parameters with each path field as `shown_path` gives it: a path inside the project
    is relative to it, which a notebook reads as the same folder (`Config.from_parameters`)."""
    paths = {name.upper() for name in Config.path_fields()}
    return {name: shown_path(Path(value)) if name in paths and value else value for name, value in parameters.items()}


def shorten_paths(nb, parameters: dict[str, Any], notebook: Path) -> None:
    """An executed notebook's papermill record without the machine's folders: its injected parameters
    cell and `metadata.papermill` (parameters, input and output paths) as `shown_parameters` gives them."""
    from papermill.translators import translate_parameters

    shown = shown_parameters(parameters)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            comment = "Parameters (paths relative to the project, or shortened as shown_path shows them)"
            cell.source = translate_parameters(KERNEL, "python", shown, comment)
    record = nb.metadata.get("papermill", {})
    record.update({"parameters": shown, "input_path": shown_path(notebook),
                   "output_path": f"{shown_path(Path(parameters['OUT']))}/notebooks/{notebook.name}"})


def run_notebook(path: Path, cfg: Config) -> Path:
    """Execute one notebook with papermill, every Config field its parameter, and store the executed
    copy in `OUT/notebooks/` (atomically, with its paths shortened); return the copy."""
    import nbformat
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    parameters = cfg.parameters()
    try:
        nb = papermill.execute_notebook(
            str(path), None, parameters=parameters, kernel_name=KERNEL,  # None: kept in memory, stored below
            # The kernel starts in the notebook's folder (nbclient's `path`), not this process: papermill's
            # `cwd` would change this whole process's working folder while other threads work in it.
            resources={"metadata": {"path": str(path.parent.absolute())}},
            progress_bar=False, log_output=False,
            # the kernel's start-up warnings (TCP without encryption) and its "KeyboardInterrupt caught
            # in kernel" at shutdown are not the user's concern; a cell's error still fails the run
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None
    shorten_paths(nb, parameters, path)
    return write_bytes(target, nbformat.writes(nb).encode("utf-8"))
