"""How a product is used, read from its name (`infer_context`) or a data column (`parse_context`)."""

from __future__ import annotations

import pytest

from milia_scan import infer_context, parse_context
from milia_scan.context import CONTEXT_RULES, IGNORED_NAMES, fold_name, match_context
from milia_scan.models import CONTEXTS

# Real product names (../shared/data/labels and the issue), with the context each must get.
NAMES = {
    "rinse-off": [
        "CeraVe Foaming Facial Cleanser 473ml", "L'Oréal Paris Men Expert Clean Power Shower Gel 300ml",
        "Garnier Micellar Water Facial Cleanser and Makeup Remover for Sensitive Skin 400ml",
        "La Roche-Posay Effaclar Micellar Water 200ml", "Bulldog Original Face Wash 150ml",
        "Clinique Take The Day Off Cleansing Balm 125ml", "DHC Deep Cleansing Oil 30ml",
        "Gentle Clarifying Shampoo", "Keep My Curl Moisture Conditioner", "Curl Quenching Conditioning Wash",
        "Bamboo Charcoal Detoxifying Soap Bar", "Transforming Walnut Scrub", "La Roche-Posay Effaclar Clay Mask 100ml",
        "GinZing™ Peel-Off Mask to Refine and Refresh", "TIME RESPONSE Vintage Wash-off Masque",
        "Weleda Wild Rose Creamy Body Wash (200ml)", "Burt's Bees Baby Bee Bubble Bath (350ml)",
        "Avene Gentle Eye Make-Up Remover 125ml", "Rinse-Off Eye Makeup Solvent",
        "Sens’Eyes - Waterproof Sensitive Eye Cleanser", "Sarah Chapman Lash Boosting Eye Cleanse 70ml",
        "Take The Day Off Micellar Cleansing Towelettes for Face & Eyes", "Therapy Session Hair Mask",
        "Bonding Pre-Shampoo Treatment", "Scalp Balancing Sake Rinse", "Liz Earle Cleanse & Polish 100ml Pump",
        "Soap & Glory Clean On Me Shower Gel", "Démaquillant Douceur", "GENTLE CLEANSERS", "Shave Cream",
        "La Roche Posay Effaclar Purifying Foaming Gel", "Bioderma Atoderm Intensive Foaming Gel 500ml",
    ],
    "eye-area": [
        "CeraVe Eye Repair Cream 14ml", "The INKEY List Caffeine Eye Serum 15ml", "Goat Milk De-Puffing Eye Balm",
        "Essential Fx Acyl-Glutathione Smoothing & Brightening Under-Eye Cream", "Pack Your Bags Undereye Patches",
        "Essential Fx Acyl-Glutathione Eyelid Lift Serum", "Clinique All About Eyes Eye Cream 15ml",
        "Advanced Génifique Yeux Light-Pearl™ Eye Illuminator Youth Activating Concentrate",
        "Power K Eye Rescue®", "Eye Sleeping Mask", "Eye Shadow Palette", "Liquid Eyeliner",
    ],
    "leave-on": [
        "Aquaphor Healing Ointment", "Moisture Balance Leave-In Conditioner", "Leave-in or Rinse-out Conditioner",
        "No:Rinse Intensive Pore Minimizing Toner", "After-Shower Body Oil", "Lip Conditioner SPF 15",
        "Super Spot Remover™ Blemish Treatment Gel", "Soap & Glory Righteous Butter Body Lotion",
        "Bath & Body Works Ultimate Hydration Body Cream", "Aqua Bomb Sleeping Mask", "Lash Serum",
        "Volumizing Mascara", "Brow Gel", "Eyebrow Pencil", "Brown Sugar Lip Balm", "Washington Night Cream",
        "Soapwort Face Cream", "Ultra Facial Cream", "", "   ",
    ],
}


@pytest.mark.parametrize(("context", "name"), [(c, n) for c, names in NAMES.items() for n in names])
def test_real_names(context: str, name: str) -> None:
    assert infer_context(name) == context, match_context(name)


def test_the_issue_keywords() -> None:
    for name in ("cleanser", "face wash", "shower gel", "shampoo", "conditioner", "scrub", "rinse-off mask",
                 "micellar water", "body wash", "soap", "cleansing balm"):
        assert infer_context(name) == "rinse-off", name
    for name in ("eye cream", "eye serum", "under-eye", "eyelid", "eye balm"):
        assert infer_context(name) == "eye-area", name
    assert infer_context("leave-in conditioner") == "leave-on"
    assert infer_context("night cream") == "leave-on"


def test_case_accents_plurals_and_word_boundaries() -> None:
    assert infer_context("FOAMING CLEANSER") == infer_context("foaming cleanser") == "rinse-off"
    assert infer_context("Bubble Baths") == infer_context("face washes") == "rinse-off"
    assert infer_context("Démaquillant") == infer_context("demaquillant") == "rinse-off"
    assert match_context("Eyes & Lips") == ("eye-area", "eye")
    # a keyword inside a longer word is not the keyword
    for name in ("Soapberry Extract Cream", "Washi Paper Mask", "Cleansed Skin Serum", "Eyeing Balm", "Bathyal Water"):
        assert infer_context(name) == "leave-on", name


def test_match_context_says_which_phrase_decided() -> None:
    assert match_context("Leave-In Conditioner") == ("leave-on", "leave in")
    assert match_context("Micellar Eye Cream") == ("rinse-off", "micellar")  # rule 1 before rule 4
    assert match_context("Night Cream") == ("leave-on", None)


def test_the_table_is_folded_and_each_phrase_means_one_context() -> None:
    seen: dict[str, str] = {}
    for rule in CONTEXT_RULES:
        assert rule.context in CONTEXTS and rule.why
        for phrase in rule.phrases:
            assert fold_name(phrase) == phrase, phrase
            assert seen.setdefault(phrase, rule.context) == rule.context, phrase
    assert all(fold_name(n) == n for n in IGNORED_NAMES)


@pytest.mark.parametrize("value", ["leave-on", "rinse-off", "eye-area", "Leave-On", " RINSE-OFF ", "Eye-Area\n"])
def test_parse_context(value: str) -> None:
    assert parse_context(value) == value.strip().lower()


@pytest.mark.parametrize("value", ["", "face", "rinse off", "leave_on", "eye", "auto", None, 1.5])
def test_parse_context_rejects_anything_else_by_name(value) -> None:
    with pytest.raises(ValueError, match=f"unknown context {value!r}: use one of leave-on, rinse-off, eye-area"):
        parse_context(value)
