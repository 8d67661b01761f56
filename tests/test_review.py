"""Reviews as an analyst and a translator use them: the review notebook's widgets driven in a real
kernel, the command line's runs before and after, another translator with no memory, XLIFF and TMX
through the command line and plain XML libraries, two processes saving at once, bad files.

One small run (one seed report, demo models) is shared by the whole session."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.review.entries import Review
from helpers.review.store import load_reviews, sentences_file
from helpers.store.files import read_csv

from conftest import ROOT, SEEDS

SEED = "001_33798f45f77cf564.txt"
RID = "001_33798f45f77cf564"
REVIEWED = "Reviewed by a person: the ministry's conference closed with its plan approved."
SUMMARY = "A summary an analyst wrote for this report."
TERM_EN = "Reviewer's rendering"
XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class ReviewRuns:
    """The shared run: its folders, the data before the review, the sentence reviewed in the kernel
    and the one approved there, the kernel's progress line."""

    tmp: Path
    out: Path
    reviews: Path
    args: list[str]
    before: object  # sentences.csv before any review
    term: str
    corrected: str
    approved: str
    progress: str


def data(out: Path, name: str):
    return read_csv(out / "data" / name)


@pytest.fixture(scope="session")
def runs(tmp_path_factory, demo_cache) -> ReviewRuns:
    """`reports` on one seed; notebook 06 in a kernel, its widgets used (a box set and Save clicked,
    another sentence approved); `reports` again on the same OUT."""
    import nbformat
    import papermill

    tmp = tmp_path_factory.mktemp("review")
    (tmp / "seeds").mkdir()
    shutil.copy(SEEDS / SEED, tmp / "seeds")
    (tmp / "no-notebooks").mkdir()
    reviews, out = tmp / "reviews", tmp / "out"
    args = ["--seeds", str(tmp / "seeds"), "--models", "demo", "--memory", str(tmp / "tm.sqlite"),
            "--reviews", str(reviews), "--cache-dir", str(demo_cache), "--notebooks", str(tmp / "no-notebooks")]
    assert main(["reports", "--out", str(out), *args]) == 0
    before = data(out, "sentences.csv")
    extractive = data(out, "summaries.csv").query("method == 'extractive'").iloc[0]
    chosen = int(extractive["source_sentence_ids"].split()[0])  # a sentence the extractive summary uses
    corrected = before.loc[before["sentence_no"].astype(int) == chosen, "text_vi"].iloc[0]
    approved = before.loc[before["text_vi"] != corrected, "text_vi"].iloc[0]
    term = " ".join(corrected.split()[:2])  # a glossary term added from the sentence

    nb = nbformat.read(ROOT / "notebooks" / "06_review.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"""
def card_of(source):
    for _ in range(20):  # page on, as a person would, until the sentence is shown
        found = [c for c in panel.cards if c.item.source == source]
        if found:
            return found[0]
        panel.next.click()
    raise LookupError(source)
card = card_of({corrected!r})
card.english.value = {REVIEWED!r}
card.save.click()
card_of({approved!r}).approve.click()
card.term.value, card.term_en.value = {term!r}, {TERM_EN!r}
card.add.click()
summary = next(c for c in panel.summary_cards if c.summary["method"] == "abstractive-en")
summary.text.value = {SUMMARY!r}
summary.save.click()
print(panel.progress_line())"""))
    notebook = tmp / "06_review.ipynb"
    nbformat.write(nb, notebook)
    executed = tmp / "06_review.out.ipynb"
    papermill.execute_notebook(
        str(notebook), str(executed), kernel_name="python3", progress_bar=False, log_output=False,
        parameters={"OUT": str(out), "REVIEWS": str(reviews), "SEEDS": str(tmp / "seeds"), "MODELS": "demo",
                    "CACHE_DIR": str(demo_cache), "REPORT_ID": RID, "REVIEWER": "analyst-a"},
        extra_arguments=["--IPKernelApp.log_level=ERROR"])
    progress = nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"]
    assert main(["reports", "--out", str(out), *args]) == 0
    return ReviewRuns(tmp, out, reviews, args, before, term, corrected, approved, progress)


@pytest.mark.slow
def test_widgets_in_a_kernel_save_a_review_the_next_run_shows_everywhere(runs):
    saved = load_reviews(runs.reviews)
    assert saved[runs.corrected].english == REVIEWED and saved[runs.corrected].reviewer == "analyst-a"
    assert saved[runs.corrected].kind == "corrected" and saved[runs.approved].kind == "approved"
    machine = dict(zip(runs.before["text_vi"], runs.before["text_en"]))
    assert saved[runs.approved].english == machine[runs.approved]
    assert runs.progress.startswith("reviewed 2 of ")

    after = data(runs.out, "sentences.csv")
    mine = after[after["text_vi"] == runs.corrected]
    assert set(mine["text_en"]) == {REVIEWED} and set(mine["origin"]) == {"review"}
    assert set(mine["reviewer"]) == {"analyst-a"} and set(mine["review"]) == {"corrected"}
    assert set(after.loc[after["text_vi"] == runs.approved, "origin"]) == {"review"}
    assert set(after.loc[~after["text_vi"].isin([runs.corrected, runs.approved]), "origin"]) == {"model"}
    assert REVIEWED in (runs.out / "data" / "translations" / f"{RID}.txt").read_text(encoding="utf-8")
    extractive = data(runs.out, "summaries.csv").query("method == 'extractive'")
    assert REVIEWED in extractive["summary_en"].iloc[0]  # the summary is made from the reviewed English

    page = (runs.out / "html" / f"{RID}.html").read_text(encoding="utf-8")
    assert REVIEWED.replace("'", "&#39;") in page and "corrected by analyst-a on " in page
    assert "2 reviewed by a person" in page
    index = (runs.out / "html" / "index.html").read_text(encoding="utf-8")
    assert "2 reviewed by a person" in index
    run = json.loads((runs.out / "data" / "run.json").read_text(encoding="utf-8"))
    assert run["translate"]["reviewed"] == len(after[after["origin"] == "review"]) >= 2
    assert run["translate"]["reviews"]["used"] == 2 and run["translate"]["reviews"]["unused"] == []
    assert run["translate"]["reviews"]["sha256"][:12] in page  # provenance names the file's digest


@pytest.mark.slow
def test_a_summary_and_a_glossary_term_saved_from_the_widgets_are_used_by_the_next_run(runs):
    summaries = data(runs.out, "summaries.csv").set_index("method")
    assert summaries.loc["abstractive-en", "summary_en"] == SUMMARY
    reviewed = summaries.loc["abstractive-en"]
    assert (reviewed["origin"], reviewed["reviewer"]) == ("review", "analyst-a")
    assert summaries.loc["extractive", "origin"] == "model"
    assert SUMMARY in (runs.out / "html" / f"{RID}.html").read_text(encoding="utf-8")
    glossary = (runs.reviews / "glossary.csv").read_text(encoding="utf-8")
    assert f"{runs.term},office,,{TERM_EN}" in glossary
    after = data(runs.out, "sentences.csv")
    mine = after[after["text_vi"] == runs.corrected].iloc[0]
    assert runs.term in mine["terms"].split("|")
    assert f"term_missing:{runs.term}" in mine["flags"]  # the checks still run on reviewed English


@pytest.mark.slow
def test_another_translator_without_memory_keeps_the_reviewed_english_only(runs):
    (runs.tmp / "tm.sqlite").unlink()
    out = runs.tmp / "nllb"
    assert main(["reports", "--out", str(out), "--translator", "nllb", *runs.args]) == 0
    before = dict(zip(runs.before["text_vi"], runs.before["text_en"]))
    after = data(out, "sentences.csv")
    reviewed = after[after["origin"] == "review"]
    assert set(reviewed["text_vi"]) == {runs.corrected, runs.approved}
    assert set(reviewed.loc[reviewed["text_vi"] == runs.corrected, "text_en"]) == {REVIEWED}
    assert set(reviewed.loc[reviewed["text_vi"] == runs.approved, "text_en"]) == {before[runs.approved]}
    others = after[after["origin"] != "review"]
    assert len(others) and all(en != before[vi] for vi, en in zip(others["text_vi"], others["text_en"]))
    assert others["model"].str.startswith("facebook/nllb").all() and set(others["origin"]) == {"model"}


def _cat_tool(exported: Path, edited: Path, n: int = 3) -> dict[str, str]:
    """What a translator's tool does: new targets for `n` units, marked final; {source: target}."""
    ET.register_namespace("", XLIFF)
    tree = ET.parse(exported)
    changed: dict[str, str] = {}
    for i, unit in enumerate([u for u in tree.iter(f"{{{XLIFF}}}trans-unit") if u.get("approved") == "no"][:n]):
        target, source = unit.find(f"{{{XLIFF}}}target"), unit.find(f"{{{XLIFF}}}source")
        assert target is not None and source is not None and source.text is not None
        target.text = f"Translator's English number {i}."
        target.set("state", "final")
        changed[source.text] = target.text
    tree.write(edited, encoding="utf-8", xml_declaration=True)
    return changed


@pytest.mark.slow
def test_xliff_out_to_a_cat_tool_and_back_makes_three_reviews_once(runs, tmp_path, capsys):
    reviews = tmp_path / "reviews"
    shutil.copytree(runs.reviews, reviews)
    exported, edited = tmp_path / "run.xlf", tmp_path / "edited.xlf"
    assert main(["review", "export", "--out", str(runs.out), "--report", RID, "--format", "xliff",
                 "--to", str(exported)]) == 0
    root = ET.parse(exported).getroot()
    assert root.get("version") == "1.2" and len(root.findall(f"{{{XLIFF}}}file")) == 1
    units = list(root.iter(f"{{{XLIFF}}}trans-unit"))
    sentences = data(runs.out, "sentences.csv")
    assert [u.find(f"{{{XLIFF}}}source").text for u in units] == sentences["text_vi"].tolist()
    assert [u.find(f"{{{XLIFF}}}target").text for u in units] == sentences["text_en"].tolist()
    assert any(u.findall(f"{{{XLIFF}}}note") for u in units)  # the flags

    changed = _cat_tool(exported, edited)
    assert main(["review", "import", str(edited), "--reviews", str(reviews), "--out", str(runs.out),
                 "--reviewer", "translator-b"]) == 0
    saved = load_reviews(reviews)
    assert {s: saved[s].english for s in changed} == changed and len(saved) == 2 + 3
    assert {saved[s].reviewer for s in changed} == {"translator-b"}
    first = sentences_file(reviews).read_bytes()
    capsys.readouterr()
    assert main(["review", "import", str(edited), "--reviews", str(reviews), "--out", str(runs.out)]) == 0
    assert sentences_file(reviews).read_bytes() == first and "0 new or changed" in capsys.readouterr().out

    stray = tmp_path / "stray.xlf"  # a segment whose source is no sentence of the run: listed, kept, exit 2
    nowhere = "Một câu không có ở đâu cả."
    stray.write_text(edited.read_text(encoding="utf-8").replace(next(iter(changed)), nowhere), encoding="utf-8")
    assert main(["review", "import", str(stray), "--reviews", str(reviews), "--out", str(runs.out)]) == 2
    assert nowhere in capsys.readouterr().err and nowhere in load_reviews(reviews)


@pytest.mark.slow
def test_tmx_export_reads_back_with_an_independent_parser(runs, tmp_path):
    exported = tmp_path / "run.tmx"
    assert main(["review", "export", "--out", str(runs.out), "--all", "--format", "tmx", "--to", str(exported)]) == 0
    root = ET.parse(exported).getroot()  # the standard library's parser, not the project's
    assert root.tag == "tmx" and root.get("version") == "1.4" and root.find("header").get("srclang") == "vi"
    pairs = {}
    for tu in root.iter("tu"):
        segs = {tuv.get(XML_LANG): tuv.find("seg").text for tuv in tu.findall("tuv")}
        assert set(segs) == {"vi", "en"}
        pairs[segs["vi"]] = segs["en"]
    sentences = data(runs.out, "sentences.csv")
    assert pairs == dict(zip(sentences["text_vi"], sentences["text_en"]))
    assert pairs[runs.corrected] == REVIEWED


SAVER = """
import sys
from pathlib import Path
from helpers.review.entries import Review
from helpers.review.store import save_reviews
for i in range(12):
    save_reviews(Path(sys.argv[1]), [Review(f"Câu số {i} của {sys.argv[2]}.", f"Sentence {i} of {sys.argv[2]}.",
                                            sys.argv[2], "2026-01-01T00:00:00Z")])
"""


@pytest.mark.slow
def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path), who]) for who in ("an", "binh")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    saved = load_reviews(tmp_path)
    assert len(saved) == 24 and {r.reviewer for r in saved.values()} == {"an", "binh"}
    ET.parse(sentences_file(tmp_path))  # the file is valid XML
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("content, problem", [
    (b"<xliff version='1.2'><file", "not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><xliff>&b;</xliff>',
     "refused: the file declares entities"),
    (b"<xliff xmlns='urn:oasis:names:tc:xliff:document:1.2' version='1.2'><file original='r' source-language='fr' "
     b"target-language='de' datatype='plaintext'><body/></file></xliff>", "a file for other languages"),
    (b"<tmx version='1.4'><header srclang='en'/><body/></tmx>", "a file for other languages"),
    (b"<tmx version='1.4'><header srclang='*all*'/><body><tu><tuv xml:lang='fr'><seg>a</seg></tuv>"
     b"<tuv xml:lang='de'><seg>b</seg></tuv></tu></body></tmx>", "a file for other languages"),
    (b"<html><body/></html>", "neither XLIFF nor TMX"),
    (b"", "the file is empty"),
])
def test_a_bad_file_is_one_line_naming_it_and_exit_1(content, problem, tmp_path, capsys):
    bad = tmp_path / "bad.xlf"
    bad.write_bytes(content)
    assert main(["review", "import", str(bad), "--reviews", str(tmp_path / "r"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {bad}: ") and problem in err
    assert not (tmp_path / "r" / "sentences.tmx").exists()


def test_a_missing_file_or_report_is_one_line(tmp_path, capsys):
    assert main(["review", "import", str(tmp_path / "nope.tmx"), "--reviews", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.tmx'}: does not exist\n"
    assert main(["review", "export", "--out", str(tmp_path), "--all", "--to", str(tmp_path / "x.xlf")]) == 1
    assert "sentences.csv is missing" in capsys.readouterr().err


def test_reviewed_sentences_never_reach_the_model_are_checked_and_never_repaired():
    from helpers.text.glossary import default_glossary
    from helpers.translate.reviewed import ReviewedLayer
    from helpers.inference.sentences import TranslationStats, checked

    source = "Năm 2022, lực lượng CAND bắt giữ 1.250 đối tượng."
    asked: list[list[str]] = []

    def model(units, languages):
        asked.append(units)
        return [checked(u, "machine English", ()) for u in units], TranslationStats(sentences=len(units))

    reviews = {source: Review(source, "In 2022 the police arrested many people.")}
    layer = ReviewedLayer(reviews, default_glossary(), model)
    sources = [source, "Câu khác.", source]
    results, stats = layer(sources, ["vi"] * 3)
    assert asked == [["Câu khác."]]
    assert [r.text_en for r in results] == [reviews[source].english, "machine English", reviews[source].english]
    assert "number_missing:1.250" in results[0].flags and "repaired" not in results[0].flags
    assert "kept from the source" not in results[0].text_en
    assert stats.reviewed == 2 and stats.sentences == 3 and layer.reviews_of(sources)[1] is None


def test_a_summary_review_stands_until_the_report_text_changes_then_is_shown_stale(tmp_path):
    import pandas as pd

    from helpers.review.summaries import (SummaryReview, apply_summary_reviews, load_summary_reviews,
                                          report_digest, save_summary_review)

    sentences = pd.DataFrame({"report_id": ["r"] * 2, "role": ["title", "body"],
                              "text_vi": ["Tiêu đề", "Thân bài 7."], "text_en": ["Title", "Body 7."]})
    summaries = pd.DataFrame({"report_id": ["r"], "method": ["abstractive-en"], "model": ["m"],
                              "summary_en": ["Model."], "n_words": [1], "flags": [""], "source_sentence_ids": [""]})
    digest = report_digest(["Tiêu đề", "Thân bài 7."])
    assert save_summary_review(tmp_path, SummaryReview("r", "abstractive-en", digest, "Reviewed summary with 9.", "ana",
                                                       "2026-01-01T00:00:00Z"))
    reviews = load_summary_reviews(tmp_path)
    row = apply_summary_reviews(summaries, sentences, reviews).iloc[0]
    assert (row["origin"], row["summary_en"], row["review"]) == ("review", "Reviewed summary with 9.", "corrected")
    assert row["flags"] == "unsupported_number:9"  # checked against the report, like a model's
    changed = sentences.assign(text_vi=["Tiêu đề", "Thân bài đã sửa."])
    row = apply_summary_reviews(summaries, changed, reviews).iloc[0]
    assert (row["origin"], row["summary_en"], row["review"]) == ("model", "Model.", "stale")
    assert row["reviewed_summary"] == "Reviewed summary with 9."
    from helpers.pages.report import _summary_rows

    shown = _summary_rows([row.to_dict()]).rows[0]  # the page: the new summary, the stale review beside it
    assert shown[1] == "Model." and shown[-1].startswith("stale: the report's text changed")
    assert shown[-1].endswith(": Reviewed summary with 9.") and "by ana on 2026-01-01" in shown[-1]


def test_the_review_notebook_is_for_jupyterlab_only():
    from helpers.notebooks.stages import is_view, notebook_paths

    assert is_view(ROOT / "notebooks" / "06_review.ipynb")
    stages = [p.stem for p in notebook_paths(ROOT / "notebooks") if not is_view(p)]
    assert stages == ["01_corpus", "02_translate", "03_summarise"]
