"""Parquet in and out (pyarrow): row groups streamed in bounded batches, the label columns sent
to the workers as Arrow arrays, each distinct label of a batch scored once (`kernel.score_array`
for string columns, `kernel.score_batch` for the list shapes), the added columns joined back and
written with Arrow's Parquet writer.

Label columns may be text (string, large_string), a list of strings (joined with ", "), or a list
of structs with `lang` and `text` fields, the shape of per-language fields in the Open Beauty /
Food Facts Parquet dump: the `text` whose `lang` is "main" is the label, else the first non-empty
one. Any other type is refused before any work. The output has every input column, in order,
with `milia_score`, `milia_occlusion`, `milia_comedogenic` (int64, null for an empty label),
`milia_band`, `milia_hits`, `milia_helpful`, `milia_context` (strings), for a fallback list
`milia_column`, and with profiles `milia_fungal` and `milia_allergens` (strings, "" for an empty
label); existing `milia_*` columns are replaced in place. A row is bad only when a context
column's value is not a context: it goes to the errors (its row number, 1 for the first row, as
the line; the row as a JSON object as the record) and not to the output. Types are checked up
front: a context column must be text, a name column (context auto) text like a label column.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..scanner import Scanner
from .contexts import ContextSpec
from .kernel import score_batch, score_text_columns
from .pool import CACHE_PER_COLUMNAR_WORKER, map_chunks
from .rows import COLUMNS, COLUMN_USED, NUMBER_COLUMNS, BulkInputError, added_columns, either, profile_lists, result_cells
from .sources import default_columns, obf_header

# Rows a batch (200,000 catalogue rows, 20,000-row row groups, --jobs 1): 20,000 peaked at 547 MB
# with the vectorised route (its per-batch arrays grow with the batch), 5,000 at 407 MB (the
# Python route peaked at 425 MB with 20,000) and ~10% slower than 20,000.
BATCH_ROWS = 5_000


def _label_kind(t: Any) -> str | None:
    """"text", "list" or "lang" for a type a label can be read from; None for any other."""
    import pyarrow as pa

    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return "text"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        v = t.value_type
        if pa.types.is_string(v) or pa.types.is_large_string(v):
            return "list"
        if pa.types.is_struct(v) and {"lang", "text"} <= {v.field(i).name for i in range(v.num_fields)}:
            return "lang"
    return None


def _by_lang(value: list[dict[str, Any]] | None) -> str | None:
    """The label in a list of {lang, text}: the "main" one, else the first non-empty one."""
    if not value:
        return None
    texts = [(v.get("lang"), v.get("text")) for v in value if v and isinstance(v.get("text"), str)]
    for lang, text in texts:
        if lang == "main" and text.strip():
            return text
    return next((text for _, text in texts if text.strip()), None)


def _context_kind(t: Any, infer: bool) -> str | None:
    """How a context column (a name column if `infer`) of type `t` is read; None: it cannot be."""
    import pyarrow as pa

    if pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
        return "text"
    kind = _label_kind(t)
    return kind if infer or kind == "text" else None


def parquet_batch(
    scanner: Scanner, context: ContextSpec,
    task: tuple[list[Any], list[str], list[str], bool, tuple[Any, str] | None],
) -> Any:
    """A batch task: the added columns (pyarrow arrays, `milia_column` too if `with_used`, the
    `PROFILE_COLUMNS` with `context.profiles`), the counts (scored, empty) and the bad rows
    (index in the batch, reason). `columns` are the label columns (pyarrow arrays), `contexts`
    the context (or name) column and its kind, None for a fixed context.

    String label columns whose every context reads are scored by `kernel.score_array` (plain
    lists vectorised, as the columnar CSV engine does); lists of strings or of {lang, text}, and
    batches with a bad context value, by `score_batch` on Python values (it names the bad rows).
    Both give the same values, cell for cell."""
    import pyarrow as pa

    columns, names, kinds, with_used, contexts = task
    context_values = None
    if contexts is not None:
        raw = contexts[0].to_pylist()
        context_values = [_by_lang(v) for v in raw] if contexts[1] == "lang" else raw
    found = (score_text_columns(columns, names, scanner, context, context_values)
             if all(pa.types.is_string(c.type) for c in columns) else None)
    if found is not None:
        fast, used = found
        return list(fast[: len(COLUMNS)]) + ([used] if with_used else []) + fast.verdicts, fast.scored, fast.empty, []
    values = [[_by_lang(v) for v in col.to_pylist()] if kind == "lang" else col.to_pylist()
              for col, kind in zip(columns, kinds)]
    got = score_batch(values, names, scanner, context, context_values)
    cells = list(zip(*map(result_cells, got.results, got.contexts))) if got.results else [() for _ in COLUMNS]
    arrays = [pa.array(list(c), pa.int64() if name in NUMBER_COLUMNS else pa.string()) for name, c in zip(COLUMNS, cells)]
    if with_used:
        arrays.append(pa.array(got.used, pa.string()))
    if context.profiles:
        arrays.extend(pa.array(v, pa.string()) for v in profile_lists(got.results))
    return arrays, got.scored, got.empty, got.errors


def _record(batch: Any, i: int) -> str:
    """Row `i` of a record batch as a JSON object, for the errors file."""
    return json.dumps(batch.slice(i, 1).to_pylist()[0], ensure_ascii=False, default=str)


def run_parquet(
    input: str, output: str, column: list[str] | None, *, jobs: int, scanner: Scanner, context: ContextSpec,
    batch_rows: int = BATCH_ROWS, report: Callable[[int, int, int], None] | None = None,
    worker_cache: int | None = CACHE_PER_COLUMNAR_WORKER,
    on_error: Callable[[int, str, str], None] | None = None,
) -> tuple[int, int]:
    """Score a Parquet file into a Parquet file (`output`: the path to write, a temporary name).
    Rows whose context cannot be read go to `on_error(row number, reason, row as JSON)` (raise
    ValueError without it). Returns (scored, empty)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(input)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BulkInputError(f"cannot read {input} as Parquet: {exc}") from None
    schema = pf.schema_arrow
    header = list(schema.names)
    names = column or default_columns(obf_header("\t".join(header)))
    found = [c for c in names if c in header]
    if not found:
        shown = ", ".join(repr(h) for h in header[:50]) + (", ..." if len(header) > 50 else "")
        raise BulkInputError(f"{input} has no column {either(names)}; its columns: {shown}")
    for c in found:
        if header.count(c) > 1:
            raise BulkInputError(f"{input}: column {c!r} appears {header.count(c)} times")
    kinds = [_label_kind(schema.field(c).type) for c in found]
    for c, kind in zip(found, kinds):
        if kind is None:
            raise BulkInputError(f"{input}: column {c!r} is {schema.field(c).type}, not text (a string, a list of "
                                 "strings, or a list of {lang, text})")
    context = context.resolve(header, input)
    context_kind = None
    if context.per_row:
        assert context.column is not None
        context_kind = _context_kind(schema.field(context.column).type, context.infer)
        if context_kind is None:
            what = "a product name (text)" if context.infer else "contexts (text)"
            raise BulkInputError(f"{input}: column {context.column!r} is {schema.field(context.column).type}, "
                                 f"not {what}")
    added = added_columns(names, context.profiles)
    types = [pa.int64() if name in NUMBER_COLUMNS else pa.string() for name in added]
    out_fields = list(schema)
    for name, t in zip(added, types):
        if name in header:
            out_fields[header.index(name)] = pa.field(name, t)
        else:
            out_fields.append(pa.field(name, t))
    out_schema = pa.schema(out_fields, metadata=schema.metadata)
    scored = empty = done = 0
    batches = pf.iter_batches(batch_size=batch_rows)
    with_used = COLUMN_USED in added
    tasks = ((batch, ([batch.column(c) for c in found], found, kinds, with_used,
                      None if context_kind is None else (batch.column(context.column), context_kind)))
             for batch in batches)
    with pq.ParquetWriter(output, out_schema) as writer:
        for batch, (arrays, s, e, bad) in map_chunks(tasks, parquet_batch, jobs=jobs, scanner=scanner,
                                                     context=context, worker_cache=worker_cache):
            rows = batch.num_rows
            if bad:  # set aside: reported with their row number, left out of the output
                for i, reason in bad:
                    if on_error is None:
                        raise ValueError(f"row {done + i + 1}: {reason}")
                    on_error(done + i + 1, reason, _record(batch, i))
                out = {i for i, _ in bad}
                keep = pa.array([i not in out for i in range(rows)])
                batch = batch.filter(keep)
                arrays = [a.filter(keep) for a in arrays]
            cols = list(batch.columns)
            for name, arr in zip(added, arrays):
                if name in header:
                    cols[header.index(name)] = arr
                else:
                    cols.append(arr)
            writer.write_batch(pa.RecordBatch.from_arrays(cols, schema=out_schema))
            scored, empty, done = scored + s, empty + e, done + rows
            if report:
                report(done, None, None)
    return scored, empty
