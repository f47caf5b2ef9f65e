"""A new architect's first hour, in the panes: drawing a checkout design from an empty project at
1280x720, guarding its database calls, and reading what the window and the report then say."""
from __future__ import annotations

from editor_helpers import add

from app.document.wording import settings_words
from engine.model.resilience import POLICY_CLASSES


def _checkout(doc) -> dict:
    ids = {"shoppers": add(doc, "client", -300, 0, "shoppers"), "lb": add(doc, "load_balancer", -60, 0, "lb"),
           "checkout": add(doc, "service", 180, 0, "checkout", instances=3),
           "orders db": add(doc, "database", 420, 0, "orders db")}
    for a, b in [("shoppers", "lb"), ("lb", "checkout"), ("checkout", "orders db")]:
        _link, reason = doc.edit.connect(ids[a], ids[b])
        assert reason is None
    return ids


def _inside(widget, viewport) -> bool:
    """Whether ``widget`` lies wholly within ``viewport``'s width (a scroll area's visible part)."""
    left = widget.mapTo(viewport, widget.rect().topLeft()).x()
    return left >= 0 and left + widget.width() <= viewport.width()


def test_a_links_latency_summary_reads_whole_in_the_properties_pane_at_1280x720(window, qtbot):
    # The link's latency editor sits beside its label: "p50 500 µs · p99 500 µs · mean 500 µs" on
    # one line was wider than the pane, and read "mean 500 µ" with the form pushed past the edge.
    window.resize(1280, 720)
    doc = window.document
    _checkout(doc)
    link = doc.design.link("checkout -> orders db")
    doc.set_selection([link.id])
    window.properties_dock.raise_()
    qtbot.wait(50)
    latency = window.properties.form.editors["latency"]
    summary = latency.summary
    viewport = window.properties_dock.widget().viewport()
    assert "mean" in summary.text() and summary.isVisible()
    assert summary.minimumSizeHint().width() <= summary.width()
    assert _inside(summary, viewport) and _inside(latency._editors["value"], viewport)
    # Lines break between figures, never inside one ("500" on a line, "µs" on the next).
    lines = summary.text().split(" · ")
    assert all(" " not in figure for figure in lines)


def test_a_link_or_the_design_is_titled_from_the_pane_s_left_edge(window, qtbot):
    # An empty icon still took its place before the title: a link's title stood indented from the
    # line under it, as if it belonged to something else.
    doc = window.document
    _checkout(doc)
    pane = window.properties
    body = pane.title.parentWidget()
    for selection in ([doc.design.link("lb -> checkout").id], []):
        doc.set_selection(selection)
        qtbot.wait(20)
        assert pane.title.mapTo(body, pane.title.rect().topLeft()).x() == \
            pane.subtitle.mapTo(body, pane.subtitle.rect().topLeft()).x()
    doc.set_selection([doc.component_named("checkout").id])
    qtbot.wait(20)
    assert pane.icon.isVisible() and not pane.icon.pixmap().isNull()


def test_the_outcomes_a_retry_retries_are_said_in_the_forms_words(doc):
    # The report's policy table and the undo label wrote the identifier "short_circuited", where
    # the Resilience pane's check box reads "short circuited".
    retry = POLICY_CLASSES["retry"]()
    assert "short circuited" in settings_words(retry) and "short_circuited" not in settings_words(retry)
    cid = _checkout(doc)["checkout"]
    pid = doc.edit.add_policy(cid, "retry", None)
    doc.edit.set_policy_fields(cid, pid, {"retry_on": ["timeout", "short_circuited"]})
    assert doc.undo_stack.undoText().endswith("timeout, short circuited")

