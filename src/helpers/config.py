"""The one typed configuration of a run: paths, model choices, generation settings.

Notebooks, the CLI and tests all build a `Config`; no stage reads settings from
anywhere else. Model entries live in `MODEL_REGISTRY`, keyed by a short name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

MODEL_MODES = ("auto", "real", "demo")
CACHE_ENV = "HELPERS_CACHE"


@dataclass(frozen=True)
class GenerationSettings:
    """How `generate` is called: beam search with a repetition guard and a length budget."""

    num_beams: int = 4
    no_repeat_ngram_size: int = 4
    repetition_penalty: float = 1.1
    max_new_tokens_ratio: float = 1.6  # output budget relative to the input's tokens
    max_new_tokens_extra: int = 16
    min_new_tokens_ratio: float = 0.0  # > 0 forces outputs this long (the benchmark's fixed compute)
    batch_tokens: int = 1024  # padded input tokens per batch (a memory bound)
    batch_tolerance: float = 0.1  # a batch holds inputs within 10% of its longest (little padding)
    piece_tokens: int = 128  # longer sentences are translated clause by clause (Bergamot's max-length-break)

    def max_new_tokens(self, input_tokens: int) -> int:
        """Output budget for an input of this many tokens."""
        return int(input_tokens * self.max_new_tokens_ratio) + self.max_new_tokens_extra


@dataclass(frozen=True)
class ModelSpec:
    """One pretrained model: where it comes from, its family and language codes, its limits."""

    key: str
    source: str  # a hub id or a local folder
    family: str  # marian | nllb | m2m100 | mbart50 | bart | mt5
    task: str  # translate | summarise
    src_lang: str | None = None
    tgt_lang: str | None = None
    max_input_tokens: int = 512
    revision: str | None = None
    generation: GenerationSettings = field(default_factory=GenerationSettings)


_SUMMARY_GENERATION = GenerationSettings(num_beams=4, no_repeat_ngram_size=3, max_new_tokens_ratio=0.0, max_new_tokens_extra=120)

MODEL_REGISTRY: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec("opus-mt", "Helsinki-NLP/opus-mt-vi-en", "marian", "translate", max_input_tokens=512),
        ModelSpec(
            "nllb", "facebook/nllb-200-distilled-600M", "nllb", "translate", "vie_Latn", "eng_Latn", max_input_tokens=512
        ),
        ModelSpec("m2m100", "facebook/m2m100_418M", "m2m100", "translate", "vi", "en", max_input_tokens=512),
        ModelSpec(
            "vinai", "vinai/vinai-translate-vi2en-v2", "mbart50", "translate", "vi_VN", "en_XX", max_input_tokens=512
        ),
        ModelSpec(
            "distilbart", "sshleifer/distilbart-cnn-12-6", "bart", "summarise", max_input_tokens=1024,
            generation=_SUMMARY_GENERATION,
        ),
        ModelSpec(
            "mt5-xlsum", "csebuetnlp/mT5_multilingual_XLSum", "mt5", "summarise", max_input_tokens=512,
            generation=_SUMMARY_GENERATION,
        ),
    )
}
TRANSLATORS = tuple(k for k, s in MODEL_REGISTRY.items() if s.task == "translate")


def default_cache_dir() -> Path:
    """Where demo models and the translation memory live: $HELPERS_CACHE or ~/.cache/vi2en-helpers."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "vi2en-helpers"


@dataclass(frozen=True)
class Config:
    """Everything a run depends on. Paths are made absolute when the config is built."""

    seeds: Path = Path("seeds")
    out: Path = Path("build")
    models: str = "auto"
    translator: str = "opus-mt"
    summariser_en: str = "distilbart"
    summariser_vi: str = "mt5-xlsum"
    cache_dir: Path = field(default_factory=default_cache_dir)
    memory_path: Path | None = None
    backend: str = "ctranslate2"  # or "transformers" (fp32 reference path)
    summary_max_sentences: int = 3
    summary_max_words: int = 80

    def __post_init__(self) -> None:
        if self.models not in MODEL_MODES:
            raise ValueError(f"MODELS must be one of {', '.join(MODEL_MODES)}, not {self.models!r}")
        if self.translator not in TRANSLATORS:
            raise ValueError(f"translator must be one of {', '.join(TRANSLATORS)}, not {self.translator!r}")
        for name in ("seeds", "out", "cache_dir", "memory_path"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)).expanduser().absolute())

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
        """The registry entry for a model key."""
        return MODEL_REGISTRY[key]

    def model_keys(self) -> tuple[str, ...]:
        """Every model a full run uses."""
        return (self.translator, self.summariser_en, self.summariser_vi)

