"""The entity index through the command a user runs (`python -m helpers reports` on the seeds, in this
process): the seeds' expectations, mentions standing in their sentences, the pages' links between
reports and the entities page, the index's entity filter and the search in real Chromium, and a
reviewed correction that holds through a re-run. One run shared by the module (a last test re-runs)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from browser import needs_browser, open_page
from cli_in_process import run_cli

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """The seeds through `reports` with demo models, into a fresh OUT with its own reviews folder."""
    tmp = tmp_path_factory.mktemp("entpages")
    (tmp / "notebooks").mkdir()
    args = ("reports", "--seeds", str(SEEDS), "--out", str(tmp / "out"), "--models", "demo",
            "--notebooks", str(tmp / "notebooks"), "--memory", str(tmp / "tm.sqlite"),
            "--reviews", str(tmp / "reviews"))
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    return {"out": tmp / "out", "reviews": tmp / "reviews", "args": args, "stdout": done.stdout}


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    read = {"keep_default_na": False, "dtype": str}
    return pd.read_csv(out / "data" / "entities.csv", **read), pd.read_csv(out / "data" / "mentions.csv", **read)


def entity(out: Path, name: str) -> pd.Series:
    entities, _ = tables(out)
    found = entities[entities["name_vi"] == name]
    assert len(found) == 1, f"{name} is {len(found)} entities"
    return found.iloc[0]


def named_in(out: Path, name: str) -> list[str]:
    _, mentions = tables(out)
    return sorted(set(mentions[mentions["entity_id"] == entity(out, name)["entity_id"]]["report_id"]))


def report_id(out: Path, prefix: str) -> str:
    return next(p.stem for p in (out / "html").glob(f"{prefix}_*.html"))


def test_the_seeds_name_to_lam_in_three_reports_and_the_ministry_in_all_five(run):
    out = run["out"]
    reports = pd.read_csv(out / "data" / "reports.csv", dtype=str)
    assert [r[:3] for r in named_in(out, "Tô Lâm")] == ["000", "002", "004"]
    assert named_in(out, "Bộ Công an") == sorted(reports["report_id"]) and len(reports) == 5
    _, mentions = tables(out)
    sentences = pd.read_csv(out / "data" / "sentences.csv", keep_default_na=False, dtype=str)
    text = {(r, n): t for r, n, t in sentences[["report_id", "sentence_no", "text_vi"]].itertuples(index=False)}
    assert len(mentions) > 50
    assert [m for m in mentions.itertuples() if m.surface not in text[(m.report_id, m.sentence_no)]] == []


def test_every_page_links_the_entities_page_and_a_report_page_its_entities(run):
    html = run["out"] / "html"
    pages = sorted(p.name for p in html.glob("*.html"))
    assert "entities.html" in pages and len(pages) == 5 + 3  # the reports, the index, the digest, the entities
    for name in pages:
        page = (html / name).read_text(encoding="utf-8")
        nav = page.split('<nav class="vi2en-nav"')[1].split("</nav>")[0]
        assert ('href="entities.html"' in nav) != (name == "entities.html"), name  # the current page is not a link
        assert 'href="index.html"' in nav or name == "index.html"
    lam, ministry = entity(run["out"], "Tô Lâm"), entity(run["out"], "Bộ Công an")
    first = (html / f"{report_id(run['out'], '000')}.html").read_text(encoding="utf-8")
    named = first.split('<dl class="named">')[1].split("</dl>")[0]
    assert f'href="entities.html#{lam.entity_id}"' in named and f'href="entities.html#{ministry.entity_id}"' in named
    assert named.index("<dt>People</dt>") < named.index("<dt>Organisations</dt>")
    one = (html / f"{report_id(run['out'], '001')}.html").read_text(encoding="utf-8")
    assert f'href="entities.html#{lam.entity_id}"' not in one  # 001 does not name him
    page = (html / "entities.html").read_text(encoding="utf-8")
    assert f'<tr id="{lam.entity_id}">' in page and 'aria-current="page">Entities<' in page


def test_flags_on_a_report_page_say_what_they_mean(run):
    from helpers.checks.flags import describe

    html = run["out"] / "html"
    sentences = pd.read_csv(run["out"] / "data" / "sentences.csv", keep_default_na=False, dtype=str)
    flagged = sentences[sentences["flags"] != ""].iloc[0]
    page = (html / f"{flagged['report_id']}.html").read_text(encoding="utf-8")
    row = page.split(f'id="s-{flagged["sentence_no"]}"')[1].split("</tr>")[0]
    meaning = describe(flagged["flags"])[0].split(": ", 1)[1] if ": " in describe(flagged["flags"])[0] else ""
    assert meaning and f'<span class="meaning">{meaning}' in row.replace("&#39;", "'")


def test_the_index_rows_carry_the_entities_their_report_names(run):
    index = (run["out"] / "html" / "index.html").read_text(encoding="utf-8")
    lam = entity(run["out"], "Tô Lâm").entity_id
    rows = re.findall(r'<tr data-date[^>]*data-entities="([^"]*)"[^>]*>\s*<td[^>]*><a href="([^"]+)\.html"', index)
    assert sorted(rid[:3] for ids, rid in rows if lam in ids.split()) == ["000", "002", "004"]
    assert f'data-id="{lam}"' in index


# ------------------------------------------------------------------ in real Chromium


@needs_browser
def test_an_entity_leads_from_a_report_to_the_entities_page_and_on_to_another_report(run, browser):
    out = run["out"]
    lam = entity(out, "Tô Lâm").entity_id
    first, third = report_id(out, "000"), report_id(out, "002")
    page = open_page(browser, (out / "html" / f"{first}.html").as_uri())
    page.click(f"dl.named a[href='entities.html#{lam}']")
    page.wait_for_load_state()
    assert page.url.endswith(f"entities.html#{lam}")
    row = page.locator(f"tr#{lam}")
    assert "Tô Lâm" in row.inner_text() and 0 <= row.bounding_box()["y"] < 900
    row.locator(f"a[href='{third}.html']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{third}.html")
    assert page.locator(f"dl.named a[href='entities.html#{lam}']").inner_text() == "Tô Lâm"
    assert not page.errors


@needs_browser
def test_the_entity_filter_keeps_the_reports_naming_it(run, browser):
    page = open_page(browser, (run["out"] / "html" / "index.html").as_uri())
    def shown() -> list[str]:
        return page.eval_on_selector_all("#reports tbody tr:not([hidden]) td:first-child a",
                                         "as => as.map(a => a.getAttribute('href').slice(0, 3))")
    assert len(shown()) == 5
    page.fill("input[name=entity]", "to lam")  # typed without diacritics
    assert sorted(shown()) == ["000", "002", "004"] and "3 of 5 reports shown" in page.inner_text("#shown")
    page.fill("input[name=entity]", "Ministry of Public Security")  # its English name
    assert len(shown()) == 5
    page.fill("input[name=entity]", "no such name at all")
    assert shown() == []
    page.click("#filters button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#reports tbody tr:not([hidden])').length === 5")
    assert not page.errors


@needs_browser
def test_the_entities_page_s_and_n_more_opens_the_index_on_that_entity_alone(run, browser):
    """`index.html?entity=<name>&id=<id>` (an entity's "and N more") keeps the reports naming that entity, not every
    name holding its words (`Chính phủ`, the Government: one report; names holding it, as `Văn phòng Chính phủ`,
    two), until the box is changed."""
    from helpers.pages.entities import entity_rows

    out = run["out"]
    government = entity(out, "Chính phủ")
    entities, mentions = tables(out)
    reports = pd.read_csv(out / "data" / "reports.csv", dtype=str, keep_default_na=False)
    row = next(r for rows in entity_rows(entities, mentions, reports).values() for r in rows
               if r["entity_id"] == government.entity_id)
    assert row["filter"] == f"index.html?entity=Ch%C3%ADnh+ph%E1%BB%A7&id={government.entity_id}"
    index, query = row["filter"].split("?")
    page = open_page(browser, f"{(out / 'html' / index).as_uri()}?{query}")
    page.wait_for_function("/of 5 reports/.test(document.querySelector('#shown').textContent)")
    assert "1 of 5 reports shown" in page.inner_text("#shown") and len(named_in(out, "Chính phủ")) == 1
    page.fill("input[name=entity]", "chính phủ")  # changed (if only in case): the words typed, in every name
    assert "2 of 5 reports shown" in page.inner_text("#shown")
    page.fill("input[name=entity]", "Chính phủ")
    assert "2 of 5 reports shown" in page.inner_text("#shown")
    assert not page.errors


@needs_browser
def test_the_search_finds_an_entity_by_its_name_without_diacritics(run, browser):
    lam = entity(run["out"], "Tô Lâm").entity_id
    page = open_page(browser, (run["out"] / "html" / "index.html").as_uri())
    page.fill("input[type=search]#vi2en-q", "to lam")
    page.press("input[type=search]#vi2en-q", "Enter")
    page.wait_for_selector("#vi2en-results[data-state=done]")
    link = page.locator(f"#vi2en-results a[href$='entities.html?q=to%20lam#{lam}']")
    assert link.count() == 1 and "named in 3 reports" in link.inner_text()
    link.click()
    page.wait_for_load_state()
    row = page.locator(f"tr#{lam}")
    assert "hit" in row.get_attribute("class") and "Lâm" in row.locator("mark").all_inner_texts()
    assert not page.errors


@needs_browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_entity_pages_fit_the_window(run, browser, width):
    out = run["out"]
    shots = Path(os.environ.get("ENTITY_SHOTS", out / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", f"{report_id(out, '000')}.html", "entities.html"):
        page = open_page(browser, (out / "html" / name).as_uri(), width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if name.startswith("000"):
            page.locator("#entities").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"{width}-{name[:8]}.png"), full_page=False)
        assert not page.errors


# ------------------------------------------------------------------ last: it changes the run's reviews


def test_a_reviewed_correction_holds_through_a_re_run(run):
    from helpers.entities.corrections import save_correction

    out = run["out"]
    assert entity(out, "Tô Lâm")["kind"] == "person"
    save_correction(run["reviews"], "english", "person", "Tô Lâm", "To Lam (reviewed)", reviewer="test")
    save_correction(run["reviews"], "rekind", "place", "Hà Nội", "organisation", reviewer="test")
    for _ in range(2):  # the run after the review, then one more that reuses the stage's files
        again = run_cli(*run["args"])
        assert again.returncode == 0, again.stderr[-2000:]
        assert entity(out, "Tô Lâm")["name_en"] == "To Lam (reviewed)"
        assert entity(out, "Hà Nội")["kind"] == "organisation"
        assert [r[:3] for r in named_in(out, "Tô Lâm")] == ["000", "002", "004"]
        assert "(reviewed)" in (out / "html" / "entities.html").read_text(encoding="utf-8")
