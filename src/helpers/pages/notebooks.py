"""The stage notebooks (01-03) as `make reports` runs them: each executed with papermill in its
own kernel, all at once (they only read what the stages wrote), and exported to `OUT/html/`
through the project's nbconvert `stage` template with the run's header. Whatever a notebook
wrote to stderr (warnings) and its progress widgets are taken out of the page and handed back,
for the terminal and run.json.
"""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import EnvironmentProblem
from helpers.config import Config, parameters_cell, shown_path
from helpers.pages.outputs import DEMO_BANNER, ran_on_demo
from helpers.pages.render import TEMPLATES, Nav, StagePage, nav_for, render, save_page
from helpers.store.files import read_json


KERNEL = "python3"


_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+[\w.@+-]+")


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks of a folder, in order (01_..., 02_..., ...)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


class NotebookFailed(EnvironmentProblem):
    """A notebook stopped with an error; the message names it and the error."""


def run_notebook(path: Path, cfg: Config) -> Path:
    """Execute one notebook with papermill into `OUT/notebooks/`, every Config field its
    parameter; return the executed copy."""
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(path), str(target), parameters=cfg.parameters(), kernel_name=KERNEL,
            # The kernel starts in the notebook's folder (nbclient's `path`), not this process: papermill's
            # `cwd` would change this whole process's working folder while other threads work in it.
            resources={"metadata": {"path": str(path.parent.absolute())}},
            progress_bar=False, log_output=False,
            # the kernel's start-up warnings (TCP without encryption) and its "KeyboardInterrupt caught
            # in kernel" at shutdown are not the user's concern; a cell's error still fails the run
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None
    return target


# notebooks a person works in (widgets): JupyterLab only, never run by `make reports`
INTERACTIVE = ("_review", "_entities")


def is_view(path: Path) -> bool:
    """True for a notebook that `make reports` does not run: one that shows pages rendered
    in-process (a report by REPORT_ID, or the index: `make reports` renders those pages itself), or
    one a person works in (the review notebook). They are for JupyterLab."""
    import papermill

    return (path.stem.endswith(("_index", *INTERACTIVE))
            or "REPORT_ID" in papermill.inspect_notebook(str(path)))


def shown_warning(text: str) -> str:
    """A notebook's stderr as one short line with the machine's paths shortened."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _ABSOLUTE.sub(lambda m: shown_path(Path(m.group(0))), first)[:300]


@dataclass
class NotebooksRun:
    """What running the stage notebooks made: their pages, what they wrote to stderr, how long it took."""

    pages: list[Path]
    warnings: list[dict[str, str]]
    seconds: float


def run_stage_notebooks(cfg: Config, stages: list[StagePage]) -> NotebooksRun:
    """Run every stage notebook with papermill, each in its own kernel and all at once (they only
    read what the stages wrote), and export their pages; the notebooks' stderr is kept, in their
    order, for run.json and the terminal, never shown on a page."""
    started = time.perf_counter()
    demo = ran_on_demo(read_json(cfg.data_dir / "run.json"))

    def run(stage: StagePage) -> tuple[Path, list[str]]:
        return export_stage(run_notebook(stage.notebook, cfg), stage, nav_for(stage.file, stages),
                            cfg.html_dir / stage.file, demo)

    with ThreadPoolExecutor(max_workers=max(1, len(stages)), thread_name_prefix="notebook") as pool:
        done = list(pool.map(run, stages))
    warnings = [{"page": stage.file, "text": shown_warning(t)}
                for stage, (_, stderr) in zip(stages, done) for t in stderr if shown_warning(t)]
    return NotebooksRun([page for page, _ in done], warnings, time.perf_counter() - started)


_HEADING = re.compile(r"^#\s+(?:\d+\s*·\s*)?(.+)$", re.MULTILINE)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stage_page(notebook: Path) -> StagePage:
    """A stage notebook's page, named after the notebook and titled by its first heading
    (`# 01 · Corpus: what is in the reports?` gives the label `Corpus`)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    heading = next((m.group(1).strip() for c in nb.cells if c.cell_type == "markdown"
                    for m in [_HEADING.search(c.source)] if m), notebook.stem)
    return StagePage(notebook, f"{notebook.stem}.html", heading.split(":")[0].strip(), heading)


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


DEMO_NOTE = "> **DEMO MODELS.**"  # how a stage notebook's own (grey, quoted) demo note begins


def drop_demo_notes(nb) -> None:
    """Take the notebooks' own demo notes (Markdown quotes, grey on a page) out of an executed
    notebook: its page carries the red banner of the report pages instead."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not "".join(o.get("data", {}).get("text/markdown", "")).startswith(DEMO_NOTE)]


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
    style = (TEMPLATES / "style.css").read_text(encoding="utf-8") + "".join(f"\n{m}" for m in moved)
    header = str(render("nav.html.j2", nav=nav))
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": f"{stage.title} · vi2en"}, "vi2en": {"style": style, "header": header,
                                                                         "demo_banner": DEMO_BANNER if demo else ""}}
    )
    return save_page(target, body), said


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


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


def tidy_notebook(notebook: Path) -> bool:
    """Make a stored notebook what a reader should open: its parameters cell's run parameters are
    the Config fields (`config.parameters_cell`; the notebook's own parameters, e.g. REPORT_ID, kept
    after them), and no progress widget is stored (its state is not saved, so JupyterLab would show
    a dead bar as text). True when it changed. `make notebooks-sync` runs it on every notebook."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    before = nbformat.writes(nb)
    names = set(Config.parameter_names())
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError(f"{notebook.name} has no cell tagged `parameters`")
    own = [line for line in tagged[0].source.splitlines()
           if line.strip() and not line.startswith("#") and line.split("=")[0].strip() not in names]
    tagged[0].source = "\n".join([parameters_cell(), *own])
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    if nbformat.writes(nb) == before:
        return False
    nbformat.write(nb, notebook)
    return True
