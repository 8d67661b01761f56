"""Reviewers' corrections of the entity index: `REVIEWS/entities.csv`, one line each, kept with the
project and applied in every later run (as sentence reviews are).

    action   rekind   the entity is of another kind (`value`: person, organisation, place, document)
             merge    the entity is the same as another of its kind (`value`: that one's name)
             reject   the name is not an entity (a false name): its mentions are dropped
             english  the entity's reviewed English name (`value`)
    kind, name_vi     which entity, as the index shows it (any form that merges to it works)

A save takes the file's lock, reads it again, adds the line and replaces the file atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from helpers.entities.merge import KINDS
from helpers.review.entries import now, reviewer_name
from helpers.review.store import ENTITIES, read_bytes
from helpers.store.files import locked, write_text

COLUMNS = ("action", "kind", "name_vi", "value", "reviewer", "reviewed_at")
ACTIONS = ("rekind", "merge", "reject", "english")


class CorrectionError(ValueError):
    """A correction, or the corrections file, is malformed; the message names the file and the line."""


@dataclass(frozen=True)
class Correction:
    """One reviewed correction of the entity index."""

    action: str
    kind: str
    name_vi: str
    value: str = ""
    reviewer: str = ""
    reviewed_at: str = ""


def corrections_file(folder: Path) -> Path:
    """The entity corrections of a reviews folder."""
    return Path(folder) / ENTITIES


def _checked(c: Correction, where: str) -> Correction:
    if c.action not in ACTIONS:
        raise CorrectionError(f"{where}: the action must be one of {', '.join(ACTIONS)}, not {c.action!r}")
    if c.kind not in KINDS or not c.name_vi.strip():
        raise CorrectionError(f"{where}: needs a kind of {', '.join(KINDS)} and the entity's Vietnamese name")
    if c.action == "rekind" and c.value not in KINDS:
        raise CorrectionError(f"{where}: rekind needs the new kind ({', '.join(KINDS)}) as its value")
    if c.action in ("merge", "english") and not c.value.strip():
        raise CorrectionError(f"{where}: {c.action} needs a value (the other name, or the English)")
    return c


def load_corrections(folder: Path, data: bytes | None = None) -> tuple[Correction, ...]:
    """Every correction of the folder, in the order saved (() when there is none); `data`: the file's bytes
    as a run read them (`ReviewsSnapshot`), else read now."""
    path = corrections_file(folder)
    data = read_bytes(path) if data is None else data
    if not data:
        return ()
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CorrectionError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    if rows and tuple(rows[0].keys())[:4] != COLUMNS[:4]:
        raise CorrectionError(f"{path}: the header must be {','.join(COLUMNS)}")
    return tuple(_checked(Correction(**{c: (row.get(c) or "").strip() for c in COLUMNS}), f"{path}, line {n}")
                 for n, row in enumerate(rows, start=2))


def save_correction(folder: Path, action: str, kind: str, name_vi: str, value: str = "",
                    reviewer: str | None = None) -> Correction:
    """Add one correction to the folder's file (lock, read again, append, atomic replace)."""
    path = corrections_file(folder)
    correction = _checked(Correction(action, kind, name_vi.strip(), value.strip(), reviewer or reviewer_name(),
                                     now()), str(path))
    Path(folder).mkdir(parents=True, exist_ok=True)
    with locked(path):
        kept = list(load_corrections(folder)) + [correction]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([getattr(c, f) for f in COLUMNS] for c in kept)
        write_text(path, out.getvalue())
    return correction


def corrections_digest(folder: Path) -> str:
    """A digest of the corrections file as it is now (for the stage's stamp and run.json)."""
    return hashlib.sha256(read_bytes(corrections_file(folder)) or b"-").hexdigest()
