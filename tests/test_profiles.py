"""Condition profiles (issue #13): the profile data, profiles.assess, the CosIng sweep of the rule
patterns, the three published fungal-acne lists, and the Annex III allergens.

Tests that read ../shared/data skip when it is absent (a fresh clone); CI has it.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

import milia_scan
from milia_scan.lexicon import LexiconError, default_lexicon_path, load_lexicon
from milia_scan.normalizer import compact_of, match_key
from milia_scan.profiles import ProfileRules, assess

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
COSING = SHARED / "cosing" / "cosing_inventory.csv"
ANNEX_III = SHARED / "cosing" / "annexes" / "annex_III.csv"
LISTS = SHARED / "lists"


@pytest.fixture(scope="module")
def scanner() -> milia_scan.Scanner:
    return milia_scan.Scanner()


@pytest.fixture(scope="module")
def rules() -> ProfileRules:
    return ProfileRules.build(load_lexicon())


def _assess(label: str, scanner: milia_scan.Scanner):
    return assess(label, scanner.tokenize(label), scanner)


def _decide(rules: ProfileRules, name: str) -> str | None:
    rule = rules.decide(match_key(name))
    return rule.effect if rule else None


# --------------------------------------------------------------------------- data and loader


def test_profile_data_loads() -> None:
    lex = load_lexicon()
    assert len(lex.fungal_rules) >= 30 and len(lex.allergens) == 81
    assert {a.list_id for a in lex.allergens} == {"annex-iii", "eu-2023-1545"}
    assert sum(a.list_id == "annex-iii" for a in lex.allergens) == 24
    new = lex.allergen_lists["eu-2023-1545"]
    assert (new.placed_until, new.available_until) == ("2026-07-31", "2028-07-31")
    effects = {r.effect for r in lex.fungal_rules}
    assert effects == {"trigger", "no-trigger", "unsettled"}
    for rule in lex.fungal_rules:  # every rule cites a source the lexicon has
        assert rule.sources and all(s in lex.sources for s in rule.sources)


def _copy_lexicon(tmp_path: Path) -> Path:
    lex = tmp_path / "lex"
    shutil.copytree(default_lexicon_path(), lex)
    return lex


@pytest.mark.parametrize("addition, message", [
    ('\n[[rule]]\nid = "bad"\neffect = "trigger"\ngroup = "x"\nnames = ["Q"]\nsources = ["nowhere"]\nnote = "n"\n',
     "source 'nowhere'"),
    ('\n[[rule]]\nid = "bad"\neffect = "maybe"\ngroup = "x"\nnames = ["Q"]\nsources = ["eu-cosing"]\nnote = "n"\n',
     "effect"),
    ('\n[[rule]]\nid = "bad"\neffect = "trigger"\ngroup = "x"\npatterns = ["(unclosed"]\nsources = ["eu-cosing"]\n'
     'note = "n"\n', "not a valid regular expression"),
    ('\n[[rule]]\nid = "bad"\neffect = "trigger"\ngroup = "x"\nnames = ["Glycerin"]\nsources = ["eu-cosing"]\n'
     'note = "n"\n', "also decided by rule"),
])
def test_broken_fungal_rule_names_file_and_rule(tmp_path: Path, addition: str, message: str) -> None:
    lex = _copy_lexicon(tmp_path)
    path = lex / "profile-fungal-acne.toml"
    path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        load_lexicon(lex)
    assert "profile-fungal-acne.toml: rule 'bad'" in str(exc.value) and message in str(exc.value)


def test_broken_allergen_is_refused(tmp_path: Path) -> None:
    lex = _copy_lexicon(tmp_path)
    path = lex / "profile-allergens.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[allergen]]\nid = "dup"\nlabel_name = "Linalool"\n'
                    'inci = ["Linalool"]\nannex_ref = "84"\nlist_id = "annex-iii"\nsources = ["eu-cosing-annex-iii"]\n'
                    'note = "n"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="also belongs to allergen 'linalool'"):
        load_lexicon(lex)


def test_lexicon_without_profile_files_still_loads(tmp_path: Path) -> None:
    lex = _copy_lexicon(tmp_path)
    for p in lex.glob("profile-*.toml"):
        p.unlink()
    loaded = load_lexicon(lex)
    assert loaded.fungal_rules == () and loaded.allergens == ()
    p = assess("Aqua, Isopropyl Myristate, Linalool", None, loaded)
    assert p.fungal_acne.verdict == "cannot tell" and p.allergens.verdict == "cannot tell"


def test_every_lexicon_entry_is_decided_by_a_fungal_rule(rules: ProfileRules) -> None:
    """The milia lexicon's names are 'known'; the fungal profile must decide each of them."""
    undecided = [e.id for e in rules.lexicon.entries.values() if _decide(rules, e.inci) is None]
    assert not undecided


# --------------------------------------------------------------------------- verdicts


def test_flag_reports_tokens_with_spans(scanner) -> None:
    label = "Aqua, Glycerin, Isopropyl Myristate, Cocos Nucifera (Coconut) Oil, Polysorbate 20, Parfum"
    f = _assess(label, scanner).fungal_acne
    assert f.verdict == "flag"
    assert [t.text for t in f.triggers] == ["Isopropyl Myristate", "Cocos Nucifera (Coconut) Oil", "Polysorbate 20"]
    for t in f.triggers:
        assert label[t.start:t.end] == t.text and t.sources
    assert {t.rule for t in f.triggers} == {"fatty-acid-esters-and-salts", "plant-oils-by-genus", "polysorbates"}


def test_clear_only_when_every_token_is_decided(scanner) -> None:
    label = "Water, Glycerin, Niacinamide, Squalane, Caprylic/Capric Triglyceride, Dimethicone, Phenoxyethanol"
    f = _assess(label, scanner).fungal_acne
    assert f.verdict == "clear" and not f.triggers and not f.unknown
    f2 = _assess(label + ", Zyxorbium Complex", scanner).fungal_acne
    assert f2.verdict == "cannot tell"
    assert [u.text for u in f2.unknown] == ["Zyxorbium Complex"] and f2.unknown[0].reason.startswith("unrecognised")


def test_unsettled_is_cannot_tell_not_clear(scanner) -> None:
    f = _assess("Water, Glycerin, Cetearyl Alcohol, Dimethicone", scanner).fungal_acne
    assert f.verdict == "cannot tell"
    assert [(u.text, u.rule) for u in f.unknown] == [("Cetearyl Alcohol", "fatty-alcohols")]
    assert f.unknown[0].reason.startswith("unsettled")


def test_exceptions_and_look_alikes(rules) -> None:
    for name in ("Squalane", "Mineral Oil", "Caprylic/Capric Triglyceride", "Capric Acid", "Glyceryl Caprylate",
                 "Isononyl Isononanoate", "Petrolatum", "Lavandula Angustifolia Oil", "Citrus Limon Peel Oil",
                 "Coriandrum Sativum Fruit Oil", "Rosa Damascena Flower Water", "Camellia Sinensis Leaf Extract",
                 "Olea Europaea Leaf Extract", "Tocopheryl Acetate", "Linalool"):
        assert _decide(rules, name) == "no-trigger", name
    for name in ("Lauric Acid", "Undecylenic Acid", "Glyceryl Undecylenate", "Tocopheryl Linoleate", "Retinyl Palmitate",
                 "Stearic Acid", "Helianthus Annuus Seed Oil", "Olea Europaea Fruit Oil",
                 "Shea Butter", "Polysorbate-80", "Galactomyces Ferment Filtrate", "Sodium Stearoyl Lactylate",
                 "Caprylic/Capric/Myristic/Stearic Triglyceride", "Cera Alba", "Zinc Ricinoleate"):
        assert _decide(rules, name) == "trigger", name
    for name in ("Squalene", "Cetyl Alcohol", "Cetearyl Ethylhexanoate", "C12-15 Alkyl Benzoate",
                 "PEG-40 Hydrogenated Castor Oil", "Palmitoyl Tripeptide-1", "Lecithin", "Ceteareth-20"):
        assert _decide(rules, name) == "unsettled", name
    # look-alikes: a different substance is not caught by a similar pattern
    for name in ("Laureth-7", "Stearalkonium Chloride", "Ethylhexyl Methoxycinnamate", "Hexadecanolactone",
                 "Palmitoyl Tripeptide-1", "Glycerin/Dimer Dilinoleate Copolymer", "Sodium Benzoate"):
        assert _decide(rules, name) != "trigger", name


def test_typos_are_decided_through_the_matcher(scanner) -> None:
    f = _assess("Petrolaturn, Isopropyl Myristat, Water", scanner).fungal_acne
    assert [t.text for t in f.triggers] == ["Isopropyl Myristat"] and not f.unknown


def test_lexicon_only_use_matches_scanner_use(scanner) -> None:
    label = "Aqua, Cetyl Alcohol, Ethylhexyl Palmitate, Parfum, Limonene, Unobtainium"
    via_scanner = assess(label, scanner.tokenize(label), scanner)
    via_lexicon = assess(label, milia_scan.tokenize(label), load_lexicon())
    via_path = assess(label, None, default_lexicon_path())
    assert via_scanner == via_lexicon == via_path


def test_allergens_found_with_spans(scanner) -> None:
    label = "Aqua, Parfum, Linalool, Evernia Prunastri (Oakmoss) Extract, Lavandula Angustifolia (Lavender) Oil, Menthol"
    a = _assess(label, scanner).allergens
    assert a.verdict == "flag" and a.fragrance_present
    assert [(h.text, h.rule) for h in a.triggers] == [
        ("Linalool", "linalool"), ("Evernia Prunastri (Oakmoss) Extract", "evernia-prunastri-extract"),
        ("Lavandula Angustifolia (Lavender) Oil", "lavandula-oil-extract"), ("Menthol", "menthol")]
    assert all(label[h.start:h.end] == h.text for h in a.triggers)
    assert "2023/1545" in a.triggers[-1].note and "2023/1545" not in a.triggers[0].note
    assert "0.001 %" in a.note


def test_allergen_verdicts(scanner) -> None:
    a = _assess("Water, Glycerin, Fragrance", scanner).allergens
    assert a.verdict == "cannot tell" and a.fragrance_present and not a.triggers
    assert "below the labelling thresholds" in a.note
    a = _assess("Water, Glycerin, Niacinamide", scanner).allergens
    assert a.verdict == "clear" and not a.fragrance_present
    # the 2023 additions' dates, stated so they hold on any day (31 July 2026 has passed)
    assert "must be named on products placed on the EU market from 31 July 2026" in a.note
    assert "need not be named on products" not in a.note
    a = _assess("Water, Glycerin, Zyxorbium", scanner).allergens
    assert a.verdict == "cannot tell" and [u.text for u in a.unknown] == ["Zyxorbium"]


def test_a_token_longer_than_any_name_is_not_decided(scanner) -> None:
    """As the matcher: no rule is run over a token longer than any name (MAX_NAME), so a label of
    one huge token costs what reading it costs, and it is 'cannot tell', never 'clear'."""
    from milia_scan.match import MAX_NAME

    huge = "/".join(["Aqua", "Glycerin"] * (MAX_NAME // 10))  # one slash chain, no separator
    label = f"{huge}, Squalane"
    p = _assess(label, scanner)
    assert p.fungal_acne.verdict == p.allergens.verdict == "cannot tell"
    assert [u.text for u in p.fungal_acne.unknown] == [huge]
    assert "longer than any ingredient name" in p.fungal_acne.unknown[0].reason
    assert (scanner.score(label, profiles=True).fungal_acne, scanner.score(label, profiles=True).allergens) == (
        "cannot tell", "cannot tell")


def test_empty_label_is_cannot_tell(scanner) -> None:
    p = assess("", [], scanner)
    assert p.fungal_acne.verdict == "cannot tell" and p.allergens.verdict == "cannot tell"


def test_profiles_never_change_the_score(scanner) -> None:
    label = "Petrolatum, Cocos Nucifera Oil, Linalool"
    before = scanner.scan(label)
    _assess(label, scanner)
    assert scanner.scan(label) == before


# --------------------------------------------------------------------------- CosIng sweep

# Evidence words, written independently of the rule patterns: a CosIng name decided 'trigger' by
# a pattern must contain one; a name decided 'no-trigger' by a pattern must contain none.
_STEMS = ("laur myrist palmit stear isostear hydroxystear ole linole linolen ricinole behen eruc arachid undecylen "
          "coco palm palmkernel tallow oliv soy sunflowerseed safflower canol rapeseed shea butter avocad macadami "
          "sesam babassu castor lanol tall jojob meadowfoam argan ricebran hempseed sweetalmond tridecano lignocer "
          "arachidon pentadecano wheatgerm cottonseed undecano").split()
_ENDINGS = tuple(s + "ate" for s in _STEMS) + tuple(s + "ates" for s in _STEMS)
_WORDS = frozenset(
    "oil oils butter ferment fermented yeast faex lanolin polysorbate wax cera glycerides glyceride triglyceride "
    "lactylate isethionate esters kernelate butterate lipids lysate tween saccharomyces lactobacillus galactomyces "
    "bifida aspergillus bacillus leuconostoc lactococcus streptococcus bifidobacterium alteromonas pseudoalteromonas "
    "thermus monascus rhizobian kombucha filtrate".split())
_ACID_STEMS = ("laur myrist palmit stear isostear hydroxystear ole linole linolen ricinole behen eruc arachid undecylen "
               "arachidon lignocer nervon tridecano pentadecano margar palmitole elaid vaccen gondo eicosapentaeno "
               "docosahexaeno polyhydroxystear undecano hexadecano heptadecano myristole petroselin eicoseno").split()
_ACIDS = frozenset(s + "ic" for s in _ACID_STEMS)

# Reviewed: pattern decisions that the evidence words do not explain, each checked by hand.
REVIEWED_TRIGGER_WITHOUT_EVIDENCE = {
    "BABASSU ACID": "the fatty acids of babassu oil (lauric-rich)",
    "MALEATED DEHYDRO CASTOR ACIDS": "modified castor (ricinoleic, C18) fatty acids",
    "PALM KERNEL ACID": "the fatty acids of palm kernel oil (lauric-rich)",
    "POLYRICINOLEIC ACID": "a polyester of ricinoleic acid (C18)",
    "RICE BRAN ACID": "the fatty acids of rice bran oil (oleic, linoleic, palmitic)",
}
REVIEWED_NO_TRIGGER_WITH_EVIDENCE = {
    "PEG-5 TALL OIL STEROL": "sterols of tall oil: no fatty acid, 'oil' names the source",
    "TALL OIL STEROL": "sterols of tall oil: no fatty acid, 'oil' names the source",
    "PERSEA GRATISSIMA OIL UNSAPONIFIABLES WATER": "the unsaponifiable fraction has no fatty acid by definition",
    "STREPTOCOCCUS ZOOEPIDEMICUS EXTRACT": "a bacterial extract (the hyaluronic acid producer), not a ferment",
}


def _evidence(name: str) -> set[str]:
    ws = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    found = set()
    for i, w in enumerate(ws):
        joined = w
        if w in _WORDS or w in _ACIDS or any(joined.endswith(e) for e in _ENDINGS):
            found.add(w)
        elif i and any((ws[i - 1] + w).endswith(e) for e in _ENDINGS):  # "rice branate", "sweet almondate"
            found.add(ws[i - 1] + " " + w)
        elif w == "acid" and i and ws[i - 1] in {"coconut", "palm", "tallow", "soy", "olive", "sunflower",
                                                 "safflower", "castor", "lanolin", "tall", "jojoba", "avocado"}:
            found.add(ws[i - 1] + " acid")
    return found


@pytest.fixture(scope="module")
def cosing_names() -> list[str]:
    if not COSING.exists():
        pytest.skip("../shared/data/cosing/cosing_inventory.csv is not present")
    with COSING.open(encoding="utf-8", newline="") as fh:
        return [row["inci_name"] for row in csv.DictReader(fh)]


def _pattern_decisions(rules: ProfileRules, names: list[str]):
    for name in names:
        key = match_key(name)
        if compact_of(key) in rules.names:
            continue  # decided by an exact name, reviewed where it was written
        rule = rules.decide(key)
        if rule is not None:
            yield name, rule


def test_cosing_sweep_trigger_patterns_catch_only_lipid_names(rules, cosing_names) -> None:
    """Look-alike discipline: every CosIng name a trigger pattern catches shows a fatty acid, an
    ester of one, an oil, butter, wax, lanolin, polysorbate or ferment in its words."""
    caught = {n for n, r in _pattern_decisions(rules, cosing_names) if r.effect == "trigger" and not _evidence(n)}
    assert caught == set(REVIEWED_TRIGGER_WITHOUT_EVIDENCE)


def test_cosing_sweep_no_trigger_patterns_catch_no_lipid_names(rules, cosing_names) -> None:
    """The other way round: a 'no-trigger' pattern (extracts, waters, polymers, silicones...) never
    clears a name that shows a lipid word; essential-oil rules may of course show 'oil'."""
    cleared = set()
    for name, rule in _pattern_decisions(rules, cosing_names):
        if rule.effect != "no-trigger":
            continue
        ev = _evidence(name) - ({"oil", "oils"} if rule.group == "essential-oil" else set())
        if ev:
            cleared.add(name)
    assert cleared == set(REVIEWED_NO_TRIGGER_WITH_EVIDENCE)


def test_cosing_sweep_exceptions_stay_exceptions(rules, cosing_names) -> None:
    """The named exceptions that are CosIng names are never flagged, and every exact name of a rule
    that looks like an INCI name is one (or a documented label form)."""
    inventory = {compact_of(match_key(n)) for n in cosing_names}
    for rule in rules.lexicon.fungal_rules:
        if rule.id in ("medium-chain-exceptions", "squalane-and-hydrocarbons"):
            for name in rule.names:
                assert rules.decide(match_key(name)).effect == "no-trigger", name
    exact = [n for r in rules.lexicon.fungal_rules for n in r.names]
    in_cosing = sum(compact_of(match_key(n)) in inventory for n in exact)
    assert in_cosing / len(exact) > 0.6  # most exact names are real INCI names; the rest are label forms


def test_cosing_sweep_counts(rules, cosing_names) -> None:
    """How much of the inventory the rules decide: a guard against a pattern that suddenly catches
    thousands of names (the counts are reported in docs/profiles.md)."""
    by_effect: dict[str, int] = {}
    for _, rule in _pattern_decisions(rules, cosing_names):
        by_effect[rule.effect] = by_effect.get(rule.effect, 0) + 1
    assert 3000 < by_effect["trigger"] < 4500
    assert by_effect["unsettled"] < 2500


# --------------------------------------------------------------------------- the three published lists

# Where a list flags a name and the rules do not: each reviewed, with the reason (docs/profiles.md).
LIST_DISAGREEMENTS = {
    ("eduardasrbastos", "carrot oil"): "unsettled: carrot seed oil is an essential oil, carrot root oil a macerate",
    ("eduardasrbastos", "celery oil"): "celery seed oil is an essential oil",
    ("eduardasrbastos", "wild celery oil"): "no INCI name of that form; celery oils are essential oils",
    ("eduardasrbastos", "cumin oil"): "cumin seed oil is an essential oil (black cumin, a fixed oil, is flagged)",
    ("eduardasrbastos", "black pepper oil"): "pepper oil is an essential oil",
    ("eduardasrbastos", "passion flower oil"): "a flower oil is an essential oil here; passion fruit seed oil is flagged",
    ("eduardasrbastos", "rose oil"): "rose (flower) oil is an essential oil; rosehip and dog rose oils are flagged",
    ("valgmez", "c12-15 alkyl benzoate"): "unsettled: benzoic acid ester of a fatty alcohol",
    ("valgmez", "cetearyl ethylhexanoate"): "unsettled: C8 acid ester of a fatty alcohol",
    ("valgmez", "cetyl ethylhexanoate"): "unsettled: C8 acid ester of a fatty alcohol",
    ("valgmez", "isohexadecane"): "no-trigger: a hydrocarbon",
    ("valgmez", "peg-60 hydrogenated castor oil"): "unsettled: ethoxylated castor oil, checkers disagree",
    ("curlsbot", "Cetearyl Alcohol"): "unsettled: fatty alcohol",
    ("curlsbot", "Emulsifying Wax"): "unsettled: fatty alcohols with an emulsifier",
    ("curlsbot", "Babbasu Oil"): "a misspelling: the rules match exact names (Babassu Oil is flagged)",
    ("curlsbot", "Silk Amino Acids"): "no-trigger: amino acids",
    ("curlsbot", "Alanine"): "no-trigger: amino acid",
    ("curlsbot", "Arginine"): "no-trigger: amino acid",
    ("curlsbot", "Aspartic Acid"): "no-trigger: amino acid",
    ("curlsbot", "Calcium Glycinate"): "no-trigger: amino acid salt",
    ("curlsbot", "Cysteine"): "no-trigger: amino acid",
    ("curlsbot", "Glutamic Acid"): "no-trigger: amino acid",
    ("curlsbot", "Histidine"): "no-trigger: amino acid",
    ("curlsbot", "Lysine"): "no-trigger: amino acid",
    ("curlsbot", "Glycine"): "no-trigger: amino acid",
    ("curlsbot", "Proline"): "no-trigger: amino acid",
    ("curlsbot", "Serine"): "no-trigger: amino acid",
    ("curlsbot", "Tyrosine"): "no-trigger: amino acid",
    ("curlsbot", "Collagen Amino Acids"): "no-trigger: amino acids",
    ("curlsbot", "Wheat Amino Acids"): "no-trigger: amino acids",
    ("curlsbot", "C12-15 alkyl"): "a group name, not an INCI name",
    ("curlsbot", "Unknown Ester"): "a group name, not an INCI name",
    ("curlsbot", "Sorbitol Esters"): "a group name, not an INCI name",
    ("curlsbot", "Unknown Wax"): "a group name, not an INCI name",
    ("curlsbot", "Ceteareth-20"): "unsettled: fatty-alkyl ether (flagged by CurlsBot for occlusion)",
    ("curlsbot", "Microcrystalline Wax"): "no-trigger: hydrocarbon (flagged by CurlsBot for occlusion)",
    ("curlsbot", "Ozokerite"): "no-trigger: hydrocarbon (flagged by CurlsBot for occlusion)",
    ("curlsbot", "Paraffin Wax"): "no-trigger: hydrocarbon (flagged by CurlsBot for occlusion)",
    ("curlsbot", "Petrolatum"): "no-trigger: hydrocarbon (flagged by CurlsBot for occlusion)",
    ("curlsbot", "PEG-40 Hydrogenated Castor Oil"): "unsettled: ethoxylated castor oil, checkers disagree",
}


_SOLID = {"butter": {"shea", "cocoa", "mango", "illipe", "cupuacu", "shorea", "east african shea", "murumuru", "kokum"},
          "wax": {"candelilla", "carnauba"}}


def _list_items() -> list[tuple[str, str, list[str]]]:
    """(list, name, names to try) for every name a list flags; the eduardasrbastos 'lipids' are
    plant names, tried as '<name> oil' (and '<name> butter' / '<name> wax' for butter and wax plants)."""
    if not LISTS.is_dir():
        pytest.skip("../shared/data/lists is not present")
    items = []
    with (LISTS / "malassezia_triggers_eduardasrbastos.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            n = row["ingredients"]
            tries = [n]
            if row["category"] == "lipids":
                tries = [f"{n} oil"] + [f"{n} {kind}" for kind, plants in _SOLID.items() if n in plants]
            items.append(("eduardasrbastos", tries[0], tries))
    with (LISTS / "fungal_acne_triggers_valgmez.csv").open(encoding="utf-8") as fh:
        items += [("valgmez", row["ingredient"], [row["ingredient"]]) for row in csv.DictReader(fh)]
    with (LISTS / "curlsbot_ingredients_sebderm.csv").open(encoding="utf-8") as fh:
        items += [("curlsbot", row["name"], [row["name"]]) for row in csv.DictReader(fh) if row["sebderm_trigger"] != "0"]
    return items


def test_published_lists_are_covered_or_their_disagreement_reviewed(rules) -> None:
    items = _list_items()
    assert len(items) == 197 + 48 + 70
    not_flagged = {(lst, name) for lst, name, tries in items
                   if not any(_decide(rules, t) == "trigger" for t in tries)}
    assert not_flagged == set(LIST_DISAGREEMENTS)


# --------------------------------------------------------------------------- Annex III allergens

_OLDER = {"45", "67", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "80", "81", "82", "84", "85", "86",
          "87", "88", "89", "90", "91", "92"}
# Names in the TOML that are not in the Annex row's name columns; each explained in its entry's note.
_ADDED_NAMES = {"Eugenyl Acetate", "Citrus Aurantium Dulcis Peel Oil Expressed", "Citrus Sinensis Peel Oil Expressed",
                "Methyl 2-Octynoate", "Pogostemon Cablin Leaf Oil", "Citrus Medica Limonum Peel Oil"}
# Allergens none of whose names is in the 2020 CosIng inventory (names introduced later).
ALLERGENS_NOT_IN_COSING_2020 = {"3-propylidenephthalide", "lippia-citriodora-absolute", "dimethyl-phenethyl-acetate",
                                "trimethylcyclopentenyl-methylisopentenol"}


@pytest.fixture(scope="module")
def annex_rows() -> list[dict[str, str]]:
    if not ANNEX_III.exists():
        pytest.skip("../shared/data/cosing/annexes/annex_III.csv is not present")
    text = ANNEX_III.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text[text.index('"Reference Number"'):])))


def _labelled(row: dict[str, str]) -> bool:
    t = (row["Other"] or "") + (row["Wording of conditions of use and warnings"] or "")
    return ("0,001" in t or "0.001" in t) and "leave-on" in t and "rinse-off" in t


def test_allergens_match_annex_iii(annex_rows) -> None:
    lex = load_lexicon()
    rows = {r["Reference Number"].strip(): r for r in annex_rows if _labelled(r)}
    assert set(rows) == {a.annex_ref for a in lex.allergens}
    for a in lex.allergens:
        row = rows[a.annex_ref]
        listed = {compact_of(match_key(n)) for col in ("Name of Common Ingredients Glossary",
                                                       "Identified INGREDIENTS or substances e.g.", "Other")
                  for n in re.split(r"[;,‘’']", row[col]) if n.strip()}
        text = compact_of(match_key(" ".join(row.values())))
        for name in a.inci:
            key = compact_of(match_key(name))
            assert key in listed or key in text or name in _ADDED_NAMES or a.annex_ref == "157", (a.id, name)
        new = "2023/1545" in row["Regulation"] and a.annex_ref not in _OLDER
        assert a.list_id == ("eu-2023-1545" if new else "annex-iii"), a.id


def test_allergen_names_are_real_names(rules, cosing_names) -> None:
    """Most allergens carry at least one name of the 2020 CosIng inventory; the rest are grouping
    names or glossary names introduced with Regulation (EU) 2023/1545 (listed here, checked by hand)."""
    inventory = {compact_of(match_key(n)) for n in cosing_names}
    missing = sorted(a.id for a in rules.lexicon.allergens
                     if not any(compact_of(match_key(n)) in inventory for n in a.inci))
    assert missing == sorted(ALLERGENS_NOT_IN_COSING_2020)


# --------------------------------------------------------------------------- hand-checked corpus

CORPUS = Path(__file__).parent / "data" / "profiles_corpus.jsonl"


def _corpus() -> list[dict]:
    import json

    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_corpus_size_and_mix() -> None:
    rows = _corpus()
    assert len(rows) >= 100 and all(r["checked_by_hand"] for r in rows)
    verdicts = [r["fungal_acne"] for r in rows]
    assert verdicts.count("cannot tell") >= 30 and verdicts.count("clear") >= 20 and verdicts.count("flag") >= 30
    assert {r["allergens"] for r in rows} == {"flag", "clear", "cannot tell"}


@pytest.mark.parametrize("row", _corpus(), ids=lambda r: r["product_id"])
def test_hand_checked_verdicts(row, scanner) -> None:
    p = _assess(row["label"], scanner)
    assert (p.fungal_acne.verdict, p.allergens.verdict) == (row["fungal_acne"], row["allergens"])
    assert [t.text for t in p.fungal_acne.triggers] == row["fungal_triggers"]
    assert [u.text for u in p.fungal_acne.unknown] == row["fungal_undecided"]
    assert [t.name for t in p.allergens.triggers] == row["allergens_named"]
    assert p.allergens.fragrance_present == row["fragrance"]


def test_verdicts_alone_are_the_reports(scanner) -> None:
    """`Scanner.score(profiles=True)` (what bulk adds as columns) says what `scan().profiles` says, on the
    hand-checked corpus, the scanner corpus and the odd shapes, for a fresh scanner and a warm one."""
    import json

    labels = [r["label"] for r in _corpus()]
    labels += [json.loads(line)["label"] for line in (Path(__file__).parent / "data" / "corpus.jsonl").open()]
    labels += ["", " , ;", "Aqua", "Parfum", "Active ingredients: Salicylic Acid 2% Inactive: Water, Linalool",
               "Cleanser: Aqua, Cocos Nucifera Oil. Toner: Aqua, Glycerin"]
    fresh = milia_scan.Scanner()
    for label in labels:
        expected = scanner.scan(label).profiles
        assert expected is not None
        for s in (fresh, scanner):
            lean = s.score(label, profiles=True)
            assert (lean.fungal_acne, lean.allergens) == (expected.fungal_acne.verdict, expected.allergens.verdict), label
    assert scanner.score("Aqua, Parfum")[-2:] == (None, None)  # not asked for


def test_assess_from_tokens_is_what_scan_reports(scanner) -> None:
    """`scan` builds the profiles from its token rows (`profiles_of_rows`); `assess` from `Token`
    models, validated or not: the same profiles, field for field."""
    import json

    from milia_scan.models import Token

    labels = [r["label"] for r in _corpus()]
    labels += [json.loads(line)["label"] for line in (Path(__file__).parent / "data" / "corpus.jsonl").open()]
    labels += ["", "Aqua", "Parfum, Linalool, Zyxorbium Complex", "Cleanser: Aqua, Cocos Nucifera Oil. Toner: Aqua, Parfum"]
    for label in labels:
        report = scanner.scan(label)
        validated = [Token.model_validate(t.model_dump()) for t in report.ingredients]
        for tokens in (report.ingredients, validated):
            p = assess(label, tokens, scanner)
            assert p == report.profiles and p.model_dump_json() == report.profiles.model_dump_json(), label


# --------------------------------------------------------------------------- docs


def test_doctest_and_docs_example() -> None:
    import doctest

    import milia_scan.profiles as profiles

    result = doctest.testmod(profiles)
    assert result.failed == 0 and result.attempted > 0
    doc = (Path(__file__).resolve().parents[1] / "docs" / "profiles.md").read_text(encoding="utf-8")
    label = re.search(r'label = "([^"]+)"', doc).group(1)
    scanner = milia_scan.Scanner()
    p = assess(label, scanner.tokenize(label), scanner)
    shown = [(t.text, t.start, t.end, t.rule) for t in p.fungal_acne.triggers]
    assert f"# ('{p.fungal_acne.verdict}', {shown!r})" in doc
    allergens = [t.name for t in p.allergens.triggers]
    assert f"# ('{p.allergens.verdict}', {allergens!r}, {p.allergens.fragrance_present})" in doc
    lex = load_lexicon()
    assert f"### The rules ({len(lex.fungal_rules)})" in doc and f"**{len(lex.allergens)} entries**" in doc
