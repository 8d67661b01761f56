"""The entity step against underthesea's NER alone on hand-annotated real prose (not the seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.entities.quality import model_only, read_annotated, score, step_spans
from helpers.text.glossary import default_glossary

DATA = Path(__file__).resolve().parent / "reference" / "entities" / "annotated.txt"


@pytest.fixture(scope="module")
def annotated():
    sentences = read_annotated(DATA)
    return sentences, step_spans(sentences, default_glossary()), model_only(sentences)


def test_the_annotated_set_is_large_enough_and_its_marks_stand_in_the_text(annotated):
    sentences, _, _ = annotated
    assert sum(len(spans) for _, spans in sentences) >= 150
    assert all(text[s:e].strip() == text[s:e] and text[s:e] for text, spans in sentences for s, e, _ in spans)


@pytest.mark.parametrize("kinds", [("person", "organisation", "place", "document"),
                                   ("person", "organisation", "place")])
def test_the_step_beats_the_model_alone_on_precision_and_recall(annotated, kinds):
    sentences, step, model = annotated
    ours, theirs = score("step", sentences, step, kinds), score("model", sentences, model, kinds)
    assert ours.precision > theirs.precision and ours.recall > theirs.recall, (ours, theirs)


def test_the_faster_pipeline_gives_underthesea_ners_own_tags(annotated):
    from underthesea import ner

    from helpers.entities.crf import ner_tags

    sentences, _, _ = annotated
    texts = [t for t, _ in sentences] + ["", "Tô Lâm.", "Ông Putin ca ngợi những thành tựu vĩ đại của Liên Xô"]
    assert [ner_tags(t) for t in texts] == [[(w, tag) for w, _, _, tag in ner(t)] for t in texts]
