"""How quick the review panel (notebook 06) is at scale, in a real kernel: 300 synthetic reports
(tests/synthetic.py, through the corpus stage), their sentences given an English and ~800 distinct
flagged sentences, then the time to open the panel (read the run, build the queue, make the first
page of cards and display it) and to answer "next unreviewed" after an approval.

Usage: .venv/bin/python benchmarks/review_panel.py [--reports 300] [--flagged 800]
(docs/review.md gives the figures). Nothing is written outside a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

TIMING = """
import json, os, time
from IPython.display import display
from helpers.config import Config
from helpers.review.notebook import ReviewPanel
cfg = Config.from_parameters({{"OUT": {out!r}, "REVIEWS": {reviews!r}, "MODELS": "demo"}})
t = time.perf_counter()
panel = ReviewPanel(cfg)
display(panel.widget)
opened = time.perf_counter() - t
nexts, approvals = [], []
for _ in range(5):
    t = time.perf_counter()
    panel.cards[0].approve.click()
    approvals.append(time.perf_counter() - t)
    t = time.perf_counter()
    panel.go_next_unreviewed()
    nexts.append(time.perf_counter() - t)
t = time.perf_counter()
panel.search.value = "Hội nghị"
searched = time.perf_counter() - t
print(json.dumps({{"open_s": opened, "next_unreviewed_s": nexts, "approve_s": approvals, "search_s": searched,
                  "progress": panel.progress_line(), "picker_entries": len(panel.choice.options)}}))
"""


def make_run(folder: Path, reports: int, flagged: int) -> Path:
    """OUT of a run of `reports` synthetic reports whose sentences have an English, `flagged` of the
    distinct ones flagged (no model: the panel's speed does not depend on the English)."""
    from helpers.checks.flags import flag
    from helpers.cli import main
    from helpers.store.contract import columns
    from helpers.store.files import read_csv, write_csv
    from synthetic import write_reports

    write_reports(reports, folder / "seeds")
    out = folder / "out"
    assert main(["corpus", "--seeds", str(folder / "seeds"), "--out", str(out), "--models", "demo"]) == 0
    sentences = read_csv(out / "data" / "sentences.csv")
    distinct = list(dict.fromkeys(sentences["text_vi"]))
    step = max(1, len(distinct) // flagged)
    chosen = set(distinct[::step][:flagged])
    sentences["text_en"] = [f"English of sentence {n}." for n in range(len(sentences))]
    sentences["flags"] = [flag("number_missing", "12") if s in chosen else "" for s in sentences["text_vi"]]
    for name in columns("sentences"):
        if name not in sentences:
            sentences[name] = "model" if name == "origin" else ""
    write_csv(out / "data" / "sentences.csv", sentences[list(columns("sentences"))])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--flagged", type=int, default=800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        out = make_run(Path(tmp), args.reports, args.flagged)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            TIMING.format(out=str(out), reviews=str(Path(tmp) / "reviews")))])
        NotebookClient(nb, kernel_name="python3", timeout=600).execute()
        result = json.loads(next(o["text"] for o in nb.cells[0].outputs if o.get("name") == "stdout"))
    nexts, approvals = sorted(result["next_unreviewed_s"]), sorted(result["approve_s"])
    print(f"{args.reports} reports; {result['progress']}; {result['picker_entries']} picker entries")
    print(f"open the panel: {result['open_s']:.2f} s; next unreviewed: median {nexts[len(nexts) // 2]:.2f} s, "
          f"worst {nexts[-1]:.2f} s; approve (save, recount): median {approvals[2]:.2f} s; "
          f"search the picker: {result['search_s']:.2f} s")


if __name__ == "__main__":
    main()
