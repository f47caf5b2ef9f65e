"""What the commands say: options by the names they are typed with, times in units a person
reads (never ``1e+06 s``), counts with separators, and every option explained in ``--help``."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from app.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
MMC = str(ROOT / "resources" / "examples" / "mmc.json")

# A request every 100 s: a run of weeks of simulated time takes a moment.
SLOW = {"name": "slow", "components": [
    {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 0.01},
     "objectives": [{"kind": "availability", "target": 0.9}]},
    {"kind": "service", "name": "api", "workers": 1, "service_time": {"kind": "constant", "value": 0.01}},
], "links": [{"source": "users", "target": "api"}],
    "experiments": [{"name": "late", "faults": [{"target": "api", "start": 1500000, "duration": 100000,
                                                 "kind": "exhaustion", "resource": "cpu", "factor": 2}]}]}

# Half of some thousands of requests fail: counts in the thousands.
FAILING = {"name": "failing", "components": [
    {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 1000}},
    {"kind": "service", "name": "api", "workers": 100, "error_probability": 0.5,
     "service_time": {"kind": "constant", "value": 0.001}},
], "links": [{"source": "users", "target": "api"}]}


def _write(tmp_path, name: str, design: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(design))
    return str(path)


@pytest.mark.parametrize("command,message", [
    (["run", MMC, "--max-buckets", "0"], "error: --max-buckets must be at least 1 (got 0)"),
    (["run", MMC, "--warmup", "100"], "error: --warmup must be shorter than duration"),
    (["check", MMC, "--bucket", "0"], "error: --bucket must be greater than 0"),
    (["sweep", MMC, "--param", "server.workers=3,4", "--duration", "-1"], "error: --duration must be greater than 0"),
    (["suggest", MMC, "--seed", "-1"], "error: --seed must be at least 0"),
])
def test_a_run_option_out_of_range_is_named_as_typed(command, message, capsys):
    assert main(command) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "run options" not in err and "max_buckets" not in err


def test_long_runs_are_said_in_days_not_powers_of_ten(tmp_path, capsys):
    slow = _write(tmp_path, "slow.json", SLOW)
    long = ["--duration", "2000000", "--bucket", "1000"]
    assert main(["run", slow, *long, "--warmup", "1000000", "--experiment", "late"]) == 0
    out = capsys.readouterr().out
    assert ': 23.1 days simulated (warm-up 11.6 days, seed 1' in out
    assert "exhaustion on api: 1,500,000-1,600,000 s" in out
    assert main(["check", slow, *long]) == 0
    assert 'Objectives of design "slow", 23.1 days runs (seed 1)' in capsys.readouterr().out
    assert main(["sweep", slow, *long, "--param", "api.workers=1,2", "--workers", "1"]) == 0
    assert "= 2 run(s) of 23.1 days\n" in capsys.readouterr().out
    assert main(["suggest", slow, *long, "--replications", "1", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert 'Fixes for "slow" (as it is) under no faults: 23.1 days, 1 replication(s)' in out
    assert "e+0" not in out


def test_counts_in_the_summary_have_separators(tmp_path, capsys):
    assert main(["run", _write(tmp_path, "failing.json", FAILING), "--duration", "10"]) == 0
    out = capsys.readouterr().out
    outcomes = next(line for line in out.splitlines() if line.startswith("  api: error "))
    assert "," in outcomes.split("error ")[1]          # "error 4,98x", not "error 498x"


def test_a_sweep_into_a_missing_folder_is_refused_before_it_starts(tmp_path, capsys):
    target = tmp_path / "nowhere" / "rows.csv"
    assert main(["sweep", MMC, "--param", "server.workers=3,4", "--out", str(target)]) == 2
    captured = capsys.readouterr()
    assert f'error: --out {target}: the folder "{target.parent}" does not exist' in captured.err
    assert captured.out == ""          # nothing planned, no workers started


def test_an_unknown_sensitivity_metric_is_refused_before_the_runs(capsys, monkeypatch):
    import engine.explore.runner

    def no_runs(*args, **kwargs):
        raise AssertionError("the sweep ran")

    monkeypatch.setattr(engine.explore.runner, "run_sweep", no_runs)
    assert main(["sweep", MMC, "--param", "server.workers=3,4", "--sensitivity", "bogus", "--workers", "1"]) == 2
    assert 'error: --sensitivity: "bogus" is not a metric of this sweep' in capsys.readouterr().err


def test_suggest_refuses_no_workers(capsys):
    assert main(["suggest", MMC, "--workers", "0"]) == 2
    assert "error: --workers: needs at least 1 (got 0)" in capsys.readouterr().err


def test_suggest_says_it_removed_the_resilience_only_when_it_did(tmp_path, capsys):
    slow = _write(tmp_path, "slow.json", SLOW)
    assert main(["suggest", slow, "--replications", "1", "--duration", "100", "--no-resilience"]) == 0
    assert 'Fixes for "slow" (without its resilience)' in capsys.readouterr().out


def test_set_without_a_value_shows_the_set_syntax(capsys):
    assert main(["params", MMC, "--set", "server.workers"]) == 2
    err = capsys.readouterr().err
    assert 'error: --set: "server.workers" should be PATH=VALUE, e.g. api.workers=8' in err
    assert "4:16:4" not in err


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_option_is_explained(name):
    parser = _subcommands()[name]
    assert parser.description, f"{name} has no description"
    unexplained = [a.option_strings[-1] if a.option_strings else a.dest for a in parser._actions
                   if not a.help and not isinstance(a, argparse._HelpAction)]
    assert unexplained == []


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_the_help_shows_a_percent_sign_once(name):
    """Options' help is %-formatted and a description is not: "95%%" showed in the sweep's."""
    assert "%%" not in _subcommands()[name].format_help()
