"""Vietnamese text in the encodings that came before Unicode: windows-1258, TCVN3 (ABC), VNI and VISCII.

Python ships windows-1258 only, and no maintained PyPI package reads the other three (the few
found were single-author uploads without tests), so they are table-driven here, from the
published mapping tables:

- TCVN3: TCVN 5712:1993, as transcribed in glibc's `localedata/charmaps/TCVN5712-1` (the VN1
  table: the ABC fonts' VN3 codes are its upper half; VN1 adds the capitals with tones, which
  ABC users typed with an upper-case font, at 0x80-0x9F and in unused control positions);
- VISCII: RFC 1456, as transcribed in glibc's `localedata/charmaps/VISCII`;
- VNI (VNI for Windows): a letter followed by a mark character of windows-1252, as in the VNI
  Software charset chart (and Unikey's "VNI Windows" table); built below from its rules.

`tests/test_formats_text.py` checks the two byte tables against glibc's charmaps where present.
Decoding returns NFC text; the encoders exist so that tests can build legacy files.
"""

from __future__ import annotations

import unicodedata
import re
from functools import lru_cache

LEGACY = ("windows-1258", "TCVN3", "VNI", "VISCII")

# TCVN 5712:1993 (VN1): the capitals with tones that VN1 puts in C0 positions, then 0x80-0xFF.
_TCVN_LOW = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ",
             0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}
_TCVN_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0: five combining tone marks first
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)
# VISCII (RFC 1456): six capitals in C0 positions, then 0x80-0xFF.
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 0x80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 0x90
    "Õắằặấầẩậẽẹếềểễệố"  # 0xA0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # 0xB0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # 0xC0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # 0xD0
    "àáâãảăữẫèéêẻìíĩỉ"  # 0xE0
    "đựòóôõỏọụùúũủýợỮ"  # 0xF0
)


def _byte_table(low: dict[int, str], high: str) -> str:
    """The 256 characters of an 8-bit table: ASCII (and C0) as themselves unless `low` says otherwise."""
    assert len(high) == 128
    return "".join(low.get(b, chr(b)) for b in range(128)) + high


TABLES = {"TCVN3": _byte_table(_TCVN_LOW, _TCVN_HIGH), "VISCII": _byte_table(_VISCII_LOW, _VISCII_HIGH)}

# VNI for Windows: tone marks after a plain vowel (lower, upper), after a circumflex vowel, after a breve.
_TONES = "\u0301\u0300\u0309\u0303\u0323"  # acute, grave, hook above, tilde, dot below
_VNI_TONE = ("ùøûõï", "ÙØÛÕÏ")
_VNI_CIRCUMFLEX = ("âáàåãä", "ÂÁÀÅÃÄ")  # the mark alone, then with each tone
_VNI_BREVE = ("êéèúüë", "ÊÉÈÚÜË")
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "î": "ỵ", "Î": "Ỵ",
               "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def vni_sequences() -> dict[str, str]:
    """Every VNI sequence (one or two windows-1252 characters) and the letter it stands for."""
    seqs: dict[str, str] = {}
    for case in (0, 1):
        tone, circ, breve = _VNI_TONE[case], _VNI_CIRCUMFLEX[case], _VNI_BREVE[case]
        up = str.upper if case else str.lower
        for base in "aeouy":
            for mark, t in zip(tone, _TONES):
                seqs[up(base) + mark] = _nfc(up(base) + t)
        for base in "aeo":  # â ê ô and their tones
            seqs[up(base) + circ[0]] = _nfc(up(base) + "\u0302")
            for mark, t in zip(circ[1:], _TONES):
                seqs[up(base) + mark] = _nfc(up(base) + "\u0302" + t)
        seqs[up("a") + breve[0]] = _nfc(up("a") + "\u0306")
        for mark, t in zip(breve[1:], _TONES):
            seqs[up("a") + mark] = _nfc(up("a") + "\u0306" + t)
        for horn, letter in (("ô", "o"), ("ö", "u")):  # ơ ư and their tones
            for mark, t in zip(tone, _TONES):
                seqs[up(horn) + mark] = _nfc(up(letter) + "\u031b" + t)
    del seqs["y\u00ef"], seqs["Y\u00cf"]  # ỵ is the single character î
    seqs.update(_VNI_SINGLE)
    return seqs


@lru_cache(maxsize=1)
def _vni_pattern() -> re.Pattern[str]:
    keys = sorted(vni_sequences(), key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


def codepage_text(data: bytes, codec: str = "cp1252") -> str:
    """Bytes as a Windows code page shows them; its unassigned bytes as the C1 controls latin-1 gives
    (what Windows itself does), so that every byte decodes and can be found again."""
    table = _codepage(codec)
    return "".join(table[b] for b in data)


@lru_cache(maxsize=4)
def _codepage(codec: str) -> str:
    return "".join(bytes([b]).decode(codec, "replace").replace("\ufffd", chr(b)) for b in range(256))


def decode_legacy(data: bytes, encoding: str) -> str:
    """Text (NFC) of bytes in one of `LEGACY` (every byte decodes: these tables are total)."""
    if encoding == "windows-1258":
        return _nfc(codepage_text(data, "cp1258"))
    if encoding == "VNI":
        seqs = vni_sequences()
        return _nfc(_vni_pattern().sub(lambda m: seqs[m.group()], codepage_text(data)))
    table = TABLES[encoding]
    return _nfc("".join(table[b] for b in data))


def mojibake_bytes(text: str) -> bytes | None:
    """The bytes a mis-decoded text came from, if it was read as windows-1252 (or latin-1) and saved
    again: each character back to its byte. None when some character has no byte there."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


@lru_cache(maxsize=4)
def _reverse(encoding: str) -> dict[str, bytes]:
    if encoding == "VNI":
        return {letter: seq.encode("cp1252") for seq, letter in vni_sequences().items() if letter != seq}
    table = TABLES[encoding]
    rev: dict[str, bytes] = {}
    for b, ch in enumerate(table):
        if unicodedata.category(ch) != "Mn" and (b >= 0x80 or ch != chr(b)):  # ASCII is itself; no combining tones
            rev.setdefault(ch, bytes([b]))
    return rev


def encode_legacy(text: str, encoding: str) -> bytes:
    """`text` in a legacy encoding (for tests and round trips). Raises UnicodeEncodeError for a
    character the encoding lacks."""
    text = _nfc(text)
    if encoding == "windows-1258":
        out = bytearray()
        for ch in text:
            try:
                out += ch.encode("cp1258")
            except UnicodeEncodeError:  # a letter with a tone: base letter, then the combining tone
                parts = unicodedata.normalize("NFD", ch)
                base = _nfc("".join(c for c in parts if c not in _TONES))
                tones = "".join(c for c in parts if c in _TONES)
                out += (base + tones).encode("cp1258")
        return bytes(out)
    rev = _reverse(encoding)
    out = bytearray()
    for i, ch in enumerate(text):
        if ch in rev:
            out += rev[ch]
        elif encoding == "VNI":
            out += ch.encode("cp1252")
        elif ord(ch) < 0x80 and TABLES[encoding][ord(ch)] == ch:
            out.append(ord(ch))
        else:
            raise UnicodeEncodeError(encoding, text, i, i + 1, "no such character in the table")
    return bytes(out)
