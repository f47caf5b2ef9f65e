"""A minimap in the canvas's corner: the whole design in small, with the part in view outlined.

Shown only while the design is bigger than what the view shows. Each
component is a box in its kind's colour (text would be unreadable at that
size, and boxes stay cheap to paint on a design of hundreds). Clicking or
dragging on the minimap centres the view there.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ..resources import kind_colour

SIZE = (200, 130)  # pixels, at most; the minimap keeps the design's proportions
MARGIN = 10  # from the view's corner
PAD = 6  # inside the minimap, around the design


class Minimap(QWidget):
    """Overlay of a ``CanvasView``'s viewport; follows the scene's changes and the view's moves."""

    def __init__(self, view) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("minimap")
        self.setToolTip("The whole design: click or drag to look at another part")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._design = QRectF()
        self._cache: tuple[tuple, list[tuple[QRectF, QColor]]] | None = None  # _boxes() and what for
        self.hide()
        view.canvas.changed.connect(self.refresh)
        view.zoom_changed.connect(self.refresh)
        view.horizontalScrollBar().valueChanged.connect(self.refresh)
        view.verticalScrollBar().valueChanged.connect(self.refresh)

    def design_rect(self) -> QRectF:
        """The scene area the components cover."""
        scene = self.view.scene()  # None once the scene is gone, as a window closes
        return scene.nodes_rect() if scene is not None else QRectF()

    def needed(self, design: QRectF | None = None) -> bool:
        """Whether part of the design (the area its components cover, if known) is out of view."""
        design = self.design_rect() if design is None else design
        return not design.isNull() and not self.view.visible_scene_rect().contains(design)

    def refresh(self, *_args) -> None:
        """Show or hide as the design and the view now call for, and repaint."""
        self._design = self.design_rect()
        wanted = self.needed(self._design)
        if wanted:
            self._place()
            self.update()
        if wanted != self.isVisible():
            self.setVisible(wanted)

    def _place(self) -> None:
        w, h = SIZE
        design = self._design.united(self.view.visible_scene_rect())  # what the minimap draws
        if design.width() > 0 and design.height() > 0:
            ratio = design.width() / design.height()
            if ratio > w / h:
                h = max(40, int(w / ratio) + 2 * PAD)
            else:
                w = max(60, int(h * ratio) + 2 * PAD)
        port = self.view.viewport().rect()
        self.setGeometry(port.right() - w - MARGIN, port.bottom() - h - MARGIN, w, h)

    def _scale(self) -> tuple[float, QPointF]:
        """Scene-to-minimap scale and the scene point at the minimap's top-left padding."""
        area = self._area()
        design = self._design.united(self.view.visible_scene_rect())
        scale = min(area.width() / max(design.width(), 1.0), area.height() / max(design.height(), 1.0))
        # Centre the drawing in the minimap.
        origin = QPointF(design.center().x() - area.width() / 2 / scale,
                         design.center().y() - area.height() / 2 / scale)
        return scale, origin

    def _area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(PAD, PAD, -PAD, -PAD)

    def to_scene(self, point: QPointF) -> QPointF:
        """The scene point under a point of the minimap."""
        scale, origin = self._scale()
        return origin + (point - self._area().topLeft()) / scale

    def to_map(self, rect: QRectF) -> QRectF:
        """A scene rectangle in minimap coordinates."""
        return self._mapping()(rect)

    def _mapping(self):
        """Scene rectangles to minimap ones, with the scale worked out once (a paint maps every node)."""
        scale, origin = self._scale()
        corner = self._area().topLeft()

        def to_map(rect: QRectF) -> QRectF:
            return QRectF(corner + (rect.topLeft() - origin) * scale, rect.size() * scale)
        return to_map

    def paintEvent(self, event) -> None:
        if self.view.scene() is None:
            return
        colours = self.view.canvas.colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        background = QColor(colours.node_fill)
        background.setAlpha(235)
        painter.setPen(QPen(colours.node_border, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        painter.setPen(Qt.PenStyle.NoPen)
        for box, colour in self._boxes():
            painter.setBrush(colour)
            painter.drawRect(box)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colours.selection, 1.5))
        painter.drawRect(self.to_map(self.view.visible_scene_rect()))

    def _boxes(self) -> list[tuple[QRectF, QColor]]:
        """The nodes' boxes in minimap coordinates and their colours, measured again only when a node
        comes, goes or moves, or the minimap's scale changes: the canvas repaints with every step of
        a run's time slider, the minimap with it, and measuring a thousand nodes each time took a
        fifth of the step."""
        canvas = self.view.canvas
        scale, origin = self._scale()
        key = (canvas.nodes_version, scale, origin.x(), origin.y(), self._area().getRect())
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        to_map = self._mapping()
        boxes = []
        for item in canvas.node_items():
            box = to_map(item.mapRectToScene(item.body_rect()))
            if box.width() < 2 or box.height() < 2:  # a design of thousands: a dot each, still visible
                box.setSize(QSizeF(max(box.width(), 2), max(box.height(), 2)))
            boxes.append((box, kind_colour(item.view.kind)))
        self._cache = (key, boxes)
        return boxes

    def mousePressEvent(self, event) -> None:
        self.view.centerOn(self.to_scene(event.position()))
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self.to_scene(event.position()))
        event.accept()
