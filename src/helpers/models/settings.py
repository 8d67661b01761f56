"""How a model decodes and how its inputs are batched: `GenerationSettings`, resolved in one
place (the model's own values for what a run leaves unset, as transformers' pipelines resolve
theirs in `_sanitize_parameters`), and the guard of a second decoding for an output that loops.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

# The settings a model's own files may set (generation_config.json, else config.json), as
# transformers names them. None in `GenerationSettings` means: what the model says.
MODEL_DECODING = ("num_beams", "length_penalty", "no_repeat_ngram_size", "repetition_penalty", "max_length",
                  "min_length")
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
        filled: dict[str, Any] = {}
        for name in MODEL_DECODING:
            if getattr(self, name) is None:
                value = model_values.get(name)
                filled[name] = LIBRARY_DEFAULTS[name] if value is None else value
        return replace(self, **filled)

    def guarded(self) -> "GenerationSettings":
        """The settings of a second decoding for an output that loops."""
        return replace(self,
                       no_repeat_ngram_size=int(max(self.no_repeat_ngram_size or 0, GUARD["no_repeat_ngram_size"])),
                       repetition_penalty=max(self.repetition_penalty or 1.0, GUARD["repetition_penalty"]))

    def max_new_tokens(self, input_tokens: int) -> int:
        """Output budget for an input of this many tokens (never past the model's max_length)."""
        cap = int(max(1, (self.max_length or LIBRARY_DEFAULTS["max_length"]) - 1))
        if self.max_new_tokens_ratio <= 0:
            return cap
        return min(cap, int(input_tokens * self.max_new_tokens_ratio) + self.max_new_tokens_extra)

    def min_new_tokens(self, input_tokens: int) -> int:
        """Least output tokens: forced by the ratio (benchmark), else the model's min_length."""
        forced = int(input_tokens * self.min_new_tokens_ratio)
        return min(self.max_new_tokens(input_tokens), max(forced, max(0, (self.min_length or 0) - 1)))


OVERRIDABLE = tuple(f.name for f in fields(GenerationSettings))

# What each setting may be: its kind (a whole number, a number, true/false) and range. A value
# outside it cannot give a translation (num_beams=2.5 stops CTranslate2, max_length=-5 gives one
# character, piece_tokens=0 a thousand pieces), so `check` refuses it, naming the setting.
LIMITS: dict[str, tuple[str, float, float]] = {
    "num_beams": ("whole", 1, 64),
    "length_penalty": ("number", -10, 10),
    "no_repeat_ngram_size": ("whole", 0, 64),
    "repetition_penalty": ("number", 0.1, 10),
    "max_length": ("whole", 16, 65536),
    "min_length": ("whole", 0, 65536),
    "max_new_tokens_ratio": ("number", 0, 16),
    "max_new_tokens_extra": ("whole", 0, 4096),
    "min_new_tokens_ratio": ("number", 0, 16),
    "batch_tokens": ("whole", 16, 1 << 20),
    "batch_tolerance": ("number", 0, 0.9),
    "piece_tokens": ("whole", 16, 65536),
    "redecode": ("bool", 0, 1),
}


def allowed(name: str) -> str:
    """What a setting may be, as a message says it ('a whole number from 1 to 64')."""
    kind, low, high = LIMITS[name]
    if kind == "bool":
        return "true or false"
    return f"{'a whole number' if kind == 'whole' else 'a number'} from {low:g} to {high:g}"


def check(name: str, value: Any) -> Any:
    """`value` as setting `name` takes it (2.0 → 2 for a whole number, 1 → True for true/false), or a
    ValueError naming the setting and what it may be."""
    kind, low, high = LIMITS[name]
    if kind == "bool":
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise ValueError(f"{name} must be {allowed(name)}, not {value!r}")
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be {allowed(name)}, not {value!r}")
    if kind == "whole":
        if number != int(number):
            raise ValueError(f"{name} must be {allowed(name)}, not {value!r}")
        number = int(number)
    if not low <= number <= high:
        raise ValueError(f"{name} must be {allowed(name)}, not {value!r}")
    return number
