"""The columnar engine writes what the row engine writes, on generated CSV bytes: quotes where
they belong and where they do not, delimiters and line breaks inside fields, CRLF, blank lines,
short and long rows, NULs, invalid UTF-8, a missing last line end; blocks of every size; with and
without the profiles' columns."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milia_scan.bulk import columnar, score_file

pytestmark = pytest.mark.skipif(not columnar.available(), reason="the columnar engine needs pyarrow")

LABELS = ["Aqua, Petrolatum", "Glycerin", "Mineral Oil; Lanolin", "", " ", "Eau, Beurre de Karité",
          "Ingredients: Aqua, Ceresin", "Isopropyl Myristate (IPM)",
          # the vectorised route (bulk/explode.py) and labels it sends back to the tokenizer
          "Petrolatum 41%, 1,2-Hexanediol • Lanolin、Retinol", "Aqua. Petrolatum", "Aqua, Oil (Olive",
          "Aqua, May contain Mica", "Paraffinum Liquidum | Cera Alba | Salicylic Acid (and) Niacinamide"]
PIECES = [*LABELS, "x", '"', '""', ",", "\n", "\r\n", "\r", "a\"b", "\x00", "\t", ";", "é"]
field = st.one_of(st.sampled_from(LABELS), st.lists(st.sampled_from(PIECES), max_size=4).map("".join))


def _quoted(value: str, quote_all: bool) -> str:
    needs = quote_all or any(c in value for c in ',"\n\r')
    return '"' + value.replace('"', '""') + '"' if needs else value


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 3)) == 0:  # an Open Beauty Facts export: tabs, no quoting
        return draw(obf_bytes())
    width = draw(st.integers(1, 4))
    header = ["sku", "ingredients", "note", "milia_band"][:width] if width > 1 else ["ingredients"]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["good", "good", "good", "quoted all", "raw", "short", "blank"]))
        if kind == "blank":
            lines.append("")
            continue
        n = width - 1 if kind == "short" and width > 1 else width
        cells = [draw(field) for _ in range(n)]
        if kind == "raw":  # written without quoting: may be malformed
            lines.append(",".join(cells))
        else:
            lines.append(",".join(_quoted(c, kind == "quoted all") for c in cells))
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:  # a byte that is not UTF-8
        at = draw(st.integers(len(lines[0]), max(len(lines[0]), len(data))))
        data = data[:at] + b"\xff" + data[at:]
    return data


@st.composite
def obf_bytes(draw: st.DrawFn) -> bytes:
    header = ["code", "product_name", "ingredients_text"]
    lines = ["\t".join(header)]
    for _ in range(draw(st.integers(0, 10))):
        n = draw(st.sampled_from([3, 3, 3, 2, 4]))
        lines.append("\t".join(draw(field) for _ in range(n)))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + (end if draw(st.booleans()) else "")).encode("utf-8")


def _run(src: Path, out: Path, **kw) -> tuple:
    bad: list = []
    try:
        s = score_file(src, out, on_error=lambda *e: bad.append(e), **kw)
    except Exception as exc:  # noqa: BLE001 - the same error from both engines
        return ("raised", type(exc).__name__, str(exc).replace(str(out), "OUT"))
    return (s.rows, s.scored, s.empty, s.errors), out.read_bytes(), bad


@settings(max_examples=int(os.environ.get("BULK_ENGINE_EXAMPLES", "150")))
@given(data=csv_bytes(), block=st.sampled_from([1, 7, 40, 4 << 20]), profiles=st.booleans())
def test_columnar_writes_what_the_row_engine_writes(data: bytes, block: int, profiles: bool) -> None:
    """With or without the profiles' columns (`--profiles`)."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        src.write_bytes(data)
        ref = _run(src, Path(d) / "local.csv", engine="local", profiles=profiles)
        got = _run(src, Path(d) / "columnar.csv", engine="columnar", block_bytes=block, profiles=profiles)
        assert got == ref
        assert sorted(os.listdir(d)) == sorted(["in.csv"] + [n for n in ("local.csv", "columnar.csv")
                                                             if (Path(d) / n).exists()])


USES = ["leave-on", "rinse-off", "eye-area", " Rinse-Off ", "EYE-AREA", "", "bath", "leave on", '"', "Shower Gel",
        "Eye Cream, 15 ml", "Micellar\nWater", "é"]


@st.composite
def csv_with_use(draw: st.DrawFn) -> bytes:
    """A CSV whose second column ("use") holds contexts, near-contexts, product names and junk."""
    lines = ["sku,use,ingredients"]
    for i in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "x,y", '"broken'])))  # blank, short, bad quoting
            continue
        cells = [str(i), draw(st.sampled_from(USES)), draw(st.sampled_from(LABELS))]
        quote_all = draw(st.integers(0, 9)) == 0  # quotes where none are needed: the row engine takes over
        lines.append(",".join(_quoted(c, quote_all) for c in cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + end).encode("utf-8")


@settings(max_examples=int(os.environ.get("BULK_ENGINE_EXAMPLES", "150")))
@given(data=csv_with_use(), block=st.sampled_from([1, 7, 40, 4 << 20]),
       how=st.sampled_from([{"context_column": "use"}, {"context": "auto", "name_column": "use"},
                            {"context": "rinse-off"}]))
def test_columnar_writes_what_the_row_engine_writes_with_contexts(data: bytes, block: int, how: dict) -> None:
    """Each row's context from a column (bad values are bad rows, with their lines) or from a
    name: the same bytes, bad rows and counts from both engines."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        src.write_bytes(data)
        ref = _run(src, Path(d) / "local.csv", engine="local", **how)
        got = _run(src, Path(d) / "columnar.csv", engine="columnar", block_bytes=block, **how)
        assert got == ref


@settings(max_examples=int(os.environ.get("BULK_ENGINE_EXAMPLES", "150")) // 3)
@given(cells=st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join), min_size=1,
                      max_size=12),
       delimiter=st.sampled_from([";", "\t", "|", "；"]))
def test_columnar_quotes_cells_as_the_row_engine_with_any_delimiter(cells: list[str], delimiter: str) -> None:
    """Which cells are quoted is found on the bytes for an ASCII delimiter and by a pattern for
    another: both as Python's csv writer quotes them (the delimiter, a quote, a line break)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["id", "ingredients"])
    writer.writerows([str(i), c] for i, c in enumerate(cells))
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        src.write_text(buf.getvalue(), encoding="utf-8")
        ref = _run(src, Path(d) / "local.csv", engine="local", delimiter=delimiter)
        got = _run(src, Path(d) / "columnar.csv", engine="columnar", delimiter=delimiter)
        assert got == ref


@given(rows=st.lists(st.lists(st.sampled_from(["a", "\r", "\n", "\r\n", "\n\r", ""]), max_size=4).map("".join),
                     min_size=1, max_size=8),
       last_end=st.booleans())
def test_line_count_from_known_crlf_row_ends_is_the_full_count(rows: list[str], last_end: bool) -> None:
    """A block whose rows end in CRLF: told how many, `line_ends` skips the two-byte count when
    the block holds no other carriage return, and counts the same lines either way."""
    from milia_scan.bulk.blocks import line_ends

    block = ("\r\n".join(rows) + ("\r\n" if last_end else "")).encode()
    row_ends = len(rows) - (not last_end)
    assert line_ends(block, row_ends) == line_ends(block) == len(re.findall(rb"\r\n|\r|\n", block))
