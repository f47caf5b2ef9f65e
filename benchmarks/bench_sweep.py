"""Sweep benchmarks: points per second on 1 and 2 Dask workers, and the cost of a sweep per point
against calling the engine directly on the same designs.

Targets: 2 workers >= 1.7x the points per second of 1 (on the 2-core
reference machine); a sweep's per-point overhead <= 10 % of the engine's own time.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from engine import RunOptions, simulate
from engine.explore import ParameterSpace
from engine.explore.executors import DaskExecutor, InProcessExecutor
from engine.explore.runner import run_sweep
from engine.explore.sweep import plan_sweep
from engine.model import parse_design

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
# Points of a sixth of a second or so: the size of a real sweep's runs, not empty ones.
OPTIONS = RunOptions(duration=60.0)
PARAMS = [("browsers.rate", "1000:2500:100")]
# The machine is shared: each figure is the best of a few interleaved rounds, so that a burst of
# someone else's work slows one measurement, not the comparison.
ROUNDS = 3


def _sweep():
    design = parse_design((EXAMPLES / "three_tier.json").read_text())
    return plan_sweep(design, PARAMS, OPTIONS)


def direct_seconds(sweep, clock=time.perf_counter) -> float:
    """The engine alone: every point's design built beforehand, then simulated one after another."""
    space = ParameterSpace(sweep.design)
    designs = [space.with_values(point) for point in sweep.points]
    start = clock()
    for design in designs:
        simulate(design, OPTIONS)
    return clock() - start


def direct_wall_and_cpu() -> tuple[float, float]:
    """``direct_seconds`` of the benchmark sweep in wall and CPU time, for a separate process."""
    sweep = _sweep()
    here = time.process_time()
    wall = direct_seconds(sweep)
    return wall, time.process_time() - here


def sweep_seconds(sweep, executor, clock=time.perf_counter) -> float:
    """The whole sweep through ``executor``, whose workers are already started."""
    start = clock()
    rows = run_sweep(sweep, executor)
    elapsed = clock() - start
    assert len(rows) == len(sweep)
    return elapsed


def main() -> dict:
    """Print the sweep figures and return them by name."""
    sweep = _sweep()
    n = len(sweep)
    figures = {}
    # CPU time of this one process: what the sweep adds around the engine, whatever else runs.
    direct_cpu = min(direct_seconds(sweep, time.process_time) for _ in range(2))
    here_cpu = min(sweep_seconds(sweep, InProcessExecutor(), time.process_time) for _ in range(2))
    figures["in_process_overhead"] = here_cpu / direct_cpu - 1
    print(f"engine directly  {direct_cpu / n * 1000:.0f} ms CPU a point ({n} points of {OPTIONS.duration:g} s)")
    print(f"sweep, in process   overhead per point {figures['in_process_overhead']:+6.1%} of CPU time")
    # The engine alone runs in a process of its own, like a worker: this one hosts the clusters'
    # schedulers and clients, whose threads would slow it and flatter the comparison.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as alone, \
            DaskExecutor(local_workers=1) as one, DaskExecutor(local_workers=2) as two:
        alone.submit(os.getpid).result()
        warm = plan_sweep(sweep.design, [("browsers.rate", "1000,1100")], OPTIONS)
        run_sweep(warm, one), run_sweep(warm, two)  # workers import the engine once, before timing
        direct, direct_cpu, dask1, worker_cpu, coordinator_cpu, dask2, busy2 = [], [], [], [], [], [], []
        for _ in range(ROUNDS):
            wall, cpu = alone.submit(direct_wall_and_cpu).result()
            direct.append(wall)
            direct_cpu.append(cpu)
            here, there = time.process_time(), one.worker_cpu_seconds()
            dask1.append(sweep_seconds(sweep, one))
            # The worker's CPU is the engine plus what a sweep adds to each run; this process's
            # (client and scheduler) is the coordination, which a real cluster runs elsewhere.
            worker_cpu.append(one.worker_cpu_seconds() - there)
            coordinator_cpu.append(time.process_time() - here)
            there = two.worker_cpu_seconds()
            dask2.append(sweep_seconds(sweep, two))
            # How much of two cores the two workers got: near 1 unless other work holds the cores.
            busy2.append((two.worker_cpu_seconds() - there) / (2 * dask2[-1]))
        # The same sweep's coordination on a cluster with Dask's own intervals (LOCAL_CLUSTER_CONFIG
        # is what the sweep changes), once: CPU time, which other work on the machine does not inflate.
        with DaskExecutor(local_workers=1, quiet=False) as loud:
            run_sweep(warm, loud)
            here = time.process_time()
            sweep_seconds(sweep, loud)
            figures["dask_default_coordinator_ms_per_point"] = (time.process_time() - here) / n * 1000
    load = os.getloadavg()[0]
    figures["direct_points_per_s"] = n / min(direct)
    figures["dask_1_points_per_s"], figures["dask_2_points_per_s"] = n / min(dask1), n / min(dask2)
    figures["dask_1_overhead"] = min(dask1) / min(direct) - 1
    figures["dask_1_worker_cpu_overhead"] = min(worker_cpu) / min(direct_cpu) - 1
    figures["dask_coordinator_ms_per_point"] = min(coordinator_cpu) / n * 1000
    figures["dask_speedup"] = min(dask1) / min(dask2)
    figures["load_average"] = load
    figures["dask_2_cores_used"] = 2 * max(busy2)
    print(f"engine directly  {figures['direct_points_per_s']:6.2f} points/s (wall)")
    print(f"Dask, 1 worker   {figures['dask_1_points_per_s']:6.2f} points/s   overhead per point "
          f"{figures['dask_1_overhead']:+6.1%} wall, {figures['dask_1_worker_cpu_overhead']:+6.1%} worker CPU"
          f"   (target <= 10 %)")
    print(f"                 client and scheduler {figures['dask_coordinator_ms_per_point']:.1f} ms CPU a point "
          f"({figures['dask_default_coordinator_ms_per_point']:.1f} ms with Dask's default intervals)")
    print(f"Dask, 2 workers  {figures['dask_2_points_per_s']:6.2f} points/s   {figures['dask_speedup']:.2f}x one worker"
          f"   (target >= 1.7x); the workers got {figures['dask_2_cores_used']:.2f} of {os.cpu_count()} cores"
          f" (load average {load:.1f})")
    return figures


if __name__ == "__main__":
    main()
