"""Vietnamese sentences of one line of text, never split inside codes, dates, numbers,
abbreviations, title chains, initials or a numbered list after a colon (`split_sentences`).

underthesea's `sent_tokenize` proposes the boundaries, and two kinds it misses are added: after an
ellipsis (`…`, `...`) and after a name's final initial (`anh Trần Văn B.`) when a capitalised word
follows. A closing quote or bracket after the full stop stays with its sentence (`… tương lai.”`).
A boundary is then vetoed when a protected span straddles it, when it follows a known abbreviation
or a chain of academic titles (`TS.`, `GS.TSKH.`, `PGS.TS.`), an initial (`Ch.`, `Ph.`, `C.` in
`Theo C. Mác`, `V.I.`), when it falls within a numbered list opened by a colon (`gồm: 1. … 2. …`,
`(1) … (2) …`, `a) … b) …`), or when the next piece starts in lower case (an ellipsis or
abbreviation mid-sentence). Scored against gold boundaries in tests/test_segment.py. The corpus
step cuts report lines with it; the summary step cuts Vietnamese summaries.
"""

from __future__ import annotations

import re
from functools import lru_cache

from helpers.text.normalise import clean_space
from helpers.text.spans import find_spans

# Academic and professional titles, written before a name and chained (GS.TSKH., PGS.TS., BS.CKII).
TITLES = r"(?:GS|PGS|TS|TSKH|ThS|Th\.S|BS|BSCKI|BSCKII|CKI|CKII|DS|KS|KTS|CN|NCS|LS|NGƯT|NGND|NSƯT|NSND|TTƯT|TTND)"
# Abbreviations that end with a full stop inside a sentence (a title chain counts as one).
ABBREVIATIONS = re.compile(
    rf"(?:^|[\s(])(?:{TITLES}\.)*(?:{TITLES}|TP|Tp|NXB|Mr|Mrs|Ms|Dr|St|No|Tr|tr|v\.v|vv|Q|P|TT|TX)\.$"
)
# A given name shortened to its first letters: Ch. Đác-uyn, Ph. Ăngghen, Th. Nguyễn (Vietnamese digraphs).
INITIAL = re.compile(r"(?:^|[\s(])(?:Ch|Ph|Th|Kh|Nh|Ng|Gi|Qu|Tr)\.$")
# One capital letter and a full stop, and the word before it: `V.I.`, `C.` (Theo C. Mác), `B.` (Trần Văn B.)
LETTER = re.compile(r"(?:^|(?<=[\s(]))(?:(\S+)\s+)?((?:[A-ZĐ]\.)+)$")
# An item of a numbered list: 1. 2) (3) a) b.
ITEM = r"(?:\(?\d{1,2}[.)]|\(\d{1,2}\)|\(?[a-zđ]\))"
LIST_OPENED = re.compile(r":\s*(?:\(?1[.)]|\(1\)|\(?a\))(?=\s|$)")
ITEM_NEXT = re.compile(rf"{ITEM}\s")
ITEM_BEFORE = re.compile(rf"(?:^|\s){ITEM}$")
ELLIPSIS = re.compile(r"(?:…|\.\.\.)[\"”’»)\]]*\s+(?=[^\W\d_])")
CLOSERS = "\"”’»)]"
_CJK_END = re.compile(r"(?<=[。！？])(?=.)")  # after a full-width sentence end with more text behind it


@lru_cache(maxsize=1)
def _tokenizer():
    from helpers.text.vietnamese_nlp import underthesea

    return underthesea().sent_tokenize  # imported lazily: it takes a second


def _name_initial(text: str, end: int, sentence_start: int) -> bool | None:
    """For text ending at `end` in a single capital letter and a full stop (or a chain, `V.I.`): True
    when it is a name's final initial that may end a sentence (`anh Trần Văn B.`: a capitalised word
    before it, not the sentence's first), False when it is an initial before a name (`Theo C. Mác`,
    `của V.I. Lênin`), None when the text does not end so."""
    m = LETTER.search(text, max(sentence_start, end - 80), end)  # a name's last words, not the whole line
    if not m:
        return None
    before, letters = m.group(1), m.group(2)
    if len(letters) > 2 or not before:  # V.I., or the sentence's first word
        return False
    first = text[sentence_start:m.start(1)].strip() == ""
    return before[:1].isupper() and not first and before[-1:].isalpha()


def _vetoed(text: str, prev_end: int, start: int, spans, sentence_start: int) -> bool:
    if any(s.start < prev_end and s.end > start for s in spans):
        return True
    head = text[sentence_start:prev_end]
    if ABBREVIATIONS.search(head) or INITIAL.search(head) or _name_initial(text, prev_end, sentence_start) is False:
        return True
    nxt = text[start : start + 1]
    if nxt and nxt.islower():
        return True
    # within a numbered list opened by a colon: its items are one sentence
    return bool(LIST_OPENED.search(head) and (ITEM_NEXT.match(text, start) or ITEM_BEFORE.search(head)))


def _candidates(text: str, pieces: list[str]) -> list[tuple[int, int]] | None:
    """(end of one sentence, start of the next) for each boundary proposed: underthesea's, those after
    an ellipsis and after a name's final initial; a closing quote or bracket after the stop moves to
    the sentence before. None when the tokenizer altered the text."""
    starts: set[int] = set()
    pos = 0
    for i, piece in enumerate(pieces):
        k = text.find(piece, pos)
        if k < 0:
            return None
        if i:
            starts.add(k)
        pos = k + len(piece)
    starts |= {m.end() for m in ELLIPSIS.finditer(text) if text[m.end()].isupper()}
    for m in re.finditer(r"(?<=[A-ZĐ]\.)\s+(?=[^\W\d_])", text):
        if text[m.end()].isupper() and _name_initial(text, m.start(), 0):
            starts.add(m.end())
    bounds: list[tuple[int, int]] = []
    for start in sorted(starts):
        while start < len(text) and text[start] in CLOSERS and (start + 1 == len(text) or text[start + 1].isspace()):
            start += 1
        end = start
        while start < len(text) and text[start].isspace():
            start += 1
        while end > 0 and text[end - 1].isspace():
            end -= 1
        if 0 < end and start < len(text) and (not bounds or start > bounds[-1][1]):
            bounds.append((end, start))
    return bounds


def split_sentences(text: str) -> list[str]:
    """Sentences of one line of text (already cleaned), in order, covering all its words. Chinese and
    Japanese passages end their sentences with full-width marks (。！？), which underthesea does not cut at."""
    text = clean_space(text)
    if not text:
        return []
    if _CJK_END.search(text):
        return [s for part in _CJK_END.split(text) if part.strip() for s in split_sentences(part)]
    pieces = [p.strip() for p in _tokenizer()(text) if p.strip()]
    bounds = _candidates(text, pieces)
    if bounds is None:  # the tokenizer altered the text: keep the line whole rather than lose words
        return [text]
    spans = find_spans(text)
    starts = [0]
    for end, start in bounds:
        if not _vetoed(text, end, start, spans, starts[-1]):
            starts.append(start)
    ends = starts[1:] + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends) if text[a:b].strip()]
