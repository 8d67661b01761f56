"""The one typed configuration of a run: paths, model choices, generation settings.

Notebooks, the CLI, the Makefile and tests all build a `Config`; no stage reads
settings from anywhere else. The CLI hands it to the notebooks as papermill
parameters (`Config.parameters`), and a notebook rebuilds it from them
(`Config.from_parameters`): every field reaches every notebook unchanged.
Model entries live in `MODEL_REGISTRY`, keyed by a short name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

MODEL_MODES = ("auto", "real", "demo")
BACKENDS = ("ctranslate2", "transformers")
ENGINES = ("local", "dask")  # where the work runs (helpers.engines)
CACHE_ENV = "HELPERS_CACHE"
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout (the package is installed editable)

# The settings a model's own files may set (generation_config.json, else config.json), as
# transformers names them. None in `GenerationSettings` means: what the model says.
MODEL_DECODING = ("num_beams", "length_penalty", "no_repeat_ngram_size", "repetition_penalty", "max_length", "min_length")
LIBRARY_DEFAULTS = {"num_beams": 1, "length_penalty": 1.0, "no_repeat_ngram_size": 0, "repetition_penalty": 1.0,
                    "max_length": 512, "min_length": 0}
# The guard of a second decoding for an output that loops (flag `redecoded`).
GUARD = {"no_repeat_ngram_size": 3, "repetition_penalty": 1.2}


@dataclass(frozen=True)
class GenerationSettings:
    """How a model decodes. Decoding fields left None take the model's own values (its
    generation_config.json or config.json) when it is loaded; the rest are the project's
    length and batching rules. A loaded model carries the resolved settings."""

    num_beams: int | None = None
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = None
    repetition_penalty: float | None = None
    max_length: int | None = None  # the model's cap on output tokens
    min_length: int | None = None
    max_new_tokens_ratio: float = 1.6  # output budget relative to the input's tokens (0: the model's max_length)
    max_new_tokens_extra: int = 16
    min_new_tokens_ratio: float = 0.0  # > 0 forces outputs this long (the benchmark's fixed compute)
    batch_tokens: int = 1024  # padded input tokens per batch (a memory bound)
    batch_tolerance: float = 0.1  # a batch holds inputs within 10% of its longest (little padding)
    piece_tokens: int = 128  # longer sentences are translated clause by clause (Bergamot's max-length-break)
    redecode: bool = True  # an output that loops is decoded once more with the guard (flag `redecoded`)

    def resolved(self, model_values: Mapping[str, Any]) -> "GenerationSettings":
        """These settings with every unset decoding field taken from the model (else the library default)."""
        filled = {}
        for name in MODEL_DECODING:
            if getattr(self, name) is None:
                value = model_values.get(name)
                filled[name] = LIBRARY_DEFAULTS[name] if value is None else value
        return replace(self, **filled)

    def guarded(self) -> "GenerationSettings":
        """The settings of a second decoding for an output that loops."""
        return replace(self, no_repeat_ngram_size=max(self.no_repeat_ngram_size or 0, GUARD["no_repeat_ngram_size"]),
                       repetition_penalty=max(self.repetition_penalty or 1.0, GUARD["repetition_penalty"]))

    def max_new_tokens(self, input_tokens: int) -> int:
        """Output budget for an input of this many tokens (never past the model's max_length)."""
        cap = max(1, (self.max_length or LIBRARY_DEFAULTS["max_length"]) - 1)
        if self.max_new_tokens_ratio <= 0:
            return cap
        return min(cap, int(input_tokens * self.max_new_tokens_ratio) + self.max_new_tokens_extra)

    def min_new_tokens(self, input_tokens: int) -> int:
        """Least output tokens: forced by the ratio (benchmark), else the model's min_length."""
        forced = int(input_tokens * self.min_new_tokens_ratio)
        return min(self.max_new_tokens(input_tokens), max(forced, max(0, (self.min_length or 0) - 1)))


@dataclass(frozen=True)
class ModelSpec:
    """One pretrained model: where it comes from, its family and language codes, its limits."""

    key: str
    source: str  # a hub id or a local folder
    family: str  # a key of helpers.models.families.FAMILIES
    task: str  # translate | summarise
    src_lang: str | None = None
    tgt_lang: str | None = None
    max_input_tokens: int = 512
    revision: str | None = None
    generation: GenerationSettings = field(default_factory=GenerationSettings)


# Summaries: the whole output within the model's max_length (not a ratio of the input), so a chunk's
# budget does not depend on its length bucket and chunks of different lengths can share a batch:
# larger batches, looser length tolerance (measured: mT5-base shape 62 -> 33 s, distilbart 65 -> 55 s).
_SUMMARY = GenerationSettings(max_new_tokens_ratio=0.0, max_new_tokens_extra=0, batch_tokens=4096, batch_tolerance=0.5)

MODEL_REGISTRY: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec("opus-mt", "Helsinki-NLP/opus-mt-vi-en", "marian", "translate", max_input_tokens=512),
        ModelSpec("nllb", "facebook/nllb-200-distilled-600M", "nllb", "translate", "vie_Latn", "eng_Latn"),
        ModelSpec("m2m100", "facebook/m2m100_418M", "m2m100", "translate", "vi", "en"),
        # mBART-25 style (MBartTokenizer): source ends `</s> vi_VN`, the decoder starts with `en_XX`.
        ModelSpec("vinai", "vinai/vinai-translate-vi2en-v2", "mbart", "translate", "vi_VN", "en_XX"),
        ModelSpec("distilbart", "sshleifer/distilbart-cnn-12-6", "bart", "summarise", max_input_tokens=1024,
                  generation=_SUMMARY),
        # The model card's settings: its config.json carries none.
        ModelSpec("mt5-xlsum", "csebuetnlp/mT5_multilingual_XLSum", "mt5", "summarise",
                  generation=replace(_SUMMARY, num_beams=4, max_length=84, no_repeat_ngram_size=2)),
    )
}
TRANSLATORS = tuple(k for k, s in MODEL_REGISTRY.items() if s.task == "translate")
SUMMARISERS = tuple(k for k, s in MODEL_REGISTRY.items() if s.task == "summarise")
OVERRIDABLE = tuple(f.name for f in fields(GenerationSettings))


PATH_FIELDS = ("seeds", "out", "cache_dir", "memory_path")


def shown_path(path: Path) -> str:
    """A path as shared outputs show it, without the machine's folders: relative to the project
    when inside it ('seeds', '.cache/translation-memory.sqlite'), '~/…' under the home folder,
    else '…/' and its last two parts."""
    path = Path(path)
    for base, prefix in ((PROJECT_ROOT, ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base)) if path != base else (prefix.rstrip("/") or ".")
        except ValueError:
            continue
    return "…/" + "/".join(path.parts[-2:])


def default_cache_dir() -> Path:
    """Where stand-in models, conversions and the translation memory live: $HELPERS_CACHE, else
    the checkout's `.cache/` (the same folder for `make` and JupyterLab)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else PROJECT_ROOT / ".cache"


def parse_overrides(text: str) -> dict[str, dict[str, Any]]:
    """`"opus-mt.num_beams=5 distilbart.min_length=30"` → {model: {setting: value}}; a clear error otherwise."""
    result: dict[str, dict[str, Any]] = {}
    for item in text.replace(",", " ").split():
        name, sep, raw = item.partition("=")
        key, dot, setting = name.rpartition(".")
        if not (sep and dot and key and setting):
            raise ValueError(f"generation override {item!r} is not of the form MODEL.SETTING=VALUE")
        if key not in MODEL_REGISTRY:
            raise ValueError(f"generation override {item!r}: no model {key!r} (models: {', '.join(MODEL_REGISTRY)})")
        if setting not in OVERRIDABLE:
            raise ValueError(f"generation override {item!r}: no setting {setting!r} (settings: {', '.join(OVERRIDABLE)})")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise ValueError(f"generation override {item!r}: {raw!r} is not a number") from None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"generation override {item!r}: {raw!r} is not a number")
        result.setdefault(key, {})[setting] = value
    return result


@dataclass(frozen=True)
class Config:
    """Everything a run depends on. Paths are made absolute when the config is built."""

    seeds: Path = PROJECT_ROOT / "seeds"
    out: Path = PROJECT_ROOT / "build"
    models: str = "auto"
    translator: str = "opus-mt"
    summariser_en: str = "distilbart"
    summariser_vi: str = "mt5-xlsum"
    cache_dir: Path = field(default_factory=default_cache_dir)
    memory_path: Path | None = None
    backend: str = "ctranslate2"  # or "transformers" (fp32 reference path)
    summary_max_sentences: int = 3
    summary_max_words: int = 80
    generation: str = ""  # overrides of generation settings: "MODEL.SETTING=VALUE ..."
    engine: str = "local"  # or "dask": the same run on a Dask cluster (outputs identical)
    cluster: str = ""  # with dask: a scheduler address; empty starts a local cluster for the run
    workers: int = 0  # with dask and no cluster: worker processes (0: one per core)

    def __post_init__(self) -> None:
        if self.models not in MODEL_MODES:
            raise ValueError(f"MODELS must be one of {', '.join(MODEL_MODES)}, not {self.models!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.translator not in TRANSLATORS:
            raise ValueError(f"TRANSLATOR must be one of {', '.join(TRANSLATORS)}, not {self.translator!r}")
        for name in ("summariser_en", "summariser_vi"):
            if getattr(self, name) not in SUMMARISERS:
                raise ValueError(f"{name} must be one of {', '.join(SUMMARISERS)}, not {getattr(self, name)!r}")
        for name in ("summary_max_sentences", "summary_max_words"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")
            object.__setattr__(self, name, int(getattr(self, name)))
        parse_overrides(self.generation)
        if self.engine not in ENGINES:
            raise ValueError(f"ENGINE must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if str(self.cluster) and self.engine == "local":
            raise ValueError(f"CLUSTER={self.cluster} needs ENGINE=dask (the local engine runs in this process)")
        try:
            workers = int(self.workers)
        except (TypeError, ValueError):
            raise ValueError(f"WORKERS must be a whole number, not {self.workers!r}") from None
        if workers < 0:
            raise ValueError(f"WORKERS must be 0 (one per core) or more, not {workers}")
        object.__setattr__(self, "workers", workers)
        object.__setattr__(self, "cluster", str(self.cluster or ""))
        if self.memory_path is not None and not str(self.memory_path):
            object.__setattr__(self, "memory_path", None)
        for name in PATH_FIELDS:
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)).expanduser().absolute())

    # ------------------------------------------------------------ one channel into the notebooks

    def shown_parameters(self) -> dict[str, Any]:
        """The parameters as shared outputs show them (run.json, pages): paths in `shown_path` form."""
        return {name.lower(): shown_path(Path(v)) if name.lower() in PATH_FIELDS and v else v
                for name, v in self.parameters().items()}

    def absolute_paths(self) -> dict[str, str]:
        """The path fields as this machine has them (kept apart in run.json, under `absolute_paths`)."""
        return {name: str(getattr(self, name)) for name in PATH_FIELDS if getattr(self, name) is not None}

    def parameters(self) -> dict[str, Any]:
        """Every field as a papermill parameter (UPPER_CASE name, plain value)."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name.upper()] = "" if value is None else str(value) if isinstance(value, Path) else value
        return values

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, Any]) -> "Config":
        """The Config of a notebook: each field from its parameter when set (not None), else
        from `HELPERS_<NAME>` in the environment, else the default. Relative paths are taken
        from the checkout, so a notebook opened in JupyterLab uses the same folders as `make`."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            name = f.name.upper()
            value = namespace.get(name)
            if value is None:
                value = os.environ.get(f"HELPERS_{name}")
            if value is None:
                continue
            if f.name in ("seeds", "out", "cache_dir", "memory_path") and str(value) and not Path(str(value)).expanduser().is_absolute():
                value = PROJECT_ROOT / str(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """The papermill parameters every notebook takes."""
        return tuple(f.name.upper() for f in fields(cls))

    # ------------------------------------------------------------ derived paths and models

    @property
    def data_dir(self) -> Path:
        """`OUT/data`: the CSV and JSON data contract."""
        return self.out / "data"

    @property
    def html_dir(self) -> Path:
        """`OUT/html`: exported pages."""
        return self.out / "html"

    @property
    def run_json(self) -> Path:
        """`OUT/data/run.json`: provenance of the run."""
        return self.data_dir / "run.json"

    @property
    def memory(self) -> Path:
        """The translation memory database."""
        return self.memory_path or self.cache_dir / "translation-memory.sqlite"

    def spec(self, key: str) -> ModelSpec:
        """The registry entry for a model key, with this run's generation overrides applied."""
        spec = MODEL_REGISTRY[key]
        overrides = parse_overrides(self.generation).get(key)
        return replace(spec, generation=replace(spec.generation, **overrides)) if overrides else spec

    def model_keys(self) -> tuple[str, ...]:
        """Every model a full run uses."""
        return (self.translator, self.summariser_en, self.summariser_vi)
