"""Whether a stage's files in `OUT/data/` are current: made by this code, from these inputs,
with these parameters and models. A stage that is current is read, not run again.

Each stage records a stamp in its run.json section; the stamp of a stage covers
everything its output depends on, including the stamps of the stages before it.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.config import Config
from helpers.store.code import code_stamp
from helpers.store.files import read_json

if TYPE_CHECKING:
    from helpers.stage import Stage

def inputs_stamp(seeds: Path) -> str:
    """A digest of the input folder's entries (names, sizes, times), without reading them (names sorted
    as strings: at 10,000 inputs, sorting them as paths took longer than the stat calls)."""
    h = hashlib.sha256()
    entries: list[os.DirEntry[str]] = []
    if seeds.is_dir():
        with os.scandir(seeds) as found:
            entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        st = entry.stat(follow_symlinks=False)
        h.update(os.fsencode(entry.name) + f"\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _models(cfg: Config, keys: tuple[str, ...]) -> dict[str, object]:
    """What decides which model a key runs as: its spec (source, revision, settings) and whether it
    is on this machine (with MODELS=auto a model copied in replaces its demo stand-in)."""
    from helpers.models.locate import locate

    found: dict[str, object] = {}
    for key in keys:
        spec = cfg.spec(key)
        located = locate(spec) if cfg.models != "demo" else None
        found[key] = {"spec": repr(spec), "local": located.revision if located else None}
    return found


def stamp(cfg: Config, upto: Sequence[Stage], reviews: Callable[[tuple[str, ...]], str], inputs: bool | str = True
          ) -> str:
    """The stamp the files of the last stage of `upto` must carry to be current for this Config: code,
    inputs, the Config fields of every stage up to it, the models they use, the versions of the libraries
    that shape them (`Stage.libraries`) and the digest of the review files that shape them, as this run
    read them (`reviews(names)`). Without `inputs`, the `base` stamp (the inputs and the reviews a stage
    checks report by report left out): when only it matches, the previous output's unchanged reports can
    be kept. `inputs` may be the folder's `inputs_stamp`, made once for every stage of a run."""
    params = cfg.parameters()
    # A path field counts by what it holds, not where it is (`inputs`): a folder moved or copied elsewhere
    # with its OUT is the same work, and re-running it from scratch would cost a collection's model time.
    fields = [f for s in upto for f in s.fields if f not in Config.path_fields()]
    what: dict[str, object] = {"code": code_stamp(), "parameters": {f.upper(): str(params[f.upper()]) for f in fields}}
    if inputs:
        what["inputs"] = inputs if isinstance(inputs, str) else inputs_stamp(cfg.seeds)
    names = tuple(sorted({name for s in upto for name in s.reviews}
                         - (set() if inputs else {name for s in upto for name in s.reviews_by_report})))
    if names:
        what["reviews"] = reviews(names)  # a reviewed sentence, summary, term or entity changes the outputs
    keys = tuple(dict.fromkeys(k for s in upto for k in s.model_keys(cfg)))
    if keys:
        what["models"] = _models(cfg, keys)
    libraries = sorted({name for s in upto for name in s.libraries})
    if libraries:  # another release of underthesea (or Babel's CLDR) can cut, tag or name otherwise: rows not kept
        what["libraries"] = {name: version(name) for name in libraries}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def recorded_stamp(cfg: Config, stage: str) -> str | None:
    """The stamp run.json records for `stage`'s files (None when there is none)."""
    section = read_json(cfg.run_json).get(stage)
    return section.get("stamp") if isinstance(section, dict) else None
