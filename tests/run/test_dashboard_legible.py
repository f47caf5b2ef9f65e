"""What the 1280x720 and 1920x1080 screenshots of a comparison showed cut or crossed, and must not.

Plot titles and the design name were cut mid-word with no sign ("Error rate by outcom"), the event
log's Kind column cut "instance restarted" to "instance …", the objectives' dashed lines ran through
their own labels, and the burn plot's two recovery labels touched in a short plot.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QTextDocument
from test_dashboard_layout import shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run.elide import ELLIPSIS
from app.run.event_log import KIND_COLUMN, kind_label
from app.run.verdict_view import _burn_y

SCREENS = [(1280, 720), (1920, 1080)]


def _scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


@pytest.fixture
def compared(qtbot, shop, request):  # noqa: F811
    w, ui = shop
    _fit(qtbot, w, *request.param)
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    qtbot.wait(100)
    return w, ui


@pytest.mark.parametrize("compared", SCREENS, indirect=True)
def test_titles_fit_their_room_or_end_in_an_ellipsis(compared):
    w, ui = compared
    dashboard = ui.dashboard
    plots = dict(dashboard.plots, burn=ui.verdicts.burn_plot)
    for key, plot in plots.items():
        title = plot.titleLabel
        shown = title.item.toPlainText()
        assert title.item.boundingRect().width() <= title.rect().width() + 1, (key, shown)
        whole = QTextDocument()
        whole.setHtml(title.text)
        assert shown.endswith(ELLIPSIS) or shown == whole.toPlainText(), (key, shown)
    # The full title stays what the exports and the theme's recolouring read.
    assert plots["errors"].titleLabel.text.startswith("Error rate by outcome")
    titles = ((dashboard.title_label, "Three-tier web shop"), (dashboard.table_box.title, "one replication"))
    for label, words in titles:
        assert label.sizeHint().width() <= label.contentsRect().width() + 1, label.shown_text()
        assert words in label.text()
        if label.shown_text() != label.text():  # cut, or a shorter form of its own (the table's)
            assert words in label.toolTip()
            assert ELLIPSIS in label.shown_text() or label.shown_text() in label._shorter
    # The reasons and the values under the cursor share a line: each is cut with an ellipsis, never mid-word.
    dashboard.set_cursor(61.0)
    for label in (dashboard.why_label, dashboard.readout):
        assert label.isVisible() and label.sizeHint().width() <= label.contentsRect().width() + 1, label.shown_text()
        assert label.shown_text() == label.text() or ELLIPSIS in label.shown_text()
    assert dashboard.why_label.toolTip().count("• the breaker on") == 2  # every reason, as before


def test_a_title_cut_short_comes_back_whole_when_widened(qtbot, shop):  # noqa: F811
    w, ui = shop
    _fit(qtbot, w, 1280, 720)
    plot = ui.dashboard.plots["errors"]
    title = plot.titleLabel
    title.resize(60, title.size().height())
    assert title.item.toPlainText().endswith(ELLIPSIS)
    assert title.item.boundingRect().width() <= 61
    title.resize(400, title.size().height())
    assert title.item.toPlainText() == "Error rate by outcome"


@pytest.mark.parametrize("compared", SCREENS, indirect=True)
def test_the_event_log_shows_every_kind_whole(compared):
    w, ui = compared
    log = ui.event_log
    kinds = {e["kind"] for e in log.model.events}
    assert "instance_restarted" in kinds
    metrics = log.view.fontMetrics()
    width = log.view.columnWidth(KIND_COLUMN)
    for kind in kinds:
        words = kind_label(kind)
        # What the table draws in the cell's text room (the style's margins on both sides).
        assert metrics.horizontalAdvance(words) + 8 <= width, (words, width)


@pytest.mark.parametrize("compared", [(1280, 720)], indirect=True)
def test_threshold_labels_sit_on_the_plot_background_and_follow_the_theme(compared, qtbot):
    w, ui = compared
    overlay = ui.verdicts
    assert {key for key, _line, _value in overlay._threshold_lines} == {"errors", "latency"}
    for key, line, _value in overlay._threshold_lines:
        # On the plot, in its units: "p99 ≤ 250 ms" was drawn at 250 on an axis in seconds, out of sight.
        low, high = ui.dashboard.plots[key].vb.viewRange()[1]
        assert low <= line.value() <= high, (key, line.value())
        fill = line.label.fill.color()
        assert fill.alpha() >= 200
        assert fill.rgb() == ui.dashboard.palette().base().color().rgb()
    w.set_theme("dark" if ui.dashboard.palette().base().color().lightness() >= 128 else "light")
    qtbot.wait(50)
    for _key, line, _value in overlay._threshold_lines:
        assert line.label.fill.color().rgb() == ui.dashboard.palette().base().color().rgb()


@pytest.mark.parametrize("compared", SCREENS, indirect=True)
def test_recovery_labels_on_the_burn_plot_never_touch(compared):
    w, ui = compared
    marks = ui.verdicts._marks
    assert len(marks) >= 2
    view = _scene_rect(ui.verdicts.burn_plot.vb)
    rects = [_scene_rect(line.label) for line in marks]
    for i, a in enumerate(rects):
        assert view.left() - 1 <= a.left() and a.right() <= view.right() + 1, marks[i].label.toPlainText()
        assert view.top() - 1 <= a.top() and a.bottom() <= view.bottom() + 1, marks[i].label.toPlainText()
        for b in rects[i + 1:]:
            assert not a.adjusted(0, 0, 0, 1).intersects(b), (a, b)


@pytest.mark.parametrize("compared", SCREENS, indirect=True)
def test_the_run_title_reads_whole_and_the_buttons_stay_on_screen(compared):
    # At 1280x720 the buttons beside it left the title "Three-ti…": it takes a line of its own
    # when they leave it too little room.
    w, ui = compared
    dashboard = ui.dashboard
    title = dashboard.title_label
    assert ELLIPSIS not in title.shown_text() and "finished" in title.text()
    assert title.toolTip() == ""
    assert title.sizeHint().width() <= title.contentsRect().width() + 1
    for button in (dashboard.report_button, dashboard.keep_button, dashboard.components_button):
        assert dashboard.rect().contains(button.geometry()), button.text()
    # On a line of its own or not, the title and the buttons come before the verdict banner.
    banner = ui.verdicts.banner
    assert title.geometry().bottom() < banner.geometry().top(), (title.geometry(), banner.geometry())
    assert dashboard.report_button.geometry().bottom() < banner.geometry().top()
    # The title shares the buttons' line again when the dock is wide enough for both.
    if w.width() >= 1920:
        assert abs(title.geometry().center().y() - dashboard.report_button.geometry().center().y()) <= 3


def test_a_narrow_run_title_drops_its_details_before_the_designs_name(qtbot, shop):  # noqa: F811
    w, ui = shop
    _fit(qtbot, w, 1280, 720)
    ui.replications_spin.setValue(2)
    run_and_wait(qtbot, ui)
    title = ui.dashboard.title_label
    whole = "Three-tier web shop · database outage · seed 1 · 2 replications · finished"
    metrics = title.fontMetrics()
    # A dock narrower than the title (docked beside another, or the window made small): the seed
    # and replications go, then the experiment; the whole title is in the tooltip. (Alone on its
    # line the title asks for the line's width at most: released here to stand for a narrower dock.)
    title.setMinimumWidth(0)
    for shown in ("Three-tier web shop · database outage · finished", "Three-tier web shop · finished"):
        title.resize(metrics.boundingRect(shown).width() + 24, title.height())  # the bold name is wider
        document = QTextDocument()
        document.setHtml(title.shown_text())
        assert document.toPlainText() == shown
        assert title.toolTip() == whole
    title.resize(metrics.horizontalAdvance("Three-tier"), title.height())
    document = QTextDocument()
    document.setHtml(title.shown_text())
    assert document.toPlainText().startswith("Three-") and document.toPlainText().endswith(ELLIPSIS)
    assert title.toolTip() == whole


@pytest.mark.parametrize("compared", SCREENS, indirect=True)
def test_the_budget_pace_label_stays_inside_the_burn_plot(compared, qtbot):
    # Drawn above its line, it lost its top when the line was near the top of the plot: burn rates
    # within budget (the y range ends just over 1x), as every run starts.
    w, ui = compared
    plot = ui.verdicts.burn_plot
    pace = next(item for item in plot.items if isinstance(item, pg.InfiniteLine)
                and item.label is not None and item.label.toPlainText() == "budget pace")
    view = _scene_rect(plot.vb)
    for top in (1.0, 100.0):
        plot.setYRange(0, float(_burn_y(top)) * 1.1, padding=0)
        qtbot.wait(20)
        label = _scene_rect(pace.label)
        assert view.top() - 1 <= label.top() and label.bottom() <= view.bottom() + 1, (top, label, view)
        assert view.left() - 1 <= label.left(), (top, label, view)


@pytest.mark.parametrize("compared", SCREENS[:1], indirect=True)
def test_log_latency_keeps_the_thresholds_in_view_and_fits_the_data(compared, qtbot):
    # pyqtgraph's own fit of a log axis counted each threshold line as y = 0 (1 s): the axis always
    # reached 1 s, and a threshold above 1 s could be out of view.
    w, ui = compared
    dashboard = ui.dashboard
    plot = dashboard.plots["latency"]
    dashboard.log_latency.setChecked(True)
    dashboard.flush()
    values = np.concatenate([c.values for c in dashboard._curves if c.plot == "latency"])
    values = values[np.isfinite(values) & (values > 0)]

    def check(marks):
        bottom, top = plot.vb.viewRange()[1]
        highest, lowest = max(values.max(), *marks), min(values.min(), *marks)
        assert bottom <= math.log10(lowest) and math.log10(highest) <= top, (bottom, top, marks)
        # Whole decades, none of them empty above the highest value or below the lowest.
        assert top - math.log10(highest) <= 1.0 and math.log10(lowest) - bottom <= 1.0, (bottom, top, marks)

    check([0.25])
    dashboard.keep_in_view("latency", [5.0])  # an objective above 1 s
    check([5.0])
    dashboard.keep_in_view("latency", [])
    check([values.max()])
    # Linear again: the stepped fit from 0, the threshold kept in view as before.
    dashboard.keep_in_view("latency", [5.0])
    dashboard.log_latency.setChecked(False)
    bottom, top = plot.vb.viewRange()[1]
    assert bottom == 0 and top >= 5.0


@pytest.mark.parametrize("compared", SCREENS[:1], indirect=True)
def test_why_opens_every_reason_in_full_from_the_mouse_or_the_keyboard(compared, qtbot):
    """The line of reasons is cut to its width and the rest was in a tooltip alone: nothing the
    keyboard could reach, nor anyone who does not hover."""
    from PySide6.QtCore import Qt

    from app.run.dashboard_header import WHY_LINK
    from app.run.plot_style import esc

    w, ui = compared
    dashboard = ui.dashboard
    label = dashboard.why_label
    assert f'<a href="{WHY_LINK}">Why</a>' in label.text()
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    label.linkActivated.emit(WHY_LINK)
    box = dashboard.reasons_box
    assert box is not None and box.isVisible()
    reasons = [f.text for f in dashboard.session.findings()]
    assert len(reasons) > 1 and all(esc(reason) in box.informativeText() for reason in reasons)
    box.close()
