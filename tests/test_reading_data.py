"""The reading room's data, without a browser: what is new in words, the rows' order and marks,
search shards that never split a report, texts that may break, and the only scripts a page keeps."""

from __future__ import annotations

from helpers.pages.listing import status, whats_new
from helpers.pages.render import breakable, self_contained
from helpers.pages.search import report_docs, shards

RUN = "2026-05-02T06:00:00Z"


def test_whats_new_in_words_and_the_first_run():
    run = {"collection": {"run_time": RUN, "previous_run_time": "2026-05-01T06:00:00Z", "new": ["a", "b", "c"],
                          "changed": ["d"], "removed": [{"report_id": "e", "title": "E", "file": "e.txt"}]}}
    assert whats_new(run) == "Since the previous run (2026-05-01 06:00 UTC): 3 new, 1 changed, 1 removed."
    first = {"collection": {**run["collection"], "previous_run_time": None}}
    assert "first run" in whats_new(first) and whats_new({}) == ""


def test_a_report_is_new_changed_or_neither():
    assert status({"first_seen": RUN, "last_changed": RUN}, RUN) == "new"
    assert status({"first_seen": "2026-05-01T06:00:00Z", "last_changed": RUN}, RUN) == "changed"
    assert status({"first_seen": "2026-05-01T06:00:00Z", "last_changed": "2026-05-01T06:00:00Z"}, RUN) == ""
    assert status({}, "") == ""


def sentence(no: int, vi: str, en: str, role: str = "body") -> dict:
    return {"sentence_no": no, "role": role, "text_vi": vi, "text_en": en}


def test_every_text_is_folded_and_anchored_to_its_sentence():
    docs = report_docs({}, [sentence(1, "Đà Nẵng", "Da Nang"), sentence(2, "Ảnh: Hà Nội", "", "caption")],
                       [{"method": "extractive", "summary_en": "Sum."}],
                       [{"sentence_no": 1, "cited_as": "Nghị quyết 12", "english": "Resolution 12", "code": "12-NQ/TW"}], "Tiêu đề")
    assert ["title", "title", "Tiêu đề", "tieu de"] in docs
    assert ["s-1", "sentence 1", "Đà Nẵng", "da nang"] in docs and ["s-2", "caption 2", "Ảnh: Hà Nội", "anh: ha noi"] in docs
    assert not any(d[1] == "caption 2 (English)" for d in docs)  # an empty English is not a text
    assert ["s-1", "cited document", "Nghị quyết 12 · Resolution 12 12-NQ/TW", "nghi quyet 12 · resolution 12 12-nq/tw"] in docs


def test_shards_keep_each_report_whole():
    reports = [(f"r{i}", f"T{i}", [["s-1", "sentence 1", "x", "x"]] * (i + 1)) for i in range(6)]
    made = list(shards(reports, per_shard=5))
    assert [len(s["docs"]) for s in made] == [3, 3, 4, 5, 6]  # r0+r1, r2, r3, r4, r5 (bigger than a shard: alone)
    assert [r for s in made for r, _ in s["reports"]] == [f"r{i}" for i in range(6)]
    assert {d[0] for d in made[0]["docs"]} == {0, 1}


def test_long_codes_break_after_separators_and_stay_escaped():
    assert str(breakable("TERM_MISMATCH:<b>")) == "TERM_<wbr>MISMATCH:<wbr>&lt;b&gt;"
    assert str(breakable("1.234.567")) == "1.<wbr>234.<wbr>567"


def test_a_page_keeps_only_its_own_scripts():
    page = ('<script src="search.js" defer></script><script>alert(1)</script><script src="https://cdn/x.js"></script>'
            '<script src="../x.js" defer></script><script src="a.js" defer>alert(1)</script>')
    assert self_contained(page) == '<script src="search.js" defer></script>'
