"""Seen at 1920x1050 on the dark theme: the Runs dock's Open / Report… / Delete row half hidden at the
dock's bottom below a tall, empty list of kept runs."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QScrollArea
from run_builders import EXPERIMENT, make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait
from test_window_fit import SCREENS, _fit

from app.run.runs_panel import RunsPanel
from engine.model import Project


def _hidden(area: QScrollArea, panel: RunsPanel) -> list[str]:
    """The panel's buttons not wholly inside the part of the dock's scroll area one sees."""
    viewport = area.viewport()
    seen = viewport.rect()
    cut = []
    for button in (panel.open_button, panel.report_button, panel.delete_button, panel.slim_button):
        where = QRect(button.mapTo(viewport, button.rect().topLeft()), button.size())
        if not seen.contains(where):
            cut.append(f"{button.text()} at {where.getRect()} in {seen.getRect()}")
    return cut



@pytest.mark.parametrize("look", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_the_runs_buttons_are_whole_in_the_runs_dock_before_and_after_a_run_is_kept(
        qtbot, tmp_path, restore_look, screen, look):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    w.set_theme(look)
    _fit(qtbot, w, *screen)
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(20)
    ui.set_experiment(EXPERIMENT)
    # As in the walkthrough: the dashboard grows for the run and the docks beside the canvas shrink.
    run_and_wait(qtbot, ui)
    ui.runs_dock.raise_()
    area = ui.runs_dock.widget()
    assert isinstance(area, QScrollArea)
    qtbot.wait(50)  # the scroll area follows its body's layout from a posted event
    assert not _hidden(area, ui.runs_panel), _hidden(area, ui.runs_panel)
    ui.keep_action.trigger()
    assert ui.runs_panel.tree.topLevelItemCount() == 1
    qtbot.wait(50)
    assert not _hidden(area, ui.runs_panel), _hidden(area, ui.runs_panel)
    ui.shutdown()
    w.close()
