"""Matcher: exact names and synonyms, typos and OCR noise, and look-alikes that must not match."""

from __future__ import annotations

import pytest

from milia_scan import Scanner, scan
from milia_scan.match import Matcher

from .conftest import ids, shared_file

# Every name the foundation issue requires, by id.
REQUIRED = {
    "mineral-oil": ["Mineral Oil", "Paraffinum Liquidum", "Liquid Paraffin", "Paraffin Oil"],
    "petrolatum": ["Petrolatum", "Petroleum Jelly", "White Petrolatum", "White Soft Paraffin"],
    "paraffin": ["Paraffin", "Paraffin Wax"],
    "microcrystalline-wax": ["Microcrystalline Wax", "Cera Microcristallina"],
    "ceresin": ["Ceresin"],
    "ozokerite": ["Ozokerite"],
    "lanolin": ["Lanolin", "Adeps Lanae", "Wool Fat", "Wool Wax"],
    "lanolin-alcohol": ["Lanolin Alcohol", "Wool Wax Alcohol", "Alcoholes Lanae", "Eucerit"],
    "lanolin-oil": ["Lanolin Oil"],
    "acetylated-lanolin": ["Acetylated Lanolin"],
    "acetylated-lanolin-alcohol": ["Acetylated Lanolin Alcohol"],
    "dimethicone": ["Dimethicone", "Polydimethylsiloxane"],
    "cyclopentasiloxane": ["Cyclopentasiloxane"],
    "cyclomethicone": ["Cyclomethicone"],
    "isopropyl-myristate": ["Isopropyl Myristate"],
    "isopropyl-palmitate": ["Isopropyl Palmitate"],
    "isopropyl-isostearate": ["Isopropyl Isostearate"],
    "myristyl-myristate": ["Myristyl Myristate"],
    "ethylhexyl-palmitate": ["Ethylhexyl Palmitate", "Octyl Palmitate"],
    "ethylhexyl-stearate": ["Ethylhexyl Stearate", "Octyl Stearate"],
    "isostearyl-isostearate": ["Isostearyl Isostearate"],
    "decyl-oleate": ["Decyl Oleate"],
    "laureth-4": ["Laureth-4"],
    "coconut-oil": ["Coconut Oil", "Cocos Nucifera Oil", "Cocos Nucifera (Coconut) Oil"],
    "cocoa-butter": ["Cocoa Butter", "Theobroma Cacao Seed Butter"],
    "wheat-germ-oil": ["Wheat Germ Oil", "Triticum Vulgare Germ Oil"],
    "beeswax": ["Beeswax", "Cera Alba", "Cera Flava"],
    "retinol": ["Retinol"],
    "tretinoin": ["Tretinoin"],
    "adapalene": ["Adapalene"],
    "salicylic-acid": ["Salicylic Acid"],
    "glycolic-acid": ["Glycolic Acid"],
    "lactic-acid": ["Lactic Acid"],
    "mandelic-acid": ["Mandelic Acid"],
    "benzoyl-peroxide": ["Benzoyl Peroxide"],
}
HELPFUL = {"retinol", "tretinoin", "adapalene", "salicylic-acid", "glycolic-acid", "lactic-acid",
           "mandelic-acid", "benzoyl-peroxide"}


def all_ids(label: str) -> list[str]:
    r = scan(label)
    return ids(r.hits) + ids(r.helpful)


@pytest.mark.parametrize("eid,name", [(e, n) for e, names in REQUIRED.items() for n in names])
def test_required_names(eid: str, name: str) -> None:
    for label in (f"Aqua, {name}, Glycerin", f"AQUA, {name.upper()}, GLYCERIN", f"aqua, {name.lower()}"):
        assert all_ids(label) == [eid], label


@pytest.mark.parametrize("eid", sorted(HELPFUL))
def test_helpful_actives_are_not_risks(eid: str) -> None:
    r = scan(f"Aqua, {REQUIRED[eid][0]}, Glycerin")
    assert ids(r.helpful) == [eid] and not r.hits and r.score == 0


TYPOS = [
    ("Petrolaturn", "petrolatum"),  # rn for m
    ("Paraffinurn Liquidum", "mineral-oil"),
    ("Dimethic0ne", "dimethicone"),  # zero for O
    ("DIMETHIC0NE", "dimethicone"),
    ("Petrolatim", "petrolatum"),  # one-letter typo
    ("Isopropyl Myristat", "isopropyl-myristate"),
    ("lsopropyl Myristate", "isopropyl-myristate"),  # l for I
    ("Cera  Microcristallina", "microcrystalline-wax"),  # doubled space
    ("IsopropylMyristate", "isopropyl-myristate"),  # missing space
    ("Laureth 4", "laureth-4"),
    ("Petrolatum USP", "petrolatum"),
    ("Lanolin Alcohol (Eucerit)", "lanolin-alcohol"),
    ("Paraffinum Liquidum/Mineral Oil/Huile Minérale", "mineral-oil"),
    ("Cera Alba (Beeswax)", "beeswax"),
]


@pytest.mark.parametrize("token,eid", TYPOS)
def test_typos_and_ocr_noise_match(token: str, eid: str) -> None:
    r = scan(f"Aqua, {token}, Glycerin")
    assert ids(r.hits) == [eid]
    hit = r.hits[0]
    assert hit.text == token and 0.0 < hit.confidence <= 1.0


def test_exact_is_confidence_one_and_fuzzy_less() -> None:
    assert scan("Petrolatum").hits[0].confidence == 1.0
    fuzzy = scan("Petrolatim").hits[0]
    assert fuzzy.method == "fuzzy" and fuzzy.confidence < 1.0


# Look-alikes: real INCI names that must never become the entry on the right.
LOOKALIKES = [
    ("Laureth-7", "laureth-4"),
    ("Laureth-23", "laureth-4"),
    ("Laureth-40", "laureth-4"),
    ("Mineral Salts", "mineral-oil"),
    ("Petroselinum Crispum Extract", "petrolatum"),
    ("Dimethyl Isosorbide", "dimethicone"),
    ("Amodimethicone", "dimethicone"),
    ("Dimethicone Crosspolymer", "dimethicone"),
    ("PEG-10 Dimethicone", "dimethicone"),
    ("Dimethicone/Vinyl Dimethicone Crosspolymer", "dimethicone"),
    ("Coco-Glucoside", "coconut-oil"),
    ("Cocamidopropyl Betaine", "coconut-oil"),
    ("Isopropyl Alcohol", "isopropyl-myristate"),
    ("Isopropyl Palmitate", "isopropyl-myristate"),
    ("Lanolin Oil", "lanolin-alcohol"),
    ("Paraffinum Liquidum", "paraffin"),
    ("Myristic Acid", "myristyl-myristate"),
    ("Ceteareth-20", "cetearyl-alcohol"),
    ("Acrylates/C10-30 Alkyl Acrylate Crosspolymer", "isopropyl-myristate"),
]


@pytest.mark.parametrize("token,not_id", LOOKALIKES)
def test_lookalikes_do_not_match(token: str, not_id: str) -> None:
    for label in (f"Aqua, Glycerin, {token}, Phenoxyethanol", f"AQUA, {token.upper()}"):
        assert not_id not in all_ids(label), label


def test_real_inci_name_is_never_fuzzy_matched_to_another() -> None:
    # Cetyl Palmitate is one edit-pair away from Octyl Palmitate in letters, but a different ester.
    assert "ethylhexyl-palmitate" not in all_ids("Aqua, Cetyl Palmitate")


def test_vocabulary_makes_rejection_stricter(tmp_path) -> None:
    base = Scanner()
    near = "Aqua, Petrolatim"  # a typo of petrolatum...
    assert ids(base.scan(near).hits) == ["petrolatum"]
    vocab = tmp_path / "vocab.csv"
    vocab.write_text("inci_name,cas,ec,functions\nPETROLATIM,,,EMOLLIENT\n", encoding="utf-8")
    strict = Scanner(vocabulary=vocab)  # ...unless the vocabulary says it is a real name
    assert ids(strict.scan(near).hits) == []
    assert ids(strict.scan("Aqua, Petrolatum").hits) == ["petrolatum"]


def test_matcher_resolves_each_distinct_text_once(scanner) -> None:
    m = Matcher(scanner.lexicon)
    first = m.resolve("Petrolaturn")
    assert m.resolve("Petrolaturn") is first


def test_cosing_names_alone_never_match_a_different_entry(scanner) -> None:
    """Every EU CosIng INCI name scanned alone: a hit must be an entry that has that name."""
    import csv

    path = shared_file("cosing/cosing_inventory.csv")
    with path.open(encoding="utf-8") as fh:
        names = [row["inci_name"] for row in csv.DictReader(fh)]
    lex = scanner.lexicon
    wrong = []
    for name in names:
        res = scanner.matcher.resolve(name)
        for m in res.matches:
            own = {k for k in map(_key, lex.entries[m.id].names)}
            if _key(name) not in own:
                wrong.append((name, m.id, m.matched))
    assert not wrong, f"{len(wrong)} CosIng names matched another entry: {wrong[:40]}"


def _key(name: str) -> str:
    from milia_scan.normalizer import compact_key

    return compact_key(name)


# Bugs found by the accuracy report, one test each.
ACCURACY_BUGS = [
    ("1anolin", "lanolin"),  # OCR 1 for l at a word edge
    ("Petrolatum Seed 0il", None),  # (no such entry: the OCR fix must not invent one)
    ("Cera AIba", "beeswax"),  # OCR I for l
    ("Po1ysorbate20", "polysorbate-20"),  # OCR inside a name that lost its space
    ("Stearreth-20", "steareth-20"),  # the closest spelling decides, not the alphabet
    ("Dimethcione", "dimethicone"),  # two letters swapped is one typo
    ("Butylene Gycol", "butylene-glycol"),  # one typo in a short word
    ("Pegg-100 Stearate", "peg-100-stearate"),  # a doubled letter in a numbered name
    ("Butylene Glycol/1,3-Butanediol", "butylene-glycol"),  # translation list with digits
    ("Capric Triglyceride/Caprylic Capric Triglyceride", "caprylic-capric-triglyceride"),
]


@pytest.mark.parametrize("token,eid", ACCURACY_BUGS)
def test_accuracy_bugs(token: str, eid: str | None) -> None:
    got = all_ids(f"Aqua, {token}, Phenoxyethanol")
    assert got == ([eid] if eid else [])


@pytest.mark.parametrize("token,not_id", [
    ("PPG-10 Oleyl Ether", "oleth-10"),  # PEG and PPG are different polymers
    ("Batyl Stearate", "butyl-stearate"),
    ("Maltol", "corn-oil"),
    ("Tocopheryl", "tocopherol"),  # a chemical ending is identity
    ("Chondrus Crispus (Carrageenan) Extract", "carrageenan"),  # the bracket is not the name's end
    ("Tocopheryl Acetate (Vitamin E)", "tocopherol"),  # the outer name is a real, other substance
])
def test_accuracy_bug_lookalikes(token: str, not_id: str) -> None:
    assert not_id not in all_ids(f"Aqua, {token}, Phenoxyethanol")
