"""Adversarial input shapes: is every stage of `Scanner.scan` linear in its input?

    make bench-adversarial                                   # 10 KB, 100 KB, 1 MB (bounded by --timeout a run)
    make bench-adversarial ADV_ARGS="--quick"                # 10 KB and 100 KB, one run each, 20 s timeout
    make bench-adversarial ADV_ARGS="--json benchmarks/out/adv.json --shapes 1,2,7"
    make bench-adversarial ADV_ARGS="--cpu"                  # CPU time instead of wall time (a busy machine)

Each shape is a builder `make(size_bytes) -> str` (deterministic, ASCII, exactly that many
bytes) of a label shape that a tokenizer can get quadratic on: hyphen-newlines, colons, dots,
nested, unclosed and mismatched brackets, slashes, percent signs, "may contain" repeats, no
separators, one name repeated, digit commas; shape 0 is a plain comma-separated list of real INCI
names, the baseline. A shape passes when every one of its variants does.

Every timed call runs in a fresh subprocess with a timeout: it builds a `Scanner`, scans the
36-ingredient plain label (warm), then times one `scan(label)` (or one `tokenize(label)`, in a
process of its own) with `time.perf_counter`, the cyclic GC paused (`--gc` keeps it running). One
call a process, because a second call in the same process finds the label in the scanner's
caches and times a dictionary lookup. Best of N processes (3 up to 100 KB, 1 above). A run that times out is `> timeout` and fails; so does a run
that raises. The table gives µs per KB at each size, the ratio of the two largest sizes (linear
would be their size ratio; target <= 1.5x it, 15x for 100 KB -> 1 MB), and the ratio to the
plain list at the largest size (target <= 5x). Exit code 0 either way: it is a measurement, never a test.

Profile one case (the child mode times one call; cProfile adds the Scanner() build around it):
    .venv/bin/python -m cProfile -s tottime benchmarks/adversarial.py --child \\
        "1 hyphen-newlines" "petro- newline x N" 100000 scan
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import cycle
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (benchmarks/bench.py: the machine and git lines)

ROOT = bench.ROOT
KB = 1000
SIZES = (10 * KB, 100 * KB, 1000 * KB)
QUICK_SIZES = (10 * KB, 100 * KB)
T_SCALING = 1.5  # t(largest) / t(next) <= 1.5x the size ratio: 15x for 100 KB -> 1 MB
T_VS_PLAIN = 5.0  # t(shape, largest) <= 5x t(plain list, largest)

# A realistic 36-ingredient night cream (risk ingredients, brackets, slashes). No "1,2-Hexanediol":
# a digit comma costs the plain path time quadratic in the label (shape 11), and the baseline
# every shape is compared with must not be one of the shapes.
PLAIN_LABEL = (
    "Aqua/Water, Petrolatum, Paraffinum Liquidum (Mineral Oil), Glycerin, Cetearyl Alcohol, "
    "Isopropyl Myristate, Butyrospermum Parkii (Shea) Butter, Caprylic/Capric Triglyceride, "
    "Cera Microcristallina, Lanolin Alcohol, Dimethicone, Glyceryl Stearate, PEG-100 Stearate, "
    "Cetyl Alcohol, Niacinamide, Panthenol, Tocopheryl Acetate, Squalane, Sodium Hyaluronate, "
    "Ceramide NP, Cholesterol, Phytosphingosine, Carbomer, Xanthan Gum, Sodium Hydroxide, "
    "Pentylene Glycol, Phenoxyethanol, Ethylhexylglycerin, Disodium EDTA, Allantoin, Bisabolol, "
    "Citric Acid, Parfum (Fragrance), Limonene, Linalool, CI 77891"
)
NAMES = [n.strip() for n in PLAIN_LABEL.split(", ")]
WORDS = "aqua glycerin petrolatum paraffinum liquidum cera alba lanolin alcohol dimethicone squalane".split()


# --------------------------------------------------------------------------- shape builders


def _fill(parts, size: int, sep: str = "") -> str:
    """`parts` (an iterable, cycled if finite) joined by `sep`, cut to exactly `size` characters."""
    out: list[str] = []
    n = -len(sep)
    for part in parts:
        out.append(part)
        n += len(sep) + len(part)
        if n >= size:
            break
    return sep.join(out)[:size]


def repeated(unit: str) -> Callable[[int], str]:
    """The builder of `unit` repeated, glued, cut to the size."""

    def make(size: int) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return make


def plain_list(size: int) -> str:
    return _fill(cycle([PLAIN_LABEL]), size, ", ")


def dotted_names(size: int) -> str:
    return _fill(cycle(NAMES), size, ". ")


def one_dot_run(size: int) -> str:
    return "aqua " + "." * (size - 10) + " aqua"


def one_mark_run(size: int) -> str:
    return "aqua " + "*" * (size - 10) + " aqua"


def nested_brackets(size: int) -> str:
    depth = (size - 4) // 2
    return ("(" * depth + "aqua" + ")" * depth).ljust(size)


def nested_lists(size: int) -> str:
    depth = (size - 4) // 8
    return ("aqua, (" * depth + "mica" + ")" * depth).ljust(size)


def slash_chain(size: int) -> str:
    return _fill(cycle(["aqua", "water", "eau", "agua", "wasser", "acqua"]), size, "/")


def counted_percents(size: int) -> str:
    return _fill((f"{i}%" for i in range(1, size)), size, " ")


def no_separators(size: int) -> str:
    return _fill(cycle(WORDS), size, " ")


def number_list(size: int) -> str:
    return _fill((str(i) for i in range(1, size)), size, ",")


# shape -> {variant: builder}; shape 0 is the baseline every other shape is compared with.
SHAPES: dict[str, dict[str, Callable[[int], str]]] = {
    "0 plain list": {"36 real names, commas": plain_list},
    "1 hyphen-newlines": {"petro- newline x N": repeated("petro-\n")},
    "2 colons": {"ingredients: x N": repeated("ingredients: "), "a: b: c: x N": repeated("a: b: c: ")},
    "3 dots": {"aqua. glycerin. ...": dotted_names, "aqua + 96 dots, x N": repeated("aqua" + "." * 96),
               "aqua ...(one run)... aqua": one_dot_run},
    "4 nested brackets": {"((((aqua))))": nested_brackets, "aqua, (aqua, (... mica)))": nested_lists},
    "5 unclosed brackets": {"(((( aqua x N": repeated("(((( aqua "), "[(]) x N": repeated("[(]) ")},
    "6 slashes": {"aqua/water/eau/... one chain": slash_chain, "aqua/water/eau, x N": repeated("aqua/water/eau, ")},
    "7 percent signs": {"1% 2% 3% ...": counted_percents, "%%%%...": repeated("%"),
                        "petrolatum 41% x N": repeated("petrolatum 41% ")},
    "8 may contain": {"may contain x N": repeated("may contain "), "[+/- mica, x N": repeated("[+/- mica, ")},
    "9 no separators": {"aqua glycerin petrolatum ... one run": no_separators},
    "10 one name": {"petrolatum x N glued": repeated("petrolatum"), "petrolatum, x N": repeated("petrolatum, ")},
    "11 digit commas": {"1,2-Hexanediol, x N": repeated("1,2-Hexanediol, "), "1,2,3,4,...": number_list},
    # a footnote legend or a retailer's disclaimer glued on after a token is cut off in trim
    "12 glued legends": {"aqua ***(one run)*** aqua": one_mark_run, "aqua * organic, x N": repeated("aqua * organic, "),
                         "please be aware that ingredient x N": repeated("please be aware that ingredient ")},
}
BASELINE = "0 plain list"


def builders() -> list[tuple[str, str, Callable[[int], str]]]:
    """(shape, variant, make) for every variant of every shape, in order."""
    return [(shape, variant, make) for shape, variants in SHAPES.items() for variant, make in variants.items()]


# --------------------------------------------------------------------------- one run (in a child)


def child(shape: str, variant: str, size: int, stage: str, keep_gc: bool = False) -> None:
    """Time one call of `stage` (scan or tokenize) on one label, the first in this process: a
    repeat in the same process would find the label's pieces and tokens in the scanner's caches
    and time a dictionary lookup. The cyclic GC is paused during the call unless `keep_gc` (see
    the README: its full collections start between 100 KB and 1 MB of tokens, a step in every
    token-heavy shape that is not the code's). Prints one JSON line."""
    from milia_scan import Scanner

    label = SHAPES[shape][variant](size)
    scanner = Scanner()
    scanner.scan(PLAIN_LABEL)  # warm: the lexicon, 36 common names, pydantic's validators
    run = scanner.scan if stage == "scan" else scanner.tokenize
    gc.collect()
    if not keep_gc:
        gc.disable()
    c0 = time.process_time()
    t0 = time.perf_counter()
    try:
        out = run(label)
    except Exception as exc:  # scan() must never raise: the run fails, the suite goes on
        print(json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:100]}", "seconds": time.perf_counter() - t0}))
        return
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0  # beside the wall time: what a busy machine does not inflate
    gc.enable()
    tokens = out.ingredients if stage == "scan" else out
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "tokens": len(tokens), "bytes": len(label.encode())}))


def run_one(shape: str, variant: str, size: int, stage: str, timeout: float, keep_gc: bool = False) -> dict:
    """One fresh interpreter for one timed call; killed after `timeout` seconds."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", shape, variant, str(size),
           stage + ("+gc" if keep_gc else "")]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"timed_out": True}
    lines = p.stdout.strip().splitlines()
    if p.returncode or not lines:
        tail = (p.stderr.strip().splitlines() or [""])[-1]
        return {"timed_out": False, "error": f"exit {p.returncode}: {tail[:100]}"}
    return {"timed_out": False, **json.loads(lines[-1])}


def measure(shape: str, variant: str, size: int, repeats: int, timeout: float, keep_gc: bool = False,
            cpu_clock: bool = False) -> dict:
    """Best of `repeats` runs of scan() then of tokenize(), each its own process. Repeats stop
    early when a run took over a quarter of the timeout, and at the first failure."""
    res: dict = {"shape": shape, "variant": variant, "size": size, "timed_out": False}
    for stage in ("scan", "tokenize"):
        times: list[float] = []
        cpu: list[float] = []
        # No tokenize() where scan() raised (it raises too) or timed out (the share is taken at a smaller size).
        for _ in range(repeats if not (res.get("error") or res["timed_out"]) else 0):
            r = run_one(shape, variant, size, stage, timeout, keep_gc)
            if r["timed_out"] or "error" in r:
                if stage == "scan":
                    res["timed_out"] = r["timed_out"]
                    res["error"] = r.get("error")
                else:
                    res["tokenize_timed_out"] = r["timed_out"]
                break
            times.append(r["seconds"])
            cpu.append(r["cpu_s"])
            res["bytes"] = r["bytes"]
            if stage == "scan":
                res["tokens"] = r["tokens"]
            if r["seconds"] > timeout / 4:
                break
        res[f"{stage}_s"] = times
        res[f"{stage}_cpu_s"] = cpu
        res[f"{stage}_best"] = min(cpu if cpu_clock else times) if times else None
    res["ok"] = res["scan_best"] is not None and not res["timed_out"] and not res.get("error")
    return res


# --------------------------------------------------------------------------- figures


def time_of(r: dict | None, timeout: float) -> float | None:
    """The scan time of a run; a lower bound (the timeout) for one that did not finish; None when
    it failed otherwise or did not run."""
    if r is None:
        return None
    if r["ok"]:
        return r["scan_best"]
    if r["timed_out"] or r.get("skipped") == "slow":
        return timeout
    return None


def verdicts(results: dict[tuple[str, str, int], dict], sizes: list[int], timeout: float) -> list[dict]:
    """One row per variant: per-size figures, the scaling ratio, the ratio to the plain list, PASS/FAIL."""
    big, prev = sizes[-1], (sizes[-2] if len(sizes) > 1 else None)
    plain = results.get((BASELINE, next(iter(SHAPES[BASELINE])), big))
    t_plain = plain["scan_best"] if plain and plain["ok"] else None
    limit_scaling = T_SCALING * big / prev if prev else None
    rows = []
    for shape, variant, _ in builders():
        runs = {s: results.get((shape, variant, s)) for s in sizes}
        t_big = time_of(runs[big], timeout)
        t_prev = time_of(runs[prev], timeout) if prev else None
        bound = not runs[big]["ok"] if runs[big] else True  # t_big is a lower bound
        scaling = t_big / t_prev if t_big and t_prev and runs[prev]["ok"] else None
        vs_plain = t_big / t_plain if t_big and t_plain else None
        failed = [r for r in runs.values() if r is not None and not r["ok"]]
        scales = prev is None or (scaling is not None and scaling <= limit_scaling)  # one size: no ratio
        ok = not failed and scales and vs_plain is not None and vs_plain <= T_VS_PLAIN
        rows.append({"shape": shape, "variant": variant, "scaling": scaling, "vs_plain": vs_plain,
                     "bound": bound, "pass": ok, "limit_scaling": limit_scaling, **tokenize_share(runs, sizes)})
    return rows


def tokenize_share(runs: dict[int, dict | None], sizes: list[int]) -> dict:
    """tokenize() time as a share of scan() time, at the largest size where both finished."""
    for size in reversed(sizes):
        r = runs[size]
        if r and r["ok"] and r["tokenize_best"]:
            return {"tokenize_share": r["tokenize_best"] / r["scan_best"], "tokenize_share_size": size}
    return {"tokenize_share": None, "tokenize_share_size": None}


def shape_passes(rows: list[dict]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for r in rows:
        out[r["shape"]] = out.get(r["shape"], True) and r["pass"]
    return out


def size_label(size: int) -> str:
    return f"{size / 1e6:g} MB" if size >= 1e6 else f"{size / KB:g} KB"


def cell(r: dict | None, timeout: float) -> str:
    """µs per KB of one run, or why there is none."""
    if r is None:
        return "not run"
    if r.get("skipped") == "slow":
        return f"> {timeout:.0f} s (skipped)"
    if r.get("skipped"):
        return "skipped"
    if r["timed_out"]:
        return f"> {timeout:.0f} s"
    if not r["ok"]:
        return "raised"
    return f"{r['scan_best'] * 1e6 / (r['bytes'] / KB):,.0f}"


def ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:,.1f}x"  # two decimals where a target (5x) sits


def build_table(results: dict, rows: list[dict], sizes: list[int], timeout: float) -> list[tuple[str, ...]]:
    passes = shape_passes(rows)
    big = sizes[-1]
    out = []
    last_shape = None
    for row in rows:
        shape = row["shape"]
        first = shape != last_shape
        last_shape = shape
        cells = [cell(results.get((shape, row["variant"], s)), timeout) for s in sizes]
        gt = ">" if row["bound"] else ""
        scaling = f"{gt}{ratio(row['scaling'])}" if row["scaling"] is not None else "n/a"
        vs_plain = f"{gt}{ratio(row['vs_plain'])}" if row["vs_plain"] is not None else "n/a"
        share = "" if row["tokenize_share"] is None else f"{row['tokenize_share']:.0%}" + (
            f" ({size_label(row['tokenize_share_size'])})" if row["tokenize_share_size"] != big else "")
        out.append((shape if first else "", row["variant"], *cells, scaling, vs_plain, share,
                    "PASS" if row["pass"] else "FAIL", ("PASS" if passes[shape] else "FAIL") if first else ""))
    head = ("shape", "variant", *(f"us/KB {size_label(s)}" for s in sizes),
            f"t({size_label(big)})/t({size_label(sizes[-2])})" if len(sizes) > 1 else "scaling",
            f"x plain ({size_label(big)})", "tokenize share", "variant", "shape")
    return [head, *out]


def render(table: list[tuple[str, ...]]) -> str:
    w = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = [" | ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in table]
    lines.insert(1, "-+-".join("-" * x for x in w))
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def log(msg: str) -> None:
    print(f"[adversarial] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="adversarial label shapes: is every stage linear?")
    ap.add_argument("--sizes", help="comma-separated sizes in bytes, k/m suffixes allowed (default 10k,100k,1m)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds a run (default 120; 20 with --quick)")
    ap.add_argument("--quick", action="store_true", help="10 KB and 100 KB only, one run each, 20 s timeout: a smoke check")
    ap.add_argument("--shapes", help="comma-separated shape numbers to run (default all; 0 is always run)")
    ap.add_argument("--json", type=Path, help="write every figure as JSON here")
    ap.add_argument("--gc", action="store_true",
                    help="keep the cyclic garbage collector running during the timed call (default: paused)")
    ap.add_argument("--cpu", action="store_true",
                    help="figures from the call's CPU time (time.process_time), steadier on a busy machine; the "
                         "timeout stays wall time (default: perf_counter wall time)")
    ap.add_argument("--repeats", type=int, default=None,
                    help="best of N runs up to 100 KB (default 3, 1 with --quick; 1 above 100 KB)")
    ap.add_argument("--child", nargs=4, metavar=("SHAPE", "VARIANT", "SIZE", "STAGE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        shape, variant, size, stage = args.child
        child(shape, variant, int(size), stage.removesuffix("+gc"), keep_gc=stage.endswith("+gc"))
        return 0

    sizes = sorted(parse_size(s) for s in args.sizes.split(",")) if args.sizes else list(
        QUICK_SIZES if args.quick else SIZES)
    timeout = args.timeout or (20.0 if args.quick else 120.0)
    args.repeats = args.repeats or (1 if args.quick else 3)
    wanted = {s.strip() for s in args.shapes.split(",")} if args.shapes else None
    todo = [(s, v, m) for s, v, m in builders() if wanted is None or s.split()[0] in wanted | {"0"}]

    t_start = time.perf_counter()
    res: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": bench.machine_info(), "git": bench.git_info(),
                 "params": {"sizes": sizes, "timeout_s": timeout, "quick": args.quick,
                            "repeats": args.repeats, "gc": args.gc,
                            "clock": "process_time" if args.cpu else "perf_counter"}}
    m = res["machine"]
    log(f"{m['nproc']} CPUs ({m['cpu']}), load {m['load_start']}, Python {m['python']}; {len(todo)} variants x "
        f"{len(sizes)} sizes, each run killed after {timeout:.0f} s")
    if m["load_start"][0] > 0.5 * max(m["nproc"], 1):
        log("warning: the machine is busy; figures may be noisy")

    results: dict[tuple[str, str, int], dict] = {}
    for shape, variant, _ in todo:
        for i, size in enumerate(sizes):
            prev = results.get((shape, variant, sizes[i - 1])) if i else None
            # Past a run that timed out or raised, or when even linear growth from it would not fit, skip.
            if prev is not None and (not prev["ok"] or prev["scan_best"] * size / sizes[i - 1] > timeout):
                why = "raised" if prev.get("error") or prev.get("skipped") == "raised" else "slow"
                results[(shape, variant, size)] = {"shape": shape, "variant": variant, "size": size,
                                                   "skipped": why, "ok": False, "timed_out": False,
                                                   "scan_best": None, "tokenize_best": None}
                log(f"{shape} / {variant} / {size_label(size)}: skipped ({why} at {size_label(sizes[i - 1])})")
                continue
            repeats = args.repeats if size <= 100 * KB else 1
            r = measure(shape, variant, size, repeats, timeout, args.gc, args.cpu)
            results[(shape, variant, size)] = r
            what = (f"{r['scan_best']:.3f} s" if r["ok"] else "TIMEOUT" if r["timed_out"] else r.get("error", "?"))
            log(f"{shape} / {variant} / {size_label(size)}: {what}")

    m["load_end"] = [round(x, 2) for x in os.getloadavg()]
    res["seconds_total"] = round(time.perf_counter() - t_start, 1)
    rows = [r for r in verdicts(results, sizes, timeout) if wanted is None or r["shape"].split()[0] in wanted | {"0"}]
    passes = shape_passes(rows)
    table = build_table(results, rows, sizes, timeout)

    print()
    print(f"milia-scan adversarial shapes  {res['when']}  commit {res['git']['commit']}"
          f"{' (src/lexicon modified)' if res['git']['src_dirty'] else ''}")
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), load {m['load_start']} -> {m['load_end']}, "
          f"Python {m['python']}")
    print(f"sizes {', '.join(map(size_label, sizes))}; Scanner.scan() best of {args.repeats} (1 above 100 KB), one "
          f"call a fresh process, warm on the plain 36-ingredient label first, cyclic GC "
          f"{'running' if args.gc else 'paused'} during the call, {'CPU' if args.cpu else 'wall'} time; each run "
          f"killed after {timeout:.0f} s")
    print()
    print(render(table))
    print()
    if len(sizes) > 1:
        print(f"targets: t({size_label(sizes[-1])})/t({size_label(sizes[-2])}) <= {rows[0]['limit_scaling']:.0f}x "
              f"(linear: {sizes[-1] / sizes[-2]:.0f}x); t(shape)/t(plain list) <= {T_VS_PLAIN:.0f}x at "
              f"{size_label(sizes[-1])}. '>' marks a bound from a run cut at the timeout. tokenize share: "
              f"Scanner.tokenize() (tokenizer + matching + Token models, its own process) as a share of scan() at "
              f"{size_label(sizes[-1])} (or the size shown).")
    for r in results.values():
        if r.get("error"):
            print(f"error: {r['shape']} / {r['variant']} / {size_label(r['size'])}: {r['error']}")
    failing = [s for s, ok in passes.items() if not ok]
    print(f"adversarial: {sum(passes.values())}/{len(passes)} shapes pass"
          + (f" (failing: {', '.join(failing)})" if failing else ""))
    print(f"total {res['seconds_total']:.0f} s")

    res["results"] = list(results.values())
    res["rows"] = rows
    res["shapes_pass"] = passes
    res["table"] = [dict(zip(table[0], r)) for r in table[1:]]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, default=str) + "\n")
        log(f"wrote {args.json}")
    return 0


def parse_size(text: str) -> int:
    text = text.strip().lower().removesuffix("b")
    mult = {"k": KB, "m": KB * KB}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


if __name__ == "__main__":
    raise SystemExit(main())
