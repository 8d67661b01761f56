"""Cutting and batching inputs for a model: token counts straight from the tokenizer, long texts
cut at clause boundaries to fit a limit, and batches of similar lengths within a token budget
(little padding, and a unit's output budget never depends on what it is batched with).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

from helpers.inference.generation import length_bucket
from helpers.models.loaded import LoadedModel


CLAUSE_SEPARATORS = ("; ", ": ", ", ", " - ", " ")


SHARED_COUNT_TEXTS = 128  # a count of at least this many texts per core is shared among the cores
COUNT_SLICE = 64  # texts encoded in one call when counting: their encodings (about 80 bytes a token) are freed as
# counted; a collection's at once was 2.3 GB of a first run's peak at 10,000 reports


def split_to_fit(
    text: str, count: Callable[[str], int], limit: int, separators: Sequence[str] = CLAUSE_SEPARATORS
) -> list[str]:
    """Pieces of text, each within `limit` tokens, whose concatenation is exactly the text.

    Clause boundaries first ('; ', ': ', ', ', ' - '), then words, then token windows.
    """
    if count(text) <= limit:
        return [text]
    for depth, sep in enumerate(separators):
        parts = text.split(sep)
        if len(parts) == 1:
            continue
        parts = [p + sep for p in parts[:-1]] + [parts[-1]]
        packed: list[str] = []
        for part in parts:
            if packed and count(packed[-1] + part) <= limit:
                packed[-1] += part
            else:
                packed.append(part)
        out: list[str] = []
        for piece in packed:
            out += split_to_fit(piece, count, limit, separators[depth + 1 :])
        return out
    return _token_windows(text, count, limit)


def _token_windows(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Last resort for a run with no spaces: the longest prefixes that fit, by characters."""
    pieces = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(text[:lo])
        text = text[lo:]
    return pieces


def length_batches(lengths: Sequence[int], budget: int, tolerance: float = 0.0) -> list[list[int]]:
    """Indices grouped into batches, longest first, each within `budget` padded tokens (counted at
    its bucket's upper length). With `tolerance` > 0 a batch holds one length bucket only
    (`length_bucket`), so every input in it gets the budget of its own length, whatever it is
    batched with: a unit's output never depends on which other units a run had left to translate.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    for i in order:
        if batches:
            head = lengths[batches[-1][0]]
            longest = length_bucket(head, tolerance)
            fits = longest * (len(batches[-1]) + 1) <= budget
            similar = tolerance <= 0 or length_bucket(lengths[i], tolerance) == longest
            if fits and similar:
                batches[-1].append(i)
                continue
        batches.append([i])
    return batches


def count_tokens(texts: list[str], loaded: LoadedModel) -> list[int]:
    """The number of input ids the tokenizer gives each text (special tokens included): straight
    from a fast tokenizer's backend, all texts in one call without offsets, when it is set neither
    to truncate nor to pad (the same ids, about twice as fast as building transformers' encodings);
    else text by text with `token_counter`. A text given more than once is counted once."""
    unique = list(dict.fromkeys(texts))
    if len(unique) < len(texts):
        sizes = dict(zip(unique, count_tokens(unique, loaded)))
        return [sizes[text] for text in texts]
    if not texts:
        return []
    backend = getattr(loaded.tokenizer, "backend_tokenizer", None)
    if backend is not None and backend.truncation is None and backend.padding is None:
        def lengths(share: list[str]) -> list[int]:  # COUNT_SLICE texts a call
            return [len(e.ids) for i in range(0, len(share), COUNT_SLICE)
                    for e in backend.encode_batch_fast(share[i:i + COUNT_SLICE])]

        cores = min(os.cpu_count() or 1, len(texts) // SHARED_COUNT_TEXTS)
        if cores < 2:
            return lengths(texts)
        # The tokenizer releases the GIL while it encodes: a long list is counted on every core, in
        # contiguous shares (make runs it with TOKENIZERS_PARALLELISM=false, so it would use one).
        step = -(-len(texts) // cores)
        with ThreadPoolExecutor(cores, thread_name_prefix="count") as pool:
            return [n for share in pool.map(lengths, [texts[i:i + step] for i in range(0, len(texts), step)])
                    for n in share]
    count = token_counter(loaded)
    return [count(text) for text in texts]


def token_counter(loaded: LoadedModel) -> Callable[[str], int]:
    """The number of input ids the tokenizer gives a text (its pieces and the special tokens it
    adds), counted from the pieces alone: half the cost of building the ids, for every sentence.

    A Python tokenizer (Marian's, M2M100's) first splits a text at its added and special tokens,
    in Python, then cuts each part into pieces; a text holding none of them is one part, so its
    pieces are cut directly (what `tokenize` does with it, without the split that costs most)."""
    from transformers.tokenization_python import PythonBackend

    tokenizer = loaded.tokenizer
    specials = tokenizer.num_special_tokens_to_add(pair=False)
    direct = (isinstance(tokenizer, PythonBackend) and not tokenizer.split_special_tokens
              and type(tokenizer).prepare_for_tokenization is PythonBackend.prepare_for_tokenization)
    if not direct:
        return lambda text: len(tokenizer.tokenize(text)) + specials
    splitting = tuple(dict.fromkeys([*tokenizer.get_added_vocab(), *tokenizer.all_special_tokens]))

    def count(text: str) -> int:
        if not text or any(token in text for token in splitting):
            return len(tokenizer.tokenize(text)) + specials
        return len(tokenizer._tokenize(text)) + specials

    return count
