"""Compare everything the engine produces before and after a change meant to leave it alone.

    python -m tests.engine.same_results dump DIR      # run every case, write DIR/<case>.pkl
    python -m tests.engine.same_results compare A B   # report every case whose output differs

A case is an example design, plain or with every pattern switched on, with no experiment or
one of its experiments, at a warm-up inside a bucket and one on a bucket's edge, plus the
M/M/4 queue of the benchmarks. What is compared, bit for bit: the per-bucket series of
components, links and objectives, the summaries, the event log, the number of events, the
latency and queue-wait histograms (at the end, and halfway in a second run) and the state
arrays the results are read from. The golden test pins digests of a few of these
runs; this covers every experiment and says where a difference is.
"""
from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

import engine.model as m
from engine import RunOptions, Simulation

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
WARMUPS = (5.0, 7.5)   # on a bucket's edge, and inside one
# working arrays whose layout is the engine's own: the places of the bucket records' numbers
# in their store (a record may take less room), and the live counter rows, whose counts are
# compared as the dense rows (mc, ml) and totals (tot_c, tot_l) built from them
STORE_LAYOUT = {"/state/_rc_voff", "/state/_rl_voff", "/state/_mc_row", "/state/_ml_row"}


def cases(quick: bool = False) -> Iterator[tuple[str, m.Design, str | None, RunOptions]]:
    """Every case; ``quick``: one warm-up each (inside a bucket), not two."""
    from benchmarks.bench_engine import mm4_design, with_every_pattern

    duration = 150.0   # every experiment's faults start and end inside it
    for path in sorted(EXAMPLES.glob("*.json")):
        design = m.parse_design(path.read_text())
        variants = [("plain", design)]
        if path.stem == "three_tier":
            variants.append(("every_pattern", with_every_pattern(design)))
        experiments: list[str | None] = [None, *(e.name for e in design.experiments)]
        for variant, d in variants:
            for experiment in experiments:
                for warmup in WARMUPS[1:] if quick else WARMUPS:
                    options = RunOptions(duration=duration, warmup=warmup, bucket=1.0, seed=7)
                    yield f"{path.stem}|{variant}|{experiment}|{warmup}", d, experiment, options
    yield "mm4|plain|None|5.0", mm4_design(), None, RunOptions(duration=2000.0, warmup=5.0, bucket=10.0, seed=3)


def run_case(design: m.Design, experiment: str | None, options: RunOptions,
             sim: Simulation | None = None) -> dict[str, Any]:
    """What a run produced; ``sim``, when given, is the run (advanced or not), else a new one."""
    sim = sim or Simulation(design, options, experiment)
    result = sim.result()
    return {
        "series": result.series,
        "link_series": result.link_series,
        "objective_series": result.objective_series or {},
        "summary": result.summary,
        "events": result.events,
        "events_processed": result.meta["events_processed"],
        "histograms": histograms(sim),
        # the histograms' working arrays are compared as read (above), whatever their layout
        "state": {k: np.array(v, copy=True) for k, v in sim._core.state_arrays().items()
                  if isinstance(v, np.ndarray) and not k.startswith("hist_")},
    }


def histograms(sim: Simulation) -> dict[str, np.ndarray]:
    """Each component's latency histogram over the measured window so far, and its queue
    waits' (components x bins)."""
    return {"run": np.array(sim._core.run_histograms(), copy=True),
            "wait": sim._core.wait_histograms()}


def halfway(design: m.Design, experiment: str | None, options: RunOptions) -> dict[str, np.ndarray]:
    """The histograms halfway through the run, with a bucket under way."""
    sim = Simulation(design, options, experiment)
    sim.advance(until=options.duration / 2 + options.bucket / 3)
    return histograms(sim)


def differences(a: Any, b: Any, where: str = "") -> Iterator[str]:
    """Paths at which ``a`` and ``b`` differ; floats compared by their bits (NaN equals NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=repr):
            if key not in a or key not in b:
                yield f"{where}/{key}: only in {'after' if key not in a else 'before'}"
            else:
                yield from differences(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            yield f"{where}: {len(a)} items against {len(b)}"
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                yield from differences(x, y, f"{where}[{i}]")
    elif (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.names and b.dtype.names
          and a.shape == b.shape):
        # a record of working state (engine/_state.pxd) is compared field by field: its
        # layout (order, width, padding) is not a result, its values are
        for key in sorted((set(a.dtype.names) | set(b.dtype.names)) - {"pad"}):
            if key not in a.dtype.names or key not in b.dtype.names:
                yield f"{where}/{key}: only in {'after' if key not in a.dtype.names else 'before'}"
            else:
                yield from differences(np.ascontiguousarray(a[key]), np.ascontiguousarray(b[key]), f"{where}/{key}")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype != y.dtype and x.dtype.kind in "iu" and y.dtype.kind in "iu":
            x, y = x.astype(np.int64), y.astype(np.int64)   # a working count's width is layout
        if x.shape != y.shape or x.dtype != y.dtype:
            yield f"{where}: {x.dtype}{x.shape} against {y.dtype}{y.shape}"
        elif x.tobytes() != y.tobytes():
            n = int(np.count_nonzero(~((x == y) | ((x != x) & (y != y)))))
            yield f"{where}: {n} of {x.size} values differ"
    elif isinstance(a, float) and isinstance(b, float):
        if np.float64(a).tobytes() != np.float64(b).tobytes() and not (a != a and b != b):
            yield f"{where}: {a!r} against {b!r}"
    elif a != b:
        yield f"{where}: {a!r} against {b!r}"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "dump":
        out = Path(argv[1])
        out.mkdir(parents=True, exist_ok=True)
        n = 0
        for name, design, experiment, options in cases():
            data = run_case(design, experiment, options)
            data["halfway"] = halfway(design, experiment, options)
            (out / (name.replace("|", "__").replace(" ", "_") + ".pkl")).write_bytes(pickle.dumps(data))
            n += 1
        print(f"{n} runs written to {out}")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        before, after = Path(argv[1]), Path(argv[2])
        names = sorted(p.name for p in before.glob("*.pkl"))
        bad = 0
        notes: set[str] = set()
        for name in names:
            if not (after / name).exists():
                print(f"{name}: missing after")
                bad += 1
                continue
            found = list(differences(pickle.loads((before / name).read_bytes()),
                                     pickle.loads((after / name).read_bytes())))
            # a working array the change added or removed is not a result, nor is the layout
            # of those in STORE_LAYOUT
            added = {f for f in found if f.startswith("/state/") and f.endswith((": only in after", ": only in before"))
                     or f.split(":")[0] in STORE_LAYOUT}
            notes |= {f.split(":")[0] for f in added}
            found = [f for f in found if f not in added]
            if found:
                bad += 1
                print(f"{name}: {len(found)} differences")
                for line in found[:12]:
                    print("   ", line)
        for note in sorted(notes):
            print(f"working array (not compared): {note}")
        print(f"{len(names)} runs compared, {bad} differ")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
