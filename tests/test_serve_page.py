"""The page at / in a real browser: Debian's headless Chromium driven by selenium, against the
service on a free loopback port. Skips when Chromium, its driver or selenium is not installed
(.ci/run installs them)."""

from __future__ import annotations

import json
import time
from pathlib import Path


from .conftest import ROOT
from .serve_browser import api_scan, open_page, paste, prop, scan_shown, wait_for
from .serve_browser import browser, server  # noqa: F401  (the fixtures these tests use)

from selenium.webdriver.common.by import By  # noqa: E402  (after serve_browser: it skips without selenium)
from selenium.webdriver.common.keys import Keys  # noqa: E402

import httpx  # noqa: E402

NIGHT_CREAM = (ROOT / "examples" / "night-cream.txt").read_text(encoding="utf-8")
KIT = ("Cleanser ingredients: water, glycerin, coconut oil. Moisturizer ingredients: water, mineral oil, "
       "dimethicone, retinol. Night Serum 30 ml ingredients: water, isopropyl myristate, salicylic acid")


def marks(browser, kind: str) -> list[tuple[list[int], str]]:
    """The marked spans of the rendered label: (indexes of the report's hits, text), in page order."""
    found = browser.find_elements(By.CSS_SELECTOR, f"#rendered mark.hit.{kind}")
    attr = "data-hits" if kind == "risk" else "data-helpful"
    return [([int(i) for i in m.get_attribute(attr).split(",")], prop(m, "textContent")) for m in found]


def screenshot(browser, element_id: str, *paths: Path) -> None:
    """A picture of the page scrolled to an element (for a person to look at)."""
    browser.execute_script("window.scrollTo({top: document.getElementById(arguments[0]).offsetTop - 8,"
                           "behavior: 'instant'})", element_id)
    time.sleep(0.3)  # let a smooth scroll started by the page end first (not a timing check)
    browser.execute_script("window.scrollTo({top: document.getElementById(arguments[0]).offsetTop - 8,"
                           "behavior: 'instant'})", element_id)
    for path in paths:
        browser.save_screenshot(str(path))


def check_rendering(browser, label: str, report: dict) -> None:
    """The label as typed, every hit highlighted at its span, in the report's order."""
    view = browser.find_element(By.ID, "rendered")
    assert prop(view, "textContent") == label  # nothing lost, nothing added
    for kind, hits in (("risk", report["hits"]), ("helpful", report["helpful"])):
        shown = marks(browser, kind)
        assert [i for ids, _ in shown for i in ids] == list(range(len(hits))), kind
        assert [text for ids, text in shown for _ in ids] == [h["text"] for h in hits], kind
    unknown = [prop(e, "textContent") for e in view.find_elements(By.CSS_SELECTOR, ".unknown")]
    assert unknown == [t["text"] for t in report["unrecognised"]]
    assert browser.find_element(By.ID, "score").text == str(report["score"])
    assert "band-" + report["band"] in browser.find_element(By.ID, "band").get_attribute("class")


def test_pasted_label_is_highlighted_at_every_hit(browser, server, tmp_path) -> None:
    open_page(browser, server)
    box = browser.find_element(By.ID, "label")
    box.send_keys(NIGHT_CREAM)  # typed in, line breaks and all
    assert prop(box, "value") == NIGHT_CREAM
    browser.find_element(By.ID, "scan").click()
    scan_shown(browser)
    report = api_scan(server, NIGHT_CREAM)
    assert report["hits"], "the example label has risk hits"
    check_rendering(browser, NIGHT_CREAM, report)

    # the hits list: one entry per hit, in order; a mark opens its reasons and rating sources
    entries = browser.find_elements(By.CSS_SELECTOR, "#hits details")
    assert len(entries) == len(report["hits"])
    first = browser.find_element(By.CSS_SELECTOR, "#rendered mark.hit.risk")
    first.click()
    details = browser.find_element(By.ID, "hit-0")
    wait_for(browser, lambda b: prop(details, "open"), "the first hit opens")
    assert details.find_element(By.CSS_SELECTOR, ".why").text == report["hits"][0]["why"]
    cited = sorted({r.rsplit("(", 1)[1].rstrip(")") for r in report["hits"][0]["ratings"]})
    wait_for(browser, lambda b: details.find_elements(By.CSS_SELECTOR, ".source-list li"), "the sources load")
    keys = [e.text for e in details.find_elements(By.CSS_SELECTOR, ".source-list code")]
    assert set(cited) <= set(keys)
    screenshot(browser, "result", tmp_path / "page-desktop.png", Path("/tmp/milia-page.png"))

    # the keyboard: Tab to a mark, Enter opens it
    last = len(report["hits"]) - 1
    mark = browser.find_elements(By.CSS_SELECTOR, "#rendered mark.hit.risk")[-1]
    browser.execute_script("arguments[0].focus()", mark)
    mark.send_keys(Keys.ENTER)
    wait_for(browser, lambda b: prop(b.find_element(By.ID, f"hit-{last}"), "open"), "Enter opens the last hit")
    assert browser.switch_to.active_element.tag_name == "summary"

    # the unrecognised list, the disclaimer once
    chips = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#unrecognised li")]
    assert chips == [" ".join(t["text"].split()) for t in report["unrecognised"]]
    page_text = prop(browser.find_element(By.TAG_NAME, "body"), "textContent")
    assert page_text.count(report["disclaimer"]) == 1

    # the link keeps the label in the fragment; opening it scans again
    fragment = browser.execute_script("return location.hash")
    assert browser.execute_script("return new URLSearchParams(location.hash.slice(1)).get('label')") == NIGHT_CREAM
    browser.get("about:blank")
    open_page(browser, server, fragment)
    scan_shown(browser)
    check_rendering(browser, NIGHT_CREAM, report)


def test_context_and_kit_parts(browser, server) -> None:
    open_page(browser, server)
    paste(browser, KIT)
    browser.find_element(By.CSS_SELECTOR, "#context option[value='eye-area']").click()
    browser.find_element(By.ID, "label").send_keys(Keys.CONTROL, Keys.ENTER)  # the shortcut scans
    scan_shown(browser)
    report = api_scan(server, KIT, "eye-area")
    assert len(report["parts"]) == 3 and report["helpful"]
    check_rendering(browser, KIT, report)
    parts = browser.find_elements(By.CSS_SELECTOR, "#parts-list li")
    shown = [(p.find_element(By.CLASS_NAME, "part-heading").text, p.find_element(By.CLASS_NAME, "part-score").text)
             for p in parts]
    assert shown == [(p["heading"], f"{p['score']}/100 {p['band']}") for p in report["parts"]]
    axes = [p.find_element(By.CLASS_NAME, "part-axes").text for p in parts]  # as `milia-scan scan` says it
    assert axes == [f"milia {p['milia']['score']} {p['milia']['band']}, pore-clogging {p['pore_clogging']['score']} "
                    f"{p['pore_clogging']['band']}" for p in report["parts"]]
    assert "context=eye-area" in browser.execute_script("return location.hash")


def test_a_txt_file_opened_or_dropped_is_scanned(browser, server, tmp_path) -> None:
    report = api_scan(server, NIGHT_CREAM)
    label_file = tmp_path / "night-cream.txt"
    label_file.write_text(NIGHT_CREAM, encoding="utf-8")
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(label_file))  # "Open a .txt file"
    scan_shown(browser)
    assert prop(browser.find_element(By.ID, "label"), "value") == NIGHT_CREAM
    check_rendering(browser, NIGHT_CREAM, report)

    open_page(browser, server)
    browser.execute_script("""
        const data = new DataTransfer();
        data.items.add(new File([arguments[0]], "label.txt", {type: "text/plain"}));
        const box = document.getElementById("label");
        box.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
        box.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    """, KIT)
    scan_shown(browser)
    check_rendering(browser, KIT, api_scan(server, KIT))


def test_label_text_is_never_markup(browser, server) -> None:
    label = 'Aqua, <img src=x onerror="window.hacked=1">Petrolatum, <b>Lanolin</b>, </mark><script>window.hacked=2</script>'
    open_page(browser, server)
    paste(browser, label)
    browser.find_element(By.ID, "scan").click()
    scan_shown(browser)
    check_rendering(browser, label, api_scan(server, label))
    view = browser.find_element(By.ID, "rendered")
    assert not view.find_elements(By.CSS_SELECTOR, "img, b, script")
    assert browser.execute_script("return window.hacked") is None


def test_bad_input_shows_a_message_not_a_blank_page(browser, server) -> None:
    open_page(browser, server)
    paste(browser, "Aqua, Petrolatum")
    browser.find_element(By.ID, "scan").click()
    scan_shown(browser)
    before = browser.find_element(By.ID, "summary").text
    paste(browser, "Aqua, Petrolatum, " * 4000)  # 70 KB: over the 64 KB cap of POST /v1/scan
    browser.find_element(By.ID, "scan").click()
    message = browser.find_element(By.ID, "message")
    wait_for(browser, lambda b: message.is_displayed(), "the message shows")
    assert "could not be scanned" in message.text and "64 KB" in message.text
    assert not browser.find_element(By.ID, "result").is_displayed()  # no stale result beside the message
    assert browser.find_element(By.ID, "label").is_displayed()  # the page is still there, the label in its box
    paste(browser, "   ")
    browser.find_element(By.ID, "scan").click()
    wait_for(browser, lambda b: "Paste an ingredient label first" in message.text, "empty label message")
    paste(browser, "Aqua, Petrolatum")
    browser.find_element(By.ID, "scan").click()
    scan_shown(browser, previous=None)
    assert browser.find_element(By.ID, "summary").text == before and not message.is_displayed()


def test_phone_width_fits_without_sideways_scrolling(browser, server, tmp_path) -> None:
    browser.set_window_size(390, 844)
    try:
        open_page(browser, server)
        paste(browser, NIGHT_CREAM)
        browser.find_element(By.ID, "scan").click()
        scan_shown(browser)
        widths = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        screenshot(browser, "rendered", tmp_path / "page-phone.png", Path("/tmp/milia-page-phone.png"))
    finally:
        browser.set_window_size(1280, 900)


def test_docs_page_lays_out_every_endpoint(browser, server) -> None:
    browser.get_log("browser")  # drop what earlier tests logged (their 413s)
    browser.get(server.url + "/docs")
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#endpoints .endpoint"), "the docs render")
    titles = [prop(e, "textContent") for e in browser.find_elements(By.CSS_SELECTOR, "#endpoints .endpoint h3")]
    schema = httpx.get(server.url + "/openapi.json").json()
    assert titles == [f"{m.upper()}{p}" for p, ops in schema["paths"].items() for m in ops]
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, json.dumps(errors)
