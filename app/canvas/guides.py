"""Alignment guides: while one component is dragged, it snaps to the centres and edges of the others.

The guide wins over the grid on the axis it aligns, so a component can line
up with one placed off the grid; the lines it aligned to are drawn across
the canvas until the button is released.
"""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

SNAP_DISTANCE = 8.0  # scene units: near enough to mean "in line with"


def _marks(left: float, width: float) -> tuple[float, float, float]:
    return left, left + width / 2, left + width


def align(body: QRectF, others: list[QRectF], distance: float = SNAP_DISTANCE) -> tuple[float | None, float | None]:
    """The x and y (of the body's top-left) that line it up with another body, or None per axis.

    Each axis compares the body's start, centre and end with those of every
    other body and takes the nearest match within ``distance``.
    """
    found = []
    for axis in (0, 1):
        start, size = (body.left(), body.width()) if axis == 0 else (body.top(), body.height())
        best: tuple[float, float] | None = None
        for other in others:
            o_start, o_size = (other.left(), other.width()) if axis == 0 else (other.top(), other.height())
            for mine in _marks(start, size):
                for theirs in _marks(o_start, o_size):
                    gap = abs(theirs - mine)
                    if gap <= distance and (best is None or gap < best[0]):
                        best = (gap, start + theirs - mine)
        found.append(None if best is None else best[1])
    return found[0], found[1]


def guide_lines(body: QRectF, others: list[QRectF]) -> list[QLineF]:
    """The lines to draw for a body in line with others: each shared centre or edge, across both bodies."""
    lines = []
    for other in others:
        span = body.united(other)
        for mine, theirs in zip(_marks(body.left(), body.width()), _marks(other.left(), other.width())):
            if abs(mine - theirs) < 0.5:
                lines.append(QLineF(mine, span.top() - 12, mine, span.bottom() + 12))
        for mine, theirs in zip(_marks(body.top(), body.height()), _marks(other.top(), other.height())):
            if abs(mine - theirs) < 0.5:
                lines.append(QLineF(span.left() - 12, mine, span.right() + 12, mine))
    return lines


class AlignmentGuides(QGraphicsItem):
    """The guide lines of the drag under way; ``start`` with the dragged node, ``snap`` each move, ``stop``."""

    def __init__(self, colour) -> None:
        super().__init__()
        self.colour = colour
        self.setZValue(1000)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.lines: list[QLineF] = []
        self._node = None
        self._others: list[QRectF] = []
        self._bounds = QRectF()

    @property
    def active(self) -> bool:
        return self._node is not None

    def start(self, node, others) -> None:
        """Follow ``node``'s drag; ``others`` are the node items it may line up with."""
        self._node = node
        self._others = [o.mapRectToScene(o.body_rect()) for o in others if o is not node]

    def snap(self, pos: QPointF, grid_pos: QPointF) -> QPointF:
        """Where the dragged node goes for a wanted ``pos``: in line with another node, else ``grid_pos``."""
        if self._node is None:
            return grid_pos
        local = self._node.body_rect()
        body = local.translated(pos)
        x, y = align(body, self._others)
        result = QPointF(grid_pos.x() if x is None else x - local.left(),
                         grid_pos.y() if y is None else y - local.top())
        self._set_lines(guide_lines(local.translated(result), self._others) if (x, y) != (None, None) else [])
        return result

    def stop(self) -> None:
        self._node, self._others = None, []
        self._set_lines([])

    def _set_lines(self, lines: list[QLineF]) -> None:
        if lines == self.lines:
            return
        self.prepareGeometryChange()
        self.lines = lines
        bounds = QRectF()
        for line in lines:
            bounds = bounds.united(QRectF(line.p1(), line.p2()).normalized().adjusted(-2, -2, 2, 2))
        self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.lines:
            return
        pen = QPen(self.colour, 0, Qt.PenStyle.DashLine)  # cosmetic: one pixel at any zoom
        painter.setPen(pen)
        painter.drawLines(self.lines)


def start_guides(scene, node) -> AlignmentGuides:
    """Guides for dragging ``node`` among the scene's other nodes, shown in the selection colour."""
    guides = AlignmentGuides(scene.colours.selection)
    scene.addItem(guides)
    guides.start(node, scene.node_items())
    return guides


def stop_guides(scene, guides: AlignmentGuides | None) -> None:
    """End a drag's guides and take their lines off the canvas."""
    if guides is not None:
        guides.stop()
        scene.removeItem(guides)
