"""Where a run's memory peaks: `python -m helpers reports ARGS` with its resident size (VmRSS, Linux) read
every 0.1 s, printed beside its stage lines, each time it moved by 100 MB or more, and its peak (MB and
second) at the end. The run's own process only: the notebooks' kernels and the entity step's tagging
processes are not counted (`make bench-scale` gives the peak over every process).

    .venv/bin/python benchmarks/memory_timeline.py --models demo --seeds IN --out OUT --memory TM.sqlite

How docs/performance.md found the first run's peaks (the token counts of summary chunking, the report pages,
the search index) at 10,000 synthetic reports.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEP_MB = 100  # a change of the resident size printed
EVERY_SECONDS = 0.1


def resident_mb(pid: int) -> int | None:
    """The process's resident size in MB (None once it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))
    except (OSError, StopIteration, ValueError):
        return None


def main(args: list[str]) -> int:
    started = time.perf_counter()
    run = subprocess.Popen([sys.executable, "-m", "helpers", "reports", *args], cwd=ROOT, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"})
    peak = [0, 0.0]

    def sample() -> None:
        shown = 0
        while run.poll() is None and (mb := resident_mb(run.pid)) is not None:
            at = time.perf_counter() - started
            if mb > peak[0]:
                peak[:] = [mb, at]
            if abs(mb - shown) >= STEP_MB:
                print(f"{at:8.1f} s  {mb:6d} MB", flush=True)
                shown = mb
            time.sleep(EVERY_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert run.stdout is not None
    for line in run.stdout:
        print(f"{time.perf_counter() - started:8.1f} s  | {line.rstrip()}", flush=True)
    code = run.wait()
    sampler.join()
    print(f"peak_rss_mb={peak[0]} at_s={peak[1]:.1f} exit={code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
