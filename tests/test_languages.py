"""Languages: each sentence's language identified at the corpus stage, English kept, other languages
translated with the right source code (NLLB) or flagged and kept (opus-mt), Vietnamese without marks
recognised and flagged; the English of each report also as .docx and .md, linked from the index.

One small mixed report runs through the command twice for the whole module (`mixed_runs`): `python -m
helpers reports` with TRANSLATOR=nllb (no stage notebooks) in a process of its own, and the command's
`translate` with the default opus-mt in this one (`cli.main`, as test_engines runs it)."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from helpers.checks.flags import split_flags
from helpers.cli import main
from helpers.store.files import read_csv
from helpers.text.language_id import LANGUAGES, identify, sentence_languages, without_diacritics

from cli_in_process import run_process

VI_1 = ("Sáng 16/3, tại Hà Nội, Bộ trưởng Bộ Công an Tô Lâm đã tiếp đoàn đại biểu cấp cao do Thứ trưởng "
        "Bộ Công an Trung Quốc dẫn đầu sang thăm và làm việc tại Việt Nam.")
VI_2 = ("Tại buổi tiếp, hai bên đã trao đổi về tình hình hợp tác trong phòng, chống tội phạm xuyên quốc gia "
        "và tội phạm công nghệ cao.")
EN = ["The delegation thanked the Ministry for its warm welcome.",
      "Both sides agreed to share information on cross-border crime."]
ZH = ["双方同意加强打击跨国犯罪的合作。", "代表团感谢越南公安部的热情接待。"]
BARE = "Cong an thanh pho Ha Noi da bat giu nhieu doi tuong lien quan den duong day mua ban ma tuy."
MIXED = [
    "Bộ Công an tiếp đoàn đại biểu Bộ Công an Trung Quốc", "",
    VI_1, "", VI_2, "", " ".join(EN), "", "".join(ZH), "", BARE, "",
    "Bộ trưởng Tô Lâm đề nghị hai bên tiếp tục thúc đẩy hợp tác hiệu quả, thiết thực hơn nữa trong thời gian tới.",
]


def strip_marks(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


# ---------------------------------------------------------------- identification (no model)

def test_each_sentence_gets_its_language_and_unsure_ones_their_report_s():
    assert sentence_languages([VI_1, *EN, *ZH, BARE, strip_marks(VI_2)]) == ["vi", "en", "en", "zh", "zh", "vi", "vi"]
    # an acronym or a number: the report's main language, not a guess
    assert sentence_languages([VI_1, "CAND", "2022."]) == ["vi", "vi", "vi"]
    assert sentence_languages([*EN, "CAND", "2022."]) == ["en"] * 4
    assert sentence_languages([]) == [] and sentence_languages(["2022."]) == ["vi"]
    assert identify("问答")[0] == "zh" and set(LANGUAGES) >= {"vi", "en", "zh"}


def test_the_identifier_s_model_unpacked_once_into_the_cache_is_py3langid_s_own(tmp_path):
    """The arrays read from the unpacked copy are those py3langid reads from its packed file, and an
    identifier made from them names every language with the same probability as py3langid's own."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import load_model

    from helpers.text.language_id import model_arrays

    own = load_model(MODEL_DIR / MODEL_FILE)
    for made in (model_arrays(tmp_path), model_arrays(tmp_path)):  # unpacked, then read back
        assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b for a, b in zip(made, own))
    assert len(list(tmp_path.glob("langid-*.npz"))) == 1
    ptc, pc, classes, nextmove, row, output = model_arrays(tmp_path)
    ours = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for identifier in (ours, theirs):
        identifier.set_languages(list(LANGUAGES))
    for text in ("Thủ tướng chủ trì hội nghị trực tuyến.", "The Prime Minister chaired the meeting.",
                 "国务院总理主持会议。", "Toi yeu Viet Nam", "CAND"):
        assert ours.classify(text) == theirs.classify(text)


def test_a_cache_that_cannot_be_written_still_gives_the_identifier_s_model(tmp_path):
    from helpers.text.language_id import model_arrays

    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would be")
    assert model_arrays(blocked)[2] == model_arrays(tmp_path)[2]
    assert blocked.is_file()


def test_vietnamese_without_marks_is_told_from_marked_text_and_short_names():
    assert without_diacritics(BARE) and without_diacritics(strip_marks(VI_1))
    assert not without_diacritics(VI_1) and not without_diacritics("Nguyen Van")  # two words: a name
    assert not without_diacritics("Đi Ha Noi hom nay")  # đ is a mark


def test_every_identifiable_language_has_its_code_in_the_multilingual_families():
    from helpers.models.families import FAMILIES, source_spec
    from helpers.models.registry import MODEL_REGISTRY

    for family in ("nllb", "m2m100"):
        assert set(FAMILIES[family].language_codes) == set(LANGUAGES)
    nllb, m2m, opus, vinai = (MODEL_REGISTRY[k] for k in ("nllb", "m2m100", "opus-mt", "vinai"))
    assert source_spec(nllb, "zh").src_lang == "zho_Hans" and source_spec(m2m, "zh").src_lang == "zh"
    assert source_spec(nllb, "vi") == nllb and source_spec(opus, "vi") == opus
    assert source_spec(opus, "zh") is None and source_spec(vinai, "zh") is None  # vi->en models only


def test_a_model_pointed_at_chinese_shares_its_weights_and_keys_its_memory_apart(demo_cache, tmp_path):
    from helpers.inference.runs import memory_for
    from helpers.models.loading import for_language, load_model
    from helpers.models.registry import MODEL_REGISTRY

    loaded = load_model(MODEL_REGISTRY["nllb"], "demo", demo_cache, "ctranslate2")
    chinese = for_language(loaded, "zh")
    tok = chinese.tokenizer
    assert tok.convert_ids_to_tokens(tok(ZH[0])["input_ids"])[0] == "zho_Hans"  # the source code the model is given
    assert loaded.tokenizer.convert_ids_to_tokens(loaded.tokenizer(VI_1)["input_ids"])[0] == "vie_Latn"
    assert chinese.ct2 is loaded.ct2 and chinese.model is loaded.model
    assert for_language(loaded, "zh") is chinese and for_language(loaded, "vi") is loaded
    assert load_model(chinese.spec, "demo", demo_cache, "ctranslate2") is chinese  # what a cluster worker loads
    keys = [memory_for(m, tmp_path / "tm.sqlite") for m in (loaded, chinese)]
    try:
        assert keys[0].settings != keys[1].settings and keys[1].settings["source_language"] == "zho_Hans"
        assert "source_language" not in keys[0].settings  # Vietnamese keys as they always were
    finally:
        for memory in keys:
            memory.close()


def test_summaries_read_sentences_with_english_and_mt5_the_vietnamese_ones():
    from helpers.summarise.stage import ReportColumns, vietnamese_only, with_english

    body = pd.DataFrame({"report_id": ["r"] * 4, "lang": ["vi", "en", "zh", "vi"], "text_vi": ["a", "b", "c", "d"],
                         "flags": ["", "kept_english", "untranslated_language:zh", "no_diacritics"]})
    kept, left_out = with_english(body)
    assert kept["text_vi"].tolist() == ["a", "b", "d"] and left_out == {"r": ["zh"]}
    columns = ReportColumns(kept)["r"]
    assert vietnamese_only(columns, other_report=False)["text_vi"] == ["a", "d"]
    assert vietnamese_only(columns, other_report=True)["text_vi"] == ["a", "b", "d"]
    missing = {"lang": ["vi", pd.NA, None, float("nan")], "text_vi": ["a", "b", "c", "d"]}  # a language not known
    assert vietnamese_only(missing, other_report=False)["text_vi"] == ["a"]


def test_markdown_export_shows_report_text_as_text():
    from helpers.translate.exports import Provenance, markdown_text, md_escape

    assert md_escape("<script>x</script> *a* [l](u) &amp;") == r"\<script\>x\</script\> \*a\* \[l\](u) &amp;amp;"
    assert md_escape("# not a heading") == r"\# not a heading" and md_escape("1. not a list") == r"1\. not a list"
    rows = pd.DataFrame({"sentence_no": [1, 2, 3], "line_no": [1, 3, 5], "role": ["title", "body", "caption"],
                         "text_vi": ["t", "b", "c"], "text_en": ["Title", "Body <b>", "Caption"],
                         "flags": ["", "number_missing:7", ""]})
    md = markdown_text("r", rows, Provenance("m/x", "abc", False, "2026-01-02"))
    assert md.startswith("# Title\n\n*Machine translation into English by m/x (revision abc), 2026-01-02.")
    assert "⚑ Body \\<b\\>[^s2]" in md and ("[^s2]: ⚑ number\\_missing:7: a number of the source is not in the English "
                                             "(in digits or words). Source: b") in md
    assert "## Photo captions\n\n- Caption" in md


def test_docx_export_is_the_same_bytes_from_the_same_text_and_holds_no_control_character():
    import io

    import docx

    from helpers.translate.exports import Provenance, docx_bytes

    rows = pd.DataFrame({"sentence_no": [1, 2, 3], "line_no": [1, 3, 3], "role": ["title", "body", "body"],
                         "text_vi": ["t", "b", "c"], "text_en": ["Title", "Body\x0b with a vertical tab", "Reviewed."],
                         "flags": ["", "repetition:x", ""], "origin": ["model", "model", "review"],
                         "review": ["", "", "corrected"], "reviewer": ["", "", "anna"],
                         "reviewed_at": ["", "", "2026-05-01T10:15:00Z"]})
    made = Provenance("m/x", "abc", True, "2026-01-02")
    first = docx_bytes("r", rows, made)
    assert first == docx_bytes("r", rows, made)  # a re-run rewrites nothing (and a Dask run gives the same file)
    doc = docx.Document(io.BytesIO(first))
    assert [p.text for p in doc.paragraphs][2] == "Body with a vertical tab Reviewed."
    assert "DEMO" in doc.paragraphs[1].text
    assert [c.text for c in doc.comments] == ["⚑ repetition:x: the output repeats itself, a sign of a generation loop. "
                                              "Source: b", "✓ corrected by anna on 2026-05-01 10:15:00 UTC"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter


def test_the_docx_keeps_every_style_it_uses_and_what_they_build_on_and_nothing_a_reader_does_not_need():
    import io
    import zipfile

    from lxml import etree

    from helpers.translate.exports import PARTS_LEFT_OUT, Provenance, docx_bytes

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rows = pd.DataFrame({"sentence_no": [1, 2, 3], "line_no": [1, 2, 3], "role": ["title", "body", "caption"],
                         "text_vi": ["t", "b", "c"], "text_en": ["Title", "Body.", "A caption."],
                         "flags": ["", "repetition:x", ""], "origin": ["model"] * 3, "review": [""] * 3,
                         "reviewer": [""] * 3, "reviewed_at": [""] * 3})
    data = docx_bytes("r", rows, Provenance("m/x", "abc", False, "2026-01-02"))
    parts = zipfile.ZipFile(io.BytesIO(data))
    names = parts.namelist()
    assert not [n for n in names if any(left in n for left in PARTS_LEFT_OUT)]
    assert not [n for n in names if n.endswith(".jpeg")]  # the template's thumbnail of a blank page
    styles = etree.fromstring(parts.read("word/styles.xml"))
    ids = {s.get(f"{w}styleId"): s for s in styles.iter(f"{w}style")}
    body = etree.fromstring(parts.read("word/document.xml"))
    applied = {e.get(f"{w}val") for tag in ("pStyle", "rStyle") for e in body.iter(f"{w}{tag}")}
    # python-docx marks a comment's reference with a character style its own template never had
    assert {"Title", "ListBullet"} <= applied and applied - {"CommentReference"} <= set(ids)
    referred = {e.get(f"{w}val") for s in ids.values()
                for tag in ("basedOn", "link", "next") for e in s.iter(f"{w}{tag}")}
    assert referred <= set(ids), referred - set(ids)
    for kind in ("paragraph", "character", "table", "numbering"):  # the defaults a reader falls back on
        assert [s for s in ids.values() if s.get(f"{w}type") == kind and s.get(f"{w}default") == "1"], kind
    assert len(ids) < 20 and len(data) < 20_000  # python-docx's whole default: 164 styles, 790 kB of styles XML


# ---------------------------------------------------------------- through the command

@pytest.fixture(scope="module")
def mixed_runs(tmp_path_factory, demo_cache):
    """The mixed report through `reports` on NLLB and `translate` on opus-mt: (out_nllb, out_opus)."""
    tmp = tmp_path_factory.mktemp("mixed")
    seeds, none = tmp / "in", tmp / "no-notebooks"
    seeds.mkdir(), none.mkdir()
    (seeds / "mixed.txt").write_text("\n".join(MIXED) + "\n", encoding="utf-8")
    common = ["--seeds", str(seeds), "--models", "demo", "--memory", str(tmp / "tm.sqlite")]
    nllb = run_process("reports", *common, "--out", str(tmp / "nllb"), "--translator", "nllb", "--notebooks", str(none))
    assert nllb.returncode == 0 and "Traceback" not in nllb.stderr, nllb.stderr[-2000:]
    assert main(["translate", *common, "--out", str(tmp / "opus")]) == 0
    return tmp / "nllb", tmp / "opus"


def sentences_of(out: Path) -> pd.DataFrame:
    s = read_csv(out / "data" / "sentences.csv")
    s["codes"] = s["flags"].map(lambda cell: {f.split(":")[0] for f in split_flags(cell)})
    return s


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.slow
def test_english_kept_chinese_translated_from_chinese_with_nllb(mixed_runs):
    out, _ = mixed_runs
    s = sentences_of(out)
    assert s.set_index("text_vi").loc[EN + ZH + [BARE], "lang"].tolist() == ["en", "en", "zh", "zh", "vi"]
    english = s[s["lang"] == "en"]
    assert (english["text_en"] == english["text_vi"]).all() and english["flags"].eq("kept_english").all()
    assert english["model"].eq("").all()  # never through the vi-en model
    chinese = s[s["lang"] == "zh"]
    assert all("translated_from:zh" in split_flags(cell) for cell in chinese["flags"])
    assert chinese["model"].str.startswith("facebook/nllb-200").all()
    run = json.loads((out / "data" / "run.json").read_text())
    languages = run["translate"]["languages"]  # the code the model was given, per language
    assert languages["zh"] == {"sentences": 2, "source_code": "zho_Hans"}
    assert languages["vi"]["source_code"] == "vie_Latn" and languages["en"]["sentences"] == 2
    assert "no_diacritics" in s.set_index("text_vi").loc[BARE, "codes"]
    assert read_csv(out / "data" / "reports.csv")["language"].tolist() == ["vi"]


@pytest.mark.slow
def test_chinese_kept_and_flagged_with_opus_mt_and_never_unflagged_in_english(mixed_runs):
    nllb, opus = mixed_runs
    s = sentences_of(opus)
    chinese = s[s["lang"] == "zh"]
    assert (chinese["text_en"] == chinese["text_vi"]).all() and chinese["model"].eq("").all()
    assert chinese["flags"].eq("untranslated_language:zh").all()
    for out in (nllb, opus):  # no Chinese text in an English column without a flag
        s = sentences_of(out)
        assert not [t for t, c in zip(s["text_en"], s["codes"]) if has_chinese(t) and not c]
    summaries = read_csv(nllb / "data" / "summaries.csv")
    assert not [t for t, f in zip(summaries["summary_en"], summaries["flags"]) if has_chinese(t) and not f]
    run = json.loads((opus / "data" / "run.json").read_text())
    assert run["translate"]["languages"]["zh"]["untranslated"] == "opus-mt does not translate from zh"


@pytest.mark.slow
def test_the_docx_holds_every_sentence_and_marks_the_flagged_ones(mixed_runs):
    import docx

    out, _ = mixed_runs
    s = sentences_of(out)
    folder = out / "data" / "translations"
    assert sorted(p.name for p in folder.iterdir()) == ["mixed.docx", "mixed.md", "mixed.txt"]
    doc = docx.Document(str(folder / "mixed.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert all(english in text for english in s["text_en"])
    assert doc.paragraphs[0].style.name == "Title" and "Photo captions" in text  # the Chinese line is a caption
    provenance = doc.paragraphs[1].text
    run = json.loads((out / "data" / "run.json").read_text())
    model = run["models"]["translate"]
    assert model["source"] in provenance and model["revision"] in provenance and run["translate"]["date"] in provenance
    flagged = [row for row in s.itertuples() if row.flags]
    assert len(list(doc.comments)) == len(flagged)
    assert any("kept_english" in c.text and EN[0] in c.text for c in doc.comments)
    md = (folder / "mixed.md").read_text(encoding="utf-8")
    assert md.count("[^s") == 2 * len(flagged) and "kept\\_english" in md


@pytest.mark.slow
@pytest.mark.skipif(not __import__("shutil").which("chromium") and os.environ.get("CI") != "true",
                    reason="chromium not installed (CI installs it)")
def test_the_report_page_links_its_english_files_in_a_browser(mixed_runs, tmp_path):
    from test_report import dump_dom

    out, _ = mixed_runs
    dom = dump_dom(out / "html" / "mixed.html", tmp_path / "profile")  # the index's rows stay compact
    for suffix in (".docx", ".md", ".txt"):
        link = f'href="../data/translations/mixed{suffix}"'
        assert link in dom
        assert (out / "html" / f"../data/translations/mixed{suffix}").resolve().is_file()
    assert ">Word</a>" in dom and ">Markdown</a>" in dom


@pytest.mark.parametrize("text", ["", "plain words", "\t", "a\tb\r\nc\n", "\n\nx\t\t", "ends with a tab\t",
                                  "x" * 5000 + "\ry"])
def test_a_run_added_a_stretch_at_a_time_is_the_xml_python_docx_makes(text):
    import docx
    from lxml import etree

    from helpers.translate.exports import add_run

    doc = docx.Document()
    theirs, ours = doc.add_paragraph(), doc.add_paragraph()
    theirs.add_run(text)
    add_run(ours, text)
    assert etree.tostring(ours._p) == etree.tostring(theirs._p)



@pytest.mark.parametrize("text", ["one line", "⚑ first line\n\nthird\tline\r\n", "\n", ""])
def test_a_comment_s_text_laid_out_as_python_docx_lays_it_out(text):
    import docx
    from lxml import etree

    from docx.oxml.ns import qn

    from helpers.translate.exports import AUTHOR, add_comment

    doc = docx.Document()
    runs = [doc.add_paragraph().add_run("a"), doc.add_paragraph().add_run("b")]
    theirs = doc.add_comment(runs[0], text=text, author=AUTHOR, initials="QA")
    ours = add_comment(doc, runs[1], text)
    for comment in (theirs, ours):  # their ids (each its own) and times of adding apart
        comment._comment_elm.set(qn("w:id"), "0")
        comment._comment_elm.set(qn("w:date"), "")
    assert etree.tostring(ours._comment_elm) == etree.tostring(theirs._comment_elm)
