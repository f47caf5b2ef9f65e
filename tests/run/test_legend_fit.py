"""The dashboard's legend takes one line where its entries fit, in short forms if need be; exports
and the tooltip carry it whole."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument
from test_dashboard_layout import shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run.elide import LegendLabel


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


@pytest.mark.parametrize("screen", [(1920, 1080)])
def test_after_a_comparison_the_legend_is_one_line_and_exports_carry_it_whole(qtbot, shop, screen):  # noqa: F811
    w, ui = shop
    _fit(qtbot, w, *screen)
    run_and_wait(qtbot, ui)
    qtbot.wait(50)
    legend = ui.dashboard.legend_label
    assert _lines(legend) == 1, legend.shown_text()
    # Every entry is there, the breakers' colours too; the whole wording is in the tooltip.
    for word in ("browsers", "with", "timeout", "crash on db", "breakers:", "half-open"):
        assert word in legend.shown_text()
    assert "open (short-circuits calls)" in legend.text() and legend.toolTip() == legend.text()
