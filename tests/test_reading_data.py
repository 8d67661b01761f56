"""The reading room's data, without a browser: what is new in words, the rows' order and marks,
the search index by term, texts that may break, and the only scripts a page keeps."""

from __future__ import annotations

import pytest

from helpers.pages.listing import status, whats_new
from helpers.pages.render import breakable, self_contained
from helpers.pages.search import DIGITS, TF_BITS, encoded, postings, report_docs, term_shards, terms

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


def test_every_text_is_anchored_to_its_sentence_and_its_words_folded():
    docs = report_docs({}, [sentence(1, "Đà Nẵng", "Da Nang"), sentence(2, "Ảnh: Hà Nội", "", "caption")],
                       [{"method": "extractive", "summary_en": "Sum."}],
                       [{"sentence_no": 1, "cited_as": "Nghị quyết 12", "english": "Resolution 12",
                         "code": "12-NQ/TW"}], "Tiêu đề")
    assert ["title", "title", "Tiêu đề"] in docs
    assert ["s-1", "sentence 1", "Đà Nẵng"] in docs and ["s-2", "caption 2", "Ảnh: Hà Nội"] in docs
    assert not any(d[1] == "caption 2 (English)" for d in docs)  # an empty English is not a text
    assert ["s-1", "cited document", "Nghị quyết 12 · Resolution 12 12-NQ/TW"] in docs
    assert terms("Ảnh: Hà Nội, «ĐÀ NẴNG»…") == ["anh", "ha", "noi", "da", "nang"]
    assert terms("Nghị quyết 12-NQ/TW") == ["nghi", "quyet", "12", "nq", "tw"]


def decoded(text: str) -> list[tuple[int, int]]:
    """Postings as templates/js/search.js reads them (add)."""
    unit, value, shift, out = 0, 0, 0, []
    for ch in text:
        d = DIGITS.index(ch)
        value += (d & 31) << shift
        if d & 32:
            shift += 5
            continue
        unit += value >> TF_BITS
        out.append((unit, value & ((1 << TF_BITS) - 1)))
        value, shift = 0, 0
    return out


def test_the_index_says_which_units_hold_a_term_and_how_often():
    units = [(f"r{i}", f"r{i}.html", "T", [["s-1", "sentence 1", text]])
             for i, text in enumerate(["Hà Nội hà nội", "Đà Nẵng", "ha noi " * 20])]
    index = postings(units)
    assert decoded(encoded(index["ha"])) == [(0, 2), (2, 3)]  # in units 0 and 2; 20 times counts as 3
    assert decoded(encoded(index["da"])) == [(1, 1)]
    assert set(index) == {"ha", "noi", "da", "nang", "ha noi", "noi ha", "da nang"}  # words, and pairs in a text
    far = [(n, 1) for n in (0, 1, 40, 5000, 5001)]
    assert decoded(encoded([(n - p) << TF_BITS | t for (n, t), p in zip(far, [0, 0, 1, 40, 5000])])) == far
    assert len(encoded([1 << TF_BITS | 1] * 100)) == 100  # a report next to the previous: one character


def test_term_shards_keep_the_terms_in_order_and_a_big_term_alone():
    index = {"b": [1] * 3, "a": [1] * 2, "c": [1] * 50, "d": [1], "e": [1]}
    made = term_shards(index, size=19)  # a: 9 bytes, b: 10, c: 57, d and e: 8
    assert [list(s) for s in made] == [["a", "b"], ["c"], ["d", "e"]]
    assert [t for s in made for t in s] == sorted(index) and made[1]["c"] == "1" * 50


def test_long_codes_break_after_separators_and_stay_escaped():
    assert str(breakable("TERM_MISMATCH:<b>")) == "TERM_<wbr>MISMATCH:<wbr>&lt;b&gt;"
    assert str(breakable("1.234.567")) == "1.<wbr>234.<wbr>567"


# `macros.table` as the template wrote it cell by cell before `render.table_html` (the HTML a run's pages hold)
TEMPLATE_TABLE = """
{%- macro flags(items) -%}
<span class="flags">{% for f in items %}{% if f is string %}{{ f | breakable }}{% if not loop.last %}<br>{% endif %}\
{% else %}<span class="flag">{{ f[0] | breakable }}</span> <span class="meaning">{{ f[1] }}</span>{% endif %}\
{% endfor %}</span>
{%- endmacro -%}
{%- macro table(frame, numeric=(), flag_columns=(), row_class=None, row_ids=None, scroll=True) -%}
{% if scroll %}<div class="scroll">{% endif %}<table>
<thead><tr>{% for c in frame.columns %}<th{% if c in numeric %} class="num"{% endif %}>{{ c }}</th>{% endfor %}\
</tr></thead>
<tbody>
{%- for row in frame | rows %}
<tr{% if row_ids %} id="{{ row_ids[loop.index0] }}"{% endif %}\
{% if row_class and row_class[loop.index0] %} class="{{ row_class[loop.index0] }}"{% endif %}>
{%- for c in frame.columns %}{% set v = row[loop.index0] %}
<td{% if c in numeric %} class="num"{% endif %}>\
{% if c in flag_columns %}{{ flags(v) }}{% else %}{{ v }}{% endif %}</td>
{%- endfor %}</tr>
{%- endfor %}
</tbody>
</table>{% if scroll %}</div>{% endif %}
{%- endmacro -%}
{{ table(frame, numeric, flag_columns, row_class, row_ids, scroll) }}"""


@pytest.mark.parametrize("scroll", [True, False])
def test_a_table_is_the_html_the_template_wrote_cell_by_cell(scroll):
    """`table_html` writes what the template's loop over cells wrote, byte for byte, for every kind of cell:
    text to escape, numbers, None, Markup, flags as written and as (flag, meaning) pairs, empty flag lists, a
    flag cell holding text; rows with and without classes and ids; an empty table."""
    import pandas as pd
    from markupsafe import Markup

    from helpers.pages.render import PageTable, environment, table_html, table_rows

    env = environment().overlay()
    env.filters["rows"] = table_rows  # (the former macro's filter: the templates no longer need it)
    template = env.from_string(TEMPLATE_TABLE)
    rows = [[1, 'a <b> & "c" \'d\'', ["TERM_MISMATCH:x", "NUM/1.2"]],
            [2.5, None, [("LOOP_REPEAT", "the English <repeats>"), ("A=B", "x & y")]],
            [-3, Markup("<em>kept</em>"), []],
            [0, "", "AB"],
            [7, "Hà Nội\tngày 1/2", ["only"]]]
    cases = [
        (PageTable(["#", "text <en>", "flags"], rows), ("#",), ("flags",), ["bad", "", "ok", "", "a\"b"],
         [f"s{i}" for i in range(5)]),
        (PageTable(["#", "text <en>", "flags"], rows), (), (), None, None),
        (PageTable(["a", "b"], []), ("a",), (), None, None),
        (PageTable([0, Markup("<i>x</i>"), "2"], [[1, 2, ["F_1"]]]), (0,), ("2",), None, None),
        (pd.DataFrame({"n": [1, 2], "text": ["x<y", "z"], "flags": [["F_1"], []]}), ("n",), ("flags",),
         None, ["r1", "r2"]),
    ]
    for frame, numeric, flag_columns, row_class, row_ids in cases:
        before = template.render(frame=frame, numeric=numeric, flag_columns=flag_columns, row_class=row_class,
                                 row_ids=row_ids, scroll=scroll)
        made = table_html(frame, numeric, flag_columns, row_class, row_ids, scroll)
        assert isinstance(made, Markup) and str(made) == before


def test_a_page_keeps_only_its_own_scripts():
    page = ('<script src="search.js" defer></script><script>alert(1)</script><script src="https://cdn/x.js"></script>'
            '<script src="../x.js" defer></script><script src="a.js" defer>alert(1)</script>')
    assert self_contained(page) == '<script src="search.js" defer></script>'


def outputs(previous: str | None):
    import pandas as pd

    from helpers.pages.outputs import Outputs

    reports = pd.DataFrame([{"report_id": rid, "title": f"Tiêu đề {rid}", "date": date, "format": "txt",
                             "language": "vi", "source": "Nguồn: nhandan.vn", "source_name": "nhandan.vn",
                             "first_seen": seen, "last_changed": RUN}
                            for rid, date, seen in (("a", "2026-01-02", RUN), ("b", "", previous or RUN),
                                                    ("c", "2026-03-04", RUN))])
    sentences = pd.DataFrame([{"report_id": rid, "sentence_no": 1, "role": "title", "text_vi": "x",
                               "text_en": f"Title {rid}", "flags": "", "origin": "model"} for rid in "abc"])
    summaries = pd.DataFrame([{"report_id": rid, "method": "extractive", "summary_en": f"Summary of {rid}."}
                              for rid in "abc"])
    run = {"collection": {"run_time": RUN, "previous_run_time": previous,
                          "new": ["a", "c"] if previous else ["a", "b", "c"], "changed": ["b"] if previous else [],
                          "removed": [{"report_id": "d", "title": "Gone", "file": "d.txt"}]}}
    return Outputs(reports, sentences, summaries, pd.DataFrame(columns=["report_id"]),
                   pd.DataFrame(columns=["file", "problem"]), run)


def test_the_digest_lists_new_and_changed_with_summaries_and_points_to_the_index_after_a_first_run():
    from helpers.pages.listing import digest_html, report_rows

    later = outputs("2026-05-01T06:00:00Z")
    # newest first, undated last
    assert [(r["id"], r["status"], r["source"]) for r in report_rows(later)] == [
        ("c", "new", "nhandan.vn"), ("a", "new", "nhandan.vn"), ("b", "changed", "nhandan.vn")]
    page = str(digest_html(later))
    assert page.index("Tiêu đề c") < page.index("Tiêu đề a") < page.index("Changed reports") < page.index("Tiêu đề b")
    assert "Summary of b." in page and "Gone" in page and "(d.<wbr>txt)" in page
    first = str(digest_html(outputs(None)))
    assert "first run" in first and 'href="index.html"' in first and "Summary of a." not in first
