"""Sentences translated by their language (the corpus stage's `lang` column, from a sentence's own words),
and each part of a sentence in another language by that part's language:

- Vietnamese: through the translator, as always; written without its marks, flagged `no_diacritics`;
- English (the target): kept as it is, never sent through a vi→en model; flagged `kept_english`;
- another language: through a translator that knows it (NLLB, M2M100), pointed at it with its own
  code for the language (`models.loading.for_language`; the codes are the family's, in
  `models.families`), flagged `translated_from:<code>`; with a translator that does not (opus-mt,
  VinAI), kept as it is and flagged `untranslated_language:<code>`: never garbled silently.

A sentence with a span in another language than its own words (a quotation, a clause after a colon, a
run of another script: `text.language_id.language_parts`) is cut there: its own words are translated as
its language, each span as the span's language (English kept, another language translated by a
translator that knows it, else kept), each part's English put back in its place and the whole sentence
checked as one; flagged `span_kept:<code>`, `span_translated:<code>` or `span_untranslated:<code>`.

The lowest-confidence flag is given over every translated sentence at once, whatever its language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from helpers.checks.flags import flag
from helpers.inference.runs import memory_for
from helpers.inference.sentences import (Draft, Finishing, SentenceTranslation, TranslationStats, count_sentences,
                                         draft_sentences, finish_all, finishing, flag_low_confidence)
from helpers.models.loaded import LoadedModel
from helpers.stage import RunContext
from helpers.text.foreign_spans import Part, fitted, put_back
from helpers.text.glossary import Term, prepare
from helpers.text.language_id import ENGLISH, VIETNAMESE, language_parts, without_diacritics


@dataclass(frozen=True)
class Route:
    """How one language's texts were handled: their drafts by text (None: kept as written), and the
    flag a text kept as written takes (None when translated)."""

    drafts: dict[str, Draft | None]
    kept: str | None


@dataclass(frozen=True)
class ByLanguage:
    """The language-routing layer (an `inference.sentences.SentenceLayer`): `translate_by_language` on
    this run's context, translator and glossary."""

    ctx: RunContext
    loaded: LoadedModel
    glossary: tuple[Term, ...]

    def __call__(self, sources: list[str], languages: list[str]) -> tuple[list[SentenceTranslation], TranslationStats]:
        return translate_by_language(sources, languages, self.ctx, self.loaded, self.glossary)


def translate_by_language(sources: list[str], languages: list[str], ctx: RunContext, loaded: LoadedModel,
                          glossary: tuple[Term, ...]) -> tuple[list[SentenceTranslation], TranslationStats]:
    """Every sentence (in order) in English, each as its language asks and each span in another
    language as the span's (see the module's docstring), on the run's engine and memory, with the
    model's own decoding settings."""
    started = time.perf_counter()
    stats = TranslationStats(sentences=len(sources))
    languages = [language or VIETNAMESE for language in languages]
    # Each distinct sentence once (a collection repeats its boilerplate): its English depends on its text and
    # language alone, so a repeated one is planned, checked and noted once, in the order first met.
    plans = {pair: language_parts(*pair) for pair in zip(sources, languages)}
    texts: dict[str, list[str]] = {}  # per language, the texts to translate: whole sentences and parts
    for (text, language), parts in plans.items():
        for part in parts or [Part(0, len(text), language, False)]:
            texts.setdefault(part.language, []).append(text if not parts else text[part.start:part.end])
    routes = {}
    for language in sorted(texts, key=lambda c: (c != VIETNAMESE, c)):  # Vietnamese first, as before
        routes[language] = _route(texts[language], language, ctx, loaded, glossary, stats)
    # Each sentence's result, or the note its checked translation is given: every check in one call (on every
    # core for a collection's), then the notes in order.
    steps: list[SentenceTranslation | Callable[[SentenceTranslation], SentenceTranslation]] = []
    items: list[Finishing] = []
    for (text, language), parts in plans.items():
        route = routes[language]
        if parts:
            item, note = _joined(text, language, parts, routes, glossary)
        elif route.kept:
            steps.append(SentenceTranslation(text, text, text, 0, False, (route.kept,), (), None, translated=False))
            continue
        else:
            draft = route.drafts[text]
            assert draft is not None
            item, note = finishing(draft, glossary if language == VIETNAMESE else ()), _noted(language)
        items.append(item)
        steps.append(note)
    checked = iter(finish_all(items))
    made = {pair: step if isinstance(step, SentenceTranslation) else step(next(checked))
            for pair, step in zip(plans, steps)}
    results = [made[pair] for pair in zip(sources, languages)]
    for language, route in routes.items():
        record = stats.languages.setdefault(language, {"sentences": 0})
        record["sentences"] = sum(lang == language for lang in languages)
        spans = sum(p.language == language and p.foreign for pair in zip(sources, languages) for p in plans[pair])
        if spans:
            record["spans"] = spans
    ranked = flag_low_confidence(results)
    count_sentences(stats, ranked)
    stats.seconds = round(time.perf_counter() - started, 3)
    return ranked, stats


def _route(texts: list[str], language: str, ctx: RunContext, loaded: LoadedModel, glossary: tuple[Term, ...],
           stats: TranslationStats) -> Route:
    """One language's texts: kept as written (English; a language the translator does not know) or
    drafted by the translator pointed at the language; how, in `stats.languages`."""
    from helpers.models.loading import for_language

    pointed = None if language == ENGLISH else for_language(loaded, language)
    if pointed is None:
        stats.languages[language] = {"sentences": 0, **({"kept": "English, the target language"} if language == ENGLISH
                                                        else {"untranslated": f"{loaded.spec.key} does not translate "
                                                                              f"from {language}"})}
        kept = flag("kept_english") if language == ENGLISH else flag("untranslated_language", language)
        return Route(dict.fromkeys(texts), kept)
    stats.languages[language] = {"sentences": 0, "source_code": pointed.spec.src_lang or ""}
    with memory_for(pointed, ctx.cfg.memory_file) as memory:  # the glossary is Vietnamese: for Vietnamese texts only
        unique = list(dict.fromkeys(texts))
        drafts = draft_sentences(unique, pointed, memory, glossary if language == VIETNAMESE else (), loaded.settings,
                                 stats, ctx.progress, ctx.engine)
    return Route(dict(zip(unique, drafts)), None)


def _joined(text: str, language: str, parts: list[Part], routes: dict[str, Route], glossary: tuple[Term, ...]
            ) -> tuple[Finishing, Callable[[SentenceTranslation], SentenceTranslation]]:
    """A sentence cut into parts: each part's English (a fragment's fitted to its place) put back in
    place, to be checked as one sentence (the item), then flagged for its own language and for each
    span's (the note)."""
    englishes, drafts, head, tail = [], [], [], []
    for i, part in enumerate(parts):
        words = text[part.start:part.end]
        route = routes[part.language]
        draft = route.drafts[words]
        if draft is None:
            englishes.append(words)
        else:
            drafts.append(draft)
            englishes.append(draft.english if part.foreign else fitted(words, draft.english, first=i == 0))
        if part.foreign:
            noted = (flag("span_kept", part.language) if part.language == ENGLISH
                     else flag("span_untranslated", part.language) if draft is None
                     else flag("span_translated", part.language))
            tail += [noted] if noted not in tail else []
    own = " ".join(text[p.start:p.end] for p in parts if not p.foreign)
    own_route = routes.get(language)
    if own_route and own_route.kept:
        head.append(own_route.kept)
    elif language != VIETNAMESE:
        head.append(flag("translated_from", language))
    elif without_diacritics(own):
        head.append(flag("no_diacritics"))
    vietnamese = glossary if any(p.language == VIETNAMESE for p in parts) else ()
    scores = [d.confidence for d in drafts if d.confidence is not None]
    pieces = 1 + sum(d.pieces - 1 for d in drafts) if drafts else 0  # more than one: a part was too long for one pass
    item = Finishing(prepare(text, vietnamese), put_back(text, parts, englishes), pieces,
                     bool(drafts) and all(d.from_memory for d in drafts), vietnamese,
                     any(d.redecoded for d in drafts), min(scores) if scores and len(scores) == len(drafts) else None)
    return item, lambda result: replace(result, flags=tuple(head) + result.flags + tuple(tail), translated=bool(drafts))


def _noted(language: str) -> Callable[[SentenceTranslation], SentenceTranslation]:
    """What a translated sentence of this language is given once checked: the note its language calls for."""
    def note(result: SentenceTranslation) -> SentenceTranslation:
        if language != VIETNAMESE:
            return replace(result, flags=(flag("translated_from", language),) + result.flags)
        if without_diacritics(result.source):
            return replace(result, flags=(flag("no_diacritics"),) + result.flags)
        return result
    return note
