"""Bulk scoring: nothing lost, nothing reordered, bad rows set aside with their line numbers."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import milia_scan
from milia_scan import bulk
from milia_scan.bulk import COLUMNS, BulkInputError, score_file, score_labels, score_rows

from .bulk_differential import engines_agree  # noqa: F401  (autouse: both engines agree)
from .conftest import shared_file

LABELS = [
    "Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin, Lanolin Alcohol",
    "Water, Glycerin, Niacinamide, Salicylic Acid",
    "Petrolatum 41%, Mineral Oil, Ceresin",
    "Ingredients:\nAqua,\nIsopropyl Myristate,\nCocos Nucifera Oil",  # line breaks inside the cell
    "Eau, Beurre de Karité, Huile d'Argan, Parfum",  # unicode
    'Aqua, "Cetearyl Alcohol", Dimethicone; Retinol',  # quotes and a semicolon inside the cell
    "",  # empty -> unknown
    "   ",  # blank -> unknown
]
HEADER = ["sku", "name", "ingredients", "note"]
ENGINES = ["local", pytest.param("columnar", marks=pytest.mark.skipif(
    not bulk.columnar.available(), reason="the columnar engine needs pyarrow"))]


def awkward_rows(n: int = len(LABELS)) -> list[list[str]]:
    return [[f"{i:05d}", f'Crème "n°{i}", 50 ml', LABELS[i % len(LABELS)], "x\r\ny" if i % 3 else ""]
            for i in range(n)]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, *, delimiter: str = ",",
              lineterminator: str = "\r\n", bom: bool = False) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def read_csv(path: Path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    return (rows[0], rows[1:]) if rows else ([], [])


def expected_cells(label: str, scanner: milia_scan.Scanner | None = None, context: str = "leave-on") -> list[str]:
    if not label.strip():
        return ["", "unknown", "", "", "", "", context]
    r = (scanner or milia_scan.default_scanner()).score(label, context=context)
    return [str(r.score), r.band, ";".join(r.hits), ";".join(r.helpful), str(r.milia), str(r.pore_clogging),
            context]


def assert_round_trip(header: list[str], out: list[list[str]], rows: list[list[str]]) -> None:
    assert header == HEADER + list(COLUMNS)
    assert len(out) == len(rows)
    for got, original in zip(out, rows):
        assert got[: len(HEADER)] == original  # every input column, unchanged, in order
        assert got[len(HEADER):] == expected_cells(original[2])


# ---------------------------------------------------------------------------- files


@pytest.mark.parametrize("bom", [False, True])
def test_csv_round_trip_keeps_every_row_and_column(tmp_path: Path, bom: bool) -> None:
    rows = awkward_rows(40)
    src = write_csv(tmp_path / "in.csv", rows, bom=bom)
    summary = score_file(src, tmp_path / "out.csv")
    header, out = read_csv(tmp_path / "out.csv")
    assert_round_trip(header, out, rows)
    assert (summary.rows, summary.errors, summary.empty) == (40, 0, 10)
    assert summary.rows == summary.scored + summary.empty + summary.errors
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_jobs_two_gives_the_same_bytes_in_the_same_order(tmp_path: Path) -> None:
    rows = awkward_rows(1000)
    src = write_csv(tmp_path / "in.csv", rows)
    one = score_file(src, tmp_path / "one.csv", jobs=1, chunk_size=64)
    two = score_file(src, tmp_path / "two.csv", jobs=2, chunk_size=64)  # 16 chunks through the pool
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (one.rows, one.scored, one.empty) == (two.rows, two.scored, two.empty) == (1000, 750, 250)


def test_bad_rows_go_to_the_errors_file_with_line_numbers(tmp_path: Path) -> None:
    text = (
        "sku,name,ingredients,note\n"          # line 1
        '00000,A,"Aqua,\nPetrolatum",n\n'       # lines 2-3: one record
        "00001,B,Glycerin\n"                    # line 4: 3 fields
        "\n"                                    # line 5: blank
        "00002,C,Lanolin,n,extra\n"             # line 6: 5 fields
        '00003,D,"Mineral Oil"x,n\n'            # line 7: malformed quoting
        "00004,E,Paraffinum Liquidum,n\n"       # line 8: good
    ).encode() + b"00005,\xff\xfe bad,Aqua,n\n" + b"00006,F,Ceresin,n\n"  # 9 undecodable, 10 good
    src = tmp_path / "in.csv"
    src.write_bytes(text)
    summary = score_file(src, tmp_path / "out.csv", errors=tmp_path / "errors.csv")
    _, out = read_csv(tmp_path / "out.csv")
    assert [r[0] for r in out] == ["00000", "00004", "00006"]
    assert out[0][2] == "Aqua,\nPetrolatum"
    with open(tmp_path / "errors.csv", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        errs = list(csv.DictReader(fh))
    assert [int(e["line"]) for e in errs] == [4, 5, 6, 7, 9]
    assert "3 fields, expected 4" in errs[0]["reason"]
    assert errs[1]["reason"] == "blank line"
    assert "5 fields, expected 4" in errs[2]["reason"]
    assert "malformed" in errs[3]["reason"]
    assert errs[4]["reason"] == "undecodable bytes (not utf-8)"
    assert errs[2]["record"] == "00002,C,Lanolin,n,extra"
    # the undecodable record is kept byte for byte
    assert b"00005,\xff\xfe bad,Aqua,n" in (tmp_path / "errors.csv").read_bytes()
    assert (summary.rows, summary.written, summary.errors) == (8, 3, 5)
    assert summary.rows == summary.written + summary.errors


def test_no_errors_file_when_every_row_is_good(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(3))
    score_file(src, tmp_path / "out.csv", errors=tmp_path / "errors.csv")
    assert not (tmp_path / "errors.csv").exists()


def test_missing_column_is_an_error_before_any_work(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(3))
    with pytest.raises(BulkInputError, match=r"no column 'inci'.*'sku', 'name', 'ingredients', 'note'"):
        score_file(src, tmp_path / "out.csv", column="inci")
    assert os.listdir(tmp_path) == ["in.csv"]


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    s = score_file(empty, tmp_path / "out-empty.csv")
    assert s.rows == 0 and (tmp_path / "out-empty.csv").read_bytes() == b""
    only = write_csv(tmp_path / "header.csv", [])
    s = score_file(only, tmp_path / "out-header.csv")
    assert s.rows == 0
    assert read_csv(tmp_path / "out-header.csv") == (HEADER + list(COLUMNS), [])


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed_and_kept(tmp_path: Path, delimiter: str) -> None:
    rows = awkward_rows(10)
    src = write_csv(tmp_path / "in.csv", rows, delimiter=delimiter, lineterminator="\n")
    score_file(src, tmp_path / "out.csv")
    header, out = read_csv(tmp_path / "out.csv", delimiter=delimiter)
    assert_round_trip(header, out, rows)


def _sniffed_first(sample: list[str], columns: list[str], quote_none: bool) -> tuple[str, list[str]] | str:
    """The delimiter rule as it was written first: csv.Sniffer's guess, then each delimiter in
    turn; the first whose header has one of the columns (or the error)."""
    from milia_scan.bulk.sources import DELIMITERS, _parse_header, dialect

    try:
        first = [csv.Sniffer().sniff("".join(sample), delimiters=DELIMITERS).delimiter]
    except csv.Error:
        first = []
    for d in first + [d for d in DELIMITERS if d not in first]:
        header = _parse_header(sample, dialect(d, quote_none))
        if header is not None and any(c in header for c in columns):
            return d, header
    return "error"


HEADER_PARTS = ["ingredients", "id", "name", "code", "x;y", "a,b", "inci", '"ingredients"']
CELLS = ["Aqua, Glycerin", "Aqua; Glycerin", "Aqua\tGlycerin", "Aqua|Mica", '"Aqua, Glycerin"', "1", ""]


@given(st.sampled_from(",;\t|"), st.lists(st.sampled_from(HEADER_PARTS), min_size=1, max_size=4, unique=True),
       st.lists(st.tuples(st.sampled_from(",;\t|"), st.lists(st.sampled_from(CELLS), min_size=1, max_size=4)),
                max_size=6),
       st.sampled_from([["ingredients"], ["ingredients", "inci"], ["name"], ["zzz"]]), st.booleans())
def test_the_sniffer_is_asked_only_where_its_guess_can_matter(d, header, rows, columns, quote_none) -> None:
    """csv.Sniffer reads the whole sample (~45 ms for 64 KB of labels) to order the delimiters; when
    exactly one gives a header with the column, its guess could only have put that one first. The
    delimiter and header chosen are those of the sniffer-first rule, whatever the sample."""
    from milia_scan.bulk.sources import choose_delimiter

    sample = [d.join(header) + "\n"] + [sep.join(cells) + "\n" for sep, cells in rows]
    try:
        got: tuple[str, list[str]] | str = choose_delimiter(sample, columns, None, "f", quote_none)
    except BulkInputError:
        got = "error"
    assert got == _sniffed_first(sample, columns, quote_none)


def test_a_header_one_delimiter_reads_is_not_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    from milia_scan.bulk.sources import choose_delimiter

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("sniffed")

    monkeypatch.setattr(csv.Sniffer, "sniff", refuse)
    assert choose_delimiter(["id;ingredients\n", "1;Aqua, Glycerin\n"], ["ingredients"], None, "f") == (
        ";", ["id", "ingredients"])


def test_one_column_file_and_its_blank_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('ingredients\n"Aqua, Petrolatum"\n\nGlycerin\n', encoding="utf-8")
    s = score_file(src, tmp_path / "out.csv")
    _, out = read_csv(tmp_path / "out.csv")
    assert [r[0] for r in out] == ["Aqua, Petrolatum", "", "Glycerin"]
    assert out[1][2] == "unknown" and s.errors == 0


def test_gzip_in_and_out_and_other_encodings(tmp_path: Path) -> None:
    rows = awkward_rows(12)
    plain = write_csv(tmp_path / "in.csv", rows)
    gz = tmp_path / "in.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    score_file(gz, tmp_path / "out.csv.gz")
    header, out = read_csv(tmp_path / "out.csv.gz")
    assert_round_trip(header, out, rows)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("sku,ingredients\n1,Beurre de Karité\n".encode("latin-1"))
    score_file(latin, tmp_path / "latin-out.csv", encoding="latin-1")
    assert read_csv(tmp_path / "latin-out.csv")[1][0][1] == "Beurre de Karité"
    with pytest.raises(BulkInputError, match="unknown encoding"):
        score_file(latin, tmp_path / "x.csv", encoding="klingon")


def test_existing_milia_columns_are_overwritten_in_place(tmp_path: Path) -> None:
    rows = awkward_rows(5)
    src = write_csv(tmp_path / "in.csv", rows)
    score_file(src, tmp_path / "once.csv")
    score_file(tmp_path / "once.csv", tmp_path / "twice.csv")
    assert (tmp_path / "once.csv").read_bytes() == (tmp_path / "twice.csv").read_bytes()


def test_jsonl_round_trip_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "ingredients": "Aqua, Petrolatum", "meta": {"a": [1, 2]}, "é": "ü"}),
        json.dumps({"id": 2, "ingredients": ["Aqua", "Lanolin Alcohol"]}),
        json.dumps({"id": 3}),
        "not json",
        json.dumps([1, 2]),
        json.dumps({"id": 6, "ingredients": 42}),
        "",
        json.dumps({"id": 8, "ingredients": None, "milia_band": "stale"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = score_file(src, tmp_path / "out.jsonl", errors=tmp_path / "errors.csv")
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3, 8]
    assert out[0]["meta"] == {"a": [1, 2]} and out[0]["é"] == "ü"
    assert list(out[0])[-len(COLUMNS):] == list(COLUMNS)
    assert out[0]["milia_hits"] == "petrolatum" and isinstance(out[0]["milia_score"], int)
    assert out[1]["milia_hits"] == "lanolin-alcohol"
    assert out[2]["milia_score"] is None and out[2]["milia_band"] == "unknown"
    assert list(out[3]) == ["id", "ingredients", "milia_band", "milia_score", "milia_hits", "milia_helpful",
                            "milia_occlusion", "milia_comedogenic", "milia_context"]
    assert out[3]["milia_band"] == "unknown"
    with open(tmp_path / "errors.csv", encoding="utf-8", newline="") as fh:
        errs = list(csv.DictReader(fh))
    assert [(int(e["line"]), e["reason"].split(":")[0]) for e in errs] == [
        (4, "not JSON"), (5, "a JSON list, not an object"), (6, "the 'ingredients' value is a int, not text"),
        (7, "blank line")]
    assert (s.rows, s.written, s.errors) == (8, 4, 4)


def test_jsonl_first_record_must_have_the_column(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"sku": 1, "inci": "Aqua"}\n', encoding="utf-8")
    with pytest.raises(BulkInputError, match="no key 'ingredients'; its keys: 'sku', 'inci'"):
        score_file(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


FALLBACK = ["ingredients_text_en", "ingredients_text"]


def test_jsonl_column_fallback_list(tmp_path: Path) -> None:
    """The first non-empty key of the list is scored, and milia_column names it."""
    records = [
        {"code": "01", "ingredients_text_en": "Aqua, Petrolatum", "ingredients_text": "Eau"},
        {"code": "02", "ingredients_text_en": "", "ingredients_text": "Aqua, Lanolin Alcohol"},
        {"code": "03", "ingredients_text": "   "},
        {"code": "04", "ingredients_text_en": ["Aqua", "Ceresin"]},
        {"code": "05", "ingredients_text_en": None, "ingredients_text": 7},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    s = score_file(src, tmp_path / "out.jsonl", column=FALLBACK, errors=tmp_path / "e.csv")
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["milia_column"] for o in out] == ["ingredients_text_en", "ingredients_text", "", "ingredients_text_en"]
    assert [o["milia_hits"] for o in out] == ["petrolatum", "lanolin-alcohol", "", "ceresin"]
    assert list(out[0]) == [*records[0], *COLUMNS, "milia_column"]
    assert "the 'ingredients_text' value is a int" in (tmp_path / "e.csv").read_text()
    assert (s.rows, s.written, s.errors) == (5, 4, 1)
    plain = score_file(src, tmp_path / "plain.jsonl", column="ingredients_text", errors=tmp_path / "e2.csv")
    first = json.loads((tmp_path / "plain.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == [*records[0], *COLUMNS] and plain.errors == 1  # one column: no milia_column


def test_a_list_needs_one_of_its_columns_only(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"sku": 1, "inci": "Aqua"}\n', encoding="utf-8")
    score_file(src, tmp_path / "out.jsonl", column=["ingredients", "inci"])
    assert json.loads((tmp_path / "out.jsonl").read_text())["milia_column"] == "inci"
    with pytest.raises(BulkInputError, match="no key 'ingredients' or 'label'; its keys: 'sku', 'inci'"):
        score_file(src, tmp_path / "out.jsonl", column=["ingredients", "label"])
    csv_src = write_csv(tmp_path / "in.csv", awkward_rows(8))
    score_file(csv_src, tmp_path / "out.csv", column=["inci", "ingredients"])
    header, out = read_csv(tmp_path / "out.csv")
    assert header == HEADER + list(COLUMNS) + ["milia_column"]
    assert [r[-1] for r in out] == ["ingredients"] * 6 + ["", ""]  # the last two labels are blank
    assert [r[len(HEADER):-1] for r in out] == [expected_cells(r[2]) for r in awkward_rows(8)]
    with pytest.raises(BulkInputError, match="no column 'inci' or 'label'.*its columns: 'sku', 'name'"):
        score_file(csv_src, tmp_path / "out.csv", column=["inci", "label"])


def test_score_rows_takes_a_fallback_list_too() -> None:
    rows = [{"a": "", "b": "Aqua, Petrolatum"}, {"a": "Glycerin"}, {}]
    out = list(score_rows(rows, ["a", "b"]))
    assert [(r["milia_column"], r["milia_hits"]) for r in out] == [("b", "petrolatum"), ("a", ""), ("", "")]
    with pytest.raises(ValueError, match="row 0: the 'a' value is a int"):
        list(score_rows([{"a": 1, "b": "Aqua"}], ["a", "b"]))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_interrupted_run_leaves_nothing_behind(tmp_path: Path, engine: str) -> None:
    class Boom(milia_scan.Scanner):
        calls = 0

        def score(self, label: str, *, context: str = "leave-on") -> milia_scan.LabelScore:
            Boom.calls += 1
            # a few chunks (blocks) in: some rows are written by then (the columnar engine calls
            # `score` only for labels with a header or line breaks, one row in eight here)
            if Boom.calls > (12 if engine == "local" else 3):
                raise KeyboardInterrupt
            return super().score(label, context=context)

    rows = [[*row[:2], f"{row[2]}, Aqua {i}", row[3]] for i, row in enumerate(awkward_rows(100))]  # each once
    src = write_csv(tmp_path / "in.csv", rows)
    (tmp_path / "out.csv").write_text("the previous result\n")
    with pytest.raises(KeyboardInterrupt):
        score_file(src, tmp_path / "out.csv", scanner=Boom(), chunk_size=10, engine=engine, block_bytes=1000)
    assert (tmp_path / "out.csv").read_text() == "the previous result\n"  # untouched
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "out.csv"]


def test_100k_rows_stream_through_in_order(tmp_path: Path) -> None:
    labels = ["Aqua, Petrolatum", "Glycerin, Lanolin", "", "Aqua, Salicylic Acid", "Ceresin, Aqua"]
    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["n", "ingredients"])
        w.writerows([i, labels[i % 5]] for i in range(100_000))
    s = score_file(src, tmp_path / "out.csv", jobs=2)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            assert row[0] == str(i) and row[1] == labels[i % 5], i
    assert i == 99_999 and (s.rows, s.scored, s.empty, s.errors) == (100_000, 80_000, 20_000, 0)


# ---------------------------------------------------------------------------- iterables


def test_score_labels_and_rows_keep_order(scanner: milia_scan.Scanner) -> None:
    got = list(score_labels(LABELS * 5, jobs=2, chunk_size=3))
    assert got == [None if not lab.strip() else scanner.score(lab) for lab in LABELS * 5]
    rows = [{"k": i, "ingredients": LABELS[i % len(LABELS)]} for i in range(30)]
    out = list(score_rows(rows, jobs=2, chunk_size=4))
    assert [r["k"] for r in out] == list(range(30))
    assert all(r.items() >= rows[i].items() for i, r in enumerate(out))
    assert out[6]["milia_score"] is None and out[6]["milia_band"] == "unknown"
    assert out[0]["milia_score"] == scanner.score(LABELS[0]).score
    with pytest.raises(ValueError, match="row 1: the 'ingredients' value is a int"):
        list(score_rows([{"ingredients": "Aqua"}, {"ingredients": 3}]))
    with pytest.raises(ValueError, match="unknown context"):
        list(score_labels(["Aqua"], context="bath"))


def test_score_frame_matches_score_rows() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"sku": ["a", "b", "c", "d"], "ingredients": [LABELS[0], None, "", LABELS[2]]},
                      index=[10, 11, 12, 13])
    out = bulk.score_frame(df)
    assert list(out.columns) == ["sku", "ingredients", *COLUMNS]
    assert list(out.index) == [10, 11, 12, 13] and out["sku"].tolist() == df["sku"].tolist()
    assert str(out["milia_score"].dtype) == "Int64"
    rows = list(score_rows(df.to_dict("records")))
    assert out["milia_band"].tolist() == [r["milia_band"] for r in rows] == ["high", "unknown", "unknown", "high"]
    assert out["milia_score"].isna().tolist() == [False, True, True, False]
    assert out["milia_score"][10] == rows[0]["milia_score"]
    with pytest.raises(KeyError, match="no column 'inci'"):
        bulk.score_frame(df, "inci")
    assert list(bulk.score_frame(df.iloc[:0]).columns) == list(out.columns)


def test_score_frame_reads_text_columns_on_the_vectorised_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text (or missing) labels go through kernel.score_array with score_rows' values; a column
    holding a list still goes through score_batch, which joins it."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from milia_scan.bulk import iterables

    labels = [*LABELS, None, float("nan"), pd.NA, "Parfum, Linalool, Aqua", "Aqua, Glycerin"] * 3
    df = pd.DataFrame({"ingredients": labels, "use": ["rinse-off", "Eye-Area", " leave-on "] * (len(labels) // 3)})
    rows = [{"ingredients": v if isinstance(v, str) else None, "use": u} for v, u in zip(labels, df["use"])]
    expected = list(score_rows(rows, context_column="use", profiles=True))
    real = iterables.score_batch

    def refused(*args, **kwargs):
        raise AssertionError("score_batch called for a text column")

    monkeypatch.setattr(iterables, "score_batch", refused)
    out = bulk.score_frame(df, context_column="use", profiles=True)
    got = out.drop(columns=["ingredients", "use"]).astype(object).where(out.notna(), None).to_dict("records")
    assert got == [{k: v for k, v in r.items() if k.startswith("milia_")} for r in expected]
    monkeypatch.setattr(iterables, "score_batch", real)
    listed = bulk.score_frame(pd.DataFrame({"ingredients": [["Aqua", "Petrolatum"], "Aqua, Petrolatum"]}))
    assert listed["milia_score"].tolist()[0] == listed["milia_score"].tolist()[1] > 0


def test_the_core_does_not_import_pandas_or_pyarrow() -> None:
    code = ("import sys, milia_scan, milia_scan.bulk, milia_scan.cli; "
            "print(any(m in sys.modules for m in ('pandas', 'pyarrow', 'polars')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_real_labels_round_trip(tmp_path: Path) -> None:
    src = shared_file("labels/sephora_kaggle_cosmetics_normalized.csv")
    s = score_file(src, tmp_path / "out.csv", jobs=2, chunk_size=200)
    with open(src, encoding="utf-8", newline="") as fh:
        original = list(csv.reader(fh))
    header, out = read_csv(tmp_path / "out.csv")
    assert header == original[0] + list(COLUMNS)
    assert [r[: len(original[0])] for r in out] == original[1:]
    assert s.rows == len(original) - 1 and s.errors == 0


# ---------------------------------------------------------------------------- command line


def test_cli_bulk(run, tmp_path: Path) -> None:
    rows = awkward_rows(10)
    src = write_csv(tmp_path / "in.csv", rows)
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert "milia-scan: 10 rows: 8 scored, 2 empty, 0 errors;" in r.output and "rows/s" in r.output
    assert_round_trip(*read_csv(tmp_path / "out.csv"), rows)


def test_cli_bulk_stdin_to_stdout(run, tmp_path: Path) -> None:
    rows = awkward_rows(4)
    data = write_csv(tmp_path / "in.csv", rows, delimiter=";").read_bytes()
    r = run("bulk", "-", "-o", "-", "--delimiter", ";", "--no-progress", input=data)
    assert r.exit_code == 0, r.output
    out = list(csv.reader(io.StringIO(r.stdout_bytes.decode(), newline=""), delimiter=";"))
    assert_round_trip(out[0], out[1:], rows)


def test_cli_bulk_user_errors(run, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(2))
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--column", "inci")
    assert r.exit_code == 2
    assert r.output.startswith("milia-scan: error: ") and r.output.count("\n") == 1
    assert "'sku', 'name', 'ingredients', 'note'" in r.output
    r = run("bulk", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv"))
    assert r.exit_code == 2 and "cannot read" in r.output and "Traceback" not in r.output
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--delimiter", ";;")
    assert r.exit_code == 2 and "one character" in r.output
    assert not (tmp_path / "out.csv").exists()


def test_cli_bulk_column_list(run, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"code": "007", "ingredients_text": "Aqua, Petrolatum"}\n', encoding="utf-8")
    r = run("bulk", str(src), "-o", str(tmp_path / "out.jsonl"), "--column", "ingredients_text_en, ingredients_text")
    assert r.exit_code == 0, r.output
    out = json.loads((tmp_path / "out.jsonl").read_text())
    assert (out["code"], out["milia_column"], out["milia_band"]) == ("007", "ingredients_text", "high")
    for bad, says in [("a,,b", "--column has an empty name"), ("inci,label", "no key 'inci' or 'label'")]:
        r = run("bulk", str(src), "-o", str(tmp_path / "x.jsonl"), "--column", bad)
        assert r.exit_code == 2 and r.output.count("\n") == 1 and says in r.output, r.output
    r = run("bulk", str(src), "-o", str(tmp_path / "x.jsonl"), "--quoting", "none")
    assert r.exit_code == 2 and "quoting is for CSV" in r.output
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_bulk_progress_bar(run, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(3))
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--progress")
    assert r.exit_code == 0
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"))  # not a terminal: no bar
    assert "\r" not in r.output


def _session_alive(sid: int) -> list[int]:
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(pid))
    return alive


def _bulk_process(*args: str, prelude: str = "") -> subprocess.Popen[bytes]:
    """`milia-scan bulk ARGS` in a session of its own, after `prelude` (Python code). Ctrl-C is
    handled as in a terminal even if this test run ignores SIGINT (as a script's `cmd &` does),
    which the child would inherit: Python keeps an ignored SIGINT ignored."""
    code = ("import signal, sys\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n" + prelude
            + "from milia_scan.cli import main\nsys.argv[1:1] = ['bulk']\nmain()\n")
    return subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def _assert_stopped(proc: subprocess.Popen[bytes], tmp_path: Path, out: Path, code: int, word: str) -> None:
    """Exit `code`, one clear line, no output or temporary file, no worker left running."""
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert err.decode().strip() == f"milia-scan: error: {word}: no output written ({out} unchanged)"
    assert set(os.listdir(tmp_path)) <= {"in.csv"}  # the input, if any, and nothing else
    assert _session_alive(proc.pid) == []


SIGNALS = pytest.mark.parametrize(("sig", "group", "code", "word"), [
    (signal.SIGINT, True, 130, "interrupted"),  # Ctrl-C: the terminal signals the whole group
    (signal.SIGTERM, False, 143, "terminated"),  # `kill PID`: the parent only
])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@SIGNALS
def test_cli_bulk_signal_leaves_no_output(tmp_path: Path, sig: int, group: bool, code: int, word: str) -> None:
    """A run (with worker processes) stuck on an open stdin is stopped: no output, no temporary
    file, no worker left running, one clear line."""
    out = tmp_path / "out.csv"
    proc = _bulk_process("-", "-o", str(out), "--jobs", "2")
    assert proc.stdin is not None
    proc.stdin.write(b"sku,ingredients\n" + b"".join(b'%d,"Aqua, Petrolatum"\n' % i for i in range(5000)))
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while not [p for p in os.listdir(tmp_path) if ".tmp-" in p]:  # it has started writing
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    (os.killpg if group else os.kill)(proc.pid, sig)
    _assert_stopped(proc, tmp_path, out, code, word)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@SIGNALS
def test_cli_bulk_signal_while_workers_start_is_not_lost(tmp_path: Path, sig: int, group: bool, code: int,
                                                         word: str) -> None:
    """The signal lands while the parent forks its first worker (sent from an at-fork hook, so
    deterministically). Python runs at-fork hooks where an exception is only printed: unheld,
    the Ctrl-C was lost there and the run went on to write all its output, exit 0."""
    src = tmp_path / "in.csv"
    src.write_text("sku,ingredients\n" + "".join(f'{i},"Aqua, Petrolatum"\n' for i in range(5000)))  # 3 chunks
    out = tmp_path / "out.csv"
    prelude = ("import os, threading\narmed = [1]\n"
               "def hit():\n"
               "    if armed:\n"
               "        armed.pop()\n"
               f"        signal.pthread_kill(threading.main_thread().ident, {int(sig)})\n"
               "os.register_at_fork(before=hit)\n")
    # the row engine: 3 chunks, so workers start (the columnar engine reads this file as one block)
    proc = _bulk_process(str(src), "-o", str(out), "--jobs", "2", "--engine", "local", prelude=prelude)
    _assert_stopped(proc, tmp_path, out, code, word)


HALF_SENT = """
import faulthandler, os, signal, struct, sys
faulthandler.dump_traceback_later(45, exit=True)  # a hang shows where every thread waits
import milia_scan
from milia_scan.bulk import score_labels

signal.signal(signal.SIGINT, signal.default_int_handler)


class HalfSent(milia_scan.Scanner):
    def score(self, label, *, context="leave-on"):
        if label == "stop":  # send half a result, Ctrl-C the parent, wait to be ended
            frame = sys._getframe()
            while "result_queue" not in frame.f_locals:  # the worker loop's queue to the parent
                frame = frame.f_back
            os.write(frame.f_locals["result_queue"]._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
            if sys.argv[1:] == ["deaf"]:  # a worker that SIGTERM does not end
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            os.kill(os.getppid(), signal.SIGINT)
            signal.pause()
        return super().score(label, context=context)


try:
    list(score_labels(["Aqua"] * 4 + ["stop"] + ["Aqua"] * 5, jobs=2, scanner=HalfSent(), chunk_size=2))
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("worker", ["", "deaf"])
def test_a_worker_ended_while_sending_does_not_hang_the_exit(worker: str) -> None:
    """Ctrl-C while a worker is halfway through sending a result, so that ending it cuts the
    message: the pool's thread used to wait for the rest forever, and the interpreter hung at
    exit joining it. "deaf": the worker holds SIGTERM (as each does until its initializer runs),
    and the pool's thread, which joins every worker, used to wait for it forever."""
    proc = subprocess.Popen([sys.executable, "-c", HALF_SENT, worker], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        pytest.fail("the interpreter hung at exit:\n" + err.decode(errors="replace"))
    assert (proc.returncode, out.strip(), err) == (0, b"interrupted", b"")
    assert _session_alive(proc.pid) == []


LATE_CTRL_C = """
import _thread, threading
from concurrent.futures import Future
from milia_scan.bulk import pool

threading.Timer(0.3, _thread.interrupt_main).start()  # trips SIGINT's handler, interrupts no wait
try:
    pool._result(Future())  # a worker that never answers
except KeyboardInterrupt:
    print("interrupted")
"""


def test_a_ctrl_c_that_lands_just_before_the_wait_is_seen() -> None:
    """A signal that lands just before the main thread starts to wait for a worker does not
    interrupt the wait (CPython runs the handler when it next runs Python code); with a worker
    that never answered, Ctrl-C was lost for good (the half-sent test hung once in ~200 runs).
    `interrupt_main` makes that case every time: it trips the handler without interrupting."""
    proc = subprocess.run([sys.executable, "-c", LATE_CTRL_C], capture_output=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, b"interrupted", b"")


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks")
def test_a_ctrl_c_as_signals_are_held_leaves_them_unheld(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython runs pending handlers right after pthread_sigmask's system call: a Ctrl-C then
    raises from the call that blocked SIGINT, after the block took effect. It used to stay
    blocked in the caller's main thread for good (the restoring `finally` was not entered)."""
    from milia_scan.bulk import pool

    real = signal.pthread_sigmask

    def late_ctrl_c(how: int, mask: Iterable[int]) -> set[int]:
        previous = real(how, mask)
        if how == signal.SIG_BLOCK and signal.SIGINT in mask:
            raise KeyboardInterrupt  # as the handler of a signal pending at that moment would
        return previous

    before = real(signal.SIG_BLOCK, ())
    monkeypatch.setattr(signal, "pthread_sigmask", late_ctrl_c)
    try:
        with pytest.raises(KeyboardInterrupt), pool.signals_held():
            pytest.fail("not reached")
        after = real(signal.SIG_BLOCK, ())
    finally:
        real(signal.SIG_SETMASK, before)  # this test's process, whatever happened
    assert after == before


def test_progress_and_bad_rows_are_reported_through_callbacks(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(25))
    with open(src, "a", encoding="utf-8") as fh:
        fh.write("00025,short row\n")  # the last line: a bad row
    calls: list[tuple[int, int | None, int | None]] = []
    bad: list[tuple[int, str, str]] = []
    s = score_file(src, tmp_path / "out.csv", chunk_size=10, progress=lambda *a: calls.append(a),
                   on_error=lambda *e: bad.append(e), engine="local")  # a call per chunk of 10
    assert [c[0] for c in calls] == [10, 20, 25]  # rows written after each chunk
    assert all(c[2] == src.stat().st_size and 0 < c[1] <= c[2] for c in calls)
    last_line = src.read_text(encoding="utf-8").count("\n")  # \r\n read as one line end
    assert bad == [(last_line, "2 fields, expected 4", "00025,short row")]
    assert (s.rows, s.written, s.errors) == (26, 25, 1)


class LimitSpy(milia_scan.Scanner):
    """Scores every label with the cache limits of the process it runs in."""

    def score(self, label: str, *, context: str = "leave-on") -> milia_scan.LabelScore:
        return milia_scan.LabelScore(self._tokenizer.limit, f"m{self.matcher.cache_limit}", (), (), 0, 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_cache_sizes_large_in_one_process_small_per_worker(tmp_path: Path, engine: str) -> None:
    from milia_scan.bulk import pool

    spy = LimitSpy()
    before = (spy._tokenizer.limit, spy.matcher.cache_limit)
    # a header: labels the tokenizer must read (plain lists take the columnar engine's vectorised
    # route, which reads pieces through the scanner and never calls `score`)
    src = write_csv(tmp_path / "in.csv", [[str(i), "n", f"Ingredients: Aqua, Glycerin {i}", ""] for i in range(40)])

    def limits(**kw) -> set[tuple[str, str]]:
        score_file(src, tmp_path / "out.csv", scanner=spy, engine=engine, chunk_size=5, block_bytes=100, **kw)
        return {(r[4], r[5]) for r in read_csv(tmp_path / "out.csv")[1]}

    assert limits(jobs=1) == {(str(pool.CACHE_ONE_PROCESS), f"m{pool.CACHE_ONE_PROCESS}")}
    assert (spy._tokenizer.limit, spy.matcher.cache_limit) == before  # put back after the run
    worker = pool.CACHE_PER_WORKER if engine == "local" else pool.CACHE_PER_COLUMNAR_WORKER
    assert limits(jobs=2) == {(str(worker), f"m{worker}")}
    assert limits(jobs=2, cache_limit=1000) == {("1000", "m1000")}
    assert (spy._tokenizer.limit, spy.matcher.cache_limit) == before
