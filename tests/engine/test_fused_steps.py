"""Requests between a plain client and plain services take the loop's fused steps (`c_plain`,
engine/_plain.pxi), which must do exactly what the whole steps do.

Checked by running each design twice: as compiled, and with `c_plain` cleared before the run
(the test's way to force the whole steps everywhere), comparing everything bit for bit.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import engine.model as m
from benchmarks.bench_engine import mm4_design
from engine import RunOptions, Simulation
from tests.engine.same_results import differences, run_case

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
OPTIONS = RunOptions(duration=150.0, warmup=7.5, bucket=5.0, seed=5)   # every fault inside it


def _plain_names(sim: Simulation, design: m.Design) -> set[str]:
    flags = sim._core.state_arrays()["_c_plain"]
    return {c.name for c, flag in zip(design.components, flags) if flag}


def _fused_and_whole(design: m.Design, experiment: str | None, options: RunOptions = OPTIONS):
    fused_sim = Simulation(design, options, experiment)
    plain = _plain_names(fused_sim, design)
    whole_sim = Simulation(design, options, experiment)
    whole_sim._core.state_arrays()["_c_plain"][:] = 0
    fused = run_case(design, experiment, options, sim=fused_sim)
    whole = run_case(design, experiment, options, sim=whole_sim)
    for run in (fused, whole):
        del run["state"]["_c_plain"]
    return plain, fused, whole


def test_the_queue_of_the_benchmarks_is_plain_end_to_end():
    sim = Simulation(mm4_design(3.2), OPTIONS)
    assert _plain_names(sim, mm4_design(3.2)) == {"users", "server"}


def test_what_leaves_a_component_off_the_fused_steps():
    design = mm4_design(3.2)
    design.component("users").policies = [m.RetryPolicy(max_attempts=3)]
    design.component("server").error_probability = 0.1
    sim = Simulation(design, OPTIONS)
    assert _plain_names(sim, design) == set()


@pytest.mark.parametrize("load", [2.0, 3.9])
def test_the_fused_steps_answer_what_the_whole_ones_do(load):
    # at 3.9 of 4 workers the queue is long most of the time: admissions go to it, and ends
    # hand the worker to the queue's head
    plain, fused, whole = _fused_and_whole(mm4_design(load), None, RunOptions(duration=400.0, warmup=7.5, bucket=5.0))
    assert plain == {"users", "server"}
    assert fused["summary"]["components"]["users"]["arrivals"] > 700
    assert list(differences(fused, whole)) == []


def test_a_hop_taken_at_once_is_one_of_the_events_a_slice_allows():
    # a fused step runs its zero-delay hop at once (_hop_now) only while the slice has room
    # for it, and counts it: slices of 7 events end where asked, and the run is the same
    options = RunOptions(duration=60.0, warmup=7.5, bucket=5.0)
    sliced = Simulation(mm4_design(3.2), options)
    while not sliced.finished:
        before = sliced.events_processed
        if not sliced.advance(max_events=7):
            assert sliced.events_processed - before == 7
    assert list(differences(run_case(mm4_design(3.2), None, options, sim=sliced),
                            run_case(mm4_design(3.2), None, options))) == []


@pytest.mark.parametrize("example", ["mmc", "microservices", "three_tier"])
def test_faults_at_plain_components_take_the_same_turns(example):
    # experiments crash, slow and fail plain services and links: the tests the fused steps
    # keep (an instance down, an injected error, a latency fault, a slower CPU) must catch them
    design = m.parse_design((EXAMPLES / f"{example}.json").read_text())
    for experiment in [None, *(e.name for e in design.experiments)]:
        plain, fused, whole = _fused_and_whole(design, experiment)
        assert plain
        assert list(differences(fused, whole)) == [], experiment
        # the latency histograms are among what `differences` compared: they have something in them
        assert fused["histograms"]["run"].any(), experiment


def test_the_inlining_attributes_name_functions_of_the_loop():
    # an attribute naming a function Cython no longer writes would be lost without a word
    root = Path(__file__).resolve().parents[2]
    generated = root / "engine" / "_loop.c"
    if not generated.exists():
        pytest.skip("the engine was not built from its sources here")
    declared = {name for source in ("_plain.pxi", "_random.pxd")
                for name in re.findall(r"\b(__pyx_f_6engine_\w+)\(", (root / "engine" / source).read_text())}
    assert len(declared) >= 11 and "__pyx_f_6engine_7_random__zig_edge" in declared
    defined = set(re.findall(r"^static [^;]*?\b(__pyx_f_6engine_\w+)\([^;]*\{$", generated.read_text(), re.M))
    assert declared - defined == set()
