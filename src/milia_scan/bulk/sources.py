"""Opening an input (file or stdin, gzip detected, any encoding) and reading a CSV header: the
delimiter, the label columns, Open Beauty Facts exports. Every engine checks a CSV the same way
with these, before any work."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .rows import BulkInputError, either

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
#: What errors="surrogateescape" makes of bytes that are not valid in the encoding.
UNDECODABLE = re.compile("[\udc80-\udcff]")
_OBF_TEXT = re.compile(r"ingredients_text(?:_[a-z]{2})?")  # an Open Beauty/Food Facts label column


@dataclass
class Source:
    """An open input: text lines, plus what a progress bar needs."""

    text: IO[str]
    raw: IO[bytes]  # the file as stored (compressed bytes for gzip): its offset drives the ETA
    size: int | None
    name: str
    closers: list[Any] = field(default_factory=list)
    binary: IO[bytes] | None = None  # the decompressed bytes under `text`

    def position(self) -> int | None:
        """How far into `raw` reading is (bytes), when the size is known."""
        try:
            return self.raw.tell() if self.size else None
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        if self.name == "stdin":
            try:
                self.text.detach()  # leave sys.stdin usable
            except ValueError:
                pass
            return
        self.text.close()
        for c in reversed(self.closers):
            c.close()


def python_encoding(encoding: str) -> str:
    """Python's codec for `encoding` ("utf-8-sig" for UTF-8: a BOM is always fine)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise BulkInputError(f"unknown encoding {encoding!r}") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


def open_input(path: str | Path, encoding: str) -> Source:
    """Open a file ("-": stdin) as text lines (newline=""; undecodable bytes kept as surrogates);
    gzip is detected from its magic bytes, whatever the name."""
    name = str(path)
    if name == "-":
        raw: IO[bytes] = sys.stdin.buffer
        size = None
        closers: list[Any] = []
        name = "stdin"
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        except OSError as exc:
            raise BulkInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        closers = [raw]
        try:
            size = os.fstat(raw.fileno()).st_size or None
        except OSError:
            size = None
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
    binary: IO[bytes] = buffered
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # gzip, whatever the name says
        binary = gzip.GzipFile(fileobj=buffered, mode="rb")
        closers.append(binary)
    text = io.TextIOWrapper(binary, encoding=python_encoding(encoding), errors="surrogateescape",
                            newline="")
    return Source(text=text, raw=raw, size=size, name=name, closers=closers, binary=binary)


def read_sample(text: IO[str]) -> list[str]:
    """The first lines of the input, about `SAMPLE_BYTES` of them (whole lines)."""
    lines, size = [], 0
    while size < SAMPLE_BYTES:
        line = text.readline()
        if not line:
            break
        lines.append(line)
        size += len(line)
    return lines


def dialect(delimiter: str, quote_none: bool) -> dict[str, Any]:
    """csv reader and writer arguments: minimal quoting, or none (a quote is a plain character)."""
    if quote_none:
        return {"delimiter": delimiter, "quoting": csv.QUOTE_NONE, "quotechar": None}
    return {"delimiter": delimiter}


def _parse_header(sample: list[str], dialect_args: dict[str, Any]) -> list[str] | None:
    try:
        return next(csv.reader(iter(sample), strict=True, **dialect_args), None)
    except csv.Error:
        return None


def choose_delimiter(
    sample: list[str], columns: Sequence[str], delimiter: str | None, name: str, quote_none: bool = False,
) -> tuple[str, list[str]]:
    """The delimiter to use and the header row, which has one of `columns` at least: else an
    error naming the columns there are. Without a `delimiter`, csv.Sniffer's guess is tried first,
    but it is asked only when two delimiters or none give such a header (it reads the whole
    sample: ~45 ms for 64 KB of labels, where it often cannot tell)."""
    candidates = [delimiter] if delimiter is not None else list(DELIMITERS)
    headers = {d: _parse_header(sample, dialect(d, quote_none)) for d in candidates}  # each read once
    if delimiter is None:
        fits = [d for d in DELIMITERS if _has_column(headers[d], columns)]
        if len(fits) == 1:  # one fits: the guess could only put it first
            candidates = fits
        else:
            try:
                guess = csv.Sniffer().sniff("".join(sample), delimiters=DELIMITERS).delimiter
                candidates = [guess] + [d for d in DELIMITERS if d != guess]
            except csv.Error:
                pass
    first: list[str] | None = None
    for d in candidates:
        header = headers[d]
        if header is None:
            continue
        if first is None:
            first = header
        if _has_column(header, columns):
            _check_decoded(header, name)
            return d, header
    if first is None:
        raise BulkInputError(f"{name}: cannot read a header row")
    _check_decoded(first, name)
    shown = ", ".join(repr(h) for h in first[:50]) + (", ..." if len(first) > 50 else "")
    how = f"delimiter {candidates[0]!r}" if delimiter is not None else "any of , ; tab |"
    raise BulkInputError(f"{name} has no column {either(columns)} (read with {how}); its columns: {shown}")


def _has_column(header: list[str] | None, columns: Sequence[str]) -> bool:
    return header is not None and any(c in header for c in columns)


def _check_decoded(header: Iterable[str], name: str) -> None:
    if any(UNDECODABLE.search(h) for h in header):
        raise BulkInputError(f"{name}: the header is not valid text in this encoding (try --encoding)")


def obf_header(line: str) -> list[str] | None:
    """The header of an Open Beauty Facts (or Open Food Facts) CSV export: tab-separated, first
    column `code`, an `ingredients_text` or `ingredients_text_XX` column. None for any other."""
    names = line.rstrip("\r\n").split("\t")
    return names if names[0] == "code" and any(_OBF_TEXT.fullmatch(n) for n in names) else None


def default_columns(obf: list[str] | None) -> list[str]:
    """`ingredients`; in an OBF export that has no such column, `ingredients_text`, or failing
    that its `ingredients_text_XX` columns as a fallback list."""
    if obf is None or "ingredients" in obf:
        return ["ingredients"]
    return ["ingredients_text"] if "ingredients_text" in obf else [n for n in obf if _OBF_TEXT.fullmatch(n)]


@dataclass
class CsvLayout:
    """What the first lines of a CSV input say: its header, the label columns, the csv dialect."""

    sample: list[str]
    header: list[str]
    columns: list[str]
    dialect: dict[str, Any]

    @property
    def quote_none(self) -> bool:
        return self.dialect.get("quoting") == csv.QUOTE_NONE


_IN_CELLS = re.compile(r"[a-z0-9;-]")  # the characters of milia_* values (ids are kebab-case)
_IN_PROFILE_CELLS = re.compile(r"[a-z0-9; -]")  # and a space, with the profiles ("cannot tell")


def csv_layout(text: IO[str], columns: list[str] | None, delimiter: str | None, quoting: str | None,
               name: str, profiles: bool = False) -> CsvLayout:
    """Read the sample of a CSV input and decide how to read it (raises BulkInputError).

    For an OBF export (unless another `delimiter` is given) the delimiter is tab and `quoting`
    None means none; else None means minimal. `columns` None is `default_columns`. Unquoted,
    the delimiter must not be a character of the added cells (a space too with `profiles`)."""
    sample = read_sample(text)
    obf = obf_header(sample[0]) if sample and delimiter in (None, "\t") else None
    if obf is not None:
        delimiter, quoting = "\t", quoting or "none"
    columns = default_columns(obf) if columns is None else columns
    quote_none = quoting == "none"
    if not sample:
        return CsvLayout([], [], columns, dialect(delimiter or ",", quote_none))
    delim, header = choose_delimiter(sample, columns, delimiter, name, quote_none)
    if quote_none and (_IN_PROFILE_CELLS if profiles else _IN_CELLS).fullmatch(delim):
        raise BulkInputError(f"{name}: unquoted output cannot use the delimiter {delim!r}, which milia_* "
                             "values may hold; use quoting minimal")
    for c in columns:
        if header.count(c) > 1:
            raise BulkInputError(f"{name}: column {c!r} appears {header.count(c)} times")
    return CsvLayout(sample, header, columns, dialect(delim, quote_none))
