"""Running the numbered notebooks with papermill and exporting them to HTML.

`make reports` comes here: each notebook runs with the run's parameters
(every field of the `Config`: `SEEDS`, `OUT`, `MODELS`, `TRANSLATOR`, ...), its executed copy goes to `OUT/notebooks/` and its
HTML export, code hidden, to `OUT/html/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config
from .outputs import read_csv, remove_stale
from .report import save_page

KERNEL = "python3"


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks of a folder, in order (01_..., 02_..., ...)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def parameters(cfg: Config) -> dict[str, object]:
    """The papermill parameters every notebook takes: every field of the Config."""
    return cfg.parameters()


class NotebookFailed(RuntimeError):
    """A notebook stopped with an error; the message names it and the error."""


def run_notebook(path: Path, cfg: Config, extra: dict[str, str] | None = None, name: str | None = None) -> Path:
    """Execute one notebook with papermill into `OUT/notebooks/`; return the executed copy."""
    import papermill

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    target = cfg.out / "notebooks" / (name or path.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(path),
            str(target),
            parameters={**parameters(cfg), **(extra or {})},
            kernel_name=KERNEL,
            cwd=str(path.parent),
            progress_bar=False,
            log_output=False,
            # the kernel's start-up warnings (TCP without encryption) are not the user's concern
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(f"{path.name} failed: {exc.ename}: {exc.evalue}") from None
    return target


def export_html(executed: Path, target: Path, title: str) -> Path:
    """Export an executed notebook to a self-contained HTML page with the code hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(
        nbformat.read(executed, as_version=4), resources={"metadata": {"name": title}}
    )
    return save_page(target, body)


def is_per_report(path: Path) -> bool:
    """True for a notebook that takes a REPORT_ID parameter: it runs once per report."""
    import papermill

    return "REPORT_ID" in papermill.inspect_notebook(str(path))


def run_all(cfg: Config, notebooks: Path) -> list[Path]:
    """Run every numbered notebook in order and export each; return the HTML pages.

    A notebook with a REPORT_ID parameter runs once per report (`<report_id>.html`);
    a notebook named `NN_index` becomes `index.html`.
    """
    pages = []
    for nb in notebook_paths(notebooks):
        if is_per_report(nb):
            for rid in read_csv(cfg.data_dir / "reports.csv")["report_id"]:
                executed = run_notebook(nb, cfg, {"REPORT_ID": rid}, name=f"{rid}.ipynb")
                pages.append(export_html(executed, cfg.html_dir / f"{rid}.html", f"Report {rid}"))
        else:
            stem = "index" if nb.stem.endswith("_index") else nb.stem
            pages.append(export_html(run_notebook(nb, cfg), cfg.html_dir / f"{stem}.html", nb.stem))
    # A run's outputs are exactly its reports': pages and notebooks of reports since removed go.
    remove_stale(cfg.html_dir, "*.html", {p.name for p in pages})
    remove_stale(cfg.out / "notebooks", "*.ipynb", {p.with_suffix(".ipynb").name for p in pages}
                 | {nb.name for nb in notebook_paths(notebooks)})
    return pages
