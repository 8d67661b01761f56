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
    many rows there are. Ties in the order of `by`."""
    if not len(frame):
        return pd.DataFrame(columns=[*by, what] + ([] if what == "reports" else ["reports"]))
    counts = {what: ("report_id", "size"), **({} if what == "reports" else {"reports": ("report_id", "nunique")})}
    counted = frame.groupby(by, dropna=False).agg(**counts).reset_index()
    return counted.sort_values([what, *by], ascending=[False, *[True] * len(by)], kind="stable").reset_index(drop=True)


def exploded(frame: pd.DataFrame, column: str, sep: str, name: str) -> pd.DataFrame:
    """`frame`'s rows once per item of the `sep`-joined cells of `column` (as `name`); empty cells go."""
    items = frame[column].fillna("").astype(str).str.split(sep, regex=False)
    out = frame.drop(columns=[column]).assign(**{name: items}).explode(name)
    return out[out[name].astype(str) != ""]


def flag_codes(frame: pd.DataFrame, column: str = "flags") -> pd.DataFrame:
    """Each flag of `column` as its own row: its code and its detail ('number_changed:450→405' →
    'number_changed', '450→405')."""
    out = exploded(frame, column, FLAG_SEP, "flag")
    parts = out["flag"].str.split(":", n=1)
    return out.assign(flag=parts.str[0], detail=parts.str[1].fillna(""))


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
