"""The whole model work of `make reports`, a naive loop against the project's path, side by side in one run.

Real weights cannot be downloaded here, so every model is a random-weight model with the
full shape of the real one, and every output is forced to a fixed length, so the compute is
what real weights would cost:

- translation: Helsinki-NLP/opus-mt-vi-en's shape, outputs 1.2x the input's tokens
  (as `translate_speed.py`), on every sentence of the seeds;
- summaries: sshleifer/distilbart-cnn-12-6's shape (d_model 1024, 12+6 layers, 16 heads, FFN
  4096, 50,264 rows), 100 tokens per summary, on the reference English of each report's body;
  csebuetnlp/mT5_multilingual_XLSum's (mT5-base: d_model 768, 12+12 layers, 12 heads, gated FFN
  2048, 250,112 untied rows), 84 tokens, on each report's Vietnamese body. The chunks are the
  project's (`pack_chunks`: whole sentences within the model's input limit); both sides
  summarise the same chunks, beam 4.

naive: transformers fp32, one sentence or chunk at a time (`generate`, beam 4).
project: the same calls `make reports` makes (CTranslate2 int8, batches by length across
reports, one worker per core, the translation memory), cold, in a child process whose peak
resident memory is the whole model work's; then warm (everything from the memory).

The last line: translate_speedup=X summarise_speedup=Y pipeline_speedup=Z warm_speedup=W peak_rss_mb=M
Usage: python benchmarks/whole_job.py [--sample N]   (N: sentences and chunks timed naively; 0: all)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translate_speed  # noqa: E402  (the translation half, shared with `make bench-translate`)

ROOT = Path(__file__).resolve().parents[1]
# summariser key: (forced summary tokens, which text it reads); its shape is shapes.SHAPES[key]
SUMMARISERS = {"distilbart": (100, "text_en"), "mt5-xlsum": (84, "text_vi")}


def summary_spec(key: str, cache_dir: Path):
    """A summariser of the real model's shape (built once into the cache), outputs forced to N tokens."""
    from helpers.models.families import family_of
    from helpers.models.standins import build_standin
    from helpers.models.registry import MODEL_REGISTRY

    from shapes import SHAPES

    tokens, _ = SUMMARISERS[key]
    base = MODEL_REGISTRY[key]
    folder = build_standin(base, family_of(base).standin, cache_dir, shape=SHAPES[key])
    settings = replace(base.generation, num_beams=4, length_penalty=1.0, no_repeat_ngram_size=0, repetition_penalty=1.0,
                       max_length=tokens + 1, min_length=tokens + 1, redecode=False)  # batching: the registry's
    return replace(base, key=f"{key}-bench", source=str(folder), generation=settings)


def report_bodies() -> dict[str, dict[str, str]]:
    """Each seed report's body: Vietnamese (the corpus) and English (the reference translation)."""
    import pandas as pd

    from helpers.config import Config
    from helpers.corpus.stage import run_corpus

    with tempfile.TemporaryDirectory() as out:
        sentences = run_corpus(Config(seeds=ROOT / "seeds", out=out), report_problems=False).sentences
    body = sentences[sentences["role"] == "body"]
    ref = pd.read_csv(ROOT / "tests" / "reference" / "reference.csv", dtype=str, keep_default_na=False)
    ref = ref.set_index(["report_id", "sentence_no"])["text_en"]
    texts: dict[str, dict[str, str]] = {"text_vi": {}, "text_en": {}}
    for rid, g in body.groupby("report_id"):
        texts["text_vi"][rid] = " ".join(g["text_vi"])
        texts["text_en"][rid] = " ".join(ref[(rid, str(n))] for n in g["sentence_no"])
    return texts


def chunks_for(loaded, texts: dict[str, str]) -> list[str]:
    """The chunks `make reports` gives this summariser: every report's, in report order."""
    from helpers.summarise.abstractive import pack_chunks

    packed = pack_chunks(texts, loaded, loaded.input_limit)
    return [c for rid in sorted(packed) for c in packed[rid]]


def naive_summaries(spec, chunks_of, sample: int) -> dict:
    """One fp32 `generate` per chunk, beam 4, the forced length (all chunks, or a length-spaced sample)."""
    import torch

    from helpers.config import default_cache_dir
    from helpers.models.loading import load_real

    loaded = load_real(spec, default_cache_dir())
    chunks = chunks_of(loaded)
    lengths = [len(ids) for ids in loaded.tokenizer(chunks)["input_ids"]]
    chosen = translate_speed.length_sample(chunks, lengths, sample)
    tokens = spec.generation.max_length - 1
    started = time.perf_counter()
    for chunk in chosen:
        enc = loaded.tokenizer([chunk], return_tensors="pt", truncation=True, max_length=loaded.input_limit)
        with torch.inference_mode():
            loaded.model.generate(**enc, num_beams=4, max_new_tokens=tokens, min_new_tokens=tokens)
    seconds = time.perf_counter() - started
    return {"chunks": len(chunks), "sample": len(chosen), "sample_seconds": round(seconds, 2),
            "estimated_seconds": round(seconds / len(chosen) * len(chunks), 2),
            "input_tokens": sum(lengths)}


def project() -> dict:
    """The project's path on everything, cold then warm, in this (child) process."""
    from helpers.config import default_cache_dir
    from helpers.models.loading import load_model, release
    from helpers.inference.runs import ModelWork, cached_run, memory_for
    from helpers.translate.sentences import translate_sentences

    cache = default_cache_dir()
    memory_file = Path(tempfile.mkdtemp(prefix="bench-")) / "tm.sqlite"
    bodies = report_bodies()
    sentences = translate_speed.corpus_texts()
    jobs = [("translate", translate_speed.bench_spec(cache), None)]
    jobs += [(key, summary_spec(key, cache), SUMMARISERS[key][1]) for key in SUMMARISERS]
    found: dict[str, dict] = {}
    for label, spec, column in jobs:
        started = time.perf_counter()
        loaded = load_model(spec, "real", cache, "ctranslate2")  # conversion cached in the cache folder
        if loaded.backend == "ctranslate2":
            loaded.ct2.num_translators  # the int8 translator is made at first use: here, as loading
        load_seconds = time.perf_counter() - started
        memory = memory_for(loaded, memory_file)
        units = sentences if column is None else chunks_for(loaded, bodies[column])
        timings = []
        for _ in ("cold", "warm"):
            started = time.perf_counter()
            if column is None:
                translate_sentences(units, loaded, memory, (), progress=False)
            else:
                cached_run(loaded, memory, loaded.settings, ModelWork(), progress=False)(units)
            timings.append(time.perf_counter() - started)
        memory.close()
        release(loaded)  # as the stages do when done with a model
        found[label] = {"units": len(units), "cold_seconds": round(timings[0], 2), "warm_seconds": round(timings[1], 4),
                        "load_seconds": round(load_seconds, 2), "backend": loaded.backend,
                        "peak_rss_mb_so_far": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
        del loaded
    found["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="sentences and chunks timed naively (0: all; else >= 8)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(project()))
        return

    from helpers.config import default_cache_dir

    cache = default_cache_dir()
    print("models: random weights of the real shapes (opus-mt-vi-en, distilbart-cnn-12-6, mT5-base XLSum); "
          "forced output lengths; beam 4")
    proc = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"the project's path failed:\n{proc.stderr[-3000:]}")
    ours = json.loads(proc.stdout.strip().splitlines()[-1])
    sample = max(8, args.sample) if args.sample else 0
    naive = {"translate": translate_speed.naive(translate_speed.bench_spec(cache), translate_speed.corpus_texts(), sample)}
    bodies = report_bodies()
    for key in SUMMARISERS:
        column = SUMMARISERS[key][1]
        naive[key] = naive_summaries(summary_spec(key, cache), lambda loaded, c=column: chunks_for(loaded, bodies[c]),
                                     sample)
        assert naive[key]["chunks"] == ours[key]["units"], "both sides must summarise the same chunks"

    rows = [("translate", f"{len(translate_speed.corpus_texts())} sentences")]
    rows += [(k, f"{naive[k]['chunks']} chunks, {naive[k]['input_tokens']} input tokens") for k in SUMMARISERS]
    for label, what in rows:
        timed = naive[label].get("sample")
        print(f"{label:<11} {what:<36} naive {naive[label]['estimated_seconds']:8.1f} s"
              f"{f' (from {timed} timed)' if sample else ''}"
              f"   project cold {ours[label]['cold_seconds']:7.1f} s   warm {ours[label]['warm_seconds']:7.3f} s"
              f"   ({ours[label]['backend']}; load/convert {ours[label]['load_seconds']} s, not counted)")
    naive_sum = {k: naive[k]["estimated_seconds"] for k in naive}
    cold = {k: ours[k]["cold_seconds"] for k in naive}
    warm_total = sum(ours[k]["warm_seconds"] for k in naive)
    translate_speedup = naive_sum["translate"] / cold["translate"]
    summarise_speedup = sum(naive_sum[k] for k in SUMMARISERS) / sum(cold[k] for k in SUMMARISERS)
    pipeline_speedup = sum(naive_sum.values()) / sum(cold.values())
    warm_speedup = sum(cold.values()) / max(warm_total, 1e-6)
    print(f"translate_speedup={translate_speedup:.1f} summarise_speedup={summarise_speedup:.1f} "
          f"pipeline_speedup={pipeline_speedup:.1f} warm_speedup={warm_speedup:.0f} peak_rss_mb={ours['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
