"""Whether a stage's files in `OUT/data/` are current: made by this code, from these inputs,
with these parameters and models. A stage that is current is read, not run again.

Each stage records a stamp in its run.json section; the stamp of a stage covers
everything its output depends on, including the stamps of the stages before it.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from helpers.config import Config
from helpers.store.files import read_json

PACKAGE = Path(__file__).resolve().parent
# The Config fields each stage's output depends on, added to those of the stages before it.
STAGE_FIELDS = {
    "corpus": ("seeds",),
    "translate": ("models", "translator", "backend"),
    "summarise": ("summariser_en", "summariser_vi", "summary_max_sentences", "summary_max_words"),
}
SECTIONS = tuple(STAGE_FIELDS)


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of the helpers package's code and data: outputs of other code are not current."""
    h = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".j2", ".css"}):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def inputs_stamp(seeds: Path) -> str:
    """A digest of the input folder's entries (names, sizes, times), without reading them."""
    h = hashlib.sha256()
    for path in sorted(seeds.iterdir()) if seeds.is_dir() else []:
        st = path.lstat()
        h.update(os.fsencode(path.name) + f"\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _models(cfg: Config, keys: tuple[str, ...]) -> dict[str, object]:
    """What decides which model a key runs as: its spec (source, revision, settings) and whether it
    is on this machine (with MODELS=auto a model copied in replaces its demo stand-in)."""
    from helpers.models.locate import locate

    found = {}
    for key in keys:
        spec = cfg.spec(key)
        located = locate(spec) if cfg.models != "demo" else None
        found[key] = {"spec": repr(spec), "local": located.revision if located else None}
    return found


def stamp(cfg: Config, stage: str) -> str:
    """The stamp the files of `stage` must carry to be current for this Config."""
    upto = SECTIONS[: SECTIONS.index(stage) + 1]
    fields = [f for s in upto for f in STAGE_FIELDS[s]]
    params = cfg.parameters()
    what: dict[str, object] = {"code": code_stamp(), "inputs": inputs_stamp(cfg.seeds),
                               "parameters": {f.upper(): str(params[f.upper()]) for f in fields}}
    if stage != "corpus":
        from helpers.review.store import reviews_digest

        what["reviews"] = reviews_digest(cfg.reviews)  # a reviewed sentence or summary changes the outputs
        keys = (cfg.translator,) + ((cfg.summariser_en, cfg.summariser_vi) if stage == "summarise" else ())
        what["models"] = _models(cfg, keys)
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def is_current(cfg: Config, stage: str) -> bool:
    """True when run.json says `stage` was last made with the stamp this Config gives."""
    recorded = read_json(cfg.run_json).get(stage, {}).get("stamp")
    return recorded is not None and recorded == stamp(cfg, stage)
