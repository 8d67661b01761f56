"""Text folded for search, as people type Vietnamese: lower case, without diacritics, đ as d
("Đà Nẵng" -> "da nang"). The pages' search script (`templates/js/search.js`, `fold`) folds a
query in the same three steps, so what Python indexes and what JavaScript looks up agree.
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """`text` lower-cased, decomposed (NFD) with its combining marks removed, and đ as d; every
    character keeps its place (one folded character per Vietnamese letter)."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower())).replace("đ", "d")
