"""Real Chromium for the page tests (playwright driving Debian's /usr/bin/chromium): where it is,
the mark that skips a test without it (CI installs it, so there it never skips), and a page opened
with its script errors kept. The `browser` fixture is in conftest.py."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                                   reason="chromium not installed (CI installs it)")


def open_page(browser, url: str, width: int = 1280):
    """`url` in a new page of `width` pixels; its uncaught script errors in `page.errors`."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.errors = errors
    return page
