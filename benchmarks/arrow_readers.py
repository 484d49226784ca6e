"""pyarrow vs polars for the columnar bulk engine, in one run on one catalogue (issue #10).

    python benchmarks/arrow_readers.py /tmp/cat200k.csv

Each measurement runs in a fresh process (so import cost and peak memory are its own): import,
read the whole CSV as strings, read it in bounded batches (the engine's way), and split the
label column on ',' / explode / distinct. Prints seconds (best of 3) and peak RSS.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

STEPS = {
    "pyarrow": {
        "import": "import pyarrow, pyarrow.csv, pyarrow.compute",
        "read whole": "t = pyarrow.csv.read_csv(P, convert_options=pyarrow.csv.ConvertOptions("
                      "column_types={'id': pyarrow.string(), 'ingredients': pyarrow.string()}))",
        "read batches": "r = pyarrow.csv.open_csv(P, read_options=pyarrow.csv.ReadOptions(block_size=4 << 20), "
                        "convert_options=pyarrow.csv.ConvertOptions(column_types={'id': pyarrow.string(), "
                        "'ingredients': pyarrow.string()}))\nn = sum(b.num_rows for b in r)",
        "split+explode+distinct": "t = pyarrow.csv.read_csv(P)\n"
                                  "_t0 = time.perf_counter()\n"
                                  "s = pyarrow.compute.split_pattern(t['ingredients'], ',')\n"
                                  "d = pyarrow.compute.unique(pyarrow.compute.utf8_trim_whitespace("
                                  "pyarrow.compute.list_flatten(s)))",
    },
    "polars": {
        "import": "import polars",
        "read whole": "t = polars.read_csv(P, infer_schema=False)",
        "read batches": "n = sum(b.height for b in polars.scan_csv(P, infer_schema=False)"
                        ".collect_batches(chunk_size=6000))",
        "split+explode+distinct": "t = polars.read_csv(P, infer_schema=False)\n"
                                  "_t0 = time.perf_counter()\n"
                                  "d = t.select(polars.col('ingredients').str.split(',').explode()"
                                  ".str.strip_chars().unique())",
    },
}

CHILD = """
import json, resource, sys, time
P = sys.argv[1]
pre, code = sys.argv[2], sys.argv[3]
exec(pre)
_t0 = time.perf_counter()
exec(code)
print(json.dumps({"s": time.perf_counter() - _t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(path: str, pre: str, code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, path, pre, code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    path = sys.argv[1]
    print(f"{'library':<8} {'step':<24} {'best s':>8} {'peak RSS MB':>12}")
    for lib, steps in STEPS.items():
        if importlib.util.find_spec(lib) is None:
            print(f"{lib:<8} not installed (pip install {lib})")
            continue
        for step, code in steps.items():
            pre = "" if step == "import" else steps["import"]
            best = min((run(path, pre, code) for _ in range(3)), key=lambda r: r["s"])
            print(f"{lib:<8} {step:<24} {best['s']:>8.2f} {best['rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
