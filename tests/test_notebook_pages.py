"""Issue 38: an exported stage notebook's page keeps its <style> blocks in its <head> (pandas writes
one before every table it shows; in the <body> it is an HTML error)."""

from __future__ import annotations

import re

import nbformat
import pandas as pd

from helpers.notebooks.export import export_stage
from helpers.pages.render import Nav, StagePage


def test_an_exported_notebook_page_has_its_styles_in_its_head(tmp_path):
    table = pd.DataFrame({"report_id": ["a", "b"], "n": [1, 2]})._repr_html_()
    assert "<style" in table
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("table")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table, "text/plain": "table"})] * 2
    nb.cells = [cell]
    executed = tmp_path / "01_corpus.ipynb"
    nbformat.write(nb, executed)
    page, _ = export_stage(executed, StagePage(executed, "01_corpus.html", "Corpus", "Corpus"), Nav(()),
                           tmp_path / "01_corpus.html")
    html = page.read_text(encoding="utf-8")
    head, _, body = html.partition("</head>")
    assert "<style" not in body and "report_id" in body
    assert len(re.findall(r"\.dataframe tbody tr th:only-of-type", head)) == 1  # pandas' rules, once


def test_a_notebook_page_of_a_demo_run_has_the_red_banner_instead_of_the_grey_note(tmp_path):
    from helpers.pages.outputs import DEMO_BANNER

    note = "> **DEMO MODELS.** The English below was produced by tiny random-weight demo models."
    cell = nbformat.v4.new_code_cell("display(Markdown(note))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": note, "text/plain": "note"}),
                    nbformat.v4.new_output("display_data", data={"text/markdown": "Kept.", "text/plain": "kept"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    executed = tmp_path / "02_translate.ipynb"
    nbformat.write(nb, executed)
    stage = StagePage(executed, "02_translate.html", "Translation", "Translation")
    demo, _ = export_stage(executed, stage, Nav(()), tmp_path / "demo.html", demo=True)
    real, _ = export_stage(executed, stage, Nav(()), tmp_path / "real.html", demo=False)
    demo_html, real_html = (p.read_text(encoding="utf-8") for p in (demo, real))
    assert f'<p class="banner">{DEMO_BANNER}</p>' in demo_html and "tiny random-weight" not in demo_html.replace(
        DEMO_BANNER, "")
    assert "Kept." in demo_html and 'class="banner"' not in real_html and "tiny random-weight" in real_html
