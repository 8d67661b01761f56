"""Getting the real models onto a machine: fetch (with a lock file), check, and pack for offline use.

- `fetch`: on a connected machine (or against any server that speaks the hub's file
  protocol, `HF_ENDPOINT`), download exactly the files each model needs (its config,
  its tokenizer files, one weight file: never TensorFlow, Flax or Rust weights) into the
  Hugging Face cache, record the resolved commit and every file's sha256 in a lock file
  that can be committed; the `check` that follows converts each model to CTranslate2. A lock file already
  naming a model pins it: the same commit is fetched and its digests are verified.
- `check`: one row per registry model: found, loadable, revision, size on disk, backend.
- `pack`: the locked snapshots in Hugging Face cache layout, with the lock file, in a
  folder (or a tar archive) that an offline machine uses as is (`MODEL_PACK=DIR`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers.models.registry import ModelSpec
from helpers.models.families import OPTIONAL_FILES, WEIGHT_FILES, family_of, needed_files
from helpers.models.loaded import ModelError, ModelUnavailable
from helpers.models.locate import hub_cache

LOCK_VERSION = 1


def endpoint() -> str | None:
    """The hub address in force (HF_ENDPOINT), read at call time."""
    return os.environ.get("HF_ENDPOINT") or None


def files_to_fetch(spec: ModelSpec, available: list[str]) -> list[str]:
    """The files of a repo a model needs: config and tokenizer files, optional extras present, and one
    weight file (model.safetensors when the repo has it, else pytorch_model.bin)."""
    family = family_of(spec)
    missing = [f for f in needed_files(family) if f not in available]
    weights = next((w for w in WEIGHT_FILES if w in available), None)
    if missing or weights is None:
        lacks = missing + ([] if weights else ["model.safetensors or pytorch_model.bin"])
        raise ModelError(f"model {spec.source}: the repository lacks {', '.join(lacks)}; it cannot be used")
    extras = [f for f in OPTIONAL_FILES if f in available and f not in needed_files(family)]
    return [*needed_files(family), *extras, weights]


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def read_lock(path: Path) -> dict[str, Any]:
    """The lock file's models ({} when there is none); a clear error for a damaged one."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["models"])
    except (ValueError, KeyError, TypeError):
        raise ModelError(f"lock file {path} is not a models lock file (JSON with a `models` object)") from None


def write_lock(path: Path, models: dict[str, Any]) -> None:
    """Write the lock file (sorted, one model per key)."""
    from helpers.store.files import write_text

    write_text(path, json.dumps({"version": LOCK_VERSION, "models": models}, indent=2, sort_keys=True) + "\n")


def fetch_model(spec: ModelSpec, pinned: dict[str, Any] | None = None) -> dict[str, Any]:
    """Download the files `spec` needs into the Hugging Face cache; return its lock entry."""
    from huggingface_hub import HfApi, hf_hub_download

    revision = (pinned or {}).get("revision") or spec.revision or "main"
    try:
        info = HfApi(endpoint=endpoint()).model_info(spec.source, revision=revision)
        commit = info.sha
        if not commit:
            raise ModelUnavailable(f"model {spec.source}: the hub named no commit for revision {revision}")
        files = files_to_fetch(spec, [s.rfilename for s in info.siblings or []])
        entry: dict[str, Any] = {"source": spec.source, "revision": commit, "files": {}}
        for name in files:
            path = Path(hf_hub_download(spec.source, name, revision=commit, cache_dir=hub_cache(),
                                        endpoint=endpoint()))
            entry["files"][name] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        _point_ref(spec, revision, commit)
    except ModelError:
        raise
    except Exception as exc:  # HTTP, connection and disk errors of the client: one line, no traceback
        raise ModelUnavailable(f"model {spec.source}: the download failed ({type(exc).__name__}: "
                               f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''})") from None
    for name, want in (pinned or {}).get("files", {}).items():
        got = entry["files"].get(name)
        if got and got["sha256"] != want["sha256"]:
            raise ModelError(f"model {spec.source}: {name} at {entry['revision']} has sha256 {got['sha256']}, "
                             f"not {want['sha256']} as the lock file says")
    return entry


def _point_ref(spec: ModelSpec, revision: str, commit: str) -> None:
    """Make the cache's ref (refs/main, or the branch asked for) name the commit fetched, as a
    download by branch name would: offline loading finds the model through it."""
    if revision == commit:
        revision = spec.revision or "main"
        if revision == commit:
            return
    ref = hub_cache() / ("models--" + spec.source.replace("/", "--")) / "refs" / revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(commit)


def fetch(specs: Mapping[str, ModelSpec], lock_path: Path) -> dict[str, Any]:
    """Fetch every model of `specs` (by registry key, with the run's settings) and write the lock
    file after each one (`check` then loads and converts them, one at a time)."""
    locked = read_lock(lock_path)
    for key, spec in specs.items():
        pinned = locked.get(key) if locked.get(key, {}).get("source") == spec.source else None
        print(f"fetching {spec.source} ({key})" + (f" at {pinned['revision']}" if pinned else ""), file=sys.stderr)
        locked[key] = fetch_model(spec, pinned)
        write_lock(lock_path, locked)
    return locked


def folder_bytes(folder: Path) -> int:
    """Bytes on disk of a model's files (links followed once each)."""
    seen, total = set(), 0
    for path in folder.iterdir():
        real = path.resolve()
        if real.is_file() and real not in seen:
            seen.add(real)
            total += real.stat().st_size
    return total


def pack(lock_path: Path, target: Path, archive: bool = False) -> Path:
    """Copy the locked snapshots (Hugging Face cache layout) and the lock file into `target`."""
    locked = read_lock(lock_path)
    if not locked:
        raise ModelError(f"no lock file at {lock_path}: run `make models` (models fetch) first")
    if target.exists() and any(target.iterdir()):
        raise ModelError(f"pack folder {target} exists and is not empty; name a new folder")
    hub = target / "hub"
    for key, entry in sorted(locked.items()):
        repo = hub_cache() / ("models--" + entry["source"].replace("/", "--"))
        snapshot = repo / "snapshots" / entry["revision"]
        absent = [n for n in entry["files"] if not (snapshot / n).is_file()]
        if absent:
            raise ModelUnavailable(f"model {entry['source']} ({key}): {', '.join(absent)} at {entry['revision']} "
                                   f"not in {hub_cache()}; run `make models` first")
        mine = hub / repo.name
        (mine / "snapshots" / entry["revision"]).mkdir(parents=True, exist_ok=True)
        (mine / "blobs").mkdir(exist_ok=True)
        (mine / "refs").mkdir(exist_ok=True)
        for name, want in entry["files"].items():
            source = (snapshot / name).resolve()
            blob = mine / "blobs" / want["sha256"]
            if not blob.exists():
                shutil.copyfile(source, blob)
            if sha256_of(blob) != want["sha256"]:
                raise ModelError(f"model {entry['source']}: {name} in the cache does not match the lock file")
            link = mine / "snapshots" / entry["revision"] / name
            link.symlink_to(os.path.relpath(blob, link.parent))
        (mine / "refs" / "main").write_text(entry["revision"])
    shutil.copyfile(lock_path, target / "models.lock.json")
    (target / "README.txt").write_text(
        "Models for the vi2en notebooks, in Hugging Face cache layout (hub/), pinned by models.lock.json.\n"
        "On the offline machine: make reports MODELS=real MODEL_PACK=<this folder>\n"
        "(that sets HF_HUB_CACHE=<this folder>/hub and HF_HUB_OFFLINE=1).\n", encoding="utf-8")
    if archive:
        with tarfile.open(target.with_name(target.name + ".tar"), "w") as tar:
            tar.add(target, arcname=target.name)
        return target.with_name(target.name + ".tar")
    return target
