"""The search data made in proportion to what changed (`pages.searchindex`): the index kept from the
previous run, updated with only the new and changed units' texts, writes the shards a run from
scratch writes (`search.postings`, `search.term_shards`); and the pages step's files after a day-2
change (a report added, one changed, one removed, an entity renamed) are byte for byte those of the
step run from scratch on the same outputs, search folder included."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pandas as pd
import pytest

from helpers.pages import searchindex
from helpers.pages.search import cut_shards, postings, term_shards, terms, unit_terms
from helpers.pages.searchindex import TERMS_DB, Index, encoded_postings, load_index, save_index, updated
from helpers.pages.stage import write_pages
from helpers.store.files import MARKER, remove_stale
from helpers.text.normalise import fold
from test_pages_digest import changed, out  # noqa: F401  (the fixture: a small run's outputs)

WORDS = ["Hà", "Nội", "ha", "noi", "Đà", "Nẵng", "công", "an", "12-NQ/TW", "z", "ß", "ÿ", "a", "b", "phòng"]


def unit(uid: str, rng: random.Random, words: list[str] = WORDS) -> tuple:
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(rng.randint(1, 4))]
    return (uid, f"{uid}.html", uid, [[f"s-{n}", "sentence", t] for n, t in enumerate(texts)])


def from_scratch(units: list[tuple]) -> list[dict[str, str]]:
    return term_shards(postings(units), size=200)


@pytest.mark.parametrize("step", [1 << 20, 37, 1])  # entries encoded a pass: all at once, runs of whole terms
def test_the_kept_index_updated_writes_the_shards_of_a_run_from_scratch(tmp_path, monkeypatch, step):
    monkeypatch.setattr(searchindex, "ENCODE_STEP", step)
    rng = random.Random(7)
    units = [unit(f"r{n:03d}", rng) for n in range(60)]
    index = updated(Index.empty(), [u[0] for u in units], [u[0] for u in units], {u[0]: u for u in units})
    assert cut_shards(encoded_postings(index), size=200) == from_scratch(units)
    save_index(tmp_path / TERMS_DB, index)
    # day 2: units removed (their words with them), changed, added between the kept and at the end,
    # with words no unit had
    kept = load_index(tmp_path / TERMS_DB)
    assert kept.terms == index.terms and (kept.unit == index.unit).all()
    day2 = [u for u in units if u[0] not in {"r000", "r013", "r059"}]
    day2[5] = unit(day2[5][0], rng, ["brand", "new", "words"])
    day2.insert(20, unit("r020b", rng, WORDS + ["inserted"]))
    day2 += [unit(f"s{n}", rng, WORDS + ["later", "Ω"]) for n in range(3)]
    digests = [u[0] if u in units else u[0] + "'" for u in day2]
    fresh = {u[0]: u for u, d in zip(day2, digests) if d.endswith("'")}
    assert len(fresh) == 5
    again = updated(kept, [u[0] for u in day2], digests, fresh)
    assert cut_shards(encoded_postings(again), size=200) == from_scratch(day2)
    assert "r000" not in again.uids and again.terms == sorted(again.terms)


def test_a_units_texts_are_folded_without_being_kept_in_the_fold_cache():
    """A report's whole text folded through the cached `fold` stayed in its cache: at 10,000 reports,
    400 MB of the search index's peak. The words are those the cached fold gives."""
    docs = unit("r0", random.Random(2))[3]
    fold.cache_clear()
    counted = unit_terms(docs)
    assert fold.cache_info().currsize == 0
    assert {w for d in docs for w in terms(d[2])} <= set(counted)


def test_units_in_a_new_order_are_refused_so_the_index_is_made_anew():
    rng = random.Random(1)
    units = [unit(f"r{n}", rng) for n in range(5)]
    ids = [u[0] for u in units]
    index = updated(Index.empty(), ids, ids, {u[0]: u for u in units})
    try:
        updated(index, ids[::-1], ids[::-1], {})
    except ValueError:
        return
    raise AssertionError("a new order was taken as kept")


def pages_step(outputs, folder: Path, monkeypatch, apart_at: int, read_from: Path | None = None) -> dict[str, bytes]:
    """The pages step into `folder/html` as `make reports` runs it (the search data in a process of its own
    from `apart_at` reports; `outputs` as read from `read_from`); every file it leaves there, by path."""
    from helpers.pages import stage

    (folder / MARKER).parent.mkdir(parents=True, exist_ok=True)
    if not (folder / MARKER).is_file():
        (folder / MARKER).write_text('{"files": {}}')
    monkeypatch.setattr(stage, "SEARCH_APART_AT", apart_at)
    pages = write_pages(outputs, folder / "html", [], read_from=read_from)
    remove_stale(folder / "html", "*.html", {p.name for p in pages})  # as `make reports` does after the step
    assert (folder / TERMS_DB).is_file()  # kept beside the published folder, not in it
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted((folder / "html").rglob("*")) if p.is_file()}


@pytest.mark.parametrize("apart_at", [10_000, 1])  # the search data made in this process, or in one of its own
def test_the_pages_step_after_a_day_2_change_writes_what_it_writes_from_scratch(out, tmp_path, monkeypatch,  # noqa: F811
                                                                                apart_at, two_cores):
    from helpers.pages import collection

    pools = two_cores
    made_here = collection.made_search
    if apart_at == 1:  # made in the process of its own, never here
        monkeypatch.setattr(collection, "made_search", lambda work: pytest.fail("the search data was made here"))
    pages_step(out, tmp_path / "incremental", monkeypatch, apart_at)
    day2 = copy.copy(out)
    extra = {name: getattr(out, name)[getattr(out, name)["report_id"] == "b"].assign(report_id="d")
             for name in ("reports", "sentences", "summaries", "references", "mentions")}
    for name, frame in extra.items():  # d added (a copy of b), a removed
        whole = pd.concat([getattr(out, name), frame], ignore_index=True)
        setattr(day2, name, whole[whole["report_id"] != "a"].reset_index(drop=True))
    day2 = changed(day2, "sentences", "text_vi", 4, "Một câu mới về phòng cháy chữa cháy")  # a row of c
    day2 = changed(day2, "entities", "name_en", 0, "A new English name")
    incremental = pages_step(day2, tmp_path / "incremental", monkeypatch, apart_at)
    scratch = pages_step(day2, tmp_path / "scratch", monkeypatch, apart_at)
    assert sorted(incremental) == sorted(scratch)
    assert [name for name in scratch if incremental[name] != scratch[name]] == []
    assert "html/search/text/a.js" not in scratch and "html/search/text/d.js" in scratch
    assert b"phong chay" in b"".join(v for k, v in scratch.items() if "/terms-" in k)
    assert len(pools) == (3 if apart_at == 1 else 0)  # a process of its own for each step, or none
    if apart_at == 1:  # made in a process of its own, the files are those made in this one
        monkeypatch.setattr(collection, "made_search", made_here)
        here = pages_step(day2, tmp_path / "here", monkeypatch, 10_000)
        assert sorted(here) == sorted(scratch) and [name for name in scratch if here[name] != scratch[name]] == []


@pytest.mark.parametrize("apart_at", [10_000, 1])
def test_a_kept_index_whose_entries_cannot_be_read_is_made_anew(out, tmp_path, monkeypatch, apart_at,  # noqa: F811
                                                                two_cores):
    import sqlite3

    pages_step(out, tmp_path / "kept", monkeypatch, apart_at)
    with sqlite3.connect(tmp_path / "kept" / TERMS_DB) as db:  # its units readable, its arrays gone
        db.execute("DELETE FROM arrays")
    db.close()
    day2 = changed(out, "sentences", "text_vi", 4, "Một câu mới về phòng cháy chữa cháy")
    again = pages_step(day2, tmp_path / "kept", monkeypatch, apart_at)
    scratch = pages_step(day2, tmp_path / "scratch", monkeypatch, apart_at)
    assert sorted(again) == sorted(scratch) and [name for name in scratch if again[name] != scratch[name]] == []
    assert load_index(tmp_path / "kept" / TERMS_DB).uids == load_index(tmp_path / "scratch" / TERMS_DB).uids


@pytest.mark.parametrize("apart_at", [10_000, 1])
def test_a_first_runs_search_texts_are_read_where_the_tables_are_not_handed_over(out, tmp_path, monkeypatch,  # noqa: F811
                                                                                 apart_at, two_cores):
    """Every unit's texts, made anew, are not made here and handed to the search data's process (at 10,000
    reports, 160 MB of text and a 60 MB pickle held while the pages render): it reads the tables the outputs
    were read from. Made here, they are made from the outputs in hand. The files are the same either way."""
    from helpers.pages import stage
    from helpers.pages.outputs import load_outputs
    from test_pages_digest import _written

    data = tmp_path / "out" / "data"
    loaded = load_outputs(_written(out, data).data_dir)
    handed: list = []
    real = stage.search_work
    monkeypatch.setattr(stage, "search_work", lambda *a, **k: handed.append(real(*a, **k)) or handed[-1])
    made = pages_step(loaded, tmp_path / "made", monkeypatch, apart_at, read_from=data)
    assert [(w.tables, len(w.fresh)) for w in handed] == [
        (data, 0) if apart_at == 1 else (None, len(loaded.reports) + 1)]  # the reports and an entity block
    assert len(two_cores) == (1 if apart_at == 1 else 0)
    monkeypatch.setattr(stage, "search_work", real)
    here = pages_step(loaded, tmp_path / "here", monkeypatch, 10_000)
    assert sorted(made) == sorted(here) and [name for name in here if made[name] != here[name]] == []


def test_texts_read_from_tables_whose_reports_changed_meanwhile_are_refused(out, tmp_path):  # noqa: F811
    """The search data's process reads the tables after the main process read them: if their reports changed
    meanwhile (another program writing OUT/data), nothing is written from them; the caller makes the search
    data anew from the outputs it has (`write_pages`)."""
    from helpers.pages.collection import SearchWork, made_search, search_texts
    from helpers.pages.outputs import load_outputs
    from test_pages_digest import _written

    data = tmp_path / "out" / "data"
    uids = [u[0] for u in search_texts(load_outputs(_written(out, data).data_dir))]
    html = tmp_path / "out" / "html"
    assert made_search(SearchWork(html, uids, uids, [], anew=True, tables=data)) is not None
    for changed_ids in (uids[1:], [*uids, "gone"], uids[::-1]):
        assert made_search(SearchWork(html, changed_ids, changed_ids, [], anew=True, tables=data)) is None
