"""The window on small and large screens: everything on screen, every form value whole, icons in theme."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QLineEdit, QWidget
from run_builders import make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.panes.fields import DurationEditor, NumberEditor
from app.window_fit import fit_to_screen
from engine.model import Project

SCREENS = [(1280, 720), (1920, 1080)]


def _on_window(window, widget: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.fixture
def small_window(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    yield w
    ui.shutdown()
    w.close()


def _fit(qtbot, window, width: int, height: int) -> QRect:
    rect = fit_to_screen(None, QRect(0, 0, width, height))
    window.setGeometry(rect)
    qtbot.wait(50)
    return rect


@pytest.mark.parametrize("screen", SCREENS)
def test_the_window_fits_the_screen_with_every_pane_and_the_run_controls_on_it(qtbot, small_window, screen):
    w = small_window
    ui = w.run_ui
    rect = _fit(qtbot, w, *screen)
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(20)
    run_and_wait(qtbot, ui)  # the dashboard takes half the height for its plots
    qtbot.wait(50)
    assert w.width() <= rect.width() and w.height() <= rect.height(), "the window's minimum size is too large"
    assert rect.height() <= screen[1] - 32  # room for a title bar
    docks = [d for d in w.findChildren(QDockWidget) if d.isVisible()]
    assert {"dashboardDock", "eventLogDock", "propertiesDock"} <= {d.objectName() for d in docks}
    for dock in docks:
        dock.raise_()  # a tab behind another is parked off the window until raised
        qtbot.wait(10)
        assert _on_window(w, dock), dock.objectName()
        assert _on_window(w, dock.widget()), dock.objectName()
    shown = [child for child in ui.toolbar.findChildren(QWidget) if child.isVisible()]
    assert ui.duration_spin in shown and ui.experiment_combo in shown
    for child in shown:
        assert _on_window(w, child), child
    # The plots scroll within their area rather than being squeezed: the area is on the window.
    for widget in (ui.dashboard.slider, ui.dashboard.scroll, w.statusBar()):
        assert widget.isVisible() and _on_window(w, widget), widget
    bottom_row = ui.dashboard.plots["queue"]
    assert bottom_row.sceneBoundingRect().bottom() <= ui.dashboard.plots_widget.height()


def _whole_values(form) -> list[str]:
    """The editors of ``form`` whose value is cut off, or whose unit lies outside the pane."""
    cut = []
    for path, editor in form.editors.items():
        if not editor.isVisible() or not isinstance(editor, (NumberEditor, DurationEditor)):
            continue
        text = editor.text() or editor.placeholderText()
        room = editor.contentsRect().width() - editor.textMargins().left() - editor.textMargins().right() - 4
        if editor.fontMetrics().horizontalAdvance(text) > room:
            cut.append(f"{path}: {text!r} in {room} px")
    return cut


@pytest.mark.parametrize("screen", SCREENS)
def test_resilience_forms_show_whole_values_and_units(qtbot, small_window, screen):
    w = small_window
    _fit(qtbot, w, *screen)
    api = w.document.component_named("api")
    w.document.set_selection([api.id])
    w.resilience_dock.raise_()
    pane = w.resilience
    assert pane.list.count() == 3
    for row in range(pane.list.count()):
        pane.list.setCurrentRow(row)
        form = pane.form
        # The scroll area takes the new form's height from a posted event: let the layout settle.
        qtbot.waitUntil(lambda form=form: not _problems(form), timeout=20_000)
        assert not _problems(form), _problems(form)


def _problems(form) -> list[str]:
    """Values cut off, units pushed out of the pane, rows squeezed below their height."""
    found = _whole_values(form)
    viewport = form.parentWidget().parentWidget()
    for label in form.findChildren(QLabel):
        if label.isVisible() and label.property("secondary") and label.text() in ("%", "s", "ms"):
            if label.mapTo(viewport, QPoint(label.width(), 0)).x() > viewport.width():
                found.append(f"unit {label.text()} hidden")
    for path, editor in form.editors.items():
        if editor.isVisible() and editor.height() < editor.minimumSizeHint().height():
            found.append(f"{path}: squeezed to {editor.height()} px")
    return found


def test_a_number_editor_asks_for_the_width_of_its_value():
    editor = NumberEditor(True)
    editor.set_value(100_000)
    needed = editor.fontMetrics().horizontalAdvance("100000")
    assert editor.minimumSizeHint().width() >= needed + 4
    free_text = QLineEdit()
    assert free_text.minimumSizeHint().width() < needed  # only numbers and durations insist


def test_a_first_start_takes_the_screen_less_the_frame_and_a_restored_window_comes_back_on_it():
    small = QRect(0, 0, 1280, 720)
    first = fit_to_screen(None, small)
    assert small.contains(first) and first.height() <= 720 - 32 and first.width() >= 1200
    big = fit_to_screen(None, QRect(0, 0, 2560, 1440))
    assert (big.width(), big.height()) == (1600, 1000)
    # Saved on a large monitor, opened on a laptop: resized and moved back.
    restored = fit_to_screen(QRect(1500, 400, 1600, 1000), small)
    assert small.contains(restored) and restored.y() >= 32
    kept = QRect(100, 100, 900, 500)
    assert fit_to_screen(kept, small) == kept


def _icon_lightness(button) -> float:
    image = button.icon().pixmap(48, 48).toImage()
    values = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    opaque = [c.lightnessF() for c in values if c.alpha() > 150]
    assert opaque, "the icon is empty"
    return sum(opaque) / len(opaque)


def test_pane_icons_follow_the_theme(qtbot, small_window):
    w = small_window
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    try:
        w.set_theme("dark")
        assert _icon_lightness(w.faults.add_button) > 0.6
        assert _icon_lightness(w.resilience.add_button) > 0.6
        w.set_theme("light")
        for button in (w.faults.add_button, w.faults.new_exp, w.faults.remove_button, w.resilience.add_button,
                       w.resilience.remove_button):
            assert _icon_lightness(button) < 0.4, button.toolTip() or button.text()
    finally:
        app.setStyle(old_style)
        app.setPalette(old_palette)
        app.setStyleSheet(old_sheet)


def test_the_fault_timeline_spans_the_run_the_controls_describe(qtbot, small_window):
    ui = small_window.run_ui
    timeline = small_window.faults.timeline
    ui.duration_spin.setValue(45)
    assert timeline.run_duration == 45
    assert timeline.horizon() >= 45
    ui.duration_spin.setValue(600)
    assert timeline.run_duration == 600 and timeline.horizon() >= 600


def test_the_event_log_writes_half_open_in_a_tone_that_reads_on_either_background(qtbot, qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMainWindow

    from app import theme
    from app.run.event_log import EventLog
    from app.run.formatting import COLOURS, text_colour

    window = QMainWindow()
    log = EventLog()
    window.setCentralWidget(log)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    model = log.model
    model.events = [{"time": 1.0, "kind": "breaker_half_open", "component": "api", "link": "api -> db",
                     "details": "OPEN -> HALF_OPEN", "variant": "protected"}]

    def kind_colour() -> str:
        return model.data(model.index(0, 3), Qt.ItemDataRole.ForegroundRole).name().upper()

    old, old_sheet = qapp.palette(), qapp.styleSheet()
    try:
        # With the application's style sheet set, the widgets within a window get no PaletteChange
        # when only the palette changes: the log hears of it at its window, without the deprecated
        # paletteChanged signal.
        qapp.setStyleSheet(theme.stylesheet("light"))
        qapp.setPalette(theme.light_palette())
        qtbot.waitUntil(lambda: kind_colour() == text_colour(COLOURS["breaker.half_open"]).upper())
        qapp.setPalette(theme.dark_palette())
        qtbot.waitUntil(lambda: kind_colour() == COLOURS["breaker.half_open"].upper())
        qapp.setPalette(theme.light_palette())
        qtbot.waitUntil(lambda: kind_colour() == text_colour(COLOURS["breaker.half_open"]).upper())
    finally:
        qapp.setStyleSheet(old_sheet)
        qapp.setPalette(old)


def test_a_fault_after_the_end_of_the_run_is_flagged_in_the_faults_pane(qtbot, small_window):
    ui = small_window.run_ui
    pane = small_window.faults
    ui.set_experiment("database outage")
    ui.duration_spin.setValue(40)
    assert "after the run ends" not in pane.list.item(0).text()  # the outage starts at 10 s
    ui.duration_spin.setValue(8)
    assert pane.list.item(0).text().endswith("— after the run ends")
    assert "a run is refused" in pane.list.item(0).toolTip()
    ui.duration_spin.setValue(15)  # the outage's 10-20 s window is cut by the end of the run
    assert pane.list.item(0).text().endswith("— ends after the run")
    assert "shorten the fault" in pane.list.item(0).toolTip()
    ui.duration_spin.setValue(40)
    assert "after the run" not in pane.list.item(0).text()


@pytest.mark.parametrize("screen", SCREENS)
def test_properties_and_fault_forms_show_whole_values(qtbot, small_window, screen):
    w = small_window
    _fit(qtbot, w, *screen)
    w.properties_dock.raise_()
    for component in w.document.design.components:
        w.document.set_selection([component.id])
        form = w.properties.form
        qtbot.waitUntil(lambda form=form: not _problems(form), timeout=20_000)
    w.faults_dock.raise_()
    form = w.faults.form
    assert form is not None
    qtbot.waitUntil(lambda form=form: not _problems(form), timeout=20_000)


def test_the_experiment_box_shows_every_bundled_experiments_name_whole(qtbot, small_window):
    """Seen at 1280x720: "slow recommendati", cut without an ellipsis."""
    import json

    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from app.resources import EXAMPLES

    w = small_window
    ui = w.run_ui
    _fit(qtbot, w, 1280, 720)
    combo = ui.experiment_combo
    assert _on_window(w, combo)
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    names = [e["name"] for path in EXAMPLES.glob("*.json")
             for e in json.loads(path.read_text(encoding="utf-8")).get("experiments", [])]
    assert names
    for name in names:
        assert combo.fontMetrics().horizontalAdvance(name) <= room, (name, room)


def test_a_clients_rate_preview_spans_the_run_as_long_as_it_is_set(qtbot, small_window):
    from app.panes.fields import RatePreview

    ui, doc = small_window.run_ui, small_window.document
    ui.duration_auto.setChecked(False)
    ui.duration_spin.setValue(150)
    doc.set_selection([doc.component_named("users").id])
    previews = small_window.properties.findChildren(RatePreview)
    assert previews and previews[0].points[-1][0] == 150  # spanned a minute, whatever the run
    ui.duration_spin.setValue(40)
    assert previews[0].points[-1][0] == 40
