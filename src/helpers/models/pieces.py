"""A tokenizer's pieces and ids converted through a memo, each distinct id or piece asked of the tokenizer once.

CTranslate2 takes and gives pieces (token strings), the tokenizer ids. transformers converts them one at a time in
Python: about 0.25 µs a piece on the demo tokenizers of every family (1 µs for M2M100's), 0.06 µs through the memo.
A first run at 1,000 reports with demo models converts 8.7 million (the summaries' long sources most). The memo
gives what the tokenizer gives for each (`convert_ids_to_tokens` and `convert_tokens_to_ids` of a list are those of
its items, one by one)."""

from __future__ import annotations

from typing import Any


class Pieces:
    """The pieces of ids and the ids of pieces of one tokenizer, remembered as they are asked."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self._pieces: dict[int, str] = {}
        self._ids: dict[str, int] = {}

    def of_ids(self, ids: list[int]) -> list[str]:
        """`tokenizer.convert_ids_to_tokens(ids)`."""
        known = self._pieces
        for i in set(ids).difference(known):
            known[i] = self._tokenizer.convert_ids_to_tokens(int(i))
        return [known[i] for i in ids]

    def ids_of(self, pieces: list[str]) -> list[int]:
        """`tokenizer.convert_tokens_to_ids(pieces)`."""
        known = self._ids
        for piece in set(pieces).difference(known):
            known[piece] = self._tokenizer.convert_tokens_to_ids(piece)
        return [known[p] for p in pieces]
