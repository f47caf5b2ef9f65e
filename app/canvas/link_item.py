"""A link on the canvas: a curve from caller to callee with an arrow head and its latency."""
from __future__ import annotations

import math
import uuid
from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyle

from .tooltips import LazyToolTipItem

ARROW = 9.0
COARSE_ZOOM = 0.45  # below this zoom links are drawn plainly, all at once, without labels
_COARSE_STEPS = tuple(i / 6 for i in range(7))
_LABEL: list = []  # (font, metrics), made on first paint: fonts need the application to exist


def _label_font() -> tuple[QFont, QFontMetricsF]:
    if not _LABEL:
        font = QFont()
        font.setPointSizeF(7.5)
        _LABEL.append((font, QFontMetricsF(font)))
    return _LABEL[0]


def controls(start: QPointF, end: QPointF, vertical: bool = False) -> tuple[QPointF, QPointF]:
    """The two control points of a link's cubic curve."""
    if vertical:
        sign = 1.0 if end.y() >= start.y() else -1.0
        dy = sign * max(30.0, abs(end.y() - start.y()) * 0.5)
        return QPointF(start.x(), start.y() + dy), QPointF(end.x(), end.y() - dy)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    return QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y())


def curve(start: QPointF, end: QPointF, vertical: bool = False) -> QPainterPath:
    """An S-curve: left to right between side-by-side nodes, top to bottom between stacked ones."""
    path = QPainterPath(start)
    c1, c2 = controls(start, end, vertical)
    path.cubicTo(c1, c2, end)
    return path


def _bezier(p0: QPointF, p1: QPointF, p2: QPointF, p3: QPointF, ts: Sequence[float]) -> list[QPointF]:
    """Points of the cubic curve at each ``t`` of ``ts``. In plain floats: QPointF arithmetic, one
    wrapped object per step, made a drag of a thousand links cost a tenth of a second per move."""
    x0, y0, x1, y1 = p0.x(), p0.y(), p1.x(), p1.y()
    x2, y2, x3, y3 = p2.x(), p2.y(), p3.x(), p3.y()
    out = []
    for t in ts:
        u = 1.0 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append(QPointF(a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def anchors(source, target) -> tuple[QPointF, QPointF, bool]:
    """Where a link leaves its source and enters its target, and whether it runs vertically.

    Side by side (target to the right): right handle to left edge. Stacked
    (target overlapping in x, clearly above or below): bottom to top or top
    to bottom, which avoids a loop around the nodes.
    """
    s = source.mapRectToScene(source.body_rect())
    t = target.mapRectToScene(target.body_rect())
    if t.left() >= s.right() + 20 or t.right() < s.left() - 20 and abs(t.center().y() - s.center().y()) < s.height():
        return source.mapToScene(source.port_pos()), target.mapToScene(target.in_pos()) - QPointF(2, 0), False
    if t.top() >= s.bottom() + 10:
        return QPointF(s.center().x(), s.bottom()), QPointF(t.center().x(), t.top() - 2), True
    if t.bottom() <= s.top() - 10:
        return QPointF(s.center().x(), s.top()), QPointF(t.center().x(), t.bottom() + 2), True
    return source.mapToScene(source.port_pos()), target.mapToScene(target.in_pos()) - QPointF(2, 0), False


class LinkItem(LazyToolTipItem):
    """Draws one link between two node items; knows their items, not the model."""

    def __init__(self, link_id: uuid.UUID, source, target, label: str, colours, faults: list[str] | None = None):
        super().__init__()
        self.name = f"{source.view.name} -> {target.view.name}"
        self.link_id = link_id
        self.source = source
        self.target = target
        self.label = label
        self.faults = faults or []
        self.colours = colours
        self._path = QPainterPath()
        self._shape = QPainterPath()
        self._hover = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        # No pixmap cache: a long link's cache pixmap is huge and would evict the nodes' caches.
        self._arrow = QPolygonF()
        self._label_at = QPointF()
        self._end = QPointF()
        self._bounds = QRectF()
        # A run's figures for this link (calls, retries, failures), drawn under the label; "" when none.
        self.live_text = ""
        self.live_shorter: tuple[str, ...] = ()  # the same figures in fewer words, for short links
        self.live_alarm = False
        # Whether a paint since the link was last asked to repaint for its figures drew its labels;
        # False if only zoomed too far out for any, None if not painted since.
        self._labels_painted: bool | None = None
        self._shown_label: str | None = None  # label_shown()'s answer until the link moves or is relabelled
        self.adjust()

    def _changed(self) -> None:
        scene = self.scene()
        if scene is not None and hasattr(scene, "overview"):
            scene.overview.invalidate()

    def set_label(self, label: str, faults: list[str]) -> None:
        self._changed()
        self.prepareGeometryChange()
        self.name = f"{self.source.view.name} -> {self.target.view.name}"
        self.label = label
        self.faults = faults
        self._shown_label = None
        self.tooltip_changed()
        self.update()

    def _tooltip_text(self) -> str:
        # Whatever a label cannot show in full on a short link, the tooltip shows.
        return (f"{self.name}<br>{self.label}"
                + (f"<br>Faults: {', '.join(self.faults)}" if self.faults else "")
                + (f"<br>In the run: {self.live_text}" if self.live_text else ""))

    def set_colours(self, colours) -> None:
        self.colours = colours
        self.update()

    def set_live(self, text: str, alarm: bool = False, shorter: Sequence[str] = ()) -> None:
        """Show a run's figures for this link under its label ("" hides them).

        ``alarm`` draws them in the fault colour. ``shorter`` are shorter forms of ``text``, longest
        first: a link too short for ``text`` shows the first that fits whole.
        """
        shorter = tuple(shorter)
        if text == self.live_text and alarm == self.live_alarm and shorter == self.live_shorter:
            return
        self.live_text, self.live_alarm, self.live_shorter = text, alarm, shorter
        self.tooltip_changed()
        # Zoomed out too far for labels, new figures change no pixel: repainting a thousand links for
        # them made every step of a run's time slider repaint the whole canvas. A zoom, a hover or a
        # selection repaints the link anyway.
        if self._labels_painted is not False:
            self._labels_painted = None
            self.update()

    def adjust(self) -> None:
        """Follow the end nodes after they moved."""
        self.prepareGeometryChange()
        start, end, vertical = anchors(self.source, self.target)
        c1, c2 = controls(start, end, vertical)
        self._path = QPainterPath(start)
        self._path.cubicTo(c1, c2, end)
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._shape = stroker.createStroke(self._path)
        self._bounds = self._shape.boundingRect().adjusted(-60, -20, 60, 36)  # room for the label and live figures
        # Arrow head along the curve's end tangent, and the label spot, worked out once per move.
        # Straight from the control points: QPainterPath's percent look-ups measure arc length, slowly.
        tangent = end - c2 if (end - c2).manhattanLength() > 1e-6 else end - start
        angle = math.atan2(tangent.y(), tangent.x())
        left = end - QPointF(math.cos(angle - 0.4) * ARROW, math.sin(angle - 0.4) * ARROW)
        right = end - QPointF(math.cos(angle + 0.4) * ARROW, math.sin(angle + 0.4) * ARROW)
        self._arrow = QPolygonF([end, left, right])
        self._end = QPointF(end)
        self._length = self._path.length()
        # Past the middle: links fanning out of one node spread apart there, so labels collide less.
        self._label_at = _bezier(start, c1, c2, end, (0.62 if self._length > 160 else 0.5,))[0]
        # Zoomed far out a few straight segments look the same and cost a fraction of a curve.
        self._coarse = QPolygonF(_bezier(start, c1, c2, end, _COARSE_STEPS))
        self._shown_label = None
        self._changed()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def hit_end(self, scene_pos: QPointF) -> bool:
        """Whether a press at ``scene_pos`` grabs the arrow head (to relink)."""
        d = scene_pos - self._end
        return d.x() * d.x() + d.y() * d.y() <= 12 * 12

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if painter.worldTransform().m11() < COARSE_ZOOM and not self._hover and not self.isSelected():
            if self._labels_painted is None:
                self._labels_painted = False
            return  # zoomed far out, LinkOverview draws every link in one call
        self._labels_painted = True
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        c = self.colours
        colour = c.selection if selected else (c.fault if self.faults else c.link)
        if self._hover and not selected:
            colour = colour.lighter(130) if c.dark else colour.darker(130)
        pen = QPen(colour, 2.4 if selected else 1.6)
        if self.faults:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(self._arrow)
        if selected:
            # A handle on the arrow head: drag it to another component to relink.
            painter.setPen(QPen(c.node_fill, 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(self._end, 5, 5)
        self._draw_label(painter, self.label_shown(), self._label_at,
                         colour if (selected or self.faults) else c.node_subtext)
        live, at = self.live_shown()
        if live:
            self._draw_label(painter, live, at, c.fault if self.live_alarm else c.node_text)

    def _label_text(self) -> str:
        return self.label + ("  ⚡ " + ", ".join(self.faults) if self.faults else "")

    def _off_nodes(self, text: str, at: QPointF) -> bool:
        """Whether ``text``'s plate at ``at`` keeps off the nodes at the link's ends and their tags.

        On a curved link the label's spot is nearer its ends than the link's length says.
        """
        rect = _plate(text, at, _label_font()[1])
        return not any(rect.intersects(self.mapRectFromItem(node, node.boundingRect()))
                       for node in (self.source, self.target))

    def label_shown(self) -> str:
        """The label as drawn: the longest run of its leading parts ("500 µs · ×3" of
        "500 µs · ×3 · 20 %") that fits the link whole and keeps off the nodes at its ends, else the
        whole label elided to the link's length if that keeps off them, else "" (the tooltip has it).
        """
        if self._shown_label is None:  # worked out once per move or relabel, not per paint
            self._shown_label = self._choose_label()
        return self._shown_label

    def _choose_label(self) -> str:
        text = self._label_text()
        if not text:
            return ""
        parts = self.label.split(" · ")
        # The faults' names go first: the dashed link in the fault colour says as much.
        forms = dict.fromkeys([text, *(" · ".join(parts[:n]) for n in range(len(parts), 0, -1))])
        for form in forms:
            if form and self.fitted(form) == form and self._off_nodes(form, self._label_at):
                return form
        cut = self.fitted(text)
        return cut if cut and self._off_nodes(cut, self._label_at) else ""

    def live_shown(self) -> tuple[str, QPointF]:
        """The run's figures as drawn, and where: the longest form that fits the link whole and
        keeps off the nodes at its ends ("" if none does), under the label if that is drawn.

        Figures are never cut: "210/…" could be any number from 210 up.
        """
        at = self._label_at + QPointF(0, 16) if self.label_shown() else QPointF(self._label_at)
        for form in (self.live_text, *self.live_shorter):
            if form and self.fitted(form) == form and self._off_nodes(form, at):
                return form, at
        return "", at

    def fitted(self, text: str) -> str:
        """``text`` as it fits along the link, elided if need be; "" if not even a word's start would fit.

        A label wider than its link would reach over the nodes at its ends.
        """
        _font, metrics = _label_font()
        room = self._length - 16 - 8
        if metrics.horizontalAdvance(text) <= room:
            return text
        short = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        return short if len(short) > 3 else ""

    def _draw_label(self, painter: QPainter, text: str, mid: QPointF, pen_colour) -> None:
        """One line of text on a rounded plate centred at ``mid``, elided to the link's length."""
        text = self.fitted(text)
        if not text:
            return
        font, metrics = _label_font()
        painter.setFont(font)
        rect = _plate(text, mid, metrics)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colours.link_label_bg)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(pen_colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _plate(text: str, mid: QPointF, metrics: QFontMetricsF) -> QRectF:
    """The rounded plate a label is drawn on, centred at ``mid``."""
    w = metrics.horizontalAdvance(text) + 8
    return QRectF(mid.x() - w / 2, mid.y() - 8, w, 15)


class LinkOverview(QGraphicsItem):
    """Every link as plain segments in one paint call, for zoom levels where detail is invisible.

    Hundreds of link items each stroking a curve cost more than a frame
    while panning a large design; one ``drawLines`` call per colour does not.
    Link items skip painting at those zoom levels (unless selected or hovered).
    """

    def __init__(self, scene):
        super().__init__()
        self.canvas = scene
        self.setZValue(-0.5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._dirty = True
        self._normal: list[QLineF] = []
        self._faulty: list[QLineF] = []
        self._bounds = QRectF()

    def invalidate(self) -> None:
        """Links changed: rebuild the segments before the next coarse paint (not during drags)."""
        if not self._dirty:
            self._dirty = True
            self.update()

    def set_bounds(self, rect: QRectF) -> None:
        """The scene's extent, kept by the scene, so that moving links never re-indexes this item."""
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect)

    def _rebuild(self) -> None:
        self._normal, self._faulty = [], []
        for link in self.canvas.link_items():
            target = self._faulty if link.faults else self._normal
            points = [link._coarse.at(i) for i in range(link._coarse.count())]
            target.extend(QLineF(a, b) for a, b in zip(points, points[1:]))
            arrow = link._arrow
            if arrow.count() == 3:
                target.append(QLineF(arrow.at(0), arrow.at(1)))
                target.append(QLineF(arrow.at(0), arrow.at(2)))
        self._dirty = False

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if painter.worldTransform().m11() >= COARSE_ZOOM:
            return
        if self._dirty:
            self._rebuild()
        c = self.canvas.colours
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        # Cosmetic one-pixel pens: a scaled 1.6 would shrink below a pixel and fade out.
        pen = QPen(c.link, 1)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLines(self._normal)
        pen = QPen(c.fault, 1, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLines(self._faulty)
