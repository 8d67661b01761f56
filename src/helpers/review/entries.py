"""A review entry, who made it and when: the one shape the store, the exchange formats, the
translation layer and the notebook share."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import datetime, timezone

KINDS = ("corrected", "approved")  # a person's own English, or the machine's approved as it was
REVIEWER_ENV = "HELPERS_REVIEWER"


@dataclass(frozen=True)
class Review:
    """A Vietnamese sentence (exactly as `text_vi` in sentences.csv) and the English a person gave it."""

    source: str
    english: str
    reviewer: str = ""
    when: str = ""  # UTC, ISO 8601 to the second: 2026-05-01T10:15:00Z
    kind: str = "corrected"

    def said(self) -> str:
        """'corrected by anna on 2026-05-01 10:15 UTC': the line pages and the notebook show."""
        when = self.when.replace("T", " ").replace("Z", " UTC") if self.when else "an unknown time"
        return f"{self.kind} by {self.reviewer or 'an unnamed reviewer'} on {when}"


def reviewer_name(given: str | None = None) -> str:
    """Who is reviewing: the name given, else $HELPERS_REVIEWER, else the login name."""
    for name in (given, os.environ.get(REVIEWER_ENV), os.environ.get("USER")):
        if name and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now() -> str:
    """The current UTC time as reviews record it."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tmx_date(when: str) -> str:
    """ISO '2026-05-01T10:15:00Z' as TMX writes dates: '20260501T101500Z'."""
    return when.replace("-", "").replace(":", "")


def iso_date(tmx: str | None) -> str:
    """A TMX date ('20260501T101500Z') as ISO, or '' when missing or not a TMX date."""
    try:
        return datetime.strptime(tmx or "", "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""
