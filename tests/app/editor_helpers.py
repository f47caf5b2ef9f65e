"""Small builders shared by the editor tests."""
from __future__ import annotations


def add(document, kind, x=0.0, y=0.0, name=None, **fields):
    return document.edit.add_component(kind, (x, y), name=name, **fields)


def build_three_tier(doc) -> dict:
    """client -> lb -> web -> db, plus a cache beside web: the shape of the bundled example."""
    ids = {
        "users": add(doc, "client", -400, 0, "users"),
        "lb": add(doc, "load_balancer", -160, 0, "lb"),
        "web": add(doc, "service", 80, 0, "web"),
        "cache": add(doc, "cache", 320, -120, "cache"),
        "db": add(doc, "database", 320, 120, "db"),
    }
    for a, b in [("users", "lb"), ("lb", "web"), ("web", "cache"), ("web", "db"), ("cache", "db")]:
        _link, reason = doc.edit.connect(ids[a], ids[b])
        assert reason is None
    doc.undo_stack.setClean()
    return ids


def mouse(view, kind, scene_pos, button=None, buttons=None, modifiers=None, viewport=False):
    """Send one mouse event to a canvas view at a scene position (pytest-qt cannot drag with a button held).

    With ``viewport`` the position is in viewport pixels instead (for panning, which moves the scene).
    """
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    types = {"press": QEvent.Type.MouseButtonPress, "move": QEvent.Type.MouseMove,
             "release": QEvent.Type.MouseButtonRelease}
    local = QPointF(scene_pos) if viewport else QPointF(view.mapFromScene(scene_pos))
    global_ = QPointF(view.viewport().mapToGlobal(local.toPoint()))
    button = Qt.MouseButton.LeftButton if button is None else button
    if buttons is None:
        buttons = Qt.MouseButton.NoButton if kind == "release" else button
    event = QMouseEvent(types[kind], local, global_, Qt.MouseButton.NoButton if kind == "move" else button,
                        buttons, modifiers or Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def drag(view, start, end, steps=6, button=None, modifiers=None, viewport=False):
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates unless ``viewport``)."""
    from PySide6.QtCore import QPointF

    mouse(view, "press", start, button, modifiers=modifiers, viewport=viewport)
    for i in range(1, steps + 1):
        t = i / steps
        mouse(view, "move", QPointF(start.x() + (end.x() - start.x()) * t, start.y() + (end.y() - start.y()) * t),
              button, modifiers=modifiers, viewport=viewport)
    mouse(view, "release", end, button, modifiers=modifiers, viewport=viewport)


def drop_kind(view, kind, scene_pos):
    """Deliver the palette's drag data to the canvas as a drop (QDrag.exec itself blocks)."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from app.canvas import ComponentPalette

    mime = ComponentPalette().kind_mime(kind)
    pos = view.mapFromScene(scene_pos)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    return drop.isAccepted()


def type_text(qtbot, editor, text):
    """Replace a line edit's text by typing, then press Enter (commits like a user would)."""
    from PySide6.QtCore import Qt

    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def choose(combo, value=None, index=None):
    """Pick an entry of a combo box as the user would (the activated signal)."""
    i = combo.findData(value) if index is None else index
    assert i >= 0, f"{value!r} not offered"
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def select_new(document, kind, name):
    """A new component of ``kind`` at the origin, selected: the panes then show it."""
    cid = document.edit.add_component(kind, (0, 0), name=name)
    document.set_selection([cid])
    return cid


def add_policy(window, cid, kind):
    """The resilience pane showing component ``cid`` with a new policy of ``kind`` open in its form."""
    pane = window.resilience
    pane.show_component(cid)
    pane.add_policy(kind)
    return pane


def count_calls(monkeypatch, counts, cls, name) -> None:
    """Count in ``counts`` (a Counter, by "Class.method") every call of ``cls.name`` from now on."""
    import functools

    original = getattr(cls, name)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        counts[f"{cls.__name__}.{name}"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)
