"""A stand-in translator that answers from the reference set: realistic English for the whole pipeline.

The reference translations (tests/reference/reference.csv) are what a careful human translator
writes for every title and body sentence of the seeds. `serve_reference` puts them into the
translation memory under the demo translator's key, for the text the model would be given
(glossary-prepared), so a run answers every reference sentence with its reference English and
falls back to the demo model for everything else (captions, summaries to translate). With
`piece_tokens=512` (`GENERATION`), every reference sentence is one unit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.config import Config
from helpers.text.glossary import default_glossary, prepare
from helpers.inference.runs import memory_for

REFERENCE = Path(__file__).parent / "reference"
WHOLE_SENTENCES = "opus-mt.piece_tokens=512"


def reference_set() -> pd.DataFrame:
    """Source sentences of the seeds with their reference English."""
    return pd.read_csv(REFERENCE / "reference.csv", dtype={"report_id": str}, keep_default_na=False)


def planted_errors() -> pd.DataFrame:
    """Reference translations with one error planted each, and the flag that must name it."""
    return pd.read_csv(REFERENCE / "planted.csv", dtype={"report_id": str}, keep_default_na=False)


def serve_reference(cfg: Config, english: dict[str, str]) -> int:
    """Store `english` (Vietnamese source sentence → English) in cfg's translation memory, under
    the key the configured translator's outputs go under; returns how many were stored."""
    from helpers.models.loading import load_model

    loaded = load_model(cfg.spec(cfg.translator), cfg.models, cfg.cache_dir, cfg.backend)
    glossary = default_glossary()
    memory = memory_for(loaded, cfg.memory_file)
    try:
        memory.store({prepare(source, glossary).text: text for source, text in english.items()})
    finally:
        memory.close()
    return len(english)
