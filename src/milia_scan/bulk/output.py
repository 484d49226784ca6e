"""Atomic output for every engine: written under a temporary name, renamed into place when
complete, removed on any exception (Ctrl-C included). `atomic_path` is the one helper; the
streams below and the dask engine use it."""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .rows import BulkInputError


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def is_local(path: str) -> bool:
    """A path on this machine (not a URL such as s3://...)."""
    return "://" not in path


class AtomicPath:
    """A temporary name for `path` (a file or a directory, made by the caller), renamed to
    `path` by `commit` or removed by `discard`. A URL is written in place (no rename)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.tmp = f"{self.path}.tmp-{os.getpid()}" if is_local(self.path) else self.path
        self.done = False

    def commit(self) -> None:
        if not self.done and self.tmp != self.path:
            os.replace(self.tmp, self.path)
        self.done = True

    def discard(self) -> None:
        if not self.done and self.tmp != self.path:
            _remove(self.tmp)
        self.done = True


@contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """The temporary name to write `path` under; renamed into place when the block ends, removed
    if it raises (the exception propagates)."""
    target = AtomicPath(path)
    try:
        yield target.tmp
    except BaseException:
        target.discard()
        raise
    target.commit()


class AtomicOutput:
    """A text (or, `binary`, bytes) output file written atomically; "-" is stdout, written
    as it goes. ".gz" compresses."""

    def __init__(self, path: str | Path, errors: str = "strict", binary: bool = False) -> None:
        self.path = str(path)
        self.target: AtomicPath | None = None
        if self.path == "-":
            sys.stdout.flush()
            out: Any = sys.stdout.buffer
            self.stream: IO[Any] = out if binary else io.TextIOWrapper(out, encoding="utf-8", errors=errors,
                                                                        newline="")
            self._closer: Any = None
            return
        self.target = AtomicPath(self.path)
        try:
            if self.path.endswith(".gz"):
                self.stream = gzip.open(self.target.tmp, "wb" if binary else "wt", **(
                    {} if binary else {"encoding": "utf-8", "errors": errors, "newline": ""}))
            elif binary:
                self.stream = open(self.target.tmp, "wb")  # noqa: SIM115
            else:
                self.stream = open(self.target.tmp, "w", encoding="utf-8", errors=errors,  # noqa: SIM115
                                   newline="")
        except OSError as exc:
            raise BulkInputError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._closer = self.stream

    def _close(self) -> None:
        if self._closer is not None:
            self._closer.close()
        elif isinstance(self.stream, io.TextIOWrapper):
            self.stream.detach()  # leave sys.stdout open

    def commit(self) -> None:
        self.stream.flush()
        self._close()
        if self.target is not None:
            self.target.commit()

    def discard(self) -> None:
        try:
            self._close()
        except Exception:  # noqa: BLE001 - a half-written file is being thrown away anyway
            pass
        if self.target is not None:
            self.target.discard()


def print_error(line: int, reason: str, record: str) -> None:
    """The default for bad rows without an errors file: one line on stderr, record included."""
    sys.stderr.write(f"milia-scan: line {line}: {reason}: {record!r}\n")


class ErrorSink:
    """Rows that cannot be parsed: `line,reason,record` (the record as it was in the input) in
    the errors file, created only when there is a bad row; without a file, `on_error` (default:
    one line on stderr)."""

    def __init__(self, path: str | Path | None, on_error: Callable[[int, str, str], None] | None = None) -> None:
        self.path = None if path is None else str(path)
        self.on_error = on_error if on_error is not None or self.path is not None else print_error
        self.count = 0
        self._out: AtomicOutput | None = None
        self._writer: Any = None

    def add(self, line: int, reason: str, record: str) -> None:
        self.count += 1
        if self.on_error is not None:
            self.on_error(line, reason, record)
        if self.path is None:
            return
        if self._writer is None:
            self._out = AtomicOutput(self.path, errors="surrogateescape")  # the input's bytes, as they were
            self._writer = csv.writer(self._out.stream, lineterminator="\n")
            self._writer.writerow(["line", "reason", "record"])
        self._writer.writerow([line, reason, record])

    def commit(self) -> None:
        if self._out is not None:
            self._out.commit()

    def discard(self) -> None:
        if self._out is not None:
            self._out.discard()
