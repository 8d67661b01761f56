"""Progress as a user sees it: widgets in a Jupyter kernel (ipywidgets), never text in stderr there."""

from __future__ import annotations


def test_progress_bars_are_widgets_in_a_notebook_not_stderr_text():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from helpers.progress import bar\n"
                                          "for _ in bar(range(3), desc='x', total=3):\n    pass")]
    NotebookClient(nb, kernel_name="python3", timeout=120, extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    outputs = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), outputs
    assert not [o for o in outputs if o.get("name") == "stderr"], outputs


def test_a_command_s_bars_are_text_and_import_no_notebook_widgets():
    """On a terminal (or a log), a bar is tqdm's text bar, shown only on a terminal, and the notebook's widgets are
    not imported for it (0.1 s of every run's main thread)."""
    import subprocess
    import sys

    code = ("import sys; from helpers.progress import bar; b = bar(range(3), total=3); list(b); "
            "import tqdm; print(isinstance(b, tqdm.std.tqdm), b.disable, 'tqdm.notebook' in sys.modules)")
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert said.stdout.split() == ["True", "True", "False"], said  # (not a terminal here: no bar shown)
