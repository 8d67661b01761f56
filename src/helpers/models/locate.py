"""Finding a real model's files: a local folder, or a hub id in the Hugging Face cache.

Nothing here loads weights; it says where the files are, at which revision, which
weight file will be read, and what is missing, so that errors can be precise.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from helpers.models.registry import ModelSpec
from helpers.models.families import WEIGHT_FILES, family_of, needed_files
from helpers.models.loaded import ModelBroken

OTHER_WEIGHTS = ("tf_model.h5", "flax_model.msgpack", "rust_model.ot", "model.ckpt.index")


@dataclass(frozen=True)
class Located:
    """Where a real model's files are."""

    folder: Path  # a local folder or a snapshot folder of the Hugging Face cache
    revision: str  # the commit of a cached snapshot, or `local-<digest>` for a local folder
    origin: str  # "hub cache" or "local folder"


def is_local(spec: ModelSpec) -> bool:
    """True when the spec names a folder rather than a hub id."""
    return spec.source.startswith((".", "/", "~")) or "/" not in spec.source or Path(spec.source).expanduser().is_dir()


def offline() -> bool:
    """True when HF_HUB_OFFLINE asks for no network at all."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def hub_reachable(timeout: float = 3.0) -> bool:
    """True if the hub (HF_ENDPOINT) answers a TCP connection within `timeout` seconds."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(os.environ.get("HF_ENDPOINT") or constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)),
                                 timeout=timeout).close()
        return True
    except OSError:
        return False


def hub_cache() -> Path:
    """The Hugging Face cache folder in force (HF_HUB_CACHE, HF_HOME, or the default)."""
    from huggingface_hub import constants

    return Path(os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE)


def locate(spec: ModelSpec) -> Located | None:
    """The local folder or cached snapshot holding the model's config.json, or None."""
    if is_local(spec):
        folder = Path(spec.source).expanduser()
        return Located(folder, local_revision(folder), "local folder") if folder.is_dir() else None
    from huggingface_hub import try_to_load_from_cache

    hit = try_to_load_from_cache(spec.source, "config.json", revision=spec.revision, cache_dir=hub_cache())
    if not isinstance(hit, str):
        return None
    snapshot = Path(hit).parent
    return Located(snapshot, snapshot.name, "hub cache")


def local_revision(folder: Path) -> str:
    """A local folder's revision: a digest of its files' names, sizes and times (cheap, and it
    changes when a file does), so caches keyed on it follow the folder's content."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        st = path.stat()
        h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return f"local-{h.hexdigest()[:16]}"


def weight_file(found: Located, spec: ModelSpec) -> Path:
    """The one weight file to read: model.safetensors, else pytorch_model.bin; a precise error otherwise."""
    for name in WEIGHT_FILES:
        if (found.folder / name).is_file():
            return found.folder / name
    for name in WEIGHT_FILES:
        if (found.folder / name).exists() or (found.folder / name).is_symlink():
            raise ModelBroken(f"model {spec.source}: {found.folder / name} is listed but its file is missing "
                              f"(a broken link in the cache: an interrupted download). Fetch it again: `make models`.")
    others = [n for n in OTHER_WEIGHTS if (found.folder / n).exists()]
    what = f"only {', '.join(others)}, which this project does not read" if others else "no weight file"
    raise ModelBroken(
        f"model {spec.source}: {found.folder} ({found.origin}) holds {what}; it needs model.safetensors or "
        f"pytorch_model.bin. Fetch the model with `make models` on a connected machine.")


def missing_files(found: Located, spec: ModelSpec) -> list[str]:
    """The files the model's family needs that the folder lacks."""
    return [n for n in needed_files(family_of(spec)) if not (found.folder / n).is_file()]


def unavailable_message(spec: ModelSpec) -> str:
    """The error for a real model that is not here, naming where it was looked for and the ways out."""
    if is_local(spec):
        where = f"the local folder {spec.source}"
    else:
        where = f"the Hugging Face cache ({hub_cache()})" + (
            "; the hub is offline (HF_HUB_OFFLINE=1)" if offline() else "; the hub could not be reached")
    return (
        f"model {spec.source} ({spec.key}, {spec.family}) is not available: looked in {where}. "
        f"Either fetch it on a connected machine (`make models`, then `python -m helpers models pack --to DIR`) "
        f"and copy the pack here (README: models on an offline machine), "
        f"or run with MODELS=demo (random-weight stand-ins: not a translation)."
    )


def file_digest(path: Path, cache_dir: Path) -> str:
    """The sha256 of a file, remembered in the cache by path, size and time (a weight file is
    read once, not at every run)."""
    real = path.resolve()
    st = real.stat()
    stamp = f"{real}|{st.st_size}|{st.st_mtime_ns}"
    book = Path(cache_dir) / "digests.json"
    try:
        known = json.loads(book.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if stamp in known:
        return known[stamp]
    h = hashlib.sha256()
    with open(real, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    known[stamp] = h.hexdigest()
    try:
        from helpers.store.files import write_text

        write_text(book, json.dumps(known, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs the digest again next time
    return known[stamp]
