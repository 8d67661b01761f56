"""One key per entity, whatever form a report names it in: the merge rules.

Two mentions are one entity when their keys are equal. The key is the name in Unicode NFC with
modern tone placement, spaces collapsed and case ignored, and then, by kind:
- a person without the titles before the name (`Bộ trưởng Tô Lâm` = `Tô Lâm`); the whole name is
  kept, so two people who share a family name (`Tô Lâm`, `Tô Huy Rứa`) stay two;
- a place without its administrative word (`tỉnh Quảng Nam` = `Quảng Nam`), a short form by its name
  (`TP.HCM` = `Hồ Chí Minh`), a country by CLDR's name (`Mỹ` = `Hoa Kỳ`);
- an organisation with the glossary's acronyms spelled out (`UBND tỉnh Nghệ An` = `Ủy ban nhân dân
  tỉnh Nghệ An`, `CAND` = `Công an nhân dân`) and old spellings read as the term;
- a document by its type and number or code (`Nghị quyết 12-NQ/TW` = `Nghị quyết số 12-NQ/TW`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from helpers.entities.words import SHORT_PLACES, strip_admin, strip_titles
from helpers.entities.world import world_name
from helpers.text.glossary import Term
from helpers.text.normalise import modern_tones

KINDS = ("person", "organisation", "place", "document")


def plain(text: str) -> str:
    """NFC, modern tone placement, one space between words."""
    return re.sub(r"\s+", " ", modern_tones(unicodedata.normalize("NFC", text))).strip()


def clean_name(surface: str, kind: str) -> str:
    """The name a mention gives, as shown: without titles (a person), or without administrative word and
    with a short form spelled out (a place: `TP.HCM` → `Hồ Chí Minh`)."""
    text = plain(surface)
    if kind == "person":
        return strip_titles(text)
    if kind == "place":
        name = strip_admin(text)
        return SHORT_PLACES.get(name, name)
    return text


@lru_cache(maxsize=64)
def _spellings(glossary: tuple[Term, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Acronyms to their Vietnamese expansion, and old spellings to the term, as whole-word patterns."""
    variants = sorted(((v, t.term) for t in glossary for v in t.variants if t.kind != "typo"), key=lambda p: -len(p[0]))
    acronyms = sorted(((t.term, t.expansion_vi) for t in glossary if t.kind == "acronym" and t.expansion_vi),
                      key=lambda p: -len(p[0]))
    pairs = variants + acronyms  # an old spelling first becomes the term, then the term is spelled out
    return tuple((re.compile(rf"(?<![\w/-]){re.escape(plain(a))}(?![\w/-])"), plain(b)) for a, b in pairs)


def spelled_out(name: str, glossary: tuple[Term, ...]) -> str:
    """An organisation's name with the glossary's acronyms spelled out ('UBND' → 'Ủy ban nhân dân')."""
    for rx, full in _spellings(glossary):
        name = rx.sub(full, name)
    return name


def key_of(surface: str, kind: str, glossary: tuple[Term, ...] = ()) -> str:
    """The merge key of a mention of this kind (see the module's rules)."""
    name = clean_name(surface, kind)
    if kind == "place":
        name = world_name(name)  # a country by one name (`Mỹ` = `Hoa Kỳ`)
    elif kind == "organisation":
        name = spelled_out(name, glossary)
    elif kind == "document":
        name = re.sub(r"\s+số\s+", " ", name)
    return name.casefold()


def entity_id(kind: str, key: str) -> str:
    """A stable id from the kind and the key: a re-run, or another machine, gives the same id."""
    digest = hashlib.sha256(f"{kind}\0{key}".encode("utf-8")).hexdigest()[:10]
    return f"{kind[:3]}-{digest}"
