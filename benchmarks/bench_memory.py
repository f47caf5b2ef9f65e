"""What a long run holds: peak memory of ``run three_tier.json --json`` by simulated length.

    python -m benchmarks.bench_memory

Target: ten simulated hours of the three-tier example with its results JSON written peak under
300 MB. Each figure is one fresh process (its peak RSS, from the kernel), so the interpreter and
the imports are counted too; "every bucket kept" is the same command with ``--max-buckets``
raised to the model's limit, as runs were before they kept a bounded number of buckets.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")

# Runs the command in a fresh interpreter and prints its own peak RSS (KiB on Linux) last.
_CHILD = """
import resource, sys
from app.cli import main
status = main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(status)
"""


def peak_run(duration: float, max_buckets: int | None = None) -> tuple[float, float, float]:
    """(peak RSS in MB, results JSON in MB, wall seconds) of one ``run --json`` in a fresh process."""
    import time

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        argv = [sys.executable, "-c", _CHILD, "run", THREE_TIER, "--duration", str(duration), "--json", str(out)]
        if max_buckets is not None:
            argv += ["--max-buckets", str(max_buckets)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        peak_kib = int(done.stdout.strip().splitlines()[-1])
        return peak_kib / 1024, out.stat().st_size / 2**20, wall


def main() -> None:
    print("run three_tier.json --json: peak RSS of the process, results file, wall time")
    rows = [
        ("1 h", 3600.0, None),
        ("10 h", 36000.0, None),
        ("10 h, every bucket kept", 36000.0, 1_000_000),
    ]
    figures = {}
    for label, duration, max_buckets in rows:
        peak, size, wall = figures[label] = peak_run(duration, max_buckets)
        print(f"  {label:<26}{peak:8.1f} MB peak {size:8.1f} MB file {wall:7.1f} s")
    bounded, kept = figures["10 h"][0], figures["10 h, every bucket kept"][0]
    print(f"  10 h bounded / every bucket kept: {bounded / kept:.2f} of the peak (target < 300 MB: "
          f"{'met' if bounded < 300 else 'missed'})")


if __name__ == "__main__":
    main()
