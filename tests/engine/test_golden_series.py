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
    "three_tier|None|plain": "b0695660e86538b74cd458d8286fa985",
    "three_tier|bad day|plain": "4839d173323d726e3bd3af427fdd6da9",
    "three_tier|database outage|plain": "96bf1b4bfc3845586f3e19582a232fb8",
    "three_tier|cache node failure|plain": "9d902d7b9f1dec2452732e4925dad74a",
    "three_tier|bad day|every_pattern": "8f119af1cfdfdce9b55f843efb630210",
    "retry_storm|brief slowdown|plain": "995bc8466ebbd3faf2db98ee7a7d8da9",
    "retry_storm_guarded|brief slowdown|plain": "8875989006f6e9b7e424fdb4dfa4f2eb",
    "microservices|None|plain": "a41c6aaf304215a67cd7aed914f2dc3c",
    "microservices|slow recommendations|plain": "ff72267948065aecf8aa8f962d2c0fdf",
    "microservices|payment provider errors|plain": "a5446b75453105f069773d326e9e15af",
    "microservices|inventory database crash|plain": "6c466d34bc0669f1d7096805f7cf7c69",
    "mmc|lose a worker|plain": "f0d7baffb07d277bd9f201fbc1bd9276",
    "mmc|slow CPU|plain": "f26440c38fc66517746322e0cf39e6fe",
}


@pytest.mark.parametrize("example, experiment, variant", CASES)
def test_series_are_bit_identical(example, experiment, variant):
    assert run_digest(example, experiment, variant) == EXPECTED[f"{example}|{experiment}|{variant}"]


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case[0]}|{case[1]}|{case[2]}": "{run_digest(*case)}",')
    sys.exit(0)
