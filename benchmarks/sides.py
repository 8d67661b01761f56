"""The sides `whole_job.py` measures besides the project, each on the same texts with the same
forced output length per text (`lengths`), beam 4, decoding settings pinned alike:

- naive: transformers fp32, one text at a time, in corpus order;
- easynmt: transformers fp32 as EasyNMT's `translate_sentences` calls it: texts sorted by length
  (characters, longest first), batches of 16, padded, one `generate` per batch;
- argos: CTranslate2 int8 as argos-translate's `apply_packaged_translation` calls it: a
  `Translator` with its defaults (one replica, its default threads), `translate_batch` on the texts
  in their order with `max_batch_size=32` (CTranslate2 itself sorts them by length and cuts
  batches of 32).
- ct2-expert: CTranslate2 int8 as an expert would tune it for this machine (2 cores): one
  one-thread translator per core (`inter_threads` = cores, `intra_threads=1`, `compute_type="int8"`),
  token-based batches (`batch_type="tokens"`, at most `EXPERT_TOKENS` source tokens a batch; within
  a call CTranslate2 sorts the texts by length and cuts the batches), every call asynchronous and
  all of them sent before any result is read, longest forced lengths first, so both translators
  stay busy from one length to the next. Not used: `translate_iterable` (one decoding length per
  call, so one call per length, one after another: a length with one batch leaves the other
  translator idle); the project's vocabulary map (`use_vmap`: a file the project writes at
  conversion, not part of CTranslate2's own conversion, and it changes outputs); the project's
  glibc setting (`mallopt`). The settings tried: docs/performance.md.

How each text's length is pinned: transformers takes one `max_new_tokens` per call, so a logits
processor pins each row (its end token forbidden before its last step, forced at it); the batch
still runs to its longest row, as it does for real outputs. CTranslate2 takes one
`min/max_decoding_length` per call, so both CTranslate2 sides make one call per forced length, the texts
of that length in their order (for the summaries, whose length is one number, a single call).
Every side's outputs are counted, and must hold exactly their pinned number of tokens.
"""

from __future__ import annotations

import time
from itertools import groupby
from typing import Any

SETTINGS = dict(num_beams=4, no_repeat_ngram_size=0, repetition_penalty=1.0, length_penalty=1.0, min_length=0,
                do_sample=False)  # the bench models' settings (the project's are the same, from their specs)


def pin_processor(lengths: list[int], beams: int, eos: int) -> Any:
    """A transformers logits processor giving row i exactly lengths[i // beams] new tokens."""
    import torch
    from transformers import LogitsProcessor

    class Pin(LogitsProcessor):
        def __init__(self) -> None:
            self.lengths = torch.tensor(lengths).repeat_interleave(beams)
            self.start: int | None = None

        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            if self.start is None:
                self.start = input_ids.shape[1]  # the decoder's start tokens
            made = input_ids.shape[1] - self.start  # the next token is new token made + 1
            scores[self.lengths > made + 1, eos] = -float("inf")
            due = self.lengths == made + 1
            if due.any():
                scores[due] = -float("inf")
                scores[due, eos] = 0.0
            return scores

    return Pin()


def transformers_side(loaded: Any, texts: list[str], lengths: list[int], batch: int, by_length: bool) -> dict:
    """Generate every text (fp32) in batches of `batch`, sorted longest first when `by_length`."""
    import torch
    from transformers import LogitsProcessorList

    order = sorted(range(len(texts)), key=lambda i: -len(texts[i])) if by_length else list(range(len(texts)))
    tok, eos = loaded.tokenizer, loaded.model.config.eos_token_id
    made, started = [], time.perf_counter()
    for at in range(0, len(order), batch):
        part = order[at:at + batch]
        enc = tok([texts[i] for i in part], return_tensors="pt", padding=True, truncation=True,
                  max_length=loaded.input_limit)
        pinned = [lengths[i] for i in part]
        with torch.inference_mode():
            out = loaded.model.generate(**enc, **SETTINGS, max_new_tokens=max(pinned), **loaded.generate_kwargs(),
                                        logits_processor=LogitsProcessorList([pin_processor(pinned, 4, eos)]))
        tok.batch_decode(out, skip_special_tokens=True)
        made += [_generated(row, out.shape[1] - max(pinned), eos) for row in out.tolist()]
    seconds = time.perf_counter() - started
    _check(made, [lengths[i] for i in order])
    return {"seconds": round(seconds, 2), "tokens": sum(made), "texts": len(texts)}


def _generated(row: list[int], start: int, eos: int) -> int:
    """New tokens of an output row, its end token included (a decoding step like any other)."""
    new = row[start:]
    return new.index(eos) + 1 if eos in new else len(new)


def argos_side(loaded: Any, folder: str, texts: list[str], lengths: list[int]) -> dict:
    """CTranslate2 with its defaults on the texts in their order, max_batch_size 32, one call per
    forced length (the translator is made before the clock starts, as the project's is)."""
    import ctranslate2

    translator = ctranslate2.Translator(folder, device="cpu")
    tok = loaded.tokenizer
    start = loaded.family.ct2_prefix(loaded.spec)
    made, wanted, started = [], [], time.perf_counter()
    sources = [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]]
    ordered = sorted(range(len(texts)), key=lambda i: (lengths[i], i))  # group by length, texts in their order
    for length, group in groupby(ordered, key=lambda i: lengths[i]):
        part = list(group)
        extra = 1 if start else 0
        results = translator.translate_batch(
            [sources[i] for i in part], target_prefix=[start] * len(part) if start else None, beam_size=4,
            max_batch_size=32, max_decoding_length=length + extra, min_decoding_length=length + extra)
        for r in results:
            tok.decode(tok.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
            made.append(len(r.hypotheses[0]) - extra)
        wanted += [length] * len(part)
    seconds = time.perf_counter() - started
    _check(made, wanted)
    return {"seconds": round(seconds, 2), "tokens": sum(made), "texts": len(texts)}


# The expert side's batches: at most this many source tokens (the sizes tried: docs/performance.md)
EXPERT_TOKENS = 4096
EXPERT_THREADS = 0  # translators side by side, one thread each (0: one per core)


def expert_side(loaded: Any, folder: str, texts: list[str], lengths: list[int], tokens: int = EXPERT_TOKENS,
                threads: int = EXPERT_THREADS, vmap: bool = False) -> dict:
    """CTranslate2 int8 tuned for this machine: one one-thread translator per core, every forced
    length's texts sent at once as an asynchronous `translate_batch` cut into batches of at most
    `tokens` source tokens (CTranslate2 sorts them by length and cuts them), longest lengths first,
    so both translators stay busy across lengths; the results collected when all are sent."""
    import os

    import ctranslate2

    translator = ctranslate2.Translator(folder, device="cpu", compute_type="int8",
                                        inter_threads=threads or os.cpu_count() or 1, intra_threads=1)
    tok = loaded.tokenizer
    start = loaded.family.ct2_prefix(loaded.spec)
    extra = 1 if start else 0
    started = time.perf_counter()
    sources = [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]]
    ordered = sorted(range(len(texts)), key=lambda i: (-lengths[i], -len(sources[i]), i))  # longest first
    sent = []
    for length, group in groupby(ordered, key=lambda i: lengths[i]):
        part = list(group)
        sent.append((length, translator.translate_batch(
            [sources[i] for i in part], target_prefix=[start] * len(part) if start else None, beam_size=4,
            max_batch_size=tokens, batch_type="tokens", asynchronous=True, use_vmap=vmap,
            max_decoding_length=length + extra, min_decoding_length=length + extra)))
    made, wanted = [], []
    for length, handles in sent:
        for handle in handles:
            hypothesis = handle.result().hypotheses[0]
            tok.decode(tok.convert_tokens_to_ids(hypothesis), skip_special_tokens=True)
            made.append(len(hypothesis) - extra)
        wanted += [length] * len(handles)
    seconds = time.perf_counter() - started
    _check(made, wanted)
    return {"seconds": round(seconds, 2), "tokens": sum(made), "texts": len(texts)}


def _check(made: list[int], wanted: list[int]) -> None:
    """Every output holds its pinned number of tokens (else the sides would not do the same work)."""
    wrong = sum(m != w for m, w in zip(made, wanted))
    if wrong or len(made) != len(wanted):
        raise SystemExit(f"{wrong} of {len(wanted)} outputs missed their forced length")
