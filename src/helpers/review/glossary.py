"""Terms added by reviewers: `REVIEWS/glossary.csv`, in the packaged glossary's columns, so the
change is a reviewable line in a diff. It is read after the packaged glossary (a term of the same
name replaces the packaged one) and used by the translation step like any other term."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from helpers.review.store import GLOSSARY
from helpers.store.files import locked, write_text
from helpers.text.glossary import KINDS, COLUMNS, GlossaryError, Term, default_glossary, load_glossary



def glossary_file(folder: Path) -> Path:
    """The reviewers' glossary of a reviews folder."""
    return Path(folder) / GLOSSARY


def glossary_for(folder: Path) -> tuple[Term, ...]:
    """The packaged glossary with the reviewers' terms (theirs win for the same term)."""
    path = glossary_file(folder)
    if not path.is_file():
        return default_glossary()
    added = load_glossary(path)
    names = {t.term for t in added}
    return tuple(t for t in default_glossary() if t.term not in names) + added


def add_term(folder: Path, term: str, english: str, kind: str = "office", expansion_vi: str = "",
             variants: str = "", variants_en: str = "") -> Path:
    """Add (or replace) one term in the reviewers' glossary, under its lock and atomically."""
    row = {"term": term.strip(), "kind": kind, "expansion_vi": expansion_vi.strip(), "english": english.strip(),
           "variants": variants.strip(), "variants_en": variants_en.strip()}
    path = glossary_file(folder)
    if not row["term"] or kind not in KINDS:
        raise GlossaryError(f"{path}: a term needs its Vietnamese words and a kind of {', '.join(KINDS)}")
    if kind != "typo" and not row["english"]:
        raise GlossaryError(f"{path}: the term {row['term']!r} needs its English rendering")
    with locked(path):
        text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        rows = [r for r in rows if r.get("term") != row["term"]] + [row]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        write_text(path, out.getvalue())
    return path
