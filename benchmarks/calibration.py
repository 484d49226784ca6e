"""Calibration you can read (issue #11): band shares by product type on the shared real labels,
before and after a change, and how the archetype table (tests/data/archetypes.csv) fares.

    python benchmarks/calibration.py                  # before = commit 1dc2e85, after = this checkout
    python benchmarks/calibration.py --before HEAD~3  # any revision of this repository

"Before" is scored by that revision's own code and lexicon (taken with `git archive` into a
temporary folder and run in a subprocess), every row as leave-on, as the bulk engine did. "After"
is this checkout, once with every row leave-on and once with the context `infer_context` reads
from the product name. The labels are read in place from ../shared/data/labels (never copied).
The product type is read from the name with TYPE_RULES below (a reporting aid, not the product's
context table, which is `milia_scan.context.CONTEXT_RULES`).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from milia_scan import Scanner, infer_context
from milia_scan.context import fold_name

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT.parent / "shared" / "data" / "labels"
ARCHETYPES = ROOT / "tests" / "data" / "archetypes.csv"
BEFORE = "1dc2e85"  # the last commit before issue #11
BANDS = ("low", "moderate", "high")

# Product types for the tables, tried in order on the folded name (after the context: a
# rinse-off or eye-area name is typed by its context first). Reporting only.
TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("ointment, balm, salve", r"\b(ointment|salve|balm|petroleum jelly|vaseline|aquaphor)\b"),
    ("lip care", r"\blips?\b"),
    ("sunscreen", r"\b(spf|sunscreen|uv|sun (cream|lotion|screen|protection|fluid|milk|spray))\b"),
    ("mask (leave-on)", r"\b(masks?|masques?|patch(es)?)\b"),
    ("toner, mist", r"\b(toners?|tonic|tonique|mists?|spray|facial water)\b"),
    ("face and body oil", r"\boils?\b(?! (free|control|absorb))"),
    ("serum, essence", r"\b(serums?|essence|ampoules?|booster|concentrate|elixir|drops)\b"),
    ("night cream", r"\b(night|overnight|sleeping|sleep)\b"),
    ("gel, gel-cream", r"\b(gel|gelee|jelly)\b"),
    ("cream, lotion, moisturiser", r"\b(creams?|creme|moistur\w*|lotion|butter|emulsion|hydrator|fluid)\b"),
    ("peel, exfoliant", r"\b(peel\w*|exfoliant|exfoliating|aha|bha|acid|pads?)\b"),
    ("primer, make-up", r"\b(primer|foundation|concealer|bb|cc|tint\w*|powder|bronz\w*|highlighter|setting)\b"),
)
RINSE_TYPES: tuple[tuple[str, str], ...] = (
    ("hair rinse-off", r"\b(shampoo\w*|conditioner|conditioning|co wash|hair mask|hair masque|rinse)\b"),
    ("shower, bath, body wash", r"\b(shower|bath\w*|body wash|hand wash|soap)\b"),
    ("scrub, wash-off mask", r"\b(scrub|polish|exfoliator|mask|masque|peel off)\b"),
)


def product_type(source: str, name: str) -> str:
    """The product type a name reads as, for the calibration tables."""
    context = infer_context(name)
    folded = fold_name(name)
    if context == "eye-area":
        return "eye care"
    if context == "rinse-off":
        for kind, pattern in RINSE_TYPES:
            if re.search(pattern, folded):
                return kind
        return "face cleanser, micellar"
    if "curlsbot" in source:
        return "hair, leave-on"
    for kind, pattern in TYPE_RULES:
        if re.search(pattern, folded):
            return kind
    return "other"


def read_labels(folder: Path = LABELS) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.append({"source": path.name, "product_id": row["product_id"], "name": row["name"],
                             "label": row["ingredients"]})
    return rows


_BEFORE_SCRIPT = """
import json, sys
import milia_scan
s = milia_scan.Scanner()
out = []
for label, context in json.load(sys.stdin):
    r = s.score(label, context=context)
    out.append([r.score, r.band])
json.dump(out, sys.stdout)
"""


def score_before(rev: str, items: Sequence[tuple[str, str]]) -> list[tuple[int, str]]:
    """(score, band) of each (label, context) with revision `rev`'s own code and lexicon."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "rev.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "src", "lexicon"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run([sys.executable, "-c", _BEFORE_SCRIPT], input=json.dumps(list(items)),
                              capture_output=True, text=True, check=True, env={"PYTHONPATH": str(Path(tmp) / "src")})
    return [(s, b) for s, b in json.loads(done.stdout)]


def shares(bands: Iterable[str]) -> Counter[str]:
    return Counter(bands)


def _pct(counter: Counter[str], band: str, n: int) -> str:
    return f"{100 * counter[band] / n:.0f}" if n else "-"


def band_table(rows: Sequence[dict], before: Sequence[str], after_lo: Sequence[str], after_ctx: Sequence[str],
               milia: Sequence[str], pore: Sequence[str]) -> str:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row["type"]].append(i)
    order = sorted(groups, key=lambda k: -len(groups[k]))
    lines = [
        "| product type | labels | before: low / moderate / high % | after, all leave-on | after, context from the name "
        "| milia axis high % | pore-clogging axis high % |",
        "|---|---:|---|---|---|---:|---:|",
    ]
    for kind in [*order, "all"]:
        idx = list(range(len(rows))) if kind == "all" else groups[kind]
        n = len(idx)
        cells = []
        for bands in (before, after_lo, after_ctx):
            c = shares(bands[i] for i in idx)
            cells.append(" / ".join(_pct(c, b, n) for b in BANDS))
        m, p = shares(milia[i] for i in idx), shares(pore[i] for i in idx)
        name = "**all labels**" if kind == "all" else kind
        lines.append(f"| {name} | {n} | {cells[0]} | {cells[1]} | {cells[2]} | {_pct(m, 'high', n)} | {_pct(p, 'high', n)} |")
    return "\n".join(lines)


def read_archetypes(path: Path = ARCHETYPES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def archetype_table(rows: Sequence[dict], before_lo: Sequence[str], before_ctx: Sequence[str],
                    after: Sequence[str]) -> str:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row["archetype"]].append(i)
    lines = ["| archetype | labels | expected | before, leave-on (as bulk) | before, its context | after, its context |",
             "|---|---:|---|---:|---:|---:|"]
    for kind in [*groups, "all"]:
        idx = list(range(len(rows))) if kind == "all" else groups[kind]
        want = Counter(rows[i]["band"] for i in idx)
        expected = ", ".join(f"{b} {want[b]}" for b in BANDS if want[b])
        hits = [sum(bands[i] == rows[i]["band"] for i in idx) for bands in (before_lo, before_ctx, after)]
        name = "**all**" if kind == "all" else kind
        lines.append(f"| {name} | {len(idx)} | {expected} | " + " | ".join(f"{h}/{len(idx)}" for h in hits) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=BEFORE, help=f"the revision to compare with (default {BEFORE})")
    ap.add_argument("--labels", type=Path, default=LABELS, help="the folder of label CSVs")
    args = ap.parse_args(argv)
    if not args.labels.is_dir():
        print(f"calibration: no labels at {args.labels}", file=sys.stderr)
        return 2
    scanner = Scanner()
    rows = read_labels(args.labels)
    for row in rows:
        row["type"], row["context"] = product_type(row["source"], row["name"]), infer_context(row["name"])
    before = [b for _, b in score_before(args.before, [(r["label"], "leave-on") for r in rows])]
    after_lo = [scanner.score(r["label"]).band for r in rows]
    reports = [scanner.scan(r["label"], context=r["context"]) for r in rows]
    print(f"## Band shares by product type ({len(rows)} labels in {args.labels.name}/; before = {args.before})\n")
    print(band_table(rows, before, after_lo, [r.band for r in reports],
                     [r.milia.band for r in reports], [r.pore_clogging.band for r in reports]))
    contexts = Counter(r["context"] for r in rows)
    print(f"\nContexts read from the names: {', '.join(f'{c} {n}' for c, n in contexts.most_common())}.")
    if ARCHETYPES.exists():
        arch = read_archetypes()
        b_lo = [b for _, b in score_before(args.before, [(r["label"], "leave-on") for r in arch])]
        b_ctx = [b for _, b in score_before(args.before, [(r["label"], r["context"]) for r in arch])]
        after = [scanner.scan(r["label"], context=r["context"]).band for r in arch]
        print(f"\n## Archetypes ({len(arch)} labels, tests/data/archetypes.csv): rows whose band is the expected one\n")
        print(archetype_table(arch, b_lo, b_ctx, after))
        wrong = [(r, a) for r, a in zip(arch, after) if a != r["band"]]
        if wrong:
            print("\nDisagreements after:")
            for r, a in wrong:
                print(f"- {r['product_id']} ({r['archetype']}, {r['context']}): expected {r['band']}, got {a}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
