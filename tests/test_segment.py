"""Sentence splitting: underthesea's boundaries, never inside codes, dates, numbers,
abbreviations or ellipses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.corpus.sentences import line_text
from helpers.text.sentences import split_sentences


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
    assert line_text(seed_lines["004"][9], "caption") == ("Tổng Bí thư, Chủ tịch nước Nguyễn Phú Trọng "
                                                          "phát biểu chỉ đạo tại Hội nghị")
    assert line_text(seed_lines["001"][3], "caption") == "Toàn cảnh Hội nghị."


# ------------------------------------------------------------ scored against gold boundaries

GOLD = Path(__file__).parent / "reference" / "gold_sentences.txt"


def gold_paragraphs(seed_reports) -> list[list[str]]:
    """Paragraphs as gold sentences: the reference set's sentences of the seeds (title and body,
    checked by hand with their English) joined back into their lines, and the hand-segmented
    prose of gold_sentences.txt (official and news Vietnamese with the hard cases)."""
    reference = pd.read_csv(Path(__file__).parent / "reference" / "reference.csv", dtype=str, keep_default_na=False)
    paragraphs = []
    for rid, report in sorted(seed_reports.items()):
        sentences = reference[reference["report_id"].str[:3] == rid]["text_vi"].tolist()
        for ln in report.lines:
            if ln.role not in ("title", "body") or not (text := line_text(ln.text, ln.role)):
                continue
            taken: list[str] = []
            while sentences and len(" ".join(taken)) < len(text):
                taken.append(sentences.pop(0))
            assert " ".join(taken) == text, (rid, ln.line_no)
            paragraphs.append(taken)
        assert not sentences, rid
    blocks = GOLD.read_text(encoding="utf-8").strip().split("\n\n")
    return paragraphs + [block.splitlines() for block in blocks]


def starts(text: str, sentences: list[str]) -> set[int] | None:
    """Where each sentence after the first starts in `text`; None when they do not hold its every
    character but spaces, in order (a word lost, changed or moved)."""
    if "".join("".join(sentences).split()) != "".join(text.split()):
        return None
    found, pos = set(), 0
    for i, sentence in enumerate(sentences):
        pos = text.index(sentence, pos)
        if i:
            found.add(pos)
        pos += len(sentence)
    return found


def score(paragraphs: list[list[str]], split) -> dict[str, float]:
    """Precision, recall and F1 of the boundaries `split` proposes, over every paragraph, and the
    paragraphs whose words it did not keep whole."""
    tp = fp = fn = lost = 0
    for gold in paragraphs:
        text = " ".join(gold)
        want, got = starts(text, gold), starts(text, [s.strip() for s in split(text) if s.strip()])
        assert want is not None  # the gold sentences hold their paragraph by construction
        if got is None:
            lost += 1
            got = set()
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4), "lost": lost,
            "boundaries": tp + fn}


def test_the_splitter_beats_underthesea_alone_on_gold_boundaries(seed_reports):
    from underthesea import sent_tokenize

    paragraphs = gold_paragraphs(seed_reports)
    assert sum(len(p) for p in paragraphs) >= 150
    ours, baseline = score(paragraphs, split_sentences), score(paragraphs, sent_tokenize)
    print(f"\nsentence boundaries: project {ours}; underthesea alone {baseline}")
    assert ours["lost"] == 0 and ours["f1"] >= 0.99, (ours, baseline)
    assert ours["f1"] >= baseline["f1"], (ours, baseline)


@pytest.mark.parametrize("sentences", [
    ["Tình hình diễn biến phức tạp…", "Chỉ riêng năm 2023, đã có 1.200 tin báo."],  # ellipsis, then a capital
    ["Dự có GS.TSKH. Nguyễn Văn Thành và PGS.TS. Lê Thị Hà, cùng các chuyên gia."],  # title chains
    ["Học thuyết của Ch. Đác-uyn và Ph. Ăngghen, theo C. Mác và V.I. Lênin, được giới thiệu."],  # initials
    ["Người bị hại là anh Trần Văn B.", "Theo lời khai, anh B bị tấn công."],  # a name's final initial
    ["Hội nghị thống nhất: 1. Tăng cường tuyên truyền. 2. Đẩy mạnh cải cách.", "Các giải pháp được cụ thể hóa."],
    ["Yêu cầu: (1) Rà soát công trình. (2) Báo cáo trước ngày 30/6."],
    ["Ông khẳng định: “Không có vùng cấm.”", "Ông đề nghị khắc phục hạn chế."],  # the quote stays
])
def test_hard_boundaries(sentences):
    assert split_sentences(" ".join(sentences)) == sentences


@pytest.mark.slow
def test_splitting_and_tagging_do_not_import_torch():
    """underthesea's import pulls in its own translation pipeline, and with it transformers' model classes
    and torch (seconds of a re-run that splits a few new reports); the project never calls it, so it is left
    out (`text.vietnamese_nlp`), and sentences and entities come out as before."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from helpers.text.sentences import split_sentences\n"
        "from helpers.entities.crf import ner_tags\n"
        "print(split_sentences('Ông Nguyễn Văn An đến Hà Nội. Ông họp với Bộ Công an.'))\n"
        "print(any(tag.endswith('PER') for _, tag in ner_tags('Ông Nguyễn Văn An đến Hà Nội.')))\n"
        "import underthesea\n"
        "print(underthesea.translate is None, 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sentences, tagged, flags = done.stdout.splitlines()
    assert sentences == str(["Ông Nguyễn Văn An đến Hà Nội.", "Ông họp với Bộ Công an."])
    assert tagged == "True"
    assert flags == "True False"
