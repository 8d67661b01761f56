"""How a run grows with the number of reports, and what a re-run costs: `make reports` on 1,000 and
10,000 synthetic reports (`--sizes`), each as four runs into the same OUT (`--scenarios`): the first
run, a re-run with nothing new, and two re-runs (day 2, day 3) with 10 new reports and 1 changed each
(issue 39's goals:
nothing new at most 2 s + 0.3 ms per report; 10 new under 10 s plus their model time; a first run's
overhead at most 20 ms per report, peak memory under 2.5 GB). With `--chromium`, the reading room's
figures at the largest N (index usable, search answered: benchmarks/reading_room.py).

For each N, `tests/synthetic.py` writes N reports (the seeds' paragraphs shuffled, their
numbers, dates and names varied), and the whole job runs on them with demo models, from an
empty output folder and an empty translation memory, as `make reports` runs it. Printed per N:
wall time, model time (tokenising, generating and decoding, and the entity model's tagging of new
sentences: run.json's `model_seconds` of translate, summarise and entities), the overhead per
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


ROOT = Path(__file__).resolve().parents[1]


def run(n: int, work: Path, engine: str = "local", scenario: str = "first") -> dict:
    """One run of the whole job on the N synthetic reports of `work` (on `engine`) into its OUT; its
    figures. `scenario`: first (an empty OUT and memory), again (nothing new), day2 and day3 (10 new, 1 changed)."""
    seeds, out = work / f"in-{n}", work / f"out-{n}-{engine}"
    if not seeds.is_dir():
        synthetic.write_reports(n, seeds)
    if scenario in DAYS:
        day = DAYS.index(scenario) + 1
        made = synthetic.write_reports(n + 10, work / f"more-{n}-{day}", seed=day)[n:]
        for i, path in enumerate(made):
            path.rename(seeds / f"synthetic_{scenario}_{i:02d}.txt")
        with open(seeds / f"synthetic_{day - 1:05d}.txt", "a", encoding="utf-8") as fh:
            fh.write("\nBài viết được cập nhật thêm một câu vào ngày hôm sau.\n")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr, tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpers", "reports", "--models", "demo", "--seeds", str(seeds), "--out", str(out),
             "--memory", str(work / f"tm-{n}-{engine}.sqlite"), "--notebooks", str(ROOT / "notebooks"),
             "--engine", engine],
            stdout=stdout, stderr=stderr, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        # this run's own peak: the largest of its processes (kernels and cluster workers included)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) not in (0, 2):
            stderr.seek(0)
            sys.exit(f"the run on {n} reports failed:\n{stderr.read().decode()[-3000:]}")
        stdout.seek(0)
        said = stdout.read().decode()
    data = json.loads((out / "data" / "run.json").read_text())
    # model time of the stages that ran (a stage read back did no model work)
    model = sum(data[k].get("model_seconds", 0) for k in ("translate", "summarise", "entities")
                if "(unchanged, read back)" not in _line(said, k))
    stages = {k: v for k, v in data["engine"]["stage_seconds"].items()}
    return {"n": n, "engine": engine, "scenario": scenario, "wall": wall, "model": model,
            "overhead_ms": 1000 * (wall - model) / n, "stages": stages, "peak_rss_mb": usage.ru_maxrss / 1024,
            "sentences": data["translate"]["sentences"], "html": out / "html"}


def _line(said: str, stage: str) -> str:
    """The terminal line of `stage` in a run's output."""
    return next((line for line in said.splitlines() if line.startswith(stage)), "")


# Re-runs with 10 new reports and 1 changed: day 2 follows the first run, day 3 the re-run before it (the
# steady state of a collection run every morning).
DAYS = ("day2", "day3")
GOALS = {"first": "overhead <= 20 ms/report, peak < 2500 MB", "again": "<= 2 s + 0.3 ms/report",
         **{day: "< 10 s + model time of the new reports" for day in DAYS}}


def goal_met(r: dict) -> bool:
    """Whether a run meets issue 39's goal for its scenario."""
    if r["scenario"] == "first":
        return r["overhead_ms"] <= 20 and r["peak_rss_mb"] < 2500
    if r["scenario"] == "again":
        return r["wall"] <= 2 + 0.0003 * r["n"]
    return r["wall"] - r["model"] < 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--scenarios", default="first,again,day2,day3")
    parser.add_argument("--engine", default="local", choices=("local", "dask"),
                        help="dask: each N also on a local Dask cluster, side by side with the local run")
    parser.add_argument("--chromium", action="store_true", help="the reading room's figures at the largest N")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    scenarios = args.scenarios.split(",")
    engines = ["local"] + (["dask"] if args.engine == "dask" else [])
    print("demo models; per N: a first run (empty OUT and memory), a re-run with nothing new, two re-runs "
          "(day2, day3) with 10 new and 1 changed each, into the same OUT")
    print(f"{'reports':>8} {'engine':>6} {'run':>6} {'wall s':>8} {'model s':>8} {'overhead/report':>16} "
          f"{'peak RSS MB':>12}   stage seconds")
    results, engine_ms = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        for n in sizes:
            walls = {}
            for engine in engines:
                for scenario in scenarios:
                    r = run(n, Path(work), engine, scenario)
                    walls[(engine, scenario)] = r["wall"]
                    if engine == "local":
                        results.append(r)
                    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
                    print(f"{n:>8} {engine:>6} {scenario:>6} {r['wall']:>8.1f} {r['model']:>8.1f} "
                          f"{r['overhead_ms']:>13.1f} ms {r['peak_rss_mb']:>12.0f}   {stages}", flush=True)
            if ("dask", "first") in walls:
                engine_ms[n] = 1000 * (walls[("dask", "first")] - walls[("local", "first")]) / n
        reading_room = None
        if args.chromium:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            import reading_room as room  # noqa: E402  (the reading room's own benchmark measures in Chromium)

            largest = [r for r in results if r["n"] == max(sizes)][-1]
            reading_room = room.figures(largest["html"])
    for n, ms in engine_ms.items():
        print(f"engine_overhead_ms_per_report={ms:.1f} at {n} reports (dask wall - local wall, / N)")
    for r in results:
        print(f"{r['scenario']}_{r['n']}: wall_s={r['wall']:.1f} model_s={r['model']:.1f} "
              f"overhead_ms_per_report={r['overhead_ms']:.1f} peak_rss_mb={r['peak_rss_mb']:.0f} "
              f"goal ({GOALS[r['scenario']]}): {'met' if goal_met(r) else 'MISSED'}")
    if reading_room:
        print("reading_room_at_" + str(max(sizes)) + ": " + " ".join(f"{k}={v}" for k, v in reading_room.items()))


if __name__ == "__main__":
    main()
