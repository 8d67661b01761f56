"""The one way to load a model: real pretrained weights, or a demo stand-in.

`real`: a local folder or a hub id found in the Hugging Face cache (or downloaded
when the hub is reachable and `HF_HUB_OFFLINE` is not set). `demo`: a tiny
random-weight model of the same family, built deterministically from the seeds'
text into the cache folder once, then loaded through the same code as a real one.
`auto`: real where available locally, else demo with a warning.

Weights load from safetensors only; remote code is never trusted.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import MODEL_MODES, ModelSpec

DEMO_BUILD = "v3"  # bump when the demo recipe changes: old builds are then ignored
DEMO_SEED = 0
DEMO_VOCAB = 1000


@dataclass(frozen=True)
class DemoShape:
    """Sizes of a demo model: tiny by default; the benchmark asks for a real model's full shape."""

    d_model: int = 32
    layers: int = 1
    heads: int = 2
    ffn: int = 64
    extra_vocab: int = 0  # unused pieces added to reach a real vocabulary size (Marian only)
    spm_vocab: int = DEMO_VOCAB  # SentencePiece pieces trained on the seeds (at most what they hold)
    spm_type: str = "unigram"
    target_vocab: int = 0  # pieces of target.spm, topped up with filler pieces (0: target.spm = source.spm)
    tag: str = "tiny"


TINY = DemoShape()
# The shape of Helsinki-NLP/opus-mt-vi-en: same compute per token as the real model.
# A larger SentencePiece vocabulary gives about as many tokens per Vietnamese word as the real one;
# like the real one, the target side has its own 32k-piece SentencePiece model within the joint vocabulary.
OPUS_MT_SHAPE = DemoShape(d_model=512, layers=6, heads=8, ffn=2048, extra_vocab=50_000, spm_vocab=8000, spm_type="bpe",
                          target_vocab=32_000, tag="opus-mt-shape")
DEMO_TEXT_DIR = Path(__file__).resolve().parents[2] / "seeds"
MAX_POSITIONS = 1024
BACKENDS = ("transformers", "ctranslate2")
CT2_FAMILIES = ("marian", "nllb", "mt5")  # what ctranslate2 4.8.5 converts from transformers 5 here
CT2_COMPUTE = "int8"
CT2_RECIPE = "v2"  # bump when the conversion changes (v2: target-piece vocabulary map)


class ModelUnavailable(RuntimeError):
    """A real model could not be found; the message says where it was looked for and the ways out."""


@dataclass(eq=False)
class LoadedModel:
    """A tokenizer and model ready for `generate`, with where they came from."""

    spec: ModelSpec
    tokenizer: Any
    model: Any
    demo: bool
    revision: str
    location: str
    backend: str = "transformers"  # or "ctranslate2" (int8), see `engine`
    engine: Any = None  # the ctranslate2.Translator when backend is ctranslate2
    vmap: bool = False  # ctranslate2 scores only the target-language pieces (see `target_pieces`)

    def provenance(self) -> dict[str, Any]:
        """What run.json and the reports say about this model."""
        return {
            "key": self.spec.key,
            "source": self.spec.source,
            "family": self.spec.family,
            "demo": self.demo,
            "revision": self.revision,
            "location": self.location,
            "backend": self.backend,
            "output_vocabulary": "target pieces" if self.vmap else "full",
            "max_input_tokens": self.input_limit,
            "generation": asdict(self.spec.generation),
        }

    @property
    def input_limit(self) -> int:
        """Most input tokens the model takes (the spec's limit, capped by its positions)."""
        positions = getattr(self.model.config, "max_position_embeddings", None) or self.spec.max_input_tokens
        return min(self.spec.max_input_tokens, positions)

    def generate_kwargs(self) -> dict[str, Any]:
        """Family-specific arguments for `generate` (the target-language token)."""
        if self.spec.tgt_lang and self.spec.family in ("nllb", "m2m100", "mbart50"):
            token = f"__{self.spec.tgt_lang}__" if self.spec.family == "m2m100" else self.spec.tgt_lang
            return {"forced_bos_token_id": self.tokenizer.convert_tokens_to_ids(token)}
        return {}


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def hub_reachable(timeout: float = 3.0) -> bool:
    """True if the Hugging Face hub answers a TCP connection within `timeout` seconds."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub.constants import ENDPOINT

    url = urlparse(ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def find_real(spec: ModelSpec) -> str | None:
    """The local folder or cached hub id holding the real model, or None."""
    folder = Path(spec.source).expanduser()
    if folder.is_dir():
        return str(folder)
    if "/" not in spec.source or spec.source.startswith((".", "/", "~")):
        return None
    from huggingface_hub import try_to_load_from_cache

    hit = try_to_load_from_cache(spec.source, "config.json", revision=spec.revision)
    return spec.source if isinstance(hit, str) else None


def unavailable_message(spec: ModelSpec) -> str:
    """The error for a real model that is not here, naming where it was looked for and the ways out."""
    from huggingface_hub.constants import HF_HUB_CACHE

    where = f"local folder {spec.source}" if spec.source.startswith((".", "/", "~")) else (
        f"the Hugging Face cache ({HF_HUB_CACHE})" + ("; the hub is offline (HF_HUB_OFFLINE=1)" if _offline() else "; the hub could not be reached")
    )
    return (
        f"model {spec.source} ({spec.key}, {spec.family}) is not available: looked in {where}. "
        f"Either download it on a connected machine (`hf download {spec.source}`) and copy the cache here "
        f"(or point the model at a local folder), or run with MODELS=demo (random-weight stand-ins: not a translation)."
    )


def _load_pretrained(location: str, spec: ModelSpec, local_only: bool) -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    common = {"revision": spec.revision, "local_files_only": local_only, "trust_remote_code": False}
    tokenizer = _auto_tokenizer(location, **common)
    model = AutoModelForSeq2SeqLM.from_pretrained(location, use_safetensors=True, **common)
    model.eval()
    if spec.src_lang and hasattr(tokenizer, "src_lang"):
        tokenizer.src_lang = spec.src_lang
    if spec.tgt_lang and hasattr(tokenizer, "tgt_lang"):
        tokenizer.tgt_lang = spec.tgt_lang
    return tokenizer, model


def _auto_tokenizer(location: str, **kwargs: Any) -> Any:
    from transformers import AutoTokenizer

    with warnings.catch_warnings():  # Marian asks for sacremoses, which would alter punctuation
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return AutoTokenizer.from_pretrained(location, **kwargs)


def _folder_revision(found: str | None) -> str:
    """A local folder's revision: its files' digest, so caches keyed on it follow its content."""
    folder = Path(found) if found else None
    if folder is None or not folder.is_dir():
        return "local"
    stamp = folder / "DEMO_REVISION"
    return stamp.read_text().strip() if stamp.exists() else f"local-{_digest(folder)}"


def load_real(spec: ModelSpec) -> LoadedModel:
    """Load pretrained weights from a local folder or the hub cache (or the hub itself when online)."""
    found = find_real(spec)
    if found is None and (_offline() or not hub_reachable()):
        raise ModelUnavailable(unavailable_message(spec))
    try:
        tokenizer, model = _load_pretrained(found or spec.source, spec, local_only=found is not None or _offline())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(unavailable_message(spec) + f" (loader said: {str(exc).splitlines()[0][:200]})") from None
    revision = spec.revision or getattr(model.config, "_commit_hash", None) or _folder_revision(found)
    return LoadedModel(spec, tokenizer, model, demo=False, revision=str(revision), location=found or spec.source)


def load_model(spec: ModelSpec, mode: str, cache_dir: Path, backend: str = "transformers") -> LoadedModel:
    """Load a model as `mode` says (real, demo or auto), on the given backend; cached per process.

    `ctranslate2` converts the model once (int8, cached next to the demo models) and
    falls back to `transformers` for families its converter cannot read here.
    """
    if mode not in MODEL_MODES:
        raise ValueError(f"MODELS must be one of {', '.join(MODEL_MODES)}, not {mode!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    loaded = _load_cached(spec, mode, Path(cache_dir))
    if backend == "ctranslate2" and spec.family in CT2_FAMILIES:
        return _with_ct2(loaded, Path(cache_dir))
    return loaded


@lru_cache(maxsize=8)
def _with_ct2(loaded: LoadedModel, cache_dir: Path) -> LoadedModel:
    """The model converted to int8 once (cached), served by one worker per core."""
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    target = cache_dir / "ct2" / f"{loaded.spec.key}-{loaded.revision}-{CT2_COMPUTE}-{CT2_RECIPE}"
    if not (target / "model.bin").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            TransformersConverter(loaded.location).convert(str(work / "model"), quantization=CT2_COMPUTE, force=True)
            _write_vmap(work / "model", target_pieces(loaded.tokenizer))
            try:
                os.replace(work / "model", target)
            except OSError:  # converted concurrently by another run
                if not (target / "model.bin").exists():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    keep_freed_memory()
    engine = ctranslate2.Translator(str(target), device="cpu", compute_type=CT2_COMPUTE,
                                    inter_threads=os.cpu_count() or 1, intra_threads=1)
    return replace(loaded, backend="ctranslate2", engine=engine, vmap=(target / "vmap.txt").exists())


def target_pieces(tokenizer: Any) -> list[str] | None:
    """The pieces a Marian model's target SentencePiece model can produce, or None.

    opus-mt models keep one joint vocabulary (53,685 entries for vi-en) for two
    SentencePiece models (about 32k pieces each): source-only pieces are never
    training targets. Scoring only the target pieces shrinks the output layer, the
    largest matrix of each decoding step.
    """
    spm = getattr(tokenizer, "spm_target", None)
    if spm is None or getattr(tokenizer, "separate_vocabs", False):
        return None
    pieces = [spm.id_to_piece(i) for i in range(spm.get_piece_size())]
    vocab = tokenizer.get_vocab()
    return [p for p in dict.fromkeys([*pieces, *tokenizer.all_special_tokens]) if p in vocab]


def _write_vmap(folder: Path, pieces: list[str] | None) -> None:
    """A ctranslate2 vocabulary map whose fixed candidates are `pieces`, if they restrict anything."""
    vocabulary = set(json.loads((folder / "shared_vocabulary.json").read_text(encoding="utf-8")))
    kept = [p for p in pieces or () if p in vocabulary]
    if pieces is None or len(set(kept)) >= len(vocabulary):
        return
    (folder / "vmap.txt").write_text("\t" + " ".join(kept) + "\n", encoding="utf-8")


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory rather than hand it back to the kernel at once.

    Beam search allocates and frees its cache buffers at every step; with glibc's
    defaults each of them comes back as fresh pages (page faults cost about a tenth
    of the decoding time). A no-op where glibc is absent.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 << 20)  # glibc's maximum: buffers up to 32 MB come from the heap
    libc.mallopt(m_trim_threshold, 512 << 20)  # keep up to 512 MB of freed heap


@lru_cache(maxsize=8)
def _load_cached(spec: ModelSpec, mode: str, cache_dir: Path) -> LoadedModel:
    if mode == "real" or (mode == "auto" and find_real(spec)):
        return load_real(spec)
    if mode == "auto":
        warnings.warn(
            f"{spec.source} is not available locally: using a DEMO model (random weights; its text is not a translation)",
            stacklevel=3,
        )
    folder = build_demo_model(spec, cache_dir)
    tokenizer, model = _load_pretrained(str(folder), spec, local_only=True)
    revision = (folder / "DEMO_REVISION").read_text().strip()
    return LoadedModel(spec, tokenizer, model, demo=True, revision=revision, location=str(folder))


# ---------------------------------------------------------------- demo models


def demo_texts(folder: Path = DEMO_TEXT_DIR) -> list[str]:
    """The non-blank lines of the seed reports: the demo tokenizers' training text."""
    from .inputs import read_folder

    sources, _ = read_folder(folder)
    if not sources:
        raise ModelUnavailable(f"demo models are trained on the seeds in {folder}, and none were found there")
    return [line for src in sources for line in src.lines if line.strip()]


def train_sentencepiece(texts: list[str], vocab_size: int = DEMO_VOCAB, model_type: str = "unigram") -> bytes:
    """A SentencePiece model that round-trips any text (identity rules, byte fallback)."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buf, vocab_size=vocab_size, model_type=model_type,
        normalization_rule_name="identity", byte_fallback=True, remove_extra_whitespaces=False,
        character_coverage=1.0, num_threads=1, hard_vocab_limit=False, minloglevel=2,
        pad_id=0, unk_id=1, eos_id=2, bos_id=-1, seed_sentencepiece_size=100000,
    )
    return buf.getvalue()


def _m2m_language_tokens() -> list[str]:
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    return [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]


def filler_piece(i: int) -> str:
    """The i-th unused piece that pads a demo vocabulary to a real model's size."""
    return f"▁<unused{i}>"


def with_target_fillers(model: bytes, size: int) -> bytes:
    """The SentencePiece model topped up to `size` pieces with filler pieces (as user-defined
    symbols, which plain text never produces): a target side as large as a real model's."""
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model)
    for i in range(max(0, size - len(proto.pieces))):
        proto.pieces.add(piece=filler_piece(i), score=0.0, type=sentencepiece_model_pb2.ModelProto.SentencePiece.USER_DEFINED)
    return proto.SerializeToString()


def marian_vocab(pieces: list[str], extra: int = 0) -> dict[str, int]:
    """A vocab.json laid out as opus-mt's: '</s>' 0, '<unk>' 1, the pieces, `extra` unused
    filler pieces (to reach a real model's vocabulary size), and '<pad>' last."""
    body = [p for p in pieces if p not in ("</s>", "<unk>", "<pad>")]
    body += [filler_piece(i) for i in range(extra)]
    order = ["</s>", "<unk>", *body, "<pad>"]
    return {p: i for i, p in enumerate(order)}


def _write_tokenizer_files(spec: ModelSpec, folder: Path, texts: list[str], shape: DemoShape) -> None:
    """Raw tokenizer files of the family's real layout, trained on the seeds."""
    if spec.family == "bart":
        from tokenizers import ByteLevelBPETokenizer

        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(texts, vocab_size=DEMO_VOCAB, min_frequency=1, show_progress=False,
                                special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        bpe.save_model(str(folder))
        config = {"tokenizer_class": "BartTokenizer"}
    else:
        model = train_sentencepiece(texts, shape.spm_vocab, shape.spm_type)
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_proto=model)
        pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        vocab = marian_vocab(pieces, shape.extra_vocab) if spec.family == "marian" else {p: i for i, p in enumerate(pieces)}
        files = {
            "marian": (["source.spm", "target.spm"], {"tokenizer_class": "MarianTokenizer"}),
            "m2m100": (["sentencepiece.bpe.model"], {"tokenizer_class": "M2M100Tokenizer",
                       "additional_special_tokens": _m2m_language_tokens()}),
            "nllb": (["sentencepiece.bpe.model"], {"tokenizer_class": "NllbTokenizer",
                     "additional_special_tokens": [spec.src_lang, spec.tgt_lang]}),
            "mbart50": (["sentencepiece.bpe.model"], {"tokenizer_class": "MBart50Tokenizer"}),
            "mt5": (["spiece.model"], {"tokenizer_class": "T5Tokenizer", "extra_ids": 0}),
        }
        names, config = files[spec.family]
        for name in names:
            (folder / name).write_bytes(model)
        if spec.family == "marian" and shape.target_vocab:
            (folder / "target.spm").write_bytes(with_target_fillers(model, shape.target_vocab))
        if spec.family in ("marian", "m2m100"):
            (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    langs = {k: v for k, v in (("src_lang", spec.src_lang), ("tgt_lang", spec.tgt_lang)) if v}
    (folder / "tokenizer_config.json").write_text(json.dumps({**config, **langs, "model_max_length": MAX_POSITIONS}))


def _demo_config(spec: ModelSpec, tokenizer: Any, shape: DemoShape) -> Any:
    """A model config of the spec's family and the given shape, sized to its tokenizer."""
    import transformers as tf

    special = [i for i in tokenizer.all_special_ids if i is not None]
    vocab = max(len(tokenizer), max(special) + 1)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    d, layers, heads, ffn = shape.d_model, shape.layers, shape.heads, shape.ffn
    if spec.family == "mt5":
        return tf.MT5Config(vocab_size=vocab, d_model=d, d_kv=d // heads, d_ff=ffn, num_layers=layers,
                            num_decoder_layers=layers, num_heads=heads, pad_token_id=pad, eos_token_id=eos,
                            decoder_start_token_id=pad, tie_word_embeddings=False)
    cls = {"marian": tf.MarianConfig, "m2m100": tf.M2M100Config, "nllb": tf.M2M100Config,
           "mbart50": tf.MBartConfig, "bart": tf.BartConfig}[spec.family]
    start = pad if spec.family == "marian" else eos
    return cls(vocab_size=vocab, d_model=d, encoder_layers=layers, decoder_layers=layers,
               encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn,
               decoder_ffn_dim=ffn, max_position_embeddings=MAX_POSITIONS, pad_token_id=pad, eos_token_id=eos,
               bos_token_id=getattr(tokenizer, "bos_token_id", None) or eos, decoder_start_token_id=start,
               forced_eos_token_id=eos)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def demo_folder(spec: ModelSpec, cache_dir: Path, shape: DemoShape = TINY) -> Path:
    """Where the demo model of a spec lives in the cache."""
    suffix = "" if shape == TINY else f"-{shape.tag}"
    return Path(cache_dir) / "demo-models" / f"{spec.family}-{spec.key}-{DEMO_BUILD}{suffix}"


def build_demo_model(
    spec: ModelSpec, cache_dir: Path, texts: list[str] | None = None, shape: DemoShape = TINY
) -> Path:
    """Build (once) the tiny random-weight model of the spec's family; return its folder.

    The build goes to a temporary folder moved into place at the end, so an
    interrupted or concurrent build never leaves a half-written model.
    """
    target = demo_folder(spec, cache_dir, shape)
    if (target / "DEMO_REVISION").exists():
        return target
    import torch
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        raw = work / "raw"
        raw.mkdir()
        _write_tokenizer_files(spec, raw, texts or demo_texts(), shape)
        tokenizer = _auto_tokenizer(str(raw))
        torch.manual_seed(DEMO_SEED)
        model = AutoModelForSeq2SeqLM.from_config(_demo_config(spec, tokenizer, shape))
        built = work / "model"
        tokenizer.save_pretrained(str(built))
        model.save_pretrained(str(built), safe_serialization=True)
        (built / "DEMO_REVISION").write_text(f"demo-{_digest(built)}\n")
        try:
            os.replace(built, target)
        except OSError:  # another process finished the same build first
            if not (target / "DEMO_REVISION").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
