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
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import MODEL_MODES, ModelSpec

DEMO_BUILD = "v1"  # bump when the demo recipe changes: old builds are then ignored
DEMO_SEED = 0
DEMO_VOCAB = 1000
DEMO_SIZES = {"d_model": 32, "layers": 1, "heads": 2, "ffn": 64}
DEMO_TEXT_DIR = Path(__file__).resolve().parents[2] / "seeds"
MAX_POSITIONS = 1024


class ModelUnavailable(RuntimeError):
    """A real model could not be found; the message says where it was looked for and the ways out."""


@dataclass
class LoadedModel:
    """A tokenizer and model ready for `generate`, with where they came from."""

    spec: ModelSpec
    tokenizer: Any
    model: Any
    demo: bool
    revision: str
    location: str

    def provenance(self) -> dict[str, Any]:
        """What run.json and the reports say about this model."""
        return {
            "key": self.spec.key,
            "source": self.spec.source,
            "family": self.spec.family,
            "demo": self.demo,
            "revision": self.revision,
            "location": self.location,
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


def load_real(spec: ModelSpec) -> LoadedModel:
    """Load pretrained weights from a local folder or the hub cache (or the hub itself when online)."""
    found = find_real(spec)
    if found is None and (_offline() or not hub_reachable()):
        raise ModelUnavailable(unavailable_message(spec))
    try:
        tokenizer, model = _load_pretrained(found or spec.source, spec, local_only=found is not None or _offline())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(unavailable_message(spec) + f" (loader said: {str(exc).splitlines()[0][:200]})") from None
    revision = spec.revision or getattr(model.config, "_commit_hash", None) or "local"
    return LoadedModel(spec, tokenizer, model, demo=False, revision=str(revision), location=found or spec.source)


def load_model(spec: ModelSpec, mode: str, cache_dir: Path) -> LoadedModel:
    """Load a model as `mode` says (real, demo or auto); cached per process."""
    if mode not in MODEL_MODES:
        raise ValueError(f"MODELS must be one of {', '.join(MODEL_MODES)}, not {mode!r}")
    return _load_cached(spec, mode, Path(cache_dir))


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


def train_sentencepiece(texts: list[str], vocab_size: int = DEMO_VOCAB) -> bytes:
    """A SentencePiece unigram model that round-trips any text (identity rules, byte fallback)."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buf, vocab_size=vocab_size, model_type="unigram",
        normalization_rule_name="identity", byte_fallback=True, remove_extra_whitespaces=False,
        character_coverage=1.0, num_threads=1, hard_vocab_limit=False, minloglevel=2,
        pad_id=0, unk_id=1, eos_id=2, bos_id=-1, seed_sentencepiece_size=100000,
    )
    return buf.getvalue()


def _m2m_language_tokens() -> list[str]:
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    return [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]


def _write_tokenizer_files(spec: ModelSpec, folder: Path, texts: list[str]) -> None:
    """Raw tokenizer files of the family's real layout, trained on the seeds."""
    if spec.family == "bart":
        from tokenizers import ByteLevelBPETokenizer

        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(texts, vocab_size=DEMO_VOCAB, min_frequency=1, show_progress=False,
                                special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        bpe.save_model(str(folder))
        config = {"tokenizer_class": "BartTokenizer"}
    else:
        model = train_sentencepiece(texts)
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_proto=model)
        vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
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
        if spec.family in ("marian", "m2m100"):
            (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    langs = {k: v for k, v in (("src_lang", spec.src_lang), ("tgt_lang", spec.tgt_lang)) if v}
    (folder / "tokenizer_config.json").write_text(json.dumps({**config, **langs, "model_max_length": MAX_POSITIONS}))


def _demo_config(spec: ModelSpec, tokenizer: Any) -> Any:
    """A tiny model config of the spec's family, sized to its tokenizer."""
    import transformers as tf

    special = [i for i in tokenizer.all_special_ids if i is not None]
    vocab = max(len(tokenizer), max(special) + 1)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    d, layers, heads, ffn = (DEMO_SIZES[k] for k in ("d_model", "layers", "heads", "ffn"))
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


def demo_folder(spec: ModelSpec, cache_dir: Path) -> Path:
    """Where the demo model of a spec lives in the cache."""
    return Path(cache_dir) / "demo-models" / f"{spec.family}-{spec.key}-{DEMO_BUILD}"


def build_demo_model(spec: ModelSpec, cache_dir: Path, texts: list[str] | None = None) -> Path:
    """Build (once) the tiny random-weight model of the spec's family; return its folder.

    The build goes to a temporary folder moved into place at the end, so an
    interrupted or concurrent build never leaves a half-written model.
    """
    target = demo_folder(spec, cache_dir)
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
        _write_tokenizer_files(spec, raw, texts or demo_texts())
        tokenizer = _auto_tokenizer(str(raw))
        torch.manual_seed(DEMO_SEED)
        model = AutoModelForSeq2SeqLM.from_config(_demo_config(spec, tokenizer))
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
