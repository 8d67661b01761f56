"""Report pages: hostile input shown as text, the demo banner, the index, and a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from helpers.config import Config
from helpers.pipeline import run_corpus, run_summarise
from helpers.report import DEMO_BANNER, index_page, load_outputs, report_page, self_contained

from conftest import SEEDS

HOSTILE = [
    "Báo cáo có mã độc <script>document.title='PWNED'</script> trong tiêu đề",
    "",
    "<img src=x onerror=\"document.title='PWNED'\"> Hội nghị tổng kết công tác năm 2022 của Bộ Công an đã diễn ra tại Hà Nội với sự tham dự của nhiều đại biểu.",
    "",
    "Sáng 22/6, tại Hà Nội, Bộ Công an tổ chức Hội nghị giao ban công tác đảng, công tác chính trị Công an nhân dân 6 tháng đầu năm 2022 với nhiều nội dung quan trọng.",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, demo_cache):
    tmp = tmp_path_factory.mktemp("hostile")
    seeds = tmp / "in"
    seeds.mkdir()
    shutil.copy(SEEDS / "001_33798f45f77cf564.txt", seeds)
    (seeds / "hostile.txt").write_text("\n".join(HOSTILE), encoding="utf-8")
    (seeds / "broken.txt").write_bytes(b"B\xe1o c\xe1o")
    cfg = Config(seeds=seeds, out=tmp / "out", models="demo", cache_dir=demo_cache, memory_path=tmp / "tm.sqlite")
    run_summarise(cfg, run_corpus(cfg, report_problems=False), progress=False)
    return cfg, load_outputs(cfg)


def test_hostile_input_is_escaped(hostile_run):
    _, out = hostile_run
    page = report_page(out, "hostile")
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page


def test_demo_banner_on_every_page(hostile_run):
    _, out = hostile_run
    assert out.demo
    assert DEMO_BANNER in report_page(out, "hostile") and DEMO_BANNER in index_page(out)


def test_index_lists_every_report_and_every_rejection(hostile_run):
    _, out = hostile_run
    page = index_page(out)
    for rid in out.reports["report_id"]:
        assert f'href="{rid}.html"' in page
    assert "broken.txt" in page and "not valid UTF-8" in page


def test_pages_are_made_self_contained():
    page = '<head><script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="https://cdn/x.css"></head><p>&lt;script&gt;</p>'
    assert self_contained(page) == "<head></head><p>&lt;script&gt;</p>"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page, profile) -> str:
    """The DOM of a page after headless Chromium loaded it (and ran whatever scripts it would)."""
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(chromium() is None and os.environ.get("CI") != "true", reason="chromium not installed (CI installs it)")
def test_real_browser_shows_hostile_text_and_runs_no_script(hostile_run, tmp_path):
    cfg, _ = hostile_run
    from helpers.runner import run_all

    pages = run_all(cfg, SEEDS.parent / "notebooks")
    assert {p.name for p in pages} >= {"index.html", "hostile.html", "001_33798f45f77cf564.html"}
    for page in pages:  # self-contained: nothing loaded from the network
        assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=[\"']https?://", page.read_text()), page.name

    dom = dump_dom(cfg.html_dir / "hostile.html", tmp_path / "a")
    assert "<title>PWNED" not in dom  # neither the script nor the onerror handler ran
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom  # the text is visible as text
    assert "&lt;img src=x onerror=" in dom
    assert "DEMO MODELS" in dom
    assert "abstractive-en" in dom and "extractive" in dom  # the summaries are on the page

    index = dump_dom(cfg.html_dir / "index.html", tmp_path / "b")
    assert "broken.txt" in index and 'href="hostile.html"' in index and "DEMO MODELS" in index
