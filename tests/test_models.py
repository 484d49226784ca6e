"""Result models built without validation (`models.built`, the scanner's hot path) are the models
validation would give: equal, hashing, printing and serialising alike, and round-tripping
through JSON. The reference for every report is the same values validated by pydantic."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

from milia_scan import Scanner
from milia_scan.models import Axis, Hit, Part, ProfileHit, ProfileToken, Report, Token, built

CORPUS = [json.loads(line)["label"] for line in (Path(__file__).parent / "data" / "corpus.jsonl").open(encoding="utf-8")]
HARD = ["", "Aqua", "Ingredients: Aqua, Petrolatum 41%, Lanolin (Eucerit), Cera Alba, Retinol, Salicylic Acid 2%",
        "Cleanser: Aqua, Petrolatum. Moisturizer: Aqua, Lanolin, Dimethicone, Petrolaturn",
        "Active ingredients: Salicylic Acid 2% Inactive ingredients: Water, Petrolatum, May contain: Mica"]


@pytest.fixture(scope="module")
def reports(scanner: Scanner) -> list[Report]:
    contexts = ("leave-on", "rinse-off", "eye-area")
    return [scanner.scan(label, context=contexts[i % 3]) for i, label in enumerate(CORPUS + HARD)]


def _validated(model):  # type: ignore[no-untyped-def]
    return type(model).model_validate(model.model_dump())


def test_reports_are_what_validation_would_build(reports: list[Report]) -> None:
    for report in reports:
        reference = _validated(report)
        assert report.model_dump_json() == reference.model_dump_json()
        assert report == reference and repr(report) == repr(reference)
        assert Report.model_validate_json(report.model_dump_json()) == report


def _profile_models(r: Report) -> list[ProfileHit | ProfileToken]:
    assert r.profiles is not None
    a, f = r.profiles.allergens, r.profiles.fungal_acne
    return [*a.triggers, *a.unknown, *a.fragrance, *f.triggers, *f.unknown]


@pytest.mark.parametrize("field", ["hits", "helpful", "ingredients", "unrecognised", "parts", "profiles"])
def test_built_models_equal_hash_and_print_as_validated_ones(reports: list[Report], field: str) -> None:
    models = [m for r in reports for m in (_profile_models(r) if field == "profiles" else getattr(r, field))]
    assert models
    for built_one in models:
        reference = _validated(built_one)
        assert built_one == reference and hash(built_one) == hash(reference)
        assert repr(built_one) == repr(reference) and built_one.model_dump_json() == reference.model_dump_json()
        assert built_one.model_fields_set == reference.model_fields_set
        assert type(built_one).model_validate_json(built_one.model_dump_json()) == built_one
        assert pickle.loads(pickle.dumps(built_one)) == built_one


def test_built_takes_field_values_as_they_are() -> None:
    axis = Axis(score=0, band="low")
    rows = [{"index": i, "heading": None, "start": i, "end": i + 1, "score": 10 * i, "band": "low", "milia": axis,
             "pore_clogging": axis} for i in range(3)]
    parts = built(Part, rows)
    assert parts == [Part.model_validate(r) for r in rows] and parts[2].score == 20
    assert parts[0].__dict__ is rows[0]  # nothing copied
    with pytest.raises(ValidationError):
        parts[0].score = 1  # type: ignore[misc]  # still frozen
    assert built(Token, []) == []


def test_a_copy_with_changes_leaves_the_others_alone(reports: list[Report]) -> None:
    a, b = [t for r in reports for t in r.ingredients][:2]
    changed = a.model_copy(update={"text": "x"})
    assert changed.text == "x" and a.text != "x"
    assert a.model_fields_set == b.model_fields_set == set(Token.model_fields)
    hit = next(h for r in reports for h in r.hits)
    assert hit.model_copy(update={"why": "y"}).why == "y" and hit.model_fields_set == set(Hit.model_fields)
