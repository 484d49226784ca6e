"""The page shows the report's two axes first (issue #11) and its condition profiles (issue #13), in
the words `milia-scan scan` uses, with each profile's tokens marked in the label. Real labels from
the hand-checked profile corpus (tests/data/profiles_corpus.jsonl), in headless Chromium; skips as
tests/test_serve_page.py does."""

from __future__ import annotations

import json
import re


from milia_scan import scan
from milia_scan.render import render_report

from .conftest import ROOT
from .serve_browser import api_scan, prop, scan_label, wait_for
from .serve_browser import browser, server  # noqa: F401  (the fixtures these tests use)

from selenium.webdriver.common.by import By  # noqa: E402  (after serve_browser: it skips without selenium)

PROFILES = ("fungal_acne", "allergens")
AXES = ("milia", "pore_clogging")
AXIS_LINE = re.compile(r"^(?P<name>.+?):\s+(?P<score>\d+)/100 (?P<band>\S+)\s+(?P<hits>.*)$")


def corpus_label(product_id: str) -> str:
    """A real label as stored (verbatim) in the hand-checked profile corpus."""
    with (ROOT / "tests" / "data" / "profiles_corpus.jsonl").open(encoding="utf-8") as rows:
        return next(r["label"] for r in map(json.loads, rows) if r["product_id"] == product_id)


# bareMinerals Oil Obsessed Oil Cleanser: fungal acne flag (seed oils, an ester), two allergens named
# (limonene, linalool), parfum, squalene both "not understood" by the fungal rules and on both axes.
OIL_CLEANSER = corpus_label("lookfantastic_0245")
# Oh K! SOS pH Balancing Gel Toner: "hamamelis virginiana" is understood by neither profile.
TONER = corpus_label("lookfantastic_0871")


def one_line(text: str) -> str:
    return " ".join(text.split())


def cli_lines(label: str) -> list[str]:
    """`milia-scan scan LABEL` as text, line by line."""
    return render_report(scan(label)).splitlines()


def text_of(element, css: str) -> list[str]:
    return [prop(e, "textContent") for e in element.find_elements(By.CSS_SELECTOR, css)]


def check_axes(browser, label: str, report: dict) -> None:
    """Each axis as the CLI's first two lines say it, each hit that feeds it named, then the score."""
    rows = browser.find_elements(By.CSS_SELECTOR, "#axes li.axis")
    assert [r.get_attribute("data-axis") for r in rows] == list(AXES)
    for name, row, line in zip(AXES, rows, cli_lines(label)[:2]):
        cli = AXIS_LINE.match(line)
        assert cli, line
        assert prop(row.find_element(By.CLASS_NAME, "axis-name"), "textContent") == cli["name"] + ":"
        assert prop(row.find_element(By.CLASS_NAME, "axis-score"), "textContent") == f"{cli['score']}/100"
        assert int(cli["score"]) == report[name]["score"]
        band = row.find_element(By.CLASS_NAME, "axis-band")
        assert prop(band, "textContent") == cli["band"] == report[name]["band"]
        assert "band-" + cli["band"] in band.get_attribute("class")
        feeding = row.find_elements(By.CSS_SELECTOR, "button.axis-hit")
        ids = [b.get_attribute("data-id") for b in feeding]
        assert ids == ([] if cli["hits"] == "-" else cli["hits"].split(", ")) == report[name]["hits"]
        for button in feeding:  # the hit it names is one that feeds this axis
            hit = report["hits"][int(button.get_attribute("data-hit"))]
            assert hit["id"] == button.get_attribute("data-id") and name in hit["axes"]
            assert prop(button, "textContent") == hit["name"]
    assert browser.execute_script(  # the axes first, then the overall score
        "return !!(document.getElementById('axes').compareDocumentPosition(document.getElementById('score'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)")
    assert browser.find_element(By.ID, "score").text == str(report["score"])
    # each risk hit says which axis it feeds, as `milia-scan scan` does
    feeds = [f" ({' + '.join(a.replace('_', '-') for a in h['axes']) or 'no axis'})" for h in report["hits"]]
    assert text_of(browser, "#hits .entry-axes") == feeds


def check_profiles(browser, label: str, report: dict) -> None:
    """One section per profile: the CLI's line, the report's note, its triggers and undecided tokens."""
    names = tuple(report["profiles"][k]["name"] + ":" for k in PROFILES)
    lines = [line for line in cli_lines(label) if line.startswith(names)]
    assert len(lines) == 2
    for key, line in zip(PROFILES, lines):
        v = report["profiles"][key]
        section = browser.find_element(By.ID, "profile-" + key)
        assert section.get_attribute("data-verdict") == v["verdict"]
        assert prop(section.find_element(By.TAG_NAME, "h4"), "textContent") == line
        assert text_of(section, "h4 .verdict") == [v["verdict"]]
        assert text_of(section, ".profile-note") == [v["note"]]
        assert text_of(section, ".entries .entry-text") == [one_line(t["text"]) for t in v["triggers"]]
        assert text_of(section, ".undecided-list .token") == [one_line(t["text"]) for t in v["unknown"]]
        assert text_of(section, ".undecided-list .reason") == [t["reason"] for t in v["unknown"]]
    assert prop(browser.find_element(By.ID, "profiles-disclaimer"), "textContent") == report["profiles"]["disclaimer"]


def show_layer(browser, layer: str) -> None:
    browser.find_element(By.ID, "layer-" + layer).click()
    wait_for(browser, lambda b: b.find_element(By.ID, "rendered").get_attribute("data-layer") == layer, layer)


def check_profile_marks(browser, label: str, report: dict, key: str) -> None:
    """Under a profile's layer: its triggers, fragrance words and undecided tokens marked at their spans."""
    show_layer(browser, key)
    v = report["profiles"][key]
    view = browser.find_element(By.ID, "rendered")
    assert prop(view, "textContent") == label  # nothing lost, nothing added
    shown = [(int(m.get_attribute("data-start")), int(m.get_attribute("data-end")), prop(m, "textContent"))
             for m in view.find_elements(By.CSS_SELECTOR, f"mark.profile-trigger.{key}")]
    assert shown == [(t["start"], t["end"], t["text"]) for t in v["triggers"]]
    assert text_of(view, "mark.fragrance") == [t["text"] for t in v.get("fragrance", [])]
    assert text_of(view, ".undecided") == [t["text"] for t in v["unknown"]]
    assert not view.find_elements(By.CSS_SELECTOR, "mark.risk, mark.helpful, .unknown")  # the other layer's marks
    legends = browser.find_elements(By.CSS_SELECTOR, ".legend[data-layer]")
    assert [g.get_attribute("data-layer") for g in legends if g.is_displayed()] == [key]


def test_axes_and_profiles_of_a_label_that_flags_both(browser, server) -> None:
    report = api_scan(server, OIL_CLEANSER)
    fungal, allergens = report["profiles"]["fungal_acne"], report["profiles"]["allergens"]
    assert fungal["verdict"] == allergens["verdict"] == "flag" and fungal["unknown"]
    assert [t["name"] for t in allergens["triggers"]] == ["Limonene", "Linalool"] and allergens["fragrance"]
    assert report["milia"]["hits"] and report["pore_clogging"]["hits"]
    scan_label(browser, server, OIL_CLEANSER)
    check_axes(browser, OIL_CLEANSER, report)
    check_profiles(browser, OIL_CLEANSER, report)
    status = prop(browser.find_element(By.ID, "status"), "textContent")  # what a screen reader hears
    assert "fungal acne (Malassezia folliculitis): flag" in status and "EU fragrance allergens: flag" in status

    # parfum: the report's own sentence on allergens below the labelling thresholds
    fragrance = browser.find_element(By.CSS_SELECTOR, "#profile-allergens .fragrance")
    sentence = "it can contain allergens below the labelling thresholds without naming them."
    assert sentence in api_scan(server, "Aqua, Parfum")["profiles"]["allergens"]["note"]
    assert fragrance.get_attribute("data-present") == "true"
    assert sentence in fragrance.text and "(parfum)" in fragrance.text

    # the milia layer first, as before; then each profile's tokens at their spans
    assert browser.find_elements(By.CSS_SELECTOR, "#rendered mark.risk")
    for key in PROFILES:
        check_profile_marks(browser, OIL_CLEANSER, report, key)

    # a marked allergen opens its entry: the Annex III reference
    browser.find_elements(By.CSS_SELECTOR, "#rendered mark.profile-trigger.allergens")[1].click()
    details = browser.find_element(By.ID, "allergens-trigger-1")
    wait_for(browser, lambda b: prop(details, "open"), "the allergen's entry opens")
    assert prop(details.find_element(By.CLASS_NAME, "why"), "textContent") == allergens["triggers"][1]["note"]
    assert "Annex III entry" in allergens["triggers"][1]["note"]

    # a profile's button marks its tokens in the label
    browser.find_element(By.CSS_SELECTOR, "#profile-fungal_acne button[data-layer]").click()
    wait_for(browser, lambda b: b.find_element(By.ID, "rendered").get_attribute("data-layer") == "fungal_acne",
             "the button switches the label to the fungal-acne marks")
    assert prop(browser.find_element(By.ID, "layer-fungal_acne"), "checked")


def test_an_unknown_token_makes_both_profiles_cannot_tell(browser, server) -> None:
    report = api_scan(server, TONER)
    scan_label(browser, server, TONER)
    check_axes(browser, TONER, report)
    check_profiles(browser, TONER, report)
    for key in PROFILES:
        v = report["profiles"][key]
        assert v["verdict"] == "cannot tell" and not v["triggers"]
        assert [t["text"] for t in v["unknown"]] == ["hamamelis virginiana"]
        section = browser.find_element(By.ID, "profile-" + key)
        assert section.find_element(By.CSS_SELECTOR, "h4").text.endswith(": cannot tell (1 not understood)")
        assert text_of(section, ".undecided-title") == ["Not understood (1)"]
        assert text_of(section, ".undecided-list .token") == ["hamamelis virginiana"]
        assert text_of(section, ".undecided-list .reason")[0].startswith("unrecognised")
        check_profile_marks(browser, TONER, report, key)
    fragrance = browser.find_element(By.CSS_SELECTOR, "#profile-allergens .fragrance")
    assert fragrance.get_attribute("data-present") == "false"
    assert fragrance.text == "No parfum / fragrance / aroma on the label."


def test_a_clear_label_shows_clear_and_no_lists(browser, server) -> None:
    label = "Aqua, Glycerin, Squalane"
    report = api_scan(server, label)
    assert [report["profiles"][k]["verdict"] for k in PROFILES] == ["clear", "clear"]
    scan_label(browser, server, label)
    check_profiles(browser, label, report)
    profiles = browser.find_element(By.ID, "profiles")
    assert not profiles.find_elements(By.CSS_SELECTOR, ".entries, .undecided-list, button")


def test_label_text_in_profiles_is_never_markup(browser, server) -> None:
    label = ("Aqua, Linalool, Isopropyl Myristate, Blorp <b>bold</b> <script>window.hacked=3</script>, "
             'Zorp <img src=x onerror="window.hacked=4">, Parfum')
    report = api_scan(server, label)
    odd = [t["text"] for t in report["profiles"]["fungal_acne"]["unknown"]]
    assert any("<script>" in t for t in odd) and any("<img" in t for t in odd)
    scan_label(browser, server, label)
    check_profiles(browser, label, report)
    for key in PROFILES:
        section = browser.find_element(By.ID, "profile-" + key)
        assert not section.find_elements(By.CSS_SELECTOR, "b, script, img")
        assert any("<b>bold</b> <script>window.hacked=3</script" in t for t in text_of(section, ".undecided-list .token"))
        check_profile_marks(browser, label, report, key)
        assert not browser.find_element(By.ID, "rendered").find_elements(By.CSS_SELECTOR, "b, script, img")
    assert browser.execute_script("return window.hacked") is None
