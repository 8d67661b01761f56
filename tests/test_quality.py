"""Quality checks on realistic English: no flag on a correct translation, every planted error named.

The reference set (tests/reference/reference.csv) holds correct English for every title and body
sentence of the seeds; planted.csv holds the same translations with one error planted each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from helpers.config import Config
from helpers.checks.coverage import coverage_flags
from helpers.checks.facts import compare, english_facts, source_facts
from helpers.text.glossary import GlossaryError, Term, default_glossary, load_glossary, missing_terms, prepare
from helpers.text.names import find_names, name_in
from helpers.store.files import read_csv
from helpers.corpus.sentences import report_sentences
from helpers.corpus.stage import sentences_frame
from helpers.checks.flags import FLAGS, flag, flag_code, split_flags
from helpers.checks.sentence import check_sentence
from helpers.inference.sentences import REPAIR_NOTE

from conftest import ROOT, SEEDS
from reference_translator import WHOLE_SENTENCES, planted_errors, reference_set, serve_reference

REFERENCE = reference_set()
PLANTED = planted_errors()
FACT_PAIRS = pd.read_csv(ROOT / "tests" / "reference" / "facts.csv", dtype=str, keep_default_na=False)
VALUE_FLAGS = ("number_", "date_", "code_", "url_", "name_", "term_", "repaired", "clause_", "coverage_",
               "repetition", "vietnamese_left", "length_ratio", "empty_output")


def all_flags(source: str, english: str) -> list[str]:
    """What the translation stage flags for one sentence (its own checks and the glossary's)."""
    glossary = default_glossary()
    return list(check_sentence(source, english).flags) + [
        f"term_missing:{t}" for t in missing_terms(prepare(source, glossary), english, glossary)]


def test_the_reference_set_holds_every_title_and_body_sentence_of_the_seeds(seed_reports):
    frame = sentences_frame([report_sentences(r) for r in seed_reports.values()])
    frame = frame[frame["role"].isin(["title", "body"])]
    expected = dict(zip(zip(frame["report_id"], frame["sentence_no"]), frame["text_vi"]))
    got = dict(zip(zip(REFERENCE["report_id"], REFERENCE["sentence_no"]), REFERENCE["text_vi"]))
    assert got == expected
    assert all(REFERENCE["text_en"].str.strip() != "")


@pytest.mark.parametrize("row", list(REFERENCE.itertuples()), ids=lambda r: f"{r.report_id[:3]}-{r.sentence_no}")
def test_no_flag_on_a_correct_translation(row):
    assert all_flags(row.text_vi, row.text_en) == []
    assert check_sentence(row.text_vi, row.text_en).missing == ()  # so no repair note


@pytest.mark.parametrize("row", list(PLANTED.itertuples()),
                         ids=lambda r: f"{r.report_id[:3]}-{r.sentence_no}-{r.error}")
def test_every_planted_error_is_caught_by_a_flag_that_names_it(row):
    source = REFERENCE.set_index(["report_id", "sentence_no"]).loc[(row.report_id, row.sentence_no), "text_vi"]
    flags = all_flags(source, row.text_en)
    if row.expect.endswith(":"):
        assert any(f.startswith(row.expect) for f in flags), flags
    else:
        assert row.expect in flags, flags


def test_every_flag_code_has_one_legend_entry():
    source = REFERENCE.set_index(["report_id", "sentence_no"])["text_vi"]
    codes = {flag_code(f) for row in PLANTED.itertuples()
             for f in all_flags(source.loc[(row.report_id, row.sentence_no)], row.text_en)}
    assert codes <= set(FLAGS)
    assert "repaired" in FLAGS and "kept from the source" in FLAGS["repaired"]
    assert all(meaning.strip() for meaning in FLAGS.values())


def test_a_flag_without_a_meaning_cannot_be_raised():
    assert flag("split", "3_pieces") == "split:3_pieces" and flag("repaired") == "repaired"
    with pytest.raises(KeyError, match="give it a meaning"):
        flag("brand_new_check", "x")


def _emitted_codes() -> tuple[set[str], list[str]]:
    """Every flag code the package's code can emit, read from its source: the first argument of each
    `flag(...)` call (a constant, or an f-string whose fixed parts are expanded over the kinds of
    facts); and every string literal outside the registry that looks like a flag written by hand."""
    import ast
    import re

    import helpers

    package = Path(helpers.__file__).parent
    codes: set[str] = set()
    by_hand: list[str] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "flag" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    codes.add(str(arg.value))
                elif isinstance(arg, ast.JoinedStr):  # f"{f.kind}_missing", f"unsupported_{f.kind}"
                    fixed = "".join(str(v.value) for v in arg.values if isinstance(v, ast.Constant))
                    codes |= {c for c in FLAGS if fixed and (c.endswith(fixed) or c.startswith(fixed))}
                    assert any(c.endswith(fixed) or c.startswith(fixed) for c in FLAGS), (path, fixed)
            elif (path.name != "flags.py" and isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and re.fullmatch(r"([a-z]+_)+[a-z]+:[^ ]*", node.value) and node.value.split(":")[0] in FLAGS):
                by_hand.append(f"{path.name}: {node.value}")
    return codes, by_hand


def test_every_emitted_flag_code_is_registered_and_none_is_written_by_hand():
    codes, by_hand = _emitted_codes()
    assert codes, "no flag(...) call found: the walk is broken"
    assert codes <= set(FLAGS), sorted(codes - set(FLAGS))
    assert not by_hand, by_hand
    # every registered code is emitted somewhere (a registry entry nobody raises is dead)
    assert set(FLAGS) <= codes, sorted(set(FLAGS) - codes)


@pytest.mark.parametrize("source,english", [
    ("tổng 1.500.000 đồng, tăng 2,4%", "a total of VND1,500,000, up 2.4%"),
    ("tổng 1,5 triệu đồng, tăng 2,4%", "a total of VND 1.5 million, up 2.4 percent"),
    ("sau gần 7 tháng, 06 nhiệm vụ, 02 năm", "after nearly seven months, six tasks, two years"),
    ("6 tháng đầu năm 2022", "the first six months of 2022"),
    ("6 tháng đầu năm 2022", "the first half of 2022"),
    ("xác định 22 đề án, khóa XIII", "identified twenty-two projects, 13th tenure"),
    ("ngày 16-3-2022", "on March 16, 2022"),
    ("ngày 16-3-2022", "on 16 March 2022"),
    ("ngày 16-3-2022", "on 2022-03-16"),
    ("ngày 16 tháng 3 năm 2022", "on the 16th of March, 2022"),
    ("Sáng 28/10/2021", "On the morning of October 28, 2021"),
    ("Sáng 22/6, tại Hà Nội", "On the morning of June 22, in Hanoi"),
    ("do Bộ Công an tổ chức ngày 26-9.", "held by the ministry on 26 September."),
    ("trong tháng 3 năm nay", "in March this year"),
    ("giai đoạn 2021 - 2025, COVID-19", "in 2021-2025, COVID-19"),
    ("Quy định số 205-QĐ/TW", "Regulation No. 205-QD/TW"),
    ("xem https://cand.com.vn/a-b", "see https://cand.com.vn/a-b"),
])
def test_values_agree_across_conventions(source, english):
    assert compare(source, english) == ([], [])


@pytest.mark.parametrize("source,english,flag", [
    ("tổng 1.500.000 đồng", "a total of VND1,600,000", "number_changed:1.500.000→1,600,000"),
    ("tăng 2,4%", "up 4.2%", "number_changed:2,4%→4.2%"),
    ("sau gần 7 tháng", "after nearly eight months", "number_missing:7"),
    ("ngày 16-3-2022", "on March 16, 2021", "date_changed:2022-03-16→2021-03-16"),
    ("ngày 16-3-2022", "on that day", "date_missing:2022-03-16"),
    ("Sáng 22/6", "On the morning of June 23", "date_changed:--06-22→--06-23"),
    ("theo Quy định số 205-QĐ/TW", "under the Regulation", "code_missing:205-QĐ/TW"),
    ("xem https://cand.com.vn/a-b", "see the website", "url_missing:https://cand.com.vn/a-b"),
    ("Có 52 đơn vị.", "There are 52 units in 2023.", "number_added:2023"),
    ("trong tháng 3", "on May 3", "date_changed:--03→--05-03"),  # a day is not a month
])
def test_changed_values_are_named(source, english, flag):
    flags, missing = compare(source, english)
    assert flag in flags
    assert missing or flag.startswith("number_added")


def test_facts_are_read_in_each_language_s_conventions():
    assert [f.key for f in source_facts("1.250 vụ, 2,5%, 06 tổ")] == ["1250", "2.5", "6"]
    assert [f.key for f in english_facts("1,250 cases, 2.5%, 6 teams")] == ["1250", "2.5", "6"]
    assert [f.key for f in source_facts("Sáng 22/6 và ngày 16-3-2022")] == ["2022-03-16", "--06-22"]
    assert {f.key for f in english_facts("June 22 and March 16, 2022")} == {"2022-03-16", "--06-22"}
    assert not [f for f in source_facts("COVID-19 theo Nghị quyết số 12-NQ/TW") if f.kind == "number"]


def test_names_are_found_and_compared_with_diacritics_folded():
    assert find_names("Đại tướng Tô Lâm và Tổng Bí thư Nguyễn Phú Trọng tại Hà Nội") == [
        "Tô Lâm", "Nguyễn Phú Trọng", "Hà Nội"]
    assert name_in("Tô Lâm", "General To Lam said") and name_in("Hà Nội", "in Hanoi")
    assert not name_in("Hồ Văn Tứ", "Colonel Ho Van Tuan") and not name_in("Tô Lâm", "To Lan")
    assert find_names("Văn phòng Trung ương Đảng") == []


def test_glossary_accepts_english_variants_and_spelling_differences(tmp_path):
    glossary = default_glossary()
    p = prepare("Bộ Chính trị và Ban Tổ chức Trung ương", glossary)
    assert missing_terms(p, "the Political Bureau and the Central Organization Commission", glossary) == []
    assert missing_terms(p, "the Politburo's decision and the Central Organisation Commission", glossary) == []
    missing = missing_terms(p, "the Secretariat and the Commission", glossary)
    assert missing == ["Ban Tổ chức Trung ương", "Bộ Chính trị"]
    old = tmp_path / "old.csv"  # a glossary written before the variants_en column still reads
    old.write_text("term,kind,expansion_vi,english,variants\nBộ Chính trị,office,,Politburo,\n", encoding="utf-8")
    assert load_glossary(old) == (Term("Bộ Chính trị", "office", "", "Politburo", ()),)
    bad = tmp_path / "bad.csv"
    bad.write_text("term,english\nx,y\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="bad.csv: the header must be"):
        load_glossary(bad)


def test_a_dropped_clause_is_flagged_and_a_restructured_sentence_is_not():
    source = ("Tổ chức quán triệt các nghị quyết của Trung ương; tham mưu đổi mới cơ chế lãnh đạo của Đảng; "
              "xây dựng, sửa đổi các văn bản quy định về công tác chính trị; "
              "duy trì các hoạt động giáo dục truyền thống.")
    whole = ("Disseminated the resolutions of the Central Committee; advised on renewing the Party's leadership "
             "mechanisms; drafted and amended the regulations on political work; maintained education in traditions.")
    merged = ("Disseminated the resolutions of the Central Committee and advised on renewing the Party's leadership "
              "mechanisms; drafted and amended the regulations on political work; maintained education in traditions.")
    dropped = ("Disseminated the resolutions of the Central Committee; advised on renewing the Party's leadership "
               "mechanisms; maintained education in traditions.")
    assert coverage_flags(source, whole) == [] and coverage_flags(source, merged) == []
    assert "clause_missing:3_of_4" in coverage_flags(source, dropped)


@pytest.mark.slow
def test_the_pipeline_on_reference_english_gives_flags_a_reader_can_trust(tmp_path, demo_cache):
    """The reference stand-in answers every title and body sentence; one answer carries a planted
    error. The whole job (translate, summarise, pages) runs from `make reports`, on the seeds in a
    folder whose name holds quotes, backticks and `$(...)`: make and the shell take it as written
    and run no command."""
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite"
    seeds = tmp_path / 'Báo cáo "Q3" `touch hostile` $(touch hostile) $(shell touch hostile)'
    shutil.copytree(SEEDS, seeds)
    # A sixth report: the correct pairs of facts.csv (times, fractions, phones, plates, areas), and
    # lines a spreadsheet would open as formulas, which the CSVs keep as written (data-contract.md).
    facts = FACT_PAIRS[FACT_PAIRS["expect"] == ""].drop_duplicates("text_vi")
    formulas = ['=HYPERLINK("https://example.com/a";"Xem chi tiết")', "@SUM(A1:A9)", "+84 912 345 678", "-5 độ C"]
    (seeds / "zz-facts.txt").write_text("\n\n".join(["Công an thành phố thông tin về một số vụ việc trong tuần",
                                                     *facts["text_vi"], *formulas]), encoding="utf-8")
    cfg = Config(seeds=seeds, out=out, models="demo", memory=memory, generation=WHOLE_SENTENCES)
    english = dict(zip(REFERENCE["text_vi"], REFERENCE["text_en"])) | dict(zip(facts["text_vi"], facts["text_en"]))
    planted = PLANTED[PLANTED["expect"] == "number_changed:450→405"].iloc[0]
    planted_vi = REFERENCE.set_index(["report_id", "sentence_no"]).loc[(planted.report_id, planted.sentence_no),
                                                                       "text_vi"]
    english[planted_vi] = planted.text_en
    serve_reference(cfg, english)
    env = {**os.environ, "HELPERS_CACHE": str(demo_cache)}
    proc = subprocess.run(["make", "-s", "reports", "MODELS=demo", f"SEEDS={seeds}", f"OUT={out}", f"MEMORY={memory}",
                           f"GENERATION={WHOLE_SENTENCES}"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (ROOT / "hostile").exists() and not (tmp_path / "hostile").exists()
    sentences = read_csv(out / "data" / "sentences.csv")
    sentences["sentence_no"] = sentences["sentence_no"].astype(int)
    text = sentences[sentences["role"].isin(["title", "body"])].set_index(["report_id", "sentence_no"])
    for row in REFERENCE.itertuples():
        got = text.loc[(row.report_id, row.sentence_no)]
        if row.text_vi == planted_vi:
            assert "number_changed:450→405" in got["flags"] and "repaired" in split_flags(got["flags"])
            assert got["text_en"] == planted.text_en + REPAIR_NOTE.format("450")
            continue
        assert got["text_en"] == row.text_en, (row.report_id, row.sentence_no)
        assert not [f for f in split_flags(got["flags"]) if f.startswith(VALUE_FLAGS)], (row.report_id, row.sentence_no)
    for row in facts.itertuples():
        [got] = sentences[sentences["text_vi"] == row.text_vi].to_dict("records")
        assert got["text_en"] == row.text_en and got["flags"] == "", got
    ledger = read_csv(out / "data" / "ledger.csv")
    assert set(formulas) <= set(ledger[ledger["report_id"] == "zz-facts"]["text"])
    assert json.loads((out / "data" / "run.json").read_text())["translate"]["from_memory"] >= len(REFERENCE)
    summaries = read_csv(out / "data" / "summaries.csv")
    extractive = summaries[summaries["method"] == "extractive"]
    assert len(extractive) == 6 and not extractive["flags"].str.contains("unsupported_").any()
    # flags may break
    page = (out / "html" / f"{planted.report_id}.html").read_text(encoding="utf-8").replace("<wbr>", "")
    assert "number_changed:450→405" in page and "kept from the source: 450" in page
    assert "without encryption" not in proc.stderr  # kernel start-up noise is silenced
    run = json.loads((out / "data" / "run.json").read_text())
    assert run["absolute_paths"]["out"] == str(out) and str(tmp_path) not in json.dumps(run["parameters"])
    assert run["absolute_paths"]["seeds"] == str(seeds) and str(tmp_path) not in run["translate"]["memory"]
    for html_page in (out / "html").glob("*.html"):  # shared pages carry no path of this machine
        shown = html_page.read_text(encoding="utf-8")
        assert str(tmp_path) not in shown and str(ROOT) not in shown, html_page.name
    other = REFERENCE[REFERENCE["text_en"].str.startswith("On the morning of June 22, in Hanoi")].iloc[0]
    assert str(escape(other.text_en)) in (out / "html" / f"{other.report_id}.html").read_text(encoding="utf-8")


def test_number_words_are_whole_words_in_any_case_even_with_unusual_letters():
    """'ſeven' (long s) matches 'seven' case-insensitively: it once raised a KeyError in the check."""
    from helpers.checks.facts import number_words

    assert number_words("Twenty-two of the SEVENTY first, ſeven") == {"20", "22", "2", "70", "71", "1", "7"}
    assert number_words("sevenfold one_two twentyfive 7th") == set()



@pytest.mark.parametrize("row", list(FACT_PAIRS.itertuples()), ids=lambda r: f"{r.Index}-{r.case}")
def test_times_fractions_phones_plates_emails_and_areas_are_read_as_values(row):
    """tests/reference/facts.csv: correct English in another notation raises no flag (nor a repair
    note); each planted error is named by its flag."""
    flags = all_flags(row.text_vi, row.text_en)
    if not row.expect:
        assert flags == [] and check_sentence(row.text_vi, row.text_en).missing == ()
    else:
        assert row.expect in flags, flags


def test_the_new_values_are_protected_spans():
    from helpers.text.spans import find_spans

    text = ("Lúc 15h30, gần 1/3 số xe, gọi 0912.345.678, xe 29A-123.45, thư tiepdan@congan.hanoi.gov.vn, "
            "diện tích 1.234,56 m2, ngày 1/3.")
    assert [(s.kind, s.text) for s in find_spans(text)] == [
        ("time", "15h30"), ("fraction", "1/3"), ("phone", "0912.345.678"), ("plate", "29A-123.45"),
        ("email", "tiepdan@congan.hanoi.gov.vn"), ("number", "1.234,56"), ("date", "1/3")]
