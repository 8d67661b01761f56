"""The six models a run can use, keyed by a short name: where each comes from, its family (a key
of `families.FAMILIES`, which holds what differs between families), its language codes, its
input limit and the settings the project adds to the model's own."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from helpers.models.settings import GenerationSettings

MODEL_MODES = ("auto", "real", "demo")  # real weights, demo stand-ins, or real where available
BACKENDS = ("ctranslate2", "transformers")  # int8 CTranslate2, or fp32 transformers


@dataclass(frozen=True)
class ModelSpec:
    """One pretrained model: where it comes from, its family and language codes, its limits."""

    key: str
    source: str  # a hub id or a local folder
    family: str  # a key of helpers.models.families.FAMILIES
    task: str  # translate | summarise
    src_lang: str | None = None
    tgt_lang: str | None = None
    max_input_tokens: int = 512
    revision: str | None = None
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    # translates from every language its family has a code for (`families.source_spec`), not only Vietnamese
    multilingual: bool = False


# Summaries: the whole output within the model's max_length (not a ratio of the input), so a chunk's
# budget does not depend on its length bucket and chunks of different lengths can share a batch:
# larger batches, looser length tolerance (measured: mT5-base shape 62 -> 33 s, distilbart 65 -> 55 s).
_SUMMARY = GenerationSettings(max_new_tokens_ratio=0.0, max_new_tokens_extra=0, batch_tokens=4096, batch_tolerance=0.5)

MODEL_REGISTRY: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec("opus-mt", "Helsinki-NLP/opus-mt-vi-en", "marian", "translate", max_input_tokens=512),
        ModelSpec("nllb", "facebook/nllb-200-distilled-600M", "nllb", "translate", "vie_Latn", "eng_Latn",
                  multilingual=True),
        ModelSpec("m2m100", "facebook/m2m100_418M", "m2m100", "translate", "vi", "en", multilingual=True),
        # mBART-25 style (MBartTokenizer): source ends `</s> vi_VN`, the decoder starts with `en_XX`;
        # fine-tuned on Vietnamese to English only, so not multilingual although its tokenizer has zh_CN.
        ModelSpec("vinai", "vinai/vinai-translate-vi2en-v2", "mbart", "translate", "vi_VN", "en_XX"),
        ModelSpec("distilbart", "sshleifer/distilbart-cnn-12-6", "bart", "summarise", max_input_tokens=1024,
                  generation=_SUMMARY),
        # The model card's settings: its config.json carries none.
        ModelSpec("mt5-xlsum", "csebuetnlp/mT5_multilingual_XLSum", "mt5", "summarise",
                  generation=replace(_SUMMARY, num_beams=4, max_length=84, no_repeat_ngram_size=2)),
    )
}
TRANSLATORS = tuple(k for k, s in MODEL_REGISTRY.items() if s.task == "translate")
SUMMARISERS = tuple(k for k, s in MODEL_REGISTRY.items() if s.task == "summarise")
