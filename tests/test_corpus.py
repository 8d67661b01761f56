"""Line roles and metadata, each rule checked on the seed lines that motivated it."""

from __future__ import annotations

import pytest

from helpers.corpus.lines import ROLES, classify, near_repeat


def role(report, line_no):
    return report.lines[line_no - 1].role


@pytest.mark.parametrize(
    "rid, line_no, expected",
    [
        ("000", 1, "title"),
        ("000", 2, "caption"),  # 'Toàn cảnh Hội nghị' ...
        ("000", 4, "duplicate"),  # ... given again with a full stop
        ("000", 16, "body"),  # one-sentence paragraph, not a caption
        ("000", 18, "caption"),
        ("000", 20, "duplicate"),  # same caption with a trailing NBSP
        ("000", 44, "duplicate"),  # 'nhóm các tác giả đoạt giải' vs 'các tác giả đoạt Giải'
        ("000", 46, "boilerplate"),  # Phản hồi
        ("000", 52, "boilerplate"),  # Xem nhiều nhất
        ("001", 3, "dateline"),  # Thứ Tư, 22-06-2022, 17:57
        ("001", 4, "caption"),  # Toàn cảnh Hội nghị. (Ảnh: Bộ Công an)
        ("001", 16, "byline"),  # LÊ MẬU LÂM
        ("002", 1, "body"),  # a long first paragraph is not a title
        ("002", 15, "body"),
        ("002", 19, "caption"),  # short line without a full stop between paragraphs
        ("002", 39, "byline"),  # Phương Thuỷ
        ("003", 1, "dateline"),  # Thứ Năm, 28/10/2021, 15:01 [GMT+7]
        ("003", 2, "boilerplate"),  # section label above the title
        ("003", 4, "title"),  # the title is not the first line
        ("003", 6, "body"),  # opens with the site tag (Congan.nghean.gov.vn)-
        ("003", 17, "duplicate"),  # shortened form of line 18
        ("003", 18, "caption"),
        ("003", 22, "duplicate"),
        ("003", 28, "boilerplate"),  # '.'
        ("003", 29, "byline"),  # Minh Khôi
        ("004", 8, "blank"),  # NBSP only
        ("004", 10, "caption"),  # <...>
        ("004", 47, "byline"),  # <Tin Thanh Hoa, Ảnh Tất Đạt - Bảo tàng CAND>
    ],
)
def test_seed_line_roles(seed_reports, rid, line_no, expected):
    line = seed_reports[rid].lines[line_no - 1]
    assert line.role == expected, line.reason


def test_every_role_has_a_reason_and_a_known_name(seed_reports):
    for report in seed_reports.values():
        for line in report.lines:
            assert line.role in ROLES
            assert line.reason


def test_duplicate_reason_names_the_kept_line(seed_reports):
    assert seed_reports["003"].lines[16].reason.startswith("repeat of line 18")


def test_metadata_of_the_seeds(seed_reports):
    r = seed_reports
    assert (r["001"].date, r["003"].date, r["004"].date) == ("2022-06-22", "2021-10-28", "2020-12-01")
    assert r["004"].date_source.startswith("opening of the lead")
    assert r["000"].date == "" and r["002"].date == ""  # no full date anywhere: left empty, not guessed
    assert r["002"].title == ""
    assert r["003"].title.startswith("Đột phá trong xây dựng tổ chức cơ sở Đảng")
    assert r["004"].author == "Thanh Hoa" and r["004"].photo_credit == "Tất Đạt - Bảo tàng CAND"
    assert r["001"].author == "LÊ MẬU LÂM" and r["001"].photo_credit == "Bộ Công an"
    assert r["003"].source == "congan.nghean.gov.vn"
    assert "Toàn cảnh Hội nghị" in r["004"].captions


@pytest.mark.parametrize(
    "a, b, repeat",
    [
        ("Toàn cảnh Hội nghị", "Toàn cảnh Hội nghị.", True),
        ("Đồng chí Thứ trưởng phát biểu khai mạc Hội thảo", "Đồng chí Thứ trưởng phát biểu khai mạc hội thảo", True),
        ("Bộ trưởng Tô Lâm kết luận Hội nghị", "Bộ trưởng Tô Lâm, Thứ trưởng Nguyễn Văn Thành và các đại biểu", False),
    ],
)
def test_near_repeat(a, b, repeat):
    assert bool(near_repeat(a, b)) is repeat


def test_datelines_in_other_formats():
    lines = ["Thứ Hai, 05/09/2022 08:30", "Tiêu đề của bản tin hôm nay về công tác", "ngày 16 tháng 3 năm 2022",
             "Thứ Bẩy, 12/6/2021, 08:00 (GMT+7)", "Chúa Nhật, 13/6/2021"]  # (northern and southern spellings)
    roles = [r for r, _ in classify(lines)]
    assert roles[0] == "dateline" and roles[2:] == ["dateline"] * 3


def test_only_boilerplate_gives_no_text():
    roles = [r for r, _ in classify(["Phản hồi", "", "Các tin khác", "."])]
    assert roles == ["boilerplate", "blank", "boilerplate", "boilerplate"]


def test_a_line_opening_with_tin_is_not_a_byline_without_a_photo_credit():
    roles = [r for r, _ in classify(["Tin có mã độc trong tiêu đề của bài", "", "Nội dung " * 40 + "."])]
    assert roles[0] == "title"
    roles = [r for r, _ in classify(["Nội dung " * 40 + ".", "", "Tin Thanh Hoa, Ảnh Tất Đạt"])]
    assert roles[2] == "byline"
