"""glibc's heap around model work: kept while a model decodes (each beam-search step frees and allocates
its buffers again, and fresh pages for each cost about a tenth of the decoding time), handed back to the
kernel between stages (what a stage freed would otherwise stay in the process's resident memory, and a
first run at 10,000 reports grew to 4.4 GB over its stages though no stage held that much at once).
Both are no-ops where glibc is absent."""

from __future__ import annotations

import ctypes
from functools import lru_cache
from typing import Any

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)


@lru_cache(maxsize=1)
def _libc() -> Any:
    """glibc, or None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018  (glibc has it; another C library may not)
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory rather than hand it back to the kernel at once (model work)."""
    libc = _libc()
    if libc is None:
        return
    libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)  # glibc's maximum: buffers up to 32 MB come from the heap
    libc.mallopt(M_TRIM_THRESHOLD, 512 << 20)  # keep up to 512 MB of freed heap


def hand_back_freed_memory() -> None:
    """Give the kernel back the heap's free pages (`malloc_trim`): a stage's freed tables leave the
    process's resident memory instead of adding to the next stage's."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
