"""The reading room at scale: the index and the search of N reports, in Chromium, from file://.

A run of synthetic reports with demo models (made once, or `--from OUT`) is copied to N reports
(each copy a new report id and date, its entities' mentions too; texts as long as real ones), the
pages over every report (index, its rows' data, digest, entities page, search data) are written as
the pages stage writes them (`pages.stage.write_collection`), and Chromium (playwright, the tests'
`/usr/bin/chromium`) opens the index and searches (`figures`, which `benchmarks/scale.py` may call
on an OUT/html of its own). Printed per N: the index's size and the time until it is usable (its
sort and filter script ready over every row); the largest of the digest and the entities page; the
search data's size; each query's answer in a page of its own (cold: the search data it needs
loaded with `<script>`), the largest answer and the data it loaded, and a repeated query (warm).

Usage: python benchmarks/reading_room.py [--sizes 1000,10000] [--from OUT] [--keep DIR]
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
from helpers.pages.outputs import Outputs, load_outputs  # noqa: E402
from helpers.pages.render import DIGEST, ENTITIES, INDEX  # noqa: E402
from helpers.pages.stage import write_collection  # noqa: E402

QUERIES = ("da nang", "ha noi", '"cong an"', "nghi quyet trung uong", "tong ket", "phong chay chua chay")


def base_run(folder: Path, reports: int = 40) -> Path:
    """OUT of a run of `reports` synthetic reports with demo models."""
    synthetic.write_reports(reports, folder / "in")
    subprocess.run([sys.executable, "-m", "helpers", "reports", "--seeds", str(folder / "in"),
                    "--out", str(folder / "out"), "--models", "demo"], check=True, stdout=subprocess.DEVNULL)
    return folder / "out"


def scaled(out: Outputs, n: int) -> Outputs:
    """`out`'s reports copied to n reports (new ids, dates spread over ten years), with their mentions
    of the same entities (whose report counts grow with the copies)."""
    k = -(-n // len(out.reports))
    ids = [f"{rid}-{i:04d}" for i in range(k) for rid in out.reports["report_id"]][:n]

    def copy(frame: pd.DataFrame) -> pd.DataFrame:
        parts = [frame.assign(report_id=frame["report_id"] + f"-{i:04d}") for i in range(k)]
        whole = pd.concat(parts, ignore_index=True)
        return whole[whole["report_id"].isin(set(ids))].reset_index(drop=True)

    reports = copy(out.reports)
    days = pd.to_datetime("2016-01-01") + pd.to_timedelta(range(len(reports)), unit="D") % pd.Timedelta(days=3650)
    reports["date"] = days.strftime("%Y-%m-%d")
    mentions = copy(out.mentions)
    named = mentions.groupby("entity_id")["report_id"].nunique()
    entities = out.entities.assign(reports=out.entities["entity_id"].map(named).fillna(0).astype(int).astype(str))
    return Outputs(reports, copy(out.sentences), copy(out.summaries), copy(out.references), out.problems, out.run,
                   entities, mentions)


def loaded_scripts(pg) -> list[str]:
    return pg.evaluate("[...document.querySelectorAll('script[src]')].map(s => s.src)")


def size_of(urls: list[str]) -> int:
    from urllib.parse import unquote, urlparse

    return sum(Path(unquote(urlparse(u).path)).stat().st_size for u in urls)


def figures(html: Path, queries: tuple[str, ...] = QUERIES) -> dict[str, float | str]:
    """The reading room's figures in Chromium from file:// for an OUT/html: the index's time to usable
    (ms from navigation to its script ready over every row) and to DOMContentLoaded; each query in a
    fresh page, cold (everything loaded by the query) and typed (after the box's focus loaded MiniSearch
    and the manifest, as when a reader clicks the box and types): the slowest and the median answer, and
    the most search data (and scripts) one query loaded; a query repeated in the same page (warm)."""
    from playwright.sync_api import sync_playwright

    def timed(pg, q: str) -> float:
        started = time.perf_counter()
        pg.evaluate("q => VI2EN.search(q)", q)
        return 1000 * (time.perf_counter() - started)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.goto((html / INDEX).as_uri(), wait_until="load")
        pg.wait_for_selector("html[data-index=ready]")
        usable = pg.evaluate("Number(document.documentElement.dataset.readyMs)")
        dcl = pg.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        cold, typed, data, code, said = [], [], [], [], ""
        for q in queries:
            pg.goto((html / INDEX).as_uri(), wait_until="load")
            before = set(loaded_scripts(pg))
            cold.append(timed(pg, q))
            new = [u for u in loaded_scripts(pg) if u not in before]
            data.append(size_of([u for u in new if "/search/" in u]))
            code.append(size_of([u for u in new if "/search/" not in u]))
            said = said or pg.inner_text("#vi2en-results .lead")
            pg.goto((html / INDEX).as_uri(), wait_until="load")
            pg.evaluate("VI2EN.prepare().then(() => null)")
            typed.append(timed(pg, q))
        warm = timed(pg, queries[-1])
        browser.close()
    return {"usable_ms": usable, "dom_content_loaded_ms": dcl, "search_ms": max(cold),
            "search_median_ms": sorted(cold)[len(cold) // 2], "typed_search_ms": max(typed),
            "typed_search_median_ms": sorted(typed)[len(typed) // 2], "search_data_bytes": max(data),
            "search_code_bytes": max(code), "warm_search_ms": warm, "said": said}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--from", dest="source", type=Path)
    parser.add_argument("--keep", type=Path, help="write each N's pages into KEEP/html-N (kept) to look at them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reading-room-") as tmp:
        source = args.source or base_run(Path(tmp))
        out = load_outputs(Config(out=source))
        print(f"{'reports':>8} {'index':>8} {'usable':>8} {'digest/ent.':>11} {'search data':>11} "
              f"{'cold max':>8} {'median':>7} {'typed max':>9} {'median':>7} {'loaded':>7} {'warm':>6}")
        for n in (int(s) for s in args.sizes.split(",")):
            html = (args.keep or Path(tmp)) / f"html-{n}"
            html.mkdir(parents=True)
            big = scaled(out, n)
            written = time.perf_counter()
            write_collection(big, html, [])
            written = time.perf_counter() - written
            data = sum(f.stat().st_size for f in (html / "search").rglob("*.js"))
            biggest = max((html / DIGEST).stat().st_size, (html / ENTITIES).stat().st_size)
            m = figures(html)
            print(f"{n:>8,} {(html / INDEX).stat().st_size / 1e6:>6.2f}MB {m['usable_ms']:>6.0f}ms "
                  f"{biggest / 1e6:>9.2f}MB {data / 1e6:>9.1f}MB {m['search_ms']:>6.0f}ms "
                  f"{m['search_median_ms']:>5.0f}ms {m['typed_search_ms']:>7.0f}ms "
                  f"{m['typed_search_median_ms']:>5.0f}ms "
                  f"{m['search_data_bytes'] / 1e3:>5.0f}kB {m['warm_search_ms']:>4.0f}ms"
                  f"   (written in {written:.1f} s; scripts {m['search_code_bytes'] / 1e3:.0f} kB; {m['said'][:50]})")


if __name__ == "__main__":
    os.environ.setdefault("HELPERS_MODELS", "demo")
    main()
