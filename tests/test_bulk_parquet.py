"""Parquet in and out: every column and row kept, typed milia_* columns equal to the row engine's
values, Open Beauty Facts' per-language label lists, types refused up front."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from milia_scan.bulk import COLUMN_USED, COLUMNS, BulkInputError, score_file, score_rows  # noqa: E402

from .test_bulk import LABELS  # noqa: E402

N = 50


def products(n: int = N) -> pa.Table:
    return pa.table({
        "code": [f"{i:013d}" for i in range(n)],  # leading zeros: must stay strings
        "ean": pa.array([3600523614455 + i if i % 4 else None for i in range(n)], pa.int64()),
        "ingredients": [None if i % 9 == 0 else LABELS[i % len(LABELS)] for i in range(n)],
        "meta": [{"a": i, "b": [1.5, None]} for i in range(n)],
    })


def expected(table: pa.Table, column: str | list[str] = "ingredients") -> list[dict]:
    return list(score_rows(table.to_pylist(), column))


def test_parquet_round_trip_keeps_every_column_and_types_the_scores(tmp_path: Path) -> None:
    table = products()
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=7)
    s = score_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.names == table.schema.names + list(COLUMNS)
    assert out.schema.field("milia_score").type == pa.int64()
    assert out.select(table.schema.names).equals(table)  # every input column, unchanged, in order
    assert out.to_pylist() == expected(table)
    assert (s.rows, s.scored + s.empty, s.errors) == (N, N, 0)
    assert s.empty == sum(1 for r in expected(table) if r["milia_band"] == "unknown")
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_workers_and_batches_give_the_same_file_contents(tmp_path: Path) -> None:
    pq.write_table(products(200), tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "one.parquet", jobs=1)
    score_file(tmp_path / "in.parquet", tmp_path / "two.parquet", jobs=2, chunk_size=9)  # 23 batches
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "two.parquet"))


def test_obf_per_language_lists_and_fallback_columns(tmp_path: Path) -> None:
    lang = pa.list_(pa.struct([("lang", pa.string()), ("text", pa.string())]))
    table = pa.table({
        "code": ["01", "02", "03", "04"],
        "ingredients_text": pa.array([
            [{"lang": "fr", "text": "Eau"}, {"lang": "main", "text": "Aqua, Petrolatum"}],
            [{"lang": "main", "text": " "}, {"lang": "en", "text": "Water, Lanolin Alcohol"}],
            [],
            None,
        ], lang),
        "ingredients_text_en": ["Mineral Oil", "", None, "Aqua, Ceresin"],
    })
    pq.write_table(table, tmp_path / "obf.parquet")
    s = score_file(tmp_path / "obf.parquet", tmp_path / "out.parquet")  # detected: ingredients_text
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["milia_hits"] for r in out] == ["petrolatum", "lanolin-alcohol", "", ""]
    assert (s.scored, s.empty) == (2, 2)
    score_file(tmp_path / "obf.parquet", tmp_path / "list.parquet", column=["ingredients_text", "ingredients_text_en"])
    out = pq.read_table(tmp_path / "list.parquet").to_pylist()
    assert [r[COLUMN_USED] for r in out] == ["ingredients_text", "ingredients_text", "", "ingredients_text_en"]
    assert out[3]["milia_hits"] == "ceresin"


def test_list_of_strings_and_existing_milia_columns(tmp_path: Path) -> None:
    table = pa.table({"milia_band": ["stale", "stale"], "ingredients": [["Aqua", "Petrolatum"], [" "]]})
    pq.write_table(table, tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.names == ["milia_band", "ingredients", "milia_score", "milia_hits", "milia_helpful",
                                "milia_occlusion", "milia_comedogenic", "milia_context"]
    assert out.to_pylist() == expected(table)


def test_bad_parquet_input_is_refused_before_any_output(tmp_path: Path) -> None:
    pq.write_table(pa.table({"ingredients": [1, 2]}), tmp_path / "int.parquet")
    with pytest.raises(BulkInputError, match="column 'ingredients' is int64, not text"):
        score_file(tmp_path / "int.parquet", tmp_path / "out.parquet")
    with pytest.raises(BulkInputError, match="no column 'inci'; its columns: 'ingredients'"):
        score_file(tmp_path / "int.parquet", tmp_path / "out.parquet", column="inci")
    (tmp_path / "not.parquet").write_text("sku,ingredients\n1,Aqua\n")
    with pytest.raises(BulkInputError, match="cannot read .* as Parquet"):
        score_file(tmp_path / "not.parquet", tmp_path / "out.parquet")
    with pytest.raises(ValueError, match="Parquet output needs Parquet input"):
        score_file(tmp_path / "not.parquet", tmp_path / "out.parquet", format="csv")
    assert sorted(os.listdir(tmp_path)) == ["int.parquet", "not.parquet"]


def test_cli_parquet(run, tmp_path: Path) -> None:
    pq.write_table(products(20), tmp_path / "in.pq.data")
    r = run("bulk", str(tmp_path / "in.pq.data"), "-o", str(tmp_path / "out.parquet"), "--format", "parquet",
            "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert "milia-scan: 20 rows:" in r.output
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 20
    r = run("bulk", str(tmp_path / "in.pq.data"), "-o", "-", "--format", "parquet")
    assert r.exit_code == 2 and "not stdin / stdout" in r.output


def test_string_label_columns_take_the_vectorised_route(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text label columns are scored by kernel.score_array (plain lists vectorised), with the
    row engine's values; score_batch is left for list shapes and bad context values."""
    import milia_scan.bulk.parquet as parquet

    def refused(*args, **kwargs):
        raise AssertionError("score_batch called for text label columns")

    monkeypatch.setattr(parquet, "score_batch", refused)
    table = products(120)
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=50)
    score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", chunk_size=40, profiles=True)
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == list(score_rows(table.to_pylist(), "ingredients",
                                                                                   profiles=True))
