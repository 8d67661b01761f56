"""The registry of model families: one entry holds everything that differs between them.

A family says which tokenizer reads its files, how a language code is written as a
token, how the decoder is pointed at the target language, which pieces it can
output, which files a download needs, and how its stand-in is built (as
CTranslate2's converters register one loader per config class). Adding a family
is one `Family(...)` entry here (and its stand-in recipe in `recipes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from helpers.models.registry import ModelSpec
from helpers.text.language_id import VIETNAMESE
from helpers.models import recipes

# How the decoder learns the target language:
NO_TARGET = "none"  # one target language (Marian, BART, mT5)
FORCED_BOS = "forced_bos"  # the first generated token is forced to the language code (NLLB, M2M100)
DECODER_START = "decoder_start"  # the decoder starts from the language code (mBART-25: VinAI)


@dataclass(frozen=True)
class Family:
    """What one model family needs, in one place."""

    name: str
    tokenizer_files: tuple[str, ...]  # what the tokenizer reads (all needed)
    lang_token: str = "{}"  # how a language code is written as a token
    target: str = NO_TARGET
    # the pieces it can output, when fewer than its vocabulary
    output_pieces: Callable[[Any], list[str] | None] | None = None
    standin: Callable[..., Any] | None = None  # builds the real-layout stand-in files (see `standins`)
    # ISO 639-1 -> the family's own code for the language (as its tokenizer writes it), for the
    # languages a sentence can be identified as (`helpers.text.language_id.LANGUAGES`)
    language_codes: dict[str, str] = field(default_factory=dict)

    def target_token(self, spec: ModelSpec) -> str | None:
        """The token that selects the target language, or None."""
        return self.lang_token.format(spec.tgt_lang) if self.target != NO_TARGET and spec.tgt_lang else None

    def prepare_tokenizer(self, tokenizer: Any, spec: ModelSpec) -> None:
        """Point the tokenizer at the source language (NLLB and mBART add its code to every input)."""
        if spec.src_lang and hasattr(tokenizer, "src_lang"):
            tokenizer.src_lang = spec.src_lang
        if spec.tgt_lang and hasattr(tokenizer, "tgt_lang"):
            tokenizer.tgt_lang = spec.tgt_lang

    def generate_kwargs(self, tokenizer: Any, spec: ModelSpec) -> dict[str, int]:
        """The target-language argument of transformers' `generate`."""
        token = self.target_token(spec)
        if token is None:
            return {}
        key = "forced_bos_token_id" if self.target == FORCED_BOS else "decoder_start_token_id"
        return {key: tokenizer.convert_tokens_to_ids(token)}

    def ct2_prefix(self, spec: ModelSpec) -> list[str] | None:
        """The target prefix CTranslate2 decodes from (the language code), or None."""
        token = self.target_token(spec)
        return [token] if token else None


def marian_target_pieces(tokenizer: Any) -> list[str] | None:
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


# The families' codes for the languages a sentence can be identified as (text.language_id.LANGUAGES).
NLLB_CODES = {"vi": "vie_Latn", "en": "eng_Latn", "zh": "zho_Hans", "fr": "fra_Latn", "ru": "rus_Cyrl",
              "ja": "jpn_Jpan", "ko": "kor_Hang", "th": "tha_Thai", "de": "deu_Latn", "es": "spa_Latn",
              "lo": "lao_Laoo", "km": "khm_Khmr"}  # FLORES-200
M2M100_CODES = {c: c for c in ("vi", "en", "zh", "fr", "ru", "ja", "ko", "th", "de", "es", "lo", "km")}  # ISO 639-1
MBART25_CODES = {"vi": "vi_VN", "en": "en_XX", "zh": "zh_CN", "fr": "fr_XX", "ru": "ru_RU", "ja": "ja_XX",
                 "ko": "ko_KR", "de": "de_DE", "es": "es_XX"}  # mBART-25 (no Thai, Lao or Khmer)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # either one; never TensorFlow, Flax or Rust weights
MODEL_FILES = ("config.json",)
OPTIONAL_FILES = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json")

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("marian", ("source.spm", "target.spm", "vocab.json"), output_pieces=marian_target_pieces,
               standin=recipes.marian),
        Family("nllb", ("sentencepiece.bpe.model",), target=FORCED_BOS, standin=recipes.nllb,
               language_codes=NLLB_CODES),
        Family("m2m100", ("sentencepiece.bpe.model", "vocab.json"), lang_token="__{}__",
               target=FORCED_BOS, standin=recipes.m2m100, language_codes=M2M100_CODES),
        Family("mbart", ("sentencepiece.bpe.model",), target=DECODER_START, standin=recipes.mbart,
               language_codes=MBART25_CODES),
        Family("bart", ("vocab.json", "merges.txt"), standin=recipes.bart),
        Family("mt5", ("spiece.model",), standin=recipes.mt5),
    )
}


def family_of(spec: ModelSpec) -> Family:
    """The family entry of a model spec (a clear error for an unknown family)."""
    try:
        return FAMILIES[spec.family]
    except KeyError:
        raise ValueError(f"model {spec.key}: unknown family {spec.family!r} (known: {', '.join(FAMILIES)})") from None


def home_spec(spec: ModelSpec) -> ModelSpec:
    """The spec pointed at Vietnamese, the source language every model is loaded for."""
    code = family_of(spec).language_codes.get(VIETNAMESE)
    return replace(spec, src_lang=code) if code and spec.src_lang != code else spec


def source_spec(spec: ModelSpec, language: str) -> ModelSpec | None:
    """The spec pointed at the source language `language` (ISO 639-1): Vietnamese for every
    translator; another language only for a model that translates from any language its family has
    a code for (`ModelSpec.multilingual`: NLLB, M2M100); None when the model does not translate from it."""
    if language == VIETNAMESE:
        return home_spec(spec)
    code = family_of(spec).language_codes.get(language)
    if not (spec.multilingual and code):
        return None
    return replace(spec, src_lang=code)


def needed_files(family: Family) -> tuple[str, ...]:
    """The files a model of this family cannot load without (besides one weight file)."""
    return MODEL_FILES + family.tokenizer_files
