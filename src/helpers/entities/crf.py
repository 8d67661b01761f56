"""underthesea's NER pipeline (word segmentation, POS tags, chunks, NER: four CRF models shipped in
the package) with the same features computed once per sentence.

underthesea's own feature extraction (`tagged_feature.template2features`) rebuilds every column of
the sentence for each template of each word and parses the template each time, so its cost grows
with the square of a sentence's length (most of `ner`'s 30 ms on a 40-word sentence). Here each
template is parsed once and the columns are built once per sentence; the feature strings, the
models and the tags are underthesea's (`tests/test_entities.py` checks the tags are those of
`underthesea.ner` on every sentence of the seeds and of the annotated set).
"""

from __future__ import annotations

import re
from functools import lru_cache

_TEMPLATE = re.compile(r"T\[(?P<index1>\-?\d+)(\,(?P<index2>\-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?")


@lru_cache(maxsize=256)
def _parsed(token_syntax: str) -> tuple[int, int | None, int, str | None]:
    """A feature template ('T[-1,0][1]', 'T[0].istitle') as (index1, index2, column, function)."""
    m = _TEMPLATE.match(token_syntax)
    if m is None:
        raise ValueError(f"not a feature template: {token_syntax!r}")
    index2 = m.group("index2")
    return (int(m.group("index1")), int(index2) if index2 else None, int(m.group("column") or 0),
            m.group("function"))


def features(sent: list[tuple[str, ...]], template: list[str]) -> list[list[str]]:
    """Every word's features, as underthesea's `word2features(sent, i, template)` gives them."""
    from helpers.text.vietnamese_nlp import underthesea

    underthesea()
    from underthesea.pipeline.ner.tagged_feature import apply_function

    columns = [[t[j] for t in sent] for j in range(len(sent[0]))] if sent else []
    parsed = [(syntax, *_parsed(syntax)) for syntax in template]
    out = []
    for i in range(len(sent)):
        row = []
        for syntax, index1, index2, column, func in parsed:
            if i + index1 < 0:
                row.append(f"{syntax}=BOS")
                continue
            if i + index1 >= len(sent) or (index2 is not None and i + index2 >= len(sent)):
                row.append(f"{syntax}=EOS")
                continue
            word = " ".join(columns[column][i + index1: i + index2 + 1]) if index2 is not None \
                else sent[i + index1][column]
            row.append(f"{syntax}={apply_function(func, word) if func is not None else word}")
        out.append(row)
    return out


def ner_tags(text: str) -> list[tuple[str, str]]:
    """The (word, NER tag) pairs `underthesea.ner(text)` gives, by the same models and features."""
    from helpers.text.vietnamese_nlp import underthesea

    word_tokenize = underthesea().word_tokenize
    from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
    from underthesea.pipeline.ner.model_crf import CRFNERPredictor
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    words = word_tokenize(text)
    if not words:
        return []
    pos = CRFPOSTagPredictor.Instance()
    tags = pos.model.tag(features([(w, "X") for w in words], pos.transformer.template))
    chunker = CRFChunkingPredictor.Instance()
    chunks = chunker.model.tag(features([(w, p, "X") for w, p in zip(words, tags)], chunker.transformer.template))
    ner = CRFNERPredictor.Instance()
    named = ner.model.tag(features([(w, p, c, "X") for w, p, c in zip(words, tags, chunks)], ner.transformer.template))
    return list(zip(words, named))
