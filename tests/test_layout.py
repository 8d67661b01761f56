"""The package's shape: the pipeline visible in the folders, no import cycle (none hidden in a
function either), no module doing two jobs at a size a newcomer cannot read."""

from __future__ import annotations

import ast
from pathlib import Path

import helpers

PACKAGE = Path(helpers.__file__).parent
MAX_LINES = 350


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at the top or inside a function alike."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name and t.startswith("helpers"):
                    graph[name].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, as the modules along it (a package's own __init__ re-exports excluded)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + ".") or nxt == "helpers":
                continue  # a module importing its own package's re-exports
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    return found


def test_no_import_cycle_even_inside_functions():
    graph = import_graph()
    assert "helpers.models.loading" in graph and graph["helpers.models.loading"], "the walk found no imports"
    assert _cycles(graph) == []


def test_the_walk_would_see_a_cycle_hidden_in_a_function():
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]


def test_the_pipeline_steps_are_folders_of_the_package():
    steps = ["corpus", "translate", "summarise", "pages"]
    assert all((PACKAGE / step / "stage.py").is_file() for step in steps)
    shared = ["text", "checks", "inference", "models", "store"]
    assert all((PACKAGE / folder / "__init__.py").is_file() for folder in shared)
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py", "config.py", "pipeline.py", "progress.py", "stamps.py"]


def test_no_module_is_longer_than_a_newcomer_can_read():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_run_parameter_has_one_home_in_config():
    """The Makefile passes exactly Config's fields; each notebook's parameters cell is made from them;
    the command line's options are generated from them."""
    import re

    from helpers.cli import parser
    from helpers.config import Config, parameters_cell

    makefile = (PACKAGE.parents[1] / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^PARAMS := (.*?)\n(?!\t)", makefile, re.MULTILINE | re.DOTALL).group(1)
    assert listed.replace("\\", " ").split() == list(Config.parameter_names())
    for nb in sorted((PACKAGE.parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        import nbformat

        cell = next(c for c in nbformat.read(nb, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        assert cell.source.startswith(parameters_cell()), f"{nb.name}: run `make notebooks-sync`"
    usage = parser().format_help()
    assert all(f"--{name.lower().replace('_', '-')} {name}" in usage for name in Config.parameter_names())


def test_no_stored_notebook_holds_a_dead_progress_bar():
    import nbformat

    for nb in sorted((PACKAGE.parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        outputs = [o for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})], nb.name


def test_the_readme_shows_the_parameters_as_config_defines_them():
    from helpers.config import parameters_table

    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert parameters_table() in readme, "README's make variables: paste helpers.config.parameters_table()"
