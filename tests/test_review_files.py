"""Issue 38, the review files a red team brought, through `python -m helpers review import` (in this
process): a rewrite of the reviews file keeps what it does not use; inline markup is reduced to its
text; FIFOs are refused; ids given twice and empty targets are said; TMX 1.1 languages are found."""

from __future__ import annotations

import os
from pathlib import Path

from lxml import etree

from helpers.review.store import load_reviews, sentences_file

from cli_in_process import run_cli as cli

A, B = "Hội nghị diễn ra tại Hà Nội.", "Đại biểu thảo luận về công tác năm mới."
KEPT_TMX = f"""<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="vi" datatype="plaintext" segtype="sentence" adminlang="en" \
o-tmf="x" creationtool="cat">
<prop type="x-project">Đắk Lắk</prop><note>Bộ nhớ của nhóm dịch.</note></header>
<body>
<tu changeid="anna"><prop type="x-domain">police</prop><note>first version</note>
<tuv xml:lang="vi"><seg>{A}</seg></tuv><tuv xml:lang="en"><seg>The conference took place in Hanoi.</seg></tuv></tu>
<tu><tuv xml:lang="vi"><seg>{A}</seg></tuv><tuv xml:lang="en"><seg>The meeting was held in Hanoi.</seg></tuv>
<tuv xml:lang="en"><seg>A second English of the same unit.</seg></tuv></tu>
<tu><note>a French pair</note><tuv xml:lang="vi"><seg>{A}</seg></tuv>\
<tuv xml:lang="fr"><seg>La conférence a eu lieu à Hanoï.</seg></tuv></tu>
</body></tmx>
"""


def tmx(units: list[tuple[str, str]], lang_attribute: str = "xml:lang") -> str:
    body = "".join(f'<tu><tuv {lang_attribute}="vi"><seg>{vi}</seg></tuv>'
                   f'<tuv {lang_attribute}="en"><seg>{en}</seg></tuv></tu>'
                   for vi, en in units)
    return f'<?xml version="1.0"?><tmx version="1.4"><header srclang="vi"/><body>{body}</body></tmx>'


def review_import(tmp_path: Path, name: str, text: str, reviews: Path | None = None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reviews = reviews or tmp_path / "reviews"
    return cli("review", "import", str(path), "--reviews", str(reviews), "--out", str(tmp_path / "out"),
               "--reviewer", "binh"), reviews


def test_a_rewrite_of_the_reviews_file_keeps_every_unit_property_and_note(tmp_path):
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    sentences_file(reviews).write_text(KEPT_TMX, encoding="utf-8")
    proc, _ = review_import(tmp_path, "new.tmx", tmx([(A, "The conference was held in Hanoi."),
                                                      (B, "Delegates discussed the new year's work.")]), reviews)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # no run to match against: kept, listed
    root = etree.fromstring(sentences_file(reviews).read_bytes())
    text = etree.tostring(root, encoding="unicode")
    for kept in ("Đắk Lắk", "Bộ nhớ của nhóm dịch.", "The meeting was held in Hanoi.",
                 "A second English of the same unit.", "La conférence a eu lieu à Hanoï.", "a French pair"):
        assert kept in text
    changed = root.find("body")[0]  # the review's own unit: its English replaced, its prop and note kept
    assert changed.find("note").text == "first version" and changed.find("prop[@type='x-domain']").text == "police"
    assert changed.findall("tuv")[1].find("seg").text == "The conference was held in Hanoi."
    assert len(root.find("body")) == 4  # the three units as they were (one changed) and B's new one
    saved = load_reviews(reviews)
    assert saved[A].english == "The conference was held in Hanoi." and saved[A].reviewer == "binh"
    assert saved[B].english == "Delegates discussed the new year's work."


def test_inline_markup_is_reduced_to_its_text_and_newlines_to_spaces(tmp_path):
    xliff = f"""<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="r1" source-language="vi" target-language="en" datatype="plaintext"><body>
<trans-unit id="1" approved="yes"><source>{A}</source>\
<target>The <g id="b">conference</g> was<ph id="1">&lt;br/&gt;</ph>
held in <bpt id="2">&lt;b&gt;</bpt>Hanoi<ept id="2">&lt;/b&gt;</ept>.<x id="3"/></target></trans-unit>
<trans-unit id="1" approved="yes"><source>{B}</source><target>Delegates met.</target></trans-unit>
<trans-unit id="3"><source>Câu chưa dịch.</source><target state="final"></target></trans-unit>
</body></file></xliff>"""
    proc, reviews = review_import(tmp_path, "cat.xlf", xliff)
    assert "Traceback" not in proc.stderr
    assert load_reviews(reviews)[A].english == "The conference was held in Hanoi."
    assert "1 segment marked done with an empty target" in proc.stdout
    assert "trans-unit id '1' of <file original='r1'> given twice" in proc.stdout
    proc, reviews = review_import(tmp_path, "codes.tmx",
                                  tmx([(f"{A}<ph>&lt;br/&gt;</ph>", "Held <bpt i='1'>&lt;b&gt;</bpt>"
                                                                    "in<ept i='1'>&lt;/b&gt;</ept> Hanoi.")]),
                                  tmp_path / "r2")
    assert load_reviews(reviews)[A].english == "Held in Hanoi."


def test_tmx_1_1_languages_are_found(tmp_path):
    proc, reviews = review_import(tmp_path, "old.tmx", tmx([(A, "Held in Hanoi.")], lang_attribute="lang"))
    assert "languages found: none" not in proc.stderr and load_reviews(reviews)[A].english == "Held in Hanoi."


def test_a_fifo_or_other_non_regular_file_is_refused_with_one_line(tmp_path):
    fifo = tmp_path / "pipe.tmx"
    os.mkfifo(fifo)
    proc = cli("review", "import", str(fifo), "--reviews", str(tmp_path / "reviews"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {fifo}: is not a regular file (a pipe, device or socket): not read"


def test_every_message_of_the_review_command_is_escaped(tmp_path):
    name = "bad\x1b[2J\u202egpj.tmx"
    proc, _ = review_import(tmp_path, name, tmx([(A + "\x1b[31m", "Held in Hanoi.")]))
    said = proc.stdout + proc.stderr
    assert "\x1b" not in said and "\u202e" not in said and "\\x1b[2J\\u202egpj.tmx" in said
    proc = cli("review", "import", str(tmp_path / "missing\x1b[2J.tmx"), "--reviews", str(tmp_path / "r"),
               "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "\x1b" not in proc.stderr and "missing\\x1b[2J.tmx" in proc.stderr


def test_a_reviewers_glossary_saved_by_excel_with_bom_and_crlf_is_read(tmp_path):
    from helpers.review.glossary import add_term, glossary_for

    reviews = tmp_path / "reviews"
    reviews.mkdir()
    path = add_term(reviews, "Công an tỉnh Đắk Lắk", "Đắk Lắk Provincial Police")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))  # as Excel saves it
    assert "Công an tỉnh Đắk Lắk" in {t.term for t in glossary_for(reviews)}
    add_term(reviews, "Công an huyện Lắk", "Lắk District Police")  # a second save keeps the first term
    assert {"Công an tỉnh Đắk Lắk", "Công an huyện Lắk"} <= {t.term for t in glossary_for(reviews)}


def test_a_summaries_file_of_the_wrong_shape_is_one_line_naming_it(tmp_path):
    import pytest

    from helpers.review.summaries import load_summary_reviews
    from helpers.review.xmlsafe import ReviewFileError

    reviews = tmp_path / "reviews"
    reviews.mkdir()
    for wrong in ('{"summaries": {"r1": "x"}}', '{"summaries": ["x"]}', '[1, 2]', '{"summaries": [{"report_id": 1}]}'):
        (reviews / "summaries.json").write_text(wrong, encoding="utf-8")
        with pytest.raises(ReviewFileError, match=r"summaries\.json: not a summaries file of this project") as err:
            load_summary_reviews(reviews)
        assert "\n" not in str(err.value)


def test_import_into_a_half_done_run_matches_nfd_sources_and_says_what_to_run(tmp_path):
    import unicodedata

    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "hoi nghi.txt").write_text(f"Hội nghị tổng kết\n\n{A} {B}\n", encoding="utf-8")
    assert cli("corpus", "--seeds", str(seeds), "--out", str(tmp_path / "out")).returncode == 0  # not translated
    nfd = unicodedata.normalize("NFD", A)
    assert nfd != A
    proc, reviews = review_import(tmp_path, "mac.tmx", tmx([(nfd, "The conference took place in Hanoi.")]))
    assert proc.returncode == 0 and "unmatched" not in proc.stderr, proc.stderr  # composed, it matches
    assert "1 source in decomposed letters (NFD, as macOS saves them) composed (NFC) to match" in proc.stdout
    assert "not translated yet: run `make reports`" in proc.stdout and "notebook" not in proc.stdout + proc.stderr
    assert load_reviews(reviews)[A].english == "The conference took place in Hanoi."
