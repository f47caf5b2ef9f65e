"""The event log's Run column tells a comparison's runs apart; with one run, or before any, it had
nothing to tell and showed an empty header."""
from __future__ import annotations

from types import SimpleNamespace

from run_builders import EXPERIMENT, make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.run.event_log import COLUMNS, EventLog
from benchmarks.bench_event_log import comparison_session
from engine.model import Project

RUN_COLUMN = COLUMNS.index("Run")


def _one_run() -> SimpleNamespace:
    """A finished run without a comparison, as the event log reads it."""
    events = [{"time": 1.0, "kind": "fault_started", "component": "db", "details": "outage"}]
    data = SimpleNamespace(events=events, result=None)
    return SimpleNamespace(variants={"protected": data}, components=["db"], variant_names=["protected"],
                           is_comparison=False, done=True, design=None, experiment=None,
                           merged_events=lambda: [{**e, "variant": "protected"} for e in events])


def _run_column_shown(log: EventLog) -> bool:
    header = log.view.horizontalHeader()
    return not log.view.isColumnHidden(RUN_COLUMN) and not header.isSectionHidden(RUN_COLUMN)


def test_the_run_column_shows_only_while_a_comparison_is_shown(qtbot):
    log = EventLog()
    qtbot.addWidget(log)
    log.resize(700, 300)
    log.show()
    qtbot.waitExposed(log)
    assert not _run_column_shown(log)  # no run yet: nothing to tell apart
    log.show_session(_one_run())
    assert not _run_column_shown(log) and log.proxy.rowCount() == 1
    comparison = comparison_session()
    log.show_session(comparison)  # from the comparison's start, before its runs have logged anything
    assert _run_column_shown(log)
    assert not log.variant_combo.isHidden()  # as the run filter, which chooses among the same runs
    log.show_session(None)
    assert not _run_column_shown(log)


def test_the_windows_event_log_has_no_run_column_until_a_comparison(qtbot, tmp_path):
    window, ui = make_window(qtbot, tmp_path)
    try:
        log = ui.event_log
        assert not _run_column_shown(log)  # the window just opened: no project, no run
        window.document.load(Project(name="shop", designs=[make_three_tier()]))
        ui.speed_combo.setCurrentIndex(FULL_SPEED)
        ui.duration_spin.setValue(40)
        ui.set_experiment(EXPERIMENT)
        assert not _run_column_shown(log)
        run_and_wait(qtbot, ui)
        assert log.model.rowCount() > 0 and not _run_column_shown(log)
        ui.compare_action.setChecked(True)
        run_and_wait(qtbot, ui)
        assert _run_column_shown(log)
        assert {log.proxy.index(r, RUN_COLUMN).data() for r in range(log.proxy.rowCount())} == {"with", "without"}
    finally:
        ui.shutdown()
        window.close()
