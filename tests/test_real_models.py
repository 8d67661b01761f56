"""Real models end to end, as a user runs them: the CLI and the notebooks with the six registry
models in a Hugging Face cache (real layouts, offline), the one channel of settings into the
notebooks, the preflight that loads, and fetch/check/pack against a local hub server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers.models.registry import MODEL_REGISTRY
from helpers.config import Config
from helpers.store.files import read_csv

from cli_in_process import run_cli, run_process
from conftest import ROOT, SEEDS
from hubserver import HubServer


def offline(hub: Path) -> dict:
    return {"HF_HUB_CACHE": str(hub), "HF_HUB_OFFLINE": "1"}


def test_every_config_field_reaches_every_notebook():
    import papermill

    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        declared = set(papermill.inspect_notebook(str(nb)))
        assert set(Config.parameter_names()) <= declared, nb.name
    cfg = Config(translator="nllb", backend="transformers", memory="/tmp/tm.sqlite", summary_max_words=50,
                 summary_max_sentences=2, generation="opus-mt.num_beams=2", models="demo")
    assert Config.from_parameters(cfg.parameters()) == cfg
    assert Config.from_parameters({"MEMORY_PATH": "", "SEEDS": "seeds"}).seeds == ROOT / "seeds"


def test_reports_with_real_models_translate_with_the_chosen_model(real_hub, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("reports", "--models", "real", "--translator", "nllb", "--seeds", str(SEEDS), "--out", str(out),
               "--memory", str(tmp_path / "tm.sqlite"), env=offline(real_hub))
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads((out / "data" / "run.json").read_text())
    assert run["parameters"]["translator"] == "nllb"
    for role, model in run["models"].items():
        assert model["demo"] is False and model["origin"] == "hub cache", role
        assert model["weights"]["file"] == "pytorch_model.bin" and len(model["weights"]["sha256"]) == 64
    assert run["models"]["translate"]["source"] == MODEL_REGISTRY["nllb"].source
    sentences = read_csv(out / "data" / "sentences.csv")
    assert sentences["model"].str.startswith(MODEL_REGISTRY["nllb"].source + "@").all()
    pages = list((out / "html").glob("*.html"))
    assert len(pages) == 11  # five reports, the index, the digest, the entities and three stage pages
    for page in pages:
        assert "DEMO MODELS" not in page.read_text(encoding="utf-8"), page.name
    executed = json.loads((out / "notebooks" / "02_translate.ipynb").read_text())
    injected = next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert 'TRANSLATOR = "nllb"' in "".join(injected["source"])


@pytest.mark.parametrize("translator", ["opus-mt", "m2m100", "vinai"])
def test_translate_stage_with_each_real_translator(translator, real_hub, tmp_path, small_seeds):
    proc = run_cli("translate", "--models", "real", "--translator", translator, "--seeds", str(small_seeds),
               "--out", str(tmp_path / "o"), "--memory", str(tmp_path / "tm.sqlite"), env=offline(real_hub))
    assert proc.returncode == 0, proc.stderr[-3000:]
    sentences = read_csv(tmp_path / "o" / "data" / "sentences.csv")
    assert sentences["model"].str.startswith(MODEL_REGISTRY[translator].source + "@").all()
    assert (sentences["text_en"] != "").all()
    run = json.loads((tmp_path / "o" / "data" / "run.json").read_text())
    assert run["models"]["translate"]["backend"] == "ctranslate2"


def test_preflight_loads_and_names_a_truncated_weight_file(real_hub, tmp_path):
    hub = tmp_path / "hub"
    shutil.copytree(real_hub, hub, symlinks=True)
    repo = hub / "models--sshleifer--distilbart-cnn-12-6"
    weights = next((repo / "snapshots").iterdir()) / "pytorch_model.bin"
    blob = weights.resolve()
    blob.write_bytes(blob.read_bytes()[:1000])
    started = time.perf_counter()
    proc = run_cli("reports", "--models", "real", "--seeds", str(SEEDS), "--out", str(tmp_path / "o"),
               env={**offline(hub), "HELPERS_CACHE": str(tmp_path / "cache")})
    assert time.perf_counter() - started < 120
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert str(weights) in proc.stderr and "truncated or corrupt" in proc.stderr
    assert not (tmp_path / "o" / "notebooks").exists()  # stopped before any notebook ran


def test_reports_with_real_models_and_no_cache_fails_fast_and_clearly(tmp_path):
    started = time.perf_counter()
    proc = run_cli("reports", "--models", "real", "--seeds", str(SEEDS), "--out", str(tmp_path / "o"),
               env=offline(tmp_path / "empty-cache"))
    assert time.perf_counter() - started < 60
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Helsinki-NLP/opus-mt-vi-en" in proc.stderr and "MODELS=demo" in proc.stderr
    assert "is not available" in proc.stderr and "make models" in proc.stderr
    assert not (tmp_path / "o" / "notebooks").exists()


def test_later_stages_reuse_translations_only_from_the_same_inputs_model_and_settings(tmp_path, demo_cache):
    import shutil

    from helpers.pipeline import is_current, run_stages

    seeds = tmp_path / "in"
    shutil.copytree(SEEDS, seeds)
    base = dict(seeds=seeds, out=tmp_path / "o", models="demo", cache_dir=demo_cache, memory=tmp_path / "tm.sqlite")
    cfg = Config(**base)
    run_stages(cfg, "translate", progress=False)
    assert is_current(cfg, "corpus") and is_current(cfg, "translate")
    assert not is_current(Config(**base, translator="nllb"), "translate")
    assert not is_current(Config(**base, backend="transformers"), "translate")
    assert not is_current(Config(**base, generation="opus-mt.num_beams=2"), "translate")
    assert is_current(Config(**base, generation="distilbart.num_beams=2"), "translate")
    assert is_current(Config(**base, summary_max_words=40), "translate")
    (seeds / "new.txt").write_text("Hà Nội\n", encoding="utf-8")  # another input: nothing after it is current
    assert not is_current(cfg, "corpus") and not is_current(cfg, "translate")


def test_fetch_check_and_pack_against_a_local_hub_then_run_offline_from_the_pack(demo_cache, tmp_path):
    from helpers.models.standins import build_standin
    from helpers.models.families import family_of

    repos = {}
    for spec in MODEL_REGISTRY.values():
        folder = tmp_path / "served" / spec.key
        shutil.copytree(build_standin(spec, family_of(spec).standin, demo_cache, weights="bin"), folder)
        for other in ("tf_model.h5", "flax_model.msgpack", "rust_model.ot"):  # as the real repos also hold
            (folder / other).write_bytes(b"not for us")
        repos[spec.source] = folder
    lock, hub = tmp_path / "models.lock.json", tmp_path / "hub"
    env = {"HF_HUB_CACHE": str(hub), "HELPERS_CACHE": str(tmp_path / "cache")}
    with HubServer(repos) as server:
        proc = subprocess.run(["make", "-s", "models", f"LOCK={lock}"], cwd=ROOT, capture_output=True, text=True,
                              env={**{k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}, **env,
                                   "HF_ENDPOINT": server.url})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        sent = list(server.sent)
    assert not [f for _, f in sent if f.endswith((".h5", ".msgpack", ".ot"))]  # only what the models need
    snapshot = next((hub / "models--Helsinki-NLP--opus-mt-vi-en" / "snapshots").iterdir())
    assert {p.name for p in snapshot.iterdir()} == {
        "config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "pytorch_model.bin"}
    locked = json.loads(lock.read_text())["models"]
    assert set(locked) == set(MODEL_REGISTRY)
    for key, entry in locked.items():
        assert entry["revision"] == server.commits[entry["source"]]
        served = repos[entry["source"]] / "pytorch_model.bin"
        import hashlib

        assert entry["files"]["pytorch_model.bin"]["sha256"] == hashlib.sha256(served.read_bytes()).hexdigest()
    table = proc.stdout.splitlines()
    assert table[0].split()[:4] == ["model", "source", "found", "loadable"]
    for key in MODEL_REGISTRY:
        row = next(line.split() for line in table if line.startswith(key + " "))
        assert row[2:4] == ["hub", "cache"] and row[4] == "yes" and row[-1] == "ctranslate2", row

    pack = tmp_path / "pack"
    proc = run_cli("models", "pack", "--to", str(pack), "--lock", str(lock), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (pack / "models.lock.json").exists() and (pack / "hub").is_dir()
    shutil.rmtree(hub)  # the offline machine has only the pack
    proc = run_cli("translate", "--models", "real", "--seeds", str(SEEDS), "--out", str(tmp_path / "o"),
                   "--memory", str(tmp_path / "tm.sqlite"),
                   env={**offline(pack / "hub"), "HELPERS_CACHE": str(tmp_path / "c2")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads((tmp_path / "o" / "data" / "run.json").read_text())
    assert run["models"]["translate"]["revision"] == locked["opus-mt"]["revision"]
    proc = run_cli("models", "check", env=offline(tmp_path / "nothing"))
    assert proc.returncode == 1 and "missing" in proc.stdout and "Traceback" not in proc.stderr


def test_fetch_from_a_hub_without_the_model_says_so_without_a_traceback(tmp_path):
    with HubServer({}) as server:  # online, against a server: HF_HUB_OFFLINE is read at import, a process of its own
        proc = run_process("models", "fetch", "--lock", str(tmp_path / "lock.json"),
                           env={"HF_ENDPOINT": server.url, "HF_HUB_CACHE": str(tmp_path / "hub")},
                           drop=("HF_HUB_OFFLINE",))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Helsinki-NLP/opus-mt-vi-en: the download failed" in proc.stderr
    assert not (tmp_path / "lock.json").exists()
