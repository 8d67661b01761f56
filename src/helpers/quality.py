"""Quality flags for a translated sentence: what a reader should look at twice.

Each check is a small pure function; `check_sentence` runs them all. Flags are short codes
with a detail after a colon, e.g. `number_changed:450→405`, kept in CSV cells joined by
`FLAG_SEP`; `LEGEND` says what each code means,
once, for every page that shows flags. The checks compare values, not strings (`facts`): a
correct `June 22` for `22/6` or `seven months` for `7 tháng` raises nothing, so a flag means
something. They are tested on correct English (the reference translations in tests/reference)
as well as on planted errors.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .coverage import coverage_flags
from .facts import compare
from .names import missing_names
from .textnorm import VIETNAMESE_LETTERS

RATIO_LOW, RATIO_HIGH = 0.5, 2.5  # English characters per Vietnamese character
VIETNAMESE_WORDS_MAX = 2
MAX_LOOP_WORDS, LOOP_COPIES = 6, 3  # a phrase of up to 6 words given 3 times in a row
SAME_WORD_RUN = 4  # one word 4 times in a row

LEGEND: dict[str, str] = {
    "number_missing": "a number of the source is not in the English (in digits or words)",
    "number_changed": "a number of the source appears with another value in the English (source→English)",
    "number_added": "the English has a number in digits that the source does not have",
    "date_missing": "a date of the source (ISO; --MM-DD when the source gives no year) is not in the English",
    "date_changed": "a date of the source appears as another date in the English (source→English)",
    "date_added": "the English has a date that the source does not have",
    "code_missing": "a document code (such as 12-NQ/TW) is not in the English exactly",
    "url_missing": "a web address of the source is not in the English exactly",
    "name_missing": "a person's or place's name of the source is not in the English (diacritics aside)",
    "term_missing": "a glossary term's English rendering (or an accepted variant) is not in the English",
    "repaired": "something of the source was missing or changed; the English ends with a note "
                "[kept from the source: ...] giving it as the source wrote it",
    "clause_missing": "a clause of the source (K of N, split at semicolons) has nothing of its length in the English",
    "coverage_low": "the English is much shorter than the source: content may have been dropped",
    "length_ratio": "the English is far shorter or longer than a translation should be",
    "vietnamese_left": "words of the output are still in Vietnamese",
    "repetition": "the output repeats itself, a sign of a generation loop",
    "redecoded": "the first output looped; this one was decoded again with a repetition guard",
    "empty_output": "the model returned nothing",
    "low_confidence": "among the sentences the model itself scored lowest in this run",
    "normalised": "a known misspelling of the source was corrected before translation",
    "split": "the sentence was too long for one pass and was translated in pieces",
    "not_vietnamese": "the text is not Vietnamese and was passed through untranslated",
    "map_reduce": "the report was summarised in chunks, then the chunk summaries were summarised",
    "unsupported_number": "the summary has a number that the report does not have",
    "unsupported_date": "the summary has a date that the report does not have",
    "unsupported_code": "the summary has a document code that the report does not have",
    "unsupported_url": "the summary has a web address that the report does not have",
    "unsupported_name": "the summary has a name that the report does not have",
}


@dataclass(frozen=True)
class SentenceCheck:
    """The flags of one translation, and the source texts really missing from it (for the repair note)."""

    flags: tuple[str, ...]
    missing: tuple[str, ...]


FLAG_SEP = " | "  # between flags in a CSV cell: details hold spaces (term_missing:Bộ Chính trị), never this


def join_flags(flags: list[str] | tuple[str, ...]) -> str:
    """Flags as one CSV cell."""
    return FLAG_SEP.join(flags)


def split_flags(cell: str) -> list[str]:
    """The flags of a CSV cell, each with its detail."""
    return [f for f in str(cell or "").split(FLAG_SEP) if f]


def flag_code(flag: str) -> str:
    """The code of a flag, without its detail ('number_changed:450→405' → 'number_changed')."""
    return flag.split(":", 1)[0]


def vietnamese_left(english: str) -> list[str]:
    """Words of the output that carry Vietnamese letters (more than a proper name or two)."""
    words = [w for w in english.split() if VIETNAMESE_LETTERS.search(w)]
    return words if len(words) > VIETNAMESE_WORDS_MAX else []


def repeated_ngrams(english: str) -> list[str]:
    """Runs of a word or phrase repeated back to back (`the goals, the goals, the goals`): the sign
    of a generation loop. Official prose repeats a name many times over a sentence, never in a row."""
    words = re.findall(r"\w+", english.casefold())
    loops: list[str] = []
    for n in range(1, MAX_LOOP_WORDS + 1):
        copies = SAME_WORD_RUN if n == 1 else LOOP_COPIES
        for i in range(len(words) - n * copies + 1):
            if words[i] != words[i + n]:  # not even a second copy begins here (most places)
                continue
            unit = words[i : i + n]
            if all(words[i + k * n : i + (k + 1) * n] == unit for k in range(1, copies)):
                loops.append(" ".join(unit))
    return list(dict.fromkeys(loops))


def length_ratio(source: str, english: str) -> float:
    """Output characters per source character."""
    return len(english) / max(1, len(source))


def check_sentence(source: str, english: str) -> SentenceCheck:
    """Every quality flag for one sentence's translation (before repair), and what is missing."""
    if not english.strip():
        return SentenceCheck(("empty_output",), ())
    flags, missing = compare(source, english)
    names = missing_names(source, english)
    flags += [f"name_missing:{n}" for n in names]
    left = vietnamese_left(english)
    if left:
        flags.append(f"vietnamese_left:{len(left)}_words")
    flags += [f"repetition:{g}" for g in repeated_ngrams(english)[:3]]
    ratio = length_ratio(source, english)
    if not RATIO_LOW <= ratio <= RATIO_HIGH:
        flags.append(f"length_ratio:{ratio:.2f}")
    if RATIO_LOW <= ratio:  # far too short is said once, by length_ratio
        flags += coverage_flags(source, english)
    return SentenceCheck(tuple(flags), tuple(missing + names))
