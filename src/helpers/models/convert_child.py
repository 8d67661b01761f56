"""The converter process (`python -m helpers.models.convert_child`): loads one model with its fp32
weights and converts it to int8 into the target folder, so the run that asked for it never holds
those weights. The request comes as JSON on stdin ({"spec", "demo", "cache_dir", "target"}); exit
status 0 once the target holds the converted model, else 1 with one line on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.models.settings import GenerationSettings
from helpers.models.convert import convert, first_line
from helpers.models.loading import load_demo, load_real
from helpers.models.registry import ModelSpec


def main() -> int:
    """Convert the model the request on stdin names."""
    request = json.loads(sys.stdin.buffer.read())
    fields = request["spec"]
    spec = ModelSpec(**{**fields, "generation": GenerationSettings(**fields["generation"])})
    cache_dir = Path(request["cache_dir"])
    try:
        loaded = load_demo(spec, cache_dir) if request["demo"] else load_real(spec, cache_dir)
        convert(loaded, Path(request["target"]))
    except Exception as exc:  # the loader and converter raise many kinds: one line for the parent
        print(first_line(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
