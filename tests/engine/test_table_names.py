"""A parameter keeps its model name in the core's tables: one name from the form to the core.

A table field that holds a model parameter is named as the parameter, prefixed with its kind where two
kinds share the name or the name alone would not say whose it is (engine/_tables.pxd).
"""
from __future__ import annotations

import pytest

from engine._tables import AUTOSCALE, COMPONENT, LINK, OUTLIER, POLICY
from engine.model import POLICY_CLASSES, EnvoyRetryBudget, GrpcRetryThrottling, Link
from engine.model.resilience import CALLER_POLICY_KINDS

# Fields of the policy row that hold no single parameter: whether a breaker guards the link at all,
# and which retry budget applies (the budget's own parameters follow it by name).
POLICY_BOOKKEEPING = {"cb_on", "budget"}


def _column(table, kind: str, name: str) -> str | None:
    for candidate in (name, f"{kind}_{name}"):
        if candidate in table.names:
            return candidate
    return None


# Policies whose settings have a table of their own rather than columns of the policy row.
OWN_TABLES = {"outlier_detection": OUTLIER}


@pytest.mark.parametrize("kind", CALLER_POLICY_KINDS)
def test_every_parameter_of_a_caller_side_policy_has_a_column_of_its_name(kind):
    cls = POLICY_CLASSES[kind]
    rows = OWN_TABLES.get(kind, POLICY)
    for name in cls.model_fields.keys() - {"id", "kind", "enabled", "scope", "budget"}:
        assert _column(rows, kind, name), f"{kind}.{name} has no column named after it in {rows}"


def test_every_setting_of_the_autoscaler_has_a_column_of_its_name():
    from engine.model.components import Autoscaler

    assert Autoscaler.model_fields.keys() - {"enabled"} <= set(AUTOSCALE.names)


@pytest.mark.parametrize("kind", ["rate_limiter", "load_shedding"])
def test_every_parameter_of_an_inbound_policy_has_a_column_of_its_name(kind):
    for name in POLICY_CLASSES[kind].model_fields.keys() - {"id", "kind", "enabled"}:
        assert _column(COMPONENT, kind, name), f"{kind}.{name} has no column named after it in ComponentRow"


def test_every_policy_column_is_a_parameters_name():
    names = {n for k in CALLER_POLICY_KINDS for n in POLICY_CLASSES[k].model_fields if k not in OWN_TABLES}
    names |= {f"{k}_{n}" for k in CALLER_POLICY_KINDS for n in POLICY_CLASSES[k].model_fields}
    names |= set(GrpcRetryThrottling.model_fields) | set(EnvoyRetryBudget.model_fields)
    strays = set(POLICY.names) - names - POLICY_BOOKKEEPING
    assert not strays, f"PolicyRow fields named unlike any parameter: {sorted(strays)}"


def test_a_shared_name_is_prefixed_by_each_kind_that_has_it():
    assert {"retry_max_wait_duration", "bulkhead_max_wait_duration"} <= set(POLICY.names)
    assert "max_wait_duration" not in POLICY.names


def test_a_links_call_pattern_keeps_its_names():
    assert {"probability", "count"} <= set(LINK.names) and {"probability", "count"} <= set(Link.model_fields)
