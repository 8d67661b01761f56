"""Vietnamese names of people and places, and comparing them across languages.

A name is a common Vietnamese family name followed by one to three capitalised syllables
(`Tô Lâm`, `Nguyễn Phú Trọng`, `Hồ Chí Minh`, and places built the same way, `Hà Nội`). English
output usually drops the diacritics and sometimes joins the syllables (`To Lam`, `Hanoi`), so
names are compared folded (`fold`), syllable by syllable, with or without spaces between them.
"""

from __future__ import annotations

import re

from helpers.text.normalise import fold  # lower case without diacritics (remembered): names compare folded

SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Tô Trịnh Đinh Lâm Mai Trương "
    "Đào Hà Cao Lương Tạ Đoàn Vương Thái Chu Kiều Quách Lưu Triệu Tống Nông Lò Châu Đàm Khổng Mạc Thân "
    "Lã Lại Từ Hứa Tăng Doãn Diệp Ông Văn".split()
) - {"Văn"}  # Văn is a middle name (Nguyễn Văn An) and begins 'Văn phòng'
MAX_GIVEN = 3
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _syllable(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def find_names(text: str) -> list[str]:
    """Names in a Vietnamese text, in order, each once."""
    words = list(_TOKEN.finditer(text))
    names: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        given = 0
        while (given < MAX_GIVEN and i + given + 1 < len(words) and _syllable(words[i + given + 1].group(0))
               and text[words[i + given].end() : words[i + given + 1].start()] == " "):
            given += 1
        if w.group(0) in SURNAMES and given:
            names.append(text[w.start() : words[i + given].end()])
            i += given + 1
        else:
            i += 1
    return list(dict.fromkeys(names))


def name_in(name: str, english: str) -> bool:
    """True if the English carries the name: its syllables in order, folded, spaced or joined."""
    syllables = fold(name).split()
    rx = r"\b" + r"[\s-]?".join(re.escape(s) for s in syllables) + r"\b"
    return re.search(rx, fold(english)) is not None


def missing_names(source: str, english: str) -> list[str]:
    """Names of the Vietnamese source that the English lacks."""
    return [n for n in find_names(source) if not name_in(n, english)]


_EN_CAPITALISED = re.compile(r"\b[A-ZÀ-Ỹ][\wÀ-ỹ]+(?:\s+[A-ZÀ-Ỹ][\wÀ-ỹ]+)+")
_EN_NOT_NAME = frozenset(
    "The A An On In At For By With From Of And But After Before During Since Under Also This That These Those "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


def english_names(text: str) -> list[str]:
    """Capitalised runs of two or more words in English (names, offices), without a leading
    sentence word or a month ('On June 22, To Lam' gives 'To Lam')."""
    found = []
    for m in _EN_CAPITALISED.finditer(text):
        words = [w for w in m.group(0).split()]
        while words and words[0] in _EN_NOT_NAME:
            words.pop(0)
        while words and words[-1] in _EN_NOT_NAME:
            words.pop()
        if len(words) > 1 and not any(w in _EN_NOT_NAME for w in words):
            found.append(" ".join(words))
    return found
