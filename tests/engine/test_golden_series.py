"""The engine's output, bit for bit, on the example designs.

Each run's per-bucket series (components, links, objectives), summaries and event log are
reduced to a digest that was recorded from the engine as it stood before its modules were
reorganised. A change to how the core is laid out, or to how the compiler lowers a design,
must leave every digest unchanged; a change to what the engine computes must update them
on purpose (``python -m tests.engine.test_golden_series`` prints the current ones).
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
    "three_tier|None|plain": "f021e92a2b66b5e755b240043e3b0884",
    "three_tier|bad day|plain": "851555e5f51e06f1b97c9910bb46a43f",
    "three_tier|database outage|plain": "4f582b07c456c97748ac1ac3d9a46c0d",
    "three_tier|cache node failure|plain": "6a5f03c978151a87c89364b243f3a12e",
    "three_tier|bad day|every_pattern": "7aa4ea9ee8871041f3f368ecb1d6e4a8",
    "retry_storm|brief slowdown|plain": "9aca16e8575fd30b9e448eb64be6b99d",
    "retry_storm_guarded|brief slowdown|plain": "3cd6abd598610af9af498881b8531174",
    "microservices|None|plain": "7244d47b43af9b5415d33e9afb703b9e",
    "microservices|slow recommendations|plain": "6036bc324b253dc535d7950d0102a09c",
    "microservices|payment provider errors|plain": "00d7167e7f8753373733f78e33eb210d",
    "microservices|inventory database crash|plain": "afa6d925b61bfca3b4fa75ed5abaa5f3",
    "mmc|lose a worker|plain": "afbe49068576c9f39f51a5ea297b308b",
    "mmc|slow CPU|plain": "63b630ed82255a650311dc8cf9677ba3",
}


@pytest.mark.parametrize("example, experiment, variant", CASES)
def test_series_are_bit_identical(example, experiment, variant):
    assert run_digest(example, experiment, variant) == EXPECTED[f"{example}|{experiment}|{variant}"]


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case[0]}|{case[1]}|{case[2]}": "{run_digest(*case)}",')
    sys.exit(0)
