"""Quality flags for a translated sentence: what a reader should look at twice.

Each check is a small pure function; `check_sentence` runs them all. Flags are short codes
with a detail after a colon, e.g. `number_changed:450→405`, kept in CSV cells joined by
`FLAG_SEP`; `flags.FLAGS` says what each code means,
once, for every page that shows flags. The checks compare values, not strings (`facts`): a
correct `June 22` for `22/6` or `seven months` for `7 tháng` raises nothing, so a flag means
something. They are tested on correct English (the reference translations in tests/reference)
as well as on planted errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from helpers.checks.coverage import coverage_flags
from helpers.checks.facts import compare
from helpers.checks.flags import flag
from helpers.text.names import missing_names
from helpers.text.normalise import VIETNAMESE_LETTERS

RATIO_LOW, RATIO_HIGH = 0.5, 2.5  # English characters per Vietnamese character
VIETNAMESE_WORDS_MAX = 2
MAX_LOOP_WORDS, LOOP_COPIES = 6, 3  # a phrase of up to 6 words given 3 times in a row
SAME_WORD_RUN = 4  # one word 4 times in a row

@dataclass(frozen=True)
class SentenceCheck:
    """The flags of one translation, and the source texts really missing from it (for the repair note)."""

    flags: tuple[str, ...]
    missing: tuple[str, ...]


def vietnamese_left(english: str) -> list[str]:
    """Words of the output that carry Vietnamese letters (more than a proper name or two)."""
    words = [w for w in english.split() if VIETNAMESE_LETTERS.search(w)]
    return words if len(words) > VIETNAMESE_WORDS_MAX else []


def repeated_ngrams(english: str, most: int | None = None) -> list[str]:
    """Runs of a word or phrase repeated back to back (`the goals, the goals, the goals`): the sign
    of a generation loop. Official prose repeats a name many times over a sentence, never in a row.
    `most`: the first `most` of them only, found without looking at the rest of the text."""
    found: dict[str, None] = {}
    if most is not None and most <= 0:
        return []
    for loop in _loops(english):
        found[loop] = None
        if most is not None and len(found) >= most:
            break
    return list(found)


def loops(english: str) -> bool:
    """Whether the text holds a run `repeated_ngrams` would give, found at the first one (a looping
    output is decoded again: the question is asked of every output, and a loop is seldom its last words)."""
    return next(_loops(english), None) is not None


def _loops(english: str) -> Iterator[str]:
    """Each run of `repeated_ngrams` as it is found (single words first, then phrases of 2, 3 ... words)."""
    words = re.findall(r"\w+", english.casefold())
    for n in range(1, MAX_LOOP_WORDS + 1):
        copies = SAME_WORD_RUN if n == 1 else LOOP_COPIES
        for i in range(len(words) - n * copies + 1):
            if words[i] != words[i + n]:  # not even a second copy begins here (most places)
                continue
            unit = words[i : i + n]
            if all(words[i + k * n : i + (k + 1) * n] == unit for k in range(1, copies)):
                yield " ".join(unit)


def length_ratio(source: str, english: str) -> float:
    """Output characters per source character."""
    return len(english) / max(1, len(source))


def check_sentence(source: str, english: str) -> SentenceCheck:
    """Every quality flag for one sentence's translation (before repair), and what is missing."""
    if not english.strip():
        return SentenceCheck((flag("empty_output"),), ())
    flags, missing = compare(source, english)
    names = missing_names(source, english)
    flags += [flag("name_missing", n) for n in names]
    left = vietnamese_left(english)
    if left:
        flags.append(flag("vietnamese_left", f"{len(left)}_words"))
    flags += [flag("repetition", g) for g in repeated_ngrams(english, most=3)]
    ratio = length_ratio(source, english)
    if not RATIO_LOW <= ratio <= RATIO_HIGH:
        flags.append(flag("length_ratio", f"{ratio:.2f}"))
    if RATIO_LOW <= ratio:  # far too short is said once, by length_ratio
        flags += coverage_flags(source, english)
    return SentenceCheck(tuple(flags), tuple(missing + names))
