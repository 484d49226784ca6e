"""Dask: the same results as the single-machine path, on a 2-worker LocalCluster over loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import milia_scan.dask as milia_dask  # noqa: E402
from milia_scan.bulk import COLUMNS, BulkInputError, score_file, score_frame  # noqa: E402
from milia_scan.cli import cli  # noqa: E402

from .test_bulk import HEADER, awkward_rows, write_csv  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def test_score_dataframe_equals_score_frame_and_ships_the_scanner_once_per_worker(client) -> None:
    rows = awkward_rows(400)
    df = pd.DataFrame(rows, columns=HEADER)
    ddf = dd.from_pandas(df, npartitions=8)
    scored = milia_dask.score_dataframe(ddf)
    assert list(scored.columns) == HEADER + list(COLUMNS)  # from the explicit meta, before computing
    got, want = scored.compute(), score_frame(df)
    assert str(got["milia_score"].dtype) == str(want["milia_score"].dtype) == "Int64"
    # dask may store text as pyarrow strings: compare the values
    pd.testing.assert_frame_equal(got.astype(object), want.astype(object))
    received = client.run(lambda: __import__("milia_scan.dask").dask.scanners_received)
    assert sorted(received.values()) == [1, 1]  # 8 partitions, 2 workers: one scanner each


def test_score_dataframe_missing_column(client) -> None:
    ddf = dd.from_pandas(pd.DataFrame({"inci": ["Aqua"]}), npartitions=1)
    with pytest.raises(KeyError, match="no column 'ingredients'"):
        milia_dask.score_dataframe(ddf)


def test_cli_engine_dask_writes_what_the_local_engine_writes(tmp_path: Path, client) -> None:
    from click.testing import CliRunner

    rows = awkward_rows(300)  # quoted line breaks, quotes, unicode, CRLF, empty labels
    src = write_csv(tmp_path / "in.csv", rows, bom=True)
    score_file(src, tmp_path / "local.csv")
    runner = CliRunner()
    r = runner.invoke(cli, ["bulk", str(src), "-o", str(tmp_path / "dask.csv"), "--engine", "dask", "--jobs", "2"])
    assert r.exit_code == 0, r.output
    assert "300 rows: 226 scored, 74 empty, 0 errors" in r.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()

    # a directory of partitions: concatenated without their repeated headers, the same rows
    plain = write_csv(tmp_path / "plain.csv", [[r[0], r[1], r[2].replace("\n", " "), "n"] for r in rows])
    score_file(plain, tmp_path / "plain-local.csv")
    summary = milia_dask.score_file(plain, str(tmp_path / "parts") + "/", scheduler=client.scheduler.address,
                                    blocksize=4000)
    parts = sorted((tmp_path / "parts").iterdir())
    assert len(parts) > 1 and summary.rows == 300
    header, *body = (tmp_path / "plain-local.csv").read_bytes().splitlines(keepends=True)
    joined = [line for p in parts for line in p.read_bytes().splitlines(keepends=True)[1:]]
    assert all(p.read_bytes().startswith(header) for p in parts)
    assert joined == body
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_dask_engine_errors(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", awkward_rows(3))
    with pytest.raises(BulkInputError, match="no column 'inci'"):
        milia_dask.score_file(src, tmp_path / "out.csv", column="inci", workers=1)
    with pytest.raises(BulkInputError, match="reads CSV"):
        milia_dask.score_file(tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_dask_engine_reads_and_writes_parquet_like_the_local_engine(tmp_path: Path, client) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from .test_bulk_parquet import products

    pq.write_table(products(120), tmp_path / "in.parquet", row_group_size=30)
    score_file(tmp_path / "in.parquet", tmp_path / "local.parquet")
    summary = milia_dask.score_file(tmp_path / "in.parquet", tmp_path / "dask.parquet",
                                    scheduler=client.scheduler.address)
    assert (tmp_path / "dask.parquet").is_dir() and summary.rows == 120
    keep = ["code", "ingredients", *COLUMNS]
    got = pq.read_table(tmp_path / "dask.parquet").select(keep).to_pylist()
    assert got == pq.read_table(tmp_path / "local.parquet").select(keep).to_pylist()
    assert summary.empty == sum(1 for r in got if r["milia_band"] == "unknown")
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_score_dataframe_reads_each_rows_context_like_score_frame(client) -> None:
    from .test_bulk_context import ROWS

    df = pd.DataFrame(ROWS)
    for kw in ({"context": "auto"}, {"context_column": "use"}, {"context": "rinse-off"}):
        scored = milia_dask.score_dataframe(dd.from_pandas(df, npartitions=3), **kw)
        assert list(scored.columns) == list(df.columns) + list(COLUMNS)
        pd.testing.assert_frame_equal(scored.compute().astype(object), score_frame(df, **kw).astype(object))
    with pytest.raises(BulkInputError, match="none of the name columns"):
        milia_dask.score_dataframe(dd.from_pandas(df[["sku", "ingredients"]], npartitions=1), context="auto")
    bad = df.assign(use=["rinse-off", "soap"] * (len(df) // 2) + ["rinse-off"] * (len(df) % 2))
    with pytest.raises(ValueError, match="the 'use' value is not a context: 'soap'"):
        milia_dask.score_dataframe(dd.from_pandas(bad, npartitions=2), context_column="use").compute()


def test_a_bad_row_is_named_by_its_partition(client) -> None:
    """A row number counts from its partition's start (and read_csv starts each partition's
    index at 0 again): the error names the partition, so the row can be found."""
    df = pd.DataFrame({"ingredients": ["Aqua, Petrolatum"] * 10, "use": ["rinse-off"] * 9 + ["soap"]})
    ddf = dd.from_pandas(df, npartitions=2).reset_index(drop=True)  # each partition's index from 0
    assert ddf.npartitions == 2
    with pytest.raises(ValueError, match=r"^partition 1, row 4 \(index 4\): the 'use' value is not a context"):
        milia_dask.score_dataframe(ddf, context_column="use").compute()


def test_cli_engine_dask_with_context_auto_and_a_context_column(tmp_path: Path, client) -> None:
    from click.testing import CliRunner

    from .test_bulk_context import ROWS

    src = write_csv(tmp_path / "in.csv", [list(r.values()) for r in ROWS], list(ROWS[0]))
    runner = CliRunner()
    for flags, kw in ((["--context", "auto"], {"context": "auto"}),
                      (["--context-column", "use"], {"context_column": "use"}),
                      (["--context", "auto", "--name-column", "use"], {"context": "auto", "name_column": "use"})):
        score_file(src, tmp_path / "local.csv", **kw)
        r = runner.invoke(cli, ["bulk", str(src), "-o", str(tmp_path / "dask.csv"), "--engine", "dask",
                                "--scheduler", client.scheduler.address, *flags])
        assert r.exit_code == 0, r.output
        assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes(), flags
    bad = write_csv(tmp_path / "bad.csv", [["1", "n", "soap", "Aqua"]], list(ROWS[0]))
    r = runner.invoke(cli, ["bulk", str(bad), "-o", str(tmp_path / "bad-out.csv"), "--engine", "dask",
                            "--scheduler", client.scheduler.address, "--context-column", "use"])
    assert r.exit_code == 2 and "'soap'" in r.output and "the dask engine stops at a bad row" in r.output
    r = runner.invoke(cli, ["bulk", str(bad), "-o", str(tmp_path / "bad-out.csv"), "--engine", "dask",
                            "--context-column", "usage"])
    assert r.exit_code == 2 and "no context column 'usage'" in r.output  # checked before any cluster starts
    assert not (tmp_path / "bad-out.csv").exists()


def test_profiles_on_dask_meta_values_csv_and_parquet(tmp_path: Path, client) -> None:
    """--profiles: the meta has the two columns (strings, last), every partition the verdicts
    score_frame gives; the CLI writes the local engine's bytes; Parquet gets string columns."""
    from click.testing import CliRunner

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from milia_scan.bulk import PROFILE_COLUMNS

    from .test_bulk_profiles import CELLS, HEADER, ROWS

    df = pd.DataFrame(CELLS, columns=HEADER)
    scored = milia_dask.score_dataframe(dd.from_pandas(df, npartitions=3), context="auto", profiles=True)
    assert list(scored.columns) == HEADER + list(COLUMNS) + list(PROFILE_COLUMNS)  # the meta, before computing
    assert str(scored.dtypes["milia_fungal"]) == str(scored.dtypes["milia_band"])  # text, like the band
    got = scored.compute()
    pd.testing.assert_frame_equal(got.astype(object), score_frame(df, context="auto", profiles=True).astype(object))
    assert list(zip(got["milia_fungal"], got["milia_allergens"])) == [r["want"] for r in ROWS]
    assert list(milia_dask.score_dataframe(dd.from_pandas(df, npartitions=2)).columns) == HEADER + list(COLUMNS)

    src = write_csv(tmp_path / "in.csv", CELLS, HEADER)
    score_file(src, tmp_path / "local.csv", profiles=True)
    r = CliRunner().invoke(cli, ["bulk", str(src), "-o", str(tmp_path / "dask.csv"), "--engine", "dask",
                                 "--scheduler", client.scheduler.address, "--profiles"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()

    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "in.parquet", row_group_size=10)
    score_file(tmp_path / "in.parquet", tmp_path / "local.parquet", profiles=True)
    milia_dask.score_file(tmp_path / "in.parquet", tmp_path / "dask.parquet", scheduler=client.scheduler.address,
                          profiles=True)
    table = pq.read_table(tmp_path / "dask.parquet")
    assert [table.schema.field(c).type for c in PROFILE_COLUMNS] == [pa.string(), pa.string()]
    keep = [*HEADER, *COLUMNS, *PROFILE_COLUMNS]
    assert table.select(keep).to_pylist() == pq.read_table(tmp_path / "local.parquet").select(keep).to_pylist()
