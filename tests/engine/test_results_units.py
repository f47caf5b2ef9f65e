"""Every figure of a run's results says what it is measured in: the JSON's ``units`` and the CSV's
``units.csv``, read from the one map the engine keeps (``engine.results.UNITS``)."""
import csv
import json

import pytest
from engine_support import load_example

from app.run.formatting import format_value, metric_kind
from engine import RunOptions, simulate
from engine.model.faults import covering_duration
from engine.results import UNITS, RunResult

EXAMPLES = ("three_tier", "retry_storm_guarded", "async_pipeline", "overload_control", "zone_outage",
            "microservices", "mmc")


def _runs():
    for name in EXAMPLES:
        design = load_example(name)
        for experiment in (None, *design.experiments):
            options = RunOptions(duration=covering_duration([experiment]), bucket=5, seed=2)
            yield name, experiment and experiment.name, simulate(design, options, experiment)


@pytest.fixture(scope="module")
def runs():
    return list(_runs())


def test_every_figure_of_every_example_has_a_unit(runs):
    missing = {}
    for name, experiment, result in runs:
        for table, units in result.units().items():
            for figure, unit in units.items():
                if not unit:
                    missing.setdefault(f"{table}.{figure}", f"{name} {experiment or ''}")
    assert not missing, f"figures without a unit in engine.results.UNITS: {missing}"


def test_the_json_carries_the_units_and_still_loads(runs, tmp_path):
    result = runs[0][2]
    path = tmp_path / "r.json"
    result.write_json(path)
    data = json.loads(path.read_text())
    assert data["units"]["series"]["latency_p99"] == "s"
    assert data["units"]["series"]["throughput"] == "1/s"
    assert data["units"]["components"]["error_rate"] == "ratio"
    assert data["units"]["series"]["busy"] == "workers"
    assert data["units"]["link_series"]["breaker_state"] == "0 closed, 1 open, 2 half-open"
    assert data["units"]["links"]["breaker_state"] == "CLOSED, OPEN or HALF_OPEN, at the end"
    assert RunResult.from_json_dict(data).components == result.components


def test_units_csv_names_every_column_of_every_table(runs, tmp_path):
    result = runs[0][2]
    written = result.write_csv(tmp_path)
    assert written[-1].name == "units.csv"
    with written[-1].open(newline="") as fh:
        listed = {(row["file"], row["column"]): row["unit"] for row in csv.DictReader(fh)}
    for path in written[:-1]:
        with path.open(newline="") as fh:
            header = next(csv.reader(fh))
        for column in header:
            assert listed.get((path.name, column)), f"{path.name} column {column} has no unit"
    assert listed[("series.csv", "time")] == "s"
    assert listed[("series.csv", "queue_wait_sum")] == "s"
    assert listed[("summary.csv", "arrival_rate")] == "1/s"
    assert listed[("link_summary.csv", "attempts_per_call")] == "x"
    assert listed[("events.csv", "details")] == "text"


def test_the_window_formats_a_figure_by_its_engine_unit():
    # a queue's waits and a bulkhead's were counts to the window before the units were the engine's
    assert metric_kind("queue_wait_p99") == "time" and format_value("queue_wait_p99", 0.0123) == "12.3 ms"
    assert metric_kind("bulkhead_wait_probability") == "share"
    assert metric_kind("arrival_rate") == "rate" and metric_kind("queue_peak") == "count"
    assert all(metric_kind(m) == "time" for m, unit in UNITS.items() if unit == "s")
