"""The engine's output, bit for bit, on the example designs.

Each run's per-bucket series (components, links, objectives), summaries and event log are
reduced to a digest that was recorded from the engine as it stood before its modules were
reorganised. A change to how the core is laid out, or to how the compiler lowers a design,
must leave every digest unchanged; a change to what the engine computes must update them
on purpose (``python -m tests.engine.test_golden_series`` prints the current ones). They were
last updated when exponentials and normals came to be drawn by ziggurats: the same
distributions (tests/engine/test_draws.py), other numbers.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
OPTIONS = dict(duration=150.0, warmup=5.0, bucket=1.0, seed=7)


def _every_pattern(design: m.Design) -> m.Design:
    """The three-tier example with every pattern switched on somewhere (as the benchmark has it)."""
    from benchmarks.bench_engine import with_every_pattern

    return with_every_pattern(design)


# (example, experiment or None, variant): the runs whose output is pinned.
CASES = [
    ("three_tier", None, "plain"),
    ("three_tier", "bad day", "plain"),
    ("three_tier", "database outage", "plain"),
    ("three_tier", "cache node failure", "plain"),
    ("three_tier", "bad day", "every_pattern"),
    ("retry_storm", "brief slowdown", "plain"),
    ("retry_storm_guarded", "brief slowdown", "plain"),
    ("microservices", None, "plain"),
    ("microservices", "slow recommendations", "plain"),
    ("microservices", "payment provider errors", "plain"),
    ("microservices", "inventory database crash", "plain"),
    ("mmc", "lose a worker", "plain"),
    ("mmc", "slow CPU", "plain"),
]


def _digest_arrays(h, arrays: dict[str, np.ndarray]) -> None:
    for name in sorted(arrays):
        h.update(name.encode())
        h.update(np.ascontiguousarray(arrays[name], dtype=np.float64).tobytes())


def run_digest(example: str, experiment: str | None, variant: str) -> str:
    """A digest of everything a run of ``example`` produced but its wall time."""
    design = m.parse_design((EXAMPLES / f"{example}.json").read_text())
    if variant == "every_pattern":
        design = _every_pattern(design)
    result = Simulation(design, RunOptions(**OPTIONS), experiment).result()
    h = hashlib.blake2b(digest_size=16)
    _digest_arrays(h, result.series)
    _digest_arrays(h, result.link_series)
    _digest_arrays(h, result.objective_series or {})
    h.update(json.dumps(result.summary, sort_keys=True, default=repr).encode())
    h.update(json.dumps(result.events, sort_keys=True, default=repr).encode())
    h.update(str(result.meta["events_processed"]).encode())
    return h.hexdigest()


EXPECTED = {
    "three_tier|None|plain": "ca99b318493e42eed680494c93c5b782",
    "three_tier|bad day|plain": "b906c90dffeb928fdd1cb2794ddcdc82",
    "three_tier|database outage|plain": "77324263b3ffed83b67c1511b3d849bb",
    "three_tier|cache node failure|plain": "9bf0bcde6843592fece4fd41f0988832",
    "three_tier|bad day|every_pattern": "8d2f6dcfd80ceb7657fba31002eefe96",
    "retry_storm|brief slowdown|plain": "7aa498df4e7e0acb9c144856b5f1d26e",
    "retry_storm_guarded|brief slowdown|plain": "ff0cb2ddcf6d769c136dff386c0e1e2f",
    "microservices|None|plain": "250d34defe53a74ed55a5341ac9ebdd9",
    "microservices|slow recommendations|plain": "76da3f1069c862f0641bb88ec58a3449",
    "microservices|payment provider errors|plain": "9c3c5bf31046ec809e2f8e89f57faf12",
    "microservices|inventory database crash|plain": "e080e6cba1a9f3e0b16a356651b12dc8",
    "mmc|lose a worker|plain": "0f14041240117ea8af019a64209bd12a",
    "mmc|slow CPU|plain": "931b19ec7bfd059e51d0e33cea8bef5f",
}


@pytest.mark.parametrize("example, experiment, variant", CASES)
def test_series_are_bit_identical(example, experiment, variant):
    assert run_digest(example, experiment, variant) == EXPECTED[f"{example}|{experiment}|{variant}"]


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case[0]}|{case[1]}|{case[2]}": "{run_digest(*case)}",')
    sys.exit(0)
