"""Translation with demo models: coverage, splitting, spans, memory, resumption, flags."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from helpers.config import Config
from helpers.text.glossary import default_glossary, prepare
from helpers.inference.memory import Memory, memory_key
from helpers.models.loading import load_model
from helpers.store.files import read_csv
from helpers.pipeline import run_stages
from helpers.checks.sentence import check_sentence, repeated_ngrams, vietnamese_left
from helpers.text.references import find_references
from helpers.inference.generation import length_bucket
from helpers.inference.batching import length_batches, split_to_fit
from helpers.inference.runs import memory_settings
from helpers.inference.sentences import translate_sentences

from conftest import SEEDS


@pytest.fixture(scope="module")
def translator(demo_cache):
    cfg = Config(models="demo", cache_dir=demo_cache)
    spec = cfg.spec("opus-mt")
    return load_model(spec, "demo", demo_cache), spec


def counting(monkeypatch):
    """Count the batches that reach a model (either backend)."""
    import helpers.inference.generation as tr  # the local engine's way to the model

    calls = []
    original = tr.generate_batches

    def wrapped(loaded, batches, settings, **kwargs):
        calls.extend(len(texts) for texts in batches)
        return original(loaded, batches, settings, **kwargs)

    monkeypatch.setattr(tr, "generate_batches", wrapped)
    return calls


def test_every_sentence_is_translated_and_rerun_generates_nothing(tmp_path, demo_cache, translator, monkeypatch):
    cfg = Config(seeds=SEEDS, out=tmp_path / "out", models="demo", cache_dir=demo_cache, memory=tmp_path / "tm.sqlite")
    calls = counting(monkeypatch)
    first = run_stages(cfg, "translate", progress=False, say=False)
    assert len(calls) == first.records["translate"]["generate_calls"] > 0
    sentences = read_csv(cfg.data_dir / "sentences.csv")
    assert len(sentences) == first.records["corpus"]["sentences"] + first.records["corpus"]["captions"]
    assert (sentences["text_en"] != "").all()
    assert {"text_en", "flags", "model"} <= set(sentences.columns)
    for row in sentences.itertuples():  # every document code of a source is in its translation
        for ref in find_references(row.text_vi):
            if ref.code:
                assert ref.code in row.text_en
    calls.clear()
    second = run_stages(cfg, "translate", progress=False, say=False, force=True)
    assert calls == [] and second.records["translate"]["generated"] == 0
    assert second.records["translate"]["from_memory"] == second.records["translate"]["sentences"]
    assert read_csv(cfg.data_dir / "sentences.csv")["text_en"].tolist() == sentences["text_en"].tolist()
    refs = read_csv(cfg.data_dir / "references.csv")
    row = refs[(refs["code"] == "12-NQ/TW") & (refs["date"] != "")].iloc[0]
    assert row["date"] == "2022-03-16" and row["english"].startswith("Resolution No. 12-NQ/TW of 2022-03-16")
    text = (cfg.data_dir / "translations" / "000_b4ca7e3004645a9d.txt").read_text()
    assert text.count("\n\n") >= 10 and "Photo captions:" in text


def test_a_2000_token_sentence_is_split_within_the_limit_and_kept_whole(translator, tmp_path):
    loaded, spec = translator
    clause = "Đảng ủy Công an Trung ương đã ban hành Kế hoạch số 118-KH/ĐUCA ngày 25-5-2022 thực hiện Nghị quyết"
    sentence = ", ".join([clause] * 60) + "."

    def count(text):
        return len(loaded.tokenizer(text)["input_ids"])

    assert count(sentence) >= 2000
    limit = min(loaded.input_limit, spec.generation.piece_tokens)
    pieces = split_to_fit(sentence, count, limit)
    assert len(pieces) > 1
    assert all(count(p) <= limit for p in pieces)
    assert "".join(pieces) == sentence
    memory = Memory(tmp_path / "tm.sqlite", spec.source, loaded.revision, memory_settings(spec.generation))
    (result,), stats = translate_sentences([sentence], loaded, memory, default_glossary(), spec.generation,
                                           progress=False)
    assert result.pieces == len(pieces) and stats.split_sentences == 1
    assert "118-KH/ĐUCA" in result.text_en


def test_a_line_without_spaces_falls_back_to_token_windows(translator):
    loaded, _ = translator
    text = "x" * 3000

    def count(t):
        return len(loaded.tokenizer(t)["input_ids"])

    pieces = split_to_fit(text, count, 100)
    assert "".join(pieces) == text and all(count(p) <= 100 for p in pieces)


@pytest.mark.slow
def test_interrupted_run_resumes_with_memory_intact(translator, tmp_path, monkeypatch):
    loaded, spec = translator
    sources = [f"Hội nghị lần thứ {i} của Bộ Công an đã diễn ra tại Hà Nội." for i in range(40)]
    settings = replace(spec.generation, batch_tokens=64)
    path = tmp_path / "tm.sqlite"
    import helpers.inference.generation as tr  # the local engine's way to the model

    real_generate = tr.generate_batches

    def dying(*args, **kwargs):
        for n, outputs in enumerate(real_generate(*args, **kwargs)):
            if n == 3:
                raise KeyboardInterrupt  # the run is killed during the fourth batch
            yield outputs

    monkeypatch.setattr(tr, "generate_batches", dying)
    memory = Memory(path, spec.source, loaded.revision, memory_settings(settings))
    with pytest.raises(KeyboardInterrupt):
        translate_sentences(sources, loaded, memory, default_glossary(), settings, progress=False)
    memory.close()
    monkeypatch.setattr(tr, "generate_batches", real_generate)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = db.execute("SELECT COUNT(*) FROM memory").fetchone()[0]
    assert 0 < kept < len(sources)
    memory = Memory(path, spec.source, loaded.revision, memory_settings(settings))
    resumed, stats = translate_sentences(sources, loaded, memory, default_glossary(), settings, progress=False)
    assert stats.generated == len(sources) - kept
    fresh = Memory(tmp_path / "fresh.sqlite", spec.source, loaded.revision, memory_settings(settings))
    straight, _ = translate_sentences(sources, loaded, fresh, default_glossary(), settings, progress=False)
    assert [r.text_en for r in resumed] == [r.text_en for r in straight]


@pytest.mark.parametrize("tolerance", [0.0, 0.1, 0.5])
def test_batches_respect_the_budget_and_the_tolerance_and_cover_every_index(tolerance):
    lengths = [5, 40, 12, 40, 3, 25, 7, 38, 37, 36, 11]
    batches = length_batches(lengths, 80, tolerance)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        longest = max(lengths[i] for i in b)
        assert length_bucket(longest, tolerance) * len(b) <= 80 or len(b) == 1
        assert [lengths[i] for i in b] == sorted((lengths[i] for i in b), reverse=True)
        if tolerance:
            assert all(lengths[i] >= longest * (1 - tolerance) - 1 for i in b)
            assert len({length_bucket(lengths[i], tolerance) for i in b}) == 1  # one bucket: one budget
    firsts = [sorted(lengths[i] for i in b) for b in batches][:3]
    if tolerance == 0.1:
        assert firsts == [[40], [40], [38]]  # bucket (37, 42]: two 42-token slots exceed 80; 36 and 37 are in (33, 37]
    if tolerance == 0.0:
        assert firsts == [[40, 40], [37, 38], [25, 36]]


def test_a_sentence_longer_than_piece_tokens_is_translated_clause_by_clause(translator, tmp_path):
    loaded, spec = translator
    clause = "Đảng ủy Công an Trung ương đã ban hành Kế hoạch số 118-KH/ĐUCA ngày 25-5-2022"
    sentence = "; ".join([clause] * 6) + "."
    count = lambda t: len(loaded.tokenizer(t)["input_ids"])  # noqa: E731
    assert spec.generation.piece_tokens < count(sentence) <= loaded.input_limit
    memory = Memory(tmp_path / "tm.sqlite", spec.source, loaded.revision, memory_settings(spec.generation))
    (result,), stats = translate_sentences([sentence], loaded, memory, (), spec.generation, progress=False)
    assert result.pieces > 1 and f"split:{result.pieces}_pieces" in result.flags
    pieces = split_to_fit(sentence, count, spec.generation.piece_tokens)
    assert len(pieces) == result.pieces and set(memory.lookup(pieces)) == set(pieces)
    assert all(count(p) <= spec.generation.piece_tokens for p in pieces)
    assert all(p.endswith("; ") for p in pieces[:-1])  # cut at clause boundaries
    whole = replace(spec.generation, piece_tokens=loaded.input_limit)
    (kept,), _ = translate_sentences([sentence], loaded, memory, (), whole, progress=False)
    assert kept.pieces == 1


def test_glossary_normalises_typos_and_spells_out_bare_acronyms():
    p = prepare("xây dựng lực lượng CABD, bảo vệ ANQG theo Nghị quyết số 12-NQ/TW của Công an nhân dân (CAND)",
                default_glossary())
    assert "CABD→CAND" in p.normalised
    assert "an ninh quốc gia" in p.text and "12-NQ/TW" in p.text and "(CAND)" in p.text
    assert {"CAND", "ANQG"} <= set(p.terms)


def test_quality_flags():
    assert check_sentence("Có 450 tác phẩm.", "").flags == ("empty_output",)
    assert "number_changed:450→45" in check_sentence("Có 450 tác phẩm.", "There are 45 works.").flags
    assert vietnamese_left("Về sạ ngành nạn mình trương") != []
    assert vietnamese_left("Meeting in Hà Nội") == []
    assert repeated_ngrams("the party the party the party the party")
    assert any(f.startswith("length_ratio") for f in check_sentence("Một câu dài " * 20, "Short.").flags)


@pytest.mark.parametrize("english", [
    "the party the party the party the party", "a a a a b c d e f", "The goals, the goals, the goals were met.",
    "x y z x y z x y z then p p p p and q r q r q r q r", "No loop here at all, nor here.", "", "one",
    "Hà Nội Hà Nội Hà Nội Hà Nội and the the the the and 1 2 1 2 1 2 1 2 and end end end end",
])
def test_a_loop_is_found_at_its_first_run_as_the_full_scan_finds_it(english):
    """`loops` (asked of every output, to decode a looping one again) and the first three runs a sentence's
    flags name, each found without scanning the rest, say what the whole list of runs says."""
    from helpers.checks.sentence import loops

    every = repeated_ngrams(english)
    assert loops(english) == bool(every)
    assert repeated_ngrams(english, most=3) == every[:3]
    assert repeated_ngrams(english, most=1) == every[:1] and repeated_ngrams(english, most=0) == []


def test_a_looping_output_is_decoded_once_more_with_the_guard_and_flagged(tmp_path, translator):
    from helpers.checks.sentence import repeated_ngrams
    from helpers.inference.runs import memory_for

    loaded, _ = translator
    assert loaded.settings.no_repeat_ngram_size == 0 and loaded.settings.repetition_penalty == 1.0
    sources = ["Bộ trưởng Tô Lâm kết luận Hội nghị.", "Toàn cảnh Hội nghị tổng kết công tác năm 2022."]
    memory = memory_for(loaded, tmp_path / "tm.sqlite")
    results, stats = translate_sentences(sources, loaded, memory, (), progress=False)
    plain = memory.lookup(sources)
    memory.close()
    guard = memory_for(loaded, tmp_path / "tm.sqlite", loaded.settings.guarded())
    again = guard.lookup(sources)
    guard.close()
    looped = [s for s in sources if repeated_ngrams(plain[s])]
    assert looped, "the demo model's first decoding loops"  # random weights repeat themselves
    assert stats.redecoded == len(looped)
    for source, result in zip(sources, results):
        if source in looped:
            assert "redecoded" in result.flags and result.text_en.startswith(again[source])
        else:
            assert "redecoded" not in result.flags and source not in again


def test_a_units_output_does_not_depend_on_what_it_is_batched_with(translator):
    from helpers.inference.generation import generate

    loaded, _ = translator
    base = "Toàn cảnh Hội nghị tổng kết công tác năm 2022 của Bộ Công an"
    variants = [base + end for end in (".", " tại Hà Nội.", " tại Hà Nội sáng nay.", " ở Hà Nội.", " năm nay.")]
    lengths = {t: len(ids) for t, ids in zip(variants, loaded.tokenizer(variants)["input_ids"])}
    texts = next([a, b] for a in variants for b in variants  # different lengths, one bucket: one batch
                 if lengths[a] > lengths[b] and length_bucket(lengths[a], 0.1) == length_bucket(lengths[b], 0.1))
    together = generate(loaded, texts[:2])
    assert [generate(loaded, [t])[0] for t in texts[:2]] == together  # random weights never stop early


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_the_model_s_own_score_is_kept_and_the_lowest_flagged(tmp_path, demo_cache, backend):
    from helpers.inference.runs import memory_for

    loaded = load_model(Config(models="demo").spec("opus-mt"), "demo", demo_cache, backend)
    sources = [f"Hội nghị lần thứ {i} của Bộ Công an bàn về công tác xây dựng lực lượng." for i in range(1, 21)]
    memory = memory_for(loaded, tmp_path / "tm.sqlite")
    results, _ = translate_sentences(sources, loaded, memory, (), progress=False)
    memory.close()
    scores = [r.confidence for r in results]
    assert all(s is not None and s <= 0 for s in scores) and len(set(scores)) > 1
    low = [r for r in results if any(f.startswith("low_confidence:") for f in r.flags)]
    assert len(low) == 1 and low[0].confidence == min(scores)
    memory = memory_for(loaded, tmp_path / "tm.sqlite")  # a re-run serves the scores from memory
    again, stats = translate_sentences(sources, loaded, memory, (), progress=False)
    memory.close()
    assert stats.generated == 0 and [r.confidence for r in again] == scores


def test_a_memory_written_before_scores_were_kept_still_opens(tmp_path):
    import sqlite3

    from helpers.inference.memory import Memory

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE memory (key TEXT PRIMARY KEY, model TEXT NOT NULL, revision TEXT NOT NULL, "
               "settings TEXT NOT NULL, source TEXT NOT NULL, output TEXT NOT NULL, "
               "created TEXT NOT NULL DEFAULT (datetime('now')))")
    db.commit()
    db.close()
    memory = Memory(path, "m", "r", {})
    memory.store({"a": "A"})
    memory.store({"b": "B"}, {"b": -0.5})
    assert memory.lookup(["a", "b"]) == {"a": "A", "b": "B"} and memory.scores(["a", "b"]) == {"b": -0.5}
    memory.close()


def test_a_memory_file_is_checked_whole_once_per_process_and_a_damaged_one_moved_aside(tmp_path, monkeypatch, capsys):
    """A run opens the memory once per model and language: `quick_check` reads the whole file once. A file
    found damaged is moved aside and begun anew, and the new file (another inode) is checked in its turn."""
    from helpers.inference import memory as memory_module

    checked = []
    real = memory_module.check_sound
    monkeypatch.setattr(memory_module, "check_sound", lambda db: checked.append(1) or real(db))
    path = tmp_path / "tm.sqlite"
    for settings in ({}, {"num_beams": 2}, {}):  # a model's two settings, then the first again
        with Memory(path, "m", "r", settings) as memory:
            memory.store({"a": "A"})
    assert len(checked) == 1
    monkeypatch.setattr(memory_module, "_SOUND", set())  # as a new run would
    path.with_name("tm.sqlite-wal").unlink(missing_ok=True)
    path.write_bytes(b"not a database at all " * 100)
    with Memory(path, "m", "r", {}) as memory:
        assert memory.lookup(["a"]) == {}
    assert "moved aside to" in capsys.readouterr().err  # (SQLite itself refuses this one before the check)
    assert len(checked) == 2  # the new file, another inode, is checked
    with Memory(path, "m", "r", {}) as memory:
        assert memory.lookup(["a"]) == {}
    assert len(checked) == 2


def test_a_memory_a_run_closed_sound_is_not_read_whole_again_unless_it_changed(tmp_path, monkeypatch):
    """The next run trusts a memory exactly as a run closed it (`<memory>.sound`); a write by anything
    else (its times set back after, too), or a log left by a run that stopped midway, has it checked whole again."""
    import os
    import sqlite3
    import time

    from helpers.inference import memory as memory_module

    checked = []
    real = memory_module.check_sound
    monkeypatch.setattr(memory_module, "check_sound", lambda db: checked.append(1) or real(db))
    path = tmp_path / "tm.sqlite"

    def a_run(*pairs: str) -> dict[str, str]:
        monkeypatch.setattr(memory_module, "_SOUND", set())  # each run its own process
        with Memory(path, "m", "r", {}) as one, Memory(path, "m", "r", {"num_beams": 2}) as two:
            one.store(dict(zip(pairs[::2], pairs[1::2])))
            return {**one.lookup(["a", "b", "c"]), **two.lookup(["a"])}

    assert a_run("a", "A") == {"a": "A"} and checked == [1]  # a new file is checked
    assert a_run("b", "B") == {"a": "A", "b": "B"} and checked == [1]  # as the last run closed it: trusted
    time.sleep(0.05)  # (file times are coarse: a write within the same tick would not be told apart)
    db = sqlite3.connect(path)  # another program writes to it
    db.execute("UPDATE memory SET output = 'X' WHERE key = ?", (memory_key("m", "r", {}, "a"),))
    db.commit()
    db.close()
    assert a_run("c", "C") == {"a": "X", "b": "B", "c": "C"} and checked == [1, 1]
    assert a_run() == {"a": "X", "b": "B", "c": "C"} and checked == [1, 1]
    before = path.stat()
    time.sleep(0.05)
    db = sqlite3.connect(path)  # a write of the same size whose tool then sets the file's times back (touch -r)
    db.execute("UPDATE memory SET output = 'Z' WHERE key = ?", (memory_key("m", "r", {}, "a"),))
    db.commit()
    db.close()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert a_run() == {"a": "Z", "b": "B", "c": "C"} and checked == [1, 1, 1]
    journal = path.with_name("tm.sqlite-journal")  # a rollback journal left beside it
    journal.write_bytes(b"")
    assert a_run() == {"a": "Z", "b": "B", "c": "C"} and checked == [1, 1, 1, 1]
    journal.unlink()
    assert a_run() == {"a": "Z", "b": "B", "c": "C"} and checked == [1, 1, 1, 1, 1]  # not recorded sound with one
    assert a_run() == {"a": "Z", "b": "B", "c": "C"} and checked == [1, 1, 1, 1, 1]
    left = sqlite3.connect(path)  # a run stopped midway: its log is still there when the next run opens the file
    left.execute("PRAGMA journal_mode=WAL")
    left.execute("BEGIN IMMEDIATE")
    left.execute("UPDATE memory SET output = 'Y' WHERE key = ?", (memory_key("m", "r", {}, "b"),))
    assert path.with_name("tm.sqlite-wal").exists()
    monkeypatch.setattr(memory_module, "_SOUND", set())
    with Memory(path, "m", "r", {}):
        pass
    assert checked == [1, 1, 1, 1, 1, 1]
    left.rollback()
    left.close()


def test_a_memory_damaged_while_in_use_stops_the_run_with_a_line_and_is_checked_whole_by_the_next(
        tmp_path, monkeypatch, capsys):
    """Damage after the memory was opened trusted (its pages read only when looked up) is one line naming the
    file, not SQLite's traceback; the file is no longer recorded sound, so the next run checks it whole and
    moves it aside."""
    import os
    import re

    from helpers.inference import memory as memory_module
    from helpers.inference.memory import MemoryUnusable

    path = tmp_path / "tm.sqlite"
    sources = [f"nguồn {i} " * 5 for i in range(3000)]
    monkeypatch.setattr(memory_module, "_SOUND", set())
    with Memory(path, "m", "r", {}) as memory:
        memory.store({s: s.upper() for s in sources})
    assert memory_module.recorded_sound(path)
    monkeypatch.setattr(memory_module, "_SOUND", set())  # the next run: trusts it, reads no page yet
    memory = Memory(path, "m", "r", {})
    with open(path, "r+b") as file:  # a disk or another program overwrites its pages meanwhile
        file.seek(8192)
        file.write(os.urandom(path.stat().st_size - 8192 - 4096))
    with pytest.raises(MemoryUnusable, match=re.escape(f"translation memory {path} failed while in use: ")):
        memory.lookup(sources)
    memory.close()
    assert not memory_module.recorded_sound(path)
    with pytest.raises(sqlite3.ProgrammingError):  # this program's misuse stays a bug, not the file's fault
        memory.lookup(sources[:1])
    monkeypatch.setattr(memory_module, "_SOUND", set())
    with Memory(path, "m", "r", {}) as fresh:
        assert fresh.lookup(sources[:3]) == {}
    assert "was damaged; moved aside" in capsys.readouterr().err
    assert len(list(tmp_path.glob("tm.sqlite.corrupt-*"))) == 1


def test_a_memory_s_writes_wait_in_its_writer_not_in_the_model_s_loop(tmp_path, monkeypatch):
    """`store` hands a batch to the memory's writer thread and returns: with another run holding the file's
    write lock it does not wait for it (a store in the caller's thread would wait, then fail with SQLite's
    "database is locked"), and a lookup sees the batch once the writer has written it."""
    from helpers.inference import memory as memory_module

    monkeypatch.setattr(memory_module, "BUSY_TIMEOUT_S", 0.5)  # how long a write by the caller's connection waits
    path = tmp_path / "tm.sqlite"
    with Memory(path, "m", "r", {}) as memory:
        monkeypatch.setattr(memory_module, "BUSY_TIMEOUT_S", 30.0)  # the writer's, connected at the first store
        memory.store({"a": "A"})
        assert memory.lookup(["a"]) == {"a": "A"}
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another run writing
        memory.store({"b": "B", "c": "C"}, {"b": -0.25})
        memory.store({"d": "D"})
        third = sqlite3.connect(path)  # nothing is written while the lock is held
        assert third.execute("SELECT COUNT(*) FROM memory").fetchone()[0] == 1
        third.close()
        other.rollback()
        other.close()
        assert memory.lookup(["a", "b", "c", "d", "e"]) == {"a": "A", "b": "B", "c": "C", "d": "D"}
        assert memory.scores(["b", "c"]) == {"b": -0.25}
    assert memory_module.recorded_sound(path)


def test_a_memory_write_that_fails_is_one_line_where_the_run_next_stores_or_closes(tmp_path, monkeypatch,
                                                                                    capsys):
    """A write the writer thread could not make (here the file stays locked past the wait) is raised in the
    run, as the one-line `MemoryUnusable` naming the file: at the next `store` or lookup, or when the memory
    closes if none came; it is raised once, and the file is not recorded sound. When another error is already
    on its way out (Ctrl-C during the model's run), that error is the one raised, the memory's a warning line."""
    import re

    from helpers.inference import memory as memory_module
    from helpers.inference.memory import MemoryUnusable

    monkeypatch.setattr(memory_module, "BUSY_TIMEOUT_S", 0.1)
    path = tmp_path / "tm.sqlite"
    said = re.escape(f"translation memory {path} failed while in use: database is locked")
    for then in ("store", "close", "interrupted"):
        memory = Memory(path, "m", "r", {})
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        memory.store({"a": "A"})
        memory._queued.join()  # the writer gave up waiting for the lock
        other.rollback()
        other.close()
        if then == "store":
            with pytest.raises(MemoryUnusable, match=said):
                memory.store({"b": "B"})
            memory.close()  # raised once
        elif then == "close":
            with pytest.raises(MemoryUnusable, match=said):
                memory.close()
        else:
            with pytest.raises(KeyboardInterrupt), memory:
                raise KeyboardInterrupt
            assert re.search("warning: " + said, capsys.readouterr().err)
        assert not memory_module.recorded_sound(path)
        db = sqlite3.connect(path)
        assert db.execute("SELECT COUNT(*) FROM memory").fetchone()[0] == 0
        db.close()


@pytest.mark.parametrize("source", ["Hà Nội", 'a "quoted" \\ back\\slash', "line\nbreak\ttab", "", "\u200bzero width",
                                    "😀 ✓"])
def test_a_memory_s_keys_are_the_documented_memory_key(tmp_path, source):
    """Keys made with the settings serialised once are those memories were always written with
    (the SHA-256 of the JSON list [model, revision, settings, source]), so memories written before
    stay readable (a different key would make every earlier entry unreachable)."""
    import hashlib
    import json

    from helpers.inference.memory import memory_key

    model, revision = "Helsinki-NLP/opus-mt-vi-en", "abc123"
    settings = {"num_beams": 4, "backend": "ctranslate2", "nested": {"z": 1, "a": [1, "é"]}}
    written = json.dumps([model, revision, settings, source], ensure_ascii=False, sort_keys=True)
    expected = hashlib.sha256(written.encode("utf-8")).hexdigest()
    memory = Memory(tmp_path / "tm.sqlite", model, revision, settings)
    try:
        assert memory.key(source) == memory_key(model, revision, settings, source) == expected
    finally:
        memory.close()


@pytest.mark.parametrize("key", sorted(__import__("helpers.config", fromlist=["MODEL_REGISTRY"]).MODEL_REGISTRY))
def test_the_token_counter_counts_what_the_tokenizer_gives(key, demo_cache, seed_lines, monkeypatch):
    """Sentences are cut to fit by `token_counter`'s count and chunks packed by `count_tokens`': both
    must be the tokenizer's own, for every family (specials included), on the seeds and on text that
    holds special tokens literally, given more than once, counted in shares on three cores, also
    after a call that truncated."""
    from helpers.inference import batching
    from helpers.inference.batching import count_tokens, token_counter

    monkeypatch.setattr(batching, "SHARED_COUNT_TEXTS", 16)
    monkeypatch.setattr(batching, "COUNT_SLICE", 7)
    monkeypatch.setattr(batching.os, "cpu_count", lambda: 3)

    loaded = load_model(Config(models="demo", cache_dir=demo_cache).spec(key), "demo", demo_cache)
    calls: list[int] = []
    if getattr(loaded.tokenizer, "backend_tokenizer", None) is not None:
        class Recording:  # the backend, each call's number of texts noted
            def __init__(self, inner):
                self.inner = inner

            def __getattr__(self, name):
                return getattr(self.inner, name)

            def encode_batch_fast(self, texts):
                calls.append(len(texts))
                return self.inner.encode_batch_fast(texts)

        monkeypatch.setattr(loaded.tokenizer, "_tokenizer", Recording(loaded.tokenizer._tokenizer))
    texts = [line for lines in seed_lines.values() for line in lines if line.strip()][:150]
    texts += ["", "</s> <pad> <unk> giữa câu", ">>en<< Nghị quyết số 12-NQ/TW 😀 ✓ \u200b", "x" * 3000, "a</s>b"]
    texts += texts[-4:] + texts[:3]  # texts given twice are counted once, and each place gets its count
    count = token_counter(loaded)
    expected = [len(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
    assert [count(t) for t in texts] == expected
    assert count_tokens(texts, loaded) == expected  # chunks are packed and batched by this count
    assert not calls or (max(calls) <= 7 and sum(calls) == len(set(texts)))  # a collection never encoded at once
    if calls:
        monkeypatch.setattr(loaded.tokenizer, "_tokenizer", loaded.tokenizer._tokenizer.inner)
    loaded.tokenizer(texts[:3], truncation=True, max_length=8)  # may leave the backend set to truncate
    assert count_tokens(texts, loaded) == expected


def test_the_reviewed_layer_hands_its_inner_layer_each_other_sentence_with_its_own_language():
    from helpers.inference.sentences import TranslationStats, checked
    from helpers.review.entries import Review
    from helpers.translate.reviewed import ReviewedLayer

    asked = []

    def inner(sources, languages):  # any layer of the same call shape: here one that records its call
        asked.append(list(zip(sources, languages)))
        return [checked(s, f"English of {s}", ()) for s in sources], TranslationStats()

    reviewed = "Câu đã được duyệt, với 3 con số."
    layer = ReviewedLayer({reviewed: Review(reviewed, "A reviewed sentence, with 3 numbers.")}, (), inner)
    sources = [reviewed, "The delegation thanked the Ministry.", "代表团感谢越南公安部。", reviewed]
    results, stats = layer(sources, ["vi", "en", "zh", "vi"])
    assert asked == [[(sources[1], "en"), (sources[2], "zh")]]  # each with its own language, reviewed ones out
    assert [r.text_en for r in results] == ["A reviewed sentence, with 3 numbers.", f"English of {sources[1]}",
                                            f"English of {sources[2]}", "A reviewed sentence, with 3 numbers."]
    assert (stats.sentences, stats.reviewed) == (4, 2) and [r is None for r in layer.reviews_of(sources)] == [
        False, True, True, False]


def test_ranking_confidence_over_the_collection_moves_the_flag_and_keeps_the_others():
    """`rank_confidence` flags the lowest-scoring share of the scored sentences (ties by position), takes
    the flag off a sentence no longer among them, and leaves every other flag as it was."""
    import pandas as pd

    from helpers.checks.flags import join_flags
    from helpers.inference.sentences import LOW_CONFIDENCE_SHARE
    from helpers.translate.stage import rank_confidence

    n = 40
    scores = [f"{0.5 + (i % 7) / 10:.2f}" for i in range(n)]
    scores[3], scores[9] = "0.10", ""  # the lowest; an unscored sentence is never ranked
    flags = ["" for _ in range(n)]
    # flagged by an earlier ranking, no longer among the lowest
    flags[20] = join_flags(["split:2_pieces", "low_confidence:0.55"])
    flags[3] = "number_changed:1→2"
    frame = pd.DataFrame({"confidence": scores, "flags": flags})
    ranked = rank_confidence(frame)["flags"].tolist()
    flagged = [i for i, cell in enumerate(ranked) if "low_confidence" in cell]
    scored = sorted((float(s), i) for i, s in enumerate(scores) if s)
    assert flagged == sorted(i for _, i in scored[: max(1, round(len(scored) * LOW_CONFIDENCE_SHARE))])
    assert ranked[3] == join_flags(["number_changed:1→2", "low_confidence:0.10"])
    assert ranked[20] == "split:2_pieces"
    assert ranked[9] == ""
