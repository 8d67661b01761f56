"""A report's source as the site's name: `reports.csv`'s `source_name`, what an index filters by.

`source` keeps what the report says (`Nguồn: nhandan.vn`, `Theo TTXVN`, `(www.cand.com.vn)`, a lead
paragraph's `(Congan.nghean.gov.vn)-`, a web page's site name `Công an nhân dân`, several joined by
`; `); `source_name` is the name alone: the `Nguồn:` / `Theo` label, brackets and quotes gone, an
address as its host in lower case without `www.` (`https://www.NhanDan.vn/x` → `nhandan.vn`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from helpers.text.normalise import clean_space

SEPARATOR = "; "  # how `source` joins a report's several sources, and `source_name` their names
_LABEL = re.compile(r"^(?:nguồn|theo|source)\s*[:：]?\s*", re.IGNORECASE)
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?((?:[\w-]+\.)+[a-z]{2,})(?:[:/?#].*)?$", re.IGNORECASE)
_EDGES = " \t()[]{}<>\"'“”‘’«».,;:–—-"


def site_name(source: str) -> str:
    """One source's site name: the label, brackets and quotes gone; an address as its host."""
    text = clean_space(source).strip(_EDGES)
    text = _LABEL.sub("", text).strip(_EDGES)
    address = _ADDRESS.match(text)
    if address:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or address.group(1)
        return host.lower().removeprefix("www.")
    return text


def source_name(source: str) -> str:
    """The site names of a report's `source` (empty when it names none), each once, in order."""
    names = (site_name(part) for part in source.split(SEPARATOR.strip()))
    return SEPARATOR.join(dict.fromkeys(n for n in names if n))
