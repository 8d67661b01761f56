"""What the stage notebooks show of a collection of any size: counts, spreads, the few most or
newest, and a seeded sample; never a whole table (a page of 10,000 reports must stay readable and
small). Pure functions over the stages' tables, vectorised (no loop over reports)."""

from __future__ import annotations

import pandas as pd

from helpers.checks.flags import FLAG_SEP

SHOWN = 10  # rows of a "most" or "newest" table
TALLIED = 20  # rows of a tally (flags, reasons, terms, documents)
SAMPLED = 12  # rows of a sample


def spread(values: pd.Series, unit: str) -> pd.DataFrame:
    """One row: how many values, and their mean, median, 90th percentile and largest (`unit`: what is
    counted, e.g. 'words')."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if not len(values):
        return pd.DataFrame({"count": [0]})
    return pd.DataFrame({"count": [len(values)], f"mean {unit}": [round(float(values.mean()), 1)],
                         f"median {unit}": [round(float(values.median()), 1)],
                         "90% at most": [round(float(values.quantile(0.9)), 1)], f"most {unit}": [float(values.max())]})


def tally(frame: pd.DataFrame, by: list[str], what: str = "rows") -> pd.DataFrame:
    """Rows counted by the columns `by` (and the reports they are in), most first: a few lines, however
    many rows there are. Ties in the order of `by`. Rows of one index label are one thing counted once a
    group: `exploded` and `flag_codes` keep a sentence's label on each of its items, so a sentence with
    two terms missing is one sentence with `term_missing`, not two."""
    if not len(frame):
        return pd.DataFrame(columns=[*by, what] + ([] if what == "reports" else ["reports"]))
    if not frame.index.is_unique:
        frame = frame[~frame[by].assign(_row=frame.index).duplicated().to_numpy()]
    counts = {what: ("report_id", "size"), **({} if what == "reports" else {"reports": ("report_id", "nunique")})}
    counted = frame.groupby(by, dropna=False).agg(**counts).reset_index()
    return counted.sort_values([what, *by], ascending=[False, *[True] * len(by)], kind="stable").reset_index(drop=True)


def exploded(frame: pd.DataFrame, column: str, sep: str, name: str) -> pd.DataFrame:
    """`frame`'s rows once per item of the `sep`-joined cells of `column` (as `name`); empty cells go.
    Split in one pass over plain strings: pandas' string methods took 1.3 s of notebook 02 for the 726,000
    flags of 123,000 sentences (10,000 reports, demo models), this 0.65 s."""
    import numpy as np

    items = [cell.split(sep) if cell else [] for cell in frame[column].fillna("").astype(str).tolist()]
    rows = np.repeat(np.arange(len(frame)), [len(i) for i in items])
    flat = pd.Series([x for i in items for x in i], index=frame.index[rows], dtype=str)
    out = frame.drop(columns=[column]).iloc[rows].assign(**{name: flat})
    return out[(flat != "").to_numpy()]


def flag_codes(frame: pd.DataFrame, column: str = "flags") -> pd.DataFrame:
    """Each flag of `column` as its own row: its code and its detail ('number_changed:450→405' →
    'number_changed', '450→405'). Each distinct flag is split once: 726,000 flags of 10,000 reports are
    20,000 distinct ones (split one by one, they took notebook 02 0.4 s)."""
    import numpy as np

    out = exploded(frame, column, FLAG_SEP, "flag")
    codes, distinct = pd.factorize(out["flag"])
    parts = [str(flag).partition(":") for flag in distinct]
    code = np.array([p[0] for p in parts], dtype=object)
    detail = np.array([p[2] for p in parts], dtype=object)
    return out.assign(flag=pd.Series(code[codes], index=out.index, dtype=object),
                      detail=pd.Series(detail[codes], index=out.index, dtype=object))


def word_counts(texts: pd.Series) -> pd.Series:
    """How many words each text has, as `len(text.split())` counts them (runs of any whitespace). A text
    whose only whitespace is single spaces between words (`isprintable` is False for every other
    character `str.split` splits at: tabs, line breaks, no-break and other spaces) has one word more than
    spaces, counted without making the words: at 10,000 reports (120,000 texts, 30 million characters)
    0.16 s, where splitting took 0.32 s and a pass over the code points with NumPy 0.42 s."""
    values = texts.fillna("").astype(str).tolist()
    counts = [v.count(" ") + 1 if v and v.isprintable() and v[0] != " " and v[-1] != " " and "  " not in v
              else len(v.split()) for v in values]
    return pd.Series(counts, index=texts.index, dtype="int64")


def most(frame: pd.DataFrame, column: str, n: int = SHOWN, tie: str = "report_id") -> pd.DataFrame:
    """The `n` rows with the largest `column` (ties by `tie`), for 'the most flagged', 'the longest'."""
    return frame.sort_values([column, tie], ascending=[False, True], kind="stable").head(n).reset_index(drop=True)


def newest(reports: pd.DataFrame, n: int = SHOWN) -> pd.DataFrame:
    """The `n` newest reports by their date (ISO text; undated last), ties by report id."""
    dated = reports.assign(_date=reports["date"].fillna("").astype(str))
    return dated.sort_values(["_date", "report_id"], ascending=[False, True], kind="stable").head(n).drop(
        columns="_date").reset_index(drop=True)


def sample(frame: pd.DataFrame, n: int = SAMPLED, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of `n` rows in their own order: the same rows every run of the same data."""
    if len(frame) <= n:
        return frame.reset_index(drop=True)
    return frame.sample(n=n, random_state=seed).sort_index().reset_index(drop=True)
