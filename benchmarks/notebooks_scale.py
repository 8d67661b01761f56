"""The stage notebooks (01-03) at scale: their time and page sizes at N reports, and the cost of
`notebooks_current` (what a re-run with nothing new pays instead of running them).

A run of synthetic reports with demo models (`--from OUT`, made with `--seeds` and `--memory`) is
copied to N reports (`tests/scaled.py`: each table repeated, new report ids, run.json kept and
stamped current for this code by `mark_current`, so the stages are read back) and the notebooks are
executed on it with papermill as `make reports` does.

Usage: python benchmarks/notebooks_scale.py --from OUT --seeds SEEDS --memory TM [--sizes 300,10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from scaled import mark_current, scale_data  # noqa: E402

from helpers.config import Config  # noqa: E402
from helpers.notebooks.current import notebooks_current  # noqa: E402
from helpers.notebooks.run import run_stage_notebooks  # noqa: E402
from helpers.notebooks.stages import is_view, notebook_paths, stage_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--memory", type=Path, required=True)
    parser.add_argument("--sizes", default="300,10000")
    args = parser.parse_args()
    stages = [stage_page(nb) for nb in notebook_paths(ROOT / "notebooks") if not is_view(nb)]
    with tempfile.TemporaryDirectory(prefix="notebooks-scale-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            cfg = Config(seeds=args.seeds, out=scale_data(args.source, n, Path(tmp) / f"out{n}"), models="demo",
                         memory=args.memory)
            mark_current(cfg)
            started = time.perf_counter()
            run_stage_notebooks(cfg, stages)
            ran = time.perf_counter() - started
            started = time.perf_counter()
            current = notebooks_current(cfg, stages)
            check = time.perf_counter() - started
            sizes = ", ".join(f"{s.notebook.stem} {(cfg.html_dir / s.file).stat().st_size / 1024:.0f} KB"
                              for s in stages)
            print(f"{n:>6} reports: notebooks {ran:.1f} s; pages {sizes}; notebooks_current {current} in {check:.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
