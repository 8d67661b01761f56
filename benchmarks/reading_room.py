"""The reading room at scale: the index and the search of N reports, in Chromium, from file://.

A run of synthetic reports with demo models (made once, or `--from OUT`) is copied to N reports
(each copy a new report id and date; texts as long as real ones), the index, the digest and the
search data are written as the pages stage writes them, and Chromium (playwright, the tests'
`/usr/bin/chromium`) opens the index and searches. Printed per N: the index's size and the time
until it is usable (DOMContentLoaded, the sort and filter script run) and loaded; the search data's
size; the first search (loading every shard and indexing it with MiniSearch) and the next ones.

Usage: python benchmarks/reading_room.py [--sizes 1000,10000] [--from OUT]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import synthetic  # noqa: E402

from helpers.config import Config  # noqa: E402
from helpers.pages.collection import write_collection_pages  # noqa: E402
from helpers.pages.outputs import Outputs, load_outputs  # noqa: E402
from helpers.pages.render import INDEX, nav_for, page, save_page  # noqa: E402
from helpers.pages.report import index_html  # noqa: E402

QUERIES = ("da nang", "ha noi", '"cong an"', "nghi quyet trung uong", "tong ket")


def base_run(folder: Path, reports: int = 40) -> Path:
    """OUT of a run of `reports` synthetic reports with demo models."""
    synthetic.write_reports(reports, folder / "in")
    subprocess.run([sys.executable, "-m", "helpers", "reports", "--seeds", str(folder / "in"),
                    "--out", str(folder / "out"), "--models", "demo"], check=True, stdout=subprocess.DEVNULL)
    return folder / "out"


def scaled(out: Outputs, n: int) -> Outputs:
    """`out`'s reports copied to n reports (new ids, dates spread over ten years)."""
    k = -(-n // len(out.reports))
    ids = [f"{rid}-{i:04d}" for i in range(k) for rid in out.reports["report_id"]][:n]

    def copy(frame: pd.DataFrame) -> pd.DataFrame:
        parts = [frame.assign(report_id=frame["report_id"] + f"-{i:04d}") for i in range(k)]
        whole = pd.concat(parts, ignore_index=True)
        return whole[whole["report_id"].isin(set(ids))].reset_index(drop=True)

    reports = copy(out.reports)
    days = pd.to_datetime("2016-01-01") + pd.to_timedelta(range(len(reports)), unit="D") % pd.Timedelta(days=3650)
    reports["date"] = days.strftime("%Y-%m-%d")
    return Outputs(reports, copy(out.sentences), copy(out.summaries), copy(out.references), out.problems, out.run)


def measure(html: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.goto((html / INDEX).as_uri(), wait_until="load")
        nav = pg.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; "
                          "return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()")
        took = []
        for q in QUERIES:
            started = time.perf_counter()
            pg.evaluate("q => VI2EN.search(q)", q)
            took.append(1000 * (time.perf_counter() - started))
        hits = pg.inner_text("#vi2en-results .lead")
        browser.close()
    return {"usable_ms": nav[0], "loaded_ms": nav[1], "first_search_ms": took[0],
            "next_search_ms": max(took[1:]), "said": hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--from", dest="source", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reading-room-") as tmp:
        source = args.source or base_run(Path(tmp))
        out = load_outputs(Config(out=source))
        print(f"{'reports':>8} {'index':>9} {'usable':>8} {'loaded':>8} {'search data':>12} "
              f"{'1st search':>11} {'next':>8}")
        for n in (int(s) for s in args.sizes.split(",")):
            html = Path(tmp) / f"html-{n}"
            html.mkdir()
            big = scaled(out, n)
            written = time.perf_counter()
            save_page(html / INDEX, page("Index of reports", index_html(big, with_style=False), nav_for(INDEX, [])))
            write_collection_pages(big, html, [])
            written = time.perf_counter() - written
            data = sum(f.stat().st_size for f in (html / "search").iterdir())
            m = measure(html)
            print(f"{n:>8,} {(html / INDEX).stat().st_size / 1e6:>7.1f}MB "
                  f"{m['usable_ms']:>6.0f}ms {m['loaded_ms']:>6.0f}ms "
                  f"{data / 1e6:>10.1f}MB {m['first_search_ms']:>9.0f}ms {m['next_search_ms']:>6.0f}ms"
                  f"   (pages written in {written:.1f} s; {m['said'][:60]})")


if __name__ == "__main__":
    os.environ.setdefault("HELPERS_MODELS", "demo")
    main()
