"""The window on the screen it opens on: a size that fits, and panes that scroll rather than overflow."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from .panes.fields import FollowingScrollArea

# What a window manager adds around the client area: a title bar above, thin borders elsewhere.
TITLE_BAR, BORDER = 32, 8
PREFERRED_SIZE = QSize(1600, 1000)


def fit_to_screen(wanted: QRect | None, available: QRect) -> QRect:
    """Window (client) geometry inside ``available``, a screen's free area, with room for the frame.

    ``wanted`` None means a first start: the preferred size, or all the room there is, centred.
    A wanted rectangle keeps its size where it fits and is moved back onto the screen.
    """
    left, top = available.x() + BORDER, available.y() + TITLE_BAR
    room = QSize(max(1, available.width() - 2 * BORDER), max(1, available.height() - TITLE_BAR - BORDER))
    size = (PREFERRED_SIZE if wanted is None else wanted.size()).boundedTo(room)
    if wanted is None:
        x, y = left + (room.width() - size.width()) // 2, top + (room.height() - size.height()) // 2
    else:
        x = min(max(wanted.x(), left), left + room.width() - size.width())
        y = min(max(wanted.y(), top), top + room.height() - size.height())
    return QRect(x, y, size.width(), size.height())


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless area that scrolls when its dock is smaller than the widget."""
    area = FollowingScrollArea()
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area
