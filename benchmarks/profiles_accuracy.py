"""Condition profiles (issue #13): verdicts on the hand-checked corpus, and what a list-matching
checker would say on the same labels.

    python benchmarks/profiles_accuracy.py            # the tables below, as Markdown
    python benchmarks/profiles_accuracy.py --labels   # plus every label whose verdict differs

Reads tests/data/profiles_corpus.jsonl (112 real labels stored verbatim, each verdict checked by
hand). The baseline needs ../shared/data/lists (the three published fungal-acne trigger lists) and
is skipped without it: it flags a label when a list name occurs in it as a phrase, and otherwise
says "clear", as the peer checkers that have no third answer do.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import milia_scan  # noqa: E402
from milia_scan.profiles import assess  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "profiles_corpus.jsonl"
LISTS = ROOT.parent / "shared" / "data" / "lists"
VERDICTS = ("flag", "clear", "cannot tell")


def load_corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def list_phrases() -> list[str] | None:
    """Every name the three published lists flag, lower case (None when the lists are absent)."""
    if not LISTS.is_dir():
        return None
    names: set[str] = set()
    with (LISTS / "malassezia_triggers_eduardasrbastos.csv").open(encoding="utf-8") as fh:
        names |= {r["ingredients"].lower() for r in csv.DictReader(fh)}
    with (LISTS / "fungal_acne_triggers_valgmez.csv").open(encoding="utf-8") as fh:
        names |= {r["ingredient"].lower() for r in csv.DictReader(fh)}
    with (LISTS / "curlsbot_ingredients_sebderm.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["sebderm_trigger"] != "0":
                names.add(r["name"].lower())
                names |= {s.strip().lower() for s in r["synonyms"].split("|") if s.strip()}
    return sorted(n for n in names if len(n) >= 4)


def baseline_verdict(label: str, phrases: list[str]) -> str:
    text = " " + re.sub(r"[^a-z0-9]+", " ", label.lower()) + " "
    return "flag" if any(f" {re.sub(r'[^a-z0-9]+', ' ', p).strip()} " in text for p in phrases) else "clear"


def confusion(rows: list[dict], key: str, got: list[str]) -> list[str]:
    counts = Counter((r[key], g) for r, g in zip(rows, got))
    lines = ["| hand-checked \\ predicted | " + " | ".join(VERDICTS) + " | total |", "|---|---:|---:|---:|---:|"]
    for want in VERDICTS:
        row = [counts[(want, g)] for g in VERDICTS]
        lines.append(f"| {want} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", action="store_true", help="list every label whose verdict differs")
    args = ap.parse_args()

    rows = load_corpus()
    scanner = milia_scan.Scanner()
    t0 = time.perf_counter()
    results = [assess(r["label"], scanner.tokenize(r["label"]), scanner) for r in rows]
    elapsed = time.perf_counter() - t0
    fungal = [p.fungal_acne.verdict for p in results]
    allergens = [p.allergens.verdict for p in results]

    print(f"## Condition profiles on {len(rows)} hand-checked labels ({CORPUS.relative_to(ROOT)})\n")
    print(f"assess(): {elapsed / len(rows) * 1000:.2f} ms per label (tokens from Scanner.tokenize, warm caches)\n")
    for title, key, got in (("Fungal acne (Malassezia folliculitis)", "fungal_acne", fungal),
                            ("EU fragrance allergens", "allergens", allergens)):
        agree = sum(r[key] == g for r, g in zip(rows, got))
        print(f"### {title}: {agree}/{len(rows)} verdicts agree\n")
        print("\n".join(confusion(rows, key, got)) + "\n")

    phrases = list_phrases()
    if phrases is None:
        print("Baseline skipped: ../shared/data/lists is not present.")
    else:
        base = [baseline_verdict(r["label"], phrases) for r in rows]
        print(f"### Baseline: flag when one of the {len(phrases)} names of the three published lists occurs "
              "as a phrase, else 'clear'\n")
        print("\n".join(confusion(rows, "fungal_acne", base)) + "\n")
        unsafe = sum(r["fungal_acne"] == "cannot tell" and b == "clear" for r, b in zip(rows, base))
        missed = sum(r["fungal_acne"] == "flag" and b == "clear" for r, b in zip(rows, base))
        print(f"The baseline says 'clear' on {unsafe} of the {fungal.count('cannot tell')} labels the profile "
              f"cannot decide, and on {missed} labels with a trigger it does not know by name.\n")

    fragrance = sum(p.allergens.fragrance_present for p in results)
    named = Counter(t.name for p in results for t in p.allergens.triggers)
    print(f"Allergens: {sum(v == 'flag' for v in allergens)} labels name at least one; {fragrance} print parfum / "
          f"fragrance / aroma. Most named: " + ", ".join(f"{n} {c}" for n, c in named.most_common(8)) + ".")
    if args.labels:
        for r, f, a in zip(rows, fungal, allergens):
            if (f, a) != (r["fungal_acne"], r["allergens"]):
                print(f"- {r['product_id']}: fungal {f} (hand {r['fungal_acne']}), allergens {a} (hand {r['allergens']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
