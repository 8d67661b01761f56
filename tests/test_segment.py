"""Sentence splitting: underthesea's boundaries, never inside codes, dates, numbers,
abbreviations or ellipses."""

from __future__ import annotations

import pytest

from helpers.corpus.sentences import line_text, split_sentences


@pytest.mark.parametrize(
    "text",
    [
        "Nghị quyết số 12-NQ/TW ngày 16-3-2022 về xây dựng lực lượng.",
        "Kế hoạch số 118-KH/ĐUCA ngày 25-5-2022 thực hiện Nghị quyết.",
        "Sáng 28/10/2021, tại Hà Nội, hội thảo đã diễn ra.",
        "Tổng số tiền là 1.500.000 đồng cho 52 đơn vị.",
        "Theo TS. Nguyễn Văn A, công tác được tăng cường.",
        "Kết quả công tác tinh gọn bộ máy... và điều hành nội dung tham luận.",
    ],
)
def test_no_split_inside_protected_text(text):
    assert split_sentences(text) == [text]


def test_real_paragraph_splits_into_its_sentences(seed_lines):
    line = seed_lines["000"][5]
    sentences = split_sentences(line)
    assert len(sentences) == 3
    assert sentences[0].endswith("Công an nhân dân (CAND).")
    assert " ".join(sentences) == line_text(line, "body")  # every word kept, in order


def test_ellipsis_at_the_end_closes_a_sentence():
    assert split_sentences("Xử lý nghiêm minh... Tại Hội nghị, Ban Tổ chức trao giải.") == [
        "Xử lý nghiêm minh...",
        "Tại Hội nghị, Ban Tổ chức trao giải.",
    ]


def test_line_text_normalises_spaces_and_strips_markers(seed_lines):
    assert line_text(seed_lines["002"][20], "body").count("\u00a0") == 0
    assert "  " not in line_text(seed_lines["002"][20], "body")
    assert line_text(seed_lines["003"][5], "body").startswith("Sáng 28/10/2021")
    assert line_text(seed_lines["004"][41], "body").endswith("trong thời gian tới.")
    assert line_text(seed_lines["004"][9], "caption") == "Tổng Bí thư, Chủ tịch nước Nguyễn Phú Trọng phát biểu chỉ đạo tại Hội nghị"
    assert line_text(seed_lines["001"][3], "caption") == "Toàn cảnh Hội nghị."
