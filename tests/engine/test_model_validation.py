"""Every validation rule, checked by the message an architect would read."""
import json

import pytest

import engine.model as m
from engine.compile import compile_design
from engine.model import DesignError, parse_design


def base() -> dict:
    return {
        "name": "shop",
        "components": [
            {"kind": "client", "name": "users"},
            {"kind": "service", "name": "api"},
            {"kind": "database", "name": "db"},
        ],
        "links": [{"source": "users", "target": "api"}, {"source": "api", "target": "db"}],
    }


def problems_of(data) -> str:
    with pytest.raises(DesignError) as info:
        parse_design(data)
    return str(info.value)


def test_the_base_design_is_valid():
    design = parse_design(base())
    assert design.problems() == []


FIELD_CASES = [
    (lambda d: d["components"][1].update(workers=0), 'service "api": workers must be at least 1 (got 0)'),
    (lambda d: d["components"][1].update(instances=-2), 'service "api": instances must be at least 1 (got -2)'),
    (lambda d: d["components"][1].update(error_probability=1.5), 'service "api": error_probability must be at most 1'),
    (lambda d: d["components"][1].update(service_time={"kind": "exponential", "mean": 0}),
     'service "api": service_time.mean must be greater than 0'),
    (lambda d: d["components"][1].update(service_time={"kind": "gamma", "mean": 1}),
     "service \"api\": service_time unknown kind 'gamma'"),
    (lambda d: d["components"][1].update(service_time={"kind": "uniform", "low": 2, "high": 1}),
     'service "api": service_time high must be at least low (got low 2.0, high 1.0)'),
    (lambda d: d["components"][1].update(service_time={"kind": "lognormal", "mean": 1, "std": 1, "p50": 1, "p99": 2}),
     "give either mean and std, or p50 and p99, not both"),
    (lambda d: d["components"][1].update(service_time={"kind": "lognormal", "p50": 2, "p99": 1}),
     "p99 must be at least p50"),
    (lambda d: d["components"][1].update(colour="red"), 'service "api": colour is not a known field'),
    (lambda d: d["components"][1].update(kind="mainframe"), "unknown kind 'mainframe'"),
    (lambda d: d["components"][1].update(name='a"b'), 'may not contain quotes'),
    (lambda d: d["components"][1].update(name="a -> b"), 'may not contain quotes, tabs, line breaks or "->"'),
    (lambda d: d["components"][2].update(connections=0), 'database "db": connections must be at least 1 (got 0)'),
    (lambda d: d["components"][0].update(workload={"type": "open", "rate": -1}),
     'client "users": workload.rate must be at least 0'),
    (lambda d: d["components"][0].update(workload={"type": "open", "schedule": [
        {"kind": "ramp", "start": 10, "end": 20, "to_rate": 5}, {"kind": "step", "at": 15, "rate": 1}]}),
     "the step at 15 s begins before the ramp ending at 20 s is over"),
    (lambda d: d["components"][0].update(workload={"type": "closed", "users": 0}),
     'client "users": workload.users must be at least 1'),
    (lambda d: d["links"][0].update(probability=2), 'link "users -> api": probability must be at most 1'),
    (lambda d: d["components"][1].update(policies=[{"kind": "retry", "max_attempts": 0}]),
     'service "api", retry policy: max_attempts must be at least 1 (got 0)'),
    (lambda d: d["components"][1].update(policies=[{"kind": "circuit_breaker", "failure_rate_threshold": 0}]),
     'service "api", circuit breaker policy: failure_rate_threshold must be greater than 0'),
    (lambda d: d["components"][1].update(policies=[{"kind": "load_shedding"}]),
     "set max_queue_wait, max_queue_length or both"),
    (lambda d: d.update(experiments=[{"name": "x", "faults": [{"kind": "error", "target": "api", "fraction": 2}]}]),
     'experiment "x", fault 1 (error on "api"): fraction must be at most 1'),
    (lambda d: d.update(experiments=[{"name": "x", "faults": [
        {"kind": "crash", "target": "api", "duration": 5, "period": 5}]}]),
     "period must be longer than duration"),
    (lambda d: d.update(experiments=[{"name": "x", "faults": [
        {"kind": "crash", "target": "api", "instances": {"count": 1, "fraction": 0.5}}]}]),
     "give only one of count, fraction or indices"),
]


@pytest.mark.parametrize("mutate,message", FIELD_CASES)
def test_field_rules_name_the_component_and_the_field(mutate, message):
    data = base()
    mutate(data)
    assert message in problems_of(data)


GRAPH_CASES = [
    (lambda d: d["links"].append({"source": "api", "target": "dbb"}), 'link "api -> dbb": unknown component "dbb"'),
    (lambda d: d["links"].append({"source": "api", "target": "api"}),
     'link "api -> api": a component cannot call itself'),
    (lambda d: d["links"].append({"source": "api", "target": "db"}), 'link "api -> db": duplicate link'),
    (lambda d: d["links"].append({"source": "db", "target": "api"}),
     'database "db": a database makes no calls (remove link "db -> api")'),
    (lambda d: d["links"].append({"source": "api", "target": "users"}), 'client "users" receives no calls'),
    (lambda d: (d["components"].append({"kind": "service", "name": "auth"}),
                d["links"].extend([{"source": "api", "target": "auth"}, {"source": "auth", "target": "api"}])),
     "call cycle api -> auth -> api (it would recurse forever)"),
    (lambda d: d["components"].append({"kind": "client", "name": "bots"}), 'client "bots": sends to nothing'),
    (lambda d: d["components"].append({"kind": "load_balancer", "name": "lb"}), 'load balancer "lb": has no targets'),
    (lambda d: d["components"].append({"kind": "cache", "name": "c"}), 'cache "c": misses need somewhere to go'),
    (lambda d: d["components"].append({"kind": "service", "name": "api"}), 'name "api" is used by another component'),
    (lambda d: d["components"][0].update(policies=[{"kind": "rate_limiter"}]),
     'client "users": rate limiter policy: a client takes no inbound policies'),
    (lambda d: d["components"][2].update(policies=[{"kind": "retry"}]),
     'database "db": retry policy: a database makes no calls to guard'),
    (lambda d: d["components"][1].update(policies=[{"kind": "timeout", "scope": "payments"}]),
     'service "api": timeout policy: scope "payments" is not one of its dependencies'),
    (lambda d: d["components"][1].update(policies=[{"kind": "timeout"}, {"kind": "timeout"}]),
     'service "api": two enabled timeout policies'),
    (lambda d: (d["components"].append({"kind": "external", "name": "x"}),
                d["links"].append({"source": "api", "target": "x"}),
                d["components"][3].update(policies=[{"kind": "load_shedding", "max_queue_length": 3}])),
     'external "x": load shedding policy: an external has no queue to shed'),
    (lambda d: d.update(components=[c for c in d["components"] if c["kind"] != "client"],
                        links=[l for l in d["links"] if l["source"] != "users"]),
     "has no client, so nothing sends requests"),
]


@pytest.mark.parametrize("mutate,message", GRAPH_CASES)
def test_graph_rules_explain_what_is_wrong(mutate, message):
    data = base()
    mutate(data)
    assert message in problems_of(data)


def test_component_ids_must_be_unique():
    data = base()
    data["components"][1]["id"] = data["components"][2]["id"] = "7d8f0b3e-8a44-4c36-9d43-111111111111"
    assert "is used by another component" in problems_of(data)


EXPERIMENT_CASES = [
    ({"kind": "crash", "target": "apii"}, 'fault 1 (crash on "apii"): target: unknown component "apii"'),
    ({"kind": "partition", "target": "api -> cache"}, 'target: unknown link "api -> cache"'),
    ({"kind": "crash", "target": "users -> api"}, "a crash fault applies to a component, not a link"),
    ({"kind": "partition", "target": "api"}, "a partition fault applies to a link, not a component"),
    ({"kind": "crash", "target": "users"}, "a client has no instances to crash"),
    ({"kind": "crash", "target": "api", "instances": {"indices": [3]}}, "api has 1 instance(s), no index 3"),
    # a crash of more instances than there are, or of a share that rounds to none, crashed fewer
    # than asked or nothing, without a word
    ({"kind": "crash", "target": "api", "instances": {"count": 3}}, "api has 1 instance(s), not 3 to crash"),
    ({"kind": "crash", "target": "api", "instances": {"fraction": 0}}, "0 % of api's 1 instance(s) is none"),
    ({"kind": "crash", "target": "api", "instances": {"fraction": 0.4}}, "crash at least 100 %, or give a count"),
]


@pytest.mark.parametrize("fault,message", EXPERIMENT_CASES)
def test_experiment_rules_name_the_fault(fault, message):
    data = base()
    data["experiments"] = [{"name": "chaos", "faults": [fault]}]
    text = problems_of(data)
    assert 'experiment "chaos"' in text and message in text


def test_experiment_names_are_unique():
    data = base()
    data["experiments"] = [{"name": "a"}, {"name": "a"}]
    assert 'experiment "a": name is used by another experiment' in problems_of(data)


def test_fault_windows_must_fall_inside_the_run():
    data = base()
    data["experiments"] = [{"name": "late",
                            "faults": [{"kind": "error", "target": "api", "start": 50, "duration": 20}]}]
    design = parse_design(data)
    with pytest.raises(DesignError, match=r"window 50-70 s ends after the run \(60 s\)"):
        compile_design(design, m.RunOptions(duration=60), "late")
    with pytest.raises(DesignError, match=r"start 50 s is not inside the run \(0 to 40 s\)"):
        compile_design(design, m.RunOptions(duration=40), "late")
    # a fault switched off does not happen, wherever its window is
    data["experiments"][0]["faults"][0]["enabled"] = False
    compile_design(parse_design(data), m.RunOptions(duration=40), "late")


def test_unknown_experiment_lists_the_known_ones():
    design = parse_design({**base(), "experiments": [{"name": "outage"}]})
    with pytest.raises(DesignError, match='no experiment named "typo" \\(this design has: "outage"\\)'):
        design.experiment("typo")


@pytest.mark.parametrize("options,message", [
    ({"duration": 10, "warmup": 10}, "warmup must be shorter than duration"),
    ({"duration": 0}, "duration"),
    ({"duration": 1e6, "bucket": 0.1}, "bucket is too small for the duration"),
])
def test_run_options_are_checked(options, message):
    with pytest.raises(DesignError, match=message):
        m.parse_options(options)


def test_input_that_is_not_a_design_gets_a_clear_message():
    assert "not valid JSON" in problems_of("{oops")
    assert "a design must be a JSON object" in problems_of("[1, 2]")
    assert "made with a newer Faultline (design format 99)" in problems_of({**base(), "format": 99})


def test_json_round_trip_is_exact():
    from engine_support import load_example

    for name in ("three_tier", "microservices", "retry_storm_guarded"):
        design = load_example(name)
        again = parse_design(design.to_json())
        assert again == design
        assert json.loads(again.to_json()) == json.loads(design.to_json())


def test_lognormal_by_percentiles_has_those_percentiles():
    d = m.LogNormal(p50=0.005, p99=0.03)
    assert d.quantile(0.5) == pytest.approx(0.005)
    assert d.quantile(0.99) == pytest.approx(0.03)
    by_moments = m.LogNormal(mean=0.1, std=0.05)
    assert by_moments.mean() == pytest.approx(0.1)


def test_schema_is_json_schema_of_a_design():
    schema = m.Design.model_json_schema(by_alias=True)
    assert schema["title"] == "Design"
    assert "components" in schema["properties"]


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["components"][1].update(service_time={"kind": "constant", "value": float("inf")}),
     'service "api": service_time.value must be a finite number (got Infinity)'),
    (lambda d: d["components"][0].update(position={"x": float("nan"), "y": 0}),
     'client "users": position.x must be a finite number (got NaN)'),
])
def test_numbers_must_be_finite_so_every_design_fits_in_json(mutate, message):
    data = base()
    mutate(data)
    assert message in problems_of(data)


def test_placement_rules_say_which_policies_and_faults_fit_a_component():
    from engine.model.validation import fault_kinds_for, policy_refusal

    assert policy_refusal(m.Database(name="db"), "retry") == "a database makes no calls to guard"
    assert policy_refusal(m.Client(name="c"), "rate_limiter") == "a client takes no inbound policies"
    assert policy_refusal(m.External(name="x"), "load_shedding") == "an external has no queue to shed"
    assert policy_refusal(m.Service(name="s"), "load_shedding") is None
    assert policy_refusal(m.Client(name="c"), "retry") is None
    assert "crash" not in fault_kinds_for(m.LoadBalancer(name="lb"))
    assert "crash" in fault_kinds_for(m.Service(name="s"))


@pytest.mark.parametrize("seconds,text", [
    (0.0, "0 s"), (2.5e-5, "25 µs"), (0.0009996, "1 ms"), (0.25, "250 ms"), (0.9996, "1 s"), (180.0, "180 s"),
    (999.6, "1,000 s"), (3600.0, "3,600 s"), (36_000.0, "10 h"), (259_200.0, "3 days"),
    (40_500_000.0, "469 days"), (1e11, "1,157,407 days"),
])
def test_durations_read_in_the_unit_an_architect_would_use_never_in_powers_of_ten(seconds, text):
    """A run of an hour was "3.6e+03 s", and a sweep's simulated time "4.05e+07 s"."""
    from engine.model import format_seconds

    assert format_seconds(seconds) == text


def test_a_design_runs_as_another_whatever_its_layout_but_not_after_an_edit():
    design = m.Design(name="d", components=[m.Client(name="users"), m.Service(name="api")],
                    links=[m.Link(source="users", target="api")])
    moved = design.model_copy(update={"components": [design.components[0].model_copy(update={"position": {"x": 90}}),
                                                     design.components[1]]})
    assert moved != design and moved.same_system(design) and design.same_system(moved)
    assert design.model_copy(update={"name": "renamed", "description": "notes"}).same_system(design)
    slower = design.model_copy(update={"components": [design.components[0],
                                                      design.components[1].model_copy(update={"workers": 2})]})
    assert not slower.same_system(design)
    assert not design.model_copy(update={"links": []}).same_system(design)
    assert not design.model_copy(update={"components": design.components[:1]}).same_system(design)
