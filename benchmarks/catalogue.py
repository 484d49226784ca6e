"""A seeded catalogue of ingredient labels for the speed benchmarks.

    python benchmarks/catalogue.py --rows 200000 --seed 1 --out benchmarks/out/cat.csv

Each row samples a real label from `../shared/data/labels/*.csv` (read in place, relative to the
project root; never copied into the repository) and adds realistic noise: a few letter typos
and OCR confusions in some labels, case changes, other separators. When that folder is absent
it falls back to a built-in synthetic generator (~36 ingredients a label, drawn from ~150 common
INCI names, risk ones included), so the benchmark runs on a fresh clone too.

The output is a CSV with a header `id,ingredients`. The same rows, seed and generator version
give the same bytes; `catalogue_path()` caches files under benchmarks/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS_DIR = ROOT.parent / "shared" / "data" / "labels"
OUT_DIR = ROOT / "benchmarks" / "out"
GENERATOR_VERSION = 2  # bump when the output for a given (rows, seed) changes

# --------------------------------------------------------------------------- noise model
# Product variants first, so that rows are distinct as in a real catalogue (a per-label result
# cache must not be able to stand in for the scanner): swap two neighbours in the low-
# concentration half, drop one ingredient, append shade colourants or trace ingredients.
VARIANT_SWAP = 0.6
VARIANT_DROP = 0.4
VARIANT_APPEND = 0.4
TRACE = ("CI 77491", "CI 77492", "CI 77499", "CI 77891", "Mica", "Iron Oxides", "Titanium Dioxide",
         "Tocopherol", "Citric Acid", "Sodium Benzoate", "Potassium Sorbate", "Limonene", "Linalool",
         "Parfum", "Sodium Hydroxide", "Disodium EDTA", "Silica", "CI 19140", "CI 42090", "Tin Oxide")
# Per label: how many of its tokens get one typo or OCR confusion (mean 0.6 a label).
NOISY_TOKENS = ((0, 0.60), (1, 0.25), (2, 0.10), (3, 0.05))
CASES = (("as-is", 0.75), ("upper", 0.10), ("lower", 0.10), ("title", 0.05))
SEPARATORS = ((", ", 0.85), ("; ", 0.06), (" • ", 0.04), (",", 0.03), (" · ", 0.02))
OCR_SHARE = 0.4  # of noisy tokens; the rest get a letter typo
OCR_CONFUSIONS = (("m", "rn"), ("rn", "m"), ("o", "0"), ("l", "1"), ("i", "l"), ("I", "l"),
                  ("e", "c"), ("cl", "d"), ("d", "cl"), ("S", "5"), ("B", "8"), ("O", "0"))
KEYBOARD = {}
for _row in ("qwertyuiop", "asdfghjkl", "zxcvbnm"):
    for _i, _c in enumerate(_row):
        KEYBOARD[_c] = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]

# --------------------------------------------------------------------------- synthetic fallback
# (name, weight): common INCI names; risk ingredients are rarer, as on real shelves.
_COMMON = """
Glycerin|Butylene Glycol|Propanediol|Pentylene Glycol|Propylene Glycol|Caprylyl Glycol|
1,2-Hexanediol|Phenoxyethanol|Ethylhexylglycerin|Sodium Benzoate|Potassium Sorbate|
Chlorphenesin|Citric Acid|Sodium Citrate|Sodium Hydroxide|Disodium EDTA|Tetrasodium EDTA|
Xanthan Gum|Carbomer|Sodium Hyaluronate|Hyaluronic Acid|Niacinamide|Panthenol|Allantoin|
Tocopherol|Tocopheryl Acetate|Ascorbic Acid|Sodium Ascorbyl Phosphate|Bisabolol|
Cetearyl Alcohol|Cetyl Alcohol|Stearyl Alcohol|Behenyl Alcohol|Glyceryl Stearate|
PEG-100 Stearate|Stearic Acid|Palmitic Acid|Caprylic/Capric Triglyceride|Squalane|
Dicaprylyl Carbonate|Coco-Caprylate/Caprate|C12-15 Alkyl Benzoate|Isononyl Isononanoate|
Dimethicone|Cyclopentasiloxane|Dimethiconol|Amodimethicone|Phenyl Trimethicone|
Polysorbate 20|Polysorbate 60|Polysorbate 80|Sorbitan Olivate|Cetearyl Olivate|
Ceteareth-20|Steareth-2|Steareth-21|Lecithin|Hydrogenated Lecithin|Ceramide NP|Ceramide AP|
Ceramide EOP|Phytosphingosine|Cholesterol|Sodium Lauroyl Lactylate|Sodium PCA|Urea|
Lactic Acid|Sodium Lactate|Trehalose|Betaine|Sodium Chloride|Magnesium Sulfate|Zinc Oxide|
Titanium Dioxide|Iron Oxides (CI 77491)|Mica|Silica|Talc|Kaolin|Bentonite|Alumina|
Aluminum Hydroxide|Ammonium Acryloyldimethyltaurate/VP Copolymer|Acrylates/C10-30 Alkyl Acrylate Crosspolymer|
Hydroxyethylcellulose|Cellulose Gum|Sclerotium Gum|Polyacrylate-13|Polyisobutene|
Hydroxyethyl Acrylate/Sodium Acryloyldimethyl Taurate Copolymer|Camellia Sinensis Leaf Extract|
Aloe Barbadensis Leaf Juice|Centella Asiatica Extract|Glycyrrhiza Glabra (Licorice) Root Extract|
Chamomilla Recutita (Matricaria) Flower Extract|Calendula Officinalis Flower Extract|
Rosmarinus Officinalis (Rosemary) Leaf Extract|Simmondsia Chinensis (Jojoba) Seed Oil|
Helianthus Annuus (Sunflower) Seed Oil|Butyrospermum Parkii (Shea) Butter|
Prunus Amygdalus Dulcis (Sweet Almond) Oil|Argania Spinosa Kernel Oil|Squalene|
Parfum|Fragrance|Limonene|Linalool|Citronellol|Geraniol|Hexyl Cinnamal|Benzyl Alcohol|
Dehydroacetic Acid|Sodium Dehydroacetate|Methylparaben|Propylparaben|Adenosine|
Palmitoyl Tripeptide-1|Palmitoyl Tetrapeptide-7|Acetyl Hexapeptide-8|Caffeine|
Sodium Polyacrylate|Trideceth-6|Laureth-7|Isohexadecane|Isododecane|Hydrogenated Polydecene|
Octyldodecanol|Cetyl Ethylhexanoate|Ethylhexyl Palmitate|Ethylhexyl Methoxycinnamate|
Homosalate|Octocrylene|Butyl Methoxydibenzoylmethane|Bis-Ethylhexyloxyphenol Methoxyphenyl Triazine|
Water|Sodium Stearoyl Glutamate|Arginine|Glucose|Maltodextrin|Pullulan
"""
_RISK = """
Petrolatum|Paraffinum Liquidum|Mineral Oil|Paraffin|Cera Microcristallina|Ceresin|Lanolin|
Lanolin Alcohol|Isopropyl Myristate|Isopropyl Palmitate|Myristyl Myristate|Cocos Nucifera (Coconut) Oil|
Theobroma Cacao (Cocoa) Seed Butter|Cera Alba|Beeswax|Laureth-4|Decyl Oleate|Isocetyl Stearate|
Octyl Stearate|Butyl Stearate|Myristyl Lactate|Oleth-3|Acetylated Lanolin|Triticum Vulgare (Wheat) Germ Oil|
Algae Extract|Carrageenan|Sodium Lauryl Sulfate|Salicylic Acid|Retinol|Glycolic Acid|Benzoyl Peroxide
"""
SYNTHETIC_COMMON = [n.strip() for n in _COMMON.replace("\n", "").split("|") if n.strip()]
SYNTHETIC_RISK = [n.strip() for n in _RISK.replace("\n", "").split("|") if n.strip()]
SYNTHETIC_MEAN_INGREDIENTS = 36

_TOP_COMMA = re.compile(r",\s+")


def _weighted(rng: random.Random, table: tuple[tuple[object, float], ...]) -> object:
    x = rng.random()
    for value, p in table:
        x -= p
        if x < 0:
            return value
    return table[-1][0]


def _top_level_tokens(label: str) -> list[str]:
    """Split on ", " outside brackets (so a bracketed sub-list keeps its own commas)."""
    parts = _TOP_COMMA.split(label)
    out: list[str] = []
    depth = 0
    for p in parts:
        if depth > 0:
            out[-1] += ", " + p
        else:
            out.append(p)
        depth = max(0, depth + p.count("(") + p.count("[") - p.count(")") - p.count("]"))
    return out


def read_real_labels(folder: Path = LABELS_DIR) -> list[str]:
    """Every non-empty `ingredients` cell of the CSV files in `folder` (sorted by file name)."""
    labels: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                text = (row.get("ingredients") or "").strip()
                if text:
                    labels.append(text)
    return labels


def _typo(rng: random.Random, tok: str) -> str:
    letters = [i for i, c in enumerate(tok) if c.isalpha()]
    if len(letters) < 4:
        return tok
    i = rng.choice(letters[1:])  # first letters are rarely mistyped
    c = tok[i]
    op = rng.randrange(4)
    if op == 0:  # neighbouring key
        near = KEYBOARD.get(c.lower(), "")
        if not near:
            return tok
        r = rng.choice(near)
        return tok[:i] + (r.upper() if c.isupper() else r) + tok[i + 1 :]
    if op == 1:  # dropped letter
        return tok[:i] + tok[i + 1 :]
    if op == 2:  # doubled letter
        return tok[:i] + c + tok[i:]
    j = i + 1 if i + 1 < len(tok) and tok[i + 1].isalpha() else i - 1  # swapped pair
    a, b = sorted((i, j))
    return tok[:a] + tok[b] + tok[a] + tok[b + 1 :]


def _ocr(rng: random.Random, tok: str) -> str:
    options = [(a, b) for a, b in OCR_CONFUSIONS if a in tok[1:]]
    if not options:
        return _typo(rng, tok)
    a, b = rng.choice(options)
    starts = [m.start() for m in re.finditer(re.escape(a), tok) if m.start() > 0]
    i = rng.choice(starts)
    return tok[:i] + b + tok[i + len(a) :]


class Generator:
    """Seeded label generator: real labels (if present) or synthetic ones, plus noise."""

    def __init__(self, seed: int = 1, labels_dir: Path | None = LABELS_DIR, synthetic: bool = False) -> None:
        self.rng = random.Random(seed)
        real = [] if synthetic or labels_dir is None or not labels_dir.is_dir() else read_real_labels(labels_dir)
        self.source = "real" if real else "synthetic"
        self.pool = [_top_level_tokens(t) for t in real]

    def _synthetic(self) -> list[str]:
        rng = self.rng
        n = max(8, min(60, int(rng.gauss(SYNTHETIC_MEAN_INGREDIENTS, 8))))
        n_risk = min(len(SYNTHETIC_RISK), int(_weighted(rng, ((0, 0.45), (1, 0.3), (2, 0.15), (4, 0.1)))))
        body = rng.sample(SYNTHETIC_COMMON, n - 1 - n_risk) + rng.sample(SYNTHETIC_RISK, n_risk)
        rng.shuffle(body)
        return [rng.choice(("Aqua", "Water", "Aqua/Water/Eau", "Aqua (Water)")), *body]

    def label(self) -> str:
        return self.label_and_count()[0]

    def label_and_count(self) -> tuple[str, int]:
        """One noisy label and its number of top-level ingredients."""
        rng = self.rng
        tokens = list(rng.choice(self.pool)) if self.pool else self._synthetic()
        n = len(tokens)
        if n >= 4 and rng.random() < VARIANT_SWAP:
            i = rng.randrange(n // 2, n - 1)
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        if n >= 4 and rng.random() < VARIANT_DROP:
            del tokens[rng.randrange(1, len(tokens))]
        if rng.random() < VARIANT_APPEND:
            tokens += rng.sample(TRACE, rng.randint(1, 3))
        k = min(len(tokens), int(_weighted(rng, NOISY_TOKENS)))
        for i in rng.sample(range(len(tokens)), k):
            tokens[i] = _ocr(rng, tokens[i]) if rng.random() < OCR_SHARE else _typo(rng, tokens[i])
        text = str(_weighted(rng, SEPARATORS)).join(tokens)
        case = _weighted(rng, CASES)
        if case == "upper":
            text = text.upper()
        elif case == "lower":
            text = text.lower()
        elif case == "title":
            text = text.title()
        return text, len(tokens)


def write_catalogue(path: Path, rows: int, seed: int = 1, synthetic: bool = False) -> dict:
    """Write `rows` labels to `path` (atomically) and return its stats (also saved as PATH.json)."""
    t0 = time.perf_counter()
    gen = Generator(seed, synthetic=synthetic)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    n_tokens = n_bytes = 0
    seen: set[int] = set()
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "ingredients"])
        for i in range(rows):
            text, n = gen.label_and_count()
            n_tokens += n
            seen.add(hash(text))
            n_bytes += len(text.encode("utf-8"))
            w.writerow([f"p{i:07d}", text])
    os.replace(tmp, path)
    meta = {
        "rows": rows, "seed": seed, "source": gen.source, "generator_version": GENERATOR_VERSION,
        "mean_ingredients": round(n_tokens / max(rows, 1), 1), "mean_label_bytes": round(n_bytes / max(rows, 1), 1),
        "file_bytes": path.stat().st_size, "seconds": round(time.perf_counter() - t0, 2),
        "real_labels": len(gen.pool), "duplicate_rows": round(1 - len(seen) / max(rows, 1), 4),
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def catalogue_path(rows: int, seed: int = 1, synthetic: bool = False) -> tuple[Path, dict]:
    """The cached catalogue for (rows, seed, source), generating it on first use."""
    source = "synthetic" if synthetic or not LABELS_DIR.is_dir() else "real"
    path = OUT_DIR / f"catalogue-{source}-{rows}-s{seed}-v{GENERATOR_VERSION}.csv"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        meta["cached"] = True
        return path, meta
    meta = write_catalogue(path, rows, seed, synthetic=source == "synthetic")
    meta["cached"] = False
    return path, meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000, help="labels to write (default 200000)")
    ap.add_argument("--full", action="store_true", help="1,000,000 rows")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="output CSV (default: cached under benchmarks/out/)")
    ap.add_argument("--synthetic", action="store_true", help="ignore ../shared/data/labels")
    args = ap.parse_args(argv)
    rows = 1_000_000 if args.full else args.rows
    if args.out is None:
        path, meta = catalogue_path(rows, args.seed, args.synthetic)
    else:
        path, meta = args.out, write_catalogue(args.out, rows, args.seed, args.synthetic)
    print(f"{path}: {json.dumps(meta)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
