"""Stand-in recipes, one per model family: each writes the files its real hub repo holds (the
tokenizer files and their special-token order, the real config keys with the generation
defaults) and tiny random weights, from the shipped corpus. `families.FAMILIES` names each
family's recipe; `standins.build_standin` runs it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.models.registry import ModelSpec

CORPUS = Path(__file__).with_name("data") / "standin_corpus.txt"


SEED = 0


@dataclass(frozen=True)
class Shape:
    """Sizes of a stand-in: tiny by default; the benchmark asks for a real model's full shape."""

    d_model: int = 32
    layers: int = 1
    decoder_layers: int = 0  # 0: as many as `layers` (distilbart-cnn-12-6 has 12 and 6)
    heads: int = 2
    ffn: int = 64
    extra_vocab: int = 0  # unused pieces added to reach a real vocabulary size (Marian, BART, mT5)
    spm_vocab: int = 1000  # SentencePiece pieces trained on the corpus (at most what it holds)
    spm_type: str = "unigram"
    target_vocab: int = 0  # pieces of target.spm, topped up with filler pieces (0: target.spm = source.spm)
    tag: str = "tiny"


TINY = Shape()


def corpus_texts() -> list[str]:
    """The stand-ins' training text: Vietnamese report lines shipped with the package."""
    return [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]

# ---------------------------------------------------------------- tokenizer material

# SentencePiece special ids as each family's real model has them.
MARIAN_IDS = {"pad_id": 0, "unk_id": 1, "eos_id": 2, "bos_id": -1}
FAIRSEQ_IDS = {"unk_id": 0, "bos_id": 1, "eos_id": 2, "pad_id": -1}  # fairseq adds <pad> and an offset of 1
T5_IDS = {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1}


def train_sentencepiece(texts: list[str], vocab_size: int, model_type: str, ids: dict[str, int]) -> bytes:
    """A SentencePiece model that round-trips any text (identity rules, byte fallback)."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buf, vocab_size=vocab_size, model_type=model_type,
        normalization_rule_name="identity", byte_fallback=True, remove_extra_whitespaces=False,
        character_coverage=1.0, num_threads=1, hard_vocab_limit=False, minloglevel=2,
        seed_sentencepiece_size=100000,
        pad_id=ids["pad_id"], unk_id=ids["unk_id"], bos_id=ids["bos_id"], eos_id=ids["eos_id"],
    )
    return buf.getvalue()


def pieces_of(model: bytes) -> list[str]:
    """The pieces of a SentencePiece model, in id order."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def filler_piece(i: int) -> str:
    """The i-th unused piece that pads a stand-in vocabulary to a real model's size."""
    return f"▁<unused{i}>"


def with_target_fillers(model: bytes, size: int) -> bytes:
    """The SentencePiece model topped up to `size` pieces with filler pieces (user-defined
    symbols, which plain text never produces): a target side as large as a real model's."""
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model)
    for i in range(max(0, size - len(proto.pieces))):
        proto.pieces.add(piece=filler_piece(i), score=0.0,
                         type=sentencepiece_model_pb2.ModelProto.SentencePiece.USER_DEFINED)
    return proto.SerializeToString()


def marian_vocab(pieces: list[str], extra: int = 0) -> dict[str, int]:
    """A vocab.json laid out as opus-mt's: '</s>' 0, '<unk>' 1, the pieces, `extra` unused
    filler pieces (to reach a real model's vocabulary size), and '<pad>' last."""
    body = [p for p in pieces if p not in ("</s>", "<unk>", "<pad>")]
    body += [filler_piece(i) for i in range(extra)]
    order = ["</s>", "<unk>", *body, "<pad>"]
    return {p: i for i, p in enumerate(order)}


def fairseq_vocab(pieces: list[str]) -> dict[str, int]:
    """A fairseq dictionary as M2M100's vocab.json: <s>, <pad>, </s>, <unk>, then the pieces."""
    order = ["<s>", "<pad>", "</s>", "<unk>", *(p for p in pieces if p not in ("<unk>", "<s>", "</s>"))]
    return {p: i for i, p in enumerate(order)}


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _tokenizer(folder: Path, **kwargs: Any) -> Any:
    import warnings

    from transformers import AutoTokenizer

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False, **kwargs)


def _seq2seq(shape: Shape, vocab: int, positions: int, pad: int, bos: int, eos: int, start: int) -> dict[str, Any]:
    """Architecture keys shared by the BART-like families (Marian, M2M100/NLLB, mBART, BART)."""
    return {
        "d_model": shape.d_model, "encoder_layers": shape.layers,
        "decoder_layers": shape.decoder_layers or shape.layers,
        "num_hidden_layers": shape.layers, "encoder_attention_heads": shape.heads,
        "decoder_attention_heads": shape.heads, "encoder_ffn_dim": shape.ffn, "decoder_ffn_dim": shape.ffn,
        "max_position_embeddings": positions, "vocab_size": vocab, "pad_token_id": pad, "bos_token_id": bos,
        "eos_token_id": eos, "decoder_start_token_id": start, "forced_eos_token_id": eos, "dropout": 0.1,
        "attention_dropout": 0.0, "activation_dropout": 0.0, "init_std": 0.02, "is_encoder_decoder": True,
        "use_cache": True,
    }


# ---------------------------------------------------------- recipes: files + config.json (+ generation_config.json)

Recipe = tuple[dict[str, Any], dict[str, Any] | None]


def marian(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """Helsinki-NLP/opus-mt-*: two SentencePiece models, a joint vocab.json with <pad> last;
    generation defaults in config.json (num_beams 4, max_length 512, bad_words_ids [[pad]])."""
    model = train_sentencepiece(texts, shape.spm_vocab, shape.spm_type, MARIAN_IDS)
    (folder / "source.spm").write_bytes(model)
    (folder / "target.spm").write_bytes(with_target_fillers(model, shape.target_vocab) if shape.target_vocab else model)
    vocab = marian_vocab(pieces_of(model), shape.extra_vocab)
    write_json(folder / "vocab.json", vocab)
    write_json(folder / "tokenizer_config.json", {"target_lang": "eng", "source_lang": "vie"})
    pad = vocab["<pad>"]
    config = {
        "architectures": ["MarianMTModel"], "model_type": "marian",
        **_seq2seq(shape, len(vocab), 512, pad, 0, 0, pad),
        "decoder_vocab_size": len(vocab), "activation_function": "swish", "scale_embedding": True,
        "normalize_before": False, "normalize_embedding": False, "static_position_embeddings": True,
        "add_bias_logits": False, "add_final_layer_norm": False, "share_encoder_decoder_embeddings": True,
        "num_beams": 4, "max_length": 512, "bad_words_ids": [[pad]],
    }
    return config, None


def _fairseq_spm(folder: Path, texts: list[str], shape: Shape) -> list[str]:
    model = train_sentencepiece(texts, shape.spm_vocab, "bpe", FAIRSEQ_IDS)
    (folder / "sentencepiece.bpe.model").write_bytes(model)
    return pieces_of(model)


def nllb(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """facebook/nllb-200-*: tokenizer.json and sentencepiece.bpe.model, NllbTokenizer, 2 spare
    rows in vocab_size; generation_config.json with max_length 200 and no num_beams."""
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    _fairseq_spm(folder, texts, shape)
    write_json(folder / "tokenizer_config.json", {"tokenizer_class": "NllbTokenizer"})
    tok = _tokenizer(folder, extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES))  # the 202 language codes
    tok.save_pretrained(str(folder))  # writes tokenizer.json beside the SentencePiece model, as the real repo
    write_json(folder / "special_tokens_map.json", {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "sep_token": "</s>",
        "cls_token": "<s>", "mask_token": "<mask>"})
    config = {
        "architectures": ["M2M100ForConditionalGeneration"], "model_type": "m2m_100",
        "tokenizer_class": "NllbTokenizer",
        **_seq2seq(shape, len(tok) + 2, 1024, 1, 0, 2, 2),
        "activation_function": "relu", "scale_embedding": True, "max_length": 200,
    }
    return config, {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "max_length": 200,
                    "pad_token_id": 1}


def m2m100(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """facebook/m2m100_*: vocab.json in fairseq order, 100 language tokens after it and 8
    "madeup words" in vocab_size; generation_config.json with num_beams 5, max_length 200."""
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    vocab = fairseq_vocab(_fairseq_spm(folder, texts, shape))
    write_json(folder / "vocab.json", vocab)
    languages = [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    special = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    write_json(folder / "special_tokens_map.json", {**special, "additional_special_tokens": languages})
    write_json(folder / "tokenizer_config.json", {
        **special, "src_lang": None, "tgt_lang": None, "language_codes": "m2m100", "num_madeup_words": 8,
        "model_max_length": 1024, "tokenizer_class": "M2M100Tokenizer"})
    size = len(vocab) + len(languages) + 8
    config = {
        "architectures": ["M2M100ForConditionalGeneration"], "model_type": "m2m_100",
        **_seq2seq(shape, size, 1024, 1, 0, 2, 2),
        "activation_function": "relu", "scale_embedding": True, "early_stopping": True, "num_beams": 5,
        "max_length": 200,
    }
    generation = {"bos_token_id": 0, "decoder_start_token_id": 2, "early_stopping": True, "eos_token_id": 2,
                  "max_length": 200, "num_beams": 5, "pad_token_id": 1}
    return config, generation


def mbart(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """vinai/vinai-translate-vi2en-v2: config.json naming MBartTokenizer (mBART-25 style: source
    ends `</s> vi_VN`, the decoder starts with `en_XX`) and a bare sentencepiece.bpe.model, no
    tokenizer files; generation defaults num_beams 5, max_length 1024 in config.json."""
    _fairseq_spm(folder, texts, shape)
    write_json(folder / "config.json", {"model_type": "mbart", "tokenizer_class": "MBartTokenizer"})
    size = len(_tokenizer(folder))
    config = {
        "architectures": ["MBartForConditionalGeneration"], "model_type": "mbart", "tokenizer_class": "MBartTokenizer",
        **_seq2seq(shape, size, 1024, 1, 0, 2, 2),
        "activation_function": "gelu", "scale_embedding": True, "normalize_before": True, "normalize_embedding": True,
        "add_final_layer_norm": True, "num_beams": 5, "max_length": 1024,
    }
    return config, None


def bart(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """sshleifer/distilbart-cnn-*: byte-level BPE vocab.json + merges.txt with <mask> last and outside
    vocab_size (50,265 entries, vocab_size 50,264); generation in config.json: num_beams 4,
    length_penalty 2.0, min_length 56, max_length 142, no_repeat_ngram_size 3."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=shape.spm_vocab, min_frequency=1, show_progress=False,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    bpe.save_model(str(folder))
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    for i in range(len(vocab), shape.extra_vocab - 1):  # unused entries up to the real size (benchmark shape)
        vocab[f"<unused_{i}>"] = i
    vocab["<mask>"] = len(vocab)
    write_json(folder / "vocab.json", vocab)
    config = {
        "architectures": ["BartForConditionalGeneration"], "model_type": "bart",
        **_seq2seq(shape, len(vocab) - 1, 1024, 1, 0, 2, 2),
        "activation_function": "gelu", "scale_embedding": False, "normalize_before": False,
        "normalize_embedding": True, "add_final_layer_norm": False, "add_bias_logits": False,
        "static_position_embeddings": False, "extra_pos_embeddings": 2, "force_bos_token_to_be_generated": True,
        "num_beams": 4, "length_penalty": 2.0, "min_length": 56, "max_length": 142, "no_repeat_ngram_size": 3,
        "early_stopping": True, "prefix": " ",
    }
    return config, None


def mt5(folder: Path, spec: ModelSpec, texts: list[str], shape: Shape) -> Recipe:
    """csebuetnlp/mT5_multilingual_XLSum: spiece.model (pad 0, eos 1, unk 2), T5Tokenizer with no
    extra ids, 12 spare rows in vocab_size (250,112 for 250,100 pieces), untied output layer;
    no generation defaults in its files (the card's are in the registry)."""
    model = train_sentencepiece(texts, shape.spm_vocab, "unigram", T5_IDS)
    (folder / "spiece.model").write_bytes(model)
    special = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
    write_json(folder / "special_tokens_map.json", special)
    write_json(folder / "tokenizer_config.json", {**special, "extra_ids": 0, "additional_special_tokens": None,
                                                   "tokenizer_class": "T5Tokenizer"})
    size = max(len(pieces_of(model)) + 12, shape.extra_vocab)  # the real size's spare rows (benchmark shape)
    config = {
        "architectures": ["MT5ForConditionalGeneration"], "model_type": "mt5", "tokenizer_class": "T5Tokenizer",
        "d_model": shape.d_model, "d_kv": shape.d_model // shape.heads, "d_ff": shape.ffn, "num_layers": shape.layers,
        "num_decoder_layers": shape.decoder_layers or shape.layers, "num_heads": shape.heads,
        "relative_attention_num_buckets": 32,
        "feed_forward_proj": "gated-gelu", "tie_word_embeddings": False, "vocab_size": size, "pad_token_id": 0,
        "eos_token_id": 1, "decoder_start_token_id": 0, "dropout_rate": 0.1, "layer_norm_epsilon": 1e-6,
        "is_encoder_decoder": True, "use_cache": True,
    }
    return config, None


# ---------------------------------------------------------------- building and placing


