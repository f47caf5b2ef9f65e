"""Tab in a pane, and F6 to a pane, in the order its fields are laid out.

Qt keeps one tab order for the window, the order widgets were made: a pane's notes made before
its form, a distribution's editors made when it is bound, an objective's card made again on each
edit, were reached after everything below them, or from another pane.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLayout, QScrollArea, QWidget


def tab_in_layout(root: QWidget, forward: bool) -> bool:
    """For a pane's ``focusNextPrevChild``: move the focus as Tab (``forward``) or Shift+Tab would
    through the fields under ``root`` in the order they are laid out, top to bottom, and out of the
    pane past its first or last; False when the focus is not in it (Qt's own order then)."""
    current = QApplication.focusWidget()
    # Qt asks the same when it hides the focused field (its pane tabbed away): that is no Tab
    if current is None or not current.isVisible() or not root.isAncestorOf(current):
        return False
    target = next_in_layout(root, current, forward) or _outside(root, current, forward)
    if target is None:
        return False
    target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    return True


def next_in_layout(root: QWidget, current: QWidget | None, forward: bool = True) -> QWidget | None:
    """The field Tab (``forward``) or Shift+Tab goes to from ``current`` among those laid out
    under ``root``; None from outside them, or past the first or the last."""
    takers = [w for w in in_layout_order(root)
              if w is not root and w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    # the innermost field holding the focus (an editor's own line edit holds it for the editor)
    here = next((i for i in reversed(range(len(takers)))
                 if current is not None and (takers[i] is current or takers[i].isAncestorOf(current))), None)
    if here is None:
        return None
    there = here + (1 if forward else -1)
    return takers[there] if 0 <= there < len(takers) else None


def _outside(root: QWidget, current: QWidget, forward: bool) -> QWidget | None:
    """The first field after (or before) ``current`` in Qt's chain that is not under ``root``:
    past a pane's last field Tab leaves it, rather than going round to a field of its own."""
    widget: QWidget | None = current
    seen = set()
    while widget is not None and id(widget) not in seen:
        seen.add(id(widget))
        widget = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
        if (widget is not None and widget is not root and not root.isAncestorOf(widget) and widget.isVisible()
                and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            return widget
    return None


def in_layout_order(widget: QWidget):
    """``widget`` and the widgets under it (in its layout, in its scroll area), as laid out."""
    yield widget
    inner = widget.widget() if isinstance(widget, QScrollArea) else None
    layout = widget.layout()
    if inner is not None:
        yield from in_layout_order(inner)
    elif layout is not None:
        yield from _layout_items(layout)


def _layout_items(layout: QLayout):
    for i in range(layout.count()):
        item = layout.itemAt(i)
        child = item.widget() if item is not None else None
        nested = item.layout() if item is not None else None
        if child is not None:
            yield from in_layout_order(child)
        elif nested is not None:
            yield from _layout_items(nested)
