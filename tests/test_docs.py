"""The examples in docstrings, the README and docs/scoring.md say what the code does."""

from __future__ import annotations

import doctest
import re

import pytest

import milia_scan
from milia_scan import context, normalizer, scanner

from .conftest import ROOT


@pytest.mark.parametrize("module", [milia_scan, context, normalizer, scanner], ids=lambda m: m.__name__)
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_readme_python_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    label = re.search(r'milia_scan\.scan\("([^"]+)"\)', readme).group(1)
    claimed = re.search(r"report\.score, report\.band\s+# \((\d+), '(\w+)'\)", readme).groups()
    r = milia_scan.scan(label)
    assert (str(r.score), r.band) == claimed


def test_scoring_doc_worked_example() -> None:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    label = re.search(r'milia-scan scan "([^"]+)"', doc).group(1)
    by_context = {c: milia_scan.scan(label, context=c) for c in ("leave-on", "rinse-off", "eye-area")}
    r = by_context["leave-on"]
    assert f"score is **{r.score}, {r.band}**" in doc
    assert f"scores\n{by_context['rinse-off'].score} ({by_context['rinse-off'].band})" in doc
    assert f"{by_context['eye-area'].score} in the eye area" in doc
    for h in r.hits:
        assert f"| {h.contribution:.2f} |" in doc, h.id
