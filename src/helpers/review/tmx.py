"""TMX 1.4b, the translation-memory exchange format: the reviews file (`REVIEWS/sentences.tmx`) and
`review export --format tmx`. Written and read with translate-toolkit's `tmxfile`, after the
`xmlsafe` gate. Who and when are the `<tu>`'s `changeid`/`changedate` (and `creationid`/
`creationdate`, as TMX 1.4b names them); corrected or approved is a `<prop type="x-review">`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from lxml import etree
from translate.storage.tmx import tmxfile

import helpers
from helpers.review.entries import KINDS, Review, iso_date, tmx_date
from helpers.review.tmxedit import seg_text, tuv_language
from helpers.review.xmlsafe import ReviewFileError, root_tag
from helpers.text.characters import drop_unholdable

SOURCE_LANG, TARGET_LANG = "vi", "en"
REVIEW_PROP = "x-review"


def base_language(tag: str | None) -> str:
    """'vi-VN', 'vi_VN', 'VI' → 'vi'."""
    return (tag or "").replace("_", "-").split("-")[0].lower()


def tmx_bytes(reviews: Iterable[Review], props: Mapping[str, Mapping[str, str | list[str]]] | None = None) -> bytes:
    """A TMX 1.4b document (UTF-8) with one `<tu>` per review, vi then en, in the order given;
    `props` adds `<prop>`s to a source's unit (type → value, or values: one `<prop>` each)."""
    store = tmxfile(sourcelanguage=SOURCE_LANG, targetlanguage=TARGET_LANG)
    header = store.document.getroot().find("header")
    header.set("creationtool", "vi2en")
    header.set("creationtoolversion", helpers.__version__)
    header.set("o-tmf", "vi2en reviews")
    header.set("datatype", "plaintext")
    for review in reviews:
        unit = store.addsourceunit(review.source, SOURCE_LANG)
        unit.settarget(review.english, TARGET_LANG)
        element = unit.xmlelement
        if review.reviewer:
            for attribute in ("creationid", "changeid"):
                element.set(attribute, review.reviewer)
        if review.when:
            for attribute in ("creationdate", "changedate"):
                element.set(attribute, tmx_date(review.when))
        extra = {**({REVIEW_PROP: review.kind} if review.reviewer or review.when else {}),
                 **(props or {}).get(review.source, {})}
        listed = [(kind, v) for kind, value in extra.items() for v in ([value] if isinstance(value, str) else value)]
        for at, (kind, value) in enumerate(listed):  # <prop>s come before the <tuv>s
            prop = etree.Element("prop", type=kind)
            prop.text = value
            element.insert(at, prop)
    return bytes(store)


def read_tmx(data: bytes, name: str, notes: list[str] | None = None) -> tuple[list[Review], int]:
    """The vi → en pairs of a TMX document as reviews (who, when and kind as written, '' when not),
    and how many units held no such pair; a ReviewFileError for a file that is no TMX or holds
    no Vietnamese-English pair at all. `notes`, when given, gets a line on what was changed to
    match (sources in decomposed letters, NFD, composed)."""
    if root_tag(data, name) != "tmx":
        raise ReviewFileError(f"{name}: not a TMX file (its root element is <{root_tag(data, name)}>)")
    try:
        store = tmxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError) as exc:
        raise ReviewFileError(f"{name}: not a readable TMX file ({exc})") from None
    header = store.document.getroot().find("header")
    srclang = header.get("srclang", "") if header is not None else ""
    if srclang and srclang.lower() != "*all*" and base_language(srclang) != SOURCE_LANG:
        raise ReviewFileError(f"{name}: a file for other languages (srclang {srclang!r}; reviews are "
                              f"{SOURCE_LANG} → {TARGET_LANG})")
    reviews, other, seen, decomposed = [], 0, set(), 0
    for unit in store.units:
        texts: dict[str, str] = {}
        langs: list[str] = []
        for node in unit.xmlelement.iterchildren("tuv"):
            seg = node.find("seg")
            langs.append(tuv_language(node))
            texts.setdefault(langs[-1], seg_text(seg) if seg is not None else "")
            if langs[-1] == SOURCE_LANG and seg is not None:
                decomposed += not unicodedata.is_normalized("NFC", "".join(seg.itertext()))
        seen |= set(texts)
        if langs.count(SOURCE_LANG) > 1 or langs.count(TARGET_LANG) > 1:  # two versions: kept, not used
            other += 1
            continue
        source = drop_unholdable(texts.get(SOURCE_LANG, "")).strip()  # as the readers drop U+FFFF
        english = " ".join(texts.get(TARGET_LANG, "").split())  # a newline is no part of one sentence
        if not (source and english):
            other += 1
            continue
        element = unit.xmlelement
        kind = next((p.text for p in element.findall("prop") if p.get("type") == REVIEW_PROP), "")
        reviews.append(Review(source, english, element.get("changeid") or element.get("creationid") or "",
                              iso_date(element.get("changedate") or element.get("creationdate")),
                              kind if kind in KINDS else "corrected"))
    if not reviews and other:
        found = ", ".join(sorted(lang for lang in seen if lang)) or "none"
        raise ReviewFileError(f"{name}: a file for other languages: no {SOURCE_LANG} → {TARGET_LANG} pair "
                              f"(languages found: {found})")
    if notes is not None and decomposed:
        notes.append(f"{decomposed} source{'s' * (decomposed != 1)} in decomposed letters (NFD, as macOS "
                     "saves them) composed (NFC) to match the sentences")
    return reviews, other
