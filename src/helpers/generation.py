"""Running a model on a batch of texts, on either backend, with the same settings.

transformers: `generate` in fp32 (the reference path). ctranslate2: the same model
converted to int8, beam search in C++ (the fast path). Both take the family's
target-language token and the length budget from `GenerationSettings`.
"""

from __future__ import annotations

from .config import GenerationSettings
from .models import LoadedModel
from .textnorm import clean_space


def length_budget(loaded: LoadedModel, settings: GenerationSettings, longest: int) -> tuple[int, int]:
    """(min, max) new tokens for a batch whose longest input has `longest` tokens."""
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    high = settings.max_new_tokens(longest)
    if positions:
        high = min(high, positions - 2)
    low = min(high, int(longest * settings.min_new_tokens_ratio))
    return low, high


def generate(loaded: LoadedModel, texts: list[str], settings: GenerationSettings) -> list[str]:
    """Decoded outputs of one batch, in order."""
    if loaded.backend == "ctranslate2":
        return _generate_ct2(loaded, texts, settings)
    import torch

    enc = loaded.tokenizer(texts, return_tensors="pt", padding=True)
    low, high = length_budget(loaded, settings, enc["input_ids"].shape[1])
    with torch.inference_mode():
        out = loaded.model.generate(
            **enc, num_beams=settings.num_beams, no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty, max_new_tokens=high, min_new_tokens=low,
            **loaded.generate_kwargs(),
        )
    return [clean_space(t) for t in loaded.tokenizer.batch_decode(out, skip_special_tokens=True)]


def _generate_ct2(loaded: LoadedModel, texts: list[str], settings: GenerationSettings) -> list[str]:
    tok = loaded.tokenizer
    sources = [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]]
    low, high = length_budget(loaded, settings, max(len(s) for s in sources))
    forced = loaded.generate_kwargs().get("forced_bos_token_id")
    prefix = [[tok.convert_ids_to_tokens(forced)]] * len(texts) if forced is not None else None
    results = loaded.engine.translate_batch(
        sources, target_prefix=prefix, beam_size=settings.num_beams, max_batch_size=len(texts),
        no_repeat_ngram_size=settings.no_repeat_ngram_size, repetition_penalty=settings.repetition_penalty,
        max_decoding_length=high + (1 if prefix else 0), min_decoding_length=low + (1 if prefix else 0),
    )
    outputs = []
    for r in results:
        ids = tok.convert_tokens_to_ids(r.hypotheses[0])
        outputs.append(clean_space(tok.decode(ids, skip_special_tokens=True)))
    return outputs
