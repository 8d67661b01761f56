"""Summaries with demo models: every report and method, the bound, map-reduce, ids, faithfulness."""

from __future__ import annotations

import pytest

from helpers.config import Config
from helpers.models.loading import load_model
from helpers.store.files import read_csv
from helpers.pipeline import run_stages
from helpers.checks.summary import unsupported
from helpers.summarise.abstractive import map_reduce, map_reduce_all, pack_chunks
from helpers.summarise.extractive import centrality
from helpers.summarise.length import bound_length
from helpers.summarise.stage import METHODS

from conftest import SEEDS


@pytest.fixture(scope="module")
def summary_run(tmp_path_factory, demo_cache):
    tmp = tmp_path_factory.mktemp("sum")
    cfg = Config(seeds=SEEDS, out=tmp / "out", models="demo", cache_dir=demo_cache, memory=tmp / "tm.sqlite")
    run = run_stages(cfg, progress=False, say=False)
    return cfg, run.tables, run.tables["summaries"]


def test_every_report_has_a_summary_by_every_method_within_the_bound(summary_run):
    cfg, corpus, frame = summary_run
    written = read_csv(cfg.data_dir / "summaries.csv")
    assert list(written.columns) == [
        "report_id", "method", "model", "summary_en", "n_words", "flags", "source_sentence_ids",
        "origin", "review", "reviewer", "reviewed_at", "reviewed_summary",
    ]
    pairs = set(zip(written["report_id"], written["method"]))
    assert pairs == {(rid, m) for rid in corpus["reports"]["report_id"] for m in METHODS}
    for row in written.itertuples():
        assert row.summary_en
        assert int(row.n_words) == len(row.summary_en.split()) <= cfg.summary_max_words
        assert row.summary_en.count(". ") < cfg.summary_max_sentences


def test_extractive_ids_point_at_body_sentences_of_the_report(summary_run):
    _, corpus, frame = summary_run
    sentences = corpus["sentences"][["report_id", "sentence_no", "line_no", "text_vi", "role", "lang"]]
    for row in frame[frame["method"] == "extractive"].itertuples():
        ids = [int(i) for i in row.source_sentence_ids.split()]
        assert ids == sorted(ids) and 1 <= len(ids) <= 3
        mine = sentences[(sentences["report_id"] == row.report_id) & (sentences["role"] == "body")]
        assert set(ids) <= set(mine["sentence_no"].astype(int))


LONG_TEXT = " ".join(f"The ministry held meeting number {i} in Hanoi on security and order." for i in range(400))


@pytest.fixture
def bart(demo_cache):
    """The demo English summariser (its tokenizer and input limit are what chunking uses)."""
    cfg = Config(models="demo", cache_dir=demo_cache)
    return load_model(cfg.spec(cfg.summariser_en), "demo", demo_cache)


def recording(answer):
    """A fake batch summariser answering `answer(text)`, and the list of the batches it was given."""
    calls: list[list[str]] = []

    def fake(texts):
        calls.append(list(texts))
        return [answer(t) for t in texts]

    return fake, calls


def test_map_reduce_summarises_an_input_longer_than_the_limit(bart):
    loaded = bart
    fake, seen = recording(lambda t: "Short summary of a part.")
    text = LONG_TEXT
    assert len(loaded.tokenizer(text)["input_ids"]) > loaded.input_limit
    summary, chunks = map_reduce(text, loaded, fake)
    assert chunks > 1 and len(seen[0]) == chunks
    assert all(len(loaded.tokenizer(c)["input_ids"]) <= loaded.input_limit for c in seen[0])
    assert "".join(seen[0]).replace(" ", "") == text.replace(" ", "")  # the chunks cover the whole text
    assert len(seen) == 2 and summary == "Short summary of a part."


def test_chunks_of_every_report_go_to_the_model_together_and_give_each_report_its_own_summary(bart):
    loaded = bart
    fake, calls = recording(lambda t: f"Summary {len(t)}.")
    long_ = LONG_TEXT
    texts = {"a": long_, "b": "A short report about one meeting.", "c": long_.replace("ministry", "committee")}
    together = map_reduce_all(texts, loaded, fake)
    first = calls[0]
    assert any(t.startswith("The ministry") for t in first) and "A short report about one meeting." in first
    assert any(t.startswith("The committee") for t in first)  # one call holds every report's chunks
    assert len(calls) == 2  # the map round, then one reduce round for the two long reports
    for key, text in texts.items():  # the same as summarising each report alone
        assert together[key] == map_reduce(text, loaded, fake)
    chunks = pack_chunks(texts, loaded, loaded.input_limit)
    assert all(len(ids) <= loaded.input_limit for cs in chunks.values() for ids in loaded.tokenizer(cs)["input_ids"])
    assert " ".join(chunks["a"]) == long_ and chunks["b"] == [texts["b"]]


def test_long_sentences_of_many_reports_are_cut_as_each_alone_would_be(bart):
    """Sentences over the limit are cut level by level for every report at once (clauses, then
    words, then token windows): each report's chunks are those it gets packed alone, within the
    limit, covering its text."""
    texts = {
        "clauses": "; ".join(", ".join(f"khoản {i}.{j} của Nghị quyết số {i}{j}-NQ/TW" for j in range(4))
                             for i in range(5)) + ".",
        "dashes": " - ".join(f"Bộ Tài chính: Ngân hàng Nhà nước ngày {d}/6/2022" for d in range(1, 9)) + ".",
        "words": " ".join(f"Hội nghị toàn quốc lần thứ {i} quán triệt nghị quyết" for i in range(12)) + ".",
        "no space": "Nghịquyết12-NQ/TW" * 40,
        "short": "Một câu ngắn.",
        "mixed": "Câu đầu tiên ngắn. " + "Ủy ban nhân dân tỉnh, " * 30 + "hết. Câu cuối.",
    }
    limit = 24
    together = pack_chunks(texts, bart, limit)
    for key, text in texts.items():
        assert together[key] == pack_chunks({key: text}, bart, limit)[key]
        assert all(len(bart.tokenizer(c)["input_ids"]) <= limit for c in together[key])
        assert "".join(together[key]).replace(" ", "") == text.replace(" ", "")
    assert len(together["no space"]) > 1 and len(together["words"]) > 1 and together["short"] == [texts["short"]]


def test_faithfulness_flags_a_planted_number_and_name():
    vi, en = ["Ban Tổ chức nhận được 450 tác phẩm của 52 đơn vị."], ["The committee received 450 works from 52 units."]
    assert unsupported("The committee received 450 works.", vi, en) == []
    flags = unsupported("The committee received 4500 works from Nguyen Van Binh.", vi, en)
    assert "unsupported_number:4500" in flags and "unsupported_name:Nguyen Van Binh" in flags


def test_faithfulness_compares_values_not_strings():
    vi = ["Sáng 22/6, tại Hà Nội, Bộ trưởng Tô Lâm chủ trì; sau gần 7 tháng, "
          "nhận 1.500 tác phẩm theo Quy định số 205-QĐ/TW."]
    en = ["On the morning of June 22, in Hanoi, Minister To Lam presided."]  # a translation that lost half
    good = "On June 22, 2022, To Lam said that after seven months 1,500 entries came in under Regulation 205-QĐ/TW."
    assert unsupported(good, vi, en) == []
    bad = unsupported("On June 23, Minister To Lan counted 1,600 entries under Regulation 205-QĐ/TX.", vi, en)
    assert set(bad) == {"unsupported_date:June 23", "unsupported_number:1,600", "unsupported_name:Minister To Lan",
                        "unsupported_code:205-QĐ/TX"}


def test_length_bound_keeps_whole_sentences_and_flags_a_cut():
    text, flags = bound_length("One two three. Four five six. Seven eight. Nine ten.", 3, 80)
    assert text == "One two three. Four five six. Seven eight." and flags == ["shortened:4_to_3_sentences"]
    text, flags = bound_length("word " * 100, 3, 80)
    assert len(text.split()) == 80 and text.endswith("…") and flags[0] == "cut_to:80_words"


def test_centrality_prefers_the_sentence_sharing_most_words():
    scores = centrality(["công an nhân dân", "công an nhân dân xây dựng lực lượng", "xây dựng lực lượng", "trời mưa"])
    assert scores.argmax() == 1 and scores.argmin() == 3


def test_summarising_again_reuses_the_written_translation(summary_run):
    import json

    cfg, _, _ = summary_run
    generated = json.loads(cfg.run_json.read_text())["translate"]["generated"]
    assert generated > 0
    again = run_stages(cfg, progress=False, say=False)  # current: read back, nothing made again
    assert again.reused == {"corpus": True, "translate": True, "summarise": True, "entities": True}
    assert json.loads(cfg.run_json.read_text())["translate"]["generated"] == generated
    assert "text_en" in read_csv(cfg.data_dir / "sentences.csv").columns


def test_a_sentence_with_a_span_left_untranslated_stays_out_of_the_english_summaries():
    import pandas as pd

    from helpers.summarise.stage import with_english

    body = pd.DataFrame({"report_id": ["r", "r", "s"], "lang": ["vi", "vi", "zh"],
                         "flags": ["span_untranslated:km | redecoded", "", "untranslated_language:zh"],
                         "text_en": ["He said ព្រះរាជាណាចក្រ", "Fine.", "中文"]})
    kept, left_out = with_english(body)
    assert kept["text_en"].tolist() == ["Fine."]
    assert left_out == {"r": ["km"], "s": ["zh"]}


def test_the_summaries_made_on_every_core_are_those_made_here(summary_run, monkeypatch, two_cores):
    from helpers.stage import RunContext
    from helpers.summarise import stage

    cfg, tables, frame = summary_run
    monkeypatch.setattr(stage, "ON_CORES_AT", 2)  # TextRank and the checks of the seeds' five reports on two cores
    with RunContext(cfg, False) as ctx:  # the models' outputs from the run's memory
        there, _, _ = stage.summarise(ctx, tables["sentences"], tables["reports"])
    assert two_cores == [(2,), (2,)] and two_cores.given >= 2  # one pool for TextRank, one for the checks
    assert there.reset_index(drop=True).equals(frame.reset_index(drop=True))
    assert there["flags"].str.contains("unsupported_").any()  # the checks found something to flag (demo English)


def test_a_report_s_summaries_are_held_to_the_bound_then_checked_against_it():
    from helpers.summarise.checked import ReportSummaries, check_report

    report = ReportSummaries(["Năm 2022, tỉnh có 5 đơn vị mới."], ["In 2022 the province had 5 new units."],
                             ["The province had 99 new units. In 2022. A third. A fourth.", "",
                              "In 2022 the province had 5 new units."], (3, 80))
    assert check_report(report) == [
        ("The province had 99 new units. In 2022. A third.",
         ["shortened:4_to_3_sentences", "unsupported_number:99"]),  # the bound's cut first, then the checks
        ("", []),  # no summary: nothing to hold or check
        ("In 2022 the province had 5 new units.", []),  # all it says, the report states
    ]
