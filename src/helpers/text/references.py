"""The references index: every document a report cites, found by rules, no model.

`Nghị quyết số 12-NQ/TW ngày 16-3-2022 của Bộ Chính trị` becomes
Resolution No. 12-NQ/TW of 2022-03-16, issued by the Politburo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.text.dates import NUMERIC_DATE, WORDED_DATE, find_dates
from helpers.text.glossary import Term
from helpers.store.contract import columns
from helpers.text.spans import DOC_CODE

DOCUMENT_TYPES = {
    "Nghị quyết": "Resolution",
    "Kết luận": "Conclusion",
    "Quy định": "Regulation",
    "Kế hoạch": "Plan",
    "Chỉ thị": "Directive",
    "Quyết định": "Decision",
    "Nghị định": "Decree",
    "Thông tư": "Circular",
    "Hướng dẫn": "Guideline",
    "Công văn": "Official Letter",
    "Luật": "Law",
}
# Who issued a code, from its suffix.
CODE_ISSUERS = {"TW": "Party Central Committee", "ĐUCA": "Public Security Party Committee",
                "BCA": "Ministry of Public Security"}

_TYPE = "|".join(sorted(DOCUMENT_TYPES, key=len, reverse=True))
_CITATION = re.compile(
    rf"(?P<type>{_TYPE})\s+(?:số\s+)?(?P<ref>{DOC_CODE.pattern}|\d{{1,5}}(?![\d/-]))"
    rf"(?:\s+ngày\s+(?P<date>{NUMERIC_DATE}|{WORDED_DATE}))?"
    rf"(?:\s+của\s+(?P<issuer>[^,;.()]{{3,80}}))?"
)


@dataclass(frozen=True)
class Reference:
    """One cited document."""

    type: str
    number: str
    code: str
    date: str
    issuer: str
    cited_as: str

    def english(self, glossary: tuple[Term, ...] = ()) -> str:
        """'Resolution No. 12-NQ/TW of 2022-03-16' (and the issuer when known)."""
        text = f"{DOCUMENT_TYPES[self.type]} No. {self.code or self.number}"
        if self.date:
            text += f" of {self.date}"
        suffix = self.code.rsplit("/", 1)[-1] if "/" in self.code else ""
        issuer = _issuer_en(self.issuer, glossary) or CODE_ISSUERS.get(suffix, "")
        return text + (f", issued by the {issuer}" if issuer else "")


def _issuer_en(issuer: str, glossary: tuple[Term, ...]) -> str:
    for t in sorted(glossary, key=lambda t: -len(t.term)):
        if t.kind == "office" and issuer.startswith(t.term):
            return t.english
    return ""


def _trim_issuer(text: str) -> str:
    """The issuer's name: up to the first word that starts what the document is about."""
    cut = re.split(r"\s+(?:về|nhằm|đối với|trong|tại|và|để|do|của|thực hiện)\s+", text, maxsplit=1)[0]
    return cut.strip()


def find_references(text: str) -> list[Reference]:
    """Documents cited in a sentence, in order."""
    refs = []
    for m in _CITATION.finditer(text):
        ref = m.group("ref")
        is_code = bool(DOC_CODE.fullmatch(ref))
        date = find_dates(m.group("date"))[0].iso if m.group("date") and find_dates(m.group("date")) else ""
        refs.append(
            Reference(
                type=m.group("type"),
                number=ref.split("-")[0].split("/")[0] if is_code else ref,
                code=ref if is_code else "",
                date=date,
                issuer=_trim_issuer(m.group("issuer") or ""),
                cited_as=m.group(0).strip(),
            )
        )
    return refs


def references_frame(sentences: pd.DataFrame, glossary: tuple[Term, ...]) -> pd.DataFrame:
    """The references index of every report: one row per citation, with code and ISO date."""
    rows = []
    for row in sentences.itertuples():
        for ref in find_references(row.text_vi):
            rows.append(
                {"report_id": row.report_id, "sentence_no": row.sentence_no, "type": ref.type,
                 "type_en": DOCUMENT_TYPES[ref.type], "number": ref.number, "code": ref.code, "date": ref.date,
                 "issuer": ref.issuer, "cited_as": ref.cited_as, "english": ref.english(glossary)}
            )
    return pd.DataFrame(rows, columns=columns("references"))
