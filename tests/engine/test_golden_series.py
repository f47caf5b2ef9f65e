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
    "three_tier|None|plain": "7a5f563b0ae30f044494ea1341415471",
    "three_tier|bad day|plain": "a5e5db78cad066b9597ae538b33d8f2f",
    "three_tier|database outage|plain": "a932495c7af7890b4ec461c858571e05",
    "three_tier|cache node failure|plain": "29cb0aaa9a2a1671d490c76a64f166de",
    "three_tier|bad day|every_pattern": "8f7cdb4035bd4982390e46564292eec6",
    "retry_storm|brief slowdown|plain": "b7c37aa78df1c1cece9145df3eed2760",
    "retry_storm_guarded|brief slowdown|plain": "38e5e049aa5fac2c58560ba7348defc6",
    "microservices|None|plain": "7e51faff0838d8e4c21b1f4037f33a2f",
    "microservices|slow recommendations|plain": "ab571311c0438a1c87b8c382a792ccf0",
    "microservices|payment provider errors|plain": "db3577799e0836524e02cf08cc553355",
    "microservices|inventory database crash|plain": "5709f03fc5124c22c7a6482266245faf",
    "mmc|lose a worker|plain": "92248e5455c3e60b64b0bb227acf268a",
    "mmc|slow CPU|plain": "60504b47605ab16bb882927e0faed30e",
}


@pytest.mark.parametrize("example, experiment, variant", CASES)
def test_series_are_bit_identical(example, experiment, variant):
    assert run_digest(example, experiment, variant) == EXPECTED[f"{example}|{experiment}|{variant}"]


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case[0]}|{case[1]}|{case[2]}": "{run_digest(*case)}",')
    sys.exit(0)
