"""The columnar CSV engine (pyarrow): blocks of bytes parsed by Arrow's CSV reader, the labels
scored by `kernel.score_array` (plain lists with numpy: `explode`, `pieces`, `vectorised`), rows written by Arrow
compute kernels. Byte-identical to the row engine (`formats.csv_chunk`), the reference and fallback.

How it stays identical: the parent cuts the input (after the header, `blocks.py`) into blocks of about
`block_bytes` that end at a record end (a line break after an even number of quotes; any line
break without quoting). A worker parses a block with Arrow, then writes its fields back the way
Python's csv module writes them (quoted only when a field holds the delimiter, a quote or a line
break; doubled quotes) and compares the result with the block's bytes. Equal, Python's reader
would read exactly these rows from the block: the block is scored and written. Not equal (a CRLF
file is compared with CRLF line ends), or Arrow refuses the block (wrong field count, invalid
UTF-8), or it holds a NUL or a field longer than `csv.field_size_limit()` (errors for Python's
reader): the block might hold a row the row engine would set aside, or read differently, so the
row engine takes over from that block's first byte to the end of the file, with the line numbers
counted so far. Bad rows are thus reported by the row engine, with the same lines and reasons.

Arrow's own CSV writer is not used for CSV: it quotes every string, where the row engine (and
Python's csv module) quotes only where needed.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..scanner import Scanner
from .blocks import Blocks, Chain, line_ends
from .contexts import ContextSpec
from .formats import CsvOutput, Options, csv_chunk, csv_rows, csv_tasks
from .kernel import forget, score_text_columns
from .pool import CACHE_PER_COLUMNAR_WORKER, CACHE_PER_WORKER, map_chunks
from .rows import COLUMNS, has_used
from .sources import CsvLayout, open_input

# Memory against per-block overhead (200,000-row bench catalogue, one process): 4 MB blocks peak at
# ~350 MB, 2 MB at ~292 MB in the same time, 1 MB at ~293 MB and ~5% slower.
BLOCK_BYTES = 2 << 20
_BOM = b"\xef\xbb\xbf"


def available() -> bool:
    """Whether pyarrow and numpy are installed (`pip install 'milia-scan[bulk]'`)."""
    try:
        import numpy  # noqa: F401
        import pyarrow.compute  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


class BlockSpec(NamedTuple):
    """What a worker needs to read and write a block of CSV rows."""

    delimiter: str
    quote_none: bool
    width: int
    cols: list[int]  # the label columns (indices), tried in order
    names: list[str]
    places: list[int | None]  # where each added column goes (None: appended)
    context_col: int | None = None  # the column of each row's context or product name (None: fixed)


# ---------------------------------------------------------------------------- worker side


class Scored(NamedTuple):
    """A scored block: the output bytes, the counts, and the block's lines (the line number a
    takeover starts at; counted in the worker, which runs in parallel, not in the parent)."""

    text: bytes
    scored: int
    empty: int
    lines: int


def _parse(block: bytes, spec: BlockSpec) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(spec.width)]
    try:
        return pacsv.read_csv(
            pa.py_buffer(block),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                           block_size=max(len(block) + 1, 1 << 20)),
            parse_options=pacsv.ParseOptions(delimiter=spec.delimiter, quote_char=False if spec.quote_none else '"',
                                             double_quote=True, escape_char=False,
                                             newlines_in_values=not spec.quote_none, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None


def _written(arr: Any, delimiter: str, quote_none: bool) -> Any:
    """A string array as Python's csv writer writes its cells (lineterminator "\\n"; an ASCII
    delimiter: `csv_block` leaves the others to the row engine)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .strings import holding

    if quote_none:
        return arr
    need = holding(arr, (delimiter + '"\n').encode())
    if not need.any():
        return arr
    doubled = pc.replace_substring(arr, '"', '""') if holding(arr, b'"').any() else arr
    return pc.if_else(pa.array(need), pc.binary_join_element_wise('"', doubled, '"', ""), arr)


def _bytes(arr: Any) -> Any:
    """The concatenated values of a string array without nulls, as a pyarrow Buffer."""
    import pyarrow as pa

    if len(arr) == 0:
        return pa.py_buffer(b"")
    offsets, data = arr.buffers()[1], arr.buffers()[2]
    view = memoryview(offsets).cast("i")
    start, end = view[arr.offset], view[arr.offset + len(arr)]
    return data.slice(start, end - start) if data is not None else pa.py_buffer(b"")


def _lines(rows: Any, end: str) -> Any:
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(rows, "", end)


def _reads_back(rows: Any, block: bytes) -> str | None:
    """The line end ("\\n", or "\\r\\n" when the block holds a carriage return: tried first) with
    which the rows, written back, are the block's bytes (the last line of the file may lack its
    line end); None when neither gives them."""
    import pyarrow as pa

    for end in ("\r\n", "\n") if b"\r" in block else ("\n",):
        written = _bytes(_lines(rows, end))
        if not block.endswith(b"\n") and written.size >= len(end):
            written = written.slice(0, written.size - len(end))
        if written.size == len(block) and written.equals(pa.py_buffer(block)):
            return end
    return None


def csv_block(scanner: Scanner, context: ContextSpec, task: tuple[bytes, BlockSpec, bool]) -> Scored | None:
    """A block task: the scored rows as output bytes, or None when the block does not read back
    identically, or is not `whole` (cut inside a record), or holds a row whose context cannot be
    read, and the row engine takes over from it (and sets that row aside with its line)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    block, spec, whole = task
    if not whole or b"\x00" in block or not spec.delimiter.isascii():  # Arrow's reader needs an ASCII one
        return None
    table = _parse(block, spec)
    if table is None:
        return None
    columns = [c.combine_chunks() for c in table.columns]
    if columns and max(pc.max(pc.binary_length(c)).as_py() or 0 for c in columns) > csv.field_size_limit():
        return None
    d = spec.delimiter
    fields = [_written(c, d, spec.quote_none) for c in columns]
    rows = fields[0] if len(fields) == 1 else pc.binary_join_element_wise(*fields, d)
    end = _reads_back(rows, block)
    if end is None:
        return None
    found = score_text_columns([columns[i] for i in spec.cols], spec.names, scanner, context,
                               None if spec.context_col is None else columns[spec.context_col].to_pylist())
    if found is None:  # a context that cannot be read: the row engine sets the row aside, with its line
        return None
    got, used = found
    values = [pc.fill_null(pc.cast(c, pa.string()), "") if pa.types.is_integer(c.type) else c
              for c in got[: len(COLUMNS)]]  # a number as str() writes it; "" when empty
    if has_used(len(spec.places), context.profiles):  # and milia_column
        values.append(used)
    values += got.verdicts  # and the profiles' verdicts, last (when asked for)
    cells = [_written(v, d, spec.quote_none) for v in values]  # ';' may be the delimiter
    if any(p is not None for p in spec.places):
        out = list(fields)
        extra = []
        for arr, place in zip(cells, spec.places):
            if place is None:
                extra.append(arr)
            else:
                out[place] = arr
        rows = pc.binary_join_element_wise(*out, *extra, d)
    else:
        rows = pc.binary_join_element_wise(rows, *cells, d)
    crlf = len(rows) - (not block.endswith(b"\n")) if end == "\r\n" else 0  # its rows' own CRLF ends
    return Scored(_bytes(_lines(rows, "\n")).to_pybytes(), got.scored, got.empty, line_ends(block, crlf))


# ---------------------------------------------------------------------------- parent side


def run_csv(
    path: str, layout: CsvLayout, how: CsvOutput, write: Callable[[bytes], Any],
    on_error: Callable[[int, str, str], None], options: Options, *, jobs: int, scanner: Scanner,
    context: ContextSpec,
    block_bytes: int = BLOCK_BYTES, report: Callable[[int, int, int], None] | None = None,
    worker_cache: int | None = CACHE_PER_COLUMNAR_WORKER, takeover_cache: int | None = CACHE_PER_WORKER,
) -> tuple[int, int]:
    """Score a UTF-8 CSV file whose header `layout` has read; write the rows (not the header).
    `context` is resolved against that header (`how` made with it). Returns (scored, empty)."""
    dialect = layout.dialect
    reader = csv.reader(iter(layout.sample), strict=True, **dialect)
    next(reader)
    line_at = reader.line_num  # lines of the header
    head = "".join(layout.sample[:line_at]).encode("utf-8", "surrogateescape")
    source = open_input(path, "utf-8")
    binary = source.binary
    assert binary is not None
    scored = empty = 0
    forget(scanner)
    try:
        start = binary.read(len(_BOM) + len(head))
        skip = len(_BOM) if start.startswith(_BOM) else 0
        # the header as decoded, encoded again: the same bytes (UTF-8, undecodable bytes kept)
        blocks = Blocks(io.BufferedReader(Chain(start[skip + len(head):], binary)), layout.quote_none,
                         block_bytes)
        spec = BlockSpec(dialect["delimiter"], layout.quote_none, len(layout.header), how.cols, how.found,
                         how.places, how.context_col)
        pending: deque[bytes] = deque()

        def tasks() -> Iterator[tuple[None, tuple[bytes, BlockSpec, bool]]]:
            for block, whole in blocks:
                pending.append(block)
                yield None, (block, spec, whole)

        results = map_chunks(tasks(), csv_block, jobs=jobs, scanner=scanner, context=context,
                             worker_cache=worker_cache)
        takeover: bytes | None = None
        try:
            for _, chunk in results:
                block = pending.popleft()
                if chunk is None:
                    takeover = b"".join([block, *pending, blocks.rest])
                    break
                write(chunk.text)
                scored += chunk.scored
                empty += chunk.empty
                line_at += chunk.lines
                if report:
                    report(scored + empty, source.position(), source.size)
        finally:
            results.close()  # stops the workers of a run cut short
        if takeover is not None:
            text = io.TextIOWrapper(io.BufferedReader(Chain(takeover, blocks.binary)), encoding="utf-8",
                                    errors="surrogateescape", newline="")
            rows = csv_rows(text, dialect, len(layout.header), options.bad_bytes, on_error, header=False,
                            lines_before=line_at, check=context.row_check(how.context_col))
            for _, chunk in map_chunks(((None, t) for t in csv_tasks(rows, layout, how, options.chunk_size)),
                                       csv_chunk, jobs=jobs, scanner=scanner, context=context,
                                       worker_cache=takeover_cache):
                write(chunk.text.encode("utf-8"))
                scored += chunk.scored
                empty += chunk.empty
                if report:
                    report(scored + empty, source.position(), source.size)
    finally:
        source.close()
        forget(scanner)
    return scored, empty
