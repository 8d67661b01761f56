"""Model throughput per worker with the full-size benchmark models: the local engine against a local
Dask cluster, side by side in one run.

The models, units and forced output lengths are those of `make bench` (`whole_job.py`):
opus-mt-vi-en's shape on every sentence of the seeds, distilbart-cnn-12-6's and mT5-base's shapes on
every report's summary chunks, all on CTranslate2 int8, beam 4. Each engine starts from an empty
translation memory. Printed per model: seconds, units per second, units per second per worker,
and the Dask engine's time relative to the local one. This is the figure the README's plan for
100,000 reports scales from.

Usage: python benchmarks/engine_throughput.py [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translate_speed  # noqa: E402
import whole_job  # noqa: E402


def timed(engine, jobs, memory_file: Path) -> dict[str, float]:
    """Seconds of each job (all its units, cold) on `engine`."""
    from helpers.config import default_cache_dir
    from helpers.models.loading import load_model
    from helpers.inference.runs import ModelWork, cached_run, memory_for
    from helpers.inference.sentences import translate_sentences

    seconds = {}
    for label, spec, units in jobs:
        loaded = load_model(spec, "real", default_cache_dir(), "ctranslate2")
        memory = memory_for(loaded, memory_file)
        started = time.perf_counter()
        if label == "translate":
            translate_sentences(units, loaded, memory, (), progress=False, engine=engine)
        else:
            cached_run(loaded, memory, loaded.settings, ModelWork(), progress=False, engine=engine)(units)
        seconds[label] = time.perf_counter() - started
        memory.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from helpers.config import default_cache_dir
    from helpers.inference.engines import DaskEngine, LocalEngine
    from helpers.models.loading import load_model

    cache = default_cache_dir()
    bodies = whole_job.report_bodies()
    jobs = [("translate", translate_speed.bench_spec(cache), translate_speed.corpus_texts())]
    for key, (_, column) in whole_job.SUMMARISERS.items():
        spec = whole_job.summary_spec(key, cache)
        jobs.append((key, spec, whole_job.chunks_for(load_model(spec, "real", cache, "ctranslate2"), bodies[column])))
    for _, spec, _ in jobs:  # converted once, before either engine is timed; the local translators made
        load_model(spec, "real", cache, "ctranslate2").ct2.num_translators
    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    local = timed(LocalEngine(), jobs, work / "local.sqlite")
    started = time.perf_counter()
    dask = DaskEngine("", args.workers, cache)
    startup = time.perf_counter() - started
    workers = dask.workers
    try:
        remote = timed(dask, jobs, work / "dask.sqlite")
    finally:
        dask.close()
    print(f"full-size benchmark models, CTranslate2 int8, beam 4, forced lengths; local: this process "
          f"(one batch per core); dask: a local cluster of {workers} workers, one thread each "
          f"(started in {startup:.1f} s, not counted; models loaded by each worker at its first batch, counted)")
    print(f"{'model':<11} {'units':>6} {'local s':>8} {'dask s':>8} {'units/s local':>14} {'units/s dask':>13} "
          f"{'per worker':>11} {'dask/local':>11}")
    for label, _, units in jobs:
        per_s_local, per_s_dask = len(units) / local[label], len(units) / remote[label]
        print(f"{label:<11} {len(units):>6} {local[label]:>8.1f} {remote[label]:>8.1f} {per_s_local:>14.2f} "
              f"{per_s_dask:>13.2f} {per_s_dask / workers:>11.2f} {remote[label] / local[label]:>10.2f}x")
    total_local, total_dask = sum(local.values()), sum(remote.values())
    print(f"model_seconds_local={total_local:.1f} model_seconds_dask={total_dask:.1f} "
          f"dask_over_local={total_dask / total_local:.2f} workers={workers} reports=5")


if __name__ == "__main__":
    main()
