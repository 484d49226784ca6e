"""Each bulk row's context: from a column (context_column), from its product name (context "auto"),
or one for all; milia_context says which, in every engine and format; a value that is not a
context is a bad row with its line, never a guess, never dropped."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

import milia_scan
from milia_scan import bulk
from milia_scan.bulk import BulkInputError, context_spec, score_file, score_labels, score_rows
from milia_scan.context import NAME_COLUMNS

from .bulk_differential import engines_agree  # noqa: F401  (autouse: both CSV engines agree)
from .test_bulk import expected_cells, read_csv, write_csv

SALTY = "Aqua, Sodium Laureth Sulfate, Sodium Chloride, Cocamidopropyl Betaine"
HEAVY = "Petrolatum, Mineral Oil, Cera Microcristallina, Lanolin Alcohol"
MULTILINE = "Ingredients:\nAqua,\nIsopropyl Myristate"

# (sku, use, label): rows 4 to 6 have no context in "use" (lines 7, 8, 9: row 2's label spans three lines)
USE_ROWS = [
    ["1", "rinse-off", SALTY],
    ["2", " Eye-Area ", MULTILINE],
    ["3", "LEAVE-ON", ""],
    ["4", "", SALTY],
    ["5", "bath", HEAVY],
    ["6", "leave on", HEAVY],
    ["7", "rinse-off", HEAVY],
]
USE_HEADER = ["sku", "use", "ingredients"]


def _errors(path: Path) -> list[tuple[int, str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [(int(e["line"]), e["reason"], e["record"]) for e in csv.DictReader(fh)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_context_column_each_row_and_bad_values_as_bad_rows(tmp_path: Path, jobs: int) -> None:
    src = write_csv(tmp_path / "in.csv", USE_ROWS, USE_HEADER)
    s = score_file(src, tmp_path / "out.csv", context_column="use", jobs=jobs, chunk_size=2,
                   errors=tmp_path / "errors.csv")
    header, out = read_csv(tmp_path / "out.csv")
    assert header == USE_HEADER + list(bulk.COLUMNS)
    assert [r[0] for r in out] == ["1", "2", "3", "7"]  # in order, the bad ones set aside
    for got, want in zip(out, ["rinse-off", "eye-area", "leave-on", "rinse-off"]):
        assert got[1] == dict((r[0], r[1]) for r in USE_ROWS)[got[0]]  # the input cell, unchanged
        assert got[3:] == expected_cells(got[2], context=want)
    assert _errors(tmp_path / "errors.csv") == [
        (7, "the 'use' value is empty, not a context (use leave-on, rinse-off or eye-area)", f'4,,"{SALTY}"'),
        (8, "the 'use' value is not a context: 'bath' (use leave-on, rinse-off or eye-area)", f'5,bath,"{HEAVY}"'),
        (9, "the 'use' value is not a context: 'leave on' (use leave-on, rinse-off or eye-area)",
         f'6,leave on,"{HEAVY}"'),
    ]
    assert (s.rows, s.scored, s.empty, s.errors) == (7, 3, 1, 3)


def test_context_column_in_json_lines(tmp_path: Path) -> None:
    records = [{"id": 1, "use": "Rinse-Off", "ingredients": SALTY}, {"id": 2, "ingredients": SALTY},
               {"id": 3, "use": None, "ingredients": SALTY}, {"id": 4, "use": 2, "ingredients": SALTY},
               {"id": 5, "use": "eye-area", "ingredients": ["Petrolatum", "Lanolin"]},
               {"id": 6, "use": "face", "ingredients": None}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    s = score_file(src, tmp_path / "out.jsonl", context_column="use", errors=tmp_path / "errors.csv")
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(o["id"], o["milia_context"]) for o in out] == [(1, "rinse-off"), (5, "eye-area")]
    assert out[0]["use"] == "Rinse-Off"  # the input value stays as it was
    assert out[1]["milia_score"] == milia_scan.default_scanner().score("Petrolatum, Lanolin", context="eye-area").score
    assert [(line, reason.split(" (")[0]) for line, reason, _ in _errors(tmp_path / "errors.csv")] == [
        (2, "the 'use' value is missing, not a context"), (3, "the 'use' value is missing, not a context"),
        (4, "the 'use' value is a int, not text"), (6, "the 'use' value is not a context: 'face'")]
    assert (s.rows, s.written, s.errors) == (6, 2, 4)
    # the first good record must have the column, like the label column
    with pytest.raises(BulkInputError, match="no context column 'usage'"):
        score_file(src, tmp_path / "out2.jsonl", context_column="usage")
    assert not (tmp_path / "out2.jsonl").exists()


def test_context_column_missing_from_the_header_is_an_error_before_any_work(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", USE_ROWS, USE_HEADER)
    with pytest.raises(BulkInputError, match="no context column 'usage'; its columns: 'sku', 'use', 'ingredients'"):
        score_file(src, tmp_path / "out.csv", context_column="usage", errors=tmp_path / "errors.csv")
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


NAMED = [["a1", "CeraVe Foaming Facial Cleanser", SALTY], ["a2", "Retinol Eye Cream", HEAVY],
         ["a3", "Night Cream", HEAVY], ["a4", "", HEAVY], ["a5", "Body Wash", ""]]


@pytest.mark.parametrize("jobs", [1, 2])
def test_auto_reads_the_first_name_column_of_the_list(tmp_path: Path, jobs: int) -> None:
    for name_col in ("name", "product_name", "category"):
        src = write_csv(tmp_path / f"{name_col}.csv", NAMED, ["sku", name_col, "ingredients"])
        s = score_file(src, tmp_path / "out.csv", context="auto", jobs=jobs, chunk_size=2)
        _, out = read_csv(tmp_path / "out.csv")
        contexts = ["rinse-off", "eye-area", "leave-on", "leave-on", "rinse-off"]  # an empty name: leave-on
        assert [r[-1] for r in out] == contexts, name_col
        for got, context in zip(out, contexts):
            assert got[3:] == expected_cells(got[2], context=context)
        assert (s.rows, s.errors) == (5, 0)
    # the first of NAME_COLUMNS in the header wins, wherever it stands; --name-column overrides
    rows = [["x", "Shower Gel", "Eye Cream", HEAVY]]
    src = write_csv(tmp_path / "two.csv", rows, ["sku", "category", "title", "ingredients"])
    assert NAME_COLUMNS.index("title") < NAME_COLUMNS.index("category")
    score_file(src, tmp_path / "out.csv", context="auto")
    assert read_csv(tmp_path / "out.csv")[1][0][-1] == "eye-area"
    score_file(src, tmp_path / "out.csv", context="auto", name_column="category")
    assert read_csv(tmp_path / "out.csv")[1][0][-1] == "rinse-off"


def test_auto_without_a_name_column_is_an_error_before_any_row_is_read(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", USE_ROWS, USE_HEADER)
    with pytest.raises(BulkInputError, match="none of the name columns name, product_name") as err:
        score_file(src, tmp_path / "out.csv", context="auto")
    assert "--name-column" in str(err.value) and "'sku', 'use', 'ingredients'" in str(err.value)
    with pytest.raises(BulkInputError, match="no product name column 'title'"):
        score_file(src, tmp_path / "out.csv", context="auto", name_column="title")
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"ingredients": "Aqua"}) + "\n", encoding="utf-8")
    with pytest.raises(BulkInputError, match="none of the name columns"):
        score_file(jsonl, tmp_path / "out.jsonl", context="auto")
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "in.jsonl"]


def test_contradictory_options_are_refused() -> None:
    with pytest.raises(ValueError, match="exclude each other"):
        context_spec("rinse-off", "use")
    with pytest.raises(ValueError, match="exclude each other"):
        context_spec("auto", "use")
    with pytest.raises(ValueError, match="name column is for context auto"):
        context_spec("rinse-off", None, "name")
    with pytest.raises(ValueError, match="unknown context 'face'"):
        context_spec("face")
    with pytest.raises(ValueError, match="unknown context 'auto'"):
        list(score_labels(["Aqua"], context="auto"))  # no name to read


def test_score_rows_reads_each_rows_context_and_names_a_bad_row() -> None:
    rows = [{"name": "Foaming Cleanser", "use": "eye-area", "ingredients": SALTY}, {"name": "", "ingredients": SALTY}]
    scanner = milia_scan.default_scanner()
    got = list(score_rows(rows, context="auto"))
    assert [r["milia_context"] for r in got] == ["rinse-off", "leave-on"]
    assert got[0]["milia_score"] == scanner.score(SALTY, context="rinse-off").score
    assert list(score_rows(rows[:1], context_column="use"))[0]["milia_context"] == "eye-area"
    with pytest.raises(ValueError, match="row 1: the 'use' value is missing"):
        list(score_rows(rows, context_column="use"))
    with pytest.raises(BulkInputError, match="no context column 'usage'"):
        list(score_rows(rows, context_column="usage"))
    assert [r["milia_context"] for r in score_rows(rows, context="eye-area")] == ["eye-area", "eye-area"]


# ---------------------------------------------------------------------------- every engine and format

ROWS = [{"sku": f"{i:03d}", "name": name, "use": use, "ingredients": label}
        for i, (name, use, label) in enumerate([
            ("Micellar Cleansing Water", "rinse-off", SALTY), ("Eye Balm", "eye-area", HEAVY),
            ("Healing Ointment", "leave-on", HEAVY), ("", "Leave-On", SALTY), ("Shampoo", " rinse-off", ""),
            ("Under-Eye Patches", "EYE-AREA", MULTILINE), ("Gel Douche", "rinse-off", HEAVY),
        ] * 3)]
MODES = {"column": {"context_column": "use"}, "auto": {"context": "auto"}, "fixed": {"context": "eye-area"}}


def _cells(row: dict) -> list[str]:
    return ["" if row[c] is None else str(row[c]) for c in bulk.COLUMNS]


@pytest.mark.parametrize("mode", MODES)
def test_every_engine_and_format_gives_the_same_cells(tmp_path: Path, mode: str) -> None:
    kw = MODES[mode]
    want = [_cells(r) for r in score_rows(ROWS, **kw)]
    assert len({c[-1] for c in want}) == (1 if mode == "fixed" else 3)
    header = list(ROWS[0])
    src = write_csv(tmp_path / "in.csv", [list(r.values()) for r in ROWS], header)
    for jobs in (1, 2):  # CSV: the row engine and the columnar engine (bulk_differential), 1 and 2 workers
        score_file(src, tmp_path / "out.csv", jobs=jobs, chunk_size=3, **kw)
        assert [r[len(header):] for r in read_csv(tmp_path / "out.csv")[1]] == want
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    for jobs in (1, 2):
        score_file(jsonl, tmp_path / "out.jsonl", jobs=jobs, chunk_size=3, **kw)
        lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
        assert [_cells(json.loads(x)) for x in lines] == want
    pd = pytest.importorskip("pandas")
    frame = bulk.score_frame(pd.DataFrame(ROWS), **kw)
    assert [_cells({c: (None if v is pd.NA else v) for c, v in r.items()}) for r in frame.to_dict("records")] == want
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "in.parquet", row_group_size=4)
    for jobs in (1, 2):
        score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=jobs, chunk_size=5, **kw)
        assert [_cells(r) for r in pq.read_table(tmp_path / "out.parquet").to_pylist()] == want


def test_parquet_bad_contexts_go_to_the_errors_with_their_row_number(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"sku": ["1", "2", "3", "4"], "use": ["rinse-off", "soap", None, "Eye-Area"],
                      "ingredients": [SALTY, SALTY, HEAVY, HEAVY]})
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=2)
    s = score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", context_column="use", chunk_size=2,
                   errors=tmp_path / "errors.csv")
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["sku"], r["milia_context"]) for r in out] == [("1", "rinse-off"), ("4", "eye-area")]
    errs = _errors(tmp_path / "errors.csv")
    assert [(line, reason.split(" (")[0]) for line, reason, _ in errs] == [
        (2, "the 'use' value is not a context: 'soap'"), (3, "the 'use' value is missing, not a context")]
    assert json.loads(errs[0][2]) == {"sku": "2", "use": "soap", "ingredients": SALTY}
    assert (s.rows, s.written, s.errors) == (4, 2, 2)
    pq.write_table(pa.table({"use": [1], "ingredients": ["Aqua"]}), tmp_path / "int.parquet")
    with pytest.raises(BulkInputError, match="column 'use' is int64, not contexts"):
        score_file(tmp_path / "int.parquet", tmp_path / "out2.parquet", context_column="use")
    # Open Beauty Facts' per-language product names are read like its labels
    names = pa.array([[{"lang": "main", "text": "Gel douche"}], None], pa.list_(pa.struct([("lang", pa.string()),
                                                                                           ("text", pa.string())])))
    pq.write_table(pa.table({"product_name": names, "ingredients": [SALTY, SALTY]}), tmp_path / "obf.parquet")
    score_file(tmp_path / "obf.parquet", tmp_path / "obf-out.parquet", context="auto")
    assert [r["milia_context"] for r in pq.read_table(tmp_path / "obf-out.parquet").to_pylist()] == [
        "rinse-off", "leave-on"]
    assert not (tmp_path / "out2.parquet").exists()


# ---------------------------------------------------------------------------- the CLI and the done-means

# Real rows of the LookFantastic sample (../shared/data/labels), in its layout. Scored leave-on, as
# bulk scored everything before issue #11, the first two were `high` from their salt and surfactant.
RINSE_OFF = [
    ["lookfantastic_1017", "", "L'Oréal Paris Men Expert Clean Power Shower Gel 300ml",
     "sodium laureth sulfate, glycerin, sodium chloride, cocamidopropyl betaine, parfum, ci 19140, ci 42090, "
     "sodium benzoate, sodium acetate, sodium hydroxide, ppg-5-ceteth-20, polyquaternium-10, salicylic acid, "
     "limonene, linalool, pentylene glycol, mentha piperita extract, isopropyl alcohol, geraniol, citrus limon "
     "juice extract, citrus limon juice extract, citronellol, citric acid"],
    ["lookfantastic_0752", "", "Clinique for Men Face Wash 200ml",
     "sodium laureth sulfate, sodium chloride, cocamidopropyl hydroxysultaine, lauramidopropyl betaine, sodium "
     "cocoyl sarcosinate, tea-cocoyl glutamate, aloe barbadenis extract, sodium hyaluronate, sucrose, di-ppg-2 "
     "myreth-10 adipate, hexylene glycol, chamomilla recutita flower oil, butylene glycol, caprylyl glycol, cetyl "
     "dimethicon, sodium sulfate, polyquaternium-7, laureth-2, peg-120 methyl glucose dioleate, tocopheryl "
     "acetate, edta, disodium edta, sodium benzoate, phenoxyethanol"],
    ["lookfantastic_0740", "", "Caudalie Instant Foaming Cleanser (150ml)",
     "glycerin, sodium cocoyl glutamate, cocamidopropyl betaine, caprylyl wheat bran/straw glycosides (from wheat "
     "bran), sodium chloride, citric acid, caprylyl glycol, parfum, cocamidopropyl betaine, potassium sorbate, "
     "sodium methyl cocoyl taurate, sodium cocoyl isethionate, sodium phytate, chamomilla recutita flower oil, "
     "salvia officinalis, vitis vinifera extract, sodium benzoate, butylphenyl methylpropional, linalool, "
     "citronellol"],
    ["lookfantastic_0766", "", "Caudalie Micellar Cleansing Water 400ml",
     "glycerin, poloxamer 188, vitis vinifera extract, capryl/capramidopropyl betaine, cocoyl proline, "
     "methylpropanediol, sodium chloride, polyaminopropyl biguanide, parfum, chamomilla recutita flower oil, "
     "caprylyl glycol, vitis vinifera extract, sodium hydroxide, citric acid, phenylpropanol, sodium benzoate, "
     "potassium sorbate"],
]
OINTMENT = ["archetype_ointment", "", "Healing Ointment 50g",
            "Petrolatum 41%, Mineral Oil, Ceresin, Lanolin Alcohol, Panthenol, Glycerin, Bisabolol"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_done_means_rinse_off_products_in_context_auto(run, tmp_path: Path, jobs: str) -> None:
    """Issue #11: a shower gel, a foaming cleanser and a micellar water in --context auto get
    rinse-off and are not high from a salt or a surfactant; an ointment with petrolatum first
    stays high on the milia axis (leave-on)."""
    scanner = milia_scan.default_scanner()
    rows = [*RINSE_OFF, OINTMENT] * 3
    src = write_csv(tmp_path / "in.csv", rows, ["product_id", "brand", "name", "ingredients"])
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--context", "auto", "--jobs", jobs)
    assert r.exit_code == 0, r.output
    assert "15 rows: 15 scored, 0 empty, 0 errors" in r.output
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        out = list(csv.DictReader(fh))
    assert [o["product_id"] for o in out] == [row[0] for row in rows]
    leave_on_highs = 0
    for o in out:
        if o["product_id"] == OINTMENT[0]:
            assert o["milia_context"] == "leave-on"
            assert scanner.scan(o["ingredients"]).milia.band == "high"
            assert int(o["milia_occlusion"]) == scanner.score(o["ingredients"]).milia
            continue
        assert o["milia_context"] == "rinse-off", o["name"]
        assert o["milia_band"] != "high", o["name"]
        before = scanner.score(o["ingredients"], context="leave-on")
        assert {"sodium-chloride", "sodium-laureth-sulfate"} & set(before.hits)  # the salt or the surfactant
        leave_on_highs += before.band == "high"
    assert leave_on_highs == 6  # the shower gel and the face wash, 3 times: the test would see the old result


def test_cli_context_options(run, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", USE_ROWS, USE_HEADER)
    out = str(tmp_path / "out.csv")
    r = run("bulk", str(src), "-o", out, "--context", "rinse-off", "--context-column", "use")
    assert r.exit_code == 2 and "give --context or --context-column, not both" in r.output
    r = run("bulk", str(src), "-o", out, "--name-column", "use")
    assert r.exit_code == 2 and "--name-column is for --context auto" in r.output
    r = run("bulk", str(src), "-o", out, "--context", "auto")
    assert r.exit_code == 2 and r.output.startswith("milia-scan: error: ") and r.output.count("\n") == 1
    assert "--name-column" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out.csv").exists()
    r = run("bulk", str(src), "-o", out, "--context-column", "use", "--jobs", "2")
    assert r.exit_code == 0, r.output
    assert "7 rows: 3 scored, 1 empty, 3 errors" in r.output
    assert "milia-scan: line 8: the 'use' value is not a context: 'bath'" in r.output
    r = run("bulk", str(src), "-o", out, "--context", "auto", "--name-column", "use")
    assert r.exit_code == 0 and "7 rows: 6 scored, 1 empty, 0 errors" in r.output
    assert [row[-1] for row in read_csv(tmp_path / "out.csv")[1]] == [
        "rinse-off", "eye-area", "leave-on", "leave-on", "rinse-off", "leave-on", "rinse-off"]  # 'bath' is a word
    help_text = run("bulk", "--help").output
    assert "--context auto" in help_text and "--context-column usage" in help_text and "milia_context" in help_text
