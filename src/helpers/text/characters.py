"""Characters no text can hold, dropped where a reader's text enters the project, each with a note;
and the characters that end a line, in every format alike (`split_lines`).

A PDF font whose ToUnicode map gives a lone surrogate (U+D800), a web page with `&#xFFFF;`, a Word
run holding U+0001: such a character cannot be written as UTF-8 (a lone surrogate ends the writing of
every CSV with a UnicodeEncodeError) or is refused by XML parsers. It carries no text, so it is
dropped, and the line it was on gets a ledger note naming it; the rest of the file is read.
"""

from __future__ import annotations

import re

# Lone surrogates (a str holds a pair as one character, so any of these is alone), the Unicode
# noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(0x11) for low in (0xFFFE, 0xFFFF))
_UNHOLDABLE = re.compile(f"[\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
# In markup (a web page, XML), the C0 controls other than tab, line feed and carriage return too:
# XML parsers refuse them, and lxml refuses a whole page that holds one.
_MARKUP_UNHOLDABLE = re.compile(f"[\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


# CRLF, CR and LF end a line, and so do a vertical tab (Word's manual line break), a form feed
# (a page break, as pdftotext writes), NEL, and the Unicode line and paragraph separators.
_EOL = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")


def split_lines(text: str) -> tuple[str, ...]:
    """Lines as an editor numbers them (see `_EOL` for what ends one); a final EOL adds none."""
    lines = _EOL.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def unholdable(text: str) -> list[str]:
    """The characters of `text` no text can hold, in order."""
    return _UNHOLDABLE.findall(text)


def describe(chars: list[str]) -> str:
    """'U+D800 (a lone surrogate)', or several, for a note."""
    names = []
    for code in dict.fromkeys(ord(c) for c in chars):
        kind = ("a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character" if code < 0x20
                else "a noncharacter")
        names.append(f"U+{code:04X} ({kind})")
    return f"{len(chars)} character{'s' * (len(chars) != 1)} no text can hold dropped: {', '.join(names)}"


def drop_unholdable(text: str) -> str:
    """`text` without the characters no text can hold."""
    return _UNHOLDABLE.sub("", text)


def clean_lines(lines: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
    """The lines without characters no text can hold, and a note for each line that held some."""
    out, notes = [], []
    for i, line in enumerate(lines):
        found = unholdable(line)
        if found:
            notes.append((i, describe(found)))
            line = drop_unholdable(line)
        out.append(line)
    return tuple(out), tuple(notes)


def _unholdable_reference(match: re.Match) -> bool:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return code > 0x10FFFF or bool(_MARKUP_UNHOLDABLE.match(chr(code)))


def clean_markup(markup: str) -> tuple[str, str]:
    """A page's markup without the characters no text can hold, raw or as character references
    (`&#xFFFF;`, `&#1;`), and a note saying what was dropped ('' when nothing)."""
    found = _MARKUP_UNHOLDABLE.findall(markup)
    refs = [m for m in _CHARACTER_REFERENCE.finditer(markup) if _unholdable_reference(m)]
    if not found and not refs:
        return markup, ""
    markup = _MARKUP_UNHOLDABLE.sub("", markup)
    markup = _CHARACTER_REFERENCE.sub(lambda m: "" if _unholdable_reference(m) else m.group(0), markup)
    codes = found + [chr(min(int(m.group(1), 16) if m.group(1) else int(m.group(2)), 0xFFFF)) for m in refs]
    return markup, describe(codes)
