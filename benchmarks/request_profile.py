"""Where the engine's instructions go, per request of the M/M/4 queue.

    python -m benchmarks.request_profile [--lines N]

Runs the M/M/4 queue of ``bench_engine`` under callgrind twice, at 100,000 and 300,000
requests, and prints the difference divided by the difference in requests: start-up, imports
and results cost the same in both runs and drop out, leaving what each further request costs.
It prints instructions a request by C function of the engine (exclusive: what inlined code
the compiler folded into a function counts there) and by line of the engine's ``.pyx``/``.pxd``
sources, found from the comments Cython writes into ``engine/_loop.c``.

Needs valgrind; takes about a minute. Not part of ``make bench``: it counts instructions,
which do not depend on the machine's load, so its figures compare across builds as they are.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 300_000)
LOOP_C = "engine/_loop.c"

_CHILD = """
import sys
from benchmarks.bench_engine import mm4_design
from engine import RunOptions, Simulation
result = Simulation(mm4_design(3.2), RunOptions(duration=int(sys.argv[1]) / 3.2, bucket=1000)).result()
print(int(result.component_summary("users")["arrivals"]))
"""

_COUNT = re.compile(r"\s*([\d,]+)\s")
_LINE = re.compile(r"-- line (\d+) ")
_ORIGIN = re.compile(r'\s*/\* "(engine/[^"]+)":(\d+)')


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def by_function(annotated: str) -> Counter[str]:
    """Exclusive instructions by function from ``callgrind_annotate``'s function table."""
    out: Counter[str] = Counter()
    for line in annotated.splitlines():
        if "=>" in line or not line.rstrip().endswith("]"):
            continue
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S+) \[", line)
        if m:
            out[m.group(2).rsplit(":", 1)[-1]] += _number(m.group(1))
    return out


def by_c_line(annotated: str, c_file: str) -> Counter[int]:
    """Instructions by line of ``c_file`` from ``callgrind_annotate --auto=yes --context=0``
    (calls out of a line, shown as ``=>``, are the callee's, not the line's)."""
    out: Counter[int] = Counter()
    lines = annotated.splitlines()
    heads = [i for i, text in enumerate(lines) if text == f"-- Auto-annotated source: {c_file}"]
    if not heads:
        return out
    current = None
    for text in lines[heads[0] + 1:]:
        if text.startswith("-- Auto-annotated source"):
            break
        m = _LINE.match(text)
        if m:
            current = int(m.group(1))
            continue
        m = _COUNT.match(text)
        if current is not None and m and "=>" not in text:
            out[current] += _number(m.group(1))
            current += 1
    return out


def to_sources(c_lines: Counter[int], c_source: str) -> Counter[tuple[str, int]]:
    """Fold counts by C line into the ``.pyx``/``.pxd`` line each C line was generated from."""
    origin: dict[int, tuple[str, int]] = {}
    current = None
    for number, text in enumerate(c_source.splitlines(), 1):
        m = _ORIGIN.match(text)
        if m:
            current = (m.group(1), int(m.group(2)))
        if current is not None:
            origin[number] = current
    out: Counter[tuple[str, int]] = Counter()
    for number, count in c_lines.items():
        if number in origin:
            out[origin[number]] += count
    return out


def _profile(n: int, folder: Path) -> tuple[int, str, str]:
    """Requests, the function table and the annotated sources of one run under callgrind."""
    out = folder / f"callgrind.{n}"
    # one BLAS thread: idle BLAS worker threads spin for a while and add a varying count
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                          sys.executable, "-c", _CHILD, str(n)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    requests = int(run.stdout.split()[-1])
    functions = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", str(out)],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout
    sources = subprocess.run(["callgrind_annotate", "--auto=yes", "--context=0", "--threshold=100", str(out)],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return requests, functions, sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40, help="source lines to list (default 40)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        print("valgrind (callgrind) is not installed", file=sys.stderr)
        return 1
    if not (ROOT / LOOP_C).exists():
        print(f"{LOOP_C} is missing: build the engine first (setup.py build_ext --inplace)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        (small_n, small_f, small_s), (large_n, large_f, large_s) = (_profile(n, Path(tmp)) for n in SIZES)
    requests = large_n - small_n
    functions = by_function(large_f)
    functions.subtract(by_function(small_f))
    c_source = (ROOT / LOOP_C).read_text()
    lines = to_sources(by_c_line(large_s, LOOP_C), c_source)
    lines.subtract(to_sources(by_c_line(small_s, LOOP_C), c_source))
    total = sum(functions.values()) / requests
    print(f"M/M/4 at rho 0.8: {total:,.0f} instructions a request ({requests:,} requests)\n")
    print("by function (exclusive)")
    for name, count in functions.most_common():
        if count / requests >= 1.0:
            print(f"{count / requests:9.1f}  {name.removeprefix('__pyx_f_6engine_')}")
    print(f"\nby source line (the {args.lines} largest, of {LOOP_C})")
    sources = {path: (ROOT / path).read_text().splitlines() for path, _ in lines}
    for (path, number), count in lines.most_common(args.lines):
        text = sources[path][number - 1].strip() if number <= len(sources[path]) else ""
        print(f"{count / requests:9.1f}  {path}:{number}  {text[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
