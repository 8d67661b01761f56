"""Running a model on batches of texts, on either backend, with the same settings.

transformers: `generate` in fp32 (the reference path), one batch after another.
ctranslate2: the same model converted to int8, beam search in C++ (the fast path);
a few batches are kept queued and run side by side, one worker per core. Both take the
family's target-language token (forced first token, or decoder start for mBART-25) and
the model's resolved settings: beams, length penalty, no-repeat size, repetition
penalty, and the length budget.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import asdict
from itertools import islice
from typing import Iterator

from helpers.models.settings import GenerationSettings
from helpers.models.loaded import LoadedModel
from helpers.text.normalise import clean_space

POLL_SECONDS = 0.005  # how often the queue is topped up while the oldest batch runs


def length_bucket(tokens: int, tolerance: float) -> int:
    """The upper edge of the length bucket holding `tokens`: edges grow by 1 / (1 - tolerance)
    (1, 2, ..., 10, 12, 14, 16, 18, 20, 23, 26, ... for 10%), so a bucket holds inputs within
    `tolerance` of one another. With no tolerance, the length itself."""
    if tolerance <= 0:
        return tokens
    edge = 1
    while edge < tokens:
        edge = max(edge + 1, math.ceil(edge / (1 - tolerance)))
    return edge


def length_budget(loaded: LoadedModel, settings: GenerationSettings, longest: int) -> tuple[int, int]:
    """(min, max) new tokens for inputs of up to `longest` tokens: the budget of their length bucket,
    the same for every input of the bucket, whichever batch it is in."""
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    longest = length_bucket(longest, settings.batch_tolerance)
    high = settings.max_new_tokens(longest)
    if positions:
        high = min(high, positions - 2)
    return min(high, settings.min_new_tokens(longest)), high


def generate(loaded: LoadedModel, texts: list[str], settings: GenerationSettings | None = None) -> list[str]:
    """Decoded outputs of one batch, in order (settings left unset are the model's own)."""
    return [text for text, _ in generate_scored(loaded, texts, settings)]


def generate_scored(
    loaded: LoadedModel, texts: list[str], settings: GenerationSettings | None = None
) -> list[tuple[str, float]]:
    """Decoded outputs of one batch with the model's own score of each: the mean log-probability
    per output token (CTranslate2's hypothesis score; on transformers, one teacher-forced pass)."""
    settings = loaded.settings if settings is None else settings.resolved(asdict(loaded.settings))
    if loaded.backend == "ctranslate2":
        return _decode_ct2(loaded, _submit_ct2(loaded, texts, settings, asynchronous=False))
    import torch

    enc = loaded.tokenizer(texts, return_tensors="pt", padding=True)
    low, high = length_budget(loaded, settings, enc["input_ids"].shape[1])
    with torch.inference_mode():  # min_length=0: the model's own minimum is in `low` (so an override wins)
        out = loaded.model.generate(
            **enc, num_beams=settings.num_beams, no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty, length_penalty=settings.length_penalty,
            max_new_tokens=high, min_new_tokens=low, min_length=0, do_sample=False, **loaded.generate_kwargs(),
        )
        scores = _sequence_scores(loaded, enc, out)
    decoded = [clean_space(t) for t in loaded.tokenizer.batch_decode(out, skip_special_tokens=True)]
    return list(zip(decoded, scores))


def _sequence_scores(loaded: LoadedModel, enc, sequences) -> list[float]:
    """Mean log-probability per generated token of each output sequence, under the model."""
    import torch

    pad = loaded.model.config.pad_token_id
    decoder_input, target = sequences[:, :-1], sequences[:, 1:]
    logits = loaded.model(**enc, decoder_input_ids=decoder_input).logits
    chosen = torch.log_softmax(logits.float(), dim=-1).gather(-1, target.unsqueeze(-1)).squeeze(-1)
    mask = (target != pad).float() if pad is not None else torch.ones_like(chosen)
    return [round(float(v), 4) for v in (chosen * mask).sum(-1) / mask.sum(-1).clamp(min=1)]


def generate_batches(
    loaded: LoadedModel, batches: list[list[str]], settings: GenerationSettings | None = None, scored: bool = False
) -> Iterator[list]:
    """Decoded outputs of each batch, yielded in order as soon as that batch is done (with
    `scored`, (output, score) pairs, as `generate_scored` gives them).

    On ctranslate2 two batches per worker are kept unfinished in the engine's queue, so
    its workers (one per core) never wait for the caller, nor for a long batch ahead of
    them; a caller that stops early leaves at most those few batches running.
    """
    settings = loaded.settings if settings is None else settings.resolved(asdict(loaded.settings))
    if loaded.backend != "ctranslate2":
        for texts in batches:
            pairs = generate_scored(loaded, texts, settings)
            yield pairs if scored else [t for t, _ in pairs]
        return
    ahead = 2 * loaded.ct2.num_translators
    waiting = iter(batches)
    pending: deque = deque()

    def top_up() -> None:
        unfinished = sum(not handles[-1].done() for handles in pending)
        for texts in islice(waiting, max(0, ahead - unfinished)):
            pending.append(_submit_ct2(loaded, texts, settings, asynchronous=True))

    top_up()
    while pending:
        pause = POLL_SECONDS / 16  # short batches (small models) are waited for briefly, long ones at ease
        while not all(h.done() for h in pending[0]):
            top_up()
            time.sleep(pause)
            pause = min(2 * pause, POLL_SECONDS)
        pairs = _decode_ct2(loaded, [h.result() for h in pending.popleft()])
        top_up()
        yield pairs if scored else [t for t, _ in pairs]


def _submit_ct2(loaded: LoadedModel, texts: list[str], settings: GenerationSettings, asynchronous: bool) -> list:
    """One `translate_batch` call: results, or handles to them when `asynchronous`."""
    tok = loaded.tokenizer
    sources = [loaded.pieces.of_ids(ids) for ids in tok(texts)["input_ids"]]
    low, high = length_budget(loaded, settings, max(len(s) for s in sources))
    start = loaded.family.ct2_prefix(loaded.spec)
    prefix = [start] * len(texts) if start else None
    return loaded.ct2.translate_batch(
        sources, target_prefix=prefix, beam_size=settings.num_beams, max_batch_size=len(texts),
        no_repeat_ngram_size=settings.no_repeat_ngram_size, repetition_penalty=settings.repetition_penalty,
        length_penalty=settings.length_penalty, max_decoding_length=high + (1 if prefix else 0),
        min_decoding_length=low + (1 if prefix else 0), use_vmap=loaded.vmap, asynchronous=asynchronous,
        return_scores=True,
    )


def _decode_ct2(loaded: LoadedModel, results: list) -> list[tuple[str, float]]:
    """Each result's best hypothesis, decoded, with its score per token (the cumulated
    log-probability CTranslate2 returns, over the hypothesis and its end token)."""
    tok, pieces = loaded.tokenizer, loaded.pieces
    return [(clean_space(tok.decode(pieces.ids_of(r.hypotheses[0]), skip_special_tokens=True)),
             round(r.scores[0] / (len(r.hypotheses[0]) + 1), 4)) for r in results]
