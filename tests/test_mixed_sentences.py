"""Mixed-language sentences (issue 38, item 10): a sentence's language is that of its own words (outside
its quotations and brackets, a clause in another language after a colon, runs of another script), and
its spans in another language are routed by their own: the Vietnamese words go to the Vietnamese
translator, an English span is kept as written, a French, Khmer or Thai span is translated from its
language by a translator that knows it (NLLB) or kept and flagged (opus-mt), each put back in its place.
Vietnamese typed without marks is flagged `no_diacritics` even where the identifier leans to French.

Through the command a user runs, on a report the test writes: `python -m helpers reports` with the
default opus-mt, and `translate` with NLLB (each once for the module)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from helpers.checks.flags import split_flags
from helpers.store.files import read_csv
from helpers.text.foreign_spans import Part, fitted, put_back, worth_examining
from helpers.text.language_id import foreign_spans, language_parts, sentence_languages, unquoted

from cli_in_process import run_cli

EN_QUOTE = "We will continue to support Vietnam in its development goals."
EN_CLAUSE = "We welcome the new cooperation agreement between our two countries."
FR_QUOTE = "Nous sommes très heureux de cette coopération entre nos deux pays"
KM, TH = "សួស្តីឆ្នាំថ្មី សូមឲ្យមានសុខភាពល្អ", "สวัสดีปีใหม่ ขอให้มีความสุขมากๆ"
MIXED = {  # sentence: (its Vietnamese words, the foreign span, the span's language)
    f'Đại sứ Úc nói: "{EN_QUOTE}"': ("Đại sứ Úc nói", EN_QUOTE, "en"),
    f"Đại sứ Úc phát biểu: {EN_CLAUSE}": ("Đại sứ Úc phát biểu", EN_CLAUSE, "en"),  # unquoted, after a colon
    f"Bộ trưởng Pháp phát biểu: « {FR_QUOTE} ».": ("Bộ trưởng Pháp phát biểu", FR_QUOTE, "fr"),
    f'Đoàn đại biểu Campuchia gửi lời chúc "{KM}" tới nhân dân Việt Nam.':
        ("Đoàn đại biểu Campuchia gửi lời chúc", KM, "km"),
    f"Người dân Thái Lan chúc {TH} trong lễ hội.": ("Người dân Thái Lan chúc", TH, "th"),  # unquoted, its script
}
ENGLISH = "The delegation thanked the Ministry for its warm welcome."  # wholly English: kept whole, as before
BARE = "Toi yeu Viet Nam."  # py3langid alone calls it French (p 0.65)
PLAIN = "Sáng 16/3, tại Hà Nội, Bộ Ngoại giao đã tiếp đoàn đại biểu các nước sang thăm và làm việc."
REPORT = ["Đoàn đại biểu quốc tế thăm Việt Nam", "", PLAIN, "",
          *[line for sentence in MIXED for line in (sentence, "")], ENGLISH, "", BARE, ""]


# ---------------------------------------------------------------- identification and cutting (no model)

def test_a_sentence_is_identified_by_its_own_words_and_cut_at_its_foreign_spans():
    assert sentence_languages(list(MIXED)) == ["vi"] * len(MIXED)
    for sentence, (words, span, code) in MIXED.items():
        parts = language_parts(sentence, "vi")
        assert [(sentence[p.start:p.end], p.language, p.foreign) for p in parts][:2] == [
            (words, "vi", False), (span, code, True)], sentence
    # a quotation in the middle: the words after it are a part of their own
    middle = language_parts(next(s for s in MIXED if KM in s), "vi")
    assert [p.language for p in middle] == ["vi", "km", "vi"]
    # a quotation is the whole sentence, or the sentence's own words are too few: the whole decides
    assert sentence_languages([f'"{EN_QUOTE}"', f'Ông: "{EN_QUOTE}"']) == ["en", "en"]
    assert language_parts(f'Ông: "{EN_QUOTE}"', "en") == []
    # an English sentence quoting Vietnamese: English, its Vietnamese quotation a span to translate
    quoting = 'He said: "Chúng tôi sẽ tiếp tục hợp tác với các bạn."'
    assert sentence_languages([quoting]) == ["en"] and [c for _, c in foreign_spans(quoting, "en")] == ["vi"]
    assert unquoted("a (b) [c] «d» “e” f") == "a         f"
    assert sentence_languages(["Nous sommes ici pour la paix et la coopération."]) == ["fr"]


def test_sentences_without_a_foreign_span_go_whole():
    whole = [PLAIN, ENGLISH, BARE,
             "Phát huy vai trò “gương mẫu, đi đầu” trong thực hiện Nghị quyết.",  # a Vietnamese quotation
             "Đảng ủy Công an Trung ương (CATW) tổ chức Hội nghị.",  # an acronym in brackets
             "Kết quả: 15 vụ án đã được khởi tố, 30 bị can bị bắt giữ.",  # a Vietnamese clause
             'Ông nói: "Cảm ơn" (OK).',  # spans too short to tell
             "Toi noi: Toi yeu Viet Nam va nguoi dan Viet Nam."]  # unmarked: unsure, never "French"
    assert [language_parts(s, lang) for s, lang in zip(whole, sentence_languages(whole))] == [[]] * len(whole)
    assert not worth_examining(PLAIN.replace(",", "")) and worth_examining("Ông nói: x")
    assert not worth_examining("Lúc 15:30 tại https://bocongan.gov.vn")  # a colon before no space


def test_parts_english_is_put_back_in_place():
    text = 'Ông A nói "Bonjour à tous mes amis" với mọi người.'
    spans = [(w, text.index(w)) for w in ("Ông A nói", "Bonjour à tous mes amis", "với mọi người.")]
    parts = [Part(at, at + len(w), code, code == "fr") for (w, at), code in zip(spans, ("vi", "fr", "vi"))]
    assert [text[p.start:p.end] for p in parts] == ["Ông A nói", "Bonjour à tous mes amis", "với mọi người."]
    englishes = [fitted("Ông A nói", "Mr A said.", first=True), "Hello to all my friends",
                 fitted("với mọi người.", "To everyone.", first=False)]
    assert put_back(text, parts, englishes) == 'Mr A said "Hello to all my friends" to everyone.'
    assert fitted("Kết quả:", "Results:", first=True) == "Results:"  # its own punctuation stays
    assert fitted("nhân dân Việt Nam", "Vietnamese people.", first=False) == "Vietnamese people"


# ---------------------------------------------------------------- through the command

def _run(tmp_path_factory, name: str, *args: str):
    tmp = tmp_path_factory.mktemp(name)
    seeds, none = tmp / "in", tmp / "no-notebooks"
    seeds.mkdir(), none.mkdir()
    (seeds / "mixed.txt").write_text("\n".join(REPORT), encoding="utf-8")
    proc = run_cli(*args, "--seeds", str(seeds), "--out", str(tmp / "out"), "--models", "demo",
                   "--memory", str(tmp / "tm.sqlite"), *(["--notebooks", str(none)] if args[0] == "reports" else []))
    assert proc.returncode == 0, proc.stderr[-2000:]
    with sqlite3.connect(tmp / "tm.sqlite") as db:  # what reached the translator, and pointed at which language
        units = {source: json.loads(settings).get("source_language", "vi")
                 for source, settings in db.execute("SELECT source, settings FROM memory")}
    run = json.loads((tmp / "out" / "data" / "run.json").read_text(encoding="utf-8"))
    return read_csv(tmp / "out" / "data" / "sentences.csv").set_index("text_vi"), units, run


@pytest.fixture(scope="module")
def opus(tmp_path_factory, demo_cache):
    """`reports` with the default translator (opus-mt: Vietnamese only)."""
    return _run(tmp_path_factory, "spans-opus", "reports")


@pytest.fixture(scope="module")
def nllb(tmp_path_factory, demo_cache):
    """`translate` with NLLB (it translates from French, Khmer, Thai too)."""
    return _run(tmp_path_factory, "spans-nllb", "translate", "--translator", "nllb")


def test_vietnamese_words_go_to_the_translator_and_english_spans_are_kept_in_place(opus):
    sentences, units, run = opus
    for sentence, (words, span, code) in MIXED.items():
        row = sentences.loc[sentence]
        flags = split_flags(row["flags"])
        assert row["lang"] == "vi" and row["model"] != "" and row["origin"] == "model", (sentence, row.to_dict())
        assert words in units and units[words] == "vi" and sentence not in units  # the words alone, as Vietnamese
        assert span not in units  # opus-mt knows only Vietnamese: no span reaches it
        kept = "span_kept:en" if code == "en" else f"span_untranslated:{code}"
        assert kept in flags and span in row["text_en"], (sentence, row["text_en"])
        assert not [f for f in flags if f.startswith(("untranslated_language", "kept_english", "translated_from"))]
        assert int(row["pieces"]) == 1 and not [f for f in flags if f.startswith("split")]  # parts: not pieces
    # the English span stands where the source has it: after the Vietnamese words' English
    quoted = sentences.loc[next(iter(MIXED)), "text_en"]
    assert quoted.endswith(f'"{EN_QUOTE}"') and not quoted.startswith('"')
    assert run["translate"]["languages"]["en"] == {"sentences": 1, "kept": "English, the target language", "spans": 2}
    assert run["translate"]["languages"]["km"]["spans"] == 1 and run["translate"]["languages"]["km"]["sentences"] == 0


def test_a_translator_that_knows_the_span_s_language_translates_it_as_that_language(nllb):
    sentences, units, run = nllb
    for sentence, (words, span, code) in MIXED.items():
        flags = split_flags(sentences.loc[sentence, "flags"])
        if code == "en":
            assert "span_kept:en" in flags and span not in units
        else:
            assert f"span_translated:{code}" in flags and span in units and units[span] != "vi", (sentence, flags)
        assert units[words] == "vi" and sentence not in units
    languages = run["translate"]["languages"]
    assert languages["fr"] == {"sentences": 0, "source_code": "fra_Latn", "spans": 1}
    assert languages["km"]["source_code"] == "khm_Khmr" and languages["vi"]["source_code"] == "vie_Latn"


def test_a_wholly_foreign_sentence_goes_whole_and_plain_sentences_as_before(opus):
    sentences, units, _ = opus
    row = sentences.loc[ENGLISH]
    assert row["lang"] == "en" and row["text_en"] == ENGLISH and row["flags"] == "kept_english"
    plain = sentences.loc[PLAIN]
    assert PLAIN in units and not [f for f in split_flags(plain["flags"]) if f.startswith("span_")]


def test_vietnamese_without_marks_is_vietnamese_and_flagged(opus):
    sentences, _, _ = opus
    row = sentences.loc[BARE]
    assert row["lang"] == "vi" and "no_diacritics" in split_flags(row["flags"])


def test_a_repeated_sentence_is_checked_once_and_given_to_every_place(tmp_path, demo_cache, monkeypatch):
    from collections import Counter

    from helpers.config import Config
    from helpers.inference import sentences as checks
    from helpers.stage import RunContext
    from helpers.text.glossary import default_glossary
    from helpers.translate.languages import ByLanguage

    distinct = [PLAIN, *MIXED, ENGLISH, BARE]  # plain, mixed, wholly English, without marks
    sources = distinct + distinct[::-1] + [PLAIN, PLAIN]  # a collection repeats its boilerplate
    languages = ["" if s != ENGLISH else "en" for s in sources]
    checked: list[str] = []
    finished_one = checks.finished_one

    def counted(item):
        checked.append(item.prep.source)
        return finished_one(item)

    monkeypatch.setattr(checks, "finished_one", counted)
    cfg = Config(seeds=tmp_path, out=tmp_path / "out", models="demo", cache_dir=demo_cache,
                 memory=tmp_path / "tm.sqlite")
    with RunContext(cfg, False) as ctx:
        layer = ByLanguage(ctx, ctx.load(cfg.translator), default_glossary())
        results, stats = layer(sources, languages)
        alone, _ = layer(distinct, languages[:len(distinct)])

    assert Counter(checked) == {s: 2 for s in distinct if s != ENGLISH}  # once a call (two calls), not once a place
    assert [r.source for r in results] == sources and stats.sentences == len(sources)

    def plain(r):  # low_confidence ranks a call's sentences among themselves
        return r.text_en, [f for f in r.flags if not f.startswith("low_confidence")], r.pieces, r.translated

    assert [plain(r) for r in results] == [plain(alone[distinct.index(s)]) for s in sources]
    assert stats.languages["en"]["spans"] == 4  # the English spans of every place counted (two, twice)
