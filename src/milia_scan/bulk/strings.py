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
    """Whether each string (null: False) holds one of these ASCII bytes, as a numpy bool array:
    a compare per byte value, then one `reduceat` over the strings' starts (a 256-entry table
    lookup, or finding each hit's string, costs ~30x more on a block of labels)."""
    offs, data = byte_view(arr)
    lo, hi = int(offs[0]), int(offs[-1])
    mark = np.zeros(hi - lo, bool)
    for c in chars:
        mark |= data[lo:hi] == c
    found = np.zeros(len(arr), bool)
    some = offs[1:] > offs[:-1]  # reduceat reads an empty string's next byte: it has none
    if some.any():
        found[some] = np.logical_or.reduceat(mark, offs[:-1][some] - lo)
    return found & arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else found
