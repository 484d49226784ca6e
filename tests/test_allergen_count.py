"""The fragrance allergens of Regulation (EU) 2023/1545: 57 Annex III entries, not the 56 the
summaries count. The difference is 6-methylcoumarin (entry 46): the published list of 56 names
below is the `eu-2023-1545` list without it (docs/profiles.md, "56 or 57"; the sources
eu-2023-1545, sgs-2023-1545-summary and asd-2023-1545-summary say what each confirms). Needs no
reference data: tests/test_profiles.py checks every entry against the CosIng export as well."""

from __future__ import annotations

from milia_scan.lexicon import load_lexicon
from milia_scan.normalizer import compact_of, match_key

# The names "that must be declared" per asd-2023-1545-summary (the same list is on geal.lv), in its
# order: the 11 existing Annex III entries that got the labelling condition, then the 45 new ones.
PUBLISHED_56 = (
    "Pinus Mugo", "Pinus Pumila", "Cedrus Atlantica Oil/Extract", "Turpentine", "Alpha-Terpinene", "Terpinolene",
    "Myroxylon Pereirae Oil/Extract", "Rose Ketones", "3-Propylidenephthalide", "Lippia citriodora absolute",
    "Methyl Salicylate",
    "Acetyl Cedrene", "Amyl Salicylate", "Anethole", "Benzaldehyde", "Camphor", "Beta-Caryophyllene", "Carvone",
    "Dimethyl Phenethyl Acetate", "Hexadecanolactone", "Hexamethylindanopyran", "Linalyl Acetate", "Menthol",
    "Trimethylcyclopentenyl Methylisopentenol", "Salicylaldehyde", "Santalol", "Sclareol", "Terpineol",
    "Tetramethyl acetyloctahydronaphthalenes", "Trimethylbenzenepropanol", "Vanillin", "Cananga Odorata Oil/Extract",
    "Cinnamomum Cassia Leaf Oil", "Cinnamomum Zeylanicum Bark Oil", "Citrus Aurantium Flower Oil",
    "Citrus Aurantium Peel Oil", "Citrus Aurantium Bergamia Peel Oil", "Citrus Limon Peel Oil", "Lemongrass Oil",
    "Eucalyptus Globulus Oil", "Eugenia Caryophyllus Oil", "Jasmine Oil/Extract", "Juniperus Virginiana Oil",
    "Laurus Nobilis Leaf Oil", "Lavandula Oil/Extract", "Mentha Piperita Oil", "Mentha Viridis Leaf Oil",
    "Narcissus Extract", "Pelargonium Graveolens Flower Oil", "Pogostemon Cablin Oil", "Rose Flower Oil / Extract",
    "Santalum Album Oil", "Eugenyl Acetate", "Geranyl Acetate", "Isoeugenyl Acetate", "Pinene",
)
EXISTING_ENTRIES = [46, 109, 114, 122, 124, 131, 133, 154, 157, 175, 196, 324]  # got the condition in 2023


def _key(name: str) -> str:
    return compact_of(match_key(name))


def test_the_2023_additions_are_57_entries_12_existing_and_45_new() -> None:
    lex = load_lexicon()
    added = sorted(int(a.annex_ref) for a in lex.allergens if a.list_id == "eu-2023-1545")
    assert len(added) == 57
    assert [r for r in added if r < 327] == EXISTING_ENTRIES
    assert [r for r in added if r >= 327] == list(range(327, 372))
    older = [a for a in lex.allergens if a.list_id == "annex-iii"]
    assert len(older) == 24 and not {"79", "83"} & {a.annex_ref for a in older}  # 26 less two now prohibited
    note = lex.allergen_lists["eu-2023-1545"].note
    assert "57" in note and "56" in note and "6-methylcoumarin" in note


def test_the_published_56_are_the_2023_list_less_6_methylcoumarin() -> None:
    lex = load_lexicon()
    added = {_key(a.label_name): a for a in lex.allergens if a.list_id == "eu-2023-1545"}
    published = {_key(n) for n in PUBLISHED_56}
    assert len(PUBLISHED_56) == len(published) == 56
    assert published <= set(added), sorted(published - set(added))
    extra = [added[k] for k in set(added) - published]
    assert [(a.id, a.annex_ref) for a in extra] == [("6-methylcoumarin", "46")]


def test_each_2023_entry_cites_what_confirms_it() -> None:
    lex = load_lexicon()
    for a in (a for a in lex.allergens if a.list_id == "eu-2023-1545"):
        assert {"eu-cosing-annex-iii", "eu-2023-1545"} <= set(a.sources), a.id
        # the 56 are named by the published list; 6-methylcoumarin only by SGS's table (and CosIng)
        assert ("sgs-2023-1545-summary" if a.annex_ref == "46" else "asd-2023-1545-summary") in a.sources, a.id
        assert all(s in lex.sources for s in a.sources), a.id
    assert "'New'" in lex.sources["sgs-2023-1545-summary"].note
