"""A design file's values are taken at their word: no quiet coercion, no integer the engine cannot hold."""
import json
import typing

import pytest
from pydantic import BaseModel

import engine.model as m
from engine import Simulation
from engine.model import DesignError, RunOptions, parse_design


def design(**service_fields) -> dict:
    return {"name": "shop", "components": [
        {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 10}},
        {"kind": "service", "name": "api", **service_fields},
    ], "links": [{"source": "users", "target": "api"}]}


def problems_of(data) -> str:
    with pytest.raises(DesignError) as caught:
        parse_design(json.dumps(data))
    return str(caught.value)


@pytest.mark.parametrize("fields,message", [
    ({"workers": True}, 'service "api": workers must be a whole number (got true)'),
    ({"workers": "8"}, 'service "api": workers must be a whole number (got "8")'),
    ({"workers": 8.5}, 'service "api": workers must be a whole number (got 8.5)'),
    ({"error_probability": "0.1"}, 'service "api": error_probability must be a number (got "0.1")'),
    ({"error_probability": False}, 'service "api": error_probability must be a number (got false)'),
    ({"policies": [{"kind": "retry", "enabled": 1}]},
     'service "api", retry policy: enabled must be true or false (got 1)'),
    ({"fan_out": 1}, "service \"api\": fan_out must be one of 'sequential' or 'parallel' (got 1)"),
])
def test_json_types_are_not_coerced(fields, message):
    assert message in problems_of(design(**fields))


def test_a_rate_written_as_text_is_refused():
    data = design()
    data["components"][0]["workload"]["rate"] = "10"
    assert 'client "users": workload.rate must be a number (got "10")' in problems_of(data)


def test_whole_numbers_serve_where_a_number_is_asked_for():
    d = parse_design(json.dumps(design(error_probability=0, service_time={"kind": "constant", "value": 1})))
    assert d.component("api").error_probability == 0.0
    assert isinstance(d.component("api").service_time.value, float)


@pytest.mark.parametrize("fields,message", [
    ({"queue_capacity": 2**63}, "queue_capacity must be at most 2147483647 (got 9223372036854775808)"),
    ({"queue_capacity": 2**64 + 5}, "queue_capacity must be at most 2147483647"),
    ({"workers": 10**35}, "workers must be at most 100000 (got a number of about 36 digits)"),
    ({"policies": [{"kind": "rate_limiter", "limit_for_period": 2**63}]},
     "limit_for_period must be at most 1000000000"),
    ({"policies": [{"kind": "load_shedding", "max_queue_length": 2**63}]},
     "max_queue_length must be at most 2147483647"),
])
def test_integers_are_bounded_by_what_the_engine_holds(fields, message):
    assert message in problems_of(design(**fields))


def test_a_fault_selecting_instances_is_bounded():
    data = design()
    data["experiments"] = [{"name": "x", "faults": [
        {"kind": "crash", "target": "api", "start": 1, "instances": {"count": 2**63}}]}]
    assert "instances.count must be at most 10000" in problems_of(data)


def test_a_number_too_long_to_read_is_named_in_words():
    text = json.dumps(design()).replace('"api"}', '"api", "workers": ' + "9" * 5000 + "}")
    with pytest.raises(DesignError) as caught:
        parse_design(text)
    assert str(caught.value) == "holds a number of 5,000 digits, longer than any field takes"


def test_the_largest_values_allowed_run():
    d = parse_design(json.dumps(design(queue_capacity=2**31 - 1, workers=100_000)))
    Simulation(d, RunOptions(duration=1, seed=2**63 - 1)).result()


def _int_fields(model: type[BaseModel]):
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation) or (info.annotation,)
        if int in args and bool not in args:
            yield name, info


MODELS = [obj for obj in vars(m).values() if isinstance(obj, type) and issubclass(obj, BaseModel)]


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
def test_every_integer_field_has_an_upper_bound(model):
    for name, info in _int_fields(model):
        bounds = [x for x in info.metadata if hasattr(x, "le") or hasattr(x, "lt")]
        assert bounds, f"{model.__name__}.{name} has no upper bound"
