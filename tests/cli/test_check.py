"""``check``: verdicts for CI pipelines, with exit codes, JUnit XML and JSON."""
import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from verdict_builders import recovered_in

from app.cli import main
from app.cli_check import recovery_text
from engine.objectives import RecoveryVerdict, RunVerdicts, across_replications

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
THREE_TIER = str(EXAMPLES / "three_tier.json")
STORM = str(EXAMPLES / "retry_storm.json")
GUARDED = str(EXAMPLES / "retry_storm_guarded.json")


def test_the_retry_storm_misses_its_objectives_and_never_recovers(capsys):
    assert main(["check", STORM, "--experiment", "brief slowdown"]) == 1
    out = capsys.readouterr().out
    assert "clients: availability 90 % (ok)" in out and "MISSED" in out
    assert "exhaustion on server: did not recover by the end of the run" in out
    assert "0 of 2 objective verdicts met, 2 missed" in out


def test_the_guarded_retry_storm_recovers_and_meets_its_objectives(capsys):
    # 180 s, as the example is described: by default it would run 135 s (60 s after its fault ends)
    assert main(["check", GUARDED, "--experiment", "brief slowdown", "--duration", "180"]) == 0
    out = capsys.readouterr().out
    assert "did not recover" not in out
    # the errors end within a few seconds of the slowdown (1-2 s over seeds 1-10)
    assert 1 <= _recovery_seconds(out, "availability") <= 3
    assert "(p99 9" in out      # the measured p99, a little under the 1 s bound
    assert "2 of 2 objective verdicts met" in out


def _recovery_seconds(out: str, objective: str) -> int:
    """The recovery in whole seconds that ``check`` printed on the line of ``objective``."""
    [line] = [line for line in out.splitlines() if f": {objective}" in line]
    return int(re.search(r"recovered in (\d+) s", line).group(1))


def test_the_three_tier_outage_is_met_with_protection_and_missed_without(capsys):
    # 180 s, the length of every experiment's run together: by default this one would run 150 s,
    # where its 30 s outage leaves attainment at 95.0 % against the 95 % objective, met or
    # missed by the seed (5 of 8); at 180 s it is 95.9 %, met for each of seeds 1-8
    args = ["check", THREE_TIER, "--experiment", "database outage", "--duration", "180"]
    assert main(args) == 0
    assert "crash on db: recovered in 5 s" in capsys.readouterr().out
    assert main([*args, "--no-resilience"]) == 1
    out = capsys.readouterr().out
    assert "crash on db: did not recover by the end of the run" in out


def test_without_an_experiment_the_design_runs_without_faults(capsys):
    assert main(["check", THREE_TIER, "--duration", "30"]) == 0
    out = capsys.readouterr().out
    assert "(no faults)" in out and "database outage" not in out


def test_junit_xml_has_a_case_per_objective_and_a_failure_per_miss(tmp_path):
    out = tmp_path / "verdicts.xml"
    assert main(["check", THREE_TIER, "--all-experiments", "--junit", str(out)]) == 1
    root = ElementTree.parse(out).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "Three-tier web shop / (no faults)", "Three-tier web shop / database outage",
        "Three-tier web shop / slow database", "Three-tier web shop / API CPU starvation",
        "Three-tier web shop / cache node failure", "Three-tier web shop / bad day",
    ]
    cases = root.findall(".//testcase")
    assert len(cases) == 12
    assert all(c.get("classname") == "Three-tier web shop.browsers" for c in cases)
    failed = [c for c in cases if c.find("failure") is not None]
    assert failed and sum(int(s.get("failures")) for s in suites) == len(failed)
    assert "target 95 %" in failed[0].find("failure").get("message")
    outage = suites[1].findall("testcase")[0]
    assert outage.find("failure") is None and "recovered in 5 s" in outage.find("system-out").text


def test_replications_report_the_share_met_with_a_wilson_interval(tmp_path, capsys):
    out = tmp_path / "verdicts.json"
    assert main(["check", GUARDED, "--experiment", "brief slowdown", "--replications", "3",
                 "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "met 3/3 (44-100 %)" in text and "±" in text
    data = json.loads(out.read_text())
    assert data["format"] == "faultline-check" and data["passed"] and data["replications"] == 3
    (run,) = data["runs"]
    availability = run["objectives"][0]
    assert availability["met"] == 3 and availability["share_met_low"] == pytest.approx(0.4385, abs=1e-4)
    assert availability["attainment_ci"] > 0
    recovery = run["recovery"][0]
    assert recovery["recovered"] == 3 and recovery["time_to_recover"] is not None


def test_recovery_settings_can_be_overridden_from_the_command_line(capsys):
    args = ["check", GUARDED, "--experiment", "brief slowdown", "--duration", "100"]
    main(args)
    out = capsys.readouterr().out
    assert _recovery_seconds(out, "availability") <= 3 and "did not recover" not in out
    # the run ends 25 s after the fault: 30 s of sustained recovery cannot be seen
    main([*args, "--hold", "30"])
    assert "did not recover by the end of the run" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["check", "missing.json"], "missing.json"),
    (["check", THREE_TIER, "--experiment", "nope"], 'no experiment named "nope"'),
    (["check", THREE_TIER, "--replications", "0"], "--replications must be at least 1"),
    (["check", THREE_TIER, "--tolerance", "2"], "--tolerance must be less than 1 (got 2)"),
    (["check", THREE_TIER, "--hold", "0"], "--hold must be greater than 0 (got 0)"),
    (["check", THREE_TIER, "--duration", "30", "--experiment", "database outage"], "is not inside the run"),
])
def test_invalid_input_exits_2_with_a_message(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_design_without_objectives_is_invalid_input(tmp_path, capsys):
    data = json.loads(Path(THREE_TIER).read_text())
    for c in data["components"]:
        c.pop("objectives", None)
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(data))
    assert main(["check", str(path)]) == 2
    assert 'design "Three-tier web shop" has no objectives to check' in capsys.readouterr().err


def test_experiment_and_all_experiments_exclude_each_other():
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", THREE_TIER, "--experiment", "bad day",
                           "--all-experiments"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("example, args, status, says", [
    ("mmc", [], 0, "users: p99 <= 1 s"),
    # it recovers 14-26 s after the worker returns over seeds 1-8, as its description says
    ("mmc", ["--experiment", "lose a worker"], 1, "exhaustion on server: recovered in "),
    ("microservices", ["--experiment", "slow recommendations"], 0, "2 of 2 objective verdicts met"),
    ("microservices", ["--experiment", "slow recommendations", "--no-resilience"], 1, "0 of 2 objective verdicts met"),
])
def test_every_example_tells_the_story_its_description_tells(example, args, status, says, capsys):
    assert main(["check", str(EXAMPLES / f"{example}.json"), *args]) == status
    assert says in capsys.readouterr().out


def test_check_reads_one_design_of_a_project_file(tmp_path, capsys):
    from app.store import save_project
    from engine.model import Project, parse_design

    storm, guarded = (parse_design(Path(p).read_text()) for p in (STORM, GUARDED))
    path = tmp_path / "storms.faultline"
    save_project(path, Project(name="Storms", designs=[storm, guarded]))
    assert main(["check", str(path), "--design", "Retry storm (guarded)", "--experiment", "brief slowdown"]) == 0
    assert 'Objectives of design "Retry storm (guarded)"' in capsys.readouterr().out
    assert main(["check", str(path), "--design", "Retry storm", "--experiment", "brief slowdown"]) == 1
    assert main(["check", str(path), "--design", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_recovery_to_a_level_that_already_missed_says_so():
    """check printed "recovered in 0 s" for an objective that missed before the fault as well."""
    def run(missed_before: bool, impact: float | None = 1.0) -> RunVerdicts:
        return RunVerdicts([], [RecoveryVerdict(
            client="users", index=0, label="availability 99 %", fault_id="f", fault_title="crash on db",
            fault_start=10.0, fault_end=20.0, pre_fault_attainment=0.95 if missed_before else 1.0,
            breached=impact is not None, time_to_impact=impact, recovered=True, time_to_recover=0.0,
            worst_attainment=0.95, peak_burn_rate=5.0, requests_lost=0.0, verdict="", missed_before=missed_before)])

    [every] = across_replications([run(True), run(True)])[1]
    assert recovery_text(every) == "crash on db: recovered in 0 s; missed before the fault too"
    [some] = across_replications([run(True), run(False), run(False)])[1]
    assert recovery_text(some) == "crash on db: recovered in 0 s; missed before the fault too in 1/3"
    [none] = across_replications([run(False)])[1]
    assert recovery_text(none) == "crash on db: recovered in 0 s"
    # never below in any run: as the window says it ("recovered in 0 s" read as if it had been hit)
    [untouched] = across_replications([run(False, impact=None), run(False, impact=None)])[1]
    assert recovery_text(untouched) == "crash on db: not impacted"


def test_recovery_over_replications_says_the_quickest_and_the_slowest_not_mean_plus_minus():
    """Over four runs recovering in 0, 0, 0 and 1 s, check printed "recovered in 250 ms ± 796 ms":
    an interval reaching below zero, for a time no run took."""
    [spread] = across_replications([recovered_in(0.0), recovered_in(0.0), recovered_in(0.0), recovered_in(1.0)])[1]
    assert (spread.time_to_recover_least, spread.time_to_recover_most) == (0.0, 1.0)
    assert recovery_text(spread) == "crash on db: recovered in 0 s to 1 s (mean 250 ms)"
    [same] = across_replications([recovered_in(2.0), recovered_in(2.0)])[1]
    assert recovery_text(same) == "crash on db: recovered in 2 s"
    [one] = across_replications([recovered_in(3.0)])[1]
    assert recovery_text(one) == "crash on db: recovered in 3 s"
