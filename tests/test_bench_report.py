"""`make bench`'s last line over the peers that ran (`benchmarks/whole_job.py --peers`): without the slow
transformers peers there is no speed-up over the naive loop to print, and vs_best_peer says which peers
it was taken over, so a shortened run is never read as the whole comparison."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _results(seconds: dict[str, float]) -> dict:
    sys.path.insert(0, str(BENCHMARKS))
    import whole_job

    return {side: {label: {"seconds": s / len(whole_job.MODELS), "tokens": 10, "warm_seconds": 0.001}
                   for label in whole_job.MODELS} | {"run_peak_mb": 900}
            for side, s in seconds.items()}


def test_the_last_line_names_the_peers_it_was_taken_over(capsys):
    sys.path.insert(0, str(BENCHMARKS))
    import whole_job

    first = {label: {"seconds": 1.0} for label in whole_job.MODELS} | {"run_peak_mb": 1000, "converter_peak_mb": 500}
    results = _results({"project": 100.0, "argos": 180.0, "ct2-expert": 150.0})
    peaks = {"project": 1100, "argos": 1500, "ct2-expert": 1300, "first run": 1200}
    whole_job.report({label: {"texts": ["a"]} for label in whole_job.MODELS}, results, first, peaks, sampled=False)
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("vs_best_peer=1.50 (over argos,ct2-expert only) best_peer=ct2-expert ")
    assert "translate_speedup" not in last

    results = _results({"project": 100.0, "argos": 180.0, "ct2-expert": 150.0, "easynmt": 400.0, "naive": 900.0})
    peaks |= {"easynmt": 5000, "naive": 2000}
    whole_job.report({label: {"texts": ["a"]} for label in whole_job.MODELS}, results, first, peaks, sampled=False)
    last = capsys.readouterr().out.splitlines()[-1]
    assert "pipeline_speedup=9.0 vs_best_peer=1.50 best_peer=ct2-expert " in last and "only" not in last
