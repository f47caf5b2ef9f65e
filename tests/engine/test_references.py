"""References by id: links, policy scopes and fault targets hold ids; names are accepted on the way in."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from engine import model as m
from engine.model import FORMAT_VERSION, DesignError, parse_design
from engine.simulation import simulate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def shop(**extra) -> m.Design:
    return m.Design(
        components=[m.Client(name="users", workload=m.OpenLoop(rate=20)), m.Service(name="api"),
                    m.Database(name="db"),
                    ],
        links=[m.Link(source="users", target="api"), {"source": "api", "target": "db"}],
        experiments=[m.Experiment(name="outage", faults=[
            m.CrashFault(target="db", start=2, duration=3), m.LatencyFault(target="api->db", start=1)])],
        **extra,
    )


def test_names_given_in_code_and_json_become_ids():
    design = shop()
    ids = {c.name: c.id for c in design.components}
    link = design.links[1]
    assert (link.source, link.target) == (ids["api"], ids["db"])
    crash, latency = design.experiments[0].faults
    assert crash.target == ids["db"] and latency.target == link.id
    assert link.name == "api -> db" and design.link_name(link) == "api -> db"
    assert design.name_of(latency.target) == "api -> db" and design.name_of(crash.target) == "db"
    assert design.problems() == []


def test_a_scope_by_name_becomes_the_dependencys_id():
    design = m.Design(components=[m.Client(name="c"),
                                  m.Service(name="api", policies=[m.RetryPolicy(scope="db")]),
                                  m.Database(name="db")],
                      links=[m.Link(source="c", target="api"), m.Link(source="api", target="db")])
    assert design.component("api").policies[0].scope == design.component("db").id


def test_the_json_written_holds_ids_and_reads_back_equal():
    design = shop()
    data = json.loads(design.to_json())
    assert data["format"] == FORMAT_VERSION == 2
    ids = {c["name"]: c["id"] for c in data["components"]}
    assert data["links"][1]["source"] == ids["api"] and data["links"][1]["target"] == ids["db"]
    assert data["experiments"][0]["faults"][0]["target"] == ids["db"]
    assert data["experiments"][0]["faults"][1]["target"] == data["links"][1]["id"]
    again = parse_design(design.to_json())
    assert again == design
    assert [link.id for link in again.links] == [link.id for link in design.links]


def test_a_rename_needs_no_rewriting_of_what_refers_to_the_component():
    design = shop()
    db = design.component("db")
    design.components[2] = db.model_copy(update={"name": "orders"})
    assert [link.name for link in design.links] == ["users -> api", "api -> orders"]
    assert design.name_of(design.experiments[0].faults[1].target) == "api -> orders"
    assert design.problems() == []
    assert parse_design(design.to_json()).link_name(design.links[1]) == "api -> orders"


def test_a_hand_written_file_with_names_imports_and_runs():
    text = json.dumps({
        "name": "by hand",
        "components": [{"kind": "client", "name": "users", "workload": {"type": "open", "rate": 5}},
                       {"kind": "service", "name": "api", "policies": [{"kind": "timeout", "scope": "db"}]},
                       {"kind": "database", "name": "db"}],
        "links": [{"source": "users", "target": "api"}, {"source": "api", "target": "db"}],
        "experiments": [{"name": "slow", "faults": [{"kind": "latency", "target": "api -> db", "start": 1}]}],
    })
    design = parse_design(text)
    assert design.component("api").policies[0].scope == design.component("db").id
    result = simulate(design, m.RunOptions(duration=5), "slow")
    assert result.summary["components"]["api"]["completed"] > 0


def test_unknown_names_are_reported_by_name():
    text = json.dumps({
        "components": [{"kind": "client", "name": "users"}, {"kind": "service", "name": "api"}],
        "links": [{"source": "users", "target": "apj"}],
        "experiments": [{"name": "x", "faults": [{"kind": "crash", "target": "dbb"},
                                                 {"kind": "partition", "target": "users -> db"}]}],
    })
    with pytest.raises(DesignError) as info:
        parse_design(text)
    message = str(info.value)
    assert 'link "users -> apj": unknown component "apj"' in message
    assert 'fault 1 (crash on "dbb"): target: unknown component "dbb"' in message
    assert 'target: unknown link "users -> db"' in message


def test_field_errors_in_a_file_of_ids_name_the_components():
    design = shop()
    data = json.loads(design.to_json())
    data["links"][1]["count"] = 0
    data["experiments"][0]["faults"][0]["start"] = -1
    with pytest.raises(DesignError) as info:
        parse_design(data)
    message = str(info.value)
    assert 'link "api -> db": count must be at least 1' in message
    assert '(crash on "db"): start must be at least 0' in message
    assert str(design.component("db").id) not in message


def test_a_reference_to_an_id_that_is_not_there_is_a_problem_without_an_id_in_it():
    design = shop()
    data = json.loads(design.to_json())
    stray = str(uuid.uuid4())
    data["links"][1]["target"] = stray
    problems = "\n".join(str(p) for p in parse_design(data, check=False).problems())
    assert "refers to a component that is not in the design" in problems and stray not in problems


def test_a_name_may_not_look_like_an_id():
    with pytest.raises(ValueError, match="form of an id"):
        m.Service(name=str(uuid.uuid4()))


def test_links_and_faults_added_by_name_after_the_design_was_built_still_resolve():
    design = shop()
    design.links.append(m.Link(source="users", target="db"))
    design.experiments.append(m.Experiment(name="later", faults=[m.ErrorFault(target="users -> db")]))
    assert design.problems() == []
    resolved = design.with_ids()
    assert resolved.links[-1].target == design.component("db").id
    assert resolved.experiments[-1].faults[0].target == resolved.links[-1].id
    design.links = [*design.links[:2], m.Link(source="api", target="db", count=2)]
    assert design.links[-1].target == design.component("db").id and design.links[-1].name == "api -> db"


def test_a_design_of_format_1_reads_as_format_2_and_runs_as_before():
    old_text = (FIXTURES / "design_v1.json").read_text(encoding="utf-8")
    old = json.loads(old_text)
    assert old["format"] == 1 and isinstance(old["links"][0]["source"], str)
    design = parse_design(old_text)
    assert design.format == 2
    names = {c["id"]: c["name"] for c in old["components"]}
    assert [design.link_name(link) for link in design.links] == [
        f'{link["source"]} -> {link["target"]}' for link in old["links"]]
    assert all(str(link.source) in names for link in design.links)
    # The migrated design, written and read again, is the same design with the same ids.
    again = parse_design(design.to_json())
    assert again == design and json.loads(design.to_json())["format"] == 2
    options = m.RunOptions(duration=90, seed=3)
    experiment = old["experiments"][0]["name"]
    assert simulate(design, options, experiment).summary == simulate(again, options, experiment).summary


def test_names_stay_the_seed_of_the_random_streams():
    """The same design by names or by ids draws the same numbers."""
    design = shop()
    by_ids = parse_design(design.to_json())
    options = m.RunOptions(duration=10, seed=5)
    assert simulate(design, options, "outage").summary == simulate(by_ids, options, "outage").summary


def test_a_link_outside_any_design_shows_names_or_nothing_never_ids():
    by_id = m.Link(source=uuid.uuid4(), target=uuid.uuid4())
    assert by_id.name == ""
    half = m.Link(source="api", target=uuid.uuid4())
    assert half.name == ""
    assert m.Link(source="api", target="db").name == "api -> db"
