"""`python -m helpers review export|import`: reviews to and from translators' tools.

Export writes the sentences of some reports (or all) of a run as XLIFF 1.2 or TMX 1.4b. Import
reads an XLIFF file (segments marked final, translated or signed-off) or a TMX file (every unit)
and adds them to the reviews folder; a segment whose source is no sentence of the run is kept as an
unused review and listed. Every problem with a file is one line naming it, never a traceback.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers.config import Config
from helpers.review.entries import Review, now, reviewer_name
from helpers.review.store import read_bytes, save_reviews
from helpers.review.tmx import read_tmx, tmx_bytes
from helpers.review.xliff import read_xliff, xliff_bytes
from helpers.review.xmlsafe import ReviewFileError, root_tag
from helpers.store.contract import TABLES, read_table
from helpers.store.files import write_text

FORMATS = ("xliff", "tmx")


def chosen_sentences(cfg: Config, report_ids: list[str], every: bool) -> pd.DataFrame:
    """The translated sentences of the reports asked for (all with `every`), in the run's order."""
    sentences = read_table(cfg, "sentences")
    known = list(dict.fromkeys(sentences["report_id"]))
    if every:
        return sentences
    if not report_ids:
        raise ValueError("name the reports to export: --report ID (more than once for several) or --all")
    unknown = [r for r in report_ids if r not in known]
    if unknown:
        raise ValueError(f"no report {', '.join(map(repr, unknown))} in {cfg.data_dir / 'sentences.csv'}; "
                         f"the reports are: {', '.join(known)}")
    return sentences[sentences["report_id"].isin(report_ids)]


def export_reviews(cfg: Config, report_ids: list[str], every: bool, fmt: str | None, to: Path) -> str:
    """Write the chosen reports' sentences to `to` as XLIFF 1.2 or TMX 1.4b; the line to print."""
    fmt = fmt or ("tmx" if to.suffix.lower() == ".tmx" else "xliff")
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    frame = chosen_sentences(cfg, report_ids, every)
    if fmt == "xliff":
        data = xliff_bytes(frame)
    else:  # a memory holds pairs, not occurrences: each Vietnamese sentence once
        first = frame.drop_duplicates("text_vi")
        pairs = [Review(r["text_vi"], r["text_en"], r["reviewer"], r["reviewed_at"], r["review"] or "corrected")
                 if r["origin"] == "review" else Review(r["text_vi"], r["text_en"]) for r in first.to_dict("records")]
        reports = frame.groupby("text_vi", sort=False)["report_id"].agg(lambda ids: list(dict.fromkeys(ids)))
        props = {r["text_vi"]: {"x-origin": r["origin"], "x-report": reports[r["text_vi"]]}
                 for r in first.to_dict("records")}  # every report the sentence is in, one <prop> each
        data = tmx_bytes(pairs, props)
    if to.is_dir():
        raise ReviewFileError(f"{to}: is a folder; --to names the file to write")
    write_text(to, data.decode("utf-8"))
    reports = frame["report_id"].nunique()
    return (f"wrote {to}: {len(frame)} sentences of {reports} report{'s' * (reports != 1)} as "
            f"{'XLIFF 1.2' if fmt == 'xliff' else 'TMX 1.4b'}")


@dataclass
class Imported:
    """What an import did: the lines to print, and the segments that matched no sentence."""

    lines: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def read_exchange(path: Path) -> tuple[list[Review], int, str, list[str]]:
    """The reviews of an XLIFF or TMX file, how many segments were left out, its format, and notes
    on what else was left out."""
    data = read_bytes(path)
    if not data and not path.exists():
        raise ReviewFileError(f"{path}: does not exist")
    tag = root_tag(data, str(path))
    notes: list[str]
    if tag == "xliff":
        reviews, left, notes = read_xliff(data, str(path))
        return reviews, left, "XLIFF", notes
    if tag == "tmx":
        notes = []
        return (*read_tmx(data, str(path), notes), "TMX", notes)
    raise ReviewFileError(f"{path}: neither XLIFF nor TMX (its root element is <{tag}>)")


def import_reviews(cfg: Config, path: Path, reviewer: str | None = None) -> Imported:
    """Add the reviews of an XLIFF or TMX file to `cfg.reviews`; a review giving the English the
    sentence already has changes nothing, so a second import of the same file is harmless."""
    reviews, left, kind, notes = read_exchange(path)
    table = cfg.data_dir / TABLES["sentences"].file
    english: dict[str, str] = {}
    untranslated = False
    if table.is_file():  # matched against the corpus's sentences: a half-done run's are enough
        sentences = read_table(cfg, "sentences", stage="corpus")
        untranslated = "text_en" not in sentences.columns
        english = dict(zip(sentences["text_vi"], [""] * len(sentences) if untranslated else sentences["text_en"]))
    taken = []
    for r in reviews:
        source = unicodedata.normalize("NFC", r.source)
        machine = english.get(source)
        taken.append(replace(r, source=source, reviewer=reviewer or r.reviewer or reviewer_name(),
                             when=r.when or now(), kind="approved" if machine == r.english else r.kind))
    changed = save_reviews(cfg.reviews, taken)
    done = Imported([f"imported {path} ({kind}): {len(taken)} segments as reviews, {len(changed)} new or changed, "
                     f"{len(taken) - len(changed)} already so"
                     + (f"; {left} not marked as reviewed, left out" if left else "")
                     + "".join(f"; {note}" for note in notes)
                     + f" (reviews in {cfg.reviews})"])
    done.unmatched = [r.source for r in taken if r.source not in english]
    if untranslated:
        done.lines.append(f"{cfg.out}: the run there is not translated yet: run `make reports` (or `python -m "
                          "helpers translate`) and the reviews are applied")
    if done.unmatched and not english:
        done.lines.append(f"{path}: no {table} to match against: every segment is kept as an unused review")
    return done
