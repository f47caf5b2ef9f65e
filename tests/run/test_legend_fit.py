"""The dashboard's legend takes one line where its entries fit, in short forms if need be; exports
and the tooltip carry it whole."""
from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QTextDocument
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run.breaker_strip import BreakerStrip
from app.run.elide import ELLIPSIS, LegendLabel
from app.run.plot_style import LEGEND_SEPARATOR, clip_title, legend_order, title_width


def _lines(label) -> int:
    """The lines the label's text takes at its width (its minimum height keeps room for two)."""
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(label.font())
    doc.setHtml(label.shown_text())
    doc.setTextWidth(label.contentsRect().width())
    return doc.lineCount()


def test_a_legend_shortens_its_last_entries_first_and_wraps_only_when_even_short_forms_do_not_fit(qtbot):
    label = LegendLabel(" · ")
    qtbot.addWidget(label)
    label.show()
    entries = [("alpha", "alpha"), ("bravo bravo bravo", "bravo"), ("charlie charlie charlie", "charlie")]
    label.set_entries(entries)
    whole = label.fontMetrics().horizontalAdvance("alpha · bravo bravo bravo · charlie charlie charlie")
    short = label.fontMetrics().horizontalAdvance("alpha · bravo bravo bravo · charlie")
    label.resize(whole + 20, 100)
    assert label.shown_text() == "alpha · bravo bravo bravo · charlie charlie charlie" and not label.toolTip()
    label.resize((whole + short) // 2, 100)
    assert label.shown_text() == "alpha · bravo bravo bravo · charlie"
    assert label.toolTip() == label.text() == "alpha · bravo bravo bravo · charlie charlie charlie"
    label.resize(label.fontMetrics().horizontalAdvance("alpha · bravo"), 100)
    assert label.shown_text() == "alpha · bravo · charlie"  # all short, and wrapped


def test_an_entry_with_a_shortest_form_takes_it_only_once_every_entry_is_short(qtbot):
    """The microservices example's fault, "latency on recommendations", wrapped the legend onto a
    second line at 1280x720, and the burn plot's time axis below the fold."""
    label = LegendLabel(" · ")
    qtbot.addWidget(label)
    label.show()
    entries = [("alpha alpha", "alpha"), ("fault on a long name 60-120 s", "fault on a long name", "fault")]
    label.set_entries(entries)
    metrics = label.fontMetrics()
    label.resize(metrics.horizontalAdvance("alpha alpha · fault on a long name") + 4, 100)
    assert label.shown_text() == "alpha alpha · fault on a long name"
    label.resize(metrics.horizontalAdvance("alpha · fault") + 4, 100)
    assert label.shown_text() == "alpha · fault" and _lines(label) == 1
    assert label.text() == "alpha alpha · fault on a long name 60-120 s"


@pytest.mark.parametrize("screen", [(1280, 720), (1920, 1080)])
def test_after_a_comparison_the_legend_is_one_line_and_the_strip_keys_the_breaker_states(qtbot, shop,  # noqa: F811
                                                                                         screen, tmp_path):
    w, ui = compared_at(qtbot, shop, screen)
    dashboard = ui.dashboard
    legend = dashboard.legend_label
    assert _lines(legend) == 1, legend.shown_text()
    assert legend.height() < 2 * legend.fontMetrics().lineSpacing()
    # Each entry whole or in its short form, never cut further.
    entries = legend._entries
    shown = legend.shown_text().split(LEGEND_SEPARATOR)
    assert len(shown) == len(entries) and all(s in pair for s, pair in zip(shown, entries))
    assert ELLIPSIS not in legend.shown_text()
    for word in ("browsers", "with", "timeout", "crash on db"):
        assert word in legend.shown_text()
    # The breaker states are keyed where their colours are drawn, the strip's title, uncut.
    assert "half-open" not in legend.text()
    title = dashboard.plots["breakers"].titleLabel
    drawn = title.item.toPlainText()
    assert all(word in drawn for word in ("closed", "half-open", "open")) and not title._cut, drawn
    assert title_width(dashboard.plots["breakers"], title.text) <= title.rect().width()
    assert "open (short-circuits calls)" in title.toolTip()
    # Pictures and the report keep the whole key.
    svg = dashboard.export_svg(tmp_path / "plots.svg").read_text(encoding="utf-8")
    assert "open (short-circuits calls)" in svg and "breakers:" in svg
    report = ui.export_report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert "open (short-circuits calls)" in report


def test_the_breaker_strip_names_itself_where_it_has_the_room_and_keeps_its_key_where_it_has_not(qtbot):
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    plot = view.addPlot()
    clip_title(plot)
    strip = BreakerStrip(plot)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    assert plot.titleLabel.item.toPlainText() == "Circuit breakers"  # no breakers yet: no key
    strip.build(["api -> db"], 60.0)
    qtbot.wait(20)
    assert plot.titleLabel.text == strip.key_forms[0]
    # Just wide enough for the second form, then the third: each is taken, whole.
    # The title spans the row names' axis as well as the view.
    def title_room() -> float:
        return plot.vb.width() + plot.getAxis("left").width()
    for form in (1, 2):
        room = title_width(plot, strip.key_forms[form]) + 2
        view.resize(round(view.width() - title_room() + room), 200)
        qtbot.waitUntil(lambda f=form: plot.titleLabel.text == strip.key_forms[f], timeout=10_000)
        assert title_width(plot, strip.key_forms[form - 1]) > title_room()
        assert "half-open" in plot.titleLabel.item.toPlainText() and not plot.titleLabel._cut
    view.resize(900, 200)
    qtbot.waitUntil(lambda: plot.titleLabel.text == strip.key_forms[0])


def test_entries_give_way_in_the_order_asked(qtbot):
    label = LegendLabel(" · ")
    qtbot.addWidget(label)
    label.show()
    entries = [("alpha alpha", "alpha"), ("bravo bravo", "bravo"), ("charlie charlie", "charlie")]
    label.set_entries(entries, order=[2, 0, 1])
    metrics = label.fontMetrics()
    label.resize(metrics.horizontalAdvance("alpha · bravo bravo · charlie") + 4, 100)
    assert label.shown_text() == "alpha · bravo bravo · charlie"  # the middle one kept whole


@pytest.mark.parametrize("baseline", [False, True])
def test_at_1280_the_legend_keeps_to_one_line_with_a_baseline_too(qtbot, shop, baseline):  # noqa: F811
    w, ui = shop
    ui.baseline_action.setChecked(baseline)
    _fit(qtbot, w, 1280, 720)
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    legend = dashboard.legend_label
    assert _lines(legend) == 1, legend.shown_text()
    entries = legend._entries
    outcomes = legend_order(dashboard.session, dashboard.components)[-1]
    assert "timeout" in entries[outcomes][0]  # the outcomes give way last
    # The runs are told apart in words that say which ("no", for "no faults", said nothing).
    assert "— with -- without" in legend.shown_text()
    assert ("··· no faults" in legend.shown_text()) == baseline
    # Two runs never need the outcomes' abbreviations (a third may, as the docks leave room).
    assert baseline or "short-circuited" in legend.shown_text()
