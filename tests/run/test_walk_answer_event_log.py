"""Finding the breaker opening in the event log of a database outage, in the dock beside a 1280x720
window's dashboard: the filter chosen must read whole."""
from __future__ import annotations

from PySide6.QtCore import QRect
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)

from app.run.event_log import EventLog, kind_label

LOG_WIDTH = 436  # the event log dock beside the dashboard at 1280x720


def test_the_kind_filter_reads_whole_in_a_narrow_dock(qtbot, window):  # noqa: F811
    """With "breaker opened" chosen the Kind filter read "bre": the row's other parts, the whole
    run names ("without resilience") and the count, took its room."""
    window.run_ui.compare_action.setChecked(True)
    session = run_and_wait(qtbot, window.run_ui)
    log = EventLog()
    qtbot.addWidget(log)
    log.resize(LOG_WIDTH, 300)
    log.show()
    qtbot.waitExposed(log)
    log.show_session(session)
    log.set_filter(kind="breaker_opened")
    qtbot.wait(20)  # the row is laid out again on a posted event
    combo = log.kind_combo
    assert combo.currentText() == kind_label("breaker_opened")
    assert combo.width() >= combo.sizeHint().width()
    assert log.component_combo.width() >= log.component_combo.sizeHint().width()
    # the runs named as the table's Run column names them, their whole names in the tooltips
    assert [log.variant_combo.itemText(i) for i in range(log.variant_combo.count())] == \
        ["all runs", "with", "without"]
    assert log.variant_combo.itemData(2, 3) == "without resilience"  # 3: Qt's tooltip role
    # the count and CSV… whole, side by side, inside the log
    count, csv = (QRect(w.mapTo(log, w.rect().topLeft()), w.size()) for w in (log.count_label, log.csv_button))
    assert log.rect().contains(count) and log.rect().contains(csv) and not count.intersects(csv)
    assert count.width() >= log.count_label.fontMetrics().horizontalAdvance(log.count_label.text())
    # made wide again, the count goes back beside the filters
    log.resize(900, 300)
    qtbot.wait(20)
    assert abs(log.count_label.mapTo(log, log.count_label.rect().topLeft()).y()
               - combo.mapTo(log, combo.rect().topLeft()).y()) < combo.height()
