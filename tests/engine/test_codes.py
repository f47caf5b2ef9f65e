"""The compiler and the core speak one set of codes (engine/_codes.pxd).

Every word of the model that the compiler lowers to a number has a member of the matching
code enum, every member the compiler names exists, and the outcomes keep the numbers that
results and saved runs index by.
"""
from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

from engine import _codes
from engine.compile import code
from engine.model import components, distributions, faults, resilience
from engine.model.outcomes import Outcome


def _literal(model, field: str) -> tuple[str, ...]:
    return typing.get_args(model.model_fields[field].annotation)


def _kinds(union) -> tuple[str, ...]:
    members = typing.get_args(typing.get_args(union)[0])
    return tuple(cls.model_fields["kind"].default for cls in members)


# (enum, the model's words it must cover)
VOCABULARY = [
    (_codes.Kind, _kinds(components.Component)),
    (_codes.Dist, _kinds(distributions.Distribution)),
    (_codes.Strategy, _literal(components.LoadBalancer, "strategy")),
    (_codes.FanOut, _literal(components.Service, "fan_out")),
    (_codes.Discipline, _literal(components.Service, "queue_discipline")),
    (_codes.Arrival, _literal(components.OpenLoop, "arrivals") + ("closed",)),
    (_codes.Backoff, _literal(resilience.RetryPolicy, "backoff")),
    (_codes.Jitter, _literal(resilience.RetryPolicy, "jitter")),
    (_codes.Budget, ("none", resilience.GrpcRetryThrottling.model_fields["kind"].default,
                     resilience.EnvoyRetryBudget.model_fields["kind"].default)),
    (_codes.Window, _literal(resilience.CircuitBreakerPolicy, "sliding_window_type")),
    (_codes.FaultKind, _kinds(faults.Fault)),
    (_codes.DownMode, _literal(faults.CrashFault, "mode") + _literal(faults.PartitionFault, "mode")),
    (_codes.Resource, _literal(faults.ExhaustionFault, "resource")),
    (_codes.Direction, _literal(faults.LatencyFault, "direction")),
]


@pytest.mark.parametrize("enum, words", VOCABULARY, ids=[e.__name__ for e, _ in VOCABULARY])
def test_every_word_of_the_model_has_a_code(enum, words):
    assert words, f"no words found for {enum.__name__}: the model changed shape"
    codes = {word: code(enum, word) for word in words}
    assert all(isinstance(c, enum) for c in codes.values())
    # distinct words never share a code (Direction is a bit mask: "both" is its own member)
    assert len(set(codes.values())) == len(set(words))


def test_an_unknown_word_is_not_given_a_code():
    with pytest.raises(KeyError):
        code(_codes.Kind, "mainframe")


def test_outcomes_keep_the_numbers_results_index_by():
    core = {m.name.removeprefix("O_"): int(m) for m in _codes.Outcome}
    model = {m.name: int(m) for m in Outcome}
    assert core == model


def test_direction_is_a_bit_mask():
    assert _codes.Direction.DIR_BOTH == _codes.Direction.DIR_REQUEST | _codes.Direction.DIR_RESPONSE


def test_every_code_the_compiler_names_exists_in_the_core():
    source = Path(__file__).resolve().parents[2] / "engine" / "compile.py"
    tree = ast.parse(source.read_text())
    enums = {name for name in dir(_codes) if isinstance(getattr(_codes, name), type)}
    named = [(node.value.id, node.attr) for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in enums]
    assert named, "the compiler names no code: this test no longer looks where it should"
    missing = [f"{enum}.{member}" for enum, member in named if member not in getattr(_codes, enum).__members__]
    assert not missing
