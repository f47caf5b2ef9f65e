"""Link labels fit their link: elided when the link is short, the whole text in the tooltip."""
from __future__ import annotations

from app.canvas.link_item import _label_font


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
