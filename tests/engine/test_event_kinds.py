"""Every kind of event-log entry the core writes states its words and tone once, in engine.events."""
from __future__ import annotations

from typing import get_args

import pytest

from engine import _core
from engine.events import EVENT_KINDS, Tone, event_kind


def test_every_kind_the_core_logs_has_an_entry_in_its_order():
    assert tuple(EVENT_KINDS) == tuple(_core.LOG_KIND_NAMES)


@pytest.mark.parametrize("name,kind", EVENT_KINDS.items())
def test_every_event_kind_has_words_a_sentence_and_a_known_tone(name, kind):
    assert kind.label and not kind.label.endswith("."), name
    assert kind.help[:1].isupper() and kind.help.endswith("."), name
    assert kind.tone in get_args(Tone), name


def test_labels_tell_the_kinds_apart():
    assert len({k.label for k in EVENT_KINDS.values()}) == len(EVENT_KINDS)


def test_a_kind_without_an_entry_reads_as_its_name_uncoloured():
    assert event_kind("zone_lost").label == "zone lost" and event_kind("zone_lost").tone == ""


def _parts_at_their_fullest():
    """A part of each kind, set up to write every log kind it can (a budget, a leak, CoDel, ...)."""
    import engine.model as m

    faults = [cls(target="api", **({"resource": "memory_leak"} if name == "exhaustion" else {}))
              for name, cls in m.FAULT_CLASSES.items()]
    budget = {"kind": "grpc_throttling"}
    policies = []
    for name, cls in m.POLICY_CLASSES.items():
        values = dict(cls.starting_values)
        if name == "retry":
            values["budget"] = budget
        if name == "hedging":
            values.update(max_attempts=2, throttling=budget)
        if name == "deadline":
            values["deadline"] = 1.0
        if name == "rate_limiter":
            values.update(limit_for_period=10, limit_refresh_period=1.0, timeout_duration=0.0)
        policies.append(cls(**values))
    components = [m.Service(name="a", queue_discipline="codel", call_mode="non_blocking", max_outstanding=2,
                            autoscaling={"enabled": True, "min_replicas": 1, "max_replicas": 3}),
                  m.Database(name="b", queue_discipline="adaptive_lifo")]
    return [*faults, *policies, *components]


def test_every_kind_is_one_a_fault_policy_or_component_says_it_writes():
    """A kind no part declares would arrive in a live log unforeseen, and widen its Kind column mid-run."""
    declared = {k for part in _parts_at_their_fullest() for k in part.log_kinds()}
    assert declared == set(EVENT_KINDS)


def test_parts_left_plain_or_switched_off_write_fewer_kinds():
    import engine.model as m

    assert m.Service(name="a").log_kinds() == ()
    assert m.RetryPolicy().log_kinds() == ("retries_exhausted",)
    assert m.RetryPolicy(enabled=False).log_kinds() == ()
    assert m.ExhaustionFault(target="api").log_kinds() == ("fault_started", "fault_ended")


def _runs():
    from pathlib import Path

    import engine.model as m
    from benchmarks.bench_engine import with_every_pattern

    for path in sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json")):
        design = m.parse_design(path.read_text())
        designs = [design, with_every_pattern(design)] if path.stem == "three_tier" else [design]
        for d in designs:
            for experiment in [None, *(e.name for e in d.experiments)]:
                yield pytest.param(d, experiment, id=f"{path.stem}|{len(d.links)}|{experiment}")


@pytest.mark.parametrize("design,experiment", list(_runs()))
def test_a_run_writes_only_kinds_its_design_says_it_can(design, experiment):
    from engine import RunOptions, simulate

    result = simulate(design, RunOptions(duration=150.0, warmup=5.0, seed=7), experiment)
    written = {e["kind"] for e in result.events}
    assert written <= design.log_kinds(experiment), written - design.log_kinds(experiment)
