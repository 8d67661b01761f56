"""The stage notebooks' kernels start while the stages run (issue 39: a re-run's notebooks cost a kernel
start and their imports after the stages): each kernel, at a lower priority than the run, imports what
its notebook imports at once, its cells wait at a gate until the stages' tables are written, and a run
that stops abandons them, leaving no kernel behind. What a warm-up import writes to stderr is
reported, as a cell's stderr is."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.config import Config, parameters_cell
from helpers.notebooks.execute import NotebookFailed, run_notebook
from helpers.notebooks.gate import Abandoned, Gate, imported_modules
from helpers.notebooks.run import StageNotebooks
from helpers.notebooks.stages import stage_page


def test_the_modules_a_notebook_imports_are_its_top_level_imports_in_order():
    cells = ["import pandas as pd\nfrom IPython.display import Markdown\n",
             "%matplotlib inline\nimport skipped_with_its_magic_cell\n",
             "def f():\n    import not_top_level\nfrom . import relative\nimport pandas, json.decoder as jd\n",
             "from helpers.pages.tables import show"]
    assert imported_modules(cells) == ["pandas", "IPython.display", "json.decoder", "helpers.pages.tables"]


def test_a_gate_lets_cells_run_once_opened_and_abandons_them_once_closed():
    opened = Gate()
    opened.open()
    opened.close()  # too late to abandon: the cells run
    opened.wait()
    assert opened.opened
    closed = Gate()
    closed.close()
    with pytest.raises(Abandoned):
        closed.wait()
    assert not closed.opened


def _write_notebook(folder: Path, name: str, module: str, source: str, cells: list) -> Path:
    """Notebook `name` of `cells` in a new `folder`, beside the module `module` (`source` its code)."""
    folder.mkdir(parents=True)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / name)
    return folder / name


def _notebook(folder: Path) -> Path:
    """A stage notebook that imports a module warning as it is imported, and reads a file the stages write."""
    return _write_notebook(folder, "01_tiny.ipynb", "noisy",
                           "import warnings\nwarnings.warn('noisy is going away', FutureWarning)\nVALUE = 42\n", [
        nbformat.v4.new_markdown_cell("# 01 · Tiny: does the gate hold?"),
        nbformat.v4.new_code_cell(parameters_cell(), metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import noisy\nfrom pathlib import Path"),
        nbformat.v4.new_code_cell('print(noisy.VALUE, Path(OUT, "data", "written.txt").read_text())'),
    ])


def _kernels() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(p.cmdline())}


@pytest.mark.slow  # starts kernels
def test_cells_wait_for_the_gate_and_a_warm_up_warning_is_reported(tmp_path):
    stage = stage_page(_notebook(tmp_path / "notebooks"))
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    with StageNotebooks(cfg, [stage]) as notebooks:
        notebooks.start()
        time.sleep(4)  # the kernel is up and has imported `noisy`: cells not held would have failed by now
        (kernel,) = _kernels()
        assert psutil.Process(kernel).nice() > psutil.Process().nice()  # the stages and pages come first
        (cfg.data_dir / "written.txt").write_text("after the stages", encoding="utf-8")
        ran = notebooks.run()
    executed = nbformat.read(cfg.out / "notebooks" / "01_tiny.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "42 after the stages\n"
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3, 4]  # warm-up uncounted
    assert any("noisy is going away" in w["text"] for w in ran.warnings), ran.warnings
    assert ran.pages == [cfg.html_dir / "01_tiny.html"] and ran.pages[0].is_file()
    assert not _kernels()


@pytest.mark.slow  # starts a kernel
def test_a_run_that_stops_during_the_stages_leaves_no_kernel_and_no_notebook(tmp_path):
    stage = stage_page(_notebook(tmp_path / "notebooks"))
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    with pytest.raises(KeyError):
        with StageNotebooks(cfg, [stage, stage]) as notebooks:
            notebooks.start()
            deadline = time.monotonic() + 60
            while not _kernels() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            assert len(_kernels()) == 1  # one kernel for the run's notebooks
            raise KeyError("a stage failed")
    assert not _kernels()
    assert not (cfg.out / "notebooks" / "01_tiny.ipynb").exists()


def _second_notebook(folder: Path) -> Path:
    """A notebook run after `_notebook`'s in the same kernel: it warns from a module of its own, reads and sets
    a pandas option, and shows its working folder, whether the names the other defined are there, and its
    execution count."""
    return _write_notebook(folder, "02_second.ipynb", "chatty",
                           "import warnings\n\ndef speak():\n    warnings.warn('chatty speaks', UserWarning)\n", [
        nbformat.v4.new_code_cell(parameters_cell(), metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import chatty\nchatty.speak()"),  # shown once a location, in a kernel of its own
        nbformat.v4.new_code_cell("import pandas as pd\nprint(pd.get_option('display.max_rows'))\n"
                                  "pd.set_option('display.max_rows', 3)"),
        nbformat.v4.new_code_cell("import os\nprint(os.getcwd())"),
        nbformat.v4.new_code_cell("print('noisy' in dir(), 'Path' in dir(), get_ipython().execution_count)"),
    ])


@pytest.mark.slow  # starts a kernel
def test_the_notebooks_share_one_kernel_and_none_sees_another_s_names(tmp_path):
    """The run's notebooks run one after another in one kernel (one start, one set of imports), each as in a
    kernel of its own: the names an earlier one made are gone, its counts start at 1, it runs in its own
    folder; the warm-up's warning is reported once, by the first; no kernel is left."""
    first, second = _notebook(tmp_path / "notebooks"), _second_notebook(tmp_path / "elsewhere")
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    (cfg.data_dir / "written.txt").write_text("written", encoding="utf-8")
    pids: set[int] = set()
    with StageNotebooks(cfg, [stage_page(first), stage_page(second)]) as notebooks:
        notebooks.start()
        deadline = time.monotonic() + 60
        while not _kernels() and time.monotonic() < deadline:
            time.sleep(0.1)
        pids |= _kernels()
        ran = notebooks.run()
    executed = nbformat.read(cfg.out / "notebooks" / "02_second.ipynb", as_version=4)
    cwd, names = (cell.outputs[0]["text"] for cell in executed.cells[-2:])  # (after papermill's parameters)
    assert cwd.strip() == str(second.parent) and names.startswith("False False "), (cwd, names)
    assert [c.execution_count for c in executed.cells] == [1, 2, 3, 4, 5, 6]
    assert len(pids) == 1 and not _kernels()
    alone = nbformat.read(run_notebook(second, cfg).notebook, as_version=4)  # in a kernel of its own
    assert [c.outputs for c in alone.cells] == [c.outputs for c in executed.cells]
    # run after itself, it shows its warning again and finds pandas' options as pandas sets them
    with StageNotebooks(cfg, [stage_page(second), stage_page(second)]) as notebooks:
        notebooks.run()
    again = nbformat.read(cfg.out / "notebooks" / "02_second.ipynb", as_version=4)
    assert [c.outputs for c in alone.cells] == [c.outputs for c in again.cells]
    assert "chatty speaks" in again.cells[2].outputs[0]["text"] and again.cells[3].outputs[0]["text"] == "60\n"
    assert [w["page"] for w in ran.warnings if "noisy is going away" in w["text"]] == ["01_tiny.html"]
    assert [p.name for p in ran.pages] == ["01_tiny.html", "02_second.html"] and all(p.is_file() for p in ran.pages)


@pytest.mark.slow  # starts a kernel
def test_a_failing_cell_is_one_error_naming_the_notebook_and_leaves_no_kernel(tmp_path):
    stage = stage_page(_notebook(tmp_path / "notebooks"))  # its last cell reads a file no stage wrote
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    with pytest.raises(NotebookFailed, match=r"^01_tiny.ipynb failed: FileNotFoundError: .*written.txt"):
        with StageNotebooks(cfg, [stage]) as notebooks:
            notebooks.run()
    assert not _kernels()


@pytest.mark.slow  # starts a kernel
def test_a_kernel_that_dies_as_it_starts_is_one_error_naming_the_notebook(tmp_path):
    """A module the kernel imports as it starts ends the process (as a crash in a native library would): the
    run stops with one line naming the notebook, not jupyter_client's traceback."""
    path = _notebook(tmp_path / "notebooks")
    (path.parent / "noisy.py").write_text("import os\nos.write(2, b'libfoo: fatal: no AVX\\n')\nos._exit(3)\n",
                                          encoding="utf-8")
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    with pytest.raises(NotebookFailed, match=r"^01_tiny.ipynb failed: the stage notebooks' kernel stopped as it "
                                             r"started, importing what they import \(.*; it last said: "
                                             r"libfoo: fatal: no AVX\)\. Run it again"):
        with StageNotebooks(cfg, [stage_page(path)]) as notebooks:
            notebooks.start()
            notebooks.run()
    assert not _kernels()


@pytest.mark.slow  # starts a kernel
def test_what_the_kernel_process_writes_outside_its_cells_does_not_reach_the_run_s_terminal(tmp_path, capfd):
    """A kernel's process writes to its stdout and stderr outside any cell (a native library as it loads, a
    handler at exit, ipykernel's own traceback when shut down mid-flush, which CI once showed after a run's
    last error line): none of it is the run's output. A cell's output is still the notebook's."""
    path = _notebook(tmp_path / "notebooks")
    (path.parent / "noisy.py").write_text(
        "import atexit, os\nos.write(2, b'noise as it loads\\n')\n"
        "atexit.register(lambda: os.write(2, b'noise at exit\\n') and os.write(1, b'out at exit\\n'))\nVALUE = 42\n",
        encoding="utf-8")
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    (cfg.data_dir / "written.txt").write_text("written", encoding="utf-8")
    with StageNotebooks(cfg, [stage_page(path)]) as notebooks:
        notebooks.start()
        notebooks.run()
    assert not _kernels()  # (its exit handler has run)
    out, err = capfd.readouterr()
    assert "noise" not in err and "at exit" not in out, (out, err)
    executed = nbformat.read(cfg.out / "notebooks" / "01_tiny.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "42 written\n"


@pytest.mark.slow  # starts kernels
def test_a_kernel_that_dies_before_replying_is_started_once_more_on_new_ports(tmp_path, monkeypatch):
    import nbclient

    path = _notebook(tmp_path / "notebooks")
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    (cfg.data_dir / "written.txt").write_text("written", encoding="utf-8")
    real, ports, calls = nbclient.NotebookClient.start_new_kernel_client, [], []

    def dies_first(self):
        calls.append(1)
        ports.append(self.km.shell_port)
        if len(calls) == 1:
            _dies(self)
        return real(self)

    monkeypatch.setattr(nbclient.NotebookClient, "start_new_kernel_client", dies_first)
    executed = nbformat.read(run_notebook(path, cfg).notebook, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "42 written\n"
    assert len(calls) == 2 and ports[0] != ports[1]  # a new manager, its ports chosen anew
    assert not _kernels()
    # a kernel that dies again is the run's error, said in one line
    monkeypatch.setattr(nbclient.NotebookClient, "start_new_kernel_client", lambda self: calls.append(1) or _dies(self))
    with pytest.raises(NotebookFailed, match="kernel stopped"):
        run_notebook(path, cfg)
    assert len(calls) == 4 and not _kernels()


def _dies(client) -> None:
    """As nbclient does for a kernel dead before replying: its client made, the kernel shut down and let go, raised."""
    client.kc = client.km.client()
    client._cleanup_kernel()
    raise RuntimeError("Kernel died before replying to kernel_info")


def test_a_kernel_not_started_when_the_gate_closes_does_not_start():
    opened, closed = Gate(), Gate()
    assert not opened.abandoned and not closed.abandoned  # undecided: the kernel starts
    opened.open()
    closed.close()  # a failed run, or notebooks found current
    assert not opened.abandoned and closed.abandoned


@pytest.mark.slow  # starts a kernel
@pytest.mark.parametrize("fails", [False, True])
def test_a_notebook_named_for_a_stage_runs_once_that_stage_is_done_and_the_pages_once_every_stage_is(tmp_path, fails):
    """01_tiny shows the stage `tiny`: it runs while the later stages do; 02_second shows none and runs after
    them; the pages wait for every stage (a run that fails after `tiny` exports none, and leaves no kernel)."""
    first, second = _notebook(tmp_path / "notebooks"), _second_notebook(tmp_path / "elsewhere")
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    (cfg.data_dir / "written.txt").write_text("by the stage tiny", encoding="utf-8")
    executed = cfg.out / "notebooks"
    with pytest.raises(KeyError) if fails else contextlib.nullcontext():
        with StageNotebooks(cfg, [stage_page(first), stage_page(second)], after=("tiny", "later")) as notebooks:
            notebooks.start()
            notebooks.stage_done("tiny")
            deadline = time.monotonic() + 60
            while not (executed / "01_tiny.ipynb").is_file() and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)
            assert (executed / "01_tiny.ipynb").is_file() and not (executed / "02_second.ipynb").exists()
            assert not (cfg.html_dir / "01_tiny.html").exists()  # its page waits for every stage
            notebooks.stage_done("later")
            if fails:
                raise KeyError("a later stage failed")
            ran = notebooks.run()
    assert not _kernels()
    if fails:
        assert not (executed / "02_second.ipynb").exists() and not cfg.html_dir.exists()
    else:
        assert ran.pages == [cfg.html_dir / "01_tiny.html", cfg.html_dir / "02_second.html"]
        assert all(page.is_file() for page in ran.pages)
        out = nbformat.read(executed / "01_tiny.ipynb", as_version=4).cells[-1].outputs[0]["text"]
        assert out == "42 by the stage tiny\n"


@pytest.mark.slow  # starts a kernel
def test_a_run_that_fails_runs_no_notebook_let_run_but_not_started(tmp_path):
    """A notebook let run as its stage is done, whose cells have not started when a later stage fails, does not
    run (nor does the kernel stay)."""
    stage = stage_page(_notebook(tmp_path / "notebooks"))
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    (cfg.data_dir / "written.txt").write_text("by the stage tiny", encoding="utf-8")
    with pytest.raises(KeyError):
        with StageNotebooks(cfg, [stage], after=("tiny", "later")) as notebooks:
            notebooks.start()
            notebooks.stage_done("tiny")
            raise KeyError("the stage after it failed")  # the kernel is still starting
    assert not _kernels()
    assert not (cfg.out / "notebooks" / "01_tiny.ipynb").exists()


@pytest.mark.slow  # starts a kernel
def test_a_notebook_that_fails_while_the_stages_run_stops_the_run_at_the_next_stage(tmp_path):
    """A stage notebook fails in the kernel `make reports` starts (which says so: `config.IN_RUN`); the run learns
    of it as the next stage is done, not after every stage and the pages."""
    failing = stage_page(_write_notebook(tmp_path / "notebooks", "01_tiny.ipynb", "quiet", "", [
        nbformat.v4.new_code_cell(parameters_cell(), metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os\nraise ValueError(os.environ.get('HELPERS_IN_RUN'))"),
    ]))
    cfg = Config(seeds=tmp_path / "in", out=tmp_path / "out", models="demo")
    (cfg.out / "data").mkdir(parents=True)
    with StageNotebooks(cfg, [failing], after=("tiny", "later")) as notebooks:
        notebooks.start()
        notebooks.stage_done("tiny")
        deadline = time.monotonic() + 60
        with pytest.raises(NotebookFailed) as failed:
            while time.monotonic() < deadline:
                notebooks.stage_done("later")
                time.sleep(0.1)
    assert str(failed.value) == "01_tiny.ipynb failed: ValueError: 1"
    assert not _kernels()


def test_in_the_kernel_of_a_run_the_stages_are_read_back_as_the_run_made_them_and_the_pages_note_says_nothing(
        tmp_path, monkeypatch):
    """`make reports` tells its notebooks' kernel it runs them (`config.IN_RUN`): a stage there is read back as the
    run made it, never made again (a file put in SEEDS meanwhile is the next run's), and the pages are not called
    out of date."""
    import shutil

    from helpers.config import IN_RUN
    from helpers.pages.stage import pages_note
    from helpers.pipeline import is_current, run_stages

    seeds = tmp_path / "in"
    shutil.copytree(Path(__file__).resolve().parents[1] / "seeds", seeds)
    cfg = Config(seeds=seeds, out=tmp_path / "out", models="demo")
    run_stages(cfg, "corpus", say=False)  # as the run made it
    made = (cfg.data_dir / "sentences.csv").stat().st_mtime_ns
    (cfg.html_dir).mkdir(parents=True)
    (cfg.html_dir / "index.html").write_text("<!doctype html>", encoding="utf-8")
    assert "out of date" in pages_note(cfg)  # (by hand in JupyterLab: the pages were not made from this data)
    shutil.copy(seeds / sorted(p.name for p in seeds.iterdir())[0], seeds / "added meanwhile.txt")
    assert not is_current(cfg, "corpus")
    monkeypatch.setenv(IN_RUN, "1")
    assert pages_note(cfg) == ""
    corpus = run_stages(cfg, "corpus", say=False)
    assert corpus.reused == {"corpus": True} and len(corpus.tables["reports"]) == 5
    assert (cfg.data_dir / "sentences.csv").stat().st_mtime_ns == made
