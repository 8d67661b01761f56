"""Where a run's work is done: in this process (`local`, the default) or on a Dask cluster (`dask`).

An engine does two things, and the stages ask nothing else of it:
- `map(fn, items)`: a pure function over items (reports to build, pages to render), results
  yielded in the items' order as they are made, so a caller that writes each (a page) never holds
  them all (10,000 reports' pages held at once were 2 GB);
- `generate(loaded, batches, settings)`: the model's outputs for length-sorted batches of units,
  yielded in the batches' order.

The driver (this process) keeps everything that decides an output: it cuts the units, looks
them up in the translation memory, sends only the misses out, and stores what comes back batch
by batch. Workers only run the model, loaded once per worker process (`load_model` keeps it) from
the shared cache the driver converted it into. So a run's outputs do not depend on the engine, and
a killed run resumes from the memory as a local one does.

Dask, not Ray: a worker that dies mid-batch has its tasks run again elsewhere by Dask's scheduler
(`allowed-failures`), with no actor restart policy to write; a worker process keeps its loaded
models between tasks, which is all an actor pool would add for batch inference on CPUs; and
`distributed` is a few pure-Python wheels beside pandas, where Ray brings its own object store and
services. Ray Data's actor pools are the better fit once the workers are GPUs (README, "Scale-out").
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from helpers.errors import EnvironmentProblem
from helpers.models.settings import GenerationSettings
from helpers.models.registry import ModelSpec

ENGINES = ("local", "dask")  # where the work runs: this process, or a Dask cluster (the ENGINE parameter)
__all__ = ["ENGINES", "Engine", "EngineError", "LocalEngine", "DaskEngine", "start_engine"]
STARTUP_SECONDS = 120  # how long a cluster may take to answer
PROBE_SECONDS = 5  # how long the scheduler's port may take to accept a connection


class EngineError(EnvironmentProblem):
    """The engine could not be started or reached, or lost its workers; the message says which."""


@dataclass(frozen=True)
class ModelRequest:
    """What a worker needs to load the model the driver loaded: the same spec, the same files
    (stand-in or real, from the same cache) and the same backend."""

    spec: ModelSpec
    mode: str  # "demo" or "real": what the driver found, never "auto" again
    cache_dir: Path
    backend: str


def model_request(loaded: Any, cache_dir: Path) -> ModelRequest:
    """The request that makes a worker load what `loaded` is."""
    return ModelRequest(loaded.spec, "demo" if loaded.demo else "real", Path(cache_dir), loaded.backend)


class Engine(Protocol):
    """A place to run work: see the module's docstring."""

    name: str

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """`fn` of each item, in order, each given as it is done (`items` may be made lazily: this process
        takes the next one only when it runs it)."""
        ...

    def generate(self, loaded: Any, batches: list[list[str]], settings: GenerationSettings) -> Iterator[list]: ...

    def describe(self) -> dict[str, Any]:
        """name, workers, cluster and start-up seconds, for run.json."""
        ...

    def close(self) -> None: ...


class LocalEngine:
    """Everything on this machine: the model's own threads use every core, and Python work over many items is
    shared among processes of their own, one a core, where a stage asks for it (`inference.cores`)."""

    name = "local"

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return (fn(item) for item in items)

    def generate(self, loaded: Any, batches: list[list[str]], settings: GenerationSettings) -> Iterator[list]:
        from helpers.inference.generation import generate_batches

        return generate_batches(loaded, batches, settings, scored=True)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "workers": 1, "cluster": "this process", "startup_seconds": 0.0}

    def close(self) -> None:
        pass


def _answers(address: str) -> None:
    """Raise OSError at once when nothing listens at a tcp address (a refused port, an unknown host,
    none answering within PROBE_SECONDS), rather than after Dask's STARTUP_SECONDS of retries."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number: Dask names the address
        return
    if parts.scheme in ("tcp", "tls") and host and port:
        socket.create_connection((host, port), timeout=PROBE_SECONDS).close()


class DaskEngine:
    """A Dask cluster: the one at `address`, or a local one of `workers` processes (one thread each)
    started now and stopped with the engine."""

    name = "dask"

    def __init__(self, address: str, workers: int, cache_dir: Path) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - in requirements.txt
            raise EngineError("ENGINE=dask needs the `distributed` package (pip install -r requirements.txt)") from None
        started = time.perf_counter()
        self.cache_dir = Path(cache_dir)
        self.cluster = None
        self.address = address
        logging.getLogger("distributed").setLevel(logging.ERROR)  # its start-up news is not the user's concern
        try:
            if address:
                _answers(address)
                self.client = Client(address, timeout=STARTUP_SECONDS)
            else:
                from helpers.inference.cores import interrupt_ignored

                with interrupt_ignored():  # its workers leave a terminal's Ctrl-C to this program
                    self.cluster = LocalCluster(n_workers=workers or (os.cpu_count() or 1), threads_per_worker=1,
                                                processes=True, dashboard_address=None, silence_logs=logging.ERROR,
                                                preload=[__name__],  # (`dask_setup`: a worker started again too)
                                                # its status server on a free loopback port, never a fixed one
                                                scheduler_kwargs={"dashboard": False,
                                                                  "dashboard_address": "127.0.0.1:0"})
                    self.client = Client(self.cluster, timeout=STARTUP_SECONDS)
        except OSError as exc:  # refused, timed out, unresolvable
            where = f"the cluster at {address}" if address else "a local cluster"
            raise EngineError(f"ENGINE=dask: {where} could not be reached: {exc}") from None
        self.startup_seconds = round(time.perf_counter() - started, 3)

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        work = list(items)  # all sent at once: the cluster's workers take them as they are free
        futures = self.client.map(fn, work, pure=False) if work else []
        del work
        try:
            for n, future in enumerate(futures):
                yield self._result(future)
                futures[n] = None  # let go of each result once given (the workers drop it too)
        finally:
            pending = [f for f in futures if f is not None and not f.done()]
            if pending:
                self.client.cancel(pending)

    def generate(self, loaded: Any, batches: list[list[str]], settings: GenerationSettings) -> Iterator[list]:
        request = model_request(loaded, self.cache_dir)
        futures = [self.client.submit(run_batch, request, texts, settings, pure=False) for texts in batches]
        try:
            for future in futures:
                yield self._result(future)
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def _result(self, future: Any) -> Any:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:  # the scheduler ran it again on other workers, and they died too
            raise EngineError("ENGINE=dask: the cluster's workers died running the same task (out of memory, or "
                              "killed); the translation memory keeps every batch finished before: run again") from None

    def describe(self) -> dict[str, Any]:
        cluster = self.address or "a local cluster started for the run"
        return {"name": self.name, "workers": self.workers, "cluster": cluster, "startup_seconds": self.startup_seconds}

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run_batch(request: ModelRequest, texts: list[str], settings: GenerationSettings) -> list[tuple[str, float]]:
    """On a worker: (output, score) of each text of one batch, with the model loaded once per worker."""
    from helpers.inference.generation import generate_scored
    from helpers.models.loading import load_model

    loaded = load_model(request.spec, request.mode, request.cache_dir, request.backend, threads=_worker_threads())
    return generate_scored(loaded, texts, settings)


def _worker_threads() -> int:
    """The threads this worker may use (its Dask slots), so the workers of one machine share its cores."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 0


def dask_setup(worker: Any) -> None:
    """In each worker of a local cluster as it starts (distributed's `preload` of this module), a worker the
    cluster starts again (one that died) too: a terminal's Ctrl-C is left to the program, as the first workers
    leave it from their start (`cores.interrupt_ignored`)."""
    from helpers.inference.cores import leave_interrupt

    leave_interrupt()


def unstarted(engine: str, cluster: str) -> dict[str, Any]:
    """run.json's `engine` section for a run that never started its engine (every stage and page was current:
    nothing ran on it). A local cluster is not started only to be described."""
    if engine == "local":
        return LocalEngine().describe()
    return {"name": engine, "workers": 0, "cluster": f"{cluster or 'a local cluster'}: not started (nothing to run)",
            "startup_seconds": 0.0}


def start_engine(engine: str, cluster: str, workers: int, cache_dir: Path) -> Engine:
    """The engine ENGINE names: this process, or a Dask cluster (the one at `cluster`, else a local
    one of `workers` processes). The caller owns it and closes it (the run context does)."""
    if engine == "local":
        return LocalEngine()
    return DaskEngine(cluster, workers, cache_dir)
