"""Which policies can guard the same calls: one rule, read by the design check and by the editor."""
from __future__ import annotations

import itertools

import pytest

import engine.model as m
from engine.model.resilience import CALLER_POLICY_KINDS, INBOUND_POLICY_KINDS, POLICY_CLASSES
from engine.model.validation import design_problems, policy_conflicts, policy_refusal

# The words of the design check for policies that cannot share calls.
CLASH_WORDS = ("two enabled", "both a retry and a hedging policy")


def _design(policies: list) -> m.Design:
    """users -> api -> {a, b}: api's policies guard its calls to a and b."""
    api = m.Service(name="api", policies=policies)
    a, b = m.Service(name="a"), m.Service(name="b")
    design = m.Design(name="d", components=[m.Client(name="users"), api, a, b],
                      links=[m.Link(source="users", target="api"), m.Link(source="api", target="a"),
                             m.Link(source="api", target="b")])
    return design.with_ids()


def _policy(kind: str, scope=None, enabled: bool = True):
    values = {**POLICY_CLASSES[kind].starting_values, "enabled": enabled}
    if scope is not None:
        values["scope"] = scope
    return POLICY_CLASSES[kind](**values)


def _ids(design: m.Design) -> dict:
    return {c.name: c.id for c in design.components}


def _clashes(design: m.Design) -> list[str]:
    return [p.message for p in design_problems(design) if any(w in p.message for w in CLASH_WORDS)]


def test_a_second_bulkhead_of_either_kind_on_the_same_calls_conflicts():
    ids = _ids(_design([]))
    for first, second in itertools.product(("bulkhead", "thread_pool_bulkhead"), repeat=2):
        for scope in (None, ids["a"]):
            conflicts = policy_conflicts([_policy(first, scope)], second, scope, {ids["a"]: "a"})
            assert len(conflicts) == 1 and conflicts[0].twice
            assert "a call passes one bulkhead, semaphore or thread-pool" in conflicts[0].why
    why = policy_conflicts([_policy("bulkhead", ids["a"])], "thread_pool_bulkhead", ids["a"], {ids["a"]: "a"})[0].why
    assert why == ('the calls to "a" already have an enabled bulkhead policy: '
                   "a call passes one bulkhead, semaphore or thread-pool")


def test_retry_and_hedging_conflict_wherever_their_calls_meet():
    ids = _ids(_design([]))
    names = {ids["a"]: "a", ids["b"]: "b"}
    for mine, theirs in [(None, None), (None, ids["a"]), (ids["a"], None), (ids["a"], ids["a"])]:
        conflicts = policy_conflicts([_policy("retry", theirs)], "hedging", mine, names)
        assert len(conflicts) == 1 and not conflicts[0].twice
        assert "gRPC gives a call a retry or a hedging policy, never both" in conflicts[0].why
    # a general retry and hedging for one dependency meet on that dependency's calls
    assert policy_conflicts([_policy("retry")], "hedging", ids["a"], names)[0].calls == ids["a"]
    assert policy_conflicts([_policy("hedging", ids["b"])], "retry", ids["a"], names) == []


def test_other_calls_overrides_and_disabled_policies_do_not_conflict():
    ids = _ids(_design([]))
    # one dependency's policy beside the all-calls one of its family overrides it there
    assert policy_conflicts([_policy("bulkhead")], "thread_pool_bulkhead", ids["a"]) == []
    assert policy_conflicts([_policy("retry", ids["a"])], "retry", None) == []
    assert policy_conflicts([_policy("timeout", ids["a"])], "timeout", ids["b"]) == []
    assert policy_conflicts([_policy("retry", enabled=False)], "hedging", None) == []
    assert policy_conflicts([_policy("timeout")], "circuit_breaker", None) == []


def test_an_inbound_kind_is_one_per_component():
    conflicts = policy_conflicts([_policy("rate_limiter")], "rate_limiter", None)
    assert [c.why for c in conflicts] == ["this component already has an enabled rate limiter policy: it takes one"]
    assert policy_conflicts([_policy("rate_limiter")], "load_shedding", None) == []
    assert policy_conflicts([_policy("retry")], "rate_limiter", None) == []


def test_policy_refusal_judges_what_a_policy_would_join():
    service = m.Service(name="api", policies=[_policy("bulkhead"), _policy("retry")])
    # alone, only the kind and the component are judged (as the design check judges each policy)
    assert policy_refusal(service, "thread_pool_bulkhead") is None
    assert policy_refusal(service, "thread_pool_bulkhead", beside=service.policies) == (
        "every call already has an enabled bulkhead policy: a call passes one bulkhead, semaphore or thread-pool")
    assert policy_refusal(service, "hedging", beside=service.policies) == (
        "every call already has an enabled retry policy: gRPC gives a call a retry or a hedging policy, never both")
    assert policy_refusal(service, "timeout", beside=service.policies) is None
    # where the component cannot take the kind at all, that is said first
    assert policy_refusal(m.Database(name="db"), "retry", beside=[_policy("retry")]) == (
        "a database makes no calls to guard")


SCOPES = (None, "a", "b")


@pytest.mark.parametrize("first,second", list(itertools.combinations_with_replacement(CALLER_POLICY_KINDS, 2))
                         + [(k, k) for k in INBOUND_POLICY_KINDS] + [tuple(INBOUND_POLICY_KINDS)])
def test_the_design_check_reports_exactly_what_the_rule_refuses(first, second):
    inbound = POLICY_CLASSES[first].inbound
    for s1, s2 in itertools.product(SCOPES[:1] if inbound else SCOPES, repeat=2):
        design = _design([_policy(first, s1), _policy(second, s2)])  # scopes by name, resolved to ids
        p1, p2 = design.components[1].policies
        names = {c.id: c.name for c in design.components}
        refused = policy_conflicts([p1], second, getattr(p2, "scope", None), names)
        clashes = _clashes(design)
        assert bool(refused) == bool(clashes), (first, s1, second, s2, clashes)
        # either order: the rule is symmetric
        assert bool(policy_conflicts([p2], first, getattr(p1, "scope", None), names)) == bool(refused)
