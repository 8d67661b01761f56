"""The one typed configuration of a run, and the one home of its parameters.

Each field of `Config` is a run parameter: its name in upper case is the make variable, the
notebooks' papermill parameter and the `HELPERS_<NAME>` environment variable; with dashes it is
the command-line option (`--summary-max-words`). Its default and its help live on the field, and
the command line, the notebooks' parameters cells and the docs are made from them. The CLI hands
the Config to the notebooks as papermill parameters (`Config.parameters`), and a notebook rebuilds
it from them (`Config.from_parameters`): every field reaches every notebook unchanged.
"""

from __future__ import annotations

import json
import os
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from helpers.errors import SettingsError
from helpers.inference.engines import ENGINES
from helpers.models.registry import BACKENDS, MODEL_MODES, MODEL_REGISTRY, SUMMARISERS, TRANSLATORS, ModelSpec
from helpers.models.settings import OVERRIDABLE, allowed, check
from helpers.store.paths import PROJECT_ROOT, default_cache_dir, shown_path
from helpers.store.paths import DATA_DIR, HTML_DIR, NOTEBOOKS_DIR, RUN_JSON_FILE

def parse_overrides(text: str) -> dict[str, dict[str, Any]]:
    """`"opus-mt.num_beams=5 distilbart.min_length=30"` → {model: {setting: value}}, each value checked
    for its kind and range (`settings.check`); otherwise one line naming GENERATION, the item and why."""
    result: dict[str, dict[str, Any]] = {}
    for item in text.replace(",", " ").split():
        name, sep, raw = item.partition("=")
        key, dot, setting = name.rpartition(".")
        where = f"GENERATION: {item!r}"
        if not (sep and dot and key and setting):
            raise SettingsError(f"{where} is not of the form MODEL.SETTING=VALUE")
        if key not in MODEL_REGISTRY:
            raise SettingsError(f"{where}: no model {key!r} (models: {', '.join(MODEL_REGISTRY)})")
        if setting not in OVERRIDABLE:
            raise SettingsError(f"{where}: no setting {setting!r} (settings: {', '.join(OVERRIDABLE)})")
        try:
            value = json.loads(raw.lower() if raw.lower() in ("true", "false") else raw,
                               parse_constant=lambda c: float(c))  # NaN, Infinity: refused by check
        except (json.JSONDecodeError, ValueError):
            value = raw
        try:
            result.setdefault(key, {})[setting] = check(setting, value)
        except ValueError:
            raise SettingsError(f"{where}: {setting} must be {allowed(setting)}") from None
    for key, values in result.items():
        low = values.get("min_length")
        high = values.get("max_length", MODEL_REGISTRY[key].generation.max_length)
        if low is not None and high is not None and low > high:
            raise SettingsError(f"GENERATION: {key}.min_length={low} is over its max_length ({high})")
    return result

# Set in the stage notebooks' kernel by `make reports` (`notebooks.execute`): their `run_stages` reads back the
# stages this run made and never makes one (a review saved, or a file put in SEEDS, while the run goes is the next
# run's to take), and `pages.stage.pages_note` says nothing (the run makes the pages from the data they show).
IN_RUN = "HELPERS_IN_RUN"


def parameter(default: Any = None, *, help: str, shown: str | None = None, choices: tuple[str, ...] = (),
              factory: Any = None) -> Any:
    """A run parameter: a Config field with its help text, the default as a user reads it, and its
    choices (checked by `Config`, which names the parameter in its error)."""
    meta = {"help": help, "shown": shown if shown is not None else str(default), "choices": choices}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Config:
    """Everything a run depends on. Paths are made absolute when the config is built."""

    seeds: Path = parameter(PROJECT_ROOT / "seeds", shown="seeds",
                            help="folder of the reports (.txt, .md, .html, .docx, .pdf)")
    out: Path = parameter(PROJECT_ROOT / "build", shown="build", help="output folder")
    models: str = parameter("auto", choices=MODEL_MODES,
                            help="real weights, demo stand-ins, or auto (real where available, else demo)")
    translator: str = parameter("opus-mt", choices=TRANSLATORS, help="the translation model")
    summariser_en: str = parameter("distilbart", choices=SUMMARISERS, help="summarises the English")
    summariser_vi: str = parameter("mt5-xlsum", choices=SUMMARISERS, help="summarises the Vietnamese")
    cache_dir: Path = parameter(factory=default_cache_dir, shown=".cache, or $HELPERS_CACHE",
                                help="stand-ins, conversions and the translation memory")
    memory: Path | None = parameter(None, shown="CACHE_DIR/translation-memory.sqlite", help="the translation memory")
    backend: str = parameter("ctranslate2", choices=BACKENDS,
                             help="ctranslate2 (int8, fast) or transformers (fp32 reference)")
    summary_max_sentences: int = parameter(3, help="a summary's length bound, in sentences")
    summary_max_words: int = parameter(80, help="a summary's length bound, in words")
    generation: str = parameter("", shown="none: each model its own",
                                help="decoding overrides of the models (docs/models.md)")
    engine: str = parameter("local", choices=ENGINES, help="where the work runs: local (this machine) or dask")
    cluster: str = parameter("", shown="none: a local cluster",
                             help="with the dask engine: a scheduler address")
    workers: int = parameter(0, shown="0: one per core",
                             help="with the dask engine and no CLUSTER: local workers")
    reviews: Path = parameter(PROJECT_ROOT / "reviews", shown="reviews",
                              help="the reviewed English, kept in the project (docs/review.md)")
    reviewer: str = parameter("", shown="the name the review panel last had, else the login name",
                              help="who reviews in notebook 06 and `review import` (docs/review.md)")

    def __post_init__(self) -> None:
        for f in fields(self):
            choices = f.metadata.get("choices")
            if choices and getattr(self, f.name) not in choices:
                raise SettingsError(f"{f.name.upper()} must be one of {', '.join(choices)}, "
                                    f"not {getattr(self, f.name)!r}")
        for name in ("summary_max_sentences", "summary_max_words"):
            object.__setattr__(self, name, _whole(name, getattr(self, name), 1))
        parse_overrides(self.generation)
        if str(self.cluster) and self.engine == "local":
            raise SettingsError(f"CLUSTER={self.cluster} needs ENGINE=dask (the local engine runs in this process)")
        object.__setattr__(self, "workers", _whole("workers", self.workers, 0, "0 (one per core) or more"))
        object.__setattr__(self, "cluster", str(self.cluster or ""))
        if self.memory is not None and not str(self.memory):
            object.__setattr__(self, "memory", None)
        for name in self.path_fields():
            value = getattr(self, name)
            if value is None:
                continue
            if not str(value).strip():
                raise SettingsError(f"{name.upper()} is empty: name a folder")
            object.__setattr__(self, name, Path(value).expanduser().absolute())

    @staticmethod
    def path_fields() -> tuple[str, ...]:
        """The fields that hold paths (made absolute; shown without the machine's folders)."""
        return tuple(f.name for f in fields(Config) if "Path" in str(f.type))

    # ------------------------------------------------------------ one channel into the notebooks

    def shown_parameters(self) -> dict[str, Any]:
        """The parameters as shared outputs show them (run.json, pages): paths in `shown_path` form."""
        paths = self.path_fields()
        return {name.lower(): shown_path(Path(v)) if name.lower() in paths and v else v
                for name, v in self.parameters().items()}

    def absolute_paths(self) -> dict[str, str]:
        """The path fields as this machine has them (kept apart in run.json, under `absolute_paths`)."""
        return {name: str(getattr(self, name)) for name in self.path_fields() if getattr(self, name) is not None}

    def parameters(self) -> dict[str, Any]:
        """Every field as a papermill parameter (UPPER_CASE name, plain value)."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name.upper()] = "" if value is None else str(value) if isinstance(value, Path) else value
        return values

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, Any], base: Path = PROJECT_ROOT) -> "Config":
        """The Config of a notebook or a command: each field from its parameter when set (not None),
        else from `HELPERS_<NAME>` in the environment, else the default. Relative paths are taken
        from `base`: the checkout for a notebook (so one opened in JupyterLab uses the same folders
        as `make`), the working folder for a command."""
        kwargs: dict[str, Any] = {}
        paths = cls.path_fields()
        for f in fields(cls):
            name = f.name.upper()
            value = namespace.get(name)
            if value is None:
                value = os.environ.get(f"HELPERS_{name}")
            if value is None:
                continue
            if f.name in paths and str(value).strip() and not Path(str(value)).expanduser().is_absolute():
                value = Path(base) / str(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """The papermill parameters every notebook takes."""
        return tuple(f.name.upper() for f in fields(cls))

    @classmethod
    def parameter_fields(cls) -> tuple[Field, ...]:
        """The fields with their help, shown default and choices (for the CLI, notebooks and docs)."""
        return fields(cls)

    # ------------------------------------------------------------ derived paths and models

    @property
    def data_dir(self) -> Path:
        """`OUT/data`: the CSV and JSON data contract."""
        return self.out / DATA_DIR

    @property
    def html_dir(self) -> Path:
        """`OUT/html`: exported pages."""
        return self.out / HTML_DIR

    @property
    def run_json(self) -> Path:
        """`OUT/data/run.json`: provenance of the run."""
        return self.data_dir / RUN_JSON_FILE

    @property
    def notebooks_dir(self) -> Path:
        """`OUT/notebooks`: the stage notebooks as `make reports` executed them."""
        return self.out / NOTEBOOKS_DIR

    @property
    def memory_file(self) -> Path:
        """The translation memory database."""
        return self.memory or self.cache_dir / "translation-memory.sqlite"

    def spec(self, key: str) -> ModelSpec:
        """The registry entry for a model key, with this run's generation overrides applied."""
        spec = MODEL_REGISTRY[key]
        overrides = parse_overrides(self.generation).get(key)
        return replace(spec, generation=replace(spec.generation, **overrides)) if overrides else spec

    def model_keys(self) -> tuple[str, ...]:
        """Every model a full run uses."""
        return (self.translator, self.summariser_en, self.summariser_vi)


def _whole(name: str, value: Any, least: int, allowed: str = "") -> int:
    """A whole-number parameter, at least `least`, or an error naming it (and what is `allowed`)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError(f"{name.upper()} must be a whole number, not {value!r}") from None
    if number < least:
        raise SettingsError(f"{name.upper()} must be {allowed or f'at least {least}'}, not {number}")
    return number


def parameters_cell() -> str:
    """The run-parameters part of every notebook's parameters cell, made from the fields."""
    # papermill reads a line with a second `=` as no parameter: the help texts hold none
    lines = ["# Run parameters. `make reports` sets every one of them; here, None takes $HELPERS_<NAME>",
             "# from the environment, else the default named here (the Config fields, helpers/config.py)."]
    for f in fields(Config):
        listed = [c for c in f.metadata["choices"] if c not in f.metadata["help"]]
        choices = f" ({', '.join(f.metadata['choices'])})" if listed else ""
        lines.append(f"{f.name.upper()} = None  # {f.metadata['help']}{choices}; default: {f.metadata['shown']}")
    return "\n".join(lines)


def parameters_table() -> str:
    """The run parameters as the README's Markdown table (make variable, default, meaning), made from
    the fields; a test keeps the README's copy equal to it."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in fields(Config):
        choices = [c for c in f.metadata["choices"] if c not in f.metadata["help"]]
        meaning = f.metadata["help"] + (f" ({', '.join(f'`{c}`' for c in choices)})" if choices else "")
        rows.append(f"| `{f.name.upper()}` | {f.metadata['shown']} | {meaning} |")
    return "\n".join(rows)
