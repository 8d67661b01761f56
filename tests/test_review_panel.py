"""The review panel as a daily reviewer uses it: nothing typed is lost (Approve with an edit in the
box, a change of report, a new session), the reviewer's name (the field, remembered; `make lab
REVIEWER=…`), the tracked files untouched by a session in a real kernel, the message before any run;
and, as plain data, what the panel offers at scale (picker, folded places, next unreviewed, counts)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest

from helpers.checks.flags import describe
from helpers.cli import main
from helpers.review.queue import build_queue, picker_options, places_html, without_notes
from helpers.review.store import load_reviews
from helpers.review.workcopy import review_copy

from conftest import ROOT, SEEDS

TYPED = "A reviewer's own English, typed and not saved yet."
KEPT = "An edit left in its box when the session ended."


def frame(rows: list[tuple[str, int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["report_id", "sentence_no", "text_vi", "text_en", "flags"]).assign(
        origin="model")


def test_a_caption_in_many_reports_is_one_item_with_its_places_folded_and_counted_as_make_counts():
    caption = ("Ảnh: Bộ Công an", "Photo: Ministry of Public Security", "name_missing:Bộ")
    rows = [(f"r{n}", 1, *caption) for n in range(5)] + [("r0", 2, "Câu hai.", "Sentence two.", "number_missing:2"),
                                                        ("r1", 2, "Câu ba.", "Sentence three.", "")]
    queue = build_queue(frame(rows), pd.DataFrame({"report_id": [f"r{n}" for n in range(5)],
                                                   "title": [f"Tiêu đề {n}" for n in range(5)], "date": ["2024-01-0"
                                                   + str(n + 1) for n in range(5)]}))
    item = queue.items[caption[0]]
    assert len(queue.items) == 3 and len(item.places) == 5
    folded = places_html(item, queue.reports, str)
    assert folded.startswith("<details><summary>in 5 places of 5 reports</summary>") and "Tiêu đề 4 #1" in folded
    assert queue.counted(set()) == (0, 2, 6)  # two sentences, each once; `make` counts six flagged places
    assert queue.counted({caption[0]}) == (1, 2, 6)
    assert queue.choose("", {caption[0]}) == ["Câu hai."]  # unreviewed only, by default
    assert queue.choose("r1", set(), unreviewed_only=False) == [caption[0], "Câu ba."]  # flagged first
    assert queue.choose("", set(), code="number_missing") == ["Câu hai."]


def test_the_picker_shows_titles_dates_and_what_waits_and_searches_them():
    rows = [(f"r{n:03}", 1, f"Câu {n}.", f"Sentence {n}.", "number_missing:1" if n % 3 else "") for n in range(300)]
    reports = pd.DataFrame({"report_id": [f"r{n:03}" for n in range(300)], "date": ["2024-05-01"] * 300,
                            "title": [f"Hội nghị số {n}" if n != 43 else "Công an tỉnh Quảng Ninh"
                                      for n in range(300)]})
    queue = build_queue(frame(rows), reports)
    waiting = queue.unreviewed(set())
    options = picker_options(queue, waiting, "quảng", keep="", waiting=200)
    assert options == [("All reports · 200 flagged sentences, each once · 200 to review", ""),
                       ("Công an tỉnh Quảng Ninh · 2024-05-01 · 1 to review", "r043")]
    every = picker_options(queue, waiting, "", keep="", waiting=200)
    assert len(every) == 301 and every[-1] == ("Hội nghị số 99 · 2024-05-01 · nothing flagged", "r099")
    assert picker_options(queue, waiting, "nothing like it", keep="r007", waiting=200)[1][1] == "r007"
    assert queue.next_unreviewed("r001", ["Câu 1."], 0, {"Câu 1."}) == ("r002", "Câu 2.")  # on to the next report
    assert queue.next_unreviewed("r299", ["Câu 299."], 0, set()) == ("r001", "Câu 1.")  # round to the first
    shown = queue.choose("", set())
    assert queue.next_unreviewed("", shown, 0, set()) == ("", "Câu 2.")
    assert queue.next_unreviewed("", shown, len(shown) - 1, set()) == ("", "Câu 1.")  # round, in all reports
    assert queue.next_unreviewed("", shown, 0, set(queue.items)) is None


def test_approve_takes_the_english_without_the_projects_note_and_flags_are_said_in_words():
    assert without_notes("Fined 6 million. [kept from the source: 6]", "repaired") == "Fined 6 million."
    assert (without_notes("A [kept from the source: 6] typed by a person]", "")
            == "A [kept from the source: 6] typed by a person]")
    assert describe("vietnamese_left:11_words | repaired") == [
        "vietnamese_left:11_words: words of the output are still in Vietnamese",
        "repaired: something of the source was missing or changed; the English ends with a note "
        "[kept from the source: ...] giving it as the source wrote it"]


# ---------------------------------------------------------------- in a real kernel

SESSION = """
import json
from helpers.review.store import load_reviews
seen = {"name": panel.reviewer.value}
first, second = [rid for _, rid in panel.choice.options if rid][:2]
panel.choice.value = first
card = panel.cards[0]
source, shown = card.item.source, card.baseline
card.english.value = TYPED
card.approve.click()  # an edit in the box: nothing saved, nothing overwritten, the choice offered
seen.update(box=card.english.value, notice=card.notice.value, revert=card.revert.layout.display,
            saved=source in load_reviews(cfg.reviews), progress=panel.progress.value)
panel.choice.value = second
panel.choice.value = first  # and back: the edit is still in its box
again = next(c for c in panel.cards if c.item.source == source)
seen["box_after_switch"] = again.english.value
again.save.click()
panel.reviewer.value = "anna-typed"  # the field: this session's later saves, and the next session
other = panel.cards[1]
other.approve.click()
panel.cards[2].english.value = KEPT  # left unsaved when the session ends
saved = load_reviews(cfg.reviews)
seen.update(first_report=first, source=source, other=other.item.source, other_machine=other.item.machine,
            left=panel.cards[2].item.source,
            first=[saved[source].english, saved[source].reviewer, saved[source].kind],
            second=[saved[other.item.source].english, saved[other.item.source].reviewer, saved[other.item.source].kind],
            shown_after_save=again.shown.value, progress_after=panel.progress.value)
panel.flag.value = "(unsaved)"  # the filter of the sentences with an unsaved edit
seen["unsaved_filter"] = [c.item.source for c in panel.cards]
panel.flag.value = ""
before = panel.cards[0].item.source
panel.next_unreviewed.click()
now = panel.cards[0].item
seen["next"] = [now.source != before, now.source in load_reviews(cfg.reviews), bool(now.flags)]
print(json.dumps(seen))
"""

LATER = """
import json
left = {left!r}
panel.unreviewed_only.value = False
panel.choice.value = {first!r}
card = next(c for c in panel.cards if c.item.source == left)
print(json.dumps({{"name": panel.reviewer.value, "box": card.english.value, "progress": panel.progress.value}}))
"""


def porcelain() -> list[str]:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.splitlines()


def in_kernel(notebook, code: str, parameters: dict, env: dict[str, str | None], monkeypatch) -> list[dict]:
    """Run the reviewer's copy in a kernel with `code` appended, written back over the copy (as
    JupyterLab's autosave would); the outputs of every cell."""
    import papermill

    for key, value in env.items():
        monkeypatch.delenv(key, raising=False) if value is None else monkeypatch.setenv(key, value)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "session" not in c.metadata.get("tags", [])]
    if code:
        nb.cells.append(nbformat.v4.new_code_cell(code, metadata={"tags": ["session"]}))
    nbformat.write(nb, notebook)
    papermill.execute_notebook(str(notebook), str(notebook), parameters=parameters, kernel_name="python3",
                               progress_bar=False, log_output=False, cwd=str(notebook.parent),
                               extra_arguments=["--IPKernelApp.log_level=ERROR"])
    return [o for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code" for o in c.outputs]


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, demo_cache):
    """`translate` on two seeds (demo models): OUT, and an empty reviews folder."""
    tmp = tmp_path_factory.mktemp("panel")
    (tmp / "seeds").mkdir()
    for name in ("000_b4ca7e3004645a9d.txt", "001_33798f45f77cf564.txt"):
        shutil.copy(SEEDS / name, tmp / "seeds")
    assert main(["translate", "--out", str(tmp / "out"), "--seeds", str(tmp / "seeds"), "--models", "demo",
                 "--memory", str(tmp / "tm.sqlite"), "--cache-dir", str(demo_cache)]) == 0
    return tmp


@pytest.mark.slow
def test_a_session_in_a_kernel_loses_nothing_names_the_reviewer_and_leaves_tracked_files_alone(
        two_reports, tmp_path, monkeypatch):
    before = porcelain()
    into = ROOT / "notebooks" / "my-review" / f"test-{os.getpid()}"  # where `make lab` puts the copy (ignored)
    notebook, said = review_copy(ROOT / "notebooks", into)
    try:
        assert "06_review.ipynb" in said and "jupytext" not in nbformat.read(notebook, as_version=4).metadata
        reviews = tmp_path / "reviews"
        parameters = {"OUT": str(two_reports / "out"), "REVIEWS": str(reviews), "MODELS": "demo"}
        code = f"TYPED, KEPT = {TYPED!r}, {KEPT!r}\n" + SESSION
        outputs = in_kernel(notebook, code, parameters, {"HELPERS_REVIEWER": "anna"}, monkeypatch)
        seen = json.loads(outputs[-1]["text"])
        assert seen["name"] == "anna"  # `make lab REVIEWER=anna` reaches the kernel as HELPERS_REVIEWER
        assert seen["box"] == TYPED and not seen["saved"] and seen["revert"] == ""
        assert "Save it, or Revert" in seen["notice"] and "1 unsaved" in seen["progress"]
        assert seen["box_after_switch"] == TYPED
        assert seen["first"] == [TYPED, "anna", "corrected"]
        assert seen["second"] == [seen["other_machine"], "anna-typed", "approved"]
        assert "Reviewed English</b>: " + TYPED.replace("'", "&#x27;") in seen["shown_after_save"]
        assert "<summary>machine English</summary>" in seen["shown_after_save"]
        assert "reviewed 2 of " in seen["progress_after"] and "1 unsaved" in seen["progress_after"]
        assert set(load_reviews(reviews)) == {seen["source"], seen["other"]}
        assert seen["unsaved_filter"] == [seen["left"]]
        assert seen["next"] == [True, False, True]  # next unreviewed: another sentence, flagged, not reviewed

        later = LATER.format(left=seen["left"], first=seen["first_report"])
        again = in_kernel(notebook, later, parameters, {"HELPERS_REVIEWER": None}, monkeypatch)
        next_session = json.loads(again[-1]["text"])
        assert next_session["name"] == "anna-typed"  # remembered, outside the project
        assert next_session["box"] == KEPT and "1 unsaved" in next_session["progress"]
        assert porcelain() == before  # reviewing wrote no tracked file (the reviews went to REVIEWS)
    finally:
        shutil.rmtree(into, ignore_errors=True)


@pytest.mark.slow
def test_before_any_run_the_notebook_says_what_to_run_in_one_line(tmp_path, monkeypatch):
    notebook, _ = review_copy(ROOT / "notebooks", tmp_path)
    outputs = in_kernel(notebook, "", {"OUT": str(tmp_path / "empty"), "REVIEWS": str(tmp_path / "r")}, {}, monkeypatch)
    assert [o["output_type"] for o in outputs] == ["execute_result", "execute_result"]  # no error, no NameError
    said = outputs[0]["data"]["text/markdown"]
    assert said.startswith("**Nothing to review yet**") and "make reports" in said and "\n" not in said


def test_a_sentence_of_two_reports_is_one_tmx_unit_naming_both(tmp_path):
    import xml.etree.ElementTree as ET

    from helpers.store.contract import columns
    from helpers.store.files import write_csv

    rows = [{"report_id": rid, "sentence_no": n, "line_no": n, "text_vi": vi, "text_en": en, "role": "body",
             "lang": "vi", "flags": "", "origin": "model"}
            for rid, n, vi, en in [("r1", 1, "Câu chung.", "A shared sentence."),
                                   ("r2", 4, "Câu chung.", "A shared sentence."),
                                   ("r2", 5, "Câu riêng.", "Its own sentence.")]]
    write_csv(tmp_path / "out" / "data" / "sentences.csv",
              pd.DataFrame(rows).reindex(columns=columns("sentences")).astype(object).fillna(""))
    exported = tmp_path / "run.tmx"
    assert main(["review", "export", "--out", str(tmp_path / "out"), "--all", "--to", str(exported)]) == 0
    units = {tu.find("tuv/seg").text: [p.text for p in tu.findall("prop") if p.get("type") == "x-report"]
             for tu in ET.parse(exported).getroot().iter("tu")}
    assert units == {"Câu chung.": ["r1", "r2"], "Câu riêng.": ["r2"]}


@pytest.mark.slow
def test_make_lab_reviewer_reaches_jupyterlab_as_helpers_reviewer():
    shown = subprocess.run(["make", "-s", "--no-print-directory", "--eval", 'show: ; @echo "$$HELPERS_REVIEWER"',
                            "show", "REVIEWER=anna o'brien"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert shown.stdout == "anna o'brien\n", shown.stderr
