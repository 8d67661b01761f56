"""How a run grows with the number of reports: `make reports` on 10, 100 and 1,000 synthetic reports.

For each N, `benchmarks/synthetic.py` writes N reports (the seeds' paragraphs shuffled, their
numbers, dates and names varied), and the whole job runs on them with demo models, from an
empty output folder and an empty translation memory, as `make reports` runs it. Printed per N:
wall time, model time (tokenising, generating and decoding, from run.json), the overhead per
report ((wall - model) / N: reading, checking, writing, notebooks, pages) and the peak resident
memory of the largest process.

Usage: python benchmarks/scale.py [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run(n: int, work: Path) -> dict:
    """One run of the whole job on N synthetic reports; its figures."""
    seeds, out = work / f"in-{n}", work / f"out-{n}"
    synthetic.write_reports(n, seeds)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "reports", "--models", "demo", "--seeds", str(seeds), "--out", str(out),
         "--memory", str(work / f"tm-{n}.sqlite"), "--notebooks", str(ROOT / "notebooks")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 2):
        sys.exit(f"the run on {n} reports failed:\n{proc.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data = json.loads((out / "data" / "run.json").read_text())
    model = data["translation"]["model_seconds"] + data["summaries"]["model_seconds"]
    stages = {k: data[k]["seconds"] for k in ("corpus", "translation", "summaries")}
    return {"n": n, "wall": wall, "model": model, "overhead_ms": 1000 * (wall - model) / n, "stages": stages,
            "peak_rss_mb": max(before, after) / 1024, "sentences": data["translation"]["sentences"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("demo models; empty output folder and translation memory for each N; the whole job as `make reports` runs it")
    print(f"{'reports':>8} {'sentences':>9} {'wall s':>8} {'model s':>8} {'overhead/report':>16} {'peak RSS MB':>12}"
          "   stage seconds (corpus, translation, summaries)")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        for n in sizes:
            r = run(n, Path(work))
            results.append(r)
            s = r["stages"]
            print(f"{n:>8} {r['sentences']:>9} {r['wall']:>8.1f} {r['model']:>8.1f} {r['overhead_ms']:>13.1f} ms "
                  f"{r['peak_rss_mb']:>12.0f}   {s['corpus']:.1f}, {s['translation']:.1f}, {s['summaries']:.1f}")
    if len(results) >= 2:
        last, before = results[-1], results[-2]
        print(f"overhead_per_report_ms={last['overhead_ms']:.1f} at {last['n']} reports; "
              f"growth {before['n']}->{last['n']}: {last['overhead_ms'] / before['overhead_ms']:.2f}x per report")


if __name__ == "__main__":
    main()
