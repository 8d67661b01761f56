"""Which report pages a run renders again, decided without building any page's context
(`pages.digest`): a page whose rendered bytes would change has a new digest, whatever changed (its
own rows, an entity's name it links, a neighbour's title in its header, the run's provenance), and a
change no page shows (an entity's report count, a sentence's model) renders nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.pages.digest import ENTITY_SHOWN, KEPT, MANIFEST, PAGE_TABLES, kept_digests
from helpers.pages.listing import report_rows
from helpers.pages.outputs import Outputs, load_outputs
from helpers.pages.stage import PageWork, pages_to_render, render_report_pages, write_pages
from helpers.store.contract import TABLES, columns
from helpers.store.files import write_csv
from helpers.store.segments import write_table_csv

REPORTS = ("a", "b", "c")
SPECIAL = {"sentence_no": lambda i: str(i + 1), "role": lambda i: ("title", "body", "caption")[i % 3],
           "flags": lambda i: "number_changed:4→5" if i == 1 else "", "origin": lambda i: "review" if i else "model",
           "terms": lambda i: f"term{i}|other", "date": lambda i: f"2023-01-0{i + 1}", "kind": lambda i: "person",
           "method": lambda i: ("extractive", "abstractive")[i % 2], "entity_id": lambda i: f"e{i % 2}",
           "reports": lambda i: str(i + 2)}


def table(name: str, per_report: int) -> pd.DataFrame:
    """A contract table with every column filled (a distinct text each, or a value of the column's kind)."""
    rows = []
    for rid in REPORTS:
        for i in range(per_report):
            rows.append({c: SPECIAL[c](i) if c in SPECIAL else f"{c} of {rid} {i}" for c in columns(name)}
                        | {"report_id": rid})
    return pd.DataFrame(rows, columns=columns(name)).astype(str)


@pytest.fixture()
def out() -> Outputs:
    entities = pd.DataFrame([{c: SPECIAL[c](i) if c in SPECIAL else f"{c} {i}" for c in columns("entities")}
                             for i in range(2)], columns=columns("entities"))
    run = {"models": {"translator": {"source": "demo/x", "demo": True}},
           "parameters": {"out": "…/w/out", "models": "demo"}, "versions": {"pandas": "3"}}
    return Outputs(table("reports", 1), table("sentences", 3), table("summaries", 2), table("references", 1),
                   pd.DataFrame(columns=columns("problems")), run, entities, table("mentions", 2))


def rendered(out: Outputs, tmp: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each report page as the pages step writes it, and its digest."""
    titles = [(r["href"], r["title"]) for r in report_rows(out)]
    pages = dict(render_report_pages(PageWork(out, (), tuple(titles))))
    return pages, pages_to_render(out, tmp, [], titles)[0]


def changed(out: Outputs, name: str, column: str, row: int, value: str) -> Outputs:
    """`out` with one cell of one table changed."""
    new = copy.copy(out)
    frame = getattr(out, name).copy()
    frame.loc[row, column] = value
    setattr(new, name, frame)
    for cached in ("_records", "_digests", "entity"):
        new.__dict__.pop(cached, None)
    return new


def test_a_page_whose_bytes_would_change_has_a_new_digest_whatever_changed(out, tmp_path):
    pages, digests = rendered(out, tmp_path)
    shown = 0
    for name in (*PAGE_TABLES, "entities"):
        for column in getattr(out, name).columns:
            if column == "report_id":
                continue
            for value in ("2", "title", "review", "", "a changed <text>"):
                after, new_digests = rendered(changed(out, name, column, 0, value), tmp_path)
                for file in pages:
                    if after[file] != pages[file]:
                        shown += 1
                        assert new_digests[file] != digests[file], (name, column, value, file)
    assert shown > 100  # the pages do show most cells: the test exercises the digest


def test_a_collection_wide_change_renders_the_pages_that_show_it(out, tmp_path):
    pages, digests = rendered(out, tmp_path)
    # an entity's English name: every report naming it (all of them here), none other
    after, new = rendered(changed(out, "entities", "name_en", 1, "Hanoi Police"), tmp_path)
    assert all(after[f] != pages[f] and new[f] != digests[f] for f in pages)
    # a report's title: its page, and its neighbours' (their header links to it by title)
    order = [r["href"] for r in report_rows(out)]
    middle = order[1].removesuffix(".html")
    row = out.reports.index[out.reports["report_id"] == middle][0]
    after, new = rendered(changed(out, "reports", "title", row, "A new title"), tmp_path)
    assert {f for f in pages if after[f] != pages[f]} == set(order) == {f for f in pages if new[f] != digests[f]}
    # the provenance every page shows
    moved = copy.copy(out)
    moved.run = {**out.run, "parameters": {**out.run["parameters"], "out": "…/elsewhere/out"}}
    moved.__dict__.pop("provenance", None)
    after, new = rendered(moved, tmp_path)
    assert all(after[f] != pages[f] and new[f] != digests[f] for f in pages)


def test_what_no_page_shows_renders_nothing(out, tmp_path):
    pages, digests = rendered(out, tmp_path)
    for name, column in [("entities", c) for c in columns("entities") if c not in ENTITY_SHOWN] + [
            ("sentences", "model"), ("sentences", "confidence"), ("sentences", "origin"),
            ("reports", "first_seen"), ("reports", "last_changed")]:
        after, new = rendered(changed(out, name, column, 0, "source"), tmp_path)  # row 0's origin: `model`
        assert after == pages and new == digests, (name, column)


def _written(out: Outputs, data: Path) -> SimpleNamespace:
    """`out`'s tables written as the stages write them (the report tables with their sidecars), and the
    folder as `load_outputs` takes it."""
    for name in ("reports", "sentences", "summaries", "references"):
        write_table_csv(data / TABLES[name].file, getattr(out, name))
    for name in ("problems", "entities", "mentions"):
        write_csv(data / TABLES[name].file, getattr(out, name))
    (data / "run.json").write_text(json.dumps(out.run), encoding="utf-8")
    return SimpleNamespace(data_dir=data, run_json=data / "run.json")


def test_a_re_run_digests_only_the_reports_whose_stored_rows_changed(out, tmp_path, monkeypatch):
    import helpers.pages.digest as digest

    html, data = tmp_path / "out" / "html", tmp_path / "out" / "data"
    write_pages(load_outputs(_written(out, data)), html, [])
    made = json.loads((html / MANIFEST).read_text())
    assert (html.parent / KEPT).is_file()
    hashed: list[set[str]] = []  # the reports whose rows each table's digest was made from
    real = digest.grouped_digests
    monkeypatch.setattr(digest, "grouped_digests",
                        lambda frame, cols: hashed.append(set(frame["report_id"])) or real(frame, cols))
    # a column no page shows, of report a's sentences, and a sentence of report b changed
    sents = changed(changed(out, "sentences", "model", 0, "another model"), "sentences", "text_en", 4, "New English")
    cfg = _written(sents, data)
    mtimes = {f.name: f.stat().st_mtime_ns for f in html.glob("?.html")}
    write_pages(load_outputs(cfg), html, [])
    after = json.loads((html / MANIFEST).read_text())
    assert [f for f in made if after[f] != made[f]] == ["b.html"]  # a's page is as it was
    assert [f.name for f in html.glob("?.html") if f.stat().st_mtime_ns != mtimes[f.name]] == ["b.html"]
    # reports, sentences, summaries, references (then mentions and entities, which have no sidecar): only
    # the sentences of a and b were digested again
    assert hashed[:4] == [set(), {"a", "b"}, set(), set()]
    # and the digests taken from the previous run are those made anew
    (html.parent / KEPT).unlink()
    write_pages(load_outputs(cfg), html, [])
    assert json.loads((html / MANIFEST).read_text()) == after


def test_digests_kept_by_other_code_or_unreadable_are_not_used(tmp_path):
    path = tmp_path / KEPT
    assert kept_digests(path, "code") == {}
    path.write_text('{"code": "other", "tables": {"reports": {"a": ["00", "11"]}}}')
    assert kept_digests(path, "code") == {} and kept_digests(path, "other") == {"reports": {"a": ("00", b"\x11")}}
    for broken in ("{", "[]", '{"code": "code", "tables": {"reports": {"a": ["00", "not hex"]}}}'):
        path.write_text(broken)
        assert kept_digests(path, "code") == {}


@pytest.mark.parametrize("ids", [REPORTS[:1], REPORTS[::-1], [REPORTS[-1], "not-a-report", REPORTS[0], REPORTS[-1]],
                                 [], ["not-a-report"]])
def test_a_share_holds_its_reports_rows_of_every_table_in_the_table_s_order(out, ids):
    """A share of pages (`Outputs.share`) holds exactly the rows of its reports, in each table's own order,
    whichever order the reports are asked in (rows of several reports interleaved here), as a filter of each
    table gives them; the entities those rows mention and no other."""
    interleaved = copy.copy(out)
    for name in ("sentences", "summaries", "mentions"):
        frame = getattr(out, name)
        setattr(interleaved, name, frame.iloc[list(range(0, len(frame), 2)) + list(range(1, len(frame), 2))])
    share = interleaved.share(list(ids))
    for name in ("reports", "sentences", "summaries", "references", "mentions"):
        frame = getattr(interleaved, name)
        pd.testing.assert_frame_equal(getattr(share, name), frame[frame["report_id"].isin(ids)])
    assert set(share.entities["entity_id"]) == set(share.mentions["entity_id"])


def test_each_share_of_pages_is_written_before_the_next_is_rendered(out, tmp_path, monkeypatch):
    """The report pages go to disk share by share (the engine's results given as made; written by a thread of
    their own, PAGES_WAITING pages waiting at most): 10,000 reports' pages held at once were 2 GB of a first
    run's peak. Each share's data is cut from the tables only when its turn comes (all shares made at once were
    a copy of every table)."""
    from helpers.pages import stage

    events: list[str] = []
    render, save, share = stage.render_report_pages, stage.save_page, Outputs.share
    monkeypatch.setattr(stage, "PAGES_PER_TASK", 1)
    monkeypatch.setattr(stage, "PAGES_WAITING", 1)
    monkeypatch.setattr(stage, "render_report_pages", lambda work: events.append("render") or render(work))
    monkeypatch.setattr(stage, "save_page", lambda path, html: events.append(f"save {path.name}") or save(path, html))
    monkeypatch.setattr(Outputs, "share", lambda self, ids: events.append(f"share {','.join(ids)}") or share(self, ids))
    write_pages(out, tmp_path / "html", [])
    reports = [e for e in events if e == "render" or e.removesuffix(".html").split(" ")[-1] in REPORTS]
    assert [e for e in reports if not e.startswith("save")] == ["share a", "render", "share b", "render",
                                                                 "share c", "render"]  # in this thread, in turn
    assert [e for e in reports if e.startswith("save")] == ["save a.html", "save b.html", "save c.html"]
    assert reports.index("save a.html") < reports.index("share c")  # one page waits at most
