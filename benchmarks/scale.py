"""How a run grows with the number of reports: `make reports` on 10, 100 and 1,000 synthetic reports.

For each N, `tests/synthetic.py` writes N reports (the seeds' paragraphs shuffled, their
numbers, dates and names varied), and the whole job runs on them with demo models, from an
empty output folder and an empty translation memory, as `make reports` runs it. Printed per N:
wall time, model time (tokenising, generating and decoding, from run.json), the overhead per
report ((wall - model) / N: reading, checking, writing, notebooks, pages), the peak resident
memory of the largest process, and each stage's seconds (the entity step's among them).

With `--engine dask` each N runs twice, side by side: locally, then on a local Dask cluster (one
worker per core); the engine's own overhead per report is the difference of the two wall times
divided by N (the outputs are identical, `tests/test_engines.py`).

Usage: python benchmarks/scale.py [--sizes 10,100,1000] [--engine local|dask]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import synthetic  # noqa: E402  (the synthetic-report generator the tests use too)

from helpers.pipeline import STAGE_NAMES  # noqa: E402  (the stages, as the runner has them)

ROOT = Path(__file__).resolve().parents[1]


def run(n: int, work: Path, engine: str = "local") -> dict:
    """One run of the whole job on N synthetic reports (on `engine`); its figures."""
    seeds, out = work / f"in-{n}", work / f"out-{n}-{engine}"
    if not seeds.is_dir():
        synthetic.write_reports(n, seeds)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpers", "reports", "--models", "demo", "--seeds", str(seeds), "--out", str(out),
             "--memory", str(work / f"tm-{n}-{engine}.sqlite"), "--notebooks", str(ROOT / "notebooks"),
             "--engine", engine],
            stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        # this run's own peak: the largest of its processes (kernels and cluster workers included)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) not in (0, 2):
            stderr.seek(0)
            sys.exit(f"the run on {n} reports failed:\n{stderr.read().decode()[-3000:]}")
    data = json.loads((out / "data" / "run.json").read_text())
    model = data["translate"]["model_seconds"] + data["summarise"]["model_seconds"]
    stages = {k: data[k]["seconds"] for k in STAGE_NAMES}
    return {"n": n, "engine": engine, "wall": wall, "model": model, "overhead_ms": 1000 * (wall - model) / n,
            "stages": stages, "peak_rss_mb": usage.ru_maxrss / 1024, "sentences": data["translate"]["sentences"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--engine", default="local", choices=("local", "dask"),
                        help="dask: each N also on a local Dask cluster, side by side with the local run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = ["local"] + (["dask"] if args.engine == "dask" else [])
    print("demo models; empty output folder and translation memory for each N; the whole job as `make reports` runs it")
    print(f"{'reports':>8} {'engine':>6} {'sentences':>9} {'wall s':>8} {'model s':>8} {'overhead/report':>16} "
          f"{'peak RSS MB':>12}   stage seconds (corpus, translate, summarise, entities)")
    results, engine_ms = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        for n in sizes:
            walls = {}
            for engine in engines:
                r = run(n, Path(work), engine)
                walls[engine] = r["wall"]
                if engine == "local":
                    results.append(r)
                s = r["stages"]
                print(f"{n:>8} {engine:>6} {r['sentences']:>9} {r['wall']:>8.1f} {r['model']:>8.1f} "
                      f"{r['overhead_ms']:>13.1f} ms {r['peak_rss_mb']:>12.0f}   "
                      f"{s['corpus']:.1f}, {s['translate']:.1f}, {s['summarise']:.1f}, {s['entities']:.1f}")
            if "dask" in walls:
                engine_ms[n] = 1000 * (walls["dask"] - walls["local"]) / n
    for n, ms in engine_ms.items():
        print(f"engine_overhead_ms_per_report={ms:.1f} at {n} reports (dask wall - local wall, / N)")
    if len(results) >= 2:
        last, before = results[-1], results[-2]
        print(f"overhead_per_report_ms={last['overhead_ms']:.1f} at {last['n']} reports; "
              f"growth {before['n']}->{last['n']}: {last['overhead_ms'] / before['overhead_ms']:.2f}x per report")


if __name__ == "__main__":
    main()
