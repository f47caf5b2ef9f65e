"""A design drawn, hardened, broken and kept without a mouse: what the keyboard could not reach, or
reached where nothing on screen showed it."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from editor_helpers import add, build_three_tier
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QInputDialog

from app.canvas.node_item import NODE_HEIGHT, NODE_WIDTH
from app.pane_focus import covered
from app.run.runs_panel import RunsPanel
from app.run.saved import RunGroup
from app.store import SavedRun


def _activate(window, qtbot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)


def _in_view(window, cid) -> bool:
    item = window.scene.node_item(cid)
    return window.view.visible_scene_rect().contains(item.mapRectToScene(item.body_rect()))


def test_components_added_from_the_palette_go_side_by_side_in_rows_and_stay_in_view(window, qtbot):
    """Enter in the palette, and Insert > kind, cascaded each new node 80 px down and right of the one
    before: by the third the view had scrolled and cut one off, by the fifth one was out of sight."""
    _activate(window, qtbot)
    window.view.setFocus()
    palette, doc = window.palette_widget, window.document
    for kind in ("client", "service", "database"):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is palette
        while palette.currentItem().data(Qt.ItemDataRole.UserRole) != kind:
            qtbot.keyClick(palette, Qt.Key.Key_Down)
        qtbot.keyClick(palette, Qt.Key.Key_Return)
        assert _in_view(window, doc.design.components[-1].id)
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert _in_view(window, doc.design.components[-1].id)
    spots = [(c.position.x, c.position.y) for c in doc.design.components]
    assert len(spots) == 7
    (x0, y0), (x1, y1) = spots[:2]
    assert y1 == y0 and x1 >= x0 + NODE_WIDTH  # the second beside the first, on its right
    rows = sorted({y for _x, y in spots})
    assert 1 < len(rows) < len(spots)  # rows, not a diagonal
    for i, (x, y) in enumerate(spots):  # none covers another
        for ox, oy in spots[i + 1:]:
            assert abs(x - ox) >= NODE_WIDTH or abs(y - oy) >= NODE_HEIGHT, spots
    for y in rows[1:]:  # a new row starts under the first node, not further right
        assert min(x for x, yy in spots if yy == y) == x0


def test_a_component_added_after_scrolling_away_goes_in_the_middle_of_the_view(window, qtbot):
    window.view.add_at_centre("client")
    window.view.centerOn(1500, 1500)
    cid = window.view.add_at_centre("service")
    assert _in_view(window, cid)
    assert window.document.component(cid).position.x > 1000


def test_tab_into_a_pane_tabbed_behind_another_brings_it_to_the_front(window, qtbot):
    """From the palette Tab went into the Resilience and Faults panes, hidden behind Properties: the
    focus was somewhere nothing on screen showed it."""
    build_three_tier(window.document)
    window.properties_dock.raise_()
    _activate(window, qtbot)
    window.palette_widget.setFocus(Qt.FocusReason.TabFocusReason)
    went_to = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        if widget is not None:
            went_to.append(widget)
            assert not covered(widget), f"the focus is in {widget.windowTitle()}, behind another pane"
    assert window.resilience_dock in went_to


def test_view_panels_brings_a_pane_tabbed_behind_another_forward_rather_than_closing_it(window, qtbot):
    """View > Panels > Resilience, with Resilience behind Properties, closed it; chosen again it came
    back still behind: no menu brought it forward."""
    window.document.set_selection([add(window.document, "service")])
    window.properties_dock.raise_()
    _activate(window, qtbot)
    qtbot.waitUntil(lambda: covered(window.resilience_dock), timeout=5_000)
    window.resilience_dock.toggleViewAction().trigger()
    assert window.resilience_dock.isVisible() and not covered(window.resilience_dock)
    assert window.resilience_dock.toggleViewAction().isChecked()
    assert window.resilience_dock.isAncestorOf(QApplication.focusWidget())
    window.resilience_dock.toggleViewAction().trigger()  # in front, its item closes it as before
    assert not window.resilience_dock.isVisible()


def test_new_experiment_shows_the_faults_pane_ready_to_add_a_fault(window, qtbot):
    """Design > New Experiment made one behind Properties: nothing said where it was."""
    build_three_tier(window.document)
    window.properties_dock.raise_()
    _activate(window, qtbot)
    window.new_experiment_action.trigger()
    assert len(window.document.design.experiments) == 1
    assert not covered(window.faults_dock)
    assert QApplication.focusWidget() is window.faults.add_button


def _menu_requests(window):
    asked = []
    window.view.context_menu_requested.disconnect()
    window.view.context_menu_requested.connect(lambda scene_pos, where: asked.append(scene_pos))
    return asked


def test_the_menu_key_opens_the_menu_of_what_is_selected(window, qtbot):
    """Qt puts the menu key's event at the canvas's top-left corner: the menu was the empty canvas's
    (Add Component Here), never the selected component's policies and faults."""
    ids = build_three_tier(window.document)
    window.view.fit()
    asked = _menu_requests(window)
    window.document.set_selection([ids["web"]])
    window.view.setFocus()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), window.view.mapToGlobal(QPoint(0, 0)))
    QApplication.sendEvent(window.view, event)
    menu = window.context_menu(asked[-1])
    assert "Add Resilience Policy" in [a.text() for a in menu.actions()]
    assert window.scene.node_at(asked[-1]).component_id == ids["web"]
    # a link: its own menu, a policy on the call
    link = next(li for li in window.document.design.links if li.source == ids["web"] and li.target == ids["db"])
    window.document.set_selection([link.id])
    qtbot.keyClick(window.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert "Add Policy on This Call" in [a.text() for a in window.context_menu(asked[-1]).actions()]


def test_escape_on_the_canvas_lets_go_of_the_selection_and_the_arrows_pan_again(window, qtbot):
    """The keyboard had no way back to nothing selected: the arrows nudged the node, never panned,
    and Properties kept the node's form instead of the design's."""
    ids = build_three_tier(window.document)
    doc = window.document
    doc.set_selection([ids["web"]])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert doc.selection == []
    before = doc.component(ids["web"]).position
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert doc.component(ids["web"]).position == before


def _group(label: str) -> RunGroup:
    run = SavedRun(uuid.uuid4(), uuid.uuid4(), None, label, datetime(2026, 11, 1, tzinfo=UTC), {})
    return RunGroup(str(run.id), [run])


def test_a_kept_run_is_renamed_with_f2_and_deleted_with_delete(qtbot, monkeypatch):
    """Rename was only in the Runs list's context menu; Delete did nothing in the list."""
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_groups([_group("crash"), _group("latency")])
    panel.tree.setCurrentItem(panel.tree.topLevelItem(1))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("latency, retries on", True))
    renamed, deleted = [], []
    panel.rename_requested.connect(lambda group, label: renamed.append((group.label, label)))
    panel.delete_requested.connect(lambda group: deleted.append(group.label))
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    assert renamed == [("latency", "latency, retries on")]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert deleted == ["latency"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up)
    assert panel.selected().label == "crash"


def test_tab_leaves_the_comparison_table_and_never_stops_on_the_plots(qtbot, tmp_path):
    from PySide6.QtCore import QSettings, Qt

    from app.main_window import MainWindow
    from app.run.ui import install
    from app.store import Autosave, RecentFiles

    w = MainWindow(QSettings(str(tmp_path / "k.ini"), QSettings.Format.IniFormat), RecentFiles(tmp_path / "r"),
                   Autosave(tmp_path / "a"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    dashboard = ui.dashboard
    assert not dashboard.table.tabKeyNavigation()
    assert dashboard.plots_widget.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert dashboard.scroll.focusPolicy() == Qt.FocusPolicy.NoFocus
    ui.shutdown()
    w.close()
