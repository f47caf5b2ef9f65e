"""The headless command line: readable output, clean errors, results files."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")


def test_run_prints_a_summary_table(capsys):
    assert main(["run", THREE_TIER, "--duration", "30"]) == 0
    out = capsys.readouterr().out
    assert 'Design "Three-tier web shop"' in out
    for name in ("browsers", "lb", "api", "cache", "db"):
        assert f"\n{name}" in out
    assert "p99" in out and "peak q" in out
    assert "\nmemory: " in out and "of the 2 GiB budget" in out
    assert "series in" not in out   # 30 buckets: kept as asked


def test_a_long_run_keeps_its_buckets_bounded_and_says_so(tmp_path, capsys):
    out_json = tmp_path / "r.json"
    assert main(["run", THREE_TIER, "--duration", "100", "--max-buckets", "30", "--json", str(out_json)]) == 0
    assert "series in 4 s buckets (100 of 1 s asked, merged 4 to 1)" in capsys.readouterr().out
    data = json.loads(out_json.read_text())
    assert data["meta"]["bucket_grid"]["width"] == 4.0 and len(data["bucket_times"]) == 25
    assert len(data["series"]["arrivals"]["api"]) == 25 and data["bucket_times"][-1] == 96.0
    assert data["summary"]["components"]["api"]["queue_peak"] >= 0 and data["meta"]["memory"]["used_bytes"] > 0


def test_run_with_an_experiment_lists_the_faults_and_their_times(capsys):
    assert main(["run", THREE_TIER, "--duration", "120", "--experiment", "bad day"]) == 0
    out = capsys.readouterr().out
    assert "faults:" in out
    assert "latency on api -> db: 40-120 s" in out
    assert "crash on api: 70-90 s" in out
    assert "instance_crashed x1" in out and "70.000 s  api" in out
    assert "objectives:" in out and "browsers: availability 95 % (ok): " in out
    assert "crash on api: recovered in" in out
    assert "retries_exhausted x" in out


def test_compare_prints_the_difference_with_confidence_intervals(capsys, tmp_path):
    out_json = tmp_path / "cmp.json"
    assert main(["run", THREE_TIER, "--duration", "120", "--experiment", "database outage", "--compare",
                 "--replications", "2", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "comparison, 2 replication(s) with 95 % confidence intervals" in out
    assert "difference" in out and "±" in out
    data = json.loads(out_json.read_text())
    assert data["replications"] == 2
    assert {"protected", "unprotected"} <= set(data["runs"])
    # objectives across replications, per variant: without protection the outage never heals
    availability = data["slo"]["unprotected"][0]
    assert availability["label"] == "availability 95 % (ok)" and availability["replications"] == 2
    assert availability["met"] == 0 and availability["share_met_high"] < 0.9
    assert [r["recovered"] for r in data["recovery"]["unprotected"]][:1] == [0]


def test_results_json_is_versioned_and_csv_tables_are_written(tmp_path, capsys):
    out_json, out_csv = tmp_path / "r.json", tmp_path / "csv"
    assert main(["run", THREE_TIER, "--duration", "20", "--seed", "4", "--json", str(out_json),
                 "--csv", str(out_csv)]) == 0
    data = json.loads(out_json.read_text())
    assert data["format"] == "faultline-results" and data["version"] == 2
    assert [o["label"] for o in data["slo"]] == ["availability 95 % (ok)", "p99 <= 250 ms"]
    assert all(o["met"] for o in data["slo"]) and data["recovery"] == []   # no experiment, no fault windows
    assert len(data["slo"][0]["burn_rate"]) == 20
    assert data["meta"]["seed"] == 4 and data["meta"]["events_processed"] > 0
    api = data["summary"]["components"]["api"]
    for key in ("throughput", "error_rate", "latency_mean", "latency_p50", "latency_p90", "latency_p99",
                "latency_max", "utilisation", "mean_queue_length", "outcomes"):
        assert key in api
    assert len(data["series"]["arrivals"]["api"]) == 20
    names = sorted(p.name for p in out_csv.iterdir())
    assert names == ["events.csv", "link_series.csv", "link_summary.csv", "series.csv", "summary.csv", "units.csv"]
    from engine.results import RunResult

    again = RunResult.from_json_dict(data)
    assert again.components == ["browsers", "lb", "api", "cache", "db"]


def test_run_accepts_a_project_file(tmp_path, capsys):
    from app.store import save_project
    from engine.model import Project, parse_design

    design = parse_design(Path(THREE_TIER).read_text())
    path = tmp_path / "shop.faultline"
    save_project(path, Project(name="shop", designs=[design]))
    assert main(["run", str(path), "--design", design.name, "--duration", "10",
                 "--experiment", "cache node failure"]) != 0   # the fault window lies outside 10 s
    assert "is not inside the run" in capsys.readouterr().err
    assert main(["run", str(path), "--duration", "90", "--experiment", "cache node failure"]) == 0


@pytest.mark.parametrize("args,message", [
    (["run", "missing.json"], "missing.json"),
    (["run", THREE_TIER, "--experiment", "nope"], 'no experiment named "nope"'),
    (["run", THREE_TIER, "--duration", "10", "--warmup", "20"], "warmup must be shorter than duration"),
    (["run", THREE_TIER, "--baseline"], "--baseline needs --compare"),
])
def test_bad_input_exits_non_zero_with_the_message(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_validate_explains_an_invalid_design(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"components": [{"kind": "service", "name": "orders", "workers": 0}]}))
    assert main(["validate", str(bad)]) == 2
    assert 'service "orders": workers must be at least 1 (got 0)' in capsys.readouterr().err
    assert main(["validate", THREE_TIER]) == 0
    assert "is valid" in capsys.readouterr().out
    assert main(["validate", str(Path(THREE_TIER).with_name("mmc.json"))]) == 0
    assert capsys.readouterr().out.endswith('design "M/M/4 service" is valid (2 components, 1 link, 2 experiments)\n')


def test_schema_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Design"


def test_main_py_runs_headless_without_a_traceback():
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", THREE_TIER, "--duration", "5"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "browsers" in proc.stdout
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", "nowhere.json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_check_says_when_recovery_is_measured_in_wider_buckets(capsys):
    main(["check", THREE_TIER, "--experiment", "bad day", "--duration", "120", "--max-buckets", "30"])
    assert "recovery measured in 4 s buckets (120 of 1 s asked, merged 4 to 1)" in capsys.readouterr().out
    main(["check", THREE_TIER, "--experiment", "bad day", "--duration", "120"])
    assert "recovery measured in" not in capsys.readouterr().out
