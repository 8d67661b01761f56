"""The whole model work of `make reports` against a naive loop and what a user would pick instead,
side by side in one run, on the same texts with the same forced output lengths, beam 4.

Real weights cannot be downloaded here, so every model is a random-weight model with the full
shape of the real one (`shapes.py`), and every output is forced to a fixed length, so the compute
is what real weights would cost:

- translation: Helsinki-NLP/opus-mt-vi-en's shape, on every sentence of the seeds;
- summaries: sshleifer/distilbart-cnn-12-6's shape on the reference English of each report's
  body, csebuetnlp/mT5_multilingual_XLSum's (mT5-base) on its Vietnamese body, in the project's
  chunks (`pack_chunks`: whole sentences within the model's input limit).

The forced lengths, and how every side does the same decoding work: each text's output length
is fixed by the text alone, before any batching: a sentence of n tokens gets 1.2 times the upper
edge of n's length bucket (the project's own budget, `length_budget`: 10% buckets), a summary 100
tokens (distilbart) or 84 (mT5). Each side pins both the least and the most new tokens of every
text to that number: the project per call (its batches hold one length bucket, so one budget),
the naive loop and the transformers peer per row (a logits processor: the end token forbidden
before the pinned step and forced at it; the naive loop is the same code with one text a call),
the CTranslate2 peers per call (one call per length); every side's outputs are counted against
it and a side whose outputs miss their length stops the benchmark (`sides.py`). So every side
generates the same number of tokens for every text, with beam 4 on each. What is not the same,
because it is how each side works: the transformers peer's batch runs to its longest row (rows
pinned shorter are carried as padding, as EasyNMT's would be), and where the project cuts a
sentence over 128 tokens at clauses, as `make reports` does, each piece gets its own budget (the
row's "tokens" say what each side generated: the project's differ there, and only there). The
decoding settings are the same everywhere (no n-gram blocking, no repetition penalty, length
penalty 1).

Sides, each in a process of its own:
- naive: transformers fp32, one text at a time;
- easynmt: transformers fp32 batched as EasyNMT does (sorted by length, 16 a batch);
- argos: CTranslate2 int8 with its defaults as argos-translate calls it (`translate_batch` on
  the texts in their order, `max_batch_size=32`), on the project's conversion of each model;
- ct2-expert: CTranslate2 int8 as an expert would tune it for this machine, on the same
  conversions: one one-thread translator per core, token-based batches sorted by length, every
  call asynchronous (`sides.expert_side`);
- project: the calls `make reports` makes, cold (empty translation memory) then warm, twice: a
  first run with an empty conversion cache (the conversions, in their own processes, included in
  its memory) and a run with the conversions cached, whose times are the project's figures.

Memory: the peak resident memory of each side's process tree (the process and its children,
summed at each sample, every 20 ms; resident pages shared by two processes counted twice), and,
for the project, the peak of its run process alone and of its largest converter process.

The last line: translate_speedup=X summarise_speedup=Y pipeline_speedup=Z vs_best_peer=P
best_peer=NAME warm_speedup=W peak_rss_mb=M peak_rss_first_run_mb=F (speedups against the naive loop; vs_best_peer:
the fastest peer's whole model work over the project's, over every peer in `PEERS`, the one named
by best_peer).
Usage: python benchmarks/whole_job.py [--sample N]   (N: every side on the same N sentences and N
chunks per summariser, spaced by length: a quick check, not the figures; 0: everything). A sample
batches differently from the full set: its 8 mT5 chunks make batches of 7 and 1, which the project
decodes on two one-thread workers, one nearly idle, where the argos-style peer decodes all 8 on two
threads; and 8 sentences put the 270-token one in the transformers peer's only batch, so all its
rows run 327 steps. Compare the sides on the full set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sides  # noqa: E402
import translate_speed  # noqa: E402  (the translation model and corpus, shared with `make bench-translate`)

ROOT = Path(__file__).resolve().parents[1]
# summariser key: (forced summary tokens, which text it reads); its shape is shapes.SHAPES[key]
SUMMARISERS = {"distilbart": (100, "text_en"), "mt5-xlsum": (84, "text_vi")}
MODELS = ("translate", *SUMMARISERS)
SIDES = ("naive", "easynmt", "argos", "ct2-expert", "project")
PEERS = ("easynmt", "argos", "ct2-expert")  # what a user would pick instead: vs_best_peer is over these


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


def spec_of(label: str, cache_dir: Path):
    """The bench model of a row."""
    return translate_speed.bench_spec(cache_dir) if label == "translate" else summary_spec(label, cache_dir)


def report_bodies() -> dict[str, dict[str, str]]:
    """Each seed report's body: Vietnamese (the corpus) and English (the reference translation)."""
    import pandas as pd

    from helpers.config import Config
    from helpers.corpus.stage import build_corpus

    with tempfile.TemporaryDirectory() as out:
        sentences = build_corpus(Config(seeds=ROOT / "seeds", out=out)).sentences
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


def make_units(cache: Path, sample: int) -> dict[str, dict]:
    """Every row's texts (all, or `sample` spaced by length) and each text's forced output length."""
    from helpers.inference.generation import length_budget
    from helpers.models.loading import _load_uncached

    bodies = report_bodies()
    units = {}
    for label in MODELS:
        loaded = _load_uncached(spec_of(label, cache), "real", cache, lazy=True)  # configs and tokenizer
        texts = translate_speed.corpus_texts() if label == "translate" else chunks_for(
            loaded, bodies[SUMMARISERS[label][1]])
        counts = [len(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
        texts = translate_speed.length_sample(texts, counts, sample)
        counts = [len(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
        forced = [length_budget(loaded, loaded.settings, n) for n in counts]
        assert all(low == high for low, high in forced), "every output's least and most new tokens are pinned"
        units[label] = {"texts": texts, "lengths": [high for _, high in forced], "input_tokens": sum(counts)}
    return units


def project(units: dict[str, dict]) -> dict:
    """The project's path on every row, cold then warm, in this (child) process; the new tokens of
    its outputs are counted as CTranslate2 returns them."""
    import helpers.inference.generation as generation
    from helpers.config import default_cache_dir
    from helpers.models.loading import load_model, release
    from helpers.inference.runs import ModelWork, cached_run, memory_for
    from helpers.inference.sentences import translate_sentences

    counted = {"tokens": 0}
    decode = generation._decode_ct2

    def counting(loaded, results):
        counted["tokens"] += sum(len(r.hypotheses[0]) - (1 if loaded.family.ct2_prefix(loaded.spec) else 0)
                                 for r in results)
        return decode(loaded, results)

    generation._decode_ct2 = counting
    cache = default_cache_dir()
    memory_file = Path(tempfile.mkdtemp(prefix="bench-")) / "tm.sqlite"
    found: dict[str, dict] = {}
    for label in MODELS:
        started = time.perf_counter()
        loaded = load_model(spec_of(label, cache), "real", cache, "ctranslate2")  # converted once into the cache
        if loaded.backend == "ctranslate2":
            loaded.ct2.num_translators  # the int8 translator is made at first use: here, as loading
        load_seconds = time.perf_counter() - started
        memory = memory_for(loaded, memory_file)
        texts, timings, counted["tokens"] = units[label]["texts"], [], 0
        for _ in ("cold", "warm"):
            started = time.perf_counter()
            if label == "translate":
                translate_sentences(texts, loaded, memory, (), progress=False)
            else:
                cached_run(loaded, memory, loaded.settings, ModelWork(), progress=False)(texts)
            timings.append(time.perf_counter() - started)
        memory.close()
        release(loaded)  # as the stages do when done with a model
        found[label] = {"seconds": round(timings[0], 2), "warm_seconds": round(timings[1], 4),
                        "tokens": counted["tokens"],
                        "load_seconds": round(load_seconds, 2), "backend": loaded.backend, "texts": len(texts),
                        "ct2_folder": str(loaded.ct2.folder) if loaded.backend == "ctranslate2" else None}
        del loaded
    found["run_peak_mb"] = own_peak_mb()
    return found


def side(name: str, units: dict[str, dict], folders: dict[str, str]) -> dict:
    """One side on every row, in this (child) process."""
    if name == "project":
        return project(units)
    from helpers.config import default_cache_dir
    from helpers.models.loading import _load_uncached, load_real

    cache = default_cache_dir()
    found = {}
    for label in MODELS:
        texts, lengths = units[label]["texts"], units[label]["lengths"]
        if name in ("argos", "ct2-expert"):
            loaded = _load_uncached(spec_of(label, cache), "real", cache, lazy=True)  # its tokenizer
            ct2_side = sides.argos_side if name == "argos" else sides.expert_side
            found[label] = ct2_side(loaded, folders[label], texts, lengths)
        else:
            loaded = load_real(spec_of(label, cache), cache)
            batching = (1, False) if name == "naive" else (16, True)
            found[label] = sides.transformers_side(loaded, texts, lengths, *batching)
        del loaded
    return found


def own_peak_mb() -> int:
    """This process's own peak resident memory (VmHWM: its memory since it started this program;
    ru_maxrss would also carry the peak of the process it was forked from, across exec)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return round(int(status.split("VmHWM:")[1].split()[0]) / 1024)


def run_child(args: list[str], env: dict[str, str]) -> tuple[dict, int, int]:
    """A side in a child process: its JSON result, the peak resident memory of its process tree
    (sampled every 20 ms) and the largest one of its children's (a converter's)."""
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, __file__, *args], stdout=out, stderr=err, env=env)
        root, peak, child_peak = psutil.Process(proc.pid), 0, 0
        while proc.poll() is None:
            total = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            for p in tree:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:  # ended between the listing and the reading
                    continue
                total += rss
                if p is not root:
                    child_peak = max(child_peak, rss)
            peak = max(peak, total)
            time.sleep(0.02)
        out.seek(0), err.seek(0)
        if proc.returncode:
            sys.exit(f"{' '.join(args[:2])} failed:\n{err.read().decode(errors='replace')[-3000:]}")
        return (json.loads(out.read().decode().strip().splitlines()[-1]), round(peak / 2**20),
                round(child_peak / 2**20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0,
                        help="every side on N texts per row, spaced by length (0: all)")
    parser.add_argument("--peers", default=",".join(s for s in SIDES if s != "project"),
                        help="the peers to run, comma-separated (all by default; naive and easynmt take most of the "
                             "hour: without them there are no speed-ups over the naive loop, and vs_best_peer is over "
                             "the peers run, named in the last line)")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--units", help=argparse.SUPPRESS)
    parser.add_argument("--folders", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:  # the units (and the stand-ins, built once) in a process of their own
        from helpers.config import default_cache_dir

        Path(args.units).write_text(json.dumps(make_units(default_cache_dir(), args.prepare)), encoding="utf-8")
        print("{}")
        return
    if args.side:
        units = json.loads(Path(args.units).read_text(encoding="utf-8"))
        print(json.dumps(side(args.side, units, json.loads(args.folders))))
        return

    from helpers.config import default_cache_dir

    peers = [s for s in SIDES if s != "project" and s in args.peers.split(",")]
    if not peers or set(args.peers.split(",")) - set(peers):
        parser.error(f"--peers: choose among {', '.join(s for s in SIDES if s != 'project')}")
    cache = default_cache_dir()
    print("models: random weights of the real shapes (opus-mt-vi-en, distilbart-cnn-12-6, mT5-base XLSum); "
          "forced output lengths; beam 4")
    work = Path(tempfile.mkdtemp(prefix="bench-cache-"))  # an empty conversion cache; the stand-ins shared
    try:
        common = ["--units", str(work / "units.json")]
        # the stand-ins built (once, into the cache) in a child: this process never holds a model, so
        # no side's process, forked from it, starts with its memory
        run_child(["--prepare", str(max(8, args.sample) if args.sample else 0), *common], dict(os.environ))
        units = json.loads((work / "units.json").read_text(encoding="utf-8"))
        (work / "standins").symlink_to(cache / "standins", target_is_directory=True)
        env = {**os.environ, "HELPERS_CACHE": str(work)}
        results, peaks = {}, {}
        first, peaks["first run"], converter_peak = run_child(["--side", "project", *common], env)
        results["project"], peaks["project"], _ = run_child(["--side", "project", *common], env)
        folders = json.dumps({label: first[label]["ct2_folder"] for label in MODELS})
        for name in [s for s in ("argos", "ct2-expert", "easynmt", "naive") if s in peers]:
            results[name], peaks[name], _ = run_child(["--side", name, *common, "--folders", folders], env)
        first["converter_peak_mb"] = converter_peak
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(units, results, first, peaks, bool(args.sample))


def report(units: dict, results: dict, first: dict, peaks: dict, sampled: bool) -> None:
    """The rows, the memory lines and the last line, over the sides that ran (`--peers`)."""
    names = {"naive": "naive", "easynmt": "easynmt-style", "argos": "argos-style", "ct2-expert": "ct2-expert",
             "project": "project"}
    what = {"translate": "sentences", "distilbart": "chunks", "mt5-xlsum": "chunks"}
    sides = [s for s in SIDES if s in results]
    print(f"{'':<11}{'texts':>15}{'':>3}" + "".join(f"{names[s]:>20}" for s in sides) + f"{'warm':>10}")
    totals = {s: 0.0 for s in sides}
    for label in MODELS:
        cells = []
        for s in sides:
            r = results[s][label]
            totals[s] += r["seconds"]
            cells.append(f"{r['seconds']:8.1f} s {r['tokens']:>6} t")
        print(f"{label:<11}{len(units[label]['texts']):>5} {what[label]:<9} {'':>3}"
              + "".join(f"{c:>20}" for c in cells)
              + f"{results['project'][label]['warm_seconds']:>8.3f} s")
    print(f"{'whole model work':<29}" + "".join(f"{totals[s]:>11.1f} s{'':>7}" for s in sides))
    print("(t: new tokens generated; project: conversions cached, first run "
          + ", ".join(f"{label} {first[label]['seconds']} s" for label in MODELS) + ")")
    print("peak memory of each side's process tree (MB): " + ", ".join(f"{names[s]} {peaks[s]}" for s in sides)
          + f"; project's first run, empty conversion cache: {peaks['first run']} (the run process alone "
          f"{first['run_peak_mb']}, its largest converter process {first['converter_peak_mb']})")
    if sampled:
        print("(--sample: every side on a length-spaced sample: a quick check, not the figures)")
    ours = results["project"]
    summarisers = list(SUMMARISERS)
    speedups = ""
    if "naive" in results:
        naive = results["naive"]
        translate_speedup = naive["translate"]["seconds"] / ours["translate"]["seconds"]
        summarise_speedup = (sum(naive[k]["seconds"] for k in summarisers)
                             / sum(ours[k]["seconds"] for k in summarisers))
        speedups = (f"translate_speedup={translate_speedup:.1f} summarise_speedup={summarise_speedup:.1f} "
                    f"pipeline_speedup={totals['naive'] / totals['project']:.1f} ")
    peers = [s for s in PEERS if s in results]
    best_peer = min(peers, key=lambda s: totals[s])
    vs_best_peer = totals[best_peer] / totals["project"]
    warm_speedup = totals["project"] / max(sum(ours[k]["warm_seconds"] for k in MODELS), 1e-6)
    peak_first = max(peaks["first run"], first["run_peak_mb"])  # the tree's (sampled), or the run's own (exact)
    peak = max(peaks["project"], ours["run_peak_mb"])
    over = "" if set(peers) == set(PEERS) else f" (over {','.join(peers)} only)"
    print(f"{speedups}vs_best_peer={vs_best_peer:.2f}{over} best_peer={best_peer} "
          f"warm_speedup={warm_speedup:.0f} peak_rss_mb={peak} peak_rss_first_run_mb={peak_first}")


if __name__ == "__main__":
    main()
