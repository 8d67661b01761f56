"""The entity step's precision and recall on hand-annotated Vietnamese prose (not the seeds),
against underthesea's NER alone: exact span + kind match (docs/entities.md).

    .venv/bin/python benchmarks/entities_quality.py [--errors]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from helpers.entities.quality import TAGS, misses, model_only, read_annotated, score, step_spans
from helpers.text.glossary import default_glossary

DATA = Path(__file__).resolve().parents[1] / "tests" / "reference" / "entities" / "annotated.txt"


def main(argv: list[str]) -> int:
    sentences = read_annotated(DATA)
    step, model = step_spans(sentences, default_glossary()), model_only(sentences)
    gold = Counter(k for _, spans in sentences for _, _, k in spans)
    print(f"{len(sentences)} sentences, {sum(gold.values())} annotated mentions "
          f"({', '.join(f'{n} {k}' for k, n in gold.items())}); exact span + kind match")
    rows = [("all kinds", tuple(TAGS.values())), ("person, organisation, place", ("person", "organisation", "place"))]
    rows += [(k, (k,)) for k in TAGS.values()]
    print(f"{'kinds':<30} {'system':<18} {'precision':>9} {'recall':>7} {'F1':>6}  found/correct/gold")
    for label, kinds in rows:
        for name, found in (("underthesea alone", model), ("the step", step)):
            s = score(name, sentences, found, kinds)
            print(f"{label:<30} {name:<18} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f}  "
                  f"{s.found}/{s.correct}/{s.gold}")
    if "--errors" in argv:
        for name, found in (("underthesea alone", model), ("the step", step)):
            missed, wrong = misses(sentences, found)
            print(f"\n{name}: missed {len(missed)}\n  " + "\n  ".join(missed))
            print(f"{name}: wrong {len(wrong)}\n  " + "\n  ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
