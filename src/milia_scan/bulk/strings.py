"""Arrow string arrays seen as numpy bytes, without copies: the columnar engine's byte tests.
(`pyarrow.compute`'s regex and substring kernels cost ~2.5 us a string for a character class or
a literal of two characters; a pass of numpy over the bytes costs a few ns a byte.)"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def byte_view(arr: Any) -> tuple[Any, Any]:
    """The offsets (n + 1, into the data) and the data bytes of a string array, without copies."""
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], width)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offs, data


def holding(arr: Any, chars: bytes) -> Any:
    """Whether each string (null: False) holds one of these ASCII bytes, as a numpy bool array."""
    offs, data = byte_view(arr)
    lo, hi = int(offs[0]), int(offs[-1])
    lut = np.zeros(256, bool)
    lut[list(chars)] = True
    at = np.flatnonzero(lut[data[lo:hi]]) + lo
    found = np.zeros(len(arr), bool)
    found[np.searchsorted(offs, at, "right") - 1] = True
    return found
