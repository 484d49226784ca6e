"""`Scanner.inspect` and `milia-scan scan --explain`: every token with the rule that decided it."""

from __future__ import annotations

import json

from hypothesis import given

from milia_scan import default_scanner
from milia_scan.match import RULES

from .test_properties import LABELISH


def decisions(label: str) -> dict[str, tuple[str, tuple[str, ...], str]]:
    return {d.token.text: (d.rule, d.ids, d.detail) for d in default_scanner().inspect(label).tokens}


def test_each_rule_says_what_it_saw() -> None:
    got = decisions("Aqua, Petrolatum, Mineral-Oil, Petrolaturn, Cetearyl Alcohl, Laureth-7, "
                    "Lanolin Alcohol (Eucerit), Aqua/Water/Eau, Theobroma Cacao Seed Butter/Cocoa Seed Butter, Glycerin")
    assert got["Petrolatum"][:2] == ("exact", ("petrolatum",))
    assert got["Mineral-Oil"][:2] == ("compact", ("mineral-oil",))
    assert got["Petrolaturn"][:2] == ("OCR key", ("petrolatum",))
    assert got["Cetearyl Alcohl"][0] == "fuzzy" and "1 edit" in got["Cetearyl Alcohl"][2]
    assert got["Laureth-7"] == ("look-alike", (), "Laureth-7, a look-alike of laureth-4")
    assert got["Lanolin Alcohol (Eucerit)"][:2] in {("bracket variant", ("lanolin-alcohol",)), ("exact", ("lanolin-alcohol",))}
    assert got["Theobroma Cacao Seed Butter/Cocoa Seed Butter"][:2] == ("translation part", ("cocoa-butter",))
    assert got["Glycerin"] == ("unknown", (), "")


def test_inspection_tokens_are_the_reports_tokens() -> None:
    label = "Cleanser: Aqua, Petrolatum. Moisturizer ingredients: Water, Mineral Oil 20%"
    s = default_scanner()
    inspection, report = s.inspect(label), s.scan(label)
    assert [d.token for d in inspection.tokens] == list(report.ingredients)
    assert inspection.parts == report.parts
    assert [p.heading for p in inspection.parts] == ["Cleanser", "Moisturizer ingredients"]


@given(LABELISH)
def test_inspect_never_raises_and_names_a_known_rule(label: str) -> None:
    for d in default_scanner().inspect(label).tokens:
        assert d.rule in RULES and d.explanation == RULES[d.rule]
        assert label[d.token.start : d.token.end] == d.token.text


def test_cli_explain_shows_rules_spans_and_parts(run) -> None:
    result = run("scan", "--explain", "Step One: Aqua, Petrolaturn. Step Two: Laureth-7, Mineral Oil 20%")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "part 1: Step One" in out and "part 2: Step Two" in out
    assert "'Petrolaturn' [16:27]" in out and "OCR key -> petrolatum" in out
    assert "look-alike -> -  (Laureth-7, a look-alike of laureth-4)" in out
    assert "20%" in out


def test_cli_explain_json_round_trips(run) -> None:
    result = run("scan", "--explain", "--json", "Aqua, Petrolatum")
    data = json.loads(result.output)
    assert [d["rule"] for d in data["tokens"]] == ["unknown", "exact"]
    from milia_scan import Inspection

    assert Inspection.model_validate_json(result.output) == default_scanner().inspect("Aqua, Petrolatum")
