"""What the columnar engine's floor target leaves for a whole run, and what two of its steps cost.

    .venv/bin/python benchmarks/columnar_budget.py               # the 200,000-row catalogue, 0.35x
    .venv/bin/python benchmarks/columnar_budget.py --ratio 0.5 --repeated

The target "bulk --jobs 1 >= R x the floor" allows rows / (R x floor rate) seconds for everything:
reading, splitting, resolving, scoring, writing. In one process this prints that budget and the
cold cost of two steps no run can skip:

  pieces       every distinct piece of the catalogue's plain-list labels, through `Scanner.piece`
               (trim, match, classify), each once, in a fresh Scanner
  hard labels  every distinct label that is not one plain list (`tokenizer.one_list`: a colon, a
               plus sign or a line break), through `Scanner.score`, its plain pieces already known

The engine has more hard labels than these (a cue word or an open bracket in a piece), and splits,
reads and writes besides: the two steps are a lower bound on what the run costs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import catalogue  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="the columnar floor target's budget, and two steps' cost")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--ratio", type=float, default=0.35, help="the target, x the floor")
    ap.add_argument("--repeated", action="store_true", help="the repeated-label catalogue")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from milia_scan import Scanner
    from milia_scan.separators import split
    from milia_scan.tokenizer import one_list

    path = (bench.repeated_catalogue_path(args.rows, args.seed) if args.repeated
            else catalogue.catalogue_path(args.rows, args.seed)[0])
    labels = list(bench.iter_labels(path))
    floor = bench.measure_floor(path)
    budget = len(labels) / (args.ratio * floor["labels_per_s"])
    pieces: dict[str, None] = {}
    hard = []
    for label in dict.fromkeys(labels):
        if one_list(label):
            pieces.update(dict.fromkeys(s.lstrip() for s in split(label, 0, len(label), False)[0]))
        else:
            hard.append(label)
    scanner = Scanner()
    scanner.cache_limit = 10 * len(pieces) + 1  # nothing dropped: each piece is resolved once
    t0 = time.perf_counter()
    for piece in pieces:
        scanner.piece(piece)
    t_pieces = time.perf_counter() - t0
    t0 = time.perf_counter()
    for label in hard:
        scanner.score(label)
    t_hard = time.perf_counter() - t0

    print(f"{path.name}: {len(labels):,} rows, floor {floor['labels_per_s']:,.0f} rows/s; "
          f"{args.ratio}x the floor allows {budget:.2f} s for the whole run")
    print(f"  pieces       {len(pieces):7,} distinct  {t_pieces:5.2f} s  ({t_pieces / max(len(pieces), 1) * 1e6:5.1f} us each)")
    print(f"  hard labels  {len(hard):7,} distinct  {t_hard:5.2f} s  ({t_hard / max(len(hard), 1) * 1e6:5.1f} us each)")
    print(f"  together {t_pieces + t_hard:.2f} s: {(t_pieces + t_hard) / budget:.0%} of the budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
