"""The entity index of a run: every mention of a person, organisation, place or cited document in
each report's Vietnamese, merged into entities, with the reviewers' corrections applied.

`build_entities` is the step's one entry point, over plain tables (what the stage reads from
`OUT/data/`), and returns the two contract tables, `entities` and `mentions`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, MutableMapping
from typing import NamedTuple

import pandas as pd

from helpers.entities.corrections import Correction
from helpers.entities.memo import MentionMemo
from helpers.entities.mentions import find_mentions
from helpers.entities.merge import clean_name, entity_id, key_of, plain
from helpers.entities.model import Tagged, TagWork, tag_all
from helpers.store.contract import columns
from helpers.text.glossary import Term


class Found(NamedTuple):
    """A mention of one sentence, with the entity it belongs to (kind and key) once merged (a named
    tuple: a collection has hundreds of thousands, made each run)."""

    report_id: str
    sentence_no: int
    surface: str
    kind: str
    key: str


def _cited(references: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    """Each sentence's cited documents as written (`cited_as` of references.csv)."""
    cited: dict[tuple[str, int], list[str]] = defaultdict(list)
    if len(references):
        for row in references[["report_id", "sentence_no", "cited_as"]].itertuples(index=False):
            cited[(str(row.report_id), int(row.sentence_no))].append(str(row.cited_as))
    return cited


def find_all(sentences: pd.DataFrame, references: pd.DataFrame, glossary: tuple[Term, ...],
             memo: MutableMapping[str, Tagged] | None = None, use_model: bool = True,
             mentions: MentionMemo | None = None, work: TagWork | None = None) -> list[Found]:
    """Every mention of every Vietnamese sentence, with its merge key (corrections not yet applied).
    A sentence `mentions` holds from an earlier run is not looked at again; the model tags each other
    distinct sentence once (a sentence `memo` holds from an earlier run, never)."""
    cited = _cited(references)
    vietnamese = sentences if "lang" not in sentences else sentences[sentences["lang"].fillna("vi").isin(["vi", ""])]
    rows = [(str(r), int(n), t if isinstance(t, str) else "") for r, n, t in zip(
        *(vietnamese[c].tolist() for c in ("report_id", "sentence_no", "text_vi")))]
    cites = [tuple(cited.get((r, n), ())) for r, n, _ in rows]
    keys: list[str] = []
    if mentions is not None:  # each distinct sentence keyed once (a collection repeats its boilerplate)
        pairs = [(t, c) for (_, _, t), c in zip(rows, cites)]
        keyed = {pair: mentions.key(*pair) for pair in dict.fromkeys(pairs)}
        keys = [keyed[pair] for pair in pairs]
    known = mentions.known(list(dict.fromkeys(keys))) if mentions is not None else {}
    todo = [t for i, (_, _, t) in enumerate(rows) if not keys or keys[i] not in known]
    tagged = tag_all(todo, memo, work) if use_model else {}
    found = []
    for i, (report_id, sentence_no, text) in enumerate(rows):
        if keys and keys[i] in known:
            made = known[keys[i]]
        else:
            made = tuple((m.surface, m.kind, key_of(m.surface, m.kind, glossary))
                         for m in find_mentions(text, glossary, cites[i], tagged.get(text), use_model))
            if mentions is not None:
                mentions.add(keys[i], made)
                known[keys[i]] = made
        found += [Found(report_id, sentence_no, surface, kind, key) for surface, kind, key in made]
    return found


def apply_corrections(found: list[Found], corrections: Iterable[Correction],
                      glossary: tuple[Term, ...]) -> tuple[list[Found], dict[tuple[str, str], str]]:
    """The mentions with the reviewers' corrections applied, in the order saved (re-kind, merge,
    reject), and the reviewed English names by (kind, key)."""
    english: dict[tuple[str, str], str] = {}
    for c in corrections:
        target = (c.kind, key_of(c.name_vi, c.kind, glossary))
        if c.action == "english":
            english[target] = c.value
            continue
        if c.action == "reject":
            found = [f for f in found if (f.kind, f.key) != target]
            continue
        if c.action == "rekind":
            new = (c.value, key_of(c.name_vi, c.value, glossary))
        else:  # merge
            new = (c.kind, key_of(c.value, c.kind, glossary))
        found = [Found(f.report_id, f.sentence_no, f.surface, *new) if (f.kind, f.key) == target else f
                 for f in found]
    return found, english


def _glossary_english(glossary: tuple[Term, ...]) -> dict[str, str]:
    """The glossary's English by the organisation key of each term and form."""
    names: dict[str, str] = {}
    for t in glossary:
        if t.kind in ("office", "acronym") and t.english:
            for form in (t.term, *t.variants, t.expansion_vi):
                if form:
                    names.setdefault(key_of(form, "organisation", glossary), t.english)
    return names


def _document_english(references: pd.DataFrame, glossary: tuple[Term, ...]) -> dict[str, str]:
    """A cited document's English name ('Resolution No. 12-NQ/TW') by its key."""
    names: dict[str, str] = {}
    for row in references.itertuples(index=False) if len(references) else ():
        short = f"{row.type} {row.code or row.number}"
        names.setdefault(key_of(short, "document", glossary), f"{row.type_en} No. {row.code or row.number}")
    return names


def build_entities(sentences: pd.DataFrame, reports: pd.DataFrame, references: pd.DataFrame,
                   glossary: tuple[Term, ...], corrections: Iterable[Correction] = (),
                   memo: MutableMapping[str, Tagged] | None = None,
                   use_model: bool = True, mentions: MentionMemo | None = None,
                   work: TagWork | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The entities and mentions tables of a run (contract columns): each entity with its kind, its
    Vietnamese and English names, how many reports and mentions name it, and the first and last
    report dates; each mention with its sentence and its surface exactly as the sentence has it.
    `memo` keeps the model's tagging of each sentence across runs (`entities.memo.TagMemo`), and
    `mentions` what was found in it (`entities.memo.MentionMemo`); `work` counts the model's tagging."""
    found, reviewed = apply_corrections(find_all(sentences, references, glossary, memo, use_model, mentions, work),
                                        corrections, glossary)
    dates = {str(r): str(d) for r, d in zip(reports["report_id"], reports["date"].fillna(""))} if len(reports) else {}
    by_entity: dict[tuple[str, str], list[Found]] = defaultdict(list)
    for f in found:
        by_entity[(f.kind, f.key)].append(f)
    english = {**_glossary_english(glossary)}
    documents = _document_english(references, glossary)
    rows = []
    for (kind, key), items in by_entity.items():
        names: Counter[str] = Counter()
        for surface, n in Counter(f.surface for f in items).items():  # each distinct surface cleaned once
            names[clean_name(surface, kind)] += n
        name_vi = sorted(names, key=lambda n: (-names[n], -len(n), n))[0]
        name_en = reviewed.get((kind, key)) or (documents.get(key) if kind == "document" else None) \
            or (english.get(key) if kind == "organisation" else None) or name_vi
        report_dates = sorted(d for d in {dates.get(f.report_id, "") for f in items} if d)
        rows.append({"entity_id": entity_id(kind, key), "kind": kind, "name_vi": plain(name_vi), "name_en": name_en,
                     "reports": len({f.report_id for f in items}), "mentions": len(items),
                     "first_date": report_dates[0] if report_dates else "",
                     "last_date": report_dates[-1] if report_dates else ""})
    entities = pd.DataFrame(rows, columns=columns("entities"))
    if len(entities):
        entities = entities.sort_values(["kind", "reports", "mentions", "name_vi"],
                                        ascending=[True, False, False, True], ignore_index=True)
    ids = {pair: entity_id(*pair) for pair in by_entity}
    mentions = pd.DataFrame([(ids[(f.kind, f.key)], f.report_id, f.sentence_no, f.surface) for f in found],
                            columns=columns("mentions"))
    return entities, mentions
