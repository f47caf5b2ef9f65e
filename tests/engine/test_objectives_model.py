"""Objectives in the design model: defaults, validation messages, JSON round trip, field metadata."""
from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from engine.model import (
    AvailabilityObjective,
    Client,
    DesignError,
    LatencyObjective,
    RecoverySettings,
    parse_design,
)


def _design(client: dict) -> dict:
    return {
        "name": "d",
        "components": [{"kind": "client", "name": "web", **client}, {"kind": "external", "name": "api"}],
        "links": [{"source": "web", "target": "api"}],
    }


def test_a_client_carries_objectives_and_recovery_settings_through_json():
    data = _design({
        "objectives": [
            {"kind": "availability", "target": 0.999, "latency_threshold": 0.3, "count_fallback": True},
            {"kind": "latency", "percentile": 99, "threshold": 0.5},
        ],
        "recovery": {"tolerance": 0.05, "hold": 20},
    })
    design = parse_design(data)
    web = design.component("web")
    assert isinstance(web.objectives[0], AvailabilityObjective)
    assert isinstance(web.objectives[1], LatencyObjective)
    assert web.recovery == RecoverySettings(tolerance=0.05, hold=20)
    again = parse_design(design.to_json())
    assert again == design
    assert json.loads(again.to_json()) == json.loads(design.to_json())


def test_defaults_need_no_objectives():
    web = Client(name="web")
    assert web.objectives == []
    assert web.recovery.tolerance == 0.01 and web.recovery.hold == 10.0


@pytest.mark.parametrize("objective, message", [
    ({"kind": "availability", "target": 1.0}, 'client "web", objective 1 (availability): target must be less than 1'),
    ({"kind": "availability", "target": 0}, 'client "web", objective 1 (availability): target must be greater than 0'),
    ({"kind": "availability", "target": 0.9, "latency_threshold": 0},
     'client "web", objective 1 (availability): latency_threshold must be greater than 0'),
    ({"kind": "latency", "percentile": 100, "threshold": 1},
     'client "web", objective 1 (latency): percentile must be less than 100'),
    ({"kind": "latency", "percentile": 99, "threshold": "fast"}, 'client "web", objective 1 (latency): threshold'),
    ({"kind": "uptime"}, "client \"web\", objective 1 (uptime): unknown kind 'uptime'"),
    ({"kind": "latency", "percentile": 99, "threshold": 0.1, "window": 5},
     'client "web", objective 1 (latency): window is not a known field'),
])
def test_invalid_objectives_name_the_client_the_objective_and_the_field(objective, message):
    with pytest.raises(DesignError) as info:
        parse_design(_design({"objectives": [objective]}))
    assert message in str(info.value)


def test_invalid_recovery_settings_name_the_client_and_the_field():
    with pytest.raises(DesignError) as info:
        parse_design(_design({"recovery": {"tolerance": -0.1, "hold": 0}}))
    text = str(info.value)
    assert 'client "web": recovery.tolerance must be at least 0' in text
    assert 'client "web": recovery.hold must be greater than 0' in text


def test_objectives_only_belong_to_clients():
    data = _design({})
    data["components"][1]["objectives"] = [{"kind": "latency", "percentile": 99, "threshold": 1}]
    with pytest.raises(DesignError, match='external "api": objectives is not a known field'):
        parse_design(data)


def test_assignment_is_validated():
    objective = LatencyObjective(percentile=99, threshold=0.2)
    with pytest.raises(ValidationError):
        objective.threshold = -1


@pytest.mark.parametrize("cls", [AvailabilityObjective, LatencyObjective, RecoverySettings])
def test_every_editable_field_carries_its_label_help_and_unit(cls):
    for name, info in cls.model_fields.items():
        if name in ("id", "kind"):
            continue
        assert info.title and info.description, f"{cls.__name__}.{name}"
        if info.annotation is not bool:
            assert (info.json_schema_extra or {}).get("unit"), f"{cls.__name__}.{name} has no unit"


def test_labels_read_like_the_objective():
    assert LatencyObjective(percentile=99, threshold=0.5).describe() == "p99 <= 500 ms"
    assert AvailabilityObjective(target=0.999).describe() == "availability 99.9 % (ok)"
    assert (AvailabilityObjective(target=0.99, count_fallback=True, latency_threshold=0.3).describe()
            == "availability 99 % (ok or fallback, <= 300 ms)")
