"""`python -m helpers ARGS` run in this process: `helpers.cli.main(ARGS)`, the function `__main__`
calls, with what a process of its own would have given it, and without paying a new interpreter's
imports (torch, transformers, pandas: seconds of CPU per run).

`run_cli(*args, env=..., drop=..., cwd=...)` returns a `subprocess.CompletedProcess` (args, returncode,
stdout, stderr as text), so a test's assertions read the same as with `subprocess.run`. What a run
would otherwise carry over to the next one, or to the test, is set up and put back each time:

- stdout and stderr are captured at the file descriptors (1 and 2) as well as `sys.stdout` and
  `sys.stderr`, so output of C code and of child processes (notebook kernels, the converter) is
  caught, as a pipe would catch it; the streams are not terminals and encode as this interpreter's
  own streams do, and the text comes back decoded with universal newlines, as `subprocess.run(...,
  text=True)` gives it;
- `os.environ` (given `env` added, `drop` removed) and the working folder are the run's own and
  restored afterwards, whatever the run changed;
- the warnings filters are those of a new interpreter (pytest's are not), and `main`'s own
  `warnings.showwarning` and filters are undone afterwards;
- the models loaded (the caches of `helpers.models.loading`, keyed without the Hugging Face cache
  folder in force) are dropped before and after, and the engines closed, as at a process's end;
- `SystemExit` (argparse's errors, `--help`) becomes the return code, as the interpreter would make
  it; any other exception propagates and fails the test: for a user it would have been a traceback.

A variable that a library reads when it is imported (huggingface_hub reads HF_HUB_OFFLINE, HF_ENDPOINT,
HF_HOME... into `huggingface_hub.constants`) cannot be changed for one run here: `run_cli` refuses
such an `env` or `drop`, and the test runs `python -m helpers` in a subprocess instead. HF_HUB_CACHE
may change: `helpers.models.locate.hub_cache` reads it at every call and passes it on explicitly.
"""

from __future__ import annotations

import io
import locale
import os
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

CALL_TIME_HF_VARIABLES = {"HF_HUB_CACHE"}  # read by helpers at each call, given explicitly to the libraries
TIMEOUT = 600  # seconds, as the subprocesses these runs replace had
ROOT = Path(__file__).resolve().parents[1]  # the checkout: where `make` runs the command


def _new_interpreter_warnings() -> None:
    """The warnings filters of `python -m helpers` started afresh: CPython's defaults, then -W /
    PYTHONWARNINGS as the child would have read them (its environment is this process's)."""
    warnings.resetwarnings()
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning, DeprecationWarning):
        warnings.simplefilter("ignore", category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    for option in [o for o in os.environ.get("PYTHONWARNINGS", "").split(",") if o]:
        warnings._setoption(option)  # type: ignore[attr-defined]


def _check_env(env: dict[str, str], drop: tuple[str, ...]) -> None:
    """Refuse a change to a variable read at import time: only a new process would see it."""
    from huggingface_hub import constants

    for name in [*env, *drop]:
        if not name.startswith(("HF_", "TRANSFORMERS_")) or name in CALL_TIME_HF_VARIABLES:
            continue
        wanted = None if name in drop else env[name]
        same = wanted == os.environ.get(name)
        if name == "HF_HUB_OFFLINE":
            same = same and constants.HF_HUB_OFFLINE == (str(wanted).upper() in constants.ENV_VARS_TRUE_VALUES)
        if not same:
            raise ValueError(f"{name} is read when huggingface_hub or transformers is imported: a run that "
                             f"changes it needs a process of its own (subprocess `python -m helpers`)")


def _forget_models() -> None:
    """Drop what a process's end would: the models it loaded (a run's engine is closed by its run)."""
    from helpers.models import loading

    loading.forget_models()


def _decoded(data: bytes) -> str:
    """As `subprocess.run(..., text=True)` decodes a pipe: the locale's encoding, universal newlines."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _stream(fd: int, like) -> io.TextIOWrapper:
    """A text stream on `fd`, encoding as `like` (this interpreter's own stdout or stderr) does."""
    return io.open(fd, "w", encoding=getattr(like, "encoding", None) or "utf-8",
                   errors=getattr(like, "errors", None) or "strict", buffering=1, closefd=False)


class _Timeout:
    """subprocess.run's timeout: `subprocess.TimeoutExpired` raised in the run after `seconds`
    (a SubprocessError: no `except OSError` in the command swallows it). Main thread only."""

    def __init__(self, args: list[str], seconds: float):
        self.args, self.seconds = args, seconds
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def _expired(self, signum, frame):
        raise subprocess.TimeoutExpired(self.args, self.seconds)

    def __enter__(self):
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def run_process(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = (),
                cwd: str | Path = ROOT, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """`python -m helpers *args` in a process of its own, as a user starts it (for what needs the
    process: `__main__`, a kill, a variable read at import); `env` added, the names in `drop` removed."""
    full = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in drop}
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, args)], capture_output=True, text=True,
                          env=full, cwd=cwd, timeout=timeout)


def run_cli(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = (),
            cwd: str | Path | None = ROOT, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """`python -m helpers *args` in this process (see the module's docstring); `env` is added to the
    environment and the names in `drop` removed from it, for this run only."""
    from helpers.cli import main

    argv = [str(a) for a in args]
    env = {k: str(v) for k, v in (env or {}).items()}
    _check_env(env, drop)
    saved_environ, saved_cwd = dict(os.environ), os.getcwd()
    sys.stdout.flush(), sys.stderr.flush()
    saved_fds = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    uncaught: BaseException | None = None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            os.environ.update(env)
            for name in drop:
                os.environ.pop(name, None)
            if cwd is not None:
                os.chdir(cwd)
            _forget_models()
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout, sys.stderr = _stream(1, sys.__stdout__), _stream(2, sys.__stderr__)
            with warnings.catch_warnings(), _Timeout(["python", "-m", "helpers", *argv], timeout):
                _new_interpreter_warnings()
                try:
                    status = main(argv)
                except SystemExit as exc:  # as the interpreter turns it into an exit status
                    if exc.code is None or isinstance(exc.code, int):
                        status = exc.code or 0
                    else:
                        print(exc.code, file=sys.stderr)
                        status = 1
                finally:
                    _forget_models()
        except BaseException as exc:  # uncaught in the run (a traceback for a user): the test fails on it
            uncaught = exc
            raise
        finally:
            for stream in (sys.stdout, sys.stderr):
                if stream not in saved_streams:
                    stream.flush()
            sys.stdout, sys.stderr = saved_streams
            os.dup2(saved_fds[0], 1)
            os.dup2(saved_fds[1], 2)
            os.close(saved_fds[0])
            os.close(saved_fds[1])
            os.chdir(saved_cwd)
            if dict(os.environ) != saved_environ:
                os.environ.clear()
                os.environ.update(saved_environ)
            out.seek(0), err.seek(0)
            stdout, stderr = out.read(), err.read()
            if uncaught is not None:  # ...showing what the run had printed
                uncaught.add_note(f"python -m helpers {' '.join(argv)}\nstdout: {stdout[-3000:]!r}\n"
                                  f"stderr: {stderr[-3000:]!r}")
    return subprocess.CompletedProcess(["python", "-m", "helpers", *argv], status, _decoded(stdout),
                                       _decoded(stderr))
