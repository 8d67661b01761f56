"""The model layer: stand-ins in the real repos' layouts, real loading from a Hugging Face cache
(pytorch_model.bin, offline), each family's own settings, both backends, precise errors."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import replace

import pytest
import torch

from helpers.models.registry import MODEL_REGISTRY, ModelSpec
from helpers.config import Config
from helpers.models.loaded import ModelBroken, ModelUnavailable
from helpers.models.recipes import Shape
from helpers.models.standins import build_standin
from helpers.models.families import family_of
from helpers.models.loading import load_model, load_real

KEYS = list(MODEL_REGISTRY)
CLASS = {"marian": "marian", "nllb": "m2m100", "m2m100": "m2m100", "mbart": "mbart", "bart": "bart", "mt5": "mt5"}
# The file sets of the real repos on `main` (tokenizer and config files; weights: pytorch_model.bin).
REAL_FILES = {
    "opus-mt": {"config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json"},
    "nllb": {"config.json", "generation_config.json", "sentencepiece.bpe.model", "tokenizer.json",
             "tokenizer_config.json", "special_tokens_map.json"},
    "m2m100": {"config.json", "generation_config.json", "sentencepiece.bpe.model", "vocab.json",
               "tokenizer_config.json", "special_tokens_map.json"},
    "vinai": {"config.json", "sentencepiece.bpe.model"},
    "distilbart": {"config.json", "vocab.json", "merges.txt"},
    "mt5-xlsum": {"config.json", "spiece.model", "tokenizer_config.json", "special_tokens_map.json"},
}


def sentences_of(seed_reports) -> list[str]:
    from helpers.corpus.sentences import report_sentences

    return [s.text_vi for r in seed_reports.values() for s in report_sentences(r)]


@pytest.mark.parametrize("key", KEYS)
def test_fixture_has_the_real_repos_file_set_and_config_keys(key, demo_cache):
    spec = MODEL_REGISTRY[key]
    folder = build_standin(spec, family_of(spec).standin, demo_cache, weights="bin")
    assert {p.name for p in folder.iterdir()} == REAL_FILES[key] | {"pytorch_model.bin"}
    config = json.loads((folder / "config.json").read_text())
    if key == "opus-mt":
        vocab = json.loads((folder / "vocab.json").read_text())
        assert list(vocab)[:2] == ["</s>", "<unk>"] and vocab["<pad>"] == len(vocab) - 1 == config["pad_token_id"]
        assert config["bad_words_ids"] == [[config["pad_token_id"]]] and config["num_beams"] == 4
        tokenizer_config = json.loads((folder / "tokenizer_config.json").read_text())
        assert tokenizer_config == {"target_lang": "eng", "source_lang": "vie"}
    if key == "m2m100":
        vocab = json.loads((folder / "vocab.json").read_text())
        assert list(vocab)[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
        assert config["vocab_size"] == len(vocab) + 100 + 8  # language tokens, then 8 madeup words
        assert json.loads((folder / "generation_config.json").read_text())["num_beams"] == 5
    if key == "vinai":
        assert config["tokenizer_class"] == "MBartTokenizer" and config["num_beams"] == 5
    if key == "distilbart":
        vocab = json.loads((folder / "vocab.json").read_text())
        assert vocab["<mask>"] == len(vocab) - 1 == config["vocab_size"]  # <mask> outside the output layer
        assert config["normalize_before"] is False and config["length_penalty"] == 2.0 and config["min_length"] == 56
    if key == "mt5-xlsum":
        assert config["tie_word_embeddings"] is False and "num_beams" not in config


@pytest.mark.parametrize("key", KEYS)
def test_demo_model_of_every_family_loads_round_trips_and_generates(key, demo_cache, seed_reports):
    spec = MODEL_REGISTRY[key]
    loaded = load_model(spec, "demo", demo_cache)
    assert loaded.demo and loaded.revision.startswith("demo-") and loaded.weights["file"] == "model.safetensors"
    assert type(loaded.model).__name__.lower().startswith(CLASS[spec.family])
    tok = loaded.tokenizer
    sentences = sentences_of(seed_reports)
    for text in sentences:
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text
    if spec.src_lang:  # the language code is a real token of every input, not <unk>
        ids = tok(sentences[0])["input_ids"]
        assert tok.convert_tokens_to_ids(family_of(spec).lang_token.format(spec.src_lang)) in ids
    enc = tok(sentences[:2], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = loaded.model.generate(**enc, max_new_tokens=8, min_length=0, num_beams=2, **loaded.generate_kwargs())
    assert out.shape[0] == 2 and out.shape[1] > 1


@pytest.mark.parametrize("key", KEYS)
def test_the_pieces_memo_gives_what_the_tokenizer_gives_for_every_id_and_piece(key, demo_cache, seed_reports):
    """CTranslate2's pieces go through `loaded.pieces`: every id of the vocabulary (added tokens included) and
    every piece, an unknown one too, converted as the tokenizer converts them, asked first or again."""
    loaded = load_model(MODEL_REGISTRY[key], "demo", demo_cache)
    tok, pieces = loaded.tokenizer, loaded.pieces
    ids = [i for text in sentences_of(seed_reports)[:20] for i in tok(text)["input_ids"]]
    everything = list(range(len(tok)))
    for asked in (ids, everything, ids[::-1]):
        assert pieces.of_ids(asked) == tok.convert_ids_to_tokens(asked)
    names = tok.convert_ids_to_tokens(everything) + ["no-such-piece ✓", "", tok.unk_token]
    for asked in (names, names[::-1]):
        assert pieces.ids_of(asked) == tok.convert_tokens_to_ids(asked)
    assert loaded.pieces is pieces and pieces.ids_of(pieces.of_ids(ids)) == tok.convert_tokens_to_ids(
        tok.convert_ids_to_tokens(ids))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_every_family_loads_real_from_the_hf_cache_offline(key, backend, offline_hub, tmp_path_factory):
    from helpers.inference.generation import generate

    cache = tmp_path_factory.getbasetemp() / "real-cache"
    spec = MODEL_REGISTRY[key]
    loaded = load_model(spec, "real", cache, backend)
    snapshot = next((offline_hub / ("models--" + spec.source.replace("/", "--")) / "snapshots").iterdir())
    assert not loaded.demo and loaded.origin == "hub cache" and loaded.revision == snapshot.name
    assert loaded.backend == backend, loaded.ct2_note  # every family converts from its real config
    weights = loaded.provenance()["weights"]
    assert weights["file"] == "pytorch_model.bin"
    assert weights["sha256"] == hashlib.sha256((snapshot / "pytorch_model.bin").read_bytes()).hexdigest()
    assert weights["served_from"].startswith("safetensors copy")
    copy = cache / "safetensors" / f"{key}-{weights['sha256'][:16]}"
    assert (copy / "model.safetensors").exists() and not list(copy.glob("*.bin"))
    outputs = generate(loaded, ["Toàn cảnh Hội nghị", "Bộ trưởng Tô Lâm kết luận Hội nghị"])
    assert len(outputs) == 2 and all(isinstance(o, str) for o in outputs)


def test_the_safetensors_copy_holds_the_same_weights_as_the_bin(offline_hub, tmp_path):
    from transformers import AutoModelForSeq2SeqLM

    for key in ("opus-mt", "distilbart", "mt5-xlsum"):  # tied, tied with bias, untied output layers
        loaded = load_model(MODEL_REGISTRY[key], "real", tmp_path)
        original = AutoModelForSeq2SeqLM.from_pretrained(loaded.location, use_safetensors=False)
        ours, theirs = loaded.model.state_dict(), original.state_dict()
        assert ours.keys() == theirs.keys()
        assert all(torch.equal(ours[k], theirs[k]) for k in ours), key


def test_generation_settings_come_from_each_model_and_config_overrides_win(offline_hub, tmp_path):
    got = {k: load_model(MODEL_REGISTRY[k], "real", tmp_path).settings for k in KEYS}
    assert (got["opus-mt"].num_beams, got["opus-mt"].max_length) == (4, 512)
    assert (got["opus-mt"].no_repeat_ngram_size, got["opus-mt"].repetition_penalty) == (0, 1.0)  # no guard by default
    assert (got["nllb"].num_beams, got["nllb"].max_length) == (1, 200)  # its generation_config sets no beams
    assert (got["m2m100"].num_beams, got["m2m100"].max_length) == (5, 200)
    assert (got["vinai"].num_beams, got["vinai"].max_length) == (5, 1024)
    bart = got["distilbart"]
    assert (bart.num_beams, bart.length_penalty, bart.min_length, bart.max_length, bart.no_repeat_ngram_size) == (
        4, 2.0, 56, 142, 3)
    mt5 = got["mt5-xlsum"]
    assert (mt5.num_beams, mt5.max_length, mt5.no_repeat_ngram_size) == (4, 84, 2)  # the model card's
    cfg = Config(generation="opus-mt.num_beams=2 distilbart.min_length=10")
    assert load_model(cfg.spec("opus-mt"), "real", tmp_path).settings.num_beams == 2
    assert load_model(cfg.spec("distilbart"), "real", tmp_path).settings.min_length == 10
    with pytest.raises(ValueError, match="no setting 'beams'"):
        Config(generation="opus-mt.beams=2")


def test_vinai_is_mbart25_source_ends_with_vi_VN_and_the_decoder_starts_from_en_XX(offline_hub, tmp_path):
    spec = MODEL_REGISTRY["vinai"]
    loaded = load_model(spec, "real", tmp_path, "ctranslate2")
    tok = loaded.tokenizer
    assert type(tok).__name__ == "MBartTokenizer"
    assert tok.convert_ids_to_tokens(tok("Xin chào")["input_ids"])[-2:] == ["</s>", "vi_VN"]
    assert loaded.generate_kwargs() == {"decoder_start_token_id": tok.convert_tokens_to_ids("en_XX")}
    source = tok.convert_ids_to_tokens(tok("Bộ trưởng Tô Lâm")["input_ids"])
    (result,) = loaded.ct2.translate_batch([source], target_prefix=[["en_XX"]], max_decoding_length=5)
    assert result.hypotheses[0][0] == "en_XX"


@pytest.mark.parametrize("key, token", [("nllb", "eng_Latn"), ("m2m100", "__en__")])
def test_forced_target_language_on_both_backends(key, token, offline_hub, tmp_path):
    import torch

    from helpers.models.loaded import WeightsReleased

    spec = MODEL_REGISTRY[key]
    loaded = load_model(spec, "real", tmp_path, "ctranslate2")
    assert isinstance(loaded.model, WeightsReleased)  # on CTranslate2 the fp32 weights are not kept
    tok = loaded.tokenizer
    assert loaded.generate_kwargs() == {"forced_bos_token_id": tok.convert_tokens_to_ids(token)}
    enc = tok(["Bộ trưởng Tô Lâm"], return_tensors="pt")
    with torch.no_grad():
        out = load_model(spec, "real", tmp_path).model.generate(**enc, max_new_tokens=4, **loaded.generate_kwargs())
    assert tok.convert_ids_to_tokens(out[0].tolist())[1] == token
    source = tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    (result,) = loaded.ct2.translate_batch([source], target_prefix=[[token]], max_decoding_length=4)
    assert result.hypotheses[0][0] == token


def _local_copy(offline_hub, key, tmp_path):
    spec = MODEL_REGISTRY[key]
    snapshot = next((offline_hub / ("models--" + spec.source.replace("/", "--")) / "snapshots").iterdir())
    folder = tmp_path / key
    shutil.copytree(snapshot, folder)  # links followed: plain files
    return replace(spec, key=f"{key}-local", source=str(folder)), folder


def test_truncated_weights_name_the_file_and_the_problem(offline_hub, tmp_path):
    spec, folder = _local_copy(offline_hub, "opus-mt", tmp_path)
    weights = folder / "pytorch_model.bin"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ModelBroken) as err:
        load_real(spec, tmp_path / "cache")
    assert str(weights) in str(err.value) and "truncated or corrupt" in str(err.value)


def test_a_repo_with_only_tensorflow_weights_or_no_tokenizer_says_what_is_wrong(offline_hub, tmp_path):
    spec, folder = _local_copy(offline_hub, "distilbart", tmp_path)
    (folder / "pytorch_model.bin").rename(folder / "tf_model.h5")
    with pytest.raises(ModelBroken, match="only tf_model.h5"):
        load_real(spec, tmp_path / "cache")
    spec, folder = _local_copy(offline_hub, "m2m100", tmp_path / "b")
    (folder / "vocab.json").unlink()
    with pytest.raises(ModelBroken, match="lacks vocab.json"):
        load_real(spec, tmp_path / "cache")


def test_uncached_hub_id_offline_fails_fast_with_the_ways_out(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    spec = ModelSpec("x", "Helsinki-NLP/opus-mt-vi-en-not-cached", "marian", "translate")
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        load_model(spec, "real", tmp_path)
    assert time.perf_counter() - started < 30
    message = str(err.value)
    assert "Helsinki-NLP/opus-mt-vi-en-not-cached" in message
    assert "Hugging Face cache" in message and "MODELS=demo" in message and "make models" in message


def test_auto_falls_back_to_demo_with_a_warning(monkeypatch, demo_cache, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.warns(UserWarning, match="DEMO model"):
        loaded = load_model(MODEL_REGISTRY["m2m100"], "auto", demo_cache / "auto-case")
    assert loaded.demo


def test_forced_length_gives_outputs_of_that_length_on_both_backends(demo_cache):
    from helpers.inference.generation import generate

    spec = MODEL_REGISTRY["opus-mt"]
    settings = replace(spec.generation, max_new_tokens_ratio=1.0, max_new_tokens_extra=0, min_new_tokens_ratio=1.0)
    text = "Đảng ủy Công an Trung ương tổ chức Hội nghị tổng kết công tác năm 2022."
    for backend in ("transformers", "ctranslate2"):
        loaded = load_model(spec, "demo", demo_cache, backend=backend)
        n_in = len(loaded.tokenizer(text)["input_ids"])
        (out,) = generate(loaded, [text], settings)
        n_out = len(loaded.tokenizer(text_target=out)["input_ids"]) if out else 0
        assert n_out >= n_in // 2, backend  # the output was forced long, not stopped at once


def test_ctranslate2_scores_only_target_pieces_when_target_spm_is_smaller(tmp_path, monkeypatch):
    """A Marian model whose target.spm holds fewer pieces than its joint vocabulary (as opus-mt's)
    gets a vocabulary map; the tiny demo (target.spm = source.spm) does not need one."""
    from helpers.inference.generation import generate, generate_batches

    base = MODEL_REGISTRY["opus-mt"]
    folder = build_standin(base, family_of(base).standin, tmp_path,
                           shape=Shape(extra_vocab=3000, target_vocab=2000, tag="vmap-test"))
    spec = replace(base, key="opus-mt-vmap", source=str(folder))
    loaded = load_model(spec, "real", tmp_path, backend="ctranslate2")
    pieces = loaded.family.output_pieces(loaded.tokenizer)
    assert loaded.vmap and loaded.provenance()["output_vocabulary"] == "target pieces"
    assert 2000 <= len(pieces) < len(loaded.tokenizer) - 900  # the source-only fillers are left out
    texts = ["Toàn cảnh Hội nghị", "Bộ trưởng Tô Lâm kết luận Hội nghị", "Đảng ủy Công an Trung ương"]
    sources = [loaded.tokenizer.convert_ids_to_tokens(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
    results = loaded.ct2.translate_batch(sources, beam_size=2, max_decoding_length=12, min_decoding_length=12,
                                            use_vmap=True)
    emitted = {t for r in results for t in r.hypotheses[0]}
    assert emitted and emitted <= set(pieces)
    unrestricted = loaded.ct2.translate_batch(sources, beam_size=2, max_decoding_length=12, min_decoding_length=12)
    assert {t for r in unrestricted for t in r.hypotheses[0]} - set(pieces)  # random weights do pick fillers
    batches = [texts[:1], texts[1:], *([t] for t in texts), texts]  # more than the batches queued ahead
    assert list(generate_batches(loaded, batches)) == [generate(loaded, b) for b in batches]
    tiny = load_model(base, "demo", tmp_path, backend="ctranslate2")
    assert not tiny.vmap and tiny.provenance()["output_vocabulary"] == "full"
    from helpers.inference.runs import memory_for

    assert memory_for(loaded, tmp_path / "a.sqlite").settings["output_vocabulary"] == "target pieces"
    assert "output_vocabulary" not in memory_for(tiny, tmp_path / "b.sqlite").settings


def test_a_conversion_that_disagrees_with_the_tokenizer_stays_on_transformers(demo_cache, tmp_path, monkeypatch):
    import helpers.models.convert as convert

    loaded = load_model(MODEL_REGISTRY["m2m100"], "demo", demo_cache)
    monkeypatch.setattr(convert, "converted_vocabulary", lambda folder: ["<s>", "<pad>", "</s>", "<unk>", "shifted"])
    with pytest.warns(UserWarning, match="CTranslate2 not used"):
        moved = convert.with_ct2(loaded, tmp_path)
    assert moved.backend == "transformers"
    assert "disagrees with the tokenizer" in moved.provenance()["ctranslate2_not_used"]


@pytest.mark.parametrize("key", sorted(MODEL_REGISTRY))
def test_a_converted_model_loads_without_its_fp32_weights_and_decodes_alike(key, demo_cache):
    """Once converted, a model on CTranslate2 is loaded from its configs alone (no fp32 weights in
    memory), with the same resolved settings, hence the same memory keys and outputs."""
    from helpers.models import loading
    from helpers.models.loaded import WeightsReleased

    spec = MODEL_REGISTRY[key]
    on_ct2 = load_model(spec, "demo", demo_cache, "ctranslate2")  # converts once if need be
    full = load_model(spec, "demo", demo_cache)
    lazy = loading._load_uncached(spec, "demo", demo_cache, lazy=True)
    assert isinstance(lazy.model, WeightsReleased) and isinstance(on_ct2.model, WeightsReleased)
    assert lazy.settings == full.settings and lazy.input_limit == full.input_limit
    assert on_ct2.provenance()["generation"] == full.provenance()["generation"]


def test_a_released_model_holds_no_int8_weights_and_decodes_alike_when_used_again(demo_cache):
    """Stages let a model's int8 weights go when done with it (one model's held at a time); the next
    batch loads them again and decodes as before."""
    from helpers.inference.generation import generate
    from helpers.models.loading import release

    loaded = load_model(MODEL_REGISTRY["opus-mt"], "demo", demo_cache, "ctranslate2")
    texts = ["Hội nghị lần thứ 12 đã diễn ra tại Hà Nội.", "Bộ Công an"]
    before = generate(loaded, texts)
    assert loaded.ct2.in_memory
    release(loaded)
    assert not loaded.ct2.in_memory
    assert generate(loaded, texts) == before
