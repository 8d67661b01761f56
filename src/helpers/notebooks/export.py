"""An executed stage notebook as its page in `OUT/html/`: code hidden, through the project's nbconvert
`stage` template with the run's header. What a page must not show (stderr, progress widgets, the
notebooks' own grey demo notes) is taken out; stderr is handed back for the terminal and run.json."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.notebooks.tidy import WIDGET_VIEW
from helpers.pages.outputs import DEMO_BANNER, DEMO_NOTE
from helpers.pages.render import TEMPLATES, Nav, StagePage, render, save_page

PAGE_CSS = TEMPLATES / "nbconvert" / "stage" / "page.css"  # a stage page's layout (not JupyterLab's CSS)

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


def take_stderr(nb) -> list[str]:
    """Remove what a page must not show from an executed notebook (stderr streams, progress
    widgets, widget state) and return the stderr texts, so the caller can show them elsewhere.
    A chart gets the heading above it as its alternative text."""
    said: list[str] = []
    heading = "chart"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^#+\s+(.+)$", cell.source, re.MULTILINE)
            heading = found.group(1).strip() if found else heading
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                said.append(output.get("text", ""))
            elif WIDGET_VIEW not in data:
                if "image/png" in data:
                    output.setdefault("metadata", {})["alt"] = heading
                kept.append(output)
        cell["outputs"] = kept
    nb.metadata.pop("widgets", None)
    return said


def drop_demo_notes(nb) -> None:
    """Take the notebooks' own demo notes (Markdown quotes, grey on a page) out of an executed
    notebook: its page carries the red banner of the report pages instead."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not "".join(o.get("data", {}).get("text/markdown", "")).startswith(DEMO_NOTE)]


def head_styles(nb) -> list[str]:
    """Take the <style> blocks out of the notebook's HTML outputs (pandas writes one before every
    table it shows): a <style> belongs in the page's <head>, where the template puts the ones
    returned (each once), not in its <body>."""
    found: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            html = output.get("data", {}).get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else html
            found += [m.strip() for m in _STYLE.findall(text)]
            output["data"]["text/html"] = _STYLE.sub("", text)
    return list(dict.fromkeys(found))


def export_stage(executed: Path, stage: StagePage, nav: Nav, target: Path,
                 demo: bool = False) -> tuple[Path, list[str]]:
    """Export an executed stage notebook (code hidden) with the run's header, and the red demo
    banner of the report pages when the run used demo models; return the page and the stderr its
    cells wrote (warnings), which the page does not show."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    said = take_stderr(nb)
    moved = head_styles(nb)
    if demo:
        drop_demo_notes(nb)
    exporter = HTMLExporter(template_name="stage", extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    style = "\n".join([(TEMPLATES / "style.css").read_text(encoding="utf-8"), PAGE_CSS.read_text(encoding="utf-8"),
                       *moved])
    header = str(render("nav.html.j2", nav=nav))
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": f"{stage.title} · vi2en"}, "vi2en": {"style": style, "header": header,
                                                                         "demo_banner": DEMO_BANNER if demo else ""}}
    )
    return save_page(target, body), said
