"""A run's data copied to many reports, for measuring what reads the whole collection (the stage
notebooks) at sizes too slow to translate here: each table of `OUT/data/` repeated, every copy of a
report a new report id (`<id>-0001`), dates spread over ten years; run.json kept, so the stages read
as current and the notebooks read the copies back. The same data and N give the same files.

Usage: python tests/scaled.py FROM_OUT N TO_OUT
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

from helpers.config import Config
from helpers.store.contract import TABLES
from helpers.store.files import read_csv, update_json, write_csv


def scale_data(source: Path, n: int, target: Path) -> Path:
    """`source` (an OUT) with its reports copied to `n` in `target` (an OUT); return `target`."""
    data = target / "data"
    data.mkdir(parents=True, exist_ok=True)
    reports = read_csv(source / "data" / TABLES["reports"].file)
    k = -(-n // max(1, len(reports)))
    ids = {f"{rid}-{i:04d}" for i in range(k) for rid in reports["report_id"]}
    kept = sorted(ids)[:n] if len(ids) > n else sorted(ids)
    wanted = set(kept)
    for table in TABLES.values():
        path = source / "data" / table.file
        if not path.is_file():
            continue
        frame = read_csv(path)
        if "report_id" in frame.columns:
            parts = [frame.assign(report_id=frame["report_id"] + f"-{i:04d}") for i in range(k)]
            frame = pd.concat(parts, ignore_index=True)
            frame = frame[frame["report_id"].isin(wanted)].reset_index(drop=True)
            if table.file == TABLES["reports"].file:
                days = pd.to_datetime("2016-01-01") + pd.to_timedelta(range(len(frame)), unit="D") % pd.Timedelta(
                    days=3650)
                frame["date"] = days.strftime("%Y-%m-%d")
        write_csv(data / table.file, frame)
    shutil.copy(source / "data" / "run.json", data / "run.json")
    return target


def mark_current(cfg: Config) -> None:
    """Stamp the copied data as current for `cfg` with this code (run.json's stage stamps), so the
    notebooks read it back instead of running the stages again (the source run may be of older code)."""
    from helpers.pipeline import SEQUENCE
    from helpers.review.snapshot import ReviewsSnapshot
    from helpers.stamps import stamp
    from helpers.store.files import read_json

    reviews = ReviewsSnapshot.read(cfg.reviews).digest_of
    run = read_json(cfg.run_json)
    for at, stage in enumerate(SEQUENCE):
        if isinstance(run.get(stage.name), dict):
            update_json(cfg.run_json, stage.name, {**run[stage.name], "stamp": stamp(cfg, SEQUENCE[: at + 1], reviews)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    scale_data(args.source, args.n, args.target)


if __name__ == "__main__":
    main()
