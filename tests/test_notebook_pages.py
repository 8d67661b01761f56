"""Issue 38: an exported stage notebook's page keeps its <style> blocks in its <head> (pandas writes
one before every table it shows; in the <body> it is an HTML error)."""

from __future__ import annotations

import re

import nbformat
import pandas as pd

from helpers.pages.notebooks import export_stage
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
