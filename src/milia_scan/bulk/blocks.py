"""A CSV byte stream cut into blocks that end at a record end, for the columnar engine: a block
ends at a line break after an even number of quotes (any line break without quoting), found in
linear time; a record too long to find an end in is handed out whole, not `whole`, for the row
engine. `Chain` reads some bytes, then a stream: what the row engine reads when it takes over."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any


class Blocks:
    """The bytes of an input cut into blocks that end at a record end (see the module doc), as
    (block, whole): not whole when no record end was found in 8 x `size` bytes (the block is
    then cut anywhere, and the row engine reads it). `rest` is what was read and not handed out."""

    def __init__(self, binary: IO[bytes], quote_none: bool, size: int) -> None:
        self.binary, self.quote_none, self.size = binary, quote_none, size
        self.rest = b""

    def _cut(self, buf: bytes) -> int:
        end = buf.rfind(b"\n")
        if self.quote_none or end < 0:
            return end + 1
        quotes = buf.count(b'"', 0, end)
        while end >= 0:  # the last line break after an even number of quotes, in linear time
            if quotes % 2 == 0:
                return end + 1
            before = buf.rfind(b"\n", 0, end)
            quotes -= buf.count(b'"', before + 1, end)
            end = before
        return 0

    def __iter__(self) -> Iterator[tuple[bytes, bool]]:
        while True:
            data = self.binary.read(self.size)
            if not data:
                if self.rest:  # the end of the file: its last line may lack a line end
                    block, self.rest = self.rest, b""
                    yield block, True
                return
            self.rest += data
            cut = self._cut(self.rest)
            if cut:
                block, self.rest = self.rest[:cut], self.rest[cut:]
                yield block, True
            elif len(self.rest) > 8 * self.size:  # a record this long: let the row engine read it
                block, self.rest = self.rest, b""
                yield block, False


class Chain(io.RawIOBase):
    """Some bytes, then a stream: what the row engine reads when it takes over."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self.head, self.tail = memoryview(head), tail

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.head.nbytes:
            n = min(len(b), self.head.nbytes)
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.tail.read(len(b))
        b[: len(data)] = data
        return len(data)


def line_ends(block: bytes, crlf: int = 0) -> int:
    """Lines in a block as Python's universal newlines count them (\\n, \\r\\n and \\r). `crlf`:
    how many \\r\\n the block is known to hold (its rows' line ends, when they read back with
    CRLF ends); when it holds no other \\r, each \\r\\n is one line and the two-byte count (the
    slowest of the three) is not needed."""
    if b"\r" not in block:  # one count, not three, for a file with LF line ends
        return block.count(b"\n")
    cr = block.count(b"\r")
    if cr == crlf:
        return block.count(b"\n")
    return block.count(b"\n") + cr - block.count(b"\r\n")
