"""The reviews folder (`REVIEWS`, default `reviews/` in the project): what people approved or
corrected, as files that travel with the project (committed, diffed, opened by translators' tools).

    sentences.tmx    approved sentence pairs, TMX 1.4b (vi → en), one unit per Vietnamese sentence
    summaries.json   reviewed summaries (`review.summaries`)
    glossary.csv     terms added by reviewers (`review.glossary`)

A save takes the file's lock, reads the file again, merges and replaces it atomically: two people
saving at once lose nothing, and a reader never sees half a file. Nothing is ever deleted: a
review whose sentence occurs in no report is kept, and listed as unused; a save edits the TMX in
place (`review.tmxedit`), so units, properties and notes it does not use are kept as they were.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from helpers.review.entries import Review, now, reviewer_name
from helpers.review.tmx import REVIEW_PROP, SOURCE_LANG, TARGET_LANG, read_tmx, tmx_bytes
from helpers.review.tmxedit import merge_tmx
from helpers.review.xmlsafe import ReviewFileError
from helpers.store.files import locked, write_text

SENTENCES = "sentences.tmx"
SUMMARIES = "summaries.json"
GLOSSARY = "glossary.csv"
ENTITIES = "entities.csv"  # corrections of the entity index (helpers.entities.corrections)
FILES = (SENTENCES, SUMMARIES, GLOSSARY, ENTITIES)  # what the reviews' digest covers (not the README or locks)


def sentences_file(folder: Path) -> Path:
    """The TMX file of the sentence reviews in a reviews folder."""
    return Path(folder) / SENTENCES


def read_bytes(path: Path) -> bytes:
    """A reviews or exchange file's bytes, b'' when it does not exist; one line naming it otherwise."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # opening a FIFO would wait for a writer for ever; a device could be read for ever
            raise ReviewFileError(f"{path}: is not a regular file (a pipe, device or socket): not read")
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except IsADirectoryError:
        raise ReviewFileError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def load_reviews(folder: Path) -> dict[str, Review]:
    """Every sentence review of the folder, by its Vietnamese sentence ({} when there is none)."""
    path = sentences_file(folder)
    data = read_bytes(path)
    if not data:
        return {}
    reviews, _ = read_tmx(data, str(path))
    return {r.source: r for r in reviews}


def save_reviews(folder: Path, reviews: Iterable[Review]) -> list[Review]:
    """Add or change these reviews in the folder's file (lock, read again, merge, atomic replace);
    return those that changed it. A review giving a sentence the English it already has changes
    nothing (the first reviewer and time are kept), so importing a file twice is harmless."""
    path = sentences_file(folder)
    with locked(path):
        data = read_bytes(path)
        current = load_reviews(folder)
        changed = []
        for review in reviews:
            review = review if review.reviewer and review.when else \
                replace(review, reviewer=review.reviewer or reviewer_name(), when=review.when or now())
            kept = current.get(review.source)
            if kept is None or kept.english != review.english:
                current[review.source] = review
                changed.append(review)
        if changed and not data.strip():
            ordered = sorted(current.values(), key=lambda r: r.source)  # stable order: small, mergeable diffs
            write_text(path, tmx_bytes(ordered).decode("utf-8"))
        elif changed:  # the file edited in place: what it holds that reviews do not use is kept
            write_text(path, merge_tmx(data, str(path), changed, tmx_bytes(changed), REVIEW_PROP,
                                       SOURCE_LANG, TARGET_LANG).decode("utf-8"))
    return changed


def reviews_digest(folder: Path) -> str:
    """A digest of the folder's review files as they are now: stamps make a stage current only for
    the reviews it was made with, and provenance names it."""
    return digest_of({name: read_bytes(Path(folder) / name) for name in FILES})


def digest_of(files: dict[str, bytes], names: tuple[str, ...] = FILES) -> str:
    """The digest of review files' bytes by name (the same for a folder and a snapshot of it)."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0" + (files.get(name) or b"-") + b"\0")
    return h.hexdigest()
