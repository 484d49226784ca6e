"""Everyday ingredient names in other languages (Portuguese, Italian, Spanish, Polish, Dutch, and a few
French and German gaps) are synonyms of the right entry, each one recorded in a source of
lexicon/sources.toml; generic words and real INCI names of other substances find nothing."""

from __future__ import annotations

import pytest

import milia_scan

from .conftest import ids

# How a label in each language typically prints the rest of its list (water, glycerin, fragrance).
LABEL = {
    "pt": "Aqua, {}, Glicerina, Perfume",
    "it": "Aqua, {}, Glicerina, Profumo",
    "es": "Agua, {}, Glicerina, Perfume",
    "pl": "Aqua, {}, Gliceryna, Parfum",
    "nl": "Aqua, {}, Glycerine, Parfum",
    "fr": "Aqua, {}, Glycérine, Parfum",
    "de": "Aqua, {}, Glycerin, Parfum",
}

# Sources that record which local names they support (their `note` names each one).
SOURCES = {
    "pt": ("names-pt",),
    "it": ("names-it", "abc-cosmetici-glossario", "cosmile-europe"),
    "es": ("names-es",),
    "pl": ("names-pl", "cosmile-europe"),
    "nl": ("names-nl",),
    "fr": ("names-fr-de",),
    "de": ("names-fr-de", "cosmile-europe"),
}

# (language, name as the lexicon spells it, entry id): one row per added name and language.
LOCAL_NAMES = [
    # mineral oil / paraffinum liquidum ("olio di vaselina" is mineral oil, not petrolatum)
    ("pt", "Óleo Mineral", "mineral-oil"),
    ("pt", "Vaselina Líquida", "mineral-oil"),
    ("pt", "Parafina Líquida", "mineral-oil"),
    ("pt", "Óleo de Parafina", "mineral-oil"),
    ("it", "Olio di Vaselina", "mineral-oil"),
    ("it", "Paraffina Liquida", "mineral-oil"),
    ("it", "Olio Minerale", "mineral-oil"),
    ("it", "Olio di Paraffina", "mineral-oil"),
    ("es", "Aceite Mineral", "mineral-oil"),
    ("es", "Aceite de Parafina", "mineral-oil"),
    ("es", "Parafina Líquida", "mineral-oil"),
    ("es", "Vaselina Líquida", "mineral-oil"),
    ("pl", "Olej Mineralny", "mineral-oil"),
    ("pl", "Olej Parafinowy", "mineral-oil"),
    ("pl", "Parafina Ciekła", "mineral-oil"),
    ("pl", "Parafina Płynna", "mineral-oil"),
    ("pl", "Płynna Parafina", "mineral-oil"),
    ("nl", "Minerale Olie", "mineral-oil"),
    ("nl", "Paraffineolie", "mineral-oil"),
    ("nl", "Vloeibare Paraffine", "mineral-oil"),
    ("fr", "Huile de Paraffine", "mineral-oil"),
    ("fr", "Huile de Vaseline", "mineral-oil"),
    ("de", "Mineralöl", "mineral-oil"),
    # petrolatum
    ("pt", "Petrolato", "petrolatum"),
    ("it", "Petrolato", "petrolatum"),
    ("es", "Petrolato", "petrolatum"),
    ("it", "Vaselina Bianca", "petrolatum"),
    ("es", "Vaselina Blanca", "petrolatum"),
    ("pl", "Wazelina", "petrolatum"),
    ("pl", "Wazelina Biała", "petrolatum"),
    ("pl", "Wazelina Żółta", "petrolatum"),
    # solid paraffin (only with "solid" in the name: the bare word is ambiguous)
    ("pt", "Parafina Sólida", "paraffin"),
    ("es", "Parafina Sólida", "paraffin"),
    ("it", "Paraffina Solida", "paraffin"),
    ("pl", "Parafina Stała", "paraffin"),
    # lanolin
    ("pt", "Lanolina", "lanolin"),
    ("it", "Lanolina", "lanolin"),
    ("es", "Lanolina", "lanolin"),
    ("pl", "Lanolina", "lanolin"),
    # beeswax
    ("pt", "Cera de Abelha", "beeswax"),
    ("it", "Cera d'Api", "beeswax"),
    ("es", "Cera de Abeja", "beeswax"),
    ("pl", "Wosk Pszczeli", "beeswax"),
    ("nl", "Bijenwas", "beeswax"),
    # shea butter
    ("pt", "Manteiga de Karité", "shea-butter"),
    ("it", "Burro di Karité", "shea-butter"),
    ("pl", "Masło Shea", "shea-butter"),
    ("pl", "Masło Karité", "shea-butter"),
    ("nl", "Sheaboter", "shea-butter"),
    ("nl", "Karitéboter", "shea-butter"),
    # coconut oil
    ("pt", "Óleo de Coco", "coconut-oil"),
    ("pl", "Olej Kokosowy", "coconut-oil"),
    ("nl", "Kokosolie", "coconut-oil"),
    ("de", "Kokosfett", "coconut-oil"),
    # cocoa butter
    ("pt", "Manteiga de Cacau", "cocoa-butter"),
    ("it", "Burro di Cacao", "cocoa-butter"),
    ("pl", "Masło Kakaowe", "cocoa-butter"),
    ("nl", "Cacaoboter", "cocoa-butter"),
    # avocado oil
    ("pt", "Óleo de Abacate", "avocado-oil"),
    ("it", "Olio di Avocado", "avocado-oil"),
    ("es", "Aceite de Aguacate", "avocado-oil"),
    ("pl", "Olej Awokado", "avocado-oil"),
    ("pl", "Olej z Awokado", "avocado-oil"),
    ("nl", "Avocado-olie", "avocado-oil"),
    ("fr", "Huile d'Avocat", "avocado-oil"),
    # castor oil
    ("pt", "Óleo de Rícino", "castor-oil"),
    ("pt", "Óleo de Mamona", "castor-oil"),
    ("it", "Olio di Ricino", "castor-oil"),
    ("es", "Aceite de Ricino", "castor-oil"),
    ("pl", "Olej Rycynowy", "castor-oil"),
    ("nl", "Ricinusolie", "castor-oil"),
    ("nl", "Wonderolie", "castor-oil"),
    ("nl", "Castorolie", "castor-oil"),
    # argan oil
    ("pt", "Óleo de Argan", "argan-oil"),
    ("it", "Olio di Argan", "argan-oil"),
    ("es", "Aceite de Argán", "argan-oil"),
    ("pl", "Olej Arganowy", "argan-oil"),
    ("nl", "Arganolie", "argan-oil"),
    # sweet almond oil
    ("pt", "Óleo de Amêndoas Doces", "sweet-almond-oil"),
    ("it", "Olio di Mandorle Dolci", "sweet-almond-oil"),
    ("es", "Aceite de Almendras Dulces", "sweet-almond-oil"),
    ("pl", "Olej Migdałowy", "sweet-almond-oil"),
    ("nl", "Amandelolie", "sweet-almond-oil"),
    # olive oil
    ("pt", "Azeite de Oliva", "olive-oil"),
    ("it", "Olio di Oliva", "olive-oil"),
    ("it", "Olio d'Oliva", "olive-oil"),
    ("pl", "Oliwa z Oliwek", "olive-oil"),
    ("nl", "Olijfolie", "olive-oil"),
    # soybean oil
    ("pt", "Óleo de Soja", "soybean-oil"),
    ("it", "Olio di Soia", "soybean-oil"),
    ("it", "Olio di Semi di Soia", "soybean-oil"),
    ("es", "Aceite de Soja", "soybean-oil"),
    ("pl", "Olej Sojowy", "soybean-oil"),
    ("nl", "Sojaolie", "soybean-oil"),
    # wheat germ oil
    ("pt", "Óleo de Gérmen de Trigo", "wheat-germ-oil"),
    ("it", "Olio di Germe di Grano", "wheat-germ-oil"),
    ("es", "Aceite de Germen de Trigo", "wheat-germ-oil"),
    ("pl", "Olej z Kiełków Pszenicy", "wheat-germ-oil"),
    ("pl", "Olej z Zarodków Pszenicy", "wheat-germ-oil"),
    ("nl", "Tarwekiemolie", "wheat-germ-oil"),
    # sesame oil
    ("pt", "Óleo de Gergelim", "sesame-oil"),
    ("pt", "Óleo de Sésamo", "sesame-oil"),
    ("it", "Olio di Sesamo", "sesame-oil"),
    ("es", "Aceite de Sésamo", "sesame-oil"),
    ("pl", "Olej Sezamowy", "sesame-oil"),
    ("nl", "Sesamolie", "sesame-oil"),
]

# Labels as printed in the wild: capitals, no accents, the local name in brackets or after a slash.
PRINTED = [
    ("AQUA, ÓLEO MINERAL, GLICERINA", ["mineral-oil"]),
    ("Aqua, Oleo mineral, Glicerina", ["mineral-oil"]),
    ("Paraffinum Liquidum (Olio di Vaselina), Cera Alba (Cera d'api), Glycerin", ["mineral-oil", "beeswax"]),
    ("Aqua, Olio di vaselina, Vaselina, Lanolina", ["mineral-oil", "petrolatum", "lanolin"]),
    ("Aqua, Cera d’api, Burro di karitè", ["beeswax", "shea-butter"]),
    ("Agua, parafina líquida, manteca de karité, aceite de coco", ["mineral-oil", "shea-butter", "coconut-oil"]),
    ("Aqua, Olej mineralny, Wazelina, Wosk pszczeli, Masło shea", ["mineral-oil", "petrolatum", "beeswax", "shea-butter"]),
    ("Aqua, Minerale olie, Vaseline, Bijenwas, Sheaboter, Kokosolie",
     ["mineral-oil", "petrolatum", "beeswax", "shea-butter", "coconut-oil"]),
    ("Aqua, Butyrospermum Parkii Butter/Manteiga de Karité, Cocos Nucifera Oil/Óleo de Coco",
     ["shea-butter", "coconut-oil"]),
]

# Nothing to find: generic words that name no substance alone, the bare "Parafina" (liquid in Polish
# cosmetics writing, liquid, waxy or solid in Portuguese dictionaries), real INCI names of other
# substances beside the petrolatum family, and local names of oils that have no entry.
NOTHING = [
    "Aqua, Olio, Glicerina",
    "Aqua, Óleo, Glicerina",
    "Agua, Aceite, Glicerina",
    "Aqua, Olej, Gliceryna",
    "Aqua, Olie, Glycerine",
    "Aqua, Cera, Glicerina",
    "Aqua, Wosk, Gliceryna",
    "Aqua, Burro, Glicerina",
    "Aqua, Manteiga, Glicerina",
    "Agua, Manteca, Glicerina",
    "Aqua, Masło, Gliceryna",
    "Aqua, Azeite, Glicerina",
    "Aqua, Parafina, Glicerina",
    "Aqua, Hydrogenated Mineral Oil, Glycerin",
    "Aqua, Red Petrolatum, Glycerin",
    "Aqua, Synthetic Petrolatum, Glycerin",
    "Aqua, C13-14 Isoparaffin, Glycerin",
    "Aqua, Chlorinated Paraffin, Glycerin",
    "Aqua, Mineral Spirits, Glycerin",
    "Aqua, Shellac Cera, Glycerin",
    "Aqua, Olio di Riso, Glicerina",
    "Aqua, Olio di Mandorle Amare, Glicerina",
    "Agua, Aceite de Arroz, Glicerina",
    "Aqua, Olej Rzepakowy, Gliceryna",
]


@pytest.fixture(scope="module")
def lexicon():
    return milia_scan.default_scanner().lexicon


@pytest.mark.parametrize(("lang", "name", "entry_id"), LOCAL_NAMES, ids=lambda v: v if isinstance(v, str) else "")
def test_local_name_on_a_label_finds_its_entry(lang, name, entry_id) -> None:
    label = LABEL[lang].format(name)
    assert ids(milia_scan.scan(label).hits) == [entry_id], label


@pytest.mark.parametrize(("lang", "name", "entry_id"), LOCAL_NAMES, ids=lambda v: v if isinstance(v, str) else "")
def test_local_name_is_a_synonym_recorded_in_a_source(lexicon, lang, name, entry_id) -> None:
    assert name in lexicon.entries[entry_id].synonyms
    notes = [(lexicon.sources[key].note or "").casefold() for key in SOURCES[lang]]
    assert any(f"'{name.casefold()}'" in note for note in notes), f"{name!r} is in no note of {SOURCES[lang]}"


@pytest.mark.parametrize(("label", "expected"), PRINTED)
def test_labels_printed_with_local_names(label, expected) -> None:
    assert ids(milia_scan.scan(label).hits) == expected


@pytest.mark.parametrize("label", NOTHING)
def test_generic_words_and_other_substances_find_nothing(label) -> None:
    assert ids(milia_scan.scan(label).hits) == []
