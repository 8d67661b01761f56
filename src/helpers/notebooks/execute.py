"""One stage notebook executed with papermill, in its own kernel, into `OUT/notebooks/`. The kernel
gets the run's parameters as they are; the stored copy shows its paths as shared outputs do
(`shown_path`: relative to the project, `~/…` under the home folder), never the analyst's folders.
The kernel may start before the notebook's inputs are written: its cells wait at a `Gate`."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers.config import Config, shown_path
from helpers.errors import EnvironmentProblem
from helpers.notebooks.gate import Abandoned, Gate, lower_priority, warm_up_code
from helpers.store.files import write_bytes

KERNEL = "python3"
ENGINE = "helpers-gated"  # papermill's nbclient engine, its cells held at a Gate (`_gated_engine`)


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


@dataclass
class Executed:
    """An executed notebook's stored copy, and what its kernel's warm-up imports wrote (a warning, say:
    the notebook's own import cell no longer does), for the terminal and run.json as a cell's stderr."""

    notebook: Path
    warm_up_said: str


def run_notebook(path: Path, cfg: Config, gate: Gate | None = None, imports: tuple[str, ...] = ()) -> Executed:
    """Execute one notebook with papermill, every Config field its parameter, and store the executed
    copy in `OUT/notebooks/` (atomically, with its paths shortened). The kernel imports `imports` as it
    starts (`gate.notebook_imports`). With a `gate`, the cells wait for `gate.open()` (the stages' tables
    written); `gate.close()` abandons them (Abandoned is raised, the kernel is shut down).
    What the kernel process itself writes outside its cells (a library's line at exit, ipykernel's own
    traceback when it is shut down mid-flush) goes to a file, not this run's terminal; its last line
    is quoted when the kernel stops before the notebook is done."""
    import nbformat
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    parameters = cfg.parameters()
    with tempfile.TemporaryDirectory(prefix="helpers-kernel-") as work:
        said, own = Path(work) / "warm-up.txt", Path(work) / "kernel-output.txt"
        try:
            nb = papermill.execute_notebook(
                str(path), None, parameters=parameters, kernel_name=KERNEL,  # None: kept in memory, stored below
                engine_name=_gated_engine(), gate=gate or Gate(opened=True), kernel_output=own,
                # The kernel starts in the notebook's folder (nbclient's `path`), not this process: papermill's
                # `cwd` would change this whole process's working folder while other threads work in it.
                resources={"metadata": {"path": str(path.parent.absolute())}},
                progress_bar=False, log_output=False,
                # the kernel's start-up warnings (TCP without encryption) and its "KeyboardInterrupt caught
                # in kernel" at shutdown are not the user's concern; a cell's error still fails the run
                extra_arguments=["--IPKernelApp.log_level=CRITICAL",
                                 f"--IPKernelApp.exec_lines={warm_up_code(imports, said)}"],
            )
        except papermill.PapermillExecutionError as exc:
            raise NotebookFailed(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None
        except RuntimeError as exc:  # jupyter_client's and nbclient's word for a kernel that died (DeadKernelError)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            last = _last_line(own)
            raise NotebookFailed(f"{path.name} failed: its kernel stopped ({first}{'; it last said: ' + last if last else ''}). "
                                 f"Run it again; if it stops again, open the notebook in JupyterLab to see why") from None
        warm_up_said = said.read_text(encoding="utf-8", errors="replace") if said.is_file() else ""
    shorten_paths(nb, parameters, path)
    return Executed(write_bytes(target, nbformat.writes(nb).encode("utf-8")), warm_up_said)


def _last_line(path: Path) -> str:
    """The last non-blank line of the text file `path` (a kernel's own output), or "" when there is none."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


@lru_cache(maxsize=1)
def _gated_engine() -> str:
    """Register, once, papermill's nbclient engine with its cells held at a Gate; return its name. The
    kernel starts (and runs its warm-up) as papermill's does; the notebook's timings start when the gate opens."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class GatedClient(PapermillNotebookClient):
        def __init__(self, nb_man: Any, gate: Gate, kernel_output: Path | None = None, **kw: Any) -> None:
            super().__init__(nb_man, **kw)
            self.gate = gate
            self.kernel_output = kernel_output  # where the kernel process's own stdout and stderr go
            self.started_with: dict[str, Any] = {}
            self.turn = False  # whether this kernel holds the gate's turn to start (`Gate.turn_to_start`)

        def start_new_kernel(self, **kwargs: Any) -> None:
            """As nbclient's, one kernel at a time while the stages run (its turn given back once it answers,
            in `start_new_kernel_client`), at a lower priority, its process's own output to `kernel_output`."""
            self.started_with = kwargs
            if not self.turn:
                self.turn = self.gate.turn_to_start()
            try:
                if self.gate.abandoned:  # (a failed run, or notebooks found current, while it waited its turn)
                    raise Abandoned
                if self.kernel_output is None:
                    super().start_new_kernel(**kwargs)
                else:
                    with open(self.kernel_output, "ab") as output:  # (the kernel holds its own copy of the file)
                        super().start_new_kernel(stdout=output, stderr=output, **kwargs)
            except BaseException:
                self._started()
                raise
            pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            if pid:
                lower_priority(pid)

        def start_new_kernel_client(self) -> Any:
            """As nbclient's; a kernel that died before replying is started once more, on new ports.
            jupyter_client chooses free ports, then the kernel binds them: another process (a Dask
            worker, another kernel) can take one in between, and the kernel dies of `Address already
            in use`. nbclient has shut the dead one down and let its manager go."""
            try:
                try:
                    return super().start_new_kernel_client()
                except RuntimeError:  # (DeadKernelError, "Kernel died before replying to kernel_info")
                    if self.km is not None:
                        raise
                self.create_kernel_manager()  # (it becomes `km`) its ports chosen anew
                self.start_new_kernel(**self.started_with)
                return super().start_new_kernel_client()
            finally:
                self._started()

        def _started(self) -> None:
            if self.turn:
                self.turn = False
                self.gate.started()

        def papermill_execute_cells(self) -> None:
            self.gate.wait()
            self.nb_man.notebook_start()  # its duration is the cells', not the wait's
            super().papermill_execute_cells()

    class GatedEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     start_timeout: int = 60, execution_timeout: int | None = None, *,
                                     gate: Gate, kernel_output: Path | None = None, **kwargs: Any) -> Any:
            # as NBClientEngine.execute_managed_notebook, with the gate
            timeout = execution_timeout or kwargs.get("timeout")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                                 log=logger, log_output=log_output)
            return GatedClient(nb_man, gate, kernel_output, **final).execute()

    papermill_engines.register(ENGINE, GatedEngine)
    return ENGINE
