"""A loaded model: tokenizer, weights, resolved settings and where they came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from helpers.errors import EnvironmentProblem
from helpers.models.settings import GenerationSettings
from helpers.models.registry import ModelSpec
from helpers.models.families import Family, family_of
from helpers.models.pieces import Pieces


class ModelError(EnvironmentProblem):
    """A model could not be used; the message says what was found, what is wrong and what to do."""


class ModelUnavailable(ModelError):
    """A real model is not here (neither in the cache nor in a local folder)."""


class ModelBroken(ModelError):
    """A model is here but cannot be loaded (a missing, truncated or unreadable file)."""


@dataclass(frozen=True)
class WeightsReleased:
    """In place of the fp32 model when the model runs on CTranslate2: its configs, no weights."""

    config: Any
    generation_config: Any = None


@dataclass(eq=False)
class LoadedModel:
    """A tokenizer and model ready for `generate`, with the settings it decodes with and its origin."""

    spec: ModelSpec
    tokenizer: Any
    model: Any
    demo: bool
    revision: str
    location: str  # the folder the files were read from
    settings: GenerationSettings  # the spec's settings resolved with the model's own defaults
    origin: str = ""  # "hub cache", "local folder", "download", "stand-in"
    weights: dict[str, Any] = field(default_factory=dict)  # file, sha256, bytes, served_from
    backend: str = "transformers"  # or "ctranslate2" (int8), see `ct2`
    ct2: Any = None  # the ctranslate2.Translator (made at first use) when backend is ctranslate2
    vmap: bool = False  # ctranslate2 scores only the target-language pieces
    ct2_note: str = ""  # why CTranslate2 was not used, when it was asked for and could not be

    @property
    def family(self) -> Family:
        """The family adapter of this model."""
        return family_of(self.spec)

    @cached_property
    def pieces(self) -> Pieces:
        """Its tokenizer's pieces and ids, converted through a memo (CTranslate2 takes and gives pieces)."""
        return Pieces(self.tokenizer)

    def provenance(self) -> dict[str, Any]:
        """What run.json and the reports say about this model."""
        found = {
            "key": self.spec.key,
            "source": self.spec.source,
            "family": self.spec.family,
            "demo": self.demo,
            "revision": self.revision,
            "origin": self.origin,
            "location": self.location,
            "weights": dict(self.weights),
            "backend": self.backend,
            "output_vocabulary": "target pieces" if self.vmap else "full",
            "max_input_tokens": self.input_limit,
            "languages": {"source": self.spec.src_lang, "target": self.spec.tgt_lang,
                          "target_token": self.family.target_token(self.spec), "target_by": self.family.target},
            "generation": asdict(self.settings),
        }
        if self.ct2_note:
            found["ctranslate2_not_used"] = self.ct2_note
        return found

    @property
    def input_limit(self) -> int:
        """Most input tokens the model takes (the spec's limit, capped by its positions)."""
        positions = getattr(self.model.config, "max_position_embeddings", None) or self.spec.max_input_tokens
        return min(self.spec.max_input_tokens, positions)

    def generate_kwargs(self) -> dict[str, Any]:
        """Family-specific arguments for `generate` (the target-language token)."""
        return self.family.generate_kwargs(self.tokenizer, self.spec)


def model_label(provenance: dict) -> str:
    """'hub-id@revision', marked '(demo)' for demo models: the `model` column of the outputs."""
    return f"{provenance['source']}@{provenance['revision']}" + (" (demo)" if provenance["demo"] else "")
