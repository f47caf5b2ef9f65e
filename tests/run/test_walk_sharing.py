"""Results sent to colleagues: the report, the plots' and the log's files, and kept runs reported
again later, read as the window showed them, by people who do not have the window."""
from __future__ import annotations

import csv
import re
from datetime import date

import pytest
from PySide6.QtCore import QAbstractItemModel
from run_builders import EXPERIMENT, make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait, window  # noqa: F401  (the fixture)

import app.run.plot_export as plot_export_module
from app.run.event_log import EventLogModel
from app.run.formatting import comparison_cells
from app.run.plot_export import csv_number, default_file_name
from app.run.report import build_report
from app.run.saved import RunGroup, saved_runs_of
from app.run.session import RunSession
from engine import RunOptions, simulate
from engine.compare import build_table
from engine.model import Client, Constant, Design, Link, OpenLoop, Project, Service


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_a_report_describes_the_design_as_it_was_run_not_as_edited_since(qtbot, window, tmp_path):  # noqa: F811
    """Run, then raise the retries to 5 and the instances to 9: the report said "Max attempts 5" and
    "9 x 16 workers" beside results that 2 attempts and 3 instances produced."""
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    unedited = ui.export_report(tmp_path / "before.html").read_text(encoding="utf-8")
    assert "Borders show each component's health" in unedited and "edited after the run" not in unedited
    api = window.document.component_named("api")
    retry = next(p for p in api.policies if p.kind == "retry")
    window.document.edit.set_policy_fields(api.id, retry.id, {"max_attempts": 5})
    window.document.edit.set_component_fields(api.id, {"instances": 9})
    html = ui.export_report(tmp_path / "after.html").read_text(encoding="utf-8")
    design = _between(html, "<h2>Design</h2>", "<h2>Experiment")
    assert "Max attempts 2 ·" in design and "Max attempts 5" not in design
    assert "<td>3 x 16 workers</td>" in design and "9 x 16" not in design
    # The picture is the canvas as it is now, without the run's colours: the note says so.
    assert "The picture shows the design as edited after the run" in design
    assert "Borders show each component's health" not in design


def test_event_times_past_ten_minutes_read_in_the_report_as_in_the_window(qtbot):
    """The window's log shows 1:02:03; the report had "3723.456"."""
    result = simulate(make_three_tier(), RunOptions(duration=5, seed=1))
    result.events.append({"time": 3723.456, "kind": "fault_started", "component": "db", "details": "late"})
    session = RunSession.from_results({"protected": result})
    model = EventLogModel()
    model.set_events(session.merged_events(), session.variants)
    shown = _cell(model, "late")
    assert shown == "1:02:03"
    events = _between(build_report(session), "<h2>Event log</h2>", "</table>")
    assert f'<td class="num">{shown}</td><td>db</td><td>fault started</td><td>late</td>' in events
    assert "3723.456" not in events


def _cell(model: QAbstractItemModel, details: str) -> str:
    """The Time cell of the row whose details read ``details``."""
    row = next(r for r in range(model.rowCount()) if model.index(r, 4).data() == details)
    return model.index(row, 0).data()


@pytest.mark.parametrize("kind", ["csv", "png"])
def test_an_export_named_with_a_dot_keeps_its_whole_name(qtbot, window, tmp_path, monkeypatch, kind):  # noqa: F811
    """Typing "results v1.2" wrote "results v1.csv": the ".2" was taken for a suffix and replaced."""
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    monkeypatch.setattr(plot_export_module.QFileDialog, "getSaveFileName",
                        lambda *_args: (str(tmp_path / "results v1.2"), ""))
    ui.dashboard._export_dialog(kind)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == f".{kind}"] == [f"results v1.2.{kind}"]
    # Another export's suffix is still swapped for the one chosen, not added to.
    monkeypatch.setattr(plot_export_module.QFileDialog, "getSaveFileName",
                        lambda *_args: (str(tmp_path / "other.svg"), ""))
    ui.dashboard._export_dialog(kind)
    assert (tmp_path / f"other.{kind}").exists() and not (tmp_path / "other.svg").exists()


def test_csv_files_say_they_are_utf8_so_a_spreadsheet_keeps_non_ascii_names(qtbot, window, tmp_path):  # noqa: F811
    """Excel opens a CSV without a byte-order mark in the system's code page: "Zürich-DB" read "ZÃ¼rich-DB"."""
    db = window.document.component_named("db")
    window.document.edit.rename_component(db.id, "Zürich-DB")
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.dashboard.components = ["users", "Zürich-DB"]
    plots = ui.dashboard.export_csv(tmp_path / "plots.csv")
    ui.event_log.export_csv(tmp_path / "events.csv")
    for path in (plots, tmp_path / "events.csv"):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbftime_s,"), data[:20]
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert any("Zürich-DB" in cell for row in rows for cell in row), path.name


def test_a_kept_run_reported_again_says_which_kept_run_it_is(qtbot, window, tmp_path):  # noqa: F811
    """Two kept runs of one experiment, "before the pool fix" and "after", gave reports that read
    the same and the same suggested file name: only the date told them apart."""
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    group = ui.keep_run()
    ui.rename_group(group, "before the pool fix")
    suggested: list[str] = []

    def choose(name: str) -> str:
        suggested.append(name)
        return str(tmp_path / "kept.html")

    ui.choose_report_path = choose
    ui._report_group(ui.runs_panel.groups[0])
    assert suggested and suggested[0].startswith("three tier - database outage - before the pool fix - report - ")
    html = (tmp_path / "kept.html").read_text(encoding="utf-8")
    assert "<h1>before the pool fix: three tier — database outage</h1>" in html
    run = _between(html, "<h2>Run</h2>", "</table>")
    assert "<th>Kept as</th><td>before the pool fix</td>" in run
    kept = group.created.strftime("%Y-%m-%d %H:%M UTC")
    assert f"<th>Kept in the project</th><td>{kept}</td>" in run
    assert ui.dashboard.default_file_name("plots").startswith("three tier - database outage - before the pool fix")
    svg = ui.dashboard.export_svg(tmp_path / "plots.svg").read_text(encoding="utf-8")
    assert "<title>before the pool fix: three tier · database outage · comparison" in svg


def test_a_kept_run_never_renamed_is_not_named_twice():
    design = make_three_tier()
    session = RunSession.from_results({"protected": simulate(design, RunOptions(duration=25), EXPERIMENT)})
    group = RunGroup("g", saved_runs_of(session, design.id))
    html = build_report(group.session(), design)
    assert "<h1>three tier — database outage</h1>" in html
    assert "Kept as" not in html and re.search(r"<th>Kept in the project</th><td>\d{4}-\d\d-\d\d ", html)
    # A live run, never kept, says neither.
    assert "Kept" not in _between(build_report(session, design), "<h2>Run</h2>", "</table>")


def test_a_figure_equal_on_every_seed_has_no_interval_of_rounding_errors():
    """A service taking exactly 0.5 ms, three seeds: the report and the window's table read
    "0.500 ± 0.00000000000085 ms", the floating-point rounding of the same mean three times."""
    design = Design(name="steady", components=[Client(name="users", workload=OpenLoop(rate=50)),
                                               Service(name="api", service_time=Constant(value=0.0005))],
                    links=[Link(source="users", target="api")]).check()
    runs = {v: [simulate(design, RunOptions(duration=10, seed=s, resilience=v == "protected")) for s in (1, 2, 3)]
            for v in ("protected", "unprotected")}
    table = build_table(runs)
    row = next(r for r in table if (r["component"], r["metric"]) == ("api", "latency_mean"))
    assert row["protected_ci"] == 0.0   # the rounding of the same mean three times is none
    assert comparison_cells(row, baseline=False) == ["Latency mean", "0 ms", "0.500 ms", "0.500 ms"]
    session = RunSession.from_results({v: r[0] for v, r in runs.items()}, table=table, replications=3)
    comparison = _between(build_report(session, design), "<h2>Comparison</h2>", "</table>")
    assert "0.500 ms" in comparison and "0.0000000" not in comparison


def test_a_kept_run_whose_design_was_renamed_still_describes_its_design(qtbot, window, tmp_path):  # noqa: F811
    """Keep a run, rename the design, report the kept run: the report had a "Design" heading and nothing under it."""
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    window.document.edit.rename_design(window.document.design.id, "three tier v2")
    ui.choose_report_path = lambda _name: str(tmp_path / "kept.html")
    ui._report_group(ui.runs_panel.groups[0])
    design = _between((tmp_path / "kept.html").read_text(encoding="utf-8"), "<h2>Design</h2>", "<h2>")
    assert "<td>api</td><td>Service</td><td>3 x 16 workers</td>" in design, design
    # A run kept without its design (by an earlier version) says why the section is empty.
    session = RunSession.from_results({"protected": simulate(make_three_tier(), RunOptions(duration=25), EXPERIMENT)})
    design = _between(build_report(session), "<h2>Design</h2>", "<h2>")
    assert "“three tier” is no longer in the project under this name" in design, design


def test_plotted_data_of_a_long_run_reads_without_powers_of_ten(qtbot, tmp_path):
    """A run of 35 days: the CSV's times read "2.999e+06"; a count of 1,234,567 in a bucket, "1.23457e+06"."""
    w, ui = make_window(qtbot, tmp_path)
    try:
        w.document.load(Project(name="shop", designs=[make_three_tier(rate=0.02)]))
        ui.speed_combo.setCurrentIndex(FULL_SPEED)
        ui.set_experiment(EXPERIMENT)
        ui.duration_spin.setValue(3_000_000)
        session = run_and_wait(qtbot, ui)
        with ui.dashboard.export_csv(tmp_path / "long.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        assert [float(r[0]) for r in rows] == list(session.times())
        assert rows[-1][0] == f"{session.times()[-1]:.0f}" and not any("e" in cell for r in rows for cell in r)
    finally:
        ui.shutdown()
        w.close()
    assert csv_number(1234567.0) == "1234567" and csv_number(0.1 + 0.2) == "0.3"
    assert csv_number(31536001.5, 10) == "31536001.5" and csv_number(0.0000123) == "0.0000123"


def test_a_report_of_a_run_whose_log_overflowed_says_events_were_not_kept():
    """The window's log reads "10000 events (2,500 beyond the log's cap not kept)"; the report said
    "First 200 of 10000 events." as if that were all."""
    design = make_three_tier()
    result = simulate(design, RunOptions(duration=25, seed=1), EXPERIMENT)
    result.events = result.events * 500
    result.events_dropped = 2500
    events = _between(build_report(RunSession.from_results({"protected": result}), design), "<h2>Event log</h2>",
                      "</body>")
    assert f"First 200 of {len(result.events):,} events. 2,500 more beyond the log's cap were not kept." in events


def test_a_run_kept_before_the_design_changed_reports_the_design_it_ran(qtbot, window, tmp_path):  # noqa: F811
    """Keep "before the fix", raise the retries to 5 and save, reopen: the kept run's report listed
    "Max attempts 5", the fix it was kept to be compared against."""
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    api = window.document.component_named("api")
    retry = next(p for p in api.policies if p.kind == "retry")
    window.document.edit.set_policy_fields(api.id, retry.id, {"max_attempts": 5})
    path = tmp_path / "shop.faultline"
    assert window._save_to(path)
    other, other_ui = make_window(qtbot, tmp_path, "second")
    try:
        assert other.open_path(path, ask=False)
        other_ui.choose_report_path = lambda _name: str(tmp_path / "kept.html")
        other_ui._report_group(other_ui.runs_panel.groups[0])
        design = _between((tmp_path / "kept.html").read_text(encoding="utf-8"), "<h2>Design</h2>", "<h2>Experiment")
        assert "Max attempts 2 ·" in design and "Max attempts 5" not in design
        assert "The picture shows the design as edited after the run" in design
        # Deleted from the project and kept again, from the window that shows it: the same design.
        assert other_ui.delete_group(other_ui.runs_panel.groups[0])
        other_ui.keep_run()
        [again] = other.document.runs
        assert "kept_as" not in again.data["meta"]
        other_ui._report_group(other_ui.runs_panel.groups[0])
        design = _between((tmp_path / "kept.html").read_text(encoding="utf-8"), "<h2>Design</h2>", "<h2>Experiment")
        assert "Max attempts 2 ·" in design and "Max attempts 5" not in design
    finally:
        other_ui.shutdown()
        other.close()


def test_long_names_keep_what_an_export_is_in_its_suggested_file_name():
    """A design named with 150 characters: the report, the data and the events were all offered as
    the same name (cut at 120 characters before "report"), so the second CSV saved over the first."""
    design = make_three_tier()
    design.name = "Checkout platform, EU-West production cluster " * 3 + "(Zürich)"
    session = RunSession.from_results({"protected": simulate(design, RunOptions(duration=25), EXPERIMENT)})
    today = date.today().isoformat()
    names = {what: default_file_name(session, what) for what in ("report", "data", "events")}
    for what, name in names.items():
        assert name.endswith(f" - database outage - {what} - {today}") and len(name) <= 120, name
        assert name.startswith("Checkout platform, EU-West production cluster"), name


def test_a_summary_after_a_warm_up_says_what_time_its_figures_cover():
    """With a warm-up the plots show the start-up spike, the summary and comparison figures
    leave it out, and nothing in the report said so."""
    design = make_three_tier()
    session = RunSession.from_results({"protected": simulate(design, RunOptions(duration=25, warmup=5), EXPERIMENT)})
    summary = _between(build_report(session, design), "<h2>Summary", "<table>")
    assert "Figures over the measured time, after the warm-up: from 5.0 s to the end of the run." in summary
    cold = RunSession.from_results({"protected": simulate(design, RunOptions(duration=25), EXPERIMENT)})
    assert "warm-up" not in _between(build_report(cold, design), "<h2>Summary", "<table>")


def test_a_kept_run_reopened_after_an_edit_shows_the_design_it_ran(qtbot, window, tmp_path):  # noqa: F811
    """Kept with 3 api instances, reopened after raising them to 9: the run was shown with the
    edited design, its health saying "6 down", and its report after a rename had no picture."""
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    doc = window.document
    api = doc.component_named("api")
    doc.edit.set_component_fields(api.id, {"instances": 9})
    doc.edit.rename_design(doc.design.id, "three tier v2")
    session = ui.open_group(ui.runs_panel.groups[0])
    assert session is not None
    assert session.design.component("api").instances == 3 and session.instances["api"] == 3
    report = ui.export_report(tmp_path / "kept.html").read_text(encoding="utf-8")
    assert '<img alt="the design' in _between(report, "<h2>Design</h2>", "<h2>")
    # a name typed with its suffix in capitals keeps it, not "Report.HTML.html"
    ui.choose_report_path = lambda _name: str(tmp_path / "Report.HTML")
    assert ui.export_report_dialog() == tmp_path / "Report.HTML"
