"""Changing the reviews file (`REVIEWS/sentences.tmx`) in place: nothing in it is ever dropped.

A TMX a translator's tool or a colleague wrote can hold what the project does not use: two English
versions of one source, units of other language pairs, notes, properties, attributes. A save edits
the document it read (after the `xmlsafe` gate): the unit a review changes gets its new English,
who and when, every other part of it kept; a review of a new source gets a unit of its own (made by
`tmx.tmx_bytes`), placed in source order among the project's units; every other element is left as
it was. Segment text is read as a translator's tool shows it (`seg_text`): inline codes (`bpt`,
`ept`, `ph`, `it`, `ut`) hold native markup, not text, and are left out; `hi` and `sub` are text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lxml import etree

from helpers.review.entries import Review, tmx_date
from helpers.review.xmlsafe import ReviewFileError, root_tag

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODES = {"bpt", "ept", "ph", "it", "ut"}  # inline codes: native markup, not the segment's text
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def seg_text(seg) -> str:
    """A `<seg>`'s text without its inline codes (a `<ph>`'s `<br/>`, a `<bpt>`'s `<b>`), NFC."""
    out = [seg.text or ""]
    for child in seg:
        if etree.QName(child).localname not in CODES and isinstance(child.tag, str):
            out.append(seg_text(child))
        out.append(child.tail or "")
    return unicodedata.normalize("NFC", "".join(out))


def tuv_language(tuv) -> str:
    """A `<tuv>`'s base language: xml:lang (TMX 1.4) or lang (TMX 1.1), 'vi-VN' → 'vi'."""
    tag = tuv.get(XML_LANG) or tuv.get("lang") or ""
    return tag.replace("_", "-").split("-")[0].lower()


def plain_pair(tu, source_lang: str, target_lang: str) -> tuple[str, etree._Element] | None:
    """The source text and the target `<seg>` of a unit holding exactly one source and one target
    (the units the project writes and changes); None for any other unit (kept as it is)."""
    tuvs = [t for t in tu if etree.QName(t).localname == "tuv"]
    langs = [tuv_language(t) for t in tuvs]
    if sorted(langs) != sorted([source_lang, target_lang]):
        return None
    segs = {tuv_language(t): t.find("seg") for t in tuvs}
    if any(seg is None for seg in segs.values()):
        return None
    return seg_text(segs[source_lang]).strip(), segs[target_lang]


def _set_review(tu, seg, review: Review, prop_type: str) -> None:
    """The unit's English, who and when, and its review prop set; everything else kept."""
    for child in list(seg):
        seg.remove(child)
    seg.text = review.english
    if review.reviewer:
        tu.set("changeid", review.reviewer)
        tu.set("creationid", tu.get("creationid") or review.reviewer)
    if review.when:
        tu.set("changedate", tmx_date(review.when))
        tu.set("creationdate", tu.get("creationdate") or tmx_date(review.when))
    prop = next((p for p in tu.findall("prop") if p.get("type") == prop_type), None)
    if prop is None:
        prop = etree.Element("prop", type=prop_type)
        tu.insert(0, prop)
    prop.text = review.kind


def merge_tmx(data: bytes, name: str, reviews: Iterable[Review], new_units: bytes, prop_type: str,
              source_lang: str, target_lang: str) -> bytes:
    """`data` (a TMX document) with these reviews made in place; `new_units` is a TMX document (from
    `tmx_bytes`) holding a unit for each review whose source has none yet, in any order."""
    if root_tag(data, name) != "tmx":
        raise ReviewFileError(f"{name}: not a TMX file (its root element is <{root_tag(data, name)}>)")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReviewFileError(f"{name}: not a readable TMX file ({exc})") from None
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    ours: dict[str, tuple[etree._Element, etree._Element]] = {}
    for tu in body.iter("tu"):
        pair = plain_pair(tu, source_lang, target_lang)
        if pair:
            ours[pair[0]] = (tu, pair[1])  # the last unit of a source is the one read (and changed)
    fresh: dict[str, tuple[etree._Element, etree._Element]] = {}
    for tu in etree.fromstring(new_units, _PARSER).iter("tu"):
        pair = plain_pair(tu, source_lang, target_lang)
        if pair:
            fresh[pair[0]] = (tu, pair[1])
    for review in reviews:
        if review.source in ours:
            _set_review(*ours[review.source], review, prop_type)
            continue
        unit, seg = fresh[review.source]
        after = next((tu for source, (tu, _) in sorted(ours.items()) if source > review.source), None)
        unit.tail = "\n"
        if after is not None:
            after.addprevious(unit)
        else:
            body.append(unit)
        ours[review.source] = (unit, seg)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8") + b"\n"
