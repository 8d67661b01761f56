"""underthesea (sentence splitting, word segmentation, tagging) imported without what the project never
calls: importing the package imports its optional translation pipeline, whose module imports
transformers' model classes and so torch, about 2 s that a re-run splitting a few new reports, or an
entity step tagging them, would otherwise pay (the project's translators run on CTranslate2)."""

from __future__ import annotations

import sys
from types import ModuleType

UNUSED = ("underthesea.pipeline.translate",)  # optional modules of underthesea this project never calls


def underthesea() -> ModuleType:
    """The underthesea package, imported (once) with UNUSED left out: underthesea takes a module it
    cannot import as absent (its `get_optional_import`), as when its extras are not installed."""
    if "underthesea" not in sys.modules:
        for name in UNUSED:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: Python's "not importable"
    import underthesea as package

    return package
