"""The report and the exports say what they show: which replication a summary is, where a stopped
run stopped, a fault's own window, and the event log's words rather than the engine's names."""
from __future__ import annotations

import csv
from datetime import date

from run_builders import EXPERIMENT, make_three_tier

from app.run import event_log as event_log_module
from app.run.report import build_report
from app.run.session import RunSession
from app.run.verdicts import fault_span
from benchmarks.bench_event_log import event_log_window
from engine import RunOptions, simulate
from engine.objectives import RecoveryVerdict
from engine.simulation import Simulation


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_a_replicated_comparisons_summary_says_it_is_the_first_replication():
    design = make_three_tier()
    results = {v: simulate(design, RunOptions(duration=25, seed=3, resilience=v == "protected"), EXPERIMENT)
               for v in ("protected", "unprotected")}
    session = RunSession.from_results(results, replications=4)
    html = build_report(session, design)
    summary = _between(html, "<h2>Summary", "<h2>Comparison</h2>")
    assert summary.startswith(": first replication, seed 3</h2>"), summary[:80]
    assert "means over all 4 replications" in summary
    # One run alone has nothing to tell apart.
    single = build_report(RunSession.from_results({"protected": results["protected"]}), design)
    assert "<h2>Summary</h2>" in single and "replication" not in _between(single, "<h2>Summary", "</table>")


def test_a_stopped_runs_report_says_where_it_stopped():
    design = make_three_tier()
    simulation = Simulation(design, RunOptions(duration=30, seed=1), EXPERIMENT)
    simulation.advance(until=15)
    simulation.interrupted()
    session = RunSession.from_results({"protected": simulation.snapshot()})
    run = _between(build_report(session, design), "<h2>Run</h2>", "</table>")
    assert "<th>Status</th><td>stopped at 15.0 s</td>" in run, run
    assert "<th>Duration</th><td>30.0 s planned</td>" in run, run


def test_a_fault_not_over_at_the_runs_end_is_not_said_to_last_until_it():
    """A run stopped at 72 s of a fault lasting 60-90 s read "after crash on db 60.0 s–end"."""
    r = RecoveryVerdict(client="browsers", index=0, label="availability", fault_id="f", fault_title="crash on db",
                        fault_start=60.0, fault_end=None, pre_fault_attainment=1.0, breached=False,
                        time_to_impact=None, recovered=None, time_to_recover=None, worst_attainment=1.0,
                        peak_burn_rate=0.0, requests_lost=0.0, verdict="")
    assert fault_span(r) == "crash on db from 60.0\u00a0s"
    # a time is never split from its unit where the span wraps
    assert fault_span(RecoveryVerdict(**{**r.__dict__, "fault_end": 90.0})) == "crash on db 60.0\u00a0s–90.0\u00a0s"


def test_the_event_csv_uses_the_windows_words_its_name_and_its_suffix(qtbot, tmp_path, monkeypatch):
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    log.session.design_name, log.session.experiment = "three tier", "database outage"
    variants["protected"].events = [{"time": 1.0, "kind": "fault_started", "component": "db", "details": "crash"}]
    variants["unprotected"].events = [{"time": 2.0, "kind": "breaker_opened", "link": "api -> db"}]
    log.session.done = True
    log.show_session(log.session)
    asked: list[str] = []

    def dialog(_parent, _caption, suggested, _filters):
        asked.append(suggested)
        return str(tmp_path / "typed without suffix"), ""

    monkeypatch.setattr(event_log_module.QFileDialog, "getSaveFileName", dialog)
    log._export_csv_dialog()
    assert asked == [f"three tier - database outage - events - {date.today().isoformat()}.csv"]
    with open(tmp_path / "typed without suffix.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["time_s", "run", "component", "link", "kind", "details"],
                    ["1.000000", "with resilience", "db", "", "fault started", "crash"],
                    ["2.000000", "without resilience", "", "api -> db", "breaker opened", ""]]


def test_the_reports_counts_read_whole_and_breaker_states_in_the_windows_words():
    """"Peak queue 62.0", short-circuited calls as "3248" and a breaker "CLOSED" at the end read as
    the engine writes them, not as the dashboard says them."""
    design = make_three_tier()
    results = {v: simulate(design, RunOptions(duration=40, seed=3, resilience=v == "protected"), EXPERIMENT)
               for v in ("protected", "unprotected")}
    html = build_report(RunSession.from_results(results), design)
    breakers = _between(html, "<th>State at end</th></tr>", "</table>")
    assert "CLOSED" not in breakers and "OPEN" not in breakers
    assert any(f"<td>{word}</td>" in breakers for word in ("closed", "half-open", "open (short-circuits calls)"))
    short_circuited = results["protected"].summary["links"]["api -> db"]["breaker_rejected"]
    assert short_circuited >= 1000 and f"<td class='num'>{short_circuited:,.0f}</td>" in breakers
    peak = results["unprotected"].summary["components"]["api"]["queue_peak"]
    assert peak >= 1000 and f"<td class=\"num\">{peak:,.0f}</td>" in html


def test_a_report_of_a_comparison_whose_resilience_never_acted_says_the_runs_are_the_same():
    design = make_three_tier()
    for component in design.components:
        component.policies = []
    results = {v: simulate(design, RunOptions(duration=10, seed=3, resilience=v == "protected"))
               for v in ("protected", "unprotected")}
    comparison = _between(build_report(RunSession.from_results(results), design), "<h2>Comparison</h2>", "</p>")
    assert "The two runs are the same: on the same seeds, no resilience policy acted" in comparison
    # with policies that act, nothing of the kind
    acted = {v: simulate(make_three_tier(), RunOptions(duration=25, seed=3, resilience=v == "protected"), EXPERIMENT)
             for v in ("protected", "unprotected")}
    report = build_report(RunSession.from_results(acted))
    assert "runs are the same" not in _between(report, "<h2>Comparison</h2>", "</p>")
