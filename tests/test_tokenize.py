"""Tokenizer: every label shape the foundation issue lists, with spans into the input."""

from __future__ import annotations

import pytest

from milia_scan import tokenize
from milia_scan.normalizer import token_key


def texts(label: str) -> list[str]:
    toks = tokenize(label)
    assert all(label[t.start : t.end] == t.text for t in toks)
    return [t.text for t in toks]


def keys(label: str) -> list[str]:
    return [t.normalized for t in tokenize(label)]


CASES = [
    # (id, label, expected token texts)
    ("commas", "Aqua, Glycerin, Petrolatum", ["Aqua", "Glycerin", "Petrolatum"]),
    ("semicolons", "Aqua; Glycerin; Petrolatum", ["Aqua", "Glycerin", "Petrolatum"]),
    ("bullets", "Water • Lanolin · Glycerin", ["Water", "Lanolin", "Glycerin"]),
    ("ideographic", "Aqua、Glycerin，Petrolatum；Dimethicone", ["Aqua", "Glycerin", "Petrolatum", "Dimethicone"]),
    ("header", "Ingredients: Aqua, Glycerin.", ["Aqua", "Glycerin"]),
    ("bilingual header", "INGREDIENTS/INGRÉDIENTS: Aqua, Glycerin", ["Aqua", "Glycerin"]),
    ("inci header", "INCI: Aqua, Glycerin", ["Aqua", "Glycerin"]),
    ("german header", "Inhaltsstoffe: Aqua, Glycerin", ["Aqua", "Glycerin"]),
    ("marketing before header", "Best cream ever, loved by all! Ingredients: Aqua, Glycerin", ["Aqua", "Glycerin"]),
    ("directions after", "Ingredients: Aqua, Glycerin. Directions: apply daily, avoid eyes", ["Aqua", "Glycerin"]),
    ("synonym parens", "Aqua (Water), Cocos Nucifera (Coconut) Oil", ["Aqua (Water)", "Cocos Nucifera (Coconut) Oil"]),
    ("sub-list parens", "Parfum (Limonene, Linalool), Glycerin", ["Parfum", "Limonene", "Linalool", "Glycerin"]),
    ("slash translations stay one token", "Aqua/Water/Eau, Glycerin", ["Aqua/Water/Eau", "Glycerin"]),
    ("slash inside INCI name", "Acrylates/C10-30 Alkyl Acrylate Crosspolymer, Dimethicone/Vinyl Dimethicone Crosspolymer",
     ["Acrylates/C10-30 Alkyl Acrylate Crosspolymer", "Dimethicone/Vinyl Dimethicone Crosspolymer"]),
    ("percentages", "Petrolatum 41%, Adapalene (0.1%), Zinc Oxide 20 %", ["Petrolatum", "Adapalene", "Zinc Oxide"]),
    ("decimal comma percent", "Glycerin 2,5%, Aqua", ["Glycerin", "Aqua"]),
    ("digit commas are not separators", "1,2-Hexanediol, Aqua", ["1,2-Hexanediol", "Aqua"]),
    ("footnote marks", "Aloe Barbadensis Leaf Juice*, Glycerin**, Shea Butter†", ["Aloe Barbadensis Leaf Juice", "Glycerin", "Shea Butter"]),
    ("footnote legend dropped", "Aloe Leaf Juice*, Glycerin. *Organic ingredient", ["Aloe Leaf Juice", "Glycerin"]),
    # Sephora prints the legend, then its disclaimer, glued to the last ingredient (sephora_kaggle_0020)
    ("legend and disclaimer glued on", "Mica, Phenoxyethanol * Essential Oil Please be aware that ingredient lists may "
     "change or vary from time to time.\ufffd Please refer to the ingredient list on the product package you receive "
     "for the most up to date list of ingredients., Linalool", ["Mica", "Phenoxyethanol", "Linalool"]),
    ("legend glued on after a mark", "Rose Oil*, Lavender Oil** Essential Oil", ["Rose Oil", "Lavender Oil"]),
    ("legend glued on after a space", "Glycine Soja (Soybean) Oil *Certified Organic", ["Glycine Soja (Soybean) Oil"]),
    ("disclaimer after the list", "Aqua, Glycerin. This ingredient list is subject to change, it is the most "
     "up-to-date ingredient list and may differ from product packaging.", ["Aqua", "Glycerin"]),
    ("a legend alone is no ingredient", "* Essential Oil", []),
    ("nano", "Titanium Dioxide [nano], Aqua", ["Titanium Dioxide [nano]", "Aqua"]),
    ("ci numbers", "Mica, CI 77891, Iron Oxides (CI 77491)", ["Mica", "CI 77891", "Iron Oxides (CI 77491)"]),
    ("trailing period", "Aqua, Isopropyl Myristate.", ["Aqua", "Isopropyl Myristate"]),
    ("line breaks as separators", "Aqua\nGlycerin\nPetrolatum", ["Aqua", "Glycerin", "Petrolatum"]),
    ("line break wraps inside a comma list", "Aqua, Cetearyl\nAlcohol, Glycerin", ["Aqua", "Cetearyl\nAlcohol", "Glycerin"]),
    ("hyphenated across break", "Aqua; Petro-\nlatum; Glycerin", ["Aqua", "Petro-\nlatum", "Glycerin"]),
    ("hyphenated across break, one per line", "Aqua\nPetro-\nlatum\nGlycerin", ["Aqua", "Petro-\nlatum", "Glycerin"]),
    ("nbsp and zero width", "Aqua\u00a0, Gly\u200bcerin\u00a0,\u00a0Petrolatum", ["Aqua", "Gly\u200bcerin", "Petrolatum"]),
    ("unbalanced open bracket", "Aqua (Water, Glycerin, Petrolatum", ["Aqua (Water", "Glycerin", "Petrolatum"]),
    ("unbalanced close bracket", "Aqua), Glycerin], Petrolatum", ["Aqua", "Glycerin", "Petrolatum"]),
    ("and blend", "Cyclopentasiloxane (and) Dimethicone Crosspolymer", ["Cyclopentasiloxane", "Dimethicone Crosspolymer"]),
    # sephora_kaggle_1188 prints two commas as spaced hyphens; a word broken at a line end and
    # joined with a space goes on in lower case (sephora_kaggle_1342, _1090); INCI hyphens
    ("spaced hyphens separate", "Water, Isohexadecane- Butylene Glycol, Cyclopentasiloxane -Tromethamine",
     ["Water", "Isohexadecane", "Butylene Glycol", "Cyclopentasiloxane", "Tromethamine"]),
    ("spaced hyphens inside names stay", "La- vandula Angustifolia Oil, PEG-40 Hydroge- nated Castor Oil, "
     "C12- 15 Alkyl Benzoate, Kaolin (absorbent - clay), CETEARYL- ALCOHOL",
     ["La- vandula Angustifolia Oil", "PEG-40 Hydroge- nated Castor Oil", "C12- 15 Alkyl Benzoate",
      "Kaolin (absorbent - clay)", "CETEARYL- ALCOHOL"]),
    ("backslash translations", "water\\aqua\\eau, glycerin", ["water\\aqua\\eau", "glycerin"]),
    ("empty", "", []),
    ("only junk", " ,,; ... ** ()", []),
]


@pytest.mark.parametrize("label,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_token_texts(label: str, expected: list[str]) -> None:
    assert texts(label) == expected


def test_may_contain_flags_what_follows() -> None:
    label = "Aqua, Glycerin. May contain (+/-): CI 77891, Mica"
    assert [(t.text, t.may_contain) for t in tokenize(label)] == [
        ("Aqua", False), ("Glycerin", False), ("CI 77891", True), ("Mica", True)]


def test_may_contain_in_brackets() -> None:
    label = "Aqua, Talc [+/- CI 77891, CI 77491]"
    assert [(t.text, t.may_contain) for t in tokenize(label)] == [
        ("Aqua", False), ("Talc", False), ("CI 77891", True), ("CI 77491", True)]


def test_drug_facts_layout() -> None:
    label = (
        "Drug Facts\nActive ingredients Purpose\nAvobenzone 3% Sunscreen\nOctocrylene 10% Sunscreen\n"
        "Uses\n• helps prevent sunburn\nWarnings\nFor external use only\n"
        "Inactive ingredients water, petrolatum, dimethicone, glycerin\nOther information\nprotect from heat"
    )
    assert [(t.text, t.section) for t in tokenize(label)] == [
        ("Avobenzone", "active"), ("Octocrylene", "active"), ("water", "inactive"),
        ("petrolatum", "inactive"), ("dimethicone", "inactive"), ("glycerin", "inactive")]


def test_drug_facts_with_colons_on_one_line() -> None:
    label = "Active ingredient: Salicylic Acid 2% Purpose: Acne treatment. Inactive ingredients: Aqua, Glycerin"
    assert texts(label) == ["Salicylic Acid", "Aqua", "Glycerin"]


def test_all_caps_and_hyphen_break_normalise() -> None:
    assert keys("AQUA, PETRO-\nLATUM, GLYCERIN") == ["aqua", "petro-latum", "glycerin"]
    assert keys("Aqua, Petro-\nlatum") == ["aqua", "petrolatum"]


def test_tokens_have_positions_and_spans() -> None:
    label = "Ingredients: Aqua, Petrolatum 41%, Glycerin."
    toks = tokenize(label)
    assert [t.position for t in toks] == [0, 1, 2]
    assert all(label[t.start : t.end] == t.text for t in toks)
    assert toks[1].normalized == "petrolatum"


def test_token_key_joins_soft_hyphenation_only_for_lowercase() -> None:
    assert token_key("Petro-\nlatum") == "petrolatum"
    assert token_key("Coco-\nGlucoside") == "coco-glucoside"


# Bugs found by the accuracy report (tests/test_accuracy.py), one test each.


def test_superscript_footnote_marks_are_not_part_of_a_name() -> None:
    label = "Aqua, Dimethicone¹, Steareth-2², Glycerin³"
    assert texts(label) == ["Aqua", "Dimethicone", "Steareth-2", "Glycerin"]  # not Steareth-21


def test_bracket_with_a_comma_inside_a_name_is_not_a_sub_list() -> None:
    label = "Aqua, Persea Gratissima (Extra Virgin, Cold Pressed Avocado) Oil, Glycerin"
    assert texts(label) == ["Aqua", "Persea Gratissima (Extra Virgin, Cold Pressed Avocado) Oil", "Glycerin"]


def test_digit_comma_does_not_make_line_breaks_soft() -> None:
    assert texts("Water\n1,2-Hexanediol\nPetrolatum") == ["Water", "1,2-Hexanediol", "Petrolatum"]


def test_bracketed_list_does_not_make_line_breaks_soft() -> None:
    label = "Water\nPetrolatum\nIron Oxides (CI 77491, CI 77492)"
    assert texts(label) == ["Water", "Petrolatum", "Iron Oxides", "CI 77491", "CI 77492"]


@pytest.mark.parametrize("before", [", ", ". ", "; "])  # the comma route, a period, another separator
def test_a_comma_before_a_superscript_separates_on_every_route(before: str) -> None:
    """A comma between digits is part of a name ("1,2-Hexanediol"); a superscript is not a digit
    there ("1,²"). The comma route once joined "1,²" when the label also held a digit comma, and
    split it when not: the piece depended on another part of the label."""
    from milia_scan.separators import split

    for label in (f"Aqua{before}Vit 1,²x", f"Aqua{before}Vit 1,²x, 1,2-Hexanediol"):
        strs = split(label, 0, len(label), False)[0]
        assert strs[1:3] == [" Vit 1", "²x"], label
        assert strs[3:] in ([], [" 1,2-Hexanediol"]), label


def test_every_disclaimer_holds_the_word_trim_looks_for() -> None:
    """trim looks for a disclaimer only in a piece holding DISCLAIMER_WORD (a search per piece costs)."""
    from milia_scan import vocabulary as v

    assert all(v.DISCLAIMER_WORD in pattern for pattern in v.DISCLAIMERS)


def test_a_piece_is_cached_once_whatever_whitespace_leads_it() -> None:
    """" Glycerin" after a comma and "Glycerin" first in a list are one cache entry (a piece's
    bounds index it without its leading whitespace): a bulk worker's bounded cache holds more
    names. The spans still point at the token in each label."""
    from milia_scan import Scanner

    s = Scanner()
    for label in ("Glycerin, Aqua", "Aqua, Glycerin", "Aqua,  Glycerin", "Aqua,\tGlycerin"):
        toks = s.tokenize(label)
        assert [label[t.start : t.end] for t in toks] == [t.text for t in toks]
        assert [t.text for t in toks] == (["Glycerin", "Aqua"] if label[0] == "G" else ["Aqua", "Glycerin"])
    keys = set(s._tokenizer._cache)
    assert "Glycerin" in keys and not any(k != k.lstrip() for k in keys)
