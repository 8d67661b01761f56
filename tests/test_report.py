"""Pages: hostile input shown as text, the demo banner, the index, navigation, and what a reader
sees in a real browser (DOM checks on every page of a run, screenshots under OUT/screenshots)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pandas as pd
import pytest

from helpers.config import Config
from helpers.pages.render import self_contained
from helpers.pages.report import DEMO_BANNER, cited_documents, index_html, load_outputs, report_html
from helpers.pipeline import run_stages

from conftest import SEEDS

HOSTILE = [
    "Báo cáo có mã độc <script>document.title='PWNED'</script> trong tiêu đề",
    "",
    "<img src=x onerror=\"document.title='PWNED'\"> Hội nghị tổng kết công tác năm 2022 của Bộ Công an "
    "đã diễn ra tại Hà Nội với sự tham dự của nhiều đại biểu.",
    "",
    "Sáng 22/6, tại Hà Nội, Bộ Công an tổ chức Hội nghị giao ban công tác đảng, công tác chính trị "
    "Công an nhân dân 6 tháng đầu năm 2022 với nhiều nội dung quan trọng.",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, demo_cache):
    tmp = tmp_path_factory.mktemp("hostile")
    seeds = tmp / "in"
    seeds.mkdir()
    shutil.copy(SEEDS / "001_33798f45f77cf564.txt", seeds)
    (seeds / "hostile.txt").write_text("\n".join(HOSTILE), encoding="utf-8")
    (seeds / "broken.txt").write_bytes(b"B\xe1o c\xe1o")
    cfg = Config(seeds=seeds, out=tmp / "out", models="demo", cache_dir=demo_cache, memory=tmp / "tm.sqlite")
    run_stages(cfg, progress=False, say=False)
    return cfg, load_outputs(cfg)


def test_hostile_input_is_escaped(hostile_run):
    _, out = hostile_run
    page = str(report_html(out, "hostile"))
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page


def test_demo_banner_on_every_page(hostile_run):
    _, out = hostile_run
    assert out.demo
    assert DEMO_BANNER in str(report_html(out, "hostile")) and DEMO_BANNER in str(index_html(out))


def test_index_lists_every_report_and_every_rejection(hostile_run):
    _, out = hostile_run
    page = str(index_html(out))
    for rid in out.reports["report_id"]:
        assert f'href="{rid}.html"' in page
    assert "broken.txt" in page and "not valid UTF-8" in page


def test_pages_are_made_self_contained():
    page = '<head><script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="https://cdn/x.css"></head><p>&lt;script&gt;</p>'
    assert self_contained(page) == "<head></head><p>&lt;script&gt;</p>"


@pytest.fixture(scope="module")
def whole_job_pages(hostile_run) -> list:
    """Every page of the hostile run made by the whole job (`make reports`' `run_all`: stage
    notebooks included), made once for the browser tests."""
    from helpers.pipeline import run_all

    cfg, _ = hostile_run
    return run_all(cfg, SEEDS.parent / "notebooks", progress=False).pages


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page, profile) -> str:
    """The DOM of a page after headless Chromium loaded it (and ran whatever scripts it would)."""
    browser = chromium()
    assert browser, "chromium is not installed"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_documents_cited_are_listed_once_with_the_sentences_citing_them():
    refs = pd.DataFrame({"report_id": ["r"] * 3, "sentence_no": ["2", "5", "7"],
                         "cited_as": ["Nghị quyết 12"] * 2 + ["Kết luận 21"],
                         "english": ["Resolution 12"] * 2 + ["Conclusion 21"], "code": ["12-NQ/TW"] * 2 + ["21-KL/TW"],
                         "date": ["", "", ""]})
    table = cited_documents(refs.to_dict("records"))
    assert [row[-1] for row in table.rows] == ["2, 5", "7"] and len(table) == 2
    assert table.columns[-1] == "in sentences" and table.rows[1][:3] == ["Kết luận 21", "Conclusion 21", "21-KL/TW"]


def test_a_wrong_report_id_lists_the_valid_ones(hostile_run):
    _, out = hostile_run
    with pytest.raises(ValueError, match="the reports are: .*hostile"):
        report_html(out, "nope")


def test_report_page_and_index_count_sentences_alike(hostile_run):
    _, out = hostile_run
    page = str(report_html(out, "hostile"))
    sents = out.sentences[out.sentences["report_id"] == "hostile"]
    flagged = int((sents["flags"] != "").sum())
    assert f"{len(sents)} sentences (" in page and f"{flagged} flagged" in page
    row = re.search(r'<tr [^>]*>\s*<td[^>]*><a href="hostile.html".*?</tr>', str(index_html(out)), re.DOTALL).group(0)
    assert f'<td class="num">{len(sents)}</td><td class="num">{flagged}</td>' in row


ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:root|home|tmp|work|usr|var|opt)/")
# unfilled names, and parameter names (but the banner's "DEMO MODELS")
UNFILLED = re.compile(r"\{[A-Za-z_][\w.]*\}|(?<!DEMO )\b(MAX_SENTENCES|MAX_WORDS|REPORT_ID|"
                      + "|".join(Config.parameter_names()) + r")\b")


def visible_text(dom: str) -> str:
    """The text a reader sees: the DOM without style, script and tags."""
    dom = re.sub(r"<(style|script)\b.*?</\1>", " ", dom, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<[^>]+>", " ", dom)


def screenshot(page, png, profile) -> None:
    browser = chromium()
    assert browser, "chromium is not installed"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--hide-scrollbars", "--window-size=1400,2000", f"--screenshot={png}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )


@pytest.mark.skipif(chromium() is None and os.environ.get("CI") != "true",
                    reason="chromium not installed (CI installs it)")
def test_every_page_reads_cleanly_in_a_real_browser(hostile_run, whole_job_pages, tmp_path):
    """What a person sees: every page of a run links to the index and the stage pages, shows the
    legend where it shows flags, and no warning, traceback, stderr box, machine path or unfilled
    name; the index, a report page and each stage page are screenshotted under OUT/screenshots."""
    cfg, _ = hostile_run
    pages = {p.name: p for p in whole_job_pages}
    stage_files = ["01_corpus.html", "02_translate.html", "03_summarise.html"]
    assert set(pages) >= {"index.html", "hostile.html", *stage_files}
    shots = cfg.out / "screenshots"
    shots.mkdir(exist_ok=True)
    for name, page in pages.items():
        dom = dump_dom(page, tmp_path / name)
        text = visible_text(dom)
        nav = re.search(r'<nav\b[^>]*vi2en-nav[^>]*>.*?</nav>', dom, re.DOTALL)
        assert nav, f"{name}: no header"
        for target in ["index.html", *stage_files]:
            assert (f'href="{target}"' in nav.group(0)
                    or (target == name and 'aria-current="page"' in nav.group(0))), (name, target)
        assert re.search(r"<title>[^<]*\w[^<]* · vi2en</title>", dom) and "<title>0" not in dom, name
        for bad in ("Warning", "Traceback", "UserWarning", "jp-OutputArea-stderr", "Error:"):
            assert bad not in dom, f"{name}: {bad}"
        assert not ABSOLUTE_PATH.search(text), f"{name}: {ABSOLUTE_PATH.search(text).group(0)}"
        assert not UNFILLED.search(text), f"{name}: {UNFILLED.search(text).group(0)}"
        assert "(no description)" not in text and "not a flag of this version" not in text, name
        if name in stage_files:  # a demo run: the report pages' red banner, not the notebooks' grey note
            assert 'class="banner"' in dom and "DEMO MODELS:" in text and "DEMO MODELS." not in text, name
        if re.search(r'class="flags"', dom) and re.search(r'class="flags">[^<]', dom):
            assert "What the flags mean" in dom or ">meaning<" in dom, f"{name}: flags without legend"
        if name in ("index.html", "hostile.html", *stage_files):
            screenshot(page, shots / name.replace(".html", ".png"), tmp_path / f"shot-{name}")
            assert (shots / name.replace(".html", ".png")).stat().st_size > 10_000
    report = dump_dom(pages["hostile.html"], tmp_path / "again")
    assert "next report" in report or "previous report" in report


@pytest.mark.skipif(chromium() is None and os.environ.get("CI") != "true",
                    reason="chromium not installed (CI installs it)")
def test_real_browser_shows_hostile_text_and_runs_no_script(hostile_run, whole_job_pages, tmp_path):
    cfg, _ = hostile_run
    pages = whole_job_pages
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


def test_a_notebook_that_changes_the_data_says_the_pages_are_out_of_date(hostile_run, tmp_path):
    import dataclasses

    from helpers.pages.stage import mark_pages, pages_mark, pages_note, write_pages

    cfg, _ = hostile_run
    shutil.copytree(cfg.out, tmp_path / "out")
    cfg = dataclasses.replace(cfg, out=tmp_path / "out")
    write_pages(load_outputs(cfg), cfg.html_dir, [])
    mark_pages(cfg, pages_mark(cfg))
    assert pages_note(cfg) == ""
    summaries = cfg.data_dir / "summaries.csv"  # notebook 03 run again with another bound
    summaries.write_text(summaries.read_text(encoding="utf-8").replace("extractive", "extractive-x", 1),
                         encoding="utf-8")
    assert "out of date" in pages_note(cfg) and "make reports" in pages_note(cfg)


def test_run_json_holds_the_sections_the_contract_names_with_their_fields(hostile_run, whole_job_pages):
    """After a whole job, every section of run.json is one the contract names, with exactly its fields."""
    from collections import Counter

    from helpers.checks.flags import codes_once, split_flags
    from helpers.store.contract import RUN_JSON, check_section

    cfg, _ = hostile_run
    run = json.loads(cfg.run_json.read_text(encoding="utf-8"))
    assert set(run) == set(RUN_JSON)
    for name, value in run.items():
        check_section(name, value)  # raises, naming the section and its fields, when they differ
    assert set(run["models"]) == {"translate", "summary abstractive-en", "summary abstractive-vi"}
    sentences = pd.read_csv(cfg.data_dir / "sentences.csv", dtype=str, keep_default_na=False)
    per_sentence = Counter(code for cell in sentences["flags"] for code in codes_once(split_flags(cell)))
    del per_sentence["low_confidence"]  # (ranked again over the collection, after the translation counted its own)
    counted = {code: n for code, n in run["translate"]["flags"].items() if code != "low_confidence"}
    assert counted == dict(per_sentence)  # each flag's count is of sentences: a sentence with it twice counts once


def test_the_index_times_every_stage_the_pipeline_runs_in_its_order(hostile_run):
    """The index's table of stage times lists each stage of the pipeline (the contract's stage sections are they)."""
    from helpers.pipeline import STAGE_NAMES
    from helpers.store.contract import STAGE_SECTIONS

    assert STAGE_SECTIONS == STAGE_NAMES
    _, out = hostile_run
    assert out.provenance["stages"]["stage"].tolist() == list(STAGE_NAMES)
    timed = re.findall(r'<tr><td>(\w+)</td><td class="num">[\d.]+</td></tr>', str(index_html(out)))
    assert timed == list(STAGE_NAMES)


def test_the_month_chart_says_how_many_reports_it_leaves_out_undated(hostile_run):
    _, out = hostile_run
    undated, total = int((out.reports["date"].fillna("") == "").sum()), len(out.reports)
    assert 0 < undated < total  # (the seed is dated, the hostile report is not)
    page = str(index_html(out))
    assert f"; {undated} of the {total} reports have no date and are not in the chart." in page
    titles = re.findall(r'class="month" title="[^"]*: (\d+) reports?,', page)
    assert sum(map(int, titles)) == total - undated and ": 1 reports" not in page
    assert "no date found in the text" in str(report_html(out, "hostile"))  # an undated report's page says so


def test_the_run_s_parameters_left_to_their_defaults_say_so(hostile_run):
    _, out = hostile_run
    line = out.provenance["parameters"]
    assert "reviewer=(default)" in line and "models=demo" in line and not re.search(r"\w=(,|$)", line), line


def test_a_section_off_the_contract_is_refused():
    from helpers.store.contract import check_section

    with pytest.raises(KeyError, match="corpus"):
        check_section("corpus", {"files": 1})
    with pytest.raises(KeyError, match="no section"):
        check_section("made_up", {})


def test_an_exported_index_lists_the_newest_rows_and_every_row_as_data(hostile_run, monkeypatch):
    from helpers.pages import listing

    _, out = hostile_run
    monkeypatch.setattr(listing, "LISTED", 1)
    rows = listing.report_rows(out)
    exported = str(index_html(out, with_style=False, rows=rows))
    assert len(re.findall(r"<tr data-date=", exported)) == 1 and 'id="more"' in exported
    assert f'href="{rows[0]["href"]}"' in exported and f'href="{rows[1]["href"]}"' not in exported
    script = listing.rows_script(rows, out)
    data = json.loads(script.removeprefix("VI2EN.rows(").removesuffix(");\n"))
    assert [r[0] for r in data["rows"]] == [r["id"] for r in rows]  # every report, newest first
    assert data["rows"][0][listing.ROW_FIELDS.index("title")] == rows[0]["title"]
    in_notebook = str(index_html(out))  # no script there to show more: every row
    assert len(re.findall(r"<tr data-date=", in_notebook)) == len(rows) and 'id="more"' not in in_notebook


def test_the_index_counts_each_flag_by_sentence_most_first_ties_in_the_order_met():
    from types import SimpleNamespace

    from helpers.pages.listing import flag_counts

    cells = ["", "length_ratio:3.1 | redecoded", "redecoded | number_missing:9", "number_missing:2 | length_ratio:9",
             "redecoded | length_ratio:3.1", "nan", "number_missing:2 | length_ratio:9",
             "term_missing:Bộ Công an | term_missing:CAND | number_missing:5 | number_missing:6"]  # each once here
    table = flag_counts(SimpleNamespace(sentences=pd.DataFrame({"flags": cells})))
    assert table[["flag", "sentences"]].values.tolist() == [
        ["length_ratio", 4], ["number_missing", 4], ["redecoded", 3], ["nan", 1], ["term_missing", 1]]
    assert table["sentences"].max() <= len(cells)
    assert table["meaning"].str.len().gt(0).all()
    assert flag_counts(SimpleNamespace(sentences=pd.DataFrame({"flags": [""] * 3}))).empty
