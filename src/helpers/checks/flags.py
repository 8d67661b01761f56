"""The flag registry: every code a check, a translation or a summary can raise, with its meaning,
defined here once. Emitters build a flag with `flag(code, detail)`, which refuses a code that is
not registered, so no page or notebook can show a code without its meaning.

A flag is a code with an optional detail after a colon (`number_changed:450→405`); a CSV cell
holds a row's flags joined by `FLAG_SEP`.
"""

from __future__ import annotations

from collections.abc import Iterable

FLAG_SEP = " | "  # between flags in a CSV cell: details hold spaces (term_missing:Bộ Chính trị), never this

FLAGS: dict[str, str] = {
    # facts compared as values (checks.facts)
    "number_missing": "a number of the source is not in the English (in digits or words)",
    "number_changed": "a number of the source appears with another value in the English (source→English)",
    "number_added": "the English has a number in digits that the source does not have",
    "date_missing": "a date of the source (ISO; --MM-DD when the source gives no year) is not in the English",
    "date_changed": "a date of the source appears as another date in the English (source→English)",
    "date_added": "the English has a date that the source does not have",
    "code_missing": "a document code (such as 12-NQ/TW) is not in the English exactly",
    "url_missing": "a web address of the source is not in the English exactly",
    "email_missing": "an e-mail address of the source is not in the English (any case)",
    "phone_missing": "a phone number of the source is not in the English with the same digits",
    "plate_missing": "a vehicle plate of the source is not in the English (separators aside)",
    "time_missing": "a time of day of the source (15h30: 3:30 p.m.) is not in the English",
    "time_changed": "a time of day of the source appears as another time in the English (source→English)",
    "time_added": "the English has a time of day that the source does not have",
    "name_missing": "a person's or place's name of the source is not in the English (diacritics aside)",
    # a translation (translate.sentences, checks.sentence, checks.coverage)
    "term_missing": "a glossary term's English rendering (or an accepted variant) is not in the English",
    "repaired": "something of the source was missing or changed; the English ends with a note "
                "[kept from the source: ...] giving it as the source wrote it",
    "clause_missing": "a clause of the source (K of N, split at semicolons) has nothing of its length in the English",
    "coverage_low": "the English is much shorter than the source: content may have been dropped",
    "length_ratio": "the English is far shorter or longer than a translation should be",
    "vietnamese_left": "words of the output are still in Vietnamese",
    "repetition": "the output repeats itself, a sign of a generation loop",
    "redecoded": "the first output looped; this one was decoded again with a repetition guard",
    "empty_output": "the model returned nothing",
    "low_confidence": "among the sentences the model itself scored lowest in this run",
    "normalised": "a known misspelling of the source was corrected before translation",
    "split": "the sentence was too long for one pass and was translated in pieces",
    "not_vietnamese": "the text is not Vietnamese and was passed through untranslated",
    # a sentence's language (text.language_id, translate.languages)
    "kept_english": "the sentence is in English already: kept as it is, not sent through the translator",
    "translated_from": "the sentence is in another language (ISO 639-1 code): translated from it, with the "
                       "translator's own code for it",
    "untranslated_language": "the sentence is in a language (ISO 639-1 code) this translator does not translate "
                             "from: kept as it is, untranslated (TRANSLATOR=nllb or m2m100 translate it); on a "
                             "summary: the report's sentences in that language are left out of it",
    "no_diacritics": "Vietnamese written without its tone and vowel marks: translated as Vietnamese, but models "
                     "translate such text badly; check it",
    "span_kept": "a part of the sentence (a quotation, a clause after a colon, a run of another script) is in "
                 "English (ISO 639-1 code): kept as written, in its place; the rest was translated as the "
                 "sentence's own language",
    "span_translated": "a part of the sentence (a quotation, a clause after a colon, a run of another script) is "
                       "in another language (ISO 639-1 code): translated from it on its own and put back in its "
                       "place; the rest was translated as the sentence's own language",
    "span_untranslated": "a part of the sentence (a quotation, a clause after a colon, a run of another script) is "
                         "in a language (ISO 639-1 code) this translator does not translate from: kept as written, "
                         "in its place, untranslated (TRANSLATOR=nllb or m2m100 translate it); the rest was "
                         "translated as the sentence's own language",
    # a summary (summarise, checks.summary)
    "map_reduce": "the report was summarised in chunks, then the chunk summaries were summarised",
    "shortened": "the summary had more sentences than the length bound allows; the first ones are kept",
    "cut_to": "even the summary's first sentence was over the word bound; it was cut there (marked …)",
    "no_body_text": "the report has no body text (only titles, captions or site text), so it has no summary",
    "unsupported_number": "the summary has a number that the report does not have",
    "unsupported_date": "the summary has a date that the report does not have",
    "unsupported_code": "the summary has a document code that the report does not have",
    "unsupported_url": "the summary has a web address that the report does not have",
    "unsupported_name": "the summary has a name that the report does not have",
}


def flag(code: str, detail: object = "") -> str:
    """A flag of a registered code, with its detail when there is one (`flag("split", "3_pieces")`)."""
    if code not in FLAGS:
        raise KeyError(f"flag code {code!r} is not in helpers.checks.flags.FLAGS: give it a meaning there")
    detail = str(detail)
    return f"{code}:{detail}" if detail else code


def join_flags(flags: list[str] | tuple[str, ...]) -> str:
    """Flags as one CSV cell."""
    return FLAG_SEP.join(flags)


def split_flags(cell: str) -> list[str]:
    """The flags of a CSV cell, each with its detail."""
    return [f for f in str(cell or "").split(FLAG_SEP) if f]


def flag_code(flag: str) -> str:
    """The code of a flag, without its detail ('number_changed:450→405' → 'number_changed')."""
    return flag.split(":", 1)[0]


def codes_once(flags: Iterable[str]) -> list[str]:
    """The codes of one sentence's (or summary's) flags, each once, in order: a sentence with two terms missing
    is one sentence with `term_missing` (what the index, the notebooks and run.json count)."""
    return list(dict.fromkeys(flag_code(f) for f in flags))


def meaning(code: str) -> str:
    """What a code means, for legends; a code no version of this project writes says so."""
    return FLAGS.get(code, "(not a flag of this version: the file was written by other code)")


def describe(cell: str) -> list[str]:
    """A CSV cell's flags in words, one line each: 'vietnamese_left:11_words: words of the output are
    still in Vietnamese' (the flag as written, then its meaning): what pages, Word comments and the
    review notebook show beside a code."""
    return [f"{f}: {meaning(flag_code(f))}" for f in split_flags(cell)]
