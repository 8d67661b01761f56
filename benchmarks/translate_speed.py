"""Translation speed: a naive transformers loop against the project's path, measured side by side.

Real weights cannot be downloaded here, so the model is a random-weight model with the
full architecture of Helsinki-NLP/opus-mt-vi-en (Marian: d_model 512, 6+6 layers, 8 heads,
FFN 2048, ~53k vocabulary), and every output is forced to 1.2 times its input's tokens
(min = max new tokens): the compute is then what real weights would cost.

(a) naive: one sentence at a time, transformers fp32, beam 4, timed on every sentence
    (or, with --sample N, on N sentences evenly spaced by length, extrapolated by their mean);
(b) the project's path, cold (empty translation memory), in a child process whose
    peak resident memory is reported: sentences over 128 tokens cut at clause
    boundaries, batches of similar lengths run one per core, int8, the output layer
    restricted to the target pieces;
(b') the same path translating every sentence whole (no clause cuts), for comparison;
(c) the project's path again, warm (everything from the translation memory).

Usage: python benchmarks/translate_speed.py [--sample 0] [--backend ctranslate2]
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

ROOT = Path(__file__).resolve().parents[1]
RATIO = 1.2


def bench_spec(cache_dir: Path):
    """The opus-mt-shaped model (built once into the cache) and its forced-length settings."""
    from helpers.models.registry import MODEL_REGISTRY
    from helpers.models.settings import GenerationSettings
    from helpers.models.standins import build_standin
    from helpers.models.families import family_of
    from shapes import OPUS_MT_SHAPE

    base = MODEL_REGISTRY["opus-mt"]
    folder = build_standin(base, family_of(base).standin, cache_dir, shape=OPUS_MT_SHAPE)
    # No second decoding of looping outputs: random weights loop on nearly every sentence (real models
    # rarely do), and the naive loop has no such pass either: both sides do the same work.
    settings = GenerationSettings(num_beams=4, no_repeat_ngram_size=0, repetition_penalty=1.0,
                                  max_new_tokens_ratio=RATIO, max_new_tokens_extra=0, min_new_tokens_ratio=RATIO,
                                  redecode=False)
    return replace(base, key="opus-mt-bench", source=str(folder), generation=settings)


def corpus_texts() -> list[str]:
    """Every sentence of the five seeds (title, body, captions), prepared as the model sees it."""
    from helpers.config import Config
    from helpers.text.glossary import default_glossary, prepare
    from helpers.corpus.stage import build_corpus

    with tempfile.TemporaryDirectory() as out:
        corpus = build_corpus(Config(seeds=ROOT / "seeds", out=out))
    glossary = default_glossary()
    return [prepare(s, glossary).text for s in corpus.sentences["text_vi"]]


def length_sample(texts: list[str], lengths: list[int], size: int) -> list[str]:
    """`size` texts evenly spaced through the length order (all of them when size is 0): a sample
    whose lengths follow the corpus's, so its mean time per sentence extrapolates without bias.

    (Spacing in corpus order instead drew 24 sentences of 49 tokens on average from a corpus
    averaging 59, and beam search costs grow faster than length: it understated the naive loop.)
    """
    if size <= 0 or size >= len(texts):
        return list(texts)
    order = sorted(range(len(texts)), key=lambda i: lengths[i])
    return [texts[order[round(k * (len(texts) - 1) / (size - 1))]] for k in range(size)]


def naive(spec, texts: list[str], sample: int) -> dict:
    """(a): one `generate` per sentence, fp32, on every sentence or a length-spaced sample."""
    import torch

    from helpers.config import default_cache_dir
    from helpers.inference.generation import length_budget
    from helpers.models.loading import load_real

    loaded = load_real(spec, default_cache_dir())
    chosen = length_sample(texts, [len(ids) for ids in loaded.tokenizer(texts)["input_ids"]], sample)
    tokens = 0
    started = time.perf_counter()
    for text in chosen:
        enc = loaded.tokenizer([text], return_tensors="pt")
        low, high = length_budget(loaded, loaded.settings, enc["input_ids"].shape[1])
        with torch.inference_mode():
            out = loaded.model.generate(**enc, num_beams=4, max_new_tokens=high, min_new_tokens=low)
        tokens += out.shape[1]
    seconds = time.perf_counter() - started
    per_sentence = seconds / len(chosen)
    return {"sample": len(chosen), "sample_seconds": round(seconds, 2), "output_tokens": tokens,
            "sentences_per_second": round(1 / per_sentence, 3),
            "estimated_seconds": round(per_sentence * len(texts), 2)}


def project(spec, texts: list[str], backend: str) -> dict:
    """(b) and (c), or (b') for a spec whose pieces are whole sentences. Run in a child process."""
    from helpers.config import default_cache_dir
    from helpers.models.loading import load_model
    from helpers.inference.runs import memory_for
    from helpers.inference.sentences import translate_sentences

    cache = Path(tempfile.mkdtemp(prefix="bench-"))
    started = time.perf_counter()
    loaded = load_model(spec, "real", default_cache_dir(), backend)  # conversion cached there
    load_seconds = time.perf_counter() - started
    glossary = ()  # texts are already prepared
    memory = memory_for(loaded, cache / "tm.sqlite")
    started = time.perf_counter()
    _, cold = translate_sentences(texts, loaded, memory, glossary, progress=False)
    cold_seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    _, warm = translate_sentences(texts, loaded, memory, glossary, progress=False)
    warm_seconds = time.perf_counter() - started
    memory.close()
    return {"backend": loaded.backend, "load_seconds": round(load_seconds, 2), "cold_seconds": round(cold_seconds, 2),
            "warm_seconds": round(warm_seconds, 4), "generated_cold": cold.generated, "generated_warm": warm.generated,
            "generate_calls": cold.generate_calls, "split_sentences": cold.split_sentences,
            "peak_rss_mb": round(rss_mb, 1), "output_vocabulary": loaded.provenance()["output_vocabulary"]}


def child(args: list[str]) -> dict:
    """Run `project` in a fresh process (its own peak memory, nothing shared with the naive loop)."""
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="sentences timed in the naive loop (0: all; else >= 20)")
    parser.add_argument("--backend", default="ctranslate2", choices=("ctranslate2", "transformers"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    from helpers.config import default_cache_dir

    spec = bench_spec(default_cache_dir())
    texts = corpus_texts()
    if args.child:
        if args.whole:  # pieces as long as the model takes: every sentence of the seeds whole
            spec = replace(spec, generation=replace(spec.generation, piece_tokens=spec.max_input_tokens))
        print(json.dumps(project(spec, texts, args.backend)))
        return

    print(f"model: random weights, opus-mt-vi-en shape ({spec.source})")
    print(f"corpus: {len(texts)} sentences from the five seeds; outputs forced to {RATIO}x input tokens; beam 4")
    ours = child(["--backend", args.backend])
    whole = child(["--backend", args.backend, "--whole"])
    slow = naive(spec, texts, max(20, args.sample) if args.sample else 0)
    print(f"(a) naive transformers fp32, one sentence at a time: {slow['sentences_per_second']} sentences/s "
          f"on {slow['sample']} sentences ({slow['sample_seconds']} s) -> {slow['estimated_seconds']} s for the corpus")
    print(f"(b) project path, cold ({ours['backend']}, output layer: {ours['output_vocabulary']}): "
          f"{ours['cold_seconds']} s, {ours['generated_cold']} pieces in {ours['generate_calls']} batches, "
          f"{ours['split_sentences']} sentences cut at clauses "
          f"(model load/convert {ours['load_seconds']} s, not counted)")
    print(f"(b') the same, every sentence whole: {whole['cold_seconds']} s, {whole['generated_cold']} pieces in "
          f"{whole['generate_calls']} batches -> speedup {slow['estimated_seconds'] / whole['cold_seconds']:.1f}")
    print(f"(c) project path, warm (translation memory): {ours['warm_seconds']} s, {ours['generated_warm']} generated")
    speedup = slow["estimated_seconds"] / ours["cold_seconds"]
    warm = ours["cold_seconds"] / max(ours["warm_seconds"], 1e-6)
    print(f"speedup_vs_naive_beam4={speedup:.1f} warm_speedup={warm:.0f} peak_rss_mb={ours['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
