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
from helpers.entities.merge import KINDS, clean_name, entity_id, key_of, plain
from helpers.entities.model import Tagged, TagWork, tag_all
from helpers.entities.world import english_name
from helpers.inference.cores import ItemsOf, on_every_core
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


Made = tuple[tuple[str, str, str], ...]  # what was found in one sentence: (surface, kind, merge key) of each mention
MENTIONS_ON_CORES_AT = 5_000  # sentences to look at from which they are looked at on every core (`inference.cores`)


def mentions_in(item: tuple[str, tuple[str, ...], Tagged | None, tuple[Term, ...], bool]) -> Made:
    """What one sentence mentions (its text, cited documents, the model's tagging of it, the glossary, whether the
    model is used): one item of a collection's, looked at on every core (`find_all`)."""
    text, cited, tagged, glossary, use_model = item
    return tuple((m.surface, m.kind, key_of(m.surface, m.kind, glossary))
                 for m in find_mentions(text, glossary, cited, tagged, use_model))


def find_all(sentences: pd.DataFrame, references: pd.DataFrame, glossary: tuple[Term, ...],
             memo: MutableMapping[str, Tagged] | None = None, use_model: bool = True,
             mentions: MentionMemo | None = None, work: TagWork | None = None) -> list[Found]:
    """Every mention of every Vietnamese sentence, with its merge key (corrections not yet applied).
    A sentence `mentions` holds from an earlier run is not looked at again; the model tags each other
    distinct sentence once (a sentence `memo` holds from an earlier run, never). The sentences looked at
    (Python that holds one core: 25 s of a first run at 10,000 reports) are looked at on every core from
    MENTIONS_ON_CORES_AT of them."""
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
    # the sentences to look at: each distinct one once (by its key), else each row
    first: dict[str | int, int] = {}
    for i in range(len(rows)):
        if not keys or keys[i] not in known:
            first.setdefault(keys[i] if keys else i, i)
    looked = list(first.items())

    def item(at: tuple[str | int, int]) -> tuple[str, tuple[str, ...], Tagged | None, tuple[Term, ...], bool]:
        text = rows[at[1]][2]
        return text, cites[at[1]], tagged.get(text), glossary, use_model

    made_now = dict(zip(first, on_every_core(mentions_in, ItemsOf(looked, item), MENTIONS_ON_CORES_AT)))
    found = []
    for i, (report_id, sentence_no, _) in enumerate(rows):
        if keys and keys[i] in known:
            made = known[keys[i]]
        else:
            made = made_now[keys[i] if keys else i]
            if mentions is not None:
                mentions.add(keys[i], made)
                known[keys[i]] = made
        found += [Found(report_id, sentence_no, surface, kind, key) for surface, kind, key in made]
    return found


def apply_corrections(found: list[Found], corrections: Iterable[Correction],
                      glossary: tuple[Term, ...]) -> list[Found]:
    """The mentions with the reviewers' corrections applied, in the order saved (re-kind, merge,
    reject; an `english` correction names an entity and changes no mention: `reviewed_english`)."""
    for c in corrections:
        if c.action == "english":
            continue
        target = (c.kind, key_of(c.name_vi, c.kind, glossary))
        if c.action == "reject":
            found = [f for f in found if (f.kind, f.key) != target]
            continue
        if c.action == "rekind":
            new = (c.value, key_of(c.name_vi, c.value, glossary))
        else:  # merge
            new = (c.kind, key_of(c.value, c.kind, glossary))
        found = [Found(f.report_id, f.sentence_no, f.surface, *new) if (f.kind, f.key) == target else f
                 for f in found]
    return found


def reviewed_english(corrections: Iterable[Correction], glossary: tuple[Term, ...]) -> dict[str, str]:
    """The reviewers' English names by entity id (the last `english` correction of an entity wins)."""
    return {entity_id(c.kind, key_of(c.name_vi, c.kind, glossary)): c.value for c in corrections
            if c.action == "english"}


def _glossary_english(glossary: tuple[Term, ...]) -> dict[str, str]:
    """The glossary's English by the entity id of each term and form (as an organisation)."""
    names: dict[str, str] = {}
    for t in glossary:
        if t.kind in ("office", "acronym") and t.english:
            for form in (t.term, *t.variants, t.expansion_vi):
                if form:
                    names.setdefault(entity_id("organisation", key_of(form, "organisation", glossary)), t.english)
    return names


def _document_english(references: pd.DataFrame, glossary: tuple[Term, ...]) -> dict[str, str]:
    """A cited document's English name ('Resolution No. 12-NQ/TW') by its entity id."""
    names: dict[str, str] = {}
    for row in references.itertuples(index=False) if len(references) else ():
        short = f"{row.type} {row.code or row.number}"
        names.setdefault(entity_id("document", key_of(short, "document", glossary)),
                         f"{row.type_en} No. {row.code or row.number}")
    return names


def report_mentions(sentences: pd.DataFrame, references: pd.DataFrame, glossary: tuple[Term, ...],
                    corrections: Iterable[Correction] = (), memo: MutableMapping[str, Tagged] | None = None,
                    use_model: bool = True, mentions: MentionMemo | None = None,
                    work: TagWork | None = None) -> pd.DataFrame:
    """The mentions table (contract columns) of the reports whose sentences and references are given:
    each mention with its entity's id, its sentence and its surface exactly as the sentence has it,
    the reviewers' corrections applied. A report's rows depend on its own rows alone (and the glossary,
    the corrections and the model), so a re-run makes them for new and changed reports only.
    `memo` keeps the model's tagging of each sentence across runs (`entities.memo.TagMemo`), and
    `mentions` what was found in it (`entities.memo.MentionMemo`); `work` counts the model's tagging."""
    found = apply_corrections(find_all(sentences, references, glossary, memo, use_model, mentions, work),
                              corrections, glossary)
    ids = {pair: entity_id(*pair) for pair in dict.fromkeys((f.kind, f.key) for f in found)}
    return pd.DataFrame([(ids[(f.kind, f.key)], f.report_id, f.sentence_no, f.surface) for f in found],
                        columns=columns("mentions"))


def entity_table(mentions: pd.DataFrame, reports: pd.DataFrame, references: pd.DataFrame,
                 glossary: tuple[Term, ...], corrections: Iterable[Correction] = ()) -> pd.DataFrame:
    """The entities table (contract columns) of a collection's mentions: each entity with its kind,
    its Vietnamese name (its commonest cleaned surface), its English name (reviewed, else a cited
    document's, a glossary body's or a country's or world region's (CLDR's), else the Vietnamese),
    how many reports and mentions name it, and the first and last of those reports' dates. Made from
    the whole mentions table each run (a few hundred thousand rows at 10,000 reports), counted by
    pandas, each distinct surface cleaned once."""
    if not len(mentions):
        return pd.DataFrame(columns=columns("entities"))
    kinds = {kind[:3]: kind for kind in KINDS}  # an id is `<kind[:3]>-<digest>` (merge.entity_id)
    frame = mentions[["entity_id", "report_id", "surface"]].astype(str)
    order = frame["entity_id"].drop_duplicates().tolist()  # as first named: a whole run's order of ties
    counted = frame.groupby("entity_id", sort=False).agg(reports=("report_id", "nunique"),
                                                         mentions=("report_id", "size"))
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for (eid, surface), n in frame.groupby(["entity_id", "surface"], sort=False).size().items():
        names[eid][clean_name(surface, kinds[eid[:3]])] += int(n)
    dates = ({str(r): str(d) for r, d in zip(reports["report_id"], reports["date"].fillna(""))}
             if len(reports) else {})
    spans: dict[str, list[str]] = defaultdict(list)
    for eid, rid in frame[["entity_id", "report_id"]].drop_duplicates().itertuples(index=False):
        if dates.get(rid, ""):
            spans[eid].append(dates[rid])
    reviewed, documents = reviewed_english(corrections, glossary), _document_english(references, glossary)
    english = _glossary_english(glossary)
    rows = []
    for eid in order:
        kind, named = kinds[eid[:3]], names[eid]
        name_vi = sorted(named, key=lambda n: (-named[n], -len(n), n))[0]
        name_en = reviewed.get(eid) or (documents.get(eid) if kind == "document" else None) \
            or (english.get(eid) if kind == "organisation" else None) \
            or (english_name(plain(name_vi)) if kind == "place" else None) or name_vi
        span = spans.get(eid, [])
        rows.append({"entity_id": eid, "kind": kind, "name_vi": plain(name_vi), "name_en": name_en,
                     "reports": int(counted.at[eid, "reports"]), "mentions": int(counted.at[eid, "mentions"]),
                     "first_date": min(span) if span else "", "last_date": max(span) if span else ""})
    entities = pd.DataFrame(rows, columns=columns("entities"))
    return entities.sort_values(["kind", "reports", "mentions", "name_vi"], ascending=[True, False, False, True],
                                ignore_index=True)


def build_entities(sentences: pd.DataFrame, reports: pd.DataFrame, references: pd.DataFrame,
                   glossary: tuple[Term, ...], corrections: Iterable[Correction] = (),
                   memo: MutableMapping[str, Tagged] | None = None,
                   use_model: bool = True, mentions: MentionMemo | None = None,
                   work: TagWork | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The entities and mentions tables of a whole collection at once (`report_mentions`, then
    `entity_table` of them): what the step's run from scratch writes."""
    corrections = tuple(corrections)
    found = report_mentions(sentences, references, glossary, corrections, memo, use_model, mentions, work)
    return entity_table(found, reports, references, glossary, corrections), found
