"""XLIFF 1.2, what most translators' (CAT) tools import: `review export --format xliff` writes one
`<file>` per report and one `<trans-unit>` per sentence (`<source>` exactly its text_vi, `<target>`
its text_en, each flag a `<note>`); `review import` takes back the segments a translator marked
final, translated or signed-off (or approved="yes"). Built on translate-toolkit's `xlifffile`,
which writes 1.1 by default: the subclasses here write the 1.2 namespace and version."""

from __future__ import annotations

import unicodedata

import pandas as pd
from lxml import etree
from translate.storage.xliff import xlifffile, xliffunit

from helpers.checks.flags import flag_code, meaning, split_flags
from helpers.review.entries import Review
from helpers.review.tmx import SOURCE_LANG, TARGET_LANG, base_language
from helpers.review.xmlsafe import ReviewFileError, root_tag
from helpers.text.characters import drop_unholdable

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
DONE_STATES = ("final", "translated", "signed-off")  # a translator's word that the target is good


class Xliff12Unit(xliffunit):
    """A trans-unit in the XLIFF 1.2 namespace."""

    namespace = XLIFF_12


class Xliff12File(xlifffile):
    """An XLIFF 1.2 document (translate-toolkit's skeleton says 1.1)."""

    UnitClass = Xliff12Unit
    namespace = XLIFF_12
    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version='1.2' xmlns='{XLIFF_12}'>
<file original='NoName' source-language='en' datatype='plaintext'>
<body>
</body>
</file>
</xliff>"""


def xliff_bytes(sentences: pd.DataFrame) -> bytes:
    """sentences.csv rows (translated) as XLIFF 1.2: machine English as `needs-review-translation`
    (qualified `mt-suggestion`), reviewed English as `final`, flags and reviews as notes."""
    store = Xliff12File(sourcelanguage=SOURCE_LANG, targetlanguage=TARGET_LANG)
    for rid, group in sentences.groupby("report_id", sort=False):
        for row in group.to_dict("records"):
            unit = store.addsourceunit(row["text_vi"], filename=str(rid), createifmissing=True)
            unit.setid(str(row["sentence_no"]))
            unit.settarget(row["text_en"], lang=TARGET_LANG)
            reviewed = row.get("origin") == "review"
            unit.xmlelement.set("approved", "yes" if reviewed else "no")
            target = unit.xmlelement.find(unit.namespaced("target"))
            target.set("state", "final" if reviewed else "needs-review-translation")
            if not reviewed:
                target.set("state-qualifier", "mt-suggestion")
            for f in split_flags(row["flags"]):
                unit.addnote(f"{f}: {meaning(flag_code(f))}", origin="vi2en")
            if reviewed:
                said = Review("", "", row["reviewer"], row["reviewed_at"], row["review"] or "corrected").said()
                unit.addnote(said, origin="reviewer")
    store.removedefaultfile()
    return bytes(store)


def read_xliff(data: bytes, name: str) -> tuple[list[Review], int, list[str]]:
    """The segments of an XLIFF 1.x file marked done, as reviews (who and when left to the caller),
    how many were not, and notes (targets marked done but empty, ids given twice); a ReviewFileError
    for a file that is no XLIFF 1.x or for other languages."""
    if root_tag(data, name) != "xliff":
        raise ReviewFileError(f"{name}: not an XLIFF file (its root element is <{root_tag(data, name)}>)")
    try:
        store = xlifffile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError, StopIteration) as exc:
        raise ReviewFileError(f"{name}: not a readable XLIFF 1.2 file ({str(exc) or type(exc).__name__})") from None
    for node in store.document.getroot().iterchildren(store.namespaced("file")):
        source, target = node.get("source-language", ""), node.get("target-language", "")
        if base_language(source) != SOURCE_LANG or (target and base_language(target) != TARGET_LANG):
            raise ReviewFileError(f"{name}: a file for other languages (<file original={node.get('original')!r}> is "
                                  f"{source or '?'} → {target or '?'}; reviews are {SOURCE_LANG} → {TARGET_LANG})")
    reviews, left, empty, ids, twice = [], 0, 0, set(), []
    for unit in store.units:
        element = unit.xmlelement
        target = element.find(store.namespaced("target"))
        done = element.get("approved") == "yes" or (target is not None and target.get("state") in DONE_STATES)
        english = " ".join(inline_text(target).split())  # a newline is no part of one sentence
        if not english:
            empty += done
            left += not done
            continue
        if not done:
            left += 1
            continue
        file = next(element.iterancestors(store.namespaced("file")), None)
        where, uid = (file.get("original", "") if file is not None else ""), element.get("id", "")
        if (where, uid) in ids:
            twice.append(f"id {uid!r} of <file original={where!r}>")
        ids.add((where, uid))
        source = drop_unholdable(inline_text(element.find(store.namespaced("source")))).strip()
        reviews.append(Review(unicodedata.normalize("NFC", source), unicodedata.normalize("NFC", english)))
    notes = []
    if empty:
        notes.append(f"{empty} segment{'s' * (empty != 1)} marked done with an empty target, left out")
    if twice:
        notes.append(f"trans-unit {', '.join(twice[:5])}{' and more' if len(twice) > 5 else ''} given twice: "
                     "the last one taken")
    return reviews, left, notes


INLINE_CODES = {"x", "bx", "ex", "ph", "bpt", "ept", "it"}  # placeholders of native markup, not text


def inline_text(element) -> str:
    """An XLIFF `<source>` or `<target>`'s text with its inline codes (`<ph>`'s `<br/>`, `<bpt>`'s
    `<b>`, `<x/>`) left out and `<g>`/`<mrk>` read as their text; '' for None."""
    if element is None:
        return ""
    out = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in INLINE_CODES:
            out.append(inline_text(child))
        out.append(child.tail or "")
    return "".join(out)
