"""The package's shape: the pipeline visible in the folders, layers that only look down (no import
of a higher layer, no step importing another step, no cycle between packages or modules, none
hidden in a function either), no module doing two jobs at a size a newcomer cannot read."""

from __future__ import annotations

import ast
from pathlib import Path

import helpers

PACKAGE = Path(helpers.__file__).parent
MAX_LINES = 350
# The package's layers, bottom first (docs/architecture.md): a top-level package or module imports
# only from layers below its own. The steps (and the collection's exports) share a layer and never
# import one another: what two steps share lives below them.
STEPS = ("corpus", "translate", "summarise", "entities", "pages")
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("store",),
    ("text",),
    ("progress",),
    ("checks",),
    ("models",),
    ("inference",),
    ("config",),
    ("review",),
    ("stage",),
    (*STEPS, "collection"),
    ("stamps", "reuse"),
    ("notebooks",),  # the stage notebooks (papermill, their pages): above the steps, whose pages they join
    ("pipeline",),
    ("cli",),
    ("__main__",),
)


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


def unit_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph folded to the package's top-level units (`helpers.models.loading` -> `models`)."""
    def unit(module: str) -> str:
        return module.split(".")[1] if "." in module else ""

    folded: dict[str, set[str]] = {}
    for module, targets in graph.items():
        if unit(module):
            folded.setdefault(unit(module), set()).update(unit(t) for t in targets
                                                          if unit(t) and unit(t) != unit(module))
    return folded


def upward(units: dict[str, set[str]], layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every import of a unit by one in the same or a lower layer, as 'a -> b'."""
    rank = {u: i for i, layer in enumerate(layers) for u in layer}
    return sorted(f"{a} -> {b}" for a, targets in units.items() for b in targets if rank[b] >= rank[a])


def test_every_unit_of_the_package_has_a_layer():
    units = unit_graph(import_graph())
    assert sorted(units) == sorted(u for layer in LAYERS for u in layer)


def test_layers_only_look_down_and_no_step_imports_another():
    assert upward(unit_graph(import_graph()), LAYERS) == []


def test_no_cycle_between_packages():
    units = unit_graph(import_graph())
    assert _cycles(units) == []


def test_the_layer_check_would_see_a_planted_upward_import_and_cycle():
    graph = import_graph()
    graph["helpers.store.files"].add("helpers.config")  # upward: store is below config
    graph["helpers.summarise.stage"].add("helpers.translate.stage")  # a step importing a step
    units = unit_graph(graph)
    assert upward(units, LAYERS) == ["store -> config", "summarise -> translate"]
    assert ["config", "inference", "models", "store", "config"] in _cycles(units) or _cycles(units)


def test_no_import_cycle_even_inside_functions():
    graph = import_graph()
    assert "helpers.models.loading" in graph and graph["helpers.models.loading"], "the walk found no imports"
    assert _cycles(graph) == []


def test_the_walk_would_see_a_cycle_hidden_in_a_function():
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]


def test_the_pipeline_steps_are_folders_of_the_package():
    assert all((PACKAGE / step / "stage.py").is_file() for step in STEPS)
    shared = ["text", "checks", "inference", "models", "store", "review"]
    assert all((PACKAGE / folder / "__init__.py").is_file() for folder in shared)
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py", "config.py", "errors.py", "pipeline.py", "progress.py",
                     "reuse.py", "stage.py", "stamps.py"]


def test_every_step_of_the_sequence_is_a_stage_of_its_own_subpackage():
    from helpers.pipeline import SEQUENCE
    from helpers.stage import Stage

    assert [type(s).__module__ for s in SEQUENCE] == [f"helpers.{s.name}.stage" for s in SEQUENCE]
    assert all(isinstance(s, Stage) and s.writes for s in SEQUENCE)


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


def test_the_data_contract_doc_lists_run_json_as_the_contract_defines_it():
    from helpers.store.contract import run_json_table

    doc = (PACKAGE.parents[1] / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert run_json_table() in doc, "docs/data-contract.md's run.json table: paste store.contract.run_json_table()"
