"""Countries and world regions by their Vietnamese names, with their English names: the Unicode CLDR's
territory names (through Babel, which ships them), so `Đức`, `Nga`, `Na Uy`, `châu Âu` are places and the
entity index shows them as `Germany`, `Russia`, `Norway`, `Europe`.

A short name is often a word of its own (`Pháp luật`, law; `Đức tính`, virtue) or a person's given name
(`Nguyễn Minh Đức`, `bà Nga`): a country is found only where it is a word of its own in the model's
segmentation (without the model: a name of more than SHORT letters, not beside another capitalised
word), and not after a personal title (`bà`, `ông`).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from helpers.entities.model import Span, Token

# CLDR territories that are no place a report names as such: the world, unknown or grouping codes,
# bodies (`EU`: Liên minh châu Âu is an organisation; `UN`; `EZ`, the euro area), and CLDR's pseudo-locales.
_NOT_PLACES = frozenset({"001", "ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
# The names Vietnamese news gives where CLDR's is another (`Hoa Kỳ`, the United States, is `Mỹ` in most
# reports). `Anh` (the United Kingdom) is left out: it is also the pronoun and a common given name.
_NEWS_NAMES = {"Mỹ": "US", "Miến Điện": "MM"}
# Without the model's words, a name this short (`Nga`, `Pháp`) is not taken: it may be a syllable of a word.
SHORT = 4
MAX_WORDS = 4  # the model's words a name may take (`Côte d’Ivoire`, `St. Kitts và Nevis`)
# Personal titles after which a short country name is a person's name (`bà Nga`, `anh Đức`).
HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "em", "chú", "bác", "cụ", "cháu", "bé", "đồng chí"})


@lru_cache(maxsize=1)
def world_names() -> dict[str, str]:
    """Each Vietnamese name of a country or world region with its English name, from CLDR's territory
    names in Vietnamese and English (a name's note in brackets left out: `Myanmar (Miến Điện)`)."""
    from babel import Locale

    vi, en = Locale("vi").territories, Locale("en").territories
    names: dict[str, str] = {}
    for code, name in sorted(vi.items()):
        if code in _NOT_PLACES or code not in en or "," in name:
            continue
        names.setdefault(_unbracketed(name), _unbracketed(en[code]))
    for name, code in _NEWS_NAMES.items():
        names.setdefault(name, _unbracketed(en[code]))
    return names


def _unbracketed(name: str) -> str:
    """A name without the note in brackets after it (`Myanmar (Burma)` → `Myanmar`)."""
    return re.sub(r"\s*\(.*\)$", "", name)


def world_digest() -> str:
    """What the names found depend on (the CLDR data Babel ships), for the memory of found mentions."""
    return hashlib.sha256(json.dumps(sorted(world_names().items()), ensure_ascii=False).encode()).hexdigest()


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """The first word of every name, as a sentence may write it (`Châu` and `châu`)."""
    firsts = {name.split(" ", 1)[0] for name in world_names()}
    return frozenset(firsts | {f.lower() for f in firsts if f == "Châu"})


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    """Every name, longest first, as a whole word; a region's `Châu` may be written `châu`."""
    forms = sorted(world_names(), key=len, reverse=True)
    alternatives = "|".join(("[Cc]" + re.escape(f[1:]) if f.startswith("Châu ") else re.escape(f)) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def country_spans(text: str, words: tuple[Token, ...] = ()) -> list[Span]:
    """The countries and world regions a sentence names (see the module's docstring): with the model's
    words, looked up a run of up to MAX_WORDS of them at a time (a sentence costs a few dictionary
    lookups, not a pattern of every name tried at every place); without, found by the pattern."""
    if words:
        names, firsts = world_names(), _first_words()
        found = []
        for i, w in enumerate(words):
            if w.word.split(" ", 1)[0] not in firsts:
                continue
            for j in range(i, min(i + MAX_WORDS, len(words))):
                name = text[w.start:words[j].end]
                if name in names or name[:1].upper() + name[1:] in names:
                    found.append((w.start, words[j].end))
    else:
        found = [m.span() for m in _pattern().finditer(text) if len(m.group()) > SHORT
                 and not (text[m.end():].lstrip()[:1].isupper() or _after_capital(text[:m.start()]))]
    spans = []
    for start, end in found:
        before = text[:start].split()
        if before and (before[-1].lower() in HONORIFICS or " ".join(before[-2:]).lower() in HONORIFICS):
            continue
        spans.append(Span(start, end, "place"))
    return spans


def _after_capital(before: str) -> bool:
    """True when the text before a name ends with a capitalised word that does not open the sentence."""
    words = before.split()
    return len(words) > 1 and words[-1][:1].isupper()


def english_name(name_vi: str) -> str | None:
    """A country's or region's English name from its Vietnamese one (`châu Âu` → `Europe`), else None."""
    names = world_names()
    return names.get(name_vi) or names.get(name_vi[:1].upper() + name_vi[1:])
