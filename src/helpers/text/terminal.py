"""Text a user gave (a path, a file name, a setting) as the terminal shows it: `shown`.

A file name or a setting can hold control characters: an ANSI escape sequence clears the screen
or rewrites the line above, a newline forges a second message, a right-to-left override turns
`gpj.exe` into `exe.jpg`. Every message line the project prints passes through `shown`, which
writes such characters as Python escapes (`\\x1b`, `\\n`, `\\u202e`), so the line is printed as one
line and reads as what was given. Undecodable bytes of a file name (which Python's `os` functions
hand over as lone surrogates, `\\udce1`) are shown as the replacement character U+FFFD (the bytes
themselves are kept where data is written, never on the terminal).
"""

from __future__ import annotations

# C0 controls, DEL and C1 controls; the Unicode line and paragraph separators; the bidirectional
# controls (marks, embeddings, overrides, isolates), which reorder what follows them on screen.
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x061C, 0x200E, 0x200F,
             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in _CONTROLS} | {code: "\ufffd" for code in range(0xD800, 0xE000)}


def shown(text: object) -> str:
    """`text` (a str, or anything printed with str()) safe to print as part of one terminal line:
    control, line-separator and bidirectional characters escaped, undecodable bytes as U+FFFD.
    Printable text, Vietnamese letters included, is unchanged."""
    return str(text).translate(_TABLE)
