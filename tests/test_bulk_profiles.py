"""`bulk --profiles` (issue #13): milia_fungal and milia_allergens, last, each profile's verdict,
the same in every engine and format as `Scanner.scan(label).profiles` (and as the hand-checked
corpus); nothing added, and the same bytes as ever, without it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import milia_scan
from milia_scan import bulk
from milia_scan.bulk import PROFILE_COLUMNS, context_spec, score_file, score_labels, score_rows
from milia_scan.bulk.rows import added_columns, profile_cells

from .bulk_differential import engines_agree  # noqa: F401  (autouse: both CSV engines agree)
from .test_bulk import read_csv, write_csv

CORPUS = Path(__file__).parent / "data" / "profiles_corpus.jsonl"
HEADER = ["sku", "name", "ingredients"]


def _corpus_rows() -> list[dict]:
    """Every third hand-checked label (real products, each verdict of both profiles), twice (a
    repeated label is scored once per batch), and two empty labels."""
    picked = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()][::3]
    rows = [{"sku": r["product_id"], "name": r["name"], "ingredients": r["label"],
             "want": (r["fungal_acne"], r["allergens"])} for r in picked]
    rows += [{**r, "sku": r["sku"] + "-again"} for r in rows[:8]]
    rows.insert(5, {"sku": "empty-1", "name": "Night Cream", "ingredients": "", "want": ("", "")})
    rows.append({"sku": "empty-2", "name": "", "ingredients": "   ", "want": ("", "")})
    return rows


ROWS = _corpus_rows()
CELLS = [list(r.values())[:3] for r in ROWS]


def _verdicts(label: str) -> tuple[str, str]:
    """What `milia-scan scan` says of the label: the reference for the two cells."""
    if not label.strip():
        return "", ""
    p = milia_scan.default_scanner().scan(label).profiles
    return p.fungal_acne.verdict, p.allergens.verdict


def test_the_rows_are_real_and_cover_every_verdict() -> None:
    assert len(ROWS) > 40
    for r in ROWS:
        assert _verdicts(r["ingredients"]) == r["want"], r["sku"]  # hand-checked = what scan says
    fungal, allergens = {r["want"][0] for r in ROWS}, {r["want"][1] for r in ROWS}
    assert fungal == allergens == {"flag", "clear", "cannot tell", ""}


def _profile_part(rows: list[list[str]], width: int) -> list[list[str]]:
    return [r[width:] for r in rows]


@pytest.mark.parametrize("jobs", [1, 2])
def test_csv_gets_the_two_columns_last_with_the_scan_verdicts(tmp_path: Path, jobs: int) -> None:
    src = write_csv(tmp_path / "in.csv", CELLS, HEADER)
    s = score_file(src, tmp_path / "out.csv", jobs=jobs, chunk_size=7, context="auto", profiles=True)
    header, out = read_csv(tmp_path / "out.csv")
    assert header == HEADER + list(bulk.COLUMNS) + ["milia_fungal", "milia_allergens"]
    assert [r[0] for r in out] == [r["sku"] for r in ROWS]  # every row, in order
    assert [tuple(r[-2:]) for r in out] == [r["want"] for r in ROWS]
    for got in out:
        if not got[2].strip():  # an empty label: band unknown, empty score, and empty verdicts
            assert got[3:5] == ["", "unknown"] and got[-2:] == ["", ""]
    assert (s.rows, s.scored, s.empty, s.errors) == (len(ROWS), len(ROWS) - 2, 2, 0)


def test_without_profiles_nothing_is_added_and_the_rest_is_the_same(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", CELLS, HEADER)
    score_file(src, tmp_path / "plain.csv", context="auto")
    score_file(src, tmp_path / "with.csv", context="auto", profiles=True)
    header, plain = read_csv(tmp_path / "plain.csv")
    assert header == HEADER + list(bulk.COLUMNS)
    assert not set(PROFILE_COLUMNS) & set(header)
    with_header, with_rows = read_csv(tmp_path / "with.csv")
    assert with_header[:-2] == header and [r[:-2] for r in with_rows] == plain
    # the library too: no verdicts unless asked for
    assert all(r.fungal_acne is None and r.allergens is None for r in score_labels([CELLS[0][2]]) if r)
    assert list(next(score_rows([{"ingredients": CELLS[0][2]}]))) == ["ingredients", *bulk.COLUMNS]


def test_a_fallback_list_puts_milia_column_before_the_profiles(tmp_path: Path) -> None:
    rows = [["1", "", "Aqua, Parfum"], ["2", "Aqua, Linalool", "Petrolatum"], ["3", "", ""]]
    src = write_csv(tmp_path / "in.csv", rows, ["sku", "inci_en", "inci"])
    score_file(src, tmp_path / "out.csv", column=["inci_en", "inci"], profiles=True)
    header, out = read_csv(tmp_path / "out.csv")
    assert header[-3:] == ["milia_column", "milia_fungal", "milia_allergens"]
    assert added_columns(["inci_en", "inci"], True) == (*bulk.COLUMNS, "milia_column", *PROFILE_COLUMNS)
    assert [r[-3:] for r in out] == [["inci", *_verdicts("Aqua, Parfum")], ["inci_en", *_verdicts("Aqua, Linalool")],
                                     ["", "", ""]]
    assert out[1][-2:] == ["clear", "flag"] and out[0][-1] == "cannot tell"  # parfum: cannot tell, not clear


def test_existing_profile_columns_are_overwritten_in_place_only_when_asked(tmp_path: Path) -> None:
    header = ["sku", "milia_allergens", "ingredients"]
    src = write_csv(tmp_path / "in.csv", [["1", "old", "Aqua, Linalool"]], header)
    score_file(src, tmp_path / "out.csv", profiles=True)
    got_header, out = read_csv(tmp_path / "out.csv")
    assert got_header == [*header, *bulk.COLUMNS, "milia_fungal"]
    assert out[0][1] == "flag" and out[0][-1] == _verdicts("Aqua, Linalool")[0]
    score_file(src, tmp_path / "plain.csv")
    assert read_csv(tmp_path / "plain.csv")[1][0][1] == "old"  # an input column like any other


def _text(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("mode", [{"context": "auto"}, {"context": "rinse-off"}])
def test_every_engine_and_format_gives_the_same_cells(tmp_path: Path, mode: dict) -> None:
    names = [*bulk.COLUMNS, *PROFILE_COLUMNS]
    records = [{k: r[k] for k in HEADER} for r in ROWS]
    want = [[_text(r[c]) for c in names] for r in score_rows(records, profiles=True, **mode)]
    assert [tuple(w[-2:]) for w in want] == [r["want"] for r in ROWS]
    src = write_csv(tmp_path / "in.csv", CELLS, HEADER)
    for jobs in (1, 2):  # CSV: the row engine and the columnar engine (bulk_differential), 1 and 2 workers
        score_file(src, tmp_path / "out.csv", jobs=jobs, chunk_size=5, profiles=True, **mode)
        assert _profile_part(read_csv(tmp_path / "out.csv")[1], len(HEADER)) == want
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for jobs in (1, 2):
        score_file(jsonl, tmp_path / "out.jsonl", jobs=jobs, chunk_size=5, profiles=True, **mode)
        out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [list(o)[-2:] for o in out] == list(map(list, [PROFILE_COLUMNS] * len(out)))
        assert [[_text(o[c]) for c in names] for o in out] == want
        assert out[5]["milia_fungal"] == "" and out[5]["milia_score"] is None  # empty: "" (text), score null
    got = list(score_labels([r["ingredients"] for r in ROWS], jobs=2, chunk_size=5, profiles=True,
                            context="rinse-off"))
    assert [("", "") if g is None else (g.fungal_acne, g.allergens) for g in got] == [r["want"] for r in ROWS]
    pd = pytest.importorskip("pandas")
    frame = bulk.score_frame(pd.DataFrame(records), profiles=True, **mode)
    assert list(frame.columns) == HEADER + names
    assert [[_text(None if v is pd.NA else v) for v in row] for row in frame[names].values.tolist()] == want
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "in.parquet", row_group_size=9)
    for jobs in (1, 2):
        score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=jobs, chunk_size=6, profiles=True, **mode)
        table = pq.read_table(tmp_path / "out.parquet")
        assert [table.schema.field(c).type for c in PROFILE_COLUMNS] == [pa.string(), pa.string()]
        assert table.column("milia_fungal").null_count == 0  # "" for an empty label, like milia_hits
        assert [[_text(r[c]) for c in names] for r in table.to_pylist()] == want
    score_file(tmp_path / "in.parquet", tmp_path / "plain.parquet", **mode)
    assert pq.read_schema(tmp_path / "plain.parquet").names == HEADER + list(bulk.COLUMNS)


def test_bad_rows_still_go_to_the_errors_with_profiles(tmp_path: Path) -> None:
    lines = "sku,use,ingredients\n1,rinse-off,\"Aqua, Linalool\"\n2,bath,Aqua\n3,eye-area,\"Petrolatum\"\n"
    (tmp_path / "in.csv").write_text(lines, encoding="utf-8")
    s = score_file(tmp_path / "in.csv", tmp_path / "out.csv", context_column="use", profiles=True,
                   errors=tmp_path / "errors.csv")
    _, out = read_csv(tmp_path / "out.csv")
    assert [(r[0], r[-3], *r[-2:]) for r in out] == [("1", "rinse-off", *_verdicts("Aqua, Linalool")),
                                                     ("3", "eye-area", *_verdicts("Petrolatum"))]
    with open(tmp_path / "errors.csv", encoding="utf-8", newline="") as fh:
        assert [e["line"] for e in csv.DictReader(fh)] == ["3"]
    assert (s.rows, s.written, s.errors) == (3, 2, 1)


def test_the_flag_is_carried_by_the_spec_and_the_cells_refuse_a_result_without_verdicts() -> None:
    spec = context_spec("auto", profiles=True).resolve(["name", "ingredients"], "in.csv")
    assert (spec.column, spec.profiles) == ("name", True)
    assert not context_spec("auto").profiles
    assert profile_cells(None) == ("", "")
    with pytest.raises(ValueError, match="without profiles"):
        profile_cells(milia_scan.default_scanner().score("Aqua"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_profiles(run, tmp_path: Path, jobs: str) -> None:
    src = write_csv(tmp_path / "in.csv", CELLS, HEADER)
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--profiles", "--jobs", jobs, "--context", "auto")
    assert r.exit_code == 0, r.output
    assert f"{len(ROWS)} rows: {len(ROWS) - 2} scored, 2 empty, 0 errors" in r.output
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        out = list(csv.DictReader(fh))
    assert [(o["milia_fungal"], o["milia_allergens"]) for o in out] == [r["want"] for r in ROWS]
    r = run("bulk", str(src), "-o", str(tmp_path / "plain.csv"), "--jobs", jobs, "--context", "auto")
    assert r.exit_code == 0, r.output
    assert "milia_fungal" not in (tmp_path / "plain.csv").read_text(encoding="utf-8")


def test_cli_help_teaches_the_values() -> None:
    from click.testing import CliRunner

    from milia_scan.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["bulk", "--help"]).output.split())
    for words in ("--profiles", "milia_fungal", "milia_allergens", "cannot tell", "it is NOT clear",
                  "Slower on labels never seen", "--profiles # + milia_fungal, milia_allergens"):
        assert words in text, words


def test_unquoted_output_refuses_a_space_delimiter_with_profiles(tmp_path: Path) -> None:
    """'cannot tell' holds a space: unquoted (--quoting none), a space-delimited output could
    not be read back. Refused before any output, with profiles only (without, as ever)."""
    src = tmp_path / "in.csv"
    src.write_text("sku ingredients\n1 Aqua,Parfum\n", encoding="utf-8")
    with pytest.raises(bulk.BulkInputError, match="cannot use the delimiter ' '.*use quoting minimal"):
        score_file(src, tmp_path / "out.csv", delimiter=" ", quoting="none", profiles=True)
    assert not (tmp_path / "out.csv").exists()
    s = score_file(src, tmp_path / "out.csv", delimiter=" ", quoting="none")
    assert s.written == 1 and (tmp_path / "out.csv").read_text(encoding="utf-8").endswith(" leave-on\n")
    score_file(src, tmp_path / "quoted.csv", delimiter=" ", profiles=True)  # minimal quoting: quoted
    assert read_csv(tmp_path / "quoted.csv", delimiter=" ")[1][0][-2:] == list(_verdicts("Aqua,Parfum"))
    assert (tmp_path / "quoted.csv").read_text(encoding="utf-8").endswith('"cannot tell"\n')
