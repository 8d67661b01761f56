"""Countries and world regions by their Vietnamese names, with their English names: the Unicode CLDR's
territory names (through Babel, which ships them), so `Đức`, `Nga`, `Na Uy`, `châu Âu` are places and the
entity index shows them as `Germany`, `Russia`, `Norway`, `Europe`.

A short name is often a syllable of a word (`Pháp luật`, law; `Áo`, a shirt) or a person's given name
(`Nguyễn Minh Đức`, `bà Nga`, `Đức khai nhận`): a country is found only where it is a word of its own
in the model's segmentation and the words around it say it is one (`_in_context`: after `tại`, `với`,
an office such as `Thủ tướng`; not beside a name's other words, not after a personal title, not inside
an organisation's name). A helper's red-team pass of 330 sentences built to trip it found these
rules' cases (docs/entities.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from helpers.entities.model import Span, Token
from helpers.entities.words import HONORIFICS, ORG_HEADS, STATE_OFFICES

# CLDR territories that are no place a report names as such: the world, unknown or grouping codes,
# bodies (`EU`: Liên minh châu Âu is an organisation; `UN`; `EZ`, the euro area), and CLDR's pseudo-locales.
_NOT_PLACES = frozenset({"001", "ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
# The names Vietnamese news gives where CLDR's is another (`Hoa Kỳ`, the United States, is `Mỹ` in most
# reports). `Anh` (the United Kingdom) is left out: it is also the pronoun and a common given name.
_NEWS_NAMES = {"Mỹ": "US", "Miến Điện": "MM"}
# A name this short (`Nga`, `Pháp`) is as often a given name or a syllable of a word: with the model's words,
# it needs a word leading to a place or an office before it; without them, it is not taken.
SHORT = 4
MAX_WORDS = 4  # the model's words a name may take (`Côte d’Ivoire`, `St. Kitts và Nevis`)
_OFFICES = frozenset(t.lower() for t in STATE_OFFICES)
# Words after which a name is a place (`tại Đức`, `đối với Nga`, `nước Pháp`, `đội tuyển Brazil`); the
# prepositions among them end an organisation's name before it (`Vụ việc xảy ra tại Đức`).
PREPOSITIONS = frozenset({"tại", "ở", "sang", "đến", "tới", "từ", "với", "đối với", "giữa", "thăm"})
LEADS = PREPOSITIONS | {"của", "nước", "người", "phía", "cho", "tuyển", "đội tuyển", "chính phủ", "quân đội",
                        "thủ đô", "đại sứ quán", "quốc gia", "khắp", "toàn", "xứ", "miền", "vùng", "khu vực",
                        "lục địa"}
# Words after which a country's name is another thing's: Georgia the US state, the Niger river, peas
# (`đậu Hà Lan`), a younger sister (`em Nga`).
NOT_AFTER = frozenset({"bang", "sông", "đậu", "em"})
# Words that open an organisation's name: a country or region after one, in the same clause and with no
# preposition between, is part of its name (`Liên minh châu Âu`, `Ngân hàng Phát triển châu Á`).
ORG_WORDS = frozenset(ORG_HEADS) | {"Nghị viện", "Liên đoàn", "Hiệp hội", "Diễn đàn", "Cúp", "Tòa án", "Tổ chức",
                                    "Quỹ", "Hãng", "Câu lạc bộ", "CLB", "Liên doanh"}
ORG_WINDOW = 4  # the model's words before a name looked at for one


@lru_cache(maxsize=1)
def _territories() -> tuple[dict[str, str], dict[str, str]]:
    """CLDR's territory names by code, in Vietnamese and in English (Babel's copy)."""
    from babel import Locale

    return dict(Locale("vi").territories), dict(Locale("en").territories)


@lru_cache(maxsize=1)
def world_names() -> dict[str, str]:
    """Each Vietnamese name of a country or world region with its English name, from CLDR's territory
    names in Vietnamese and English (a name's note in brackets left out: `Myanmar (Miến Điện)`)."""
    vi, en = _territories()
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
    words, a run of up to MAX_WORDS of them at a time, looked up, then judged by the words around it
    (`_in_context`); without, found by the pattern, a name of more than SHORT letters not beside
    another capitalised word."""
    if not words:
        return [Span(*m.span(), "place") for m in _pattern().finditer(text) if len(m.group()) > SHORT
                and not (text[m.end():].lstrip()[:1].isupper() or _after_capital(text[:m.start()])
                         or _word_before(text[:m.start()]) in HONORIFICS)]
    firsts = _first_words()
    spans = []
    for i, w in enumerate(words):
        if _plain(w.word).split(" ", 1)[0] not in firsts:
            continue
        for j in range(i, min(i + MAX_WORDS, len(words))):
            name = _plain(text[w.start:words[j].end])
            if english_name(name) is not None and _in_context(words, i, j, len(name) <= SHORT):
                spans.append(Span(w.start, words[j].end, "place"))
    return spans


def _plain(name: str) -> str:
    """A name as CLDR writes it: plain spaces, a typographic apostrophe (`Côte d'Ivoire`)."""
    return name.replace("\u00a0", " ").replace("'", "\u2019")


def _in_context(words: tuple[Token, ...], i: int, j: int, short: bool) -> bool:
    """Whether words[i..j], a country's or region's name, stand for it where they are: not after a
    personal title (`bà Nga`), a capitalised word of a name (`Hằng Nga`, `Đậu Hà Lan`, peas) or a word
    of NOT_AFTER (`bang Georgia`); not before a capitalised word (`Mỹ Tâm`, `Nga Sơn`, `Đức Giám mục`)
    unless after an office (`Thủ tướng Nga Alexander Novak`, `Bộ trưởng Ngoại giao Nga Sergei Lavrov`);
    not within an organisation's name (ORG_WORDS); and, a name of SHORT letters or fewer (`Đức`, `Nga`,
    `Pháp`, `Áo`), a given name or a word as often as a country, only after a word that leads to a place
    (`tại`, `với`, `nước`) or an office (`Ngoại trưởng Nga`)."""
    before = words[i - 1].word.lower() if i > 0 else ""
    office = _after_office(words, i)
    if before in HONORIFICS or before in NOT_AFTER:
        return False
    if i > 0 and words[i - 1].word[:1].isupper() and not office and before not in LEADS:
        return False
    if j + 1 < len(words) and words[j + 1].word[:1].isupper() and not office:
        return False
    if _in_organisation(words, i):
        return False
    return not short or office or before in LEADS


def _after_office(words: tuple[Token, ...], i: int) -> bool:
    """True when words[i] follows an office of a state, or an office and its portfolio (`Thủ tướng`,
    `Bộ trưởng Ngoại giao`)."""
    return (i > 0 and words[i - 1].word.lower() in _OFFICES) or (
        i > 1 and words[i - 2].word.lower() in _OFFICES and words[i - 1].word[:1].isupper())


def _in_organisation(words: tuple[Token, ...], i: int) -> bool:
    """True when an organisation's opening words (ORG_WORDS: a whole word of the model's, two of its
    words together as `Ủy` `ban`, or a word's end as `dự Cúp`) stand among the ORG_WINDOW words before
    words[i], in its clause, with no preposition after them (`Vụ việc xảy ra tại Đức`)."""
    window: list[str] = []
    for w in reversed(words[max(0, i - ORG_WINDOW):i]):
        if w.word.lower() in PREPOSITIONS or not any(c.isalnum() for c in w.word):
            break
        window.insert(0, w.word)
    pairs = [" ".join(window[n:n + 2]) for n in range(len(window) - 1)]
    ends = [w.split(" ", 1)[1] for w in window if " " in w]
    return any(w in ORG_WORDS for w in [*window, *pairs, *ends])


def _word_before(text: str) -> str:
    """The last word of `text`, lower-case, without punctuation."""
    words = text.split()
    return words[-1].strip(".,;:").lower() if words else ""


def _after_capital(before: str) -> bool:
    """True when the text before a name ends with a capitalised word that does not open the sentence."""
    words = before.split()
    return len(words) > 1 and words[-1][:1].isupper()


def world_name(name: str) -> str:
    """A country's name as CLDR writes it in Vietnamese when the news names it otherwise (`Mỹ` → `Hoa
    Kỳ`, `Miến Điện` → `Myanmar`): one entity, whichever name a report uses; any other name unchanged."""
    return _canonical().get(name, name)


@lru_cache(maxsize=1)
def _canonical() -> dict[str, str]:
    """The news's names of countries (_NEWS_NAMES) to CLDR's Vietnamese ones."""
    vi, _ = _territories()
    return {name: _unbracketed(vi[code]) for name, code in _NEWS_NAMES.items()}


def english_name(name_vi: str) -> str | None:
    """A country's or region's English name from its Vietnamese one (`châu Âu` → `Europe`), else None."""
    names = world_names()
    return names.get(name_vi) or names.get(name_vi[:1].upper() + name_vi[1:])
