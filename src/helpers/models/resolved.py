"""What transformers' Auto classes make of a model folder, kept in the cache so that a re-run on a
converted model loads its tokenizer without them.

`AutoTokenizer` and `AutoConfig` import transformers' configuration code, which imports torch (about
1.6 s a run on this project's 2-core machines); a model that runs on CTranslate2 needs neither torch
nor its config object, only the tokenizer and a few of the config's values. The first load of a
folder goes through the Auto classes (the real loading code) and keeps here which tokenizer class
they chose and those values; a later load of the same files (`folder_key`: their bytes and the
transformers version) instantiates that class directly, with the same arguments, and builds the same
tokenizer. The class is only ever one of transformers' own (remote code is never trusted).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from helpers.store.files import write_text

FOLDER = "resolved"  # CACHE_DIR/resolved/<folder_key>.json
CONFIG_VALUES = ("model_type", "max_position_embeddings", "pad_token_id")  # what a converted model's run reads
SKIPPED = (".safetensors", ".bin", ".h5", ".msgpack", ".ot", ".revision")  # weights: not what the Auto classes read


@dataclass(frozen=True)
class Resolved:
    """The tokenizer class the Auto classes chose (its module and name) and the config's `CONFIG_VALUES`."""

    tokenizer_module: str
    tokenizer_class: str
    config: dict[str, Any]

    def tokenizer_type(self) -> Any:
        """The tokenizer class itself (transformers' own: its module is imported, nothing else is)."""
        if not self.tokenizer_module.startswith("transformers."):
            raise ValueError(f"not a transformers tokenizer: {self.tokenizer_module}")
        return getattr(importlib.import_module(self.tokenizer_module), self.tokenizer_class)

    def config_values(self) -> SimpleNamespace:
        """In place of the config object: the values a run on CTranslate2 reads of it."""
        return SimpleNamespace(**self.config)


def folder_key(folder: Path) -> str:
    """The digest of what the Auto classes read in `folder` (every file's name and bytes but the
    weights') and of the transformers version that read it."""
    h = hashlib.sha256(f"transformers {version('transformers')}".encode())
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.endswith(SKIPPED):
            h.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def resolution(tokenizer: Any, config: Any) -> Resolved:
    """What the Auto classes made: the tokenizer's class and the config's `CONFIG_VALUES`."""
    kind = type(tokenizer)
    return Resolved(kind.__module__, kind.__qualname__,
                    {name: getattr(config, name, None) for name in CONFIG_VALUES})


def read_resolved(key: str, cache_dir: Path) -> Resolved | None:
    """The resolution kept for the files of `key` (`folder_key`), or None (none kept, or unreadable:
    resolved anew)."""
    try:
        kept = json.loads((cache_dir / FOLDER / f"{key}.json").read_text(encoding="utf-8"))
        found = Resolved(**kept)
        if not (isinstance(found.tokenizer_module, str) and isinstance(found.tokenizer_class, str)
                and isinstance(found.config, dict) and set(found.config) == set(CONFIG_VALUES)):
            return None
        found.tokenizer_type()
        return found
    except (OSError, ValueError, TypeError, ImportError, AttributeError):
        return None


def keep_resolved(key: str, cache_dir: Path, resolved: Resolved) -> None:
    """Keep `resolved` for the files of `key` (a read-only cache only costs the Auto classes again)."""
    try:
        write_text(cache_dir / FOLDER / f"{key}.json", json.dumps(asdict(resolved), indent=1) + "\n")
    except OSError:
        pass
