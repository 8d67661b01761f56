"""How long the entity step takes on a run's data (default: the seeds' run in build/), against that
run's own time: cold (every sentence tagged by the model) and warm (the tag memory of the cold pass),
in one process that has imported underthesea first, as the run's process has (docs/entities.md).

    .venv/bin/python benchmarks/entities_speed.py [OUT [RUN_SECONDS]]

RUN_SECONDS is the run's wall time (`time make reports ...`); without it, the sum of the stages'
seconds in run.json (corpus, translate, summarise: the pages and notebooks not counted).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import sys, time
from pathlib import Path
import underthesea  # the corpus stage has imported it (sent_tokenize) in the run's process: not counted
from helpers.config import Config
from helpers.entities.build import build_entities
from helpers.entities.memo import TagMemo
from helpers.review.glossary import glossary_for
from helpers.store.contract import read_table
cfg = Config(out=Path(sys.argv[1]))
tables = [read_table(cfg, n) for n in ("sentences", "reports", "references")]
glossary = glossary_for(cfg.reviews)
for _ in range(2):
    started = time.perf_counter()
    with TagMemo(Path(sys.argv[2])) as memo:
        entities, mentions = build_entities(*tables, glossary, memo=memo)
    print(f"{time.perf_counter() - started:.2f} {len(entities)} {len(mentions)}")
"""


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "build")
    run = json.loads((out / "data" / "run.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", CHILD, str(out), str(Path(tmp) / "tags.sqlite")],
                              capture_output=True, text=True, check=True)
    lines = [line.split() for line in done.stdout.splitlines()]
    times = [("cold (every sentence tagged)", float(lines[0][0])), ("warm (the tag memory)", float(lines[1][0]))]
    print(f"{out}: {lines[0][1]} entities, {lines[0][2]} mentions")
    stages = ("corpus", "translate", "summarise")
    total = float(argv[1]) if len(argv) > 1 else sum(run[s].get("seconds", 0) for s in stages)
    what = "the run's wall time" if len(argv) > 1 else "the stages' seconds in run.json"
    for label, seconds in times:
        share = f" = {100 * seconds / total:.1f} % of {what}, {total:.1f} s"
        print(f"entity step, {label}: {seconds:.2f} s{share}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
