"""One stage notebook executed with papermill into `OUT/notebooks/`, in its own kernel or in one the
run's notebooks share (`SharedKernel`: one after another, each in a fresh namespace). The kernel
gets the run's parameters as they are; the stored copy shows its paths as shared outputs do
(`shown_path`: relative to the project, `~/…` under the home folder), never the analyst's folders.
The kernel may start before the notebook's inputs are written: its cells wait at a `Gate`."""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers.config import IN_RUN, Config, shown_path
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


class SharedKernel:
    """One kernel for the run's notebooks, executed one after another (`run_notebook(kernel=…)`): started
    (importing what they all import) by the first, each later one's cells run after the namespace is reset
    and the working folder set to its notebook's, so that none sees another's names, as in a kernel of its
    own. A kernel costs a second and more of CPU to start and import (three did, beside the stages); the
    notebooks' tables are read in it as before. Shut it down (`shut_down`) from the thread that ran them."""

    def __init__(self) -> None:
        self.km: Any = None  # jupyter_client's manager, made with the first notebook's client
        self.kc: Any = None  # its client, started with the first notebook (a client's start waits 0.2 s at least)
        self.ran = 0  # notebooks whose cells ran in it
        self._work = tempfile.TemporaryDirectory(prefix="helpers-kernel-")
        self.said = Path(self._work.name) / "warm-up.txt"  # what its warm-up imports wrote
        self.output = Path(self._work.name) / "kernel-output.txt"  # its process's own stdout and stderr

    def shut_down(self) -> None:
        """Stop the kernel if it runs (one that died, or that nbclient stopped, has its files let go), its client,
        and this object's files."""
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                try:
                    self.kc.stop_channels()
                except Exception:  # noqa: BLE001  (a client already stopped: the kernel is still to stop)
                    pass
            if self.km is not None:
                if run_sync(self.km.is_alive)():
                    run_sync(self.km.shutdown_kernel)(now=False)
                else:
                    run_sync(self.km.cleanup_resources)()  # (its connection file; the shutdown would do it)
        finally:
            self.km = self.kc = None
            self._work.cleanup()


def reset_code(folder: Path) -> str:
    """Code that gives a kernel what a kernel of its own, started for the notebook in `folder`, would have: a
    fresh namespace (its modules stay imported), that folder, pandas' options as pandas sets them, and every
    module's record of the warnings it showed forgotten (a warning an earlier notebook caused is shown again)."""
    return ("get_ipython().reset(new_session=True)\n"
            "import os as _os, sys as _sys, warnings as _warnings\n"
            f"_os.chdir({str(folder)!r})\n"
            "_saved = _warnings.filters[:]\n"
            "_warnings.simplefilter('default')  # (the filters changed: the records of warnings shown are stale)\n"
            "_warnings.filters[:] = _saved\n"
            "if 'pandas' in _sys.modules:\n"
            "    with _warnings.catch_warnings():\n"
            "        _warnings.simplefilter('ignore')  # (its deprecated options say so as they are reset)\n"
            "        _sys.modules['pandas'].reset_option('all')\n"
            "del _os, _sys, _warnings, _saved\n")


@dataclass
class Executed:
    """An executed notebook's stored copy, and what its kernel's warm-up imports wrote (a warning, say:
    the notebook's own import cell no longer does), for the terminal and run.json as a cell's stderr."""

    notebook: Path
    warm_up_said: str


def run_notebook(path: Path, cfg: Config, gate: Gate | None = None, imports: tuple[str, ...] = (),
                 kernel: SharedKernel | None = None) -> Executed:
    """Execute one notebook with papermill, every Config field its parameter, and store the executed
    copy in `OUT/notebooks/` (atomically, with its paths shortened). The kernel imports `imports` as it
    starts (`gate.notebook_imports`). With a `gate`, the cells wait for `gate.open()` (the stages' tables
    written); `gate.close()` (unless opened) and `gate.cancel()` abandon them (Abandoned is raised, the kernel
    is shut down). With a `kernel`, the notebook runs in that one (started here if it is not yet; left running
    for the next notebook). What the kernel process itself writes outside its cells (a library's line at exit,
    ipykernel's own traceback when it is shut down mid-flush) goes to a file, not this run's terminal; its last
    line is quoted when the kernel stops before the notebook is done."""
    import nbformat
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    parameters = cfg.parameters()
    with ExitStack() as stack:  # a kernel of its own writes to files of its own; a shared one, to the kernel's files
        if kernel is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="helpers-kernel-")))
            said, own = work / "warm-up.txt", work / "kernel-output.txt"
        else:
            said, own = kernel.said, kernel.output
        starts = kernel is None or kernel.km is None  # the kernel starts with it: its warm-up is this one's to report
        written = own.stat().st_size if own.is_file() else 0  # what the kernel said before this notebook
        try:
            nb = papermill.execute_notebook(
                str(path), None, parameters=parameters, kernel_name=KERNEL,  # None: kept in memory, stored below
                engine_name=_gated_engine(), gate=gate or Gate(opened=True), kernel_output=own, kernel=kernel,
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
        except NotebookFailed:
            raise
        except RuntimeError as exc:  # jupyter_client's and nbclient's word for a kernel that died (DeadKernelError)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            last = _last_line(own, written)
            quoted = f"; it last said: {last}" if last else ""
            which = (f"the stage notebooks' kernel stopped as it started, importing what they import ({first}{quoted})"
                     if kernel is not None and not kernel.ran else f"its kernel stopped ({first}{quoted})")
            raise NotebookFailed(f"{path.name} failed: {which}. Run it again; if it stops again, open the notebook in "
                                 f"JupyterLab to see why") from None
        warm_up_said = said.read_text(encoding="utf-8", errors="replace") if starts and said.is_file() else ""
    shorten_paths(nb, parameters, path)
    return Executed(write_bytes(target, nbformat.writes(nb).encode("utf-8")), warm_up_said)


def _last_line(path: Path, after: int = 0) -> str:
    """The last non-blank line of the text file `path` (a kernel's own output) from byte `after` on, or "" when
    there is none."""
    try:
        with open(path, "rb") as file:
            file.seek(after)
            lines = file.read().decode("utf-8", errors="replace").splitlines()
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
        def __init__(self, nb_man: Any, gate: Gate, kernel_output: Path | None = None,
                     kernel: SharedKernel | None = None, **kw: Any) -> None:
            if kernel is not None and kernel.km is None:  # the shared kernel's manager: made here, started below
                from jupyter_client.manager import AsyncKernelManager

                kernel.km = AsyncKernelManager(kernel_name=kw.get("kernel_name") or KERNEL)
            super().__init__(nb_man, km=kernel.km if kernel else None, **kw)
            if kernel is not None and kernel.kc is not None:
                self.kc = kernel.kc  # (`setup_kernel` starts none then)
            self.gate = gate
            self.kernel_output = kernel_output  # where the kernel process's own stdout and stderr go
            self.shared = kernel
            self.started_with: dict[str, Any] = {}

        def start_new_kernel(self, **kwargs: Any) -> None:
            """As nbclient's, at a lower priority, its process's own output to `kernel_output`; not at all when
            the cells are abandoned already (a failed run, or notebooks found current)."""
            self.started_with = kwargs
            if self.gate.abandoned:
                raise Abandoned
            kwargs = {**kwargs, "env": {**kwargs.get("env", os.environ), IN_RUN: "1"}}  # (`config.IN_RUN`)
            if self.kernel_output is None:
                super().start_new_kernel(**kwargs)
            else:
                with open(self.kernel_output, "ab") as output:  # (the kernel holds its own copy of the file)
                    super().start_new_kernel(stdout=output, stderr=output, **kwargs)
            pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            if pid:
                lower_priority(pid)

        def start_new_kernel_client(self) -> Any:
            """As nbclient's; a kernel that died before replying is started once more, on new ports.
            jupyter_client chooses free ports, then the kernel binds them: another process (a Dask
            worker, another kernel) can take one in between, and the kernel dies of `Address already
            in use`. nbclient has shut the dead one down and let its manager go."""
            try:
                return super().start_new_kernel_client()
            except RuntimeError:  # (DeadKernelError, "Kernel died before replying to kernel_info")
                if self.km is not None:
                    raise
            self.create_kernel_manager()  # (it becomes `km`) its ports chosen anew
            if self.shared is not None:
                self.shared.km = self.km
            self.start_new_kernel(**self.started_with)
            return super().start_new_kernel_client()

        def papermill_execute_cells(self) -> None:
            self.gate.wait()
            if self.shared is not None:
                if self.shared.ran:  # another notebook's names go, as in a kernel of its own
                    self._run_quietly(reset_code(Path(self.resources["metadata"]["path"])))
                self.shared.ran += 1
            self.nb_man.notebook_start()  # its duration is the cells', not the wait's
            super().papermill_execute_cells()

        def _run_quietly(self, code: str) -> None:
            """Run `code` in the kernel, uncounted and unshown; a failure is the notebook's (NotebookFailed)."""
            client: Any = getattr(self, "kc")  # (nbclient's, started by `setup_kernel`)
            reply = self.wait_for_reply(client.execute(code, silent=True, store_history=False))
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                name = Path(self.nb_man.nb.metadata.get("papermill", {}).get("input_path", "?")).name
                why = content.get("ename", "no reply")
                raise NotebookFailed(f"{name} failed: its kernel could not be reset ({why})")

        def execute(self, **kwargs: Any) -> Any:
            """As papermill's; a shared kernel's client is kept for the next notebook (`SharedKernel.kc`)."""
            try:
                return super().execute(**kwargs)
            finally:
                if self.shared is not None:
                    self.shared.kc = getattr(self, "kc", None)

    class GatedEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     start_timeout: int = 60, execution_timeout: int | None = None, *,
                                     gate: Gate, kernel_output: Path | None = None,
                                     kernel: SharedKernel | None = None, **kwargs: Any) -> Any:
            # as NBClientEngine.execute_managed_notebook, with the gate
            timeout = execution_timeout or kwargs.get("timeout")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                                 log=logger, log_output=log_output)
            return GatedClient(nb_man, gate, kernel_output, kernel, **final).execute()

    papermill_engines.register(ENGINE, GatedEngine)
    return ENGINE
