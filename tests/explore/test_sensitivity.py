"""Sensitivity: standardized regression coefficients and rank correlations, checked on rows with a
known answer, and the command line's table."""
import math
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from engine.explore import plan_sweep
from engine.explore.sensitivity import default_metric, sensitivity
from engine.model import DesignError, RunOptions, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def sweep():
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    params = [("server.workers", "1:20"), ("clients.rate", "1:100"), ("clients.timeout.timeout", "0.5:3")]
    return plan_sweep(design, params, RunOptions(duration=30), lhs=50, check_points=False)


def _rows(sweep, metric):
    """Rows whose metric is a known function of the points: 3 x workers - rate, timeout no effect."""
    rows = []
    for point in sweep.points:
        rows.append({"experiment": "", **{p: repr(float(v)) for p, v in point.items()},
                     metric: repr(metric_value(point))})
    return rows


def metric_value(point):
    return 3.0 * point["server.workers"] - 1.0 * point["clients.rate"]


def test_coefficients_rank_the_parameters_by_their_effect(sweep):
    metric = "clients.goodput"
    result = sensitivity(sweep, _rows(sweep, metric), metric)
    assert [e.path for e in result.effects][:2] == ["clients.rate", "server.workers"]
    effects = {e.path: e for e in result.effects}
    x = np.array([[p["server.workers"], p["clients.rate"]] for p in sweep.points])
    y = np.array([metric_value(p) for p in sweep.points])
    # an exact linear model: each SRC is its coefficient x the parameter's spread / the metric's
    assert effects["server.workers"].src == pytest.approx(3.0 * x[:, 0].std() / y.std())
    assert effects["clients.rate"].src == pytest.approx(-1.0 * x[:, 1].std() / y.std())
    assert abs(effects["clients.timeout.timeout"].src) < 1e-9
    assert result.r_squared == pytest.approx(1.0)
    from scipy.stats import spearmanr

    for k, path in enumerate(("server.workers", "clients.rate")):
        assert effects[path].rank_correlation == pytest.approx(spearmanr(x[:, k], y).statistic)


def test_too_few_runs_or_an_unknown_metric_are_named(sweep):
    rows = _rows(sweep, "clients.goodput")
    with pytest.raises(DesignError, match="needs at least 5 runs"):
        sensitivity(sweep, rows[:4], "clients.goodput")
    with pytest.raises(DesignError, match='"nope" is not a metric'):
        sensitivity(sweep, rows, "nope")


def test_the_default_metric_is_the_first_objectives_attainment(sweep):
    assert default_metric(sweep.metric_columns) == "clients.objectives.1.attainment"
    assert default_metric(["a.throughput", "a.goodput"]) == "a.goodput"


def test_the_command_line_prints_the_sensitivity_after_the_summary(capsys):
    status = main(["sweep", str(EXAMPLES / "retry_storm.json"), "--param", "clients.rate=20:60",
                   "--param", "server.workers=10:16", "--lhs", "20", "--duration", "40", "--workers", "1",
                   "--quiet", "--sensitivity", "clients.throughput"])
    out = capsys.readouterr().out
    assert status == 0
    section = out.split("sensitivity of clients.throughput (no faults; 20 runs, linear fit R² ")[1]
    lines = section.splitlines()
    assert lines[1].split()[:3] == ["parameter", "SRC", "rank"]
    first = lines[2].split()
    assert first[0] == "clients.rate" and float(first[1]) > 0.9 and first[3].startswith("++++")
    assert not math.isnan(float(lines[0].split(")")[0]))


def test_the_command_line_names_a_bad_metric(capsys):
    status = main(["sweep", str(EXAMPLES / "retry_storm.json"), "--param", "clients.rate=20,60",
                   "--duration", "20", "--workers", "1", "--quiet", "--sensitivity", "clients.nope"])
    assert status == 2
    assert '"clients.nope" is not a metric of this sweep' in capsys.readouterr().err
