"""Sentences translated by their language (the corpus stage's `lang` column):

- Vietnamese: through the translator, as always; written without its marks, flagged `no_diacritics`;
- any sentence quoting a phrase in another language than its own words: flagged `quoted_language:<code>`;
- English (the target): kept as it is through the `PassThrough` layer, never sent through a vi→en
  model; flagged `kept_english`;
- another language: through a translator that knows it (NLLB, M2M100), pointed at it with its own
  code for the language (`models.loading.for_language`; the codes are the family's, in
  `models.families`), flagged `translated_from:<code>`; with a translator that does not (opus-mt,
  VinAI), kept as it is and flagged `untranslated_language:<code>`: never garbled silently.

The lowest-confidence flag is given over every translated sentence at once, whatever its language.
"""

from __future__ import annotations

import time
from dataclasses import replace

from helpers.checks.flags import flag
from helpers.inference.runs import PassThrough, memory_for
from helpers.models.loaded import LoadedModel
from helpers.stage import RunContext
from helpers.text.glossary import Term
from helpers.text.language_id import ENGLISH, VIETNAMESE, quoted_languages, without_diacritics
from helpers.inference.sentences import (SentenceTranslation, TranslationStats, count_flags, flag_low_confidence,
                                         translate_sentences)


def translate_by_language(sources: list[str], languages: list[str], ctx: RunContext, loaded: LoadedModel,
                          glossary: tuple[Term, ...]) -> tuple[list[SentenceTranslation], TranslationStats]:
    """Every sentence (in order) in English, each as its language asks (see the module's docstring),
    on the run's engine and memory, with the model's own decoding settings."""
    from helpers.models.loading import for_language

    started = time.perf_counter()
    stats = TranslationStats(sentences=len(sources))
    results: list[SentenceTranslation | None] = [None] * len(sources)
    groups: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        groups.setdefault(language or VIETNAMESE, []).append(i)
    for language in sorted(groups, key=lambda c: (c != VIETNAMESE, c)):  # Vietnamese first, as before
        at = groups[language]
        texts = [sources[i] for i in at]
        pointed = None if language == ENGLISH else for_language(loaded, language)
        if pointed is None:
            code = flag("kept_english") if language == ENGLISH else flag("untranslated_language", language)
            kept = PassThrough()(texts)
            done = [SentenceTranslation(t, t, kept[t], 0, False, (code,), (), None, translated=False) for t in texts]
            how = {"kept": "English, the target language"} if language == ENGLISH else {
                "untranslated": f"{loaded.spec.key} does not translate from {language}"}
        else:
            memory = memory_for(pointed, ctx.cfg.memory_file)
            try:  # the glossary is Vietnamese: only Vietnamese sentences are prepared with it
                done, part = translate_sentences(texts, pointed, memory, glossary if language == VIETNAMESE else (),
                                                 loaded.settings, ctx.progress, ctx.engine, rank_confidence=False)
            finally:
                memory.close()
            done = [_noted(r, language) for r in done]
            _add(stats, part)
            how = {"source_code": pointed.spec.src_lang or ""}
        stats.languages[language] = {"sentences": len(at), **how}
        for i, r in zip(at, done):
            results[i] = _quoting(r, language)
    ranked = flag_low_confidence([r for r in results if r is not None])
    stats.flags = count_flags(ranked)
    stats.seconds = round(time.perf_counter() - started, 3)
    return ranked, stats


def _noted(result: SentenceTranslation, language: str) -> SentenceTranslation:
    """A translated sentence with the note its language calls for."""
    if language != VIETNAMESE:
        return replace(result, flags=(flag("translated_from", language),) + result.flags)
    if without_diacritics(result.source):
        return replace(result, flags=(flag("no_diacritics"),) + result.flags)
    return result


def _quoting(result: SentenceTranslation, language: str) -> SentenceTranslation:
    """A sentence with a flag for each other language its quotations are in."""
    quoted = tuple(flag("quoted_language", code) for code in quoted_languages(result.source, language))
    return replace(result, flags=result.flags + quoted) if quoted else result


def _add(total: TranslationStats, part: TranslationStats) -> None:
    """`part`'s counts added into `total` (sentences, flags and seconds are counted over all)."""
    for name in ("from_memory", "pieces", "split_sentences", "redecoded", "generated", "generate_calls",
                 "model_seconds"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
