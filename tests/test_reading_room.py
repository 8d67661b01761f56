"""The reading room in real Chromium, from file:// (and once over http): search across every report,
the index's filters and sort, what is new since the previous run, the digest, and pages that fit a
phone. One run of synthetic reports, then a second into the same OUT with some reports added, one
changed and one removed (`python -m helpers reports`, in this process); the second run's data is then
copied to a few hundred reports (the copies neither new nor changed) and their pages written by the
pages step (`write_pages`), which the browser tests open: a few hundred reports through the command
would cost minutes. Shared by the module. The incremental pages step is checked against a render
from scratch here too."""

from __future__ import annotations

import filecmp
import functools
import http.server
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from browser import needs_browser, open_page
from cli_in_process import run_cli
from synthetic import write_reports
from helpers.config import Config
from helpers.pages.listing import LISTED
from helpers.notebooks.stages import is_view, notebook_paths, stage_page
from helpers.pages.outputs import Outputs, load_outputs
from helpers.pages.stage import write_pages
from helpers.text.normalise import fold

pytestmark = pytest.mark.slow
REPORTS = 24  # through the command, twice
COPIES = 300  # the reports the pages of the browser tests show (copies of the second run's)
CHANGED, REMOVED = "synthetic_00005", "synthetic_00007"
ADDED = [f"synthetic_{i:05d}" for i in range(REPORTS, REPORTS + 3)]
NEEDLE = "Đoàn công tác đã đến thành phố Đà Nẵng để kiểm tra công tác phòng cháy chữa cháy tại các khu công nghiệp."
ROOT = Path(__file__).resolve().parents[1]


def stages() -> list:
    """The stage pages of a run of the project's notebooks (as `make reports` links them)."""
    return [stage_page(nb) for nb in notebook_paths(ROOT / "notebooks") if not is_view(nb)]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, set[str]]:
    """OUT after two runs: REPORTS synthetic reports, then 3 added, one changed, one removed; and the
    report pages the second run wrote (those whose file changed)."""
    tmp = tmp_path_factory.mktemp("reading")
    seeds, out = tmp / "in", tmp / "out"
    write_reports(REPORTS, seeds)
    args = ("reports", "--seeds", str(seeds), "--out", str(out), "--models", "demo", "--memory", str(tmp / "tm.sqlite"))
    assert run_cli(*args).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in (out / "html").glob("synthetic_*.html")}
    write_reports(REPORTS + 3, seeds)  # the same first REPORTS files, and three more
    changed = seeds / f"{CHANGED}.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n{NEEDLE}\n", encoding="utf-8")
    (seeds / f"{REMOVED}.txt").unlink()
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr[-2000:]
    rewritten = {p.name for p in (out / "html").glob("synthetic_*.html") if before.get(p.name) != p.stat().st_mtime_ns}
    return out, rewritten


def copied(out: Outputs, n: int) -> Outputs:
    """`out` with its reports copied to n: the originals as they are, each copy a new id, a date a
    month earlier per copy, seen and last changed in the previous run (so neither new nor changed)."""
    k = -(-n // len(out.reports))
    previous = out.run["collection"]["previous_run_time"]

    def copy(frame: pd.DataFrame, i: int) -> pd.DataFrame:
        return frame.assign(report_id=frame["report_id"] + (f"-{i:03d}" if i else ""))

    reports = []
    for i in range(k):
        r = copy(out.reports, i)
        if i:
            dates = pd.to_datetime(r["date"], errors="coerce") - pd.DateOffset(months=i)
            r = r.assign(date=dates.dt.strftime("%Y-%m-%d").fillna(""), first_seen=previous, last_changed=previous)
        reports.append(r)
    ids = set(pd.concat(reports)["report_id"].head(n))

    def every(frame: pd.DataFrame) -> pd.DataFrame:
        whole = pd.concat([copy(frame, i) for i in range(k)], ignore_index=True)
        return whole[whole["report_id"].isin(ids)].reset_index(drop=True)

    return Outputs(pd.concat(reports, ignore_index=True).head(n), every(out.sentences), every(out.summaries),
                   every(out.references), out.problems, out.run, out.entities, every(out.mentions))


@pytest.fixture(scope="module")
def room(two_runs) -> Path:
    """OUT/html of COPIES reports: the second run's copied, written by the pages step."""
    out, _ = two_runs
    html = out.parent / "html-copies"
    write_pages(copied(load_outputs(Config(out=out)), COPIES), html, stages())
    return html


def test_the_second_run_rewrote_only_the_pages_that_changed_and_they_equal_a_fresh_render(two_runs, tmp_path):
    out, rewritten = two_runs
    html = out / "html"
    assert {f"{rid}.html" for rid in [CHANGED, *ADDED]} <= rewritten
    assert len(rewritten) < REPORTS  # the pages whose rows, neighbours and names did not change were left
    fresh = tmp_path / "html"
    write_pages(load_outputs(Config(out=out)), fresh, stages())
    made = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert f"{REMOVED}.html" not in {p.name for p in made} and not (html / f"{REMOVED}.html").exists()
    differ = [str(p) for p in made if not filecmp.cmp(fresh / p, html / p, shallow=False)]
    assert not differ  # byte for byte what a render from scratch writes
    assert not (html / "search" / "text" / f"{REMOVED}.js").exists()


# The words of the column headers that wrap onto a second line (their text's boxes at two heights).
BROKEN_WORDS = """() => [...document.querySelectorAll('th')].flatMap(th => {
  const w = document.createTreeWalker(th, NodeFilter.SHOW_TEXT), out = []; let n;
  while ((n = w.nextNode())) for (const m of n.data.matchAll(/\\S+/g)) {
    const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
    if (new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1) out.push(m[0]);
  }
  return out;
})"""


def search(page, query: str) -> None:
    page.fill("input[type=search]", query)
    page.press("input[type=search]", "Enter")
    page.wait_for_selector("#vi2en-results[data-state=done]")


def shown_ids(page) -> list[str]:
    return page.eval_on_selector_all("#reports tbody tr:not([hidden]) a", "as => as.map(a => a.getAttribute('href'))")


@needs_browser
def test_a_query_without_diacritics_finds_the_sentence_and_its_link_lands_on_it(room, browser):
    html = room
    page = open_page(browser, (html / "index.html").as_uri())
    search(page, "da nang phong chay")
    hits = page.eval_on_selector_all("#vi2en-results li a",
                                     "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    link, text = next((h, t) for h, t in hits if h.startswith(f"{CHANGED}.html"))
    assert "Đà Nẵng" in text and re.fullmatch(rf"{CHANGED}\.html\?q=[^#]+#s-\d+", link)
    marked = page.eval_on_selector_all(f"#vi2en-results a[href='{link}'] mark", "ms => ms.map(m => m.textContent)")
    assert {"Đà", "Nẵng", "phòng", "cháy"} <= set(marked)
    page.click(f"#vi2en-results a[href='{link}']")
    page.wait_for_load_state()
    anchor = link.split("#")[1]
    row = page.locator(f"tr#{anchor}")
    assert NEEDLE in row.inner_text() and "hit" in row.get_attribute("class")
    assert page.evaluate("location.hash") == f"#{anchor}"
    assert row.evaluate("r => getComputedStyle(r.cells[1]).backgroundColor") not in ("rgba(0, 0, 0, 0)",
                                                                                    "rgb(255, 255, 255)")
    assert "Nẵng" in row.locator("mark").all_inner_texts()
    box = row.bounding_box()
    assert 0 <= box["y"] < 900  # scrolled to it
    assert not page.errors
    search(page, '"da nang de kiem tra"')  # a phrase, from a report page too
    assert page.locator(f"#vi2en-results a[href^='{CHANGED}.html']").count() >= 1
    search(page, '"kiem tra da nang"')  # the same words in another order are not that phrase
    assert page.locator(f"#vi2en-results a[href^='{CHANGED}.html']").count() == 0


@needs_browser
def test_search_folds_as_python_folds(room, browser):
    page = open_page(browser, (room / "digest.html").as_uri())
    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    texts = [letters, letters.upper(), "Hà Nội", "ĐÀ NẴNG", "Nghị quyết 12-NQ/TW"]
    assert page.evaluate("ts => ts.map(VI2EN.fold)", texts) == [fold(t) for t in texts]


@needs_browser
def test_search_works_when_the_folder_is_served(room, browser):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(room))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_page(browser, f"http://127.0.0.1:{server.server_port}/index.html")
        search(page, "ha noi")
        assert page.locator("#vi2en-results li mark").count() > 0 and not page.errors
    finally:
        server.shutdown()


@needs_browser
def test_a_filter_and_a_sort_change_the_rows(room, browser):
    page = open_page(browser, (room / "index.html").as_uri())
    page.wait_for_selector("html[data-index=ready]")
    assert f"All {COPIES} reports match; the first {LISTED} are listed." in page.inner_text("#shown")
    page.click("#more")
    dates = page.eval_on_selector_all("#reports tbody tr td.date", "ts => ts.map(t => t.textContent)")
    dated = [d for d in dates if d != "—"]
    assert dates == dated + ["—"] * (len(dates) - len(dated)) and len(dates) == COPIES
    assert dated == sorted(dated, reverse=True)  # newest first by default, the undated last
    before = shown_ids(page)
    page.click("#reports th:nth-child(5) button")  # sentences
    assert page.get_attribute("#reports th:nth-child(5)", "aria-sort") == "descending"
    assert page.get_attribute("#reports th:nth-child(2)", "aria-sort") is None
    counts = [int(c) for c in page.eval_on_selector_all("#reports tbody td:nth-child(5)",
                                                        "ts => ts.map(t => t.textContent)")]
    assert counts == sorted(counts, reverse=True) and shown_ids(page) != before
    page.click("#reports th:nth-child(5) button")
    assert page.get_attribute("#reports th:nth-child(5)", "aria-sort") == "ascending"
    page.select_option("select[name=status]", "new")
    assert sorted(shown_ids(page)) == [f"{rid}.html" for rid in ADDED]
    assert f"3 of {COPIES} reports shown" in page.inner_text("#shown")
    page.select_option("select[name=status]", "")
    middle = sorted(dated)[len(dated) // 2]
    page.fill("input[name=from]", middle)
    shown = page.eval_on_selector_all("#reports tbody tr:not([hidden]) td.date", "ts => ts.map(t => t.textContent)")
    assert shown and len(shown) < len(dates) and min(shown) >= middle


@needs_browser
def test_the_index_and_the_digest_name_what_is_new(room, browser):
    html = room
    index = open_page(browser, (html / "index.html").as_uri())
    said = index.inner_text(".whats-new")
    assert re.search(r"[Ss]ince the previous run \([^)]*\): 3 new, 1 changed, 1 removed", said)
    assert f"{REMOVED}.txt" in said
    index.wait_for_selector("html[data-index=ready]")
    index.select_option("select[name=status]", "any")  # the new and changed among every row
    assert index.get_attribute(f"#reports a[href='{CHANGED}.html']", "href")
    assert index.locator(f"#reports tr:has(a[href='{CHANGED}.html']) .mark").inner_text() == "changed"
    assert index.locator("#reports .mark.new").count() == 3
    assert index.locator(f"#reports a[href='{REMOVED}.html']").count() == 0
    digest = open_page(browser, (html / "digest.html").as_uri())
    linked = digest.eval_on_selector_all("article.digest h3 a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(linked) == sorted(f"{rid}.html" for rid in [*ADDED, CHANGED])
    assert digest.locator("article.digest .kind").count() >= 4 * 3  # three summaries each
    assert f"{REMOVED}.txt" in digest.inner_text("main")
    assert index.locator("nav a[href='digest.html']").count() == 1


@needs_browser
@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_is_wider_than_the_window(room, browser, width):
    html = room
    shots = room.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    for name in ("index.html", f"{CHANGED}.html", "digest.html"):
        page = open_page(browser, (html / name).as_uri(), width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        broken = page.evaluate(BROKEN_WORDS)
        assert not broken, (name, broken)  # a column header never breaks inside a word
        page.screenshot(path=str(shots / f"{width}-{name.replace('.html', '.png')}"), full_page=False)
        assert not page.errors
