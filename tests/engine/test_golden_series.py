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
    "three_tier|None|plain": "23782fa22220b007a0c5d607ba68f294",
    "three_tier|bad day|plain": "34eb3c125fde996bb974323ae2b696dc",
    "three_tier|database outage|plain": "da29dc17cc6d16791105b337cabf2fba",
    "three_tier|cache node failure|plain": "b23a4da05c726af8d2f55610b6e96d3b",
    "three_tier|bad day|every_pattern": "7d2853e7371edb0dcd1ee1b61065f096",
    "retry_storm|brief slowdown|plain": "85a8516d04da52ad068be001eebb54ba",
    "retry_storm_guarded|brief slowdown|plain": "9d43df876395408591fdf744abb17264",
    "microservices|None|plain": "98f3b46aa4805354175a4fbae37ba4fa",
    "microservices|slow recommendations|plain": "ef706ca74b17474a43f537be01712f99",
    "microservices|payment provider errors|plain": "d1adbc004b660159ba28f4a66ad1ca00",
    "microservices|inventory database crash|plain": "349b2f34fbffff749de814a55d370245",
    "mmc|lose a worker|plain": "3b424913f28f4fe88d94e95b58140fe7",
    "mmc|slow CPU|plain": "385579c118c5bea3567dde7484c4b4d6",
}


@pytest.mark.parametrize("example, experiment, variant", CASES)
def test_series_are_bit_identical(example, experiment, variant):
    assert run_digest(example, experiment, variant) == EXPECTED[f"{example}|{experiment}|{variant}"]


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case[0]}|{case[1]}|{case[2]}": "{run_digest(*case)}",')
    sys.exit(0)
