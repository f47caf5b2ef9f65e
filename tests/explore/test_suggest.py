"""Ranked fixes: the catalogue's settings, the ranking, and the two examples it must fix."""
from pathlib import Path

import pytest

from app.cli import main
from engine.explore.suggest import (
    Baseline,
    Candidate,
    Change,
    bulkhead_size,
    candidates,
    cost,
    nice,
    suggest,
    without_resilience,
)
from engine.model import RunOptions, parse_design

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"


def _design(name):
    return parse_design((EXAMPLES / f"{name}.json").read_text())


def test_settings_are_rounded_up_to_two_significant_digits():
    assert nice(0.0590031) == 0.06
    assert nice(0.0717) == 0.072
    assert nice(1.234) == 1.3
    assert nice(0.0) == 0.001


def test_bulkhead_is_littles_law_plus_three_standard_deviations():
    # 40 calls/s x 0.1 s = 4 in flight; 4 + 3 x 2 + 1 = 11
    assert bulkhead_size(40.0, 0.1) == 11
    assert bulkhead_size(0.0, 0.0) == 2


def test_cost_is_instances_times_workers_or_connections():
    design = _design("three_tier")
    # api 3 x 16, cache 2 x 64, db 1 x 20
    assert cost(design) == 48 + 128 + 20


def test_without_resilience_removes_every_policy_and_nothing_else():
    design = _design("three_tier")
    bare = without_resilience(design)
    assert not any(c.policies for c in bare.components)
    assert [c.name for c in bare.components] == [c.name for c in design.components]
    assert bare.links == design.links


def test_each_candidate_names_the_paths_it_sets_and_its_design_has_them():
    from engine.explore.paths import ParameterSpace

    design = without_resilience(_design("three_tier"))
    base = Baseline(p999={"db": 0.059, "cache": 0.04, "lb": 0.07, "api": 0.06},
                    p99={"db": 0.037, "cache": 0.03, "lb": 0.05, "api": 0.04},
                    mean={"db": 0.008, "cache": 0.002, "lb": 0.012, "api": 0.01},
                    calls={"api -> db": 40.0, "cache -> db": 30.0, "api -> cache": 200.0, "browsers -> lb": 200.0})
    pool = candidates(design, base, "database outage")
    assert pool[0].name == "as it is" and not pool[0].changes
    names = [c.name for c in pool]
    assert "timeout on api -> db" in names
    assert "timeout and bulkhead on api -> db" in names
    assert "more instances of db" in names
    # a load balancer holds no caller policies: nothing is suggested on its calls
    assert not any("lb -> api" in n for n in names)
    for candidate in pool[1:]:
        space = ParameterSpace(candidate.design)
        for change in candidate.changes:
            assert change.words
            for path, value in change.paths:
                assert space.get(path).value == value, (candidate.name, path)
    timeout = next(c for c in pool if c.name == "timeout on api -> db")
    # 1.25 x p99.9 of 59 ms, rounded up: 74 ms
    assert timeout.changes[0].paths == (("api->db.timeout.timeout", 0.074),)
    bulkhead = next(c for c in pool if c.name == "timeout and bulkhead on api -> db")
    # named for all it changes: the timeout that comes with it too
    assert bulkhead.changes[0].paths == timeout.changes[0].paths
    assert ("api->db.bulkhead.max_concurrent_calls", bulkhead_size(40.0, 0.008)) in bulkhead.changes[1].paths


def test_ranking_puts_objectives_met_before_attainment_before_cost():
    objectives = ["c.objectives.1", "c.objectives.2"]

    def candidate(name, met, attainment, price):
        runs = [{f"{o}.met": m, f"{o}.attainment": a} for o, m, a in zip(objectives, met, attainment)]
        merged = {k: v for run in runs for k, v in run.items()}
        return Candidate(name, [], None, price, runs=[merged, merged], objectives=objectives)

    cheap_missing = candidate("cheap", (1.0, 0.0), (0.99, 0.5), 10)
    dear_meeting = candidate("dear", (1.0, 1.0), (0.96, 0.99), 100)
    cheaper_meeting = candidate("cheaper", (1.0, 1.0), (0.96, 0.99), 50)
    better_attained = candidate("better", (1.0, 0.0), (0.99, 0.9), 200)
    ranked = sorted([cheap_missing, dear_meeting, better_attained, cheaper_meeting], key=Candidate.score)
    assert [c.name for c in ranked] == ["cheaper", "dear", "better", "cheap"]


def _assert_a_fix_meeting_everything_ranks_first(found):
    best = found.ranked[0]
    assert best.changes, "the design as it is cannot be the fix"
    assert best.meets_all
    as_it_is = next(c for c in found.ranked if not c.changes)
    assert not as_it_is.meets_all
    assert found.ranked.index(as_it_is) > 0
    # everything that meets every objective ranks above everything that does not
    verdicts = [c.meets_all for c in found.ranked]
    assert verdicts == sorted(verdicts, reverse=True)
    assert len(best.runs) == found.replications


def test_three_tier_outage_without_resilience_gets_a_fix_that_meets_its_objectives():
    found = suggest(_design("three_tier"), "database outage", RunOptions(duration=180), replications=2,
                    start_without_resilience=True)
    _assert_a_fix_meeting_everything_ranks_first(found)


def test_retry_storm_gets_a_fix_that_meets_its_objectives():
    found = suggest(_design("retry_storm"), "brief slowdown", RunOptions(duration=180), replications=2)
    _assert_a_fix_meeting_everything_ranks_first(found)
    # the storm itself: the design as it is never recovers
    as_it_is = next(c for c in found.ranked if not c.changes)
    assert all(run.get("clients.objectives.1.recovered") == 0.0 for run in as_it_is.runs)


def test_candidates_share_their_seeds():
    found = suggest(_design("retry_storm"), "brief slowdown", RunOptions(duration=90), replications=2,
                    only=["more instances"], combine=False)
    as_it_is = next(c for c in found.ranked if not c.changes)
    again = suggest(_design("retry_storm"), "brief slowdown", RunOptions(duration=90), replications=2,
                    only=["nothing of that name"], combine=False)
    assert again.ranked[0].runs == as_it_is.runs


def test_a_design_without_objectives_is_refused_by_name(capsys, tmp_path):
    design = _design("retry_storm").to_dict()
    for component in design["components"]:
        component.pop("objectives", None)
    path = tmp_path / "bare.json"
    import json

    path.write_text(json.dumps(design))
    assert main(["suggest", str(path), "--experiment", "brief slowdown"]) == 2
    assert "has no objectives to meet" in capsys.readouterr().err


def test_cli_ranks_and_saves_the_best(capsys, tmp_path):
    out = tmp_path / "fixed.json"
    status = main(["suggest", str(EXAMPLES / "retry_storm.json"), "--experiment", "brief slowdown",
                   "--replications", "2", "--top", "3", "--save", str(out)])
    text = capsys.readouterr().out
    assert status == 0
    assert text.startswith('Fixes for "Retry storm" (as it is) under brief slowdown')
    assert "1. " in text and "meets every objective" in text.split("2. ")[0]
    assert "3. " in text and "4. " not in text
    saved = parse_design(out.read_text())
    assert saved != _design("retry_storm")
    # the saved design passes `check`
    assert main(["check", str(out), "--experiment", "brief slowdown"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--replications", "0"], "must be at least 1"),
    (["--top", "0"], "--top"),
    (["--experiment", "nope"], 'no experiment named "nope"'),
    (["--experiment", "brief slowdown", "--duration", "30"], "is not inside the run"),
])
def test_cli_bad_input_is_named(capsys, argv, message):
    assert main(["suggest", str(EXAMPLES / "retry_storm.json"), *argv]) == 2
    assert message in capsys.readouterr().err


def _storefront_pool():
    design = _design("microservices")
    names = [c.name for c in design.components]
    base = Baseline(p999=dict.fromkeys(names, 0.05), p99=dict.fromkeys(names, 0.04), mean=dict.fromkeys(names, 0.01),
                    calls={})
    return design, candidates(design, base, "inventory database crash")


def test_a_mitigation_on_one_call_leaves_the_callers_policy_for_all_calls_alone():
    """The storefront's frontend has one timeout for all its calls. 'Timeout on every call' set it
    to 71 ms for inventory and then to 1.7 s for checkout, listing both while the design held the
    last; a timeout fitted to one callee would also have cut the other callees' calls short."""
    from engine.explore.paths import ParameterSpace

    design, pool = _storefront_pool()
    frontend = design.component("frontend")
    for candidate in pool[1:]:
        paths = [p for change in candidate.changes for p, _ in change.paths]
        assert len(paths) == len(set(paths)), (candidate.name, paths)   # each setting listed once
        space = ParameterSpace(candidate.design)
        for change in candidate.changes:
            for path, value in change.paths:
                assert space.get(path).value == value, (candidate.name, path)
        # the frontend's own policies are as they were; a mitigation adds one scoped to its call
        mine = {p.id: p for p in candidate.design.component("frontend").policies}
        assert all(mine[p.id] == p for p in frontend.policies), candidate.name
    every = next(c for c in pool if c.name == "timeout on every call")
    words = [c.words for c in every.changes]
    assert any(w.startswith("add a timeout on frontend -> inventory, from its timeout for all calls: ") for w in words)
    assert not any(w.startswith("set the timeout of frontend (all calls)") for w in words)


def test_candidates_that_come_to_the_same_settings_are_tried_once():
    _design_, pool = _storefront_pool()
    settings = [frozenset(pv for change in c.changes for pv in change.paths) for c in pool]
    assert len(settings) == len(set(settings))


def test_a_fallback_is_tried_on_a_services_calls_but_never_a_clients():
    _design_, pool = _storefront_pool()
    names = [c.name for c in pool]
    assert "timeout and fallback on frontend -> inventory" in names
    assert not any(n.startswith("timeout and fallback on shoppers") for n in names)
    every = next(c for c in pool if c.name == "timeout and fallback on every call")
    assert not any("shoppers -> gateway.fallback" in p for ch in every.changes for p, _ in ch.paths)


def test_of_fixes_that_meet_every_objective_the_smallest_change_ranks_first():
    objectives = ["c.objectives.1"]

    def fix(name, attainment, settings):
        runs = [{"c.objectives.1.met": 1.0, "c.objectives.1.attainment": attainment}] * 2
        change = Change(name, tuple((f"c.timeout.{i}", 1.0) for i in range(settings)))
        return Candidate(name, [change], None, 10, runs=runs, objectives=objectives)

    ranked = sorted([fix("every call", 0.999, 10), fix("one call", 0.998, 2)], key=Candidate.score)
    assert [c.name for c in ranked] == ["one call", "every call"]


def test_the_storefront_crash_is_fixed_by_a_fallback_on_one_call(capsys):
    """Each objective is named in words, and a fix that meets both is a fallback on one call."""
    assert main(["suggest", str(EXAMPLES / "microservices.json"), "--experiment", "inventory database crash",
                 "--duration", "120", "--replications", "2", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "1. timeout and fallback on " in out and "every call" not in out.split("\n\n")[1].splitlines()[0]
    assert "shoppers: availability 95 % (ok or fallback, <= 500 ms) (shoppers.objectives.1): attainment" in out


def test_a_fix_that_adds_settings_to_no_effect_is_left_out():
    """"timeout and fallback on api -> db" ranked second on the three-tier outage with exactly
    the attainment of the timeout alone: its fallback counted for no objective."""
    from engine.explore.suggest import without_idle_settings

    objectives = ["c.objectives.1"]

    def fix(name, attainment, *paths):
        runs = [{"c.objectives.1.met": 0.0, "c.objectives.1.attainment": a} for a in attainment]
        return Candidate(name, [Change(name, tuple((p, 1.0) for p in paths))], None, 10, runs=runs,
                         objectives=objectives)

    as_it_is = Candidate("as it is", [], None, 10, runs=fix("", (0.5, 0.6)).runs, objectives=objectives)
    timeout = fix("timeout", (0.8, 0.9), "a.timeout")
    idle = fix("timeout and fallback", (0.8, 0.9), "a.timeout", "a.fallback")
    helping = fix("timeout and retry", (0.8, 0.95), "a.timeout", "a.retry")
    nothing = fix("bulkhead", (0.5, 0.6), "a.bulkhead")   # as it is: kept, it says the bulkhead does not help
    kept = without_idle_settings([timeout, idle, helping, nothing, as_it_is])
    assert [c.name for c in kept] == ["timeout", "timeout and retry", "bulkhead", "as it is"]


def _station_with_objective(target: float, count_fallback: bool = False):
    from stations import station

    import engine.model as m

    design = station(with_outage=True)   # the server crashes from 2 s to 5 s
    users = design.component("users").model_copy(update={"objectives": [
        m.AvailabilityObjective(target=target, count_fallback=count_fallback)]})
    return design.model_copy(update={"components": [users, design.component("server")]}).check()


def test_when_no_fix_can_meet_an_objective_the_search_says_what_stands_in_the_way():
    """A 3 s crash of the only server in 20 s measured: no timeout, retry or breaker gets
    99 % of requests answered, and the ranked list alone did not say why."""
    found = suggest(_station_with_objective(0.99), "outage", RunOptions(duration=20.0), replications=1)
    why = found.out_of_reach()
    assert why[0].startswith("No candidate met users: availability 99 % (ok): the best, ")
    best = max(c.attainment("users.objectives.1")[0] for c in found.ranked)
    assert f"attained {best * 100:.2f} % of requests, where it needs 99 %." in why[0]
    assert why[1] == 'The faults of "outage" last 3 s of the 20 s measured (15 %).'
    assert "counts only ok answers: if a degraded answer will do, let it count fallbacks as good" in why[2]


def test_a_fault_before_the_warmup_ends_counts_only_from_it_and_a_met_objective_needs_no_reason():
    options = RunOptions(duration=20.0, warmup=3.0)
    found = suggest(_station_with_objective(0.99, count_fallback=True), "outage", options, replications=1)
    assert found.out_of_reach()[1] == 'The faults of "outage" last 2 s of the 17 s measured (12 %).'
    assert len(found.out_of_reach()) == 2   # fallbacks count: nothing to say about them
    assert suggest(_station_with_objective(0.5), "outage", options, replications=1).out_of_reach() == []


def test_the_cli_says_what_stands_in_the_way_after_the_ranked_fixes(capsys, tmp_path):
    path = tmp_path / "station.json"
    path.write_text(_station_with_objective(0.99).model_dump_json())
    assert main(["suggest", str(path), "--experiment", "outage", "--duration", "20", "--replications", "1",
                 "--top", "2"]) == 1
    out = capsys.readouterr().out
    assert "\n\nNo candidate met users: availability 99 % (ok): the best, " in out
    assert out.index("No candidate met") < out.index("candidates x 1 replications")
