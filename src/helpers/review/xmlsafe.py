"""The gate every XML file from outside passes before it is parsed: no entity declaration (no
"billion laughs"), no external entity or DTD fetched, and a malformed file named in one line.
defusedxml checks the bytes; the storage classes then parse them with lxml's safe parser
(translate-toolkit's: resolve_entities=False, no_network=True)."""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as safe_tree
from defusedxml import DefusedXmlException

from helpers.errors import InputError


class ReviewFileError(InputError):
    """A reviews or exchange file that cannot be used; the message names the file and the problem."""


def root_tag(data: bytes, name: str) -> str:
    """The local name of the root element of `data` (`tmx`, `xliff`, ...), after checking that it is
    well-formed XML without entity declarations; else a ReviewFileError naming `name`."""
    if not data.strip():
        raise ReviewFileError(f"{name}: the file is empty")
    try:
        root = safe_tree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ReviewFileError(f"{name}: refused: the file declares entities or external resources "
                              f"({type(exc).__name__})") from None
    except ParseError as exc:
        raise ReviewFileError(f"{name}: not well-formed XML ({exc})") from None
    return root.tag.rpartition("}")[2]
