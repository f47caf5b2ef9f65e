"""The asynchronous pipeline example run from the window: its hedges and deadlines in the
event log, and its policies in the report."""
from __future__ import annotations

from pathlib import Path

from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.run.session import FINISHED
from engine.model import Project, parse_design

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "async_pipeline.json"


def test_the_async_pipeline_runs_from_the_window_with_its_hedges_logged_and_reported(qtbot, tmp_path):
    window, ui = make_window(qtbot, tmp_path)
    try:
        window.document.load(Project(name="async", designs=[parse_design(EXAMPLE.read_text())]))
        ui.speed_combo.setCurrentIndex(FULL_SPEED)
        ui.duration_spin.setValue(90)
        ui.set_experiment("pricing slowdown")
        session = run_and_wait(qtbot, ui)
        assert session.status == FINISHED
        hedges = [e for e in ui.event_log.model.events if e["kind"] == "hedges_sent"]
        assert hedges and all(e["link"] == "enricher -> pricing" for e in hedges)
        assert hedges[0]["details"].endswith("hedged copies sent")
        html = ui.export_report(tmp_path / "report.html").read_text(encoding="utf-8")
        assert "Hedging delay 150 ms" in html and "Deadline 1 s" in html
    finally:
        ui.shutdown()
        window.close()
