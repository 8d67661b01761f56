"""Bytes to text: Unicode with or without a byte-order mark, the legacy Vietnamese encodings, and
text that was mis-decoded once and saved again (mojibake), each found and named.

Which reading is right is decided by the text itself: Vietnamese is written in syllables of a
known shape (an initial consonant, one to three vowels, a final consonant, at most one tone mark),
and a wrong reading breaks almost every syllable that holds a non-ASCII letter ('ViÖt', 'Vieät',
'Viá»‡t'). Valid UTF-8 is kept as it is unless it reads badly and one other reading reads well.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from helpers.errors import InputError
from helpers.corpus.formats.legacy import LEGACY, decode_legacy, mojibake_bytes

SAMPLE_CHARS = 200_000  # enough text to judge an encoding by; the whole text is converted
MIN_WORDS = 5  # fewer words with non-ASCII letters than this: too little to tell encodings apart
GOOD = 0.85  # share of those words that must be Vietnamese syllables for a reading to be taken
BAD_AS_IS = 0.6  # valid UTF-8 reading worse than this (and another reading good) is converted
MARGIN = 0.1  # the best reading must beat every other one (giving another text) by this much
BINARY = "binary file, not text (it holds NUL or control bytes)"
# Control characters that never occur in text files (tab, LF, VT, FF, CR excluded).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# The vowel groups of Vietnamese syllables (tones left out), longest first.
_NUCLEI = ("iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi "
           "ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê a ă â e ê i o ô ơ u ư y").split()
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?(?:" + "|".join(_NUCLEI)
                       + r")(?:ch|ng|nh|[cmnptk])?")  # a final k: place names of the Central Highlands (Đắk Lắk)
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u00a0\u2000-\u206f«»°©®™]+")
_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
DOUBLE = "UTF-8 read as windows-1252 and saved again"


class Unreadable(InputError):
    """An input that cannot be used; the message is the one-line problem shown for it."""


@dataclass(frozen=True)
class Decoded:
    """Text (NFC) read from bytes: how the bytes were decoded, and what was converted beyond that."""

    text: str
    encoding: str
    conversion: str = ""


@lru_cache(maxsize=1 << 16)  # Vietnamese writes a few thousand distinct syllables: each is judged once
def is_syllable(word: str) -> bool:
    """True for a word shaped like one Vietnamese syllable ('Việt', 'nghiêng', 'gì'; not 'ViÖt', 'tâòp',
    'chiÒ'): lower case, capitalised or all capitals; at most one tone; a known vowel group."""
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower()) or len(word) == 1):
        return False
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(parts.count(t) for t in _TONE_MARKS) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    return bool(_SYLLABLE.fullmatch(base))


def vietnamese_share(text: str) -> tuple[float, int]:
    """Of the words holding a non-ASCII letter or sign, the share that are Vietnamese syllables, and
    how many there are (a sample of a long text is read)."""
    words = [w for w in _WORD.findall(text[:SAMPLE_CHARS]) if not w.isascii()]
    if not words:
        return 0.0, 0
    return sum(1 for w in words if is_syllable(w)) / len(words), len(words)


def readings_of(text_bytes: bytes) -> dict[str, str]:
    """Every legacy reading of some bytes, by encoding name."""
    return {enc: decode_legacy(text_bytes, enc) for enc in LEGACY}


def best_reading(readings: dict[str, str]) -> tuple[str | None, dict[str, float]]:
    """The encoding whose text reads as Vietnamese, clearly better than any other reading that gives
    another text (None if there is none), and every reading's share of Vietnamese syllables."""
    scores = {enc: vietnamese_share(text) for enc, text in readings.items()}
    shares = {enc: share for enc, (share, _) in scores.items()}
    ranked = sorted(readings, key=lambda e: shares[e], reverse=True)
    best = ranked[0] if ranked else None
    if best is None or shares[best] < GOOD or scores[best][1] < MIN_WORDS:
        return None, shares
    rivals = [shares[e] for e in ranked[1:] if readings[e] != readings[best]]
    if rivals and max(rivals) > shares[best] - MARGIN:
        return None, shares
    return best, shares


def _tried(shares: dict[str, float]) -> str:
    return ", ".join(f"{enc} {share:.0%}" for enc, share in shares.items())


def repair(text: str, encoding: str) -> Decoded:
    """Text (NFC) as decoded, or repaired when it is mojibake: a legacy encoding, or UTF-8, read as
    windows-1252 (or latin-1) and saved again. Raises Unreadable when it is clearly doubly encoded
    UTF-8 that no reading repairs."""
    nfc = unicodedata.normalize("NFC", text)
    composed = "decomposed letters (NFD) composed (NFC)" if nfc != text else ""
    if nfc.isascii():
        return Decoded(nfc, encoding, composed)
    as_is, words = vietnamese_share(nfc)
    if as_is >= BAD_AS_IS or words < MIN_WORDS:
        return _repair_lines(nfc, encoding, composed)
    raw = mojibake_bytes(nfc)  # None: characters no single-byte mis-reading gives (CJK, ...)
    readings = readings_of(raw) if raw is not None else {}
    fixed = _double_encoded(nfc)
    if fixed is not None:
        readings = {DOUBLE: fixed, **readings}
    best, shares = best_reading(readings)
    if best == DOUBLE and fixed is not None:  # DOUBLE is among the readings only when fixed is not None
        lost = fixed.count("\ufffd") - nfc.count("\ufffd")
        return Decoded(fixed, encoding, f"{DOUBLE} (double-encoded): repaired with ftfy"
                       + (f"; {lost} characters lost before (shown as U+FFFD)" if lost > 0 else ""))
    if best is not None:
        return Decoded(readings[best], encoding,
                       f"{best} text read as windows-1252 and saved as Unicode (mojibake): converted")
    if fixed is not None:
        raise Unreadable(f"looks like {DOUBLE} ('Viá»‡t' for 'Việt') and could not be repaired "
                         f"(Vietnamese syllables read: as is {as_is:.0%}, {_tried(shares)})")
    return _repair_lines(nfc, encoding, composed)


def _repair_lines(text: str, encoding: str, composed: str) -> Decoded:
    """The text with each line that is legacy mojibake on its own (a passage pasted into a good
    report: the whole reads as Vietnamese, that line does not) converted, and a note naming them."""
    lines = text.split("\n")
    converted: list[int] = []
    used: set[str] = set()
    for i, line in enumerate(lines):
        raw = None if line.isascii() else mojibake_bytes(line)  # a good line has a letter past U+00FF
        if raw is None:
            continue
        share, words = vietnamese_share(line)
        if share >= BAD_AS_IS or words < MIN_WORDS:
            continue
        readings = readings_of(raw)
        best, _ = best_reading(readings)
        if best is not None:
            lines[i] = readings[best]
            converted.append(i + 1)
            used.add(best)
    if not converted:
        return Decoded(text, encoding, composed)
    at = ", ".join(map(str, converted[:10])) + (", ..." if len(converted) > 10 else "")
    note = (f"{len(converted)} line{'s' if len(converted) > 1 else ''} of {' and '.join(sorted(used))} text read as "
            f"windows-1252 and saved as Unicode (mojibake) converted (line {at})")
    return Decoded("\n".join(lines), encoding, "; ".join(c for c in (composed, note) if c))


def _double_encoded(text: str) -> str | None:
    """ftfy's repair of doubly encoded UTF-8, or None when it changes nothing."""
    import ftfy

    fixed = ftfy.fix_encoding(text)
    return unicodedata.normalize("NFC", fixed) if fixed != text else None


def decode_text(data: bytes) -> Decoded:
    """Text of a text file: Unicode (a BOM names UTF-8, -16 or -32; none: UTF-8), else the legacy
    Vietnamese encoding it reads as; NFC. Raises Unreadable with the reason otherwise."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise Unreadable(f"marked as {codec.upper().removesuffix('-SIG')} by its BOM but not valid "
                                 f"{codec.upper().removesuffix('-SIG')} ({exc.reason})") from None
            return _checked(repair(text, codec))
    if b"\x00" in data:
        raise Unreadable("looks like UTF-16 without a byte-order mark: re-save it as UTF-8"
                         if _looks_utf16(data) else BINARY)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _checked(_legacy(data, exc))
    return _checked(repair(text, "utf-8"))


def _legacy(data: bytes, exc: UnicodeDecodeError) -> Decoded:
    """Bytes that are not UTF-8: the legacy encoding they read as, or a rejection naming those tried."""
    best, shares = best_reading(readings_of(data))
    if best is not None:
        return Decoded(decode_legacy(data, best), best, f"{best} converted to Unicode")
    if len(CONTROL.findall(data.decode("latin-1"))) > max(8, len(data) // 100):
        raise Unreadable(BINARY)
    bad = data[exc.start : exc.start + 1].hex()
    few = "; too little text to tell" if vietnamese_share(decode_legacy(data, "windows-1258"))[1] < MIN_WORDS else ""
    raise Unreadable(f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}), and no legacy encoding is clearly "
                     f"right (tried, with the share of Vietnamese syllables read: {_tried(shares)}{few}): "
                     "re-save it as UTF-8")


def _checked(decoded: Decoded) -> Decoded:
    """The decoded text, unless it is mostly control characters (a binary file)."""
    if len(CONTROL.findall(decoded.text)) > max(8, len(decoded.text) // 100):
        raise Unreadable(BINARY)
    return decoded


def _looks_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 with no BOM: decodes cleanly, and many code units are ASCII."""
    if len(data) % 2:
        return False
    for encoding, high in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if high.count(0) >= 0.3 * len(high) and not CONTROL.search(text):
            return True
    return False
