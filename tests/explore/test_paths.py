"""Parameters by path: found by walking the models, readable, and set into validated designs."""
from pathlib import Path

import pytest

import engine.model as m
from engine.explore import ParameterSpace, with_values
from engine.model import DesignError, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(scope="module")
def shop():
    return parse_design((EXAMPLES / "three_tier.json").read_text())


def test_the_paths_of_the_issue_read_as_written(shop):
    space = ParameterSpace(shop)
    assert space.get("api.workers").value == 16
    assert space.get("api.instances").value == 3
    assert space.get("browsers.rate").value == 200.0       # a client's workload rate is the client's
    assert space.get("api->db.circuit_breaker.failure_rate_threshold").value == 50.0
    assert space.get("api -> db.bulkhead.max_concurrent_calls").value == 12  # spaces around the arrow are fine
    assert space.get("api->cache.retry.max_attempts").value == 2
    assert space.get("database outage.duration").value == 30.0      # one fault: experiment, then field
    assert space.get("bad day.crash api.duration").value == 20.0     # several: kind and target name it
    assert space.get("bad day.latency api->db.delay.mean").value == 0.1
    # the long form names a lone fault too
    assert space.get("database outage.crash db.duration") is space.get("database outage.duration")


def test_ranges_units_and_choices_come_from_the_field_metadata(shop):
    space = ParameterSpace(shop)
    workers = space.get("api.workers")
    assert (workers.type, workers.ge, workers.le, workers.range_text()) == ("int", 1, 100_000, "1..100,000")
    threshold = space.get("api->db.circuit_breaker.failure_rate_threshold")
    assert (threshold.gt, threshold.le, threshold.unit) == (0, 100, "%")
    assert space.get("browsers.rate").unit == "1/s"
    assert space.get("api.service_time.p99").unit == "s"
    assert space.get("api->cache.retry.wait_duration").unit == "s"
    assert space.get("api->db.circuit_breaker.wait_duration_multiplier").unit == "x"
    capacity = space.get("api.queue_capacity")
    assert capacity.optional and capacity.range_text() == "0..2,147,483,647, or none"
    assert space.get("lb.strategy").choices == ("round_robin", "random", "least_outstanding", "power_of_two")
    assert space.get("api->cache.retry.enabled").type == "bool"


def test_identity_layout_and_tags_are_not_parameters(shop):
    paths = {p.path for p in ParameterSpace(shop)}
    assert not any(p.endswith((".id", ".name", ".x", ".y", ".kind", ".type", ".scope")) for p in paths)
    assert "database outage.target" not in paths  # a fault's target is wiring (text), not a number


def _numeric_leaves(node, location=()):
    """Every int/float in a design's JSON that is no layout and no member of a list of numbers."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("position", "format"):
                continue
            yield from _numeric_leaves(value, location + (key,))
    elif isinstance(node, list):
        if all(isinstance(v, dict) for v in node):
            for i, value in enumerate(node):
                yield from _numeric_leaves(value, location + (i,))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield location


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_number_of_every_example_has_a_path_that_sets_it_back(example):
    design = parse_design((EXAMPLES / example).read_text())
    space = ParameterSpace(design)
    located = {p.location: p for p in space}
    missing = [loc for loc in _numeric_leaves(design.to_dict()) if loc not in located]
    assert not missing
    assert len({p.path for p in space}) == len(space)  # no two parameters share a path
    for parameter in space:
        assert space.get(parameter.path) is parameter
    # setting every value to what it is already changes nothing
    same = space.with_values({p.path: p.value for p in space if p.value is not None})
    assert same.to_dict() == design.to_dict()


def test_a_value_set_by_path_gives_a_new_validated_design(shop):
    changed = with_values(shop, {"api.workers": "4", "api->db.circuit_breaker.failure_rate_threshold": 25,
                                 "database outage.duration": "10", "api.queue_capacity": "none",
                                 "lb.strategy": "random", "api->cache.retry.enabled": "false"})
    assert changed.component("api").workers == 4
    assert changed.component("api").queue_capacity is None
    assert changed.component("api").policies[1].failure_rate_threshold == 25.0
    assert changed.experiment("database outage").faults[0].duration == 10.0
    assert changed.component("lb").strategy == "random"
    assert changed.component("api").policies[3].enabled is False
    assert shop.component("api").workers == 16  # the original is left alone
    space = ParameterSpace(shop)
    space.with_values({"api.workers": 4, "api->db.circuit_breaker.failure_rate_threshold": 10})
    again = space.with_values({"api.instances": 2})  # the first change did not leak into the second
    assert again.component("api").workers == 16 and again.component("api").policies[1].failure_rate_threshold == 50


@pytest.mark.parametrize("values, message", [
    ({"api.wrkers": 3}, 'api.wrkers: is not a parameter of design "Three-tier web shop"; did you mean api.workers'),
    ({"api.workers": 0}, "api.workers: must be at least 1 (got 0)"),
    ({"api.workers": "2.5"}, "api.workers: must be a whole number (got '2.5')"),
    ({"api.workers": "many"}, "api.workers: must be a number (got 'many')"),
    ({"api.workers": "none"}, "api.workers: cannot be 'none'"),
    ({"lb.strategy": "fastest"}, "lb.strategy: must be one of round_robin, random, least_outstanding, power_of_two"),
    ({"browsers.rate": "nan"}, "browsers.rate: must be a finite number"),
    ({"api->db.circuit_breaker.failure_rate_threshold": 0}, "must be greater than 0 (got 0)"),
])
def test_a_bad_path_or_value_is_named(shop, values, message):
    with pytest.raises(DesignError) as caught:
        with_values(shop, values)
    assert message in str(caught.value)


def test_a_value_that_breaks_the_design_names_the_setting(shop):
    # mean and std next to p50 and p99 is two parameterisations at once
    with pytest.raises(DesignError) as caught:
        with_values(shop, {"api.service_time.mean": 0.01})
    text = str(caught.value)
    assert text.startswith("with api.service_time.mean=0.01: ")
    assert 'service "api"' in text and "give either mean and std, or p50 and p99" in text


def test_duplicates_are_numbered_and_lists_count_from_one():
    design = m.Design(
        name="d",
        components=[
            m.Client(name="users", workload=m.OpenLoop(rate=5, schedule=[m.RateStep(at=1, rate=7),
                                                                         m.RateSpike(at=5, duration=1, rate=50)])),
            m.Service(name="svc", policies=[m.RetryPolicy(max_attempts=2),
                                            m.RetryPolicy(max_attempts=5, enabled=False)]),
        ],
        links=[m.Link(source="users", target="svc")],
    )
    space = ParameterSpace(design)
    assert space.get("svc.retry.max_attempts").value == 2
    assert space.get("svc.retry#2.max_attempts").value == 5
    assert space.get("users.schedule.1.rate").value == 7
    assert space.get("users.schedule.2.duration").value == 1
    assert with_values(design, {"users.schedule.2.rate": 80}).component("users").workload.schedule[1].rate == 80


def test_a_path_shared_by_two_parameters_is_refused_not_guessed():
    # Names may hold dots: the experiment "svc.retry" and svc's retry policy both have ".enabled".
    design = m.Design(
        name="d",
        components=[m.Client(name="a"), m.Service(name="svc", policies=[m.RetryPolicy()])],
        links=[m.Link(source="a", target="svc")],
        experiments=[m.Experiment(name="svc.retry", faults=[m.ErrorFault(target="svc", fraction=0.3)])],
    )
    space = ParameterSpace(design)
    assert space.get("svc.retry.fraction").value == 0.3  # unique paths still work
    with pytest.raises(DesignError, match="svc.retry.enabled: names two parameters"):
        space.with_values({"svc.retry.enabled": "false"})
