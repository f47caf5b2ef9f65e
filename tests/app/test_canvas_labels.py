"""Link labels fit their link: elided when the link is short, the whole text in the tooltip."""
from __future__ import annotations

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from app.canvas.link_item import _label_font
from app.canvas.node_item import badges_that_fit, policy_badge
from engine.model import POLICY_CLASSES


def linked(doc, gap: float):
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("database", (gap, 0), name="b")
    link_id, reason = doc.edit.connect(a, b)
    assert reason is None
    return link_id


def test_a_label_longer_than_its_link_is_elided_and_the_tooltip_keeps_it(window):
    item = window.scene.link_item(linked(window.document, 320))
    text = "12,345/s · 1,234 retries/s · 99 % failed · and more words than any link can hold"
    shown = item.fitted(text)
    _font, metrics = _label_font()
    assert shown.endswith("…") and text.startswith(shown[:-1])
    assert metrics.horizontalAdvance(shown) + 8 <= item._length - 16
    item.set_live(text)
    assert text in item.toolTip()
    assert item.fitted("40/s") == "40/s"


def test_on_a_link_too_short_for_any_word_nothing_is_drawn(window):
    item = window.scene.link_item(linked(window.document, 180))
    assert item.fitted("a label of some length") == ""


class _Recorder(QPainter):
    """A painter that notes the words drawn through it."""

    def __init__(self, device):
        super().__init__(device)
        self.words: list[str] = []

        self.plates: list = []

    def drawText(self, *args):  # noqa: N802  (Qt's name)
        self.words.append(args[-1])
        self.plates.append(args[0])
        super().drawText(*args)


def _drawn(item) -> list[str]:
    return list(_painted(item))


def _painted(item) -> dict:
    """The words the link draws, with the rectangles they are drawn in."""
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    painter = _Recorder(image)
    try:
        item.paint(painter, QStyleOptionGraphicsItem())
    finally:
        painter.end()
    return dict(zip(painter.words, painter.plates))


def test_live_figures_too_long_for_their_link_show_in_a_shorter_form_never_cut(window):
    item = window.scene.link_item(linked(window.document, 240))
    _font, metrics = _label_font()
    full, rate = "210/s · 3.4 retries/s · 12 % failed", "210/s"
    assert metrics.horizontalAdvance(full) > item._length - 24 >= metrics.horizontalAdvance(rate)
    item.set_live(full, True, shorter=("210/s · 12 % failed", rate))
    drawn = _drawn(item)
    assert rate in drawn and not any("…" in words for words in drawn)
    assert full in item.toolTip()  # the whole figures where the link has no room for them
    # A long link shows them all.
    long = window.scene.link_item(linked(window.document, 600))
    long.set_live(full, shorter=(rate,))
    assert full in _drawn(long)


def test_live_figures_keep_off_the_nodes_at_a_curved_links_ends(window):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("cache", (240, -110), name="b")
    link_id, _reason = doc.edit.connect(a, b)
    item = window.scene.link_item(link_id)
    full, rate = "230/s · 3 % failed", "230/s"
    assert item.fitted(full) == full  # the curve is long enough for the words, its ends are close
    item.set_live(full, shorter=(rate,))
    drawn = _painted(item)
    live = [words for words in drawn if words in (full, rate)]
    assert live, drawn
    # Clear of the nodes and of the tags above them (a breaker's "OPEN", "1 down").
    nodes = [item.mapRectFromItem(node, node.boundingRect()) for node in (item.source, item.target)]
    assert not any(drawn[live[0]].intersects(node) for node in nodes), live


def test_a_links_label_keeps_off_the_nodes_at_a_curved_links_ends(window):
    # Elided by the link's length only, "500 µs · ×3 · 20 %" ran into the cache it pointed at.
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("cache", (240, -80), name="b")
    link_id, _reason = doc.edit.connect(a, b)
    item = window.scene.link_item(link_id)
    full = "500 µs · ×3 · 20 %"
    item.set_label(full, [])
    assert item.fitted(full) == full  # long enough by its length
    drawn = _painted(item)
    nodes = [item.mapRectFromItem(node, node.boundingRect()) for node in (item.source, item.target)]
    assert drawn, "no label at all"
    for words, plate in drawn.items():
        assert not any(plate.intersects(node) for node in nodes), words
        # Fewer of its parts, never a figure cut: "500 µs · ×3" or "500 µs".
        assert full.startswith(words) and (words == full or full[len(words):].startswith(" · ")), words
    assert full in item.toolTip()
    # With room around it, the whole label.
    far = window.scene.link_item(linked(doc, 600))
    far.set_label(full, [])
    assert full in _drawn(far)


def test_badges_that_do_not_fit_a_node_are_counted_not_drawn_past_its_edge(window):
    doc = window.document
    db = doc.edit.add_component("service", (0, 0), name="db")
    for kind in ("circuit_breaker", "retry", "timeout", "bulkhead"):
        doc.edit.add_policy(db, kind)
    experiment = doc.edit.add_experiment()
    for kind in ("crash", "latency", "error"):
        doc.edit.add_fault(experiment, kind, "db")
    item = window.scene.node_item(db)
    painted = _painted(item)
    body = item.boundingRect()
    more = [word for word in painted if word.startswith("+")]
    assert len(more) == 1
    badges = [word for word in painted if word in {policy_badge(k) for k in POLICY_CLASSES} or word.startswith("⚡")]
    # faults too many to show each are counted in one badge of theirs ("⚡ 3 faults"), never in the "+N"
    counted = sum(int(word.split()[1]) if word.endswith(" faults") else 1 for word in badges)
    assert 2 <= len(badges) and int(more[0][1:]) == 7 - counted
    for word in [*badges, more[0]]:
        assert painted[word].right() <= body.right() - 8


def test_badges_fit_all_or_leave_room_for_the_count_of_the_rest():
    def more(_hidden):
        return 20

    assert badges_that_fit([30, 30], 63, more) == 2
    assert badges_that_fit([50, 40, 50], 120, more) == 2
    assert badges_that_fit([50, 40, 50], 60, more) == 0
