"""How fast commands start, and what a replication costs beyond its simulation.

    python -m benchmarks.bench_startup

Targets: ``faultline --help`` under 0.15 s and ``run`` of a small JSON design under 0.6 s on
the development machine (2 cores); with a reused worker pool a replication costs its
simulation, not a new interpreter and the engine's imports.

Each start-up figure is the best and the median of several fresh processes: the best is what
the code costs, the median what a busy machine adds.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SMALL = str(ROOT / "resources" / "examples" / "mmc.json")
REPEATS = 9


def _wall(argv: list[str], repeats: int = REPEATS) -> tuple[float, float, float]:
    """Best and median wall time of ``repeats`` fresh processes running ``argv``, and the least
    CPU time (user + system) one of them took: what the command costs when the machine is busy."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    times, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times), statistics.median(times), min(cpu)


def startup() -> dict[str, tuple[float, float, float]]:
    """Start-up of the interpreter alone, of ``--help``, of the engine's import, of a small run."""
    py, main = sys.executable, str(ROOT / "main.py")
    return {
        "python alone": _wall([py, "-c", "pass"]),
        "main.py --help": _wall([py, main, "--help"]),
        "main.py run --help": _wall([py, main, "run", "--help"]),
        "importing the engine": _wall([py, "-c", "import engine.simulation, engine.compare"]),
        "main.py run small JSON (10 s)": _wall([py, main, "run", SMALL, "--duration", "10"]),
    }


def replication_overhead(replications: int = 8, duration: float = 2.0) -> dict[str, float]:
    """Wall time per replication of a tiny run: in the reused pool, in a pool started for the
    comparison (as before the pool was shared), and the simulation alone in this process."""
    from app.store import load_design_from_path
    from engine import workers
    from engine.compare import run_comparison
    from engine.model import RunOptions

    design = load_design_from_path(SMALL, None)
    options = RunOptions(duration=duration)

    def per_run(fresh: bool, processes: int | None = None) -> float:
        if fresh:
            workers.abandon()
        start = time.perf_counter()
        run_comparison(design, options, None, replications=replications, compare=False, processes=processes)
        return (time.perf_counter() - start) / replications

    per_run(False)  # start the pool and let each worker import the engine once
    reused = min(per_run(False) for _ in range(3))
    fresh = min(per_run(True) for _ in range(3))
    alone = min(per_run(False, processes=1) for _ in range(3))
    return {"reused pool": reused, "fresh pool": fresh, "in this process, one after another": alone}


def main() -> None:
    print(f"start-up, best / median wall and least CPU of {REPEATS} processes ({os.cpu_count()} cores):")
    for name, (best, median, cpu) in startup().items():
        print(f"  {name:<32}{best:7.3f} s {median:7.3f} s {cpu:7.3f} s CPU")
    print("per replication of a 2 s run of mmc.json, 8 replications:")
    for name, seconds in replication_overhead().items():
        print(f"  {name:<36}{seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
