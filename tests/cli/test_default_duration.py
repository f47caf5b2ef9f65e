"""The run length when none is given: long enough to see every fault of the experiment end and heal."""
import json
from pathlib import Path

import pytest

from app.cli import main
from app.store import load_design_from_path
from engine.model import (
    AFTER_LAST_FAULT,
    SHORTEST_DEFAULT_RUN,
    CrashFault,
    Experiment,
    LatencyFault,
    RunOptions,
    covering_duration,
)
from engine.model.validation import experiment_problems
from engine.simulation import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
ZONES = str(EXAMPLES / "zone_outage.json")


def _experiment(*faults) -> Experiment:
    return Experiment(name="e", faults=list(faults))


def test_the_rule_is_the_later_of_the_shortest_run_and_a_margin_after_the_last_fault():
    assert covering_duration([]) == covering_duration([None]) == SHORTEST_DEFAULT_RUN == 60
    assert covering_duration([_experiment()]) == 60
    early = _experiment(CrashFault(target="a", start=5, duration=10))
    assert covering_duration([early]) == 75
    late = _experiment(CrashFault(target="a", start=60, duration=60),
                       LatencyFault(target="a", start=100, duration=50))
    assert covering_duration([late]) == 150 + AFTER_LAST_FAULT
    held = _experiment(CrashFault(target="a", start=90))         # until the end: counted from its start
    assert covering_duration([held]) == 150
    repeating = _experiment(CrashFault(target="a", start=70, duration=10, period=100))
    assert covering_duration([repeating]) == 140                 # its first window
    assert covering_duration([early, None, late]) == 210         # several: the longest


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_experiment_starts_and_ends_its_faults_inside_the_default_run(path):
    design = load_design_from_path(path, None).check()
    for experiment in design.experiments:
        duration = covering_duration([experiment])
        assert experiment_problems(design, experiment, duration) == [], experiment.name
        for fault in experiment.faults:
            (start, end), *_ = fault.windows(duration)
            assert start < end <= duration - AFTER_LAST_FAULT, (experiment.name, fault.kind)
        result = simulate(design, RunOptions(duration=duration, event_log_cap=100_000), experiment)
        started = {e["fault_id"] for e in result.events_of("fault_started")}
        ended = {e["fault_id"] for e in result.events_of("fault_ended")}
        assert started == ended == {str(f.id) for f in experiment.faults}, experiment.name


def test_run_with_an_experiment_covers_its_faults_and_says_how_long_it_ran(tmp_path, capsys):
    out_json = tmp_path / "r.json"
    assert main(["run", ZONES, "--experiment", "zone 1 outage", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert ": 180 s simulated (default: 60 s after the last fault ends; warm-up" in out
    assert "zone 1 outage: 2 x api, 1 x db: 60-120 s" in out
    data = json.loads(out_json.read_text())
    assert data["meta"]["options"]["duration"] == 180.0
    kinds = [e["kind"] for e in data["events"]]
    assert "fault_started" in kinds and "fault_ended" in kinds


def test_a_given_duration_wins_and_too_short_a_one_is_still_refused(capsys):
    assert main(["run", ZONES, "--duration", "30"]) == 0
    out = capsys.readouterr().out
    assert ": 30 s simulated (warm-up" in out and "default" not in out.splitlines()[0]
    assert main(["run", ZONES, "--experiment", "zone 1 outage", "--duration", "60"]) == 2
    assert "start 60 s is not inside the run" in capsys.readouterr().err


def test_without_an_experiment_the_run_is_the_shortest_default(capsys):
    assert main(["run", ZONES]) == 0
    assert ": 60 s simulated (default length; warm-up" in capsys.readouterr().out


def test_check_sweep_and_suggest_follow_the_same_rule(tmp_path, capsys):
    assert main(["check", ZONES, "--experiment", "zone 1 outage"]) in (0, 1)
    assert '"Zone outage", 180 s runs (default: 60 s after the last fault ends; seed 1)' in capsys.readouterr().out
    assert main(["check", ZONES]) in (0, 1)
    assert '"Zone outage", 60 s runs (default length; seed 1)' in capsys.readouterr().out
    out_csv = tmp_path / "s.csv"
    assert main(["sweep", ZONES, "--param", "users.rate=100", "--experiment", "zone 1 outage",
                 "--workers", "1", "--quiet", "--out", str(out_csv)]) == 0
    assert "1 run(s) of 180 s (default: 60 s after the last fault ends)" in capsys.readouterr().out
    assert main(["suggest", ZONES, "--experiment", "zone 1 outage", "--replications", "1", "--top", "1"]) in (0, 1)
    assert "under zone 1 outage: 180 s," in capsys.readouterr().out
