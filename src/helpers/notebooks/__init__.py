"""The stage notebooks as `make reports` runs them, a module per job:

    stages    which notebooks `make reports` runs (01-03) and their pages' names and titles
    execute   one notebook executed with papermill into `OUT/notebooks/`, its paths shortened
    tidy      a notebook as it is stored: the parameters cell made from Config, no progress widget
    export    an executed notebook as its page in `OUT/html/` (the nbconvert `stage` template)
    run       all of them at once: executed side by side, exported, their stderr handed back
    current   whether the copies and pages in OUT are current (`OUT/notebooks/manifest.json`)
    overview  what the notebooks show of a collection of any size: counts, tallies, the most, a sample
"""

import sys

# jsonschema (under nbformat and papermill) checks the `iri` formats with rfc3987-syntax when that package
# is installed, and importing it compiles its grammar: 0.9 s of every run that inspects or executes a
# notebook, for a format no notebook schema uses. It is left out as absent (Python's "not importable",
# which jsonschema takes as not installed: it then validates without that one format check).
UNUSED = ("rfc3987_syntax",)
for _name in UNUSED:
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]

