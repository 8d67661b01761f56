"""Notebook 06 in a real JupyterLab in Chromium (playwright driving Debian's /usr/bin/chromium), as a
reviewer uses it after `make lab`: the reviewer's copy opened, Run All, one sentence corrected and
Saved, another Approved, by clicking, two more by the keyboard; then `reports` again shows them on
the report page.
Screenshots (1280 px and 390 px wide) are left in the test's folder, to be looked at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.review.store import load_reviews
from helpers.review.workcopy import review_copy

from conftest import ROOT, SEEDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CORRECTED = "The ministry's conference closed, a reviewer's correction typed in JupyterLab."
KEYED = "A second correction, saved from the keyboard."
RID = "001_33798f45f77cf564"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                                                   reason="chromium not installed (CI installs it)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, demo_cache):
    """A run of one seed; JupyterLab started as `make lab` starts it (the reviewer's copy, the run's
    parameters and REVIEWER in the environment); (url, tmp, args of the run)."""
    tmp = tmp_path_factory.mktemp("lab")
    (tmp / "seeds").mkdir()
    shutil.copy(SEEDS / f"{RID}.txt", tmp / "seeds")
    (tmp / "no-notebooks").mkdir()
    args = ["--out", str(tmp / "out"), "--seeds", str(tmp / "seeds"), "--models", "demo", "--reviews",
            str(tmp / "reviews"), "--memory", str(tmp / "tm.sqlite"), "--cache-dir", str(demo_cache),
            "--notebooks", str(tmp / "no-notebooks")]
    assert main(["reports", *args]) == 0
    review_copy(ROOT / "notebooks", tmp / "notebooks" / "my-review")
    port, token = free_port(), "review-test"
    env = {**os.environ, "HELPERS_OUT": str(tmp / "out"), "HELPERS_REVIEWS": str(tmp / "reviews"),
           "HELPERS_SEEDS": str(tmp / "seeds"), "HELPERS_MODELS": "demo", "HELPERS_REVIEWER": "lab-reviewer",
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--notebook-dir={tmp / 'notebooks'}", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "lab.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError((tmp / "lab.log").read_text()[-2000:])
        yield f"{url}/lab/tree/my-review/06_review.ipynb?token={token}", tmp, args
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_reviewer_corrects_one_sentence_and_approves_another_by_clicking_then_the_page_shows_both(lab):
    from playwright.sync_api import sync_playwright

    url, tmp, args = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        try:
            page.locator(".jp-RenderedMarkdown h1", has_text="06 · Review").wait_for(timeout=90_000)
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
            page.locator(".jp-Notebook").first.click()
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.get_by_text("reviewed 0 of", exact=False).first.wait_for(timeout=90_000)
        except Exception:
            page.screenshot(path=str(tmp / "failed.png"))
            raise
        page.screenshot(path=str(tmp / "opened-1280.png"))
        boxes = page.locator(".widget-textarea textarea")
        boxes.first.fill(CORRECTED)
        page.get_by_text("not saved: the box differs", exact=False).first.wait_for(timeout=20_000)
        page.get_by_role("button", name="Save", exact=True).first.click()
        page.get_by_text("✓ corrected by lab-reviewer", exact=False).first.wait_for(timeout=20_000)
        page.get_by_role("button", name="Approve", exact=True).nth(1).click()
        page.get_by_text("✓ approved by lab-reviewer", exact=False).first.wait_for(timeout=20_000)
        page.get_by_text("reviewed 2 of", exact=False).first.wait_for(timeout=20_000)
        boxes.nth(2).fill(KEYED)  # the keyboard: from the box, Tab to Save (past Approve), Enter
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.get_by_text("reviewed 3 of", exact=False).first.wait_for(timeout=20_000)
        boxes.nth(3).focus()  # and Tab to Approve, Space
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.get_by_text("reviewed 4 of", exact=False).first.wait_for(timeout=20_000)
        page.screenshot(path=str(tmp / "reviewed-1280.png"))
        top = page.get_by_text("reviewed 4 of", exact=False).first
        top.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp / "top-1280.png"))
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").first.click()  # the file browser away
        page.set_viewport_size({"width": 390, "height": 844})
        top.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp / "top-390.png"))
        browser.close()

    saved = load_reviews(tmp / "reviews")
    assert sorted(r.kind for r in saved.values()) == ["approved", "approved", "corrected", "corrected"]
    assert {r.english for r in saved.values()} >= {CORRECTED, KEYED}
    assert {r.reviewer for r in saved.values()} == {"lab-reviewer"}
    assert main(["reports", *args]) == 0
    html = (tmp / "out" / "html" / f"{RID}.html").read_text(encoding="utf-8")
    assert CORRECTED.replace("'", "&#39;") in html and "corrected by lab-reviewer on " in html
    assert "approved by lab-reviewer on " in html and "4 reviewed by a person" in html
    shots = os.environ.get("REVIEW_SCREENSHOTS")  # a folder to keep the screenshots in, to look at them
    if shots:
        for png in tmp.glob("*.png"):
            shutil.copy(png, Path(shots) / png.name)
