"""CTranslate2's int8 optimisation of a model specification, streamed: the same bytes as its own
`ModelSpec.optimize("int8")`, holding the int8 output and a block of fp32 rows at a time.

CTranslate2's `optimize` compares every pair of same-shaped weights in full and quantizes each
weight through whole-matrix temporaries (for mT5's 250,112-row embedding, three fp32 copies of
768 MB) after its loader has read every weight: 2.8 GB for mT5-base's 1.6 GB of fp32 weights.
Here duplicates are found by a digest of each weight (then compared, block by block, as
CTranslate2 compares them), each weight is quantized block of rows by block of rows (its int8
rule is row by row: the same bytes), and the pages of the weights file read so far are handed
back to the kernel after each weight (`FilePages`): they are read again from the page cache if a
weight is needed once more. The tests compare every family's converted files with CTranslate2's own.
"""

from __future__ import annotations

import ctypes
import hashlib
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np

INT8 = ("int8", "int8_float32", "int8_float16", "int8_bfloat16")  # CTranslate2's int8 compute types
BLOCK_BYTES = 16 << 20  # fp32 rows read, quantized or compared at a time
MADV_DONTNEED = 4


class FilePages:
    """The weights files this process has mapped (`*.safetensors`, as transformers maps them), whose
    resident pages `release` hands back to the kernel. A no-op where /proc is absent, or where a page
    of those mappings was written to (`Anonymous` in smaps): dropping it would lose the write."""

    def __init__(self, suffix: str = ".safetensors") -> None:
        self.ranges: list[tuple[int, int]] = []
        try:
            smaps = Path("/proc/self/smaps").read_text().splitlines()
            libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            return
        ours = False
        for line in smaps:
            head = line.split(maxsplit=5)
            if re.match(r"[0-9a-f]+-[0-9a-f]+$", head[0]):  # a mapping: range perms offset dev inode [path]
                ours = len(head) == 6 and head[5].rstrip().endswith(suffix)
                if ours:
                    low, high = (int(x, 16) for x in head[0].split("-"))
                    self.ranges.append((low, high))
            elif ours and head[0] == "Anonymous:" and int(head[1]) > 0:
                self.ranges = []  # written to: keep every page
                return
        self._madvise = libc.madvise
        self._madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)

    def release(self) -> None:
        """Drop this process's resident pages of the weights files (clean copies of the files)."""
        for low, high in self.ranges:
            self._madvise(low, high - low, MADV_DONTNEED)


def optimize(spec: Any, quantization: str, pages: FilePages | None = None) -> None:
    """`spec.optimize(quantization)` for an int8 type, streamed (other types: CTranslate2's own)."""
    if quantization not in INT8:
        spec.optimize(quantization=quantization)
        return
    release = pages.release if pages is not None else (lambda: None)
    release()  # what the loader read (fused attention weights are copies)
    _alias(spec, release)
    done = _quantize_matrices(spec, release)
    spec._quantize(quantization, variable_filter=lambda name: name not in done)  # the rest: small vectors


def _alias(spec: Any, release: Callable[[], None]) -> None:
    """CTranslate2's `_alias_variables`: a variable equal to one earlier in name order becomes an
    alias of the first such one. Candidates are those with the same digest; each pair is then
    compared as `Variable.equal` compares it."""
    from ctranslate2.specs.model_spec import SKIP_CREATING_ALIAS, _parent_scope, index_spec

    variables = spec.variables(ordered=True)
    first: dict[tuple, list[tuple[str, Any]]] = {}
    for name, value in variables:
        if value.is_scalar():
            continue
        key = (type(value), value.dtype, tuple(value.shape), _digest(value, release))
        scope, attr = _parent_scope(name)
        for other_name, other in first.get(key, []):
            if attr not in SKIP_CREATING_ALIAS and _equal(value, other, release):
                setattr(index_spec(spec, scope), attr, other_name)
                break
        else:
            first.setdefault(key, []).append((name, value))


def _quantize_matrices(spec: Any, release: Callable[[], None]) -> set[str]:
    """Every 2-D float weight CTranslate2 would quantize, quantized as it does, block of rows by
    block of rows; returns their names."""
    from ctranslate2.specs.model_spec import NumpyVariable, Variable, _parent_scope, index_spec

    done = set()
    for name in [name for name, _ in spec.variables(ordered=True)]:  # values fetched one at a time: each
        scope, attr = _parent_scope(name)                              # fp32 copy is let go once quantized
        layer = index_spec(spec, scope)
        value = getattr(layer, attr)
        if (not isinstance(value, Variable) or len(value.shape) != 2 or not hasattr(layer, f"{attr}_scale")
                or value.dtype not in ("float32", "float16", "bfloat16")):
            continue
        rows, columns = value.shape
        weight = np.empty((rows, columns), dtype=np.int8)
        scale = np.empty(rows, dtype=np.float32)
        for start, block in _blocks(value, release):
            amax = np.amax(np.absolute(block), axis=1)
            amax[amax == 0] = 127.0
            amax = np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
            block_scale = 127.0 / amax
            block *= np.expand_dims(block_scale, 1)
            weight[start:start + len(block)] = np.rint(block).astype(np.int8)
            scale[start:start + len(block)] = block_scale
        setattr(layer, attr, NumpyVariable(weight))
        setattr(layer, f"{attr}_scale", NumpyVariable(scale))
        done.add(name)
        del value
    return done


def _blocks(value: Any, release: Callable[[], None]):
    """(first row, fp32 copy of a block of rows) of a 2-D variable, never a view of its memory; the
    pages read are released after each block."""
    rows = value.shape[0]
    step = max(1, BLOCK_BYTES // max(1, 4 * int(np.prod(value.shape[1:]))))
    for start in range(0, rows, step):
        block = _rows(value, start, min(rows, start + step))
        release()
        yield start, block


def _rows(value: Any, start: int, stop: int) -> np.ndarray:
    """Rows start:stop of a torch or numpy variable, as a new float32 array."""
    if hasattr(value, "tensor"):
        import torch

        return value.tensor[start:stop].detach().to(torch.float32).numpy().copy()
    return np.array(value.numpy()[start:stop], dtype=np.float32, copy=True)


def _digest(value: Any, release: Callable[[], None]) -> bytes:
    """A digest equal for any two variables `Variable.equal` finds equal (-0.0 counted as 0.0)."""
    h = hashlib.blake2b(digest_size=16)
    flat = _flat(value)
    for start in range(0, flat_len(flat), BLOCK_BYTES // 4):
        block = _chunk(flat, start, start + BLOCK_BYTES // 4)
        if block.dtype.kind == "f":
            block = block + block.dtype.type(0)  # -0.0 + 0.0 == 0.0
        h.update(block.tobytes())
        release()
    return h.digest()


def _equal(value: Any, other: Any, release: Callable[[], None]) -> bool:
    """`value.equal(other)` (type, dtype, shape, every element), compared block by block."""
    if type(value) is not type(other) or value.dtype != other.dtype or list(value.shape) != list(other.shape):
        return False
    a, b = _flat(value), _flat(other)
    if a is b:
        return True
    for start in range(0, flat_len(a), BLOCK_BYTES // 4):
        same = np.array_equal(_chunk(a, start, start + BLOCK_BYTES // 4), _chunk(b, start, start + BLOCK_BYTES // 4))
        release()
        if not same:
            return False
    return True


def _flat(value: Any) -> Any:
    """The variable's memory as a flat torch tensor or numpy array (no copy)."""
    if hasattr(value, "tensor"):
        return value.tensor.detach().reshape(-1)
    return value.numpy().reshape(-1)


def flat_len(flat: Any) -> int:
    """Elements of a flat torch tensor or numpy array."""
    return int(flat.shape[0])


def _chunk(flat: Any, start: int, stop: int) -> np.ndarray:
    """Elements start:stop as numpy (bfloat16, which numpy lacks, as float32: the same equality)."""
    part = flat[start:stop]
    if hasattr(part, "numpy"):
        import torch

        if part.dtype == torch.bfloat16:
            part = part.to(torch.float32)
        return part.numpy()
    return part
