"""The archetype table (tests/data/archetypes.csv, docs/calibration.md): real labels of clear
archetypes (ointments, balms, heavy creams, light serums, toners, rinse-off cleansers, eye creams)
with the band expected from the label and the sources, and why.

Each row is scanned in the context `infer_context` reads from its name, which must be the row's
context. A row whose `disagrees` says why the scorer does not yet give the expected band is a
strict xfail: it fails the day the scorer agrees, so the table is updated with it. A change of
weights that breaks a row must say why in its commit, and update the row or its `disagrees`.
"""

from __future__ import annotations

import csv
import json

import pytest

from milia_scan import infer_context, scan

from .conftest import ROOT, SHARED_DATA

TABLE = ROOT / "tests" / "data" / "archetypes.csv"
COLUMNS = ["source", "product_id", "name", "archetype", "context", "band", "reason", "disagrees", "label"]


def _rows() -> list[dict[str, str]]:
    if not TABLE.exists():
        return []
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()
needs_table = pytest.mark.skipif(not ROWS, reason=f"archetype table not present: {TABLE}")


def _param(row: dict[str, str]):  # type: ignore[no-untyped-def]
    marks = [pytest.mark.xfail(strict=True, reason=row["disagrees"])] if row["disagrees"] else []
    return pytest.param(row, id=row["product_id"], marks=marks)


@needs_table
def test_the_table() -> None:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    assert len(ROWS) >= 60
    assert len({r["product_id"] for r in ROWS}) == len(ROWS)
    kinds = {r["archetype"] for r in ROWS}
    assert {"ointment", "heavy night cream", "light serum", "toner", "rinse-off cleanser", "heavy eye cream"} <= kinds
    assert all(r["band"] in ("low", "moderate", "high") and r["reason"] and r["label"] for r in ROWS)
    assert sum(bool(r["disagrees"]) for r in ROWS) <= len(ROWS) // 10, "known disagreements stay few"


@needs_table
@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_archetype_band(row: dict[str, str]) -> None:
    assert infer_context(row["name"]) == row["context"], "the context is read from the name"
    report = scan(row["label"], context=row["context"])
    assert report.band == row["band"], f"{row['reason']}: got {report.score} {report.band}"


@needs_table
def test_rinse_off_is_never_high_and_ointments_are_high_on_milia() -> None:
    """The issue's promises over the whole table, known disagreements included."""
    for row in ROWS:
        report = scan(row["label"], context=row["context"])
        if row["context"] == "rinse-off":
            assert report.band != "high", row["product_id"]
        if row["archetype"] == "ointment":
            for ctx in ("leave-on", "eye-area"):
                assert scan(row["label"], context=ctx).milia.band == "high", (row["product_id"], ctx)


def _source_labels() -> dict[str, str]:
    labels = {}
    for path in sorted((SHARED_DATA / "labels").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            labels.update((r["product_id"], r["ingredients"]) for r in csv.DictReader(fh))
    corpus = ROOT / "tests" / "data" / "corpus.jsonl"
    for line in corpus.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        labels.setdefault(rec["product_id"], rec["label"])
    return labels


@needs_table
def test_labels_are_verbatim() -> None:
    if not (SHARED_DATA / "labels").is_dir():
        pytest.skip(f"reference data not present: {SHARED_DATA / 'labels'}")
    labels = _source_labels()
    for row in ROWS:
        assert row["label"] == labels[row["product_id"]], row["product_id"]


def test_calibration_product_types() -> None:
    """benchmarks/calibration.py types products by name for its tables (the context first)."""
    import sys

    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import calibration

    assert calibration.product_type("lookfantastic.csv", "Men Expert Shower Gel") == "shower, bath, body wash"
    assert calibration.product_type("lookfantastic.csv", "Foaming Facial Cleanser") == "face cleanser, micellar"
    assert calibration.product_type("sephora.csv", "Extra Eye Repair Cream") == "eye care"
    assert calibration.product_type("sephora.csv", "Healing Ointment") == "ointment, balm, salve"
    assert calibration.product_type("sephora.csv", "Oil-Free Moisturizer") == "cream, lotion, moisturiser"
    assert calibration.product_type("curlsbot.csv", "Curl Cream") == "hair, leave-on"
    assert calibration.product_type("curlsbot.csv", "Moisture Conditioner") == "hair rinse-off"
    rows = [{"archetype": "toner", "band": "low"}, {"archetype": "toner", "band": "low"}]
    table = calibration.archetype_table(rows, ["low", "high"], ["low", "low"], ["low", "low"])
    assert "| toner | 2 | low 2 | 1/2 | 2/2 | 2/2 |" in table
