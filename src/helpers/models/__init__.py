"""Models: the family registry, real loading, CTranslate2 conversion, stand-ins and the hub.

- `families`: one adapter per model family (tokenizer, language codes, decoder start,
  CTranslate2, stand-in recipe): adding a family touches that registry only.
- `locate`: where a real model's files are (local folder or Hugging Face cache).
- `loading`: the one way to load a model (real, demo or auto), safetensors copies of
  `pytorch_model.bin`, generation defaults read from the model.
- `convert`: CTranslate2 int8 conversion, checked against the tokenizer.
- `standins`: random-weight models in the real repos' layouts (demo models, test fixtures).
- `hub`: fetching, checking and packing the models for offline machines.
"""

from .families import FAMILIES, Family, family_of
from .loaded import LoadedModel, ModelBroken, ModelError, ModelUnavailable
from .loading import load_demo, load_model, load_real, release
from .locate import locate
from .standins import DISTILBART_SHAPE, MT5_BASE_SHAPE, OPUS_MT_SHAPE, TINY, Shape, build_standin, place_in_hub_cache

__all__ = [
    "FAMILIES", "Family", "family_of", "LoadedModel", "ModelBroken", "ModelError", "ModelUnavailable",
    "locate", "load_demo", "load_model", "load_real", "release", "DISTILBART_SHAPE", "MT5_BASE_SHAPE", "OPUS_MT_SHAPE", "TINY", "Shape", "build_standin",
    "place_in_hub_cache",
]
