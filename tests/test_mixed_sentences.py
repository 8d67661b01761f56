"""Mixed-language sentences (issue 38, item 10): a sentence's language is that of its own words, outside
its quotes and brackets, so a Vietnamese sentence quoting an English clause, a French, Khmer or Thai phrase
is translated as Vietnamese and flagged `quoted_language:<code>`, never routed whole to the quotation's
language; Vietnamese typed without marks is flagged `no_diacritics` even where the identifier leans to
French. Through the command (`python -m helpers translate`) on a report the test writes."""

from __future__ import annotations

import pytest

from helpers.checks.flags import split_flags
from helpers.store.files import read_csv
from helpers.text.language_id import quoted_languages, sentence_languages, unquoted

from cli_in_process import run_cli

QUOTING = {  # sentence: the language its quotation is in
    'Đại sứ Úc nói: "We will continue to support Vietnam in its development goals."': "en",
    "Bộ trưởng Pháp phát biểu: « Nous sommes très heureux de cette coopération entre nos deux pays ».": "fr",
    'Đoàn đại biểu Campuchia gửi lời chúc "សួស្តីឆ្នាំថ្មី សូមឲ្យមានសុខភាពល្អ" tới nhân dân Việt Nam.': "km",
    'Người dân Thái Lan nói "สวัสดีปีใหม่ ขอให้มีความสุขมากๆ" trong lễ hội.': "th",
}
BARE = "Toi yeu Viet Nam."  # py3langid alone calls it French (p 0.65)
REPORT = ["Đoàn đại biểu quốc tế thăm Việt Nam", "",
          "Sáng 16/3, tại Hà Nội, Bộ Ngoại giao đã tiếp đoàn đại biểu các nước sang thăm và làm việc.", "",
          *[line for sentence in QUOTING for line in (sentence, "")], BARE, ""]


def test_a_sentence_is_identified_by_its_words_outside_quotes():
    assert sentence_languages(list(QUOTING)) == ["vi"] * len(QUOTING)
    assert [quoted_languages(s, "vi") for s in QUOTING] == [[code] for code in QUOTING.values()]
    # a quotation is the whole sentence, or the sentence's own words are too few: the whole decides
    assert sentence_languages(['"We will continue to support Vietnam."',
                               'Ông: "We will continue to support Vietnam."']) == ["en", "en"]
    assert sentence_languages(['He said: "Chúng tôi sẽ tiếp tục hợp tác với các bạn."']) == ["en"]
    assert unquoted("a (b) [c] «d» “e” f") == "a         f"
    # a French line stays French
    assert sentence_languages(["Nous sommes ici pour la paix et la coopération."]) == ["fr"]


@pytest.fixture(scope="module")
def translated(tmp_path_factory, demo_cache):
    tmp = tmp_path_factory.mktemp("quoting")
    seeds = tmp / "in"
    seeds.mkdir()
    (seeds / "quoting.txt").write_text("\n".join(REPORT), encoding="utf-8")
    proc = run_cli("translate", "--seeds", str(seeds), "--out", str(tmp / "out"), "--models", "demo",
                   "--memory", str(tmp / "tm.sqlite"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return read_csv(tmp / "out" / "data" / "sentences.csv").set_index("text_vi")


def test_quoting_sentences_are_translated_as_vietnamese_and_their_quotation_flagged(translated):
    for sentence, code in QUOTING.items():
        row = translated.loc[sentence]
        flags = split_flags(row["flags"])
        assert row["lang"] == "vi" and row["model"] != "" and row["text_en"] != sentence, (sentence, row.to_dict())
        assert f"quoted_language:{code}" in flags
        assert not [f for f in flags if f.startswith(("untranslated_language", "kept_english", "translated_from"))]


def test_vietnamese_without_marks_is_vietnamese_and_flagged(translated):
    row = translated.loc[BARE]
    assert row["lang"] == "vi" and "no_diacritics" in split_flags(row["flags"])
    assert not [f for f in split_flags(translated.iloc[1]["flags"]) if f.startswith("quoted_language")]
