"""Python work on every core (`inference.cores`): the results of the processes are those of this process, in
order; a pool lost half-way leaves the rest to this process, each item done once; processes are spawned
only where the program is not run again in them; and the translate stage's files made on every core are
byte for byte those made here."""

from __future__ import annotations

import os
from pathlib import Path
from concurrent.futures.process import BrokenProcessPool

import pandas as pd
import pytest

from helpers.inference import cores
from helpers.stage import MadeFiles
from helpers.text.normalise import fold_text

TEXTS = [f"Hà Nội {n} Đà Nẵng" for n in range(40)]


def _process_id(_: object) -> int:
    """The id of the process that runs it (for work beside this process)."""
    return os.getpid()


def test_the_items_are_done_on_every_core_in_order_as_this_process_would(monkeypatch, two_cores):
    pools = two_cores
    assert list(cores.on_every_core(fold_text, TEXTS, at_least=10)) == [fold_text(t) for t in TEXTS]
    assert pools == [(2,)]
    assert list(cores.on_every_core(fold_text, TEXTS[:9], at_least=10)) == [fold_text(t) for t in TEXTS[:9]]
    monkeypatch.setattr(cores, "usable_cores", lambda: 1)
    assert list(cores.on_every_core(fold_text, TEXTS, at_least=10)) == [fold_text(t) for t in TEXTS]
    assert len(pools) == 1  # too few items, or one core: this process alone


def test_a_pool_lost_half_way_leaves_the_rest_to_this_process_each_item_done_once(monkeypatch):
    done: list[str] = []
    shut = []

    def work(text: str) -> str:
        done.append(text)
        return fold_text(text)

    class Done:
        def __init__(self, value):
            self.value = value

        def result(self):
            if isinstance(self.value, BaseException):
                raise self.value
            return self.value

    class LostAfterThree:  # three chunks of one item come back, then the pool is broken
        def __init__(self, *args, **kwargs):
            self.sent = 0

        def submit(self, fn, *args):
            self.sent += 1
            return Done(fn(*args) if self.sent <= 3 else BrokenProcessPool("a worker was killed"))

        def shutdown(self, wait=True, cancel_futures=False):
            shut.append(cancel_futures)

    monkeypatch.setattr(cores, "spawn_safe", lambda: True)
    monkeypatch.setattr(cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(cores, "ProcessPoolExecutor", LostAfterThree)
    assert list(cores.on_every_core(work, TEXTS, at_least=1)) == [fold_text(t) for t in TEXTS]
    assert done == TEXTS and shut == [True]


@pytest.mark.parametrize("spec, file, safe", [
    ("helpers.__main__", "/x/helpers/__main__.py", True),  # python -m helpers: never run again
    (None, None, True),  # a notebook's kernel, an interactive session: nothing to run again
    (None, "/home/a/job.py", False),  # a script: run again in each process unless it guards itself
    ("job", "/home/a/job.py", False),  # python -m job
])
def test_processes_are_spawned_only_where_the_program_is_not_run_again_in_them(spec, file, safe, monkeypatch):
    import sys
    from types import ModuleType, SimpleNamespace

    main = ModuleType("__main__")
    main.__spec__ = SimpleNamespace(name=spec) if spec else None
    if file:
        main.__file__ = file
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert cores.spawn_safe() is safe


def test_the_translations_made_on_every_core_are_those_made_here(monkeypatch, two_cores):
    from types import SimpleNamespace

    from helpers.translate import stage

    rows = pd.DataFrame({"report_id": [f"r{n // 3}" for n in range(36)], "sentence_no": [n % 3 + 1 for n in range(36)],
                         "line_no": [n % 3 + 1 for n in range(36)], "role": ["title", "body", "caption"] * 12,
                         "text_vi": [f"câu {n}" for n in range(36)], "text_en": [f"Sentence {n}." for n in range(36)],
                         "flags": ["", "repetition:x", ""] * 12, "origin": ["model"] * 36, "review": [""] * 36,
                         "reviewer": [""] * 36, "reviewed_at": [""] * 36})
    model = SimpleNamespace(provenance=lambda: {"source": "m/x", "revision": "abc", "demo": False})
    ctx = SimpleNamespace(load=lambda name: model, cfg=SimpleNamespace(translator="opus-mt"))
    ids = {f"r{n}" for n in range(0, 12, 2)}  # the reports made anew: their files only

    def made(at_least: int) -> list[tuple[str, bytes]]:
        monkeypatch.setattr(stage, "FILES_ON_CORES_AT", at_least)
        files = stage.TranslateStage().files(ctx, {"sentences": rows}, ids)[stage.TRANSLATIONS]
        assert isinstance(files, MadeFiles)  # made as the runner writes them
        return list(files.made())

    here = made(10_000)
    assert made(2) == here and two_cores == [(2,)] and two_cores.given > 0
    assert [name for name, _ in here] == [f"r{n}.{kind}" for n in range(0, 12, 2) for kind in ("txt", "docx", "md")]
    files = stage.TranslateStage().files(ctx, {"sentences": rows}, ids)[stage.TRANSLATIONS]
    assert files["r4.docx"] == dict(here)["r4.docx"] and len(files) == len(here) == len(set(files))
    # each report's share is sent as plain columns: its files are those made from its rows as a frame
    from datetime import date

    from helpers.translate.exports import Provenance

    frame = rows[rows["report_id"] == "r4"]
    assert stage.report_files(("r4", frame, Provenance("m/x", "abc", False, date.today().isoformat()))) == [
        dict(here)[f"r4.{kind}"] for kind in stage.FILE_KINDS]


def test_the_corpus_read_on_every_core_is_the_corpus_read_here(monkeypatch, tmp_path, two_cores):
    import shutil
    from pathlib import Path

    from helpers.config import Config
    from helpers.corpus import stage

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    for path in seeds.iterdir():  # the seeds, and one input that cannot be read, in one folder
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a document")

    def read(at_least: int) -> stage.CorpusResult:
        monkeypatch.setattr(stage, "ON_CORES_AT", at_least)
        return stage.build_corpus(Config(seeds=tmp_path, out=tmp_path / "out", models="demo"))

    here = read(10_000)
    there = read(2)
    assert two_cores == [(2,)]
    for name in ("report_table", "ledger", "sentences", "problems"):
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name))
    assert len(here.report_table) == 5 and here.problems["file"].tolist() == ["broken.docx"]


def test_work_beside_this_process_gives_what_it_gives_here(monkeypatch, two_cores):
    pools = two_cores
    def beside(text: str, apart: bool = True) -> str:
        work = cores.Beside(fold_text, apart=apart)
        work.start(lambda: text)
        return work.result()

    assert beside(TEXTS[3]) == fold_text(TEXTS[3]) and pools == [(1,)]
    work = cores.Beside(_process_id)
    work.start(lambda: "any")
    assert work.result() != os.getpid() and len(pools) == 2  # done in the process, not here
    assert beside(TEXTS[4], apart=False) == fold_text(TEXTS[4]) and len(pools) == 2
    monkeypatch.setattr(cores, "usable_cores", lambda: 1)
    assert beside(TEXTS[5]) == fold_text(TEXTS[5]) and len(pools) == 2


def test_work_beside_this_process_is_done_here_when_its_process_is_lost(monkeypatch):
    done = []

    def work(text: str) -> str:
        done.append(text)
        return fold_text(text)

    class Lost:
        def __init__(self, *args, **kwargs):
            pass

        def submit(self, fn, *args):
            class Broken:
                def result(self):
                    raise BrokenProcessPool("the process was killed")
            return Broken()

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    monkeypatch.setattr(cores, "spawn_safe", lambda: True)
    monkeypatch.setattr(cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(cores, "ProcessPoolExecutor", Lost)
    lost = cores.Beside(work)
    lost.start(lambda: TEXTS[0])
    assert lost.result() == fold_text(TEXTS[0]) and done == [TEXTS[0]]


def test_the_sentences_checked_on_every_core_are_those_checked_here(monkeypatch, two_cores):
    from reference_translator import planted_errors, reference_set

    from helpers.inference import sentences
    from helpers.text.glossary import default_glossary, prepare

    glossary = default_glossary()
    reference = reference_set()
    planted = planted_errors().merge(reference[["report_id", "sentence_no", "text_vi"]],
                                     on=["report_id", "sentence_no"])
    pairs = [*zip(reference["text_vi"], reference["text_en"]),
             *zip(planted["text_vi"], planted["text_en"])]  # realistic English, and English with faults
    items = [sentences.Finishing(prepare(vi, glossary), en, 1 + n % 2, n % 3 == 0, glossary, n % 5 == 0,
                                 -0.1 * n, repair=n % 7 != 0) for n, (vi, en) in enumerate(pairs)]
    here = [sentences.finished_one(item) for item in items]
    # each item is `finish`'s arguments in their order
    assert here == [sentences.finish(i.prep, i.english, i.n_pieces, i.hit, i.glossary, i.redecoded, i.confidence,
                                     i.repair) for i in items]
    draft = sentences.Draft(items[1].prep, items[1].english, 2, True, True, -0.25)
    assert sentences.finishing(draft, glossary) == sentences.Finishing(items[1].prep, items[1].english, 2, True,
                                                                        glossary, True, -0.25)
    monkeypatch.setattr(sentences, "CHECKS_ON_CORES_AT", 2)
    assert sentences.finish_all(items) == here and two_cores == [(2,)] and two_cores.given > 0
    assert sum("repaired" in r.flags for r in here) > 10  # the faults were found, and repaired
    monkeypatch.setattr(sentences, "CHECKS_ON_CORES_AT", len(items) + 1)
    assert sentences.finish_all(items) == here and len(two_cores) == 1  # too few: here


def test_the_mentions_found_on_every_core_are_those_found_here(monkeypatch, tmp_path, two_cores):
    """The seeds' sentences and the documents they cite, looked at for mentions here and on every core (each
    distinct sentence once, with a mention memo; each row, without): the same mentions in the same order."""
    from helpers.config import Config
    from helpers.corpus.stage import build_corpus
    from helpers.entities import build
    from helpers.entities.memo import MentionMemo
    from helpers.text.glossary import default_glossary
    from helpers.text.references import references_frame

    glossary = default_glossary()
    corpus = build_corpus(Config(seeds=Path(__file__).resolve().parents[1] / "seeds"))
    sentences = pd.concat([corpus.sentences, corpus.sentences.head(20)])  # a sentence met twice is looked at once
    refs = references_frame(corpus.sentences, glossary)
    assert len(refs) and len(sentences) > 100

    def found(at_least: int, memo: str | None) -> list:
        monkeypatch.setattr(build, "MENTIONS_ON_CORES_AT", at_least)
        if memo is None:
            return build.find_all(sentences, refs, glossary, use_model=False)
        with MentionMemo(tmp_path / memo, "context") as mentions:
            return build.find_all(sentences, refs, glossary, use_model=False, mentions=mentions)

    here = found(1_000_000, None)
    assert len(here) > 100 and len({(f.kind, f.key) for f in here}) > 20
    cited = {}  # each row looked at on its own, in order: what the sharing out must give
    for r in refs[["report_id", "sentence_no", "cited_as"]].itertuples(index=False):
        cited.setdefault((str(r.report_id), int(r.sentence_no)), []).append(str(r.cited_as))
    vietnamese = sentences[sentences["lang"].fillna("vi").isin(["vi", ""])]
    rows = vietnamese[["report_id", "sentence_no", "text_vi"]].itertuples(index=False)
    assert here == [build.Found(str(rid), int(no), *m) for rid, no, text in rows
                    for m in build.mentions_in((text, tuple(cited.get((str(rid), int(no)), ())), None, glossary,
                                                False))]
    assert found(2, None) == here and two_cores == [(2,)] and two_cores.given > 0
    assert found(1_000_000, "here.sqlite") == here == found(2, "cores.sqlite") and len(two_cores) == 2
    assert found(2, "cores.sqlite") == here and len(two_cores) == 2  # all remembered: nothing looked at again


CTRL_C_SCRIPT = """
import sys, time
from helpers.inference import cores
beside = cores.Beside(time.sleep)  # a process of its own, idle until given its work
try:
    print("started", flush=True)
    for _ in cores.on_every_core(time.sleep, [0.5] * 40, 2):
        print("one", flush=True)
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
finally:
    beside.close()
"""


@pytest.mark.skipif(cores.usable_cores() < 2, reason="the pools need two cores")
def test_ctrl_c_in_a_terminal_is_left_to_the_program_not_printed_by_each_worker():
    """A terminal's Ctrl-C reaches every process of the group: the pools' workers leave it to the program (one
    line), none prints a traceback of its own, idle (`Beside`) or at work (`on_every_core`)."""
    import signal
    import subprocess
    import sys
    import time

    run = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert run.stdout is not None
    assert run.stdout.readline() == "started\n" and run.stdout.readline() == "one\n"  # the workers are at work
    time.sleep(0.2)
    os.killpg(run.pid, signal.SIGINT)  # as a terminal sends it: to the whole group
    _, err = run.communicate(timeout=60)
    assert err == "interrupted\n", err
