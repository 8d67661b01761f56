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
from helpers.entities.words import ORG_HEADS, TITLES

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
HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "cháu", "bé", "đồng chí"})
# Offices a country's name follows (`Thủ tướng Nga`, `Ngoại trưởng Mỹ`): the project's titles but the personal ones.
OFFICES = frozenset(t.lower() for t in TITLES) - HONORIFICS - {"em", "nghệ sĩ", "nhà báo", "luật sư"} | {"ngoại trưởng"}
# Words after which a name is a place (`tại Đức`, `đối với Nga`, `nước Pháp`, `đội tuyển Brazil`).
LEADS = frozenset({"tại", "ở", "sang", "đến", "tới", "từ", "với", "đối với", "của", "nước", "người", "phía", "giữa",
                   "cho", "thăm", "tuyển", "đội tuyển", "chính phủ", "quân đội", "thủ đô", "đại sứ quán",
                   "quốc gia", "khắp", "toàn", "xứ", "miền", "vùng", "khu vực", "lục địa"})
NOT_AFTER = frozenset({"bang", "sông", "em"})  # Georgia the state, the Niger river; `em Nga`, a younger sister
# Words that open an organisation's name: a country or region a few words after one is part of its name.
ORG_WORDS = frozenset(ORG_HEADS) | {"Liên minh", "Nghị viện", "Liên đoàn", "Hiệp hội", "Diễn đàn", "Cúp", "Tòa án",
                                    "Tổ chức", "Quỹ", "Hãng", "Câu lạc bộ", "CLB", "Liên doanh"}
ORG_WINDOW = 5  # the words before a name looked at for one


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
    words, a run of up to MAX_WORDS of them at a time, looked up, then judged by the words around it
    (`_in_context`); without, found by the pattern, a name of more than SHORT letters not beside
    another capitalised word."""
    if not words:
        return [Span(*m.span(), "place") for m in _pattern().finditer(text) if len(m.group()) > SHORT
                and not (text[m.end():].lstrip()[:1].isupper() or _after_capital(text[:m.start()])
                         or _word_before(text[:m.start()]) in HONORIFICS)]
    names, firsts = world_names(), _first_words()
    spans = []
    for i, w in enumerate(words):
        if _plain(w.word).split(" ", 1)[0] not in firsts:
            continue
        for j in range(i, min(i + MAX_WORDS, len(words))):
            name = _plain(text[w.start:words[j].end])
            known = name in names or name[:1].upper() + name[1:] in names
            if known and _in_context(text, words, i, j, len(name) <= SHORT):
                spans.append(Span(w.start, words[j].end, "place"))
    return spans


def _plain(name: str) -> str:
    """A name as CLDR writes it: plain spaces, a typographic apostrophe (`Côte d'Ivoire`)."""
    return name.replace("\u00a0", " ").replace("'", "\u2019")


def _in_context(text: str, words: tuple[Token, ...], i: int, j: int, short: bool) -> bool:
    """Whether words[i..j], a country's or region's name, stand for it where they are: not after a
    personal title (`bà Nga`), a capitalised word of a name (`Hằng Nga`, `Đậu Hà Lan`, peas) or
    `bang`/`sông` (Georgia the state, the Niger river); not before a capitalised word (`Mỹ Tâm`, `Nga
    Sơn`, `Đức Giám mục`) unless after an office (`Thủ tướng Nga Alexander Novak`); not within an
    organisation's name (`Liên minh châu Âu`, `Ngân hàng Phát triển châu Á`); and, a name of SHORT
    letters or fewer (`Đức`, `Nga`, `Pháp`, `Áo`), a given name or a word as often as a country, only
    after a word that leads to a place (`tại`, `với`, `nước`) or an office (`Ngoại trưởng Nga`)."""
    before = words[i - 1].word.lower() if i > 0 else ""
    office = before in OFFICES
    if before in HONORIFICS or before in NOT_AFTER:
        return False
    if i > 0 and words[i - 1].word[:1].isupper() and not office and before not in LEADS:
        return False
    if j + 1 < len(words) and words[j + 1].word[:1].isupper() and not office:
        return False
    if _org_words().search(" ".join(_clause_before(text, words[i].start)[-ORG_WINDOW:])):
        return False
    return not short or office or before in LEADS


def _clause_before(text: str, at: int) -> list[str]:
    """The words of the clause before `at` (after the last punctuation mark there)."""
    return re.split(r"[^\w\s’'-]", text[:at])[-1].split()


@lru_cache(maxsize=1)
def _org_words() -> re.Pattern[str]:
    """ORG_WORDS as whole words."""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(ORG_WORDS, key=len, reverse=True))) + r")(?!\w)")


def _word_before(text: str) -> str:
    """The last word of `text`, lower-case, without punctuation."""
    words = text.split()
    return words[-1].strip(".,;:").lower() if words else ""


def _after_capital(before: str) -> bool:
    """True when the text before a name ends with a capitalised word that does not open the sentence."""
    words = before.split()
    return len(words) > 1 and words[-1][:1].isupper()


def english_name(name_vi: str) -> str | None:
    """A country's or region's English name from its Vietnamese one (`châu Âu` → `Europe`), else None."""
    names = world_names()
    return names.get(name_vi) or names.get(name_vi[:1].upper() + name_vi[1:])
