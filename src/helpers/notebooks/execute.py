"""One stage notebook executed with papermill, in its own kernel, into `OUT/notebooks/`."""

from __future__ import annotations

import os
from pathlib import Path

from helpers.config import Config
from helpers.errors import EnvironmentProblem

KERNEL = "python3"


class NotebookFailed(EnvironmentProblem):
    """A notebook stopped with an error; the message names it and the error."""


def run_notebook(path: Path, cfg: Config) -> Path:
    """Execute one notebook with papermill into `OUT/notebooks/`, every Config field its
    parameter; return the executed copy."""
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(path), str(target), parameters=cfg.parameters(), kernel_name=KERNEL,
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
    return target
