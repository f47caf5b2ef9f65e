"""`params` and `sweep` on the command line: readable tables, named errors, Ctrl+C and resume."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")


def _read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_params_lists_paths_values_units_and_ranges(capsys):
    assert main(["params", THREE_TIER]) == 0
    out = capsys.readouterr().out
    from engine.explore import ParameterSpace
    from engine.model import parse_design

    count = len(ParameterSpace(parse_design(Path(THREE_TIER).read_text())))
    assert out.startswith(f'Design "Three-tier web shop": {count} parameters\n')
    lines = {line.split()[0]: line.split() for line in out.splitlines()[3:] if line.strip()}
    # the unit a component's field states (engine/model/components.py)
    assert lines["api.workers"][1:] == ["16", "workers", "1..100,000"]
    assert lines["browsers.rate"][1:] == ["200", "1/s", "0..10,000,000"]
    assert "api->db.circuit_breaker.failure_rate_threshold" in lines
    assert "database" in out and "outage.duration" in out
    # the ranges start in one column however long the unit ("workers", "instances", "1/s")
    table = out.splitlines()[2:]
    starts = {line.index(line.split()[-1]) for line in table[2:] if line.strip() and ".." in line.split()[-1]}
    assert len(starts) == 1 and table[0].index("range") in starts, starts


def test_params_sets_values_and_saves_the_checked_design(capsys, tmp_path):
    saved = tmp_path / "changed.json"
    assert main(["params", THREE_TIER, "--match", "api.work", "--set", "api.workers=4",
                 "--set", "api -> db.bulkhead.max_concurrent_calls=6", "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "api.workers" in out and " 4 " in out and "cache.workers" not in out
    design = json.loads(saved.read_text())
    api = next(c for c in design["components"] if c["name"] == "api")
    assert api["workers"] == 4 and api["policies"][2]["max_concurrent_calls"] == 6


def test_bad_input_is_a_message_and_status_2(capsys, tmp_path):
    cases = [
        (["params", THREE_TIER, "--set", "api.wrkers=3"], "error: api.wrkers: is not a parameter"),
        (["params", THREE_TIER, "--set", "api.workers"], "error: --set: \"api.workers\" should be PATH=VALUE"),
        (["params", THREE_TIER, "--save", "x.json"], "error: --save: needs --set"),
        (["sweep", THREE_TIER, "--param", "api.workers=0:4:2"], "the range must be at least 1 (got 0)"),
        (["sweep", THREE_TIER, "--param", "browsers.rate=1:9"], "needs a step (a:b:step) or a Latin hypercube"),
        (["sweep", THREE_TIER, "--lhs", "4"], "--lhs: needs parameters to sample"),
        (["sweep", THREE_TIER, "--experiment", "nope"], 'no experiment named "nope"'),
        (["sweep", THREE_TIER, "--replications", "0"], "--replications: must be at least 1"),
        (["sweep", THREE_TIER, "--workers", "0"], "--workers: needs at least 1"),
        (["sweep", str(tmp_path / "missing.json")], "missing.json"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err, (argv, err)
        assert "Traceback" not in err


def test_sweep_prints_a_summary_and_writes_rows_and_summary(capsys, tmp_path):
    out = tmp_path / "shop.csv"
    assert main(["sweep", THREE_TIER, "--param", "api.workers=2,8", "--experiment", "none",
                 "--experiment", "database outage", "--param", "database outage.start=2",
                 "--replications", "2", "--duration", "40", "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 point(s) x 2 experiment(s) x 2 replication(s) = 8 run(s) of 40 s" in text
    assert "summary per point (mean ± 95 % interval)" in text and "browsers.p99 ms" in text
    rows = _read(out)
    assert len(rows) == 8
    assert {r["experiment"] for r in rows} == {"", "database outage"}
    summary = _read(tmp_path / "shop.summary.csv")
    assert len(summary) == 4 and {s["replications"] for s in summary} == {"2"}
    outage = [s for s in summary if s["experiment"] == "database outage"]
    assert all(float(s["browsers.error_rate"]) > 0 for s in outage)
    # the example's availability objective: met without faults, missed through the outage
    assert "browsers.objectives.1 met" in text
    # and each objective of the table is named in words under it
    assert "browsers.objectives.1: browsers: availability 95 % (ok)\n" in text
    assert {s["browsers.objectives.1.met"] for s in summary if s["experiment"] == ""} == {"1.0"}
    assert {s["browsers.objectives.1.met"] for s in outage} == {"0.0"}
    # what each column of both files is measured in, beside them
    assert f"units of their columns in {tmp_path / 'shop.units.csv'}" in text
    units = {(u["file"], u["column"]): u["unit"] for u in _read(tmp_path / "shop.units.csv")}
    for name, table in (("shop.csv", rows), ("shop.summary.csv", summary)):
        assert all(units.get((name, column)) for column in table[0]), name
    assert units[("shop.csv", "api.workers")] == "workers"   # the parameter's own unit, as params says
    assert units[("shop.csv", "database outage.start")] == "s"
    assert units[("shop.csv", "browsers.p99")] == "s" and units[("shop.csv", "browsers.throughput")] == "1/s"
    assert units[("shop.csv", "browsers.objectives.1.met")] == "1 met, 0 missed"
    assert units[("shop.summary.csv", "browsers.objectives.1.met.low")] == "ratio"
    assert units[("shop.summary.csv", "browsers.p99.ci95")] == "s"


@pytest.mark.parametrize("backend", [["--workers", "2"], ["--dask-local", "2"]], ids=["processes", "dask"])
def test_ctrl_c_keeps_the_finished_rows_and_the_same_command_resumes(tmp_path, backend):
    out = tmp_path / "big.csv"
    command = [sys.executable, str(ROOT / "main.py"), "sweep", THREE_TIER, "--param", "browsers.rate=100:2000:100",
               "--replications", "2", "--duration", "30", *backend, "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 4):
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal does: to every process of the group
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "stopped after" in err and "run the same command to resume" in err and "Traceback" not in err
    kept = _read(out)
    assert 3 <= len(kept) < 40
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr
    assert f"{len(kept)} of 40 runs already there; running the rest" in finished.stdout
    rows = _read(out)
    assert len(rows) == 40
    assert len({(r["browsers.rate"], r["replication"]) for r in rows}) == 40
    assert rows[:len(kept)] == kept


def test_the_progress_bar_counts_runs_and_estimates_the_time_left():
    import io

    from rich.console import Console

    from app.cli_sweep import _progress

    screen = io.StringIO()
    progress, bar = _progress(Console(file=screen, force_terminal=True, width=100), total=4, quiet=False)
    with progress:
        for done in range(1, 5):
            progress.update(bar, completed=done)
            progress.refresh()
    shown = screen.getvalue()
    assert "4/4" in shown and "left" in shown
    quiet, _ = _progress(Console(file=io.StringIO(), force_terminal=True), total=4, quiet=True)
    assert quiet.disable


def test_a_worker_that_dies_is_a_message_and_the_rows_stay(tmp_path):
    import psutil

    out = tmp_path / "dies.csv"
    command = [sys.executable, str(ROOT / "main.py"), "sweep", THREE_TIER, "--param", "browsers.rate=100:2000:100",
               "--duration", "60", "--workers", "2", "--out", str(out)]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
            time.sleep(0.05)
        workers = [p for p in psutil.Process(process.pid).children() if "spawn_main" in " ".join(p.cmdline())]
        assert workers
        workers[0].kill()
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, err
    assert "error: a run failed on 2 local process workers: BrokenProcessPool" in err
    assert "run the same command to resume" in err and "Traceback" not in err
    assert len(_read(out)) >= 2
