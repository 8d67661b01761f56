"""The mentions of one sentence: the model's spans made clean, the project's certain knowledge, and
rules over the model's own words, with overlaps settled (what is known wins, then the longer).

Rules (each measured in docs/entities.md):
- an organisation's head word with a capitalised name after it is one organisation, with the place
  it serves (`Sở Tư pháp`, `Công an tỉnh Hà Nam`, `UBND tỉnh Bạc Liêu`);
- an administrative word with a capitalised name after it is the place, without the word
  (`huyện Hồng Dân` → `Hồng Dân`);
- a title with a capitalised name after it is the person, without the title (`Bộ trưởng Tô Lâm`);
- the model's spans lose their titles and administrative words, and its stray one-word
  organisations (`Bộ` alone) and titles tagged as names are dropped;
- a country or world region named as a word of its own, where the words around it say so, is a place
  (`entities.world`: `Đức`, `châu Âu`); a span it opens loses it, the rest a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from helpers.entities.known import document_spans, glossary_spans, is_body, name_spans
from helpers.entities.model import Span, Tagged, Token, model_spans, tokens
from helpers.entities.world import country_spans
from helpers.entities.words import ADMIN_WORDS, ORG_HEADS, PROVINCES, TITLES, is_title, strip_admin, strip_titles
from helpers.text.dates import calendar_names
from helpers.text.glossary import Term
from helpers.text.names import SURNAMES, fold
from helpers.text.spans import find_spans

_HEADS = frozenset(ORG_HEADS)
_ADMIN = frozenset(ADMIN_WORDS)
_TITLES = frozenset(TITLES)


@dataclass(frozen=True)
class Mention:
    """A name in a sentence: where it stands, its text exactly as written, and its kind."""

    start: int
    end: int
    surface: str
    kind: str


def _capitalised(token: Token) -> bool:
    word = token.word
    return bool(word) and word[0].isupper() and any(c.isalpha() for c in word) and word not in _TITLES


def _run(words: tuple[Token, ...], i: int, text: str) -> int:
    """The end index (exclusive) of the run of capitalised words from i, joined by spaces only."""
    j = i
    while (j < len(words) and _capitalised(words[j]) and words[j].word not in _HEADS and words[j].word not in _ADMIN
           and (j == i or text[words[j - 1].end:words[j].start] == " ")):
        j += 1
    return j


def _name_token(token: Token, first: bool = False) -> bool:
    """A token that may be part of a name after a title: the model's name, or words joined (`Tô Lâm`,
    `Park Neung-hoo`, `Phương nhận`: the tokeniser may glue a verb on, `_name_end` cuts it); the first
    after the title all capitalised (not a portfolio: `Bộ trưởng Ngoại giao`, whose `Ngoại` was a person)."""
    if token.tag != "O":
        return True
    joined = " " in token.word or "-" in token.word
    return joined and (not first or all(w[:1].isupper() for w in token.word.split()))


def _name_end(text: str, start: int, end: int) -> int:
    """Where a name's capitalised words end (the tokeniser may glue a verb on: 'Tô Lâm phát biểu')."""
    at = start
    for n, word in enumerate(text[start:end].split(" ")):
        if n and not word[:1].isupper():
            break
        at += len(word) + (1 if n else 0)
    return at


_SYLLABLE = re.compile(r"[^\W\d_][\w-]*")
_HEAD_RX = re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(h) for h in sorted(ORG_HEADS, key=len, reverse=True))
                      + r")(?![\w-])")
_ADMIN_RX = re.compile(r"(?:" + "|".join(re.escape(a) for a in sorted(ADMIN_WORDS, key=len, reverse=True))
                       + r")(?:\s+|(?<=\.))")


def _capitals(text: str, at: int) -> int:
    """The end of the run of capitalised syllables starting at `at` (one space between them), or `at`. A
    one-word title inside the run with a capitalised syllable after it is part of the name (`Hai Bà Trưng`,
    a district of Hà Nội), not where it ends."""
    end = at
    while True:
        m = _SYLLABLE.match(text, at)
        if not m or not m.group(0)[0].isupper() or m.group(0) in _HEADS:
            return end
        if m.group(0) in _TITLES and (end == at or text[m.end():m.end() + 1] != " "
                                      or not _name_word(text, m.end() + 1)):
            return end
        end = m.end()
        if text[end:end + 1] != " ":
            return end
        at = end + 1


def _name_word(text: str, at: int) -> bool:
    """Whether a capitalised syllable that is neither a title nor an organisation's head word starts at `at`."""
    m = _SYLLABLE.match(text, at)
    return m is not None and m.group(0)[0].isupper() and m.group(0) not in _TITLES and m.group(0) not in _HEADS


def _organisation_end(text: str, at: int, starts: dict[int, Token]) -> int:
    """Where an organisation's name that begins at `at` (after its head) ends, or `at` if none does:
    `tỉnh Nghệ An`, or a capitalised word with its compound (`Tư pháp`, `Y tế`, by the model's
    words), more capitalised words, and the place it serves."""
    admin = _ADMIN_RX.match(text, at)
    if admin and _capitals(text, admin.end()) > admin.end():
        return _capitals(text, admin.end())
    word = _SYLLABLE.match(text, at)
    if not word or not word.group(0)[0].isupper() or word.group(0) in _HEADS or word.group(0) in _ADMIN:
        return at
    token = starts.get(at)
    end = token.end if token and token.word[0].isupper() and token.word not in _TITLES else word.end()
    end = _word_end(end, starts)
    while text[end:end + 1] == " ":
        after = end + 1
        if (text.startswith("và ", after) and _capitals(text, after + 3) > after + 3
                and not _HEAD_RX.match(text, after + 3)):
            after += 3  # 'Cục Khoa học Công nghệ và Đào tạo': one name
        admin = _ADMIN_RX.match(text, after)
        if admin and _capitals(text, admin.end()) > admin.end():
            return _capitals(text, admin.end())
        nxt = _capitals(text, after)
        if nxt == after:
            return end
        token = starts.get(after)
        end = _word_end(max(nxt, token.end if token and token.word[0].isupper() else nxt), starts)
    return end


def _word_end(at: int, starts: dict[int, Token]) -> int:
    """`at`, or the end of the model's word that runs across it (a compound: 'Chấp hành', 'Thoát nước')."""
    for start, token in starts.items():
        if start < at < token.end:
            return token.end
    return at


def rule_spans(text: str, words: tuple[Token, ...]) -> list[Span]:
    """Organisations, places and people found by the words around them (see the module's rules)."""
    spans: list[Span] = []
    starts = {t.start: t for t in words}
    for m in _HEAD_RX.finditer(text):
        if not m.group(0)[0].isupper():
            continue
        at = m.end() + 1
        if text.startswith("nhân dân ", at):
            at += len("nhân dân ")
        end = _organisation_end(text, at, starts) if text[m.end():m.end() + 1] == " " else at
        if end > at:
            spans.append(Span(m.start(), end, "organisation"))
    for m in _ADMIN_RX.finditer(text):
        if (m.start() == 0 or not text[m.start() - 1].isalnum()) and _capitals(text, m.end()) > m.end():
            spans.append(Span(m.end(), _capitals(text, m.end()), "place"))
    for i, w in enumerate(words):
        if w.word in _TITLES and i + 1 < len(words) and _capitalised(words[i + 1]) and words[i + 1].word not in _HEADS:
            end = _run(words, i + 1, text)
            if end > i + 1 and _name_token(words[i + 1], first=True) and all(map(_name_token, words[i + 2:end])):
                spans.append(Span(words[i + 1].start, _name_end(text, words[i + 1].start, words[end - 1].end),
                                  "person"))
    return spans


_PARTY = ("Trung ương", "Đảng")  # 'Trung ương Đảng' is the Party's Central Committee, never a place
_PROVINCES = {fold(p): p for p in PROVINCES}


def _clean(span: Span, text: str, protected: list[tuple[int, int]], common: frozenset[str],
           calendar: list[tuple[int, int]]) -> Span | None:
    """A model span without leading titles or administrative words, cut at the first lower-case word
    of a person's or place's name; None for what is not a name (a title, a lone head word or family
    name, a glossary term that names no body (`CBCS`), anything with a digit or inside a code or date, or
    inside a day's or month's name (`calendar`: the `Năm` of `Thứ Năm`, Thursday, a tagger's person)."""
    surface = text[span.start:span.end]
    rest = strip_titles(surface)
    if span.kind == "place" or rest == surface:
        rest = strip_admin(rest)
    start = span.start + (len(surface) - len(rest))
    rest = rest.rstrip(" ,.;:")
    end = start + len(rest)
    if (not rest or is_title(rest) or not rest[0].isupper() or rest in _HEADS or rest in _ADMIN
            or rest in SURNAMES or any(c.isdigit() for c in rest)
            or any(start < e and end > s for s, e in protected)):
        return None
    if span.kind != "organisation":  # a name's words are capitalised: 'Tô Lâm phát biểu' is 'Tô Lâm'
        words = rest.split(" ")
        cut = next((n for n, w in enumerate(words) if n and not w[:1].isupper()), len(words))
        if cut == 1 and len(words) > 1:  # 'Hội nghị' cut to 'Hội' is no name
            return None
        rest = " ".join(words[:cut]).rstrip(" ,.;:")
        end = start + len(rest)
    if rest in common or any(s <= start and end <= e for s, e in calendar):
        return None
    kind = "organisation" if rest.startswith(_PARTY) else span.kind
    return Span(start, end, kind)


_HCM = re.compile(r"(?<![\w.])T[Pp]\.?\s?HCM(?![\w-])")  # Hồ Chí Minh City as news writes it (`TPHCM` too)


def province_spans(text: str) -> list[Span]:
    """Provinces named bare (`Hà Nam`), tone placement and case of the first letters aside, and Hồ Chí
    Minh City written short (`TP.HCM`, `TPHCM`: the model takes the second for a person)."""
    spans = [Span(m.start(), m.end(), "place") for m in _HCM.finditer(text)]
    folded = fold(text)
    if len(folded) != len(text):
        return spans
    for key in _PROVINCES:
        at = folded.find(key)
        while at >= 0:
            end = at + len(key)
            if (text[at].isupper() and (at == 0 or not text[at - 1].isalnum())
                    and (end == len(text) or not text[end].isalnum())):
                spans.append(Span(at, end, "place"))
            at = folded.find(key, end)
    return spans


def _after_country(span: Span, text: str, countries: list[Span],
                   clean: Callable[[Span], Span | None]) -> Span | None:
    """A span that a country opens (the longest found there) without it: what follows is a person
    (`Phó Thủ tướng Nga Alexander Novak`, which the model tags one person, or `Ngoại trưởng Pháp Emmanuel
    Macron`, one place), cleaned as a model span is (None when nothing of a name is left)."""
    at = max((c for c in countries if c.start == span.start and c.end < span.end),
             key=lambda c: c.end, default=None)
    if at is None or not text[at.end:span.end].strip():
        return span
    return clean(Span(len(text) - len(text[at.end:].lstrip()), span.end, "person"))


def settle(candidates: Iterable[tuple[int, Span]]) -> list[Span]:
    """Overlapping spans settled: a lower rank wins (what is known first), then the longer span."""
    kept: list[Span] = []
    for _, span in sorted(candidates, key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def find_mentions(text: str, glossary: tuple[Term, ...], cited: Iterable[str] = (),
                  tagged: Tagged | None = None, use_model: bool = True) -> list[Mention]:
    """Every mention of a sentence, in order. `cited` are the sentence's `cited_as` of references.csv;
    `tagged` the model's output for it when already known (`model.tag_all`); without the model
    (`use_model=False`) only the known names and the rules on the text are used."""
    words = tokens(text, tagged) if use_model else ()
    protected = [(s.start, s.end) for s in find_spans(text)]
    common = frozenset(f for t in glossary if not is_body(t) for f in (t.term, t.expansion_vi) if f)
    calendar = calendar_names(text)
    countries = country_spans(text, words)

    def clean(span: Span) -> Span | None:
        return _clean(span, text, protected, common, calendar)

    model = [c for s in model_spans(text, words) for c in [clean(s)] if c] if use_model else []
    candidates = [(0, s) for s in document_spans(text, cited)]
    candidates += [(1, s) for s in glossary_spans(text, glossary)]
    # with the glossary: the longer wins ('Chính phủ Hàn Quốc'); a title's person that is a country is the
    # country (`Tổng thống Pháp cho biết`), and one a country opens is the rest (`Tổng thống Mỹ Joe Biden`)
    named = {(c.start, c.end) for c in countries}
    candidates += [(1, c) for s in rule_spans(text, words) if s.kind != "person" or (s.start, s.end) not in named
                   for c in [_after_country(s, text, countries, clean) if s.kind == "person" else s] if c]
    candidates += [(3, s) for s in province_spans(text) + countries]
    candidates += [(4, s) for s in name_spans(text)]
    candidates += [(5, c) for s in model for c in [_after_country(s, text, countries, clean)] if c]
    return [Mention(s.start, s.end, text[s.start:s.end], "organisation" if text[s.start:s.end].startswith(_PARTY)
                    else s.kind) for s in settle(candidates)]
