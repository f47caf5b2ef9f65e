"""A component on the canvas: kind icon, name, key figures, badges and, during a run, its health."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from engine.model import COMPONENT_CLASSES, FAULT_CLASSES, POLICY_CLASSES

from ..resources import kind_colour, kind_pixmap
from .tooltips import LazyToolTipItem

NODE_WIDTH = 160.0
NODE_HEIGHT = 64.0
NAME_POINTS = 10.0
# Zoomed out until the name would be smaller than this on screen, a node shows its name alone,
# drawn at this size: after a run the canvas shares the window with the plots and fits the design
# at a third of its size or less, where the names were three points tall and the health colours
# could not be told apart by component.
LEGIBLE_POINTS = 7.5
COARSE_LOD = 0.25
PORT_RADIUS = 6.0
ICON_SIZE = 28
_LAST_PART = re.compile(r"[^\s\-_.:/]+$")


def elided_name(metrics: QFontMetricsF, name: str, width: float) -> str:
    """``name`` as it fits in ``width``: what does not fit is taken from before its last part, kept whole
    (a name of one part loses its middle).

    Siblings differ at the end ("service 10" and "service 110", "checkout-eu-1" and "checkout-eu-2"):
    cut at the right they all read "servic…", and cut in the middle still "se…10".
    """
    if metrics.horizontalAdvance(name) <= width:
        return name
    last = _LAST_PART.search(name)
    if last is None or last.start() == 0:
        return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width)
    tail = last.group(0)
    room = width - metrics.horizontalAdvance(tail)
    head = metrics.elidedText(name[: last.start()], Qt.TextElideMode.ElideRight, room)
    if len(head) < 2:  # not even a letter of the start beside the last part: the start goes
        return metrics.elidedText(name, Qt.TextElideMode.ElideLeft, width)
    return head + tail


def policy_badge(kind: str) -> str:
    """The few letters a node shows for a policy of ``kind`` (its model class's badge)."""
    return POLICY_CLASSES[kind].badge if kind in POLICY_CLASSES else "?"


def fault_badge(kind: str) -> str:
    """The word a node shows for a fault of ``kind`` (its model class's badge), after a bolt."""
    return "⚡ " + (FAULT_CLASSES[kind].badge if kind in FAULT_CLASSES else kind)


BADGE_GAP = 3


def badges_that_fit(widths: list[float], room: float, more_width) -> int:
    """How many badges of ``widths`` a node shows in ``room``: all if they fit, else as many as
    leave room for a "+N" badge (``more_width(N)`` wide) counting the rest."""
    if sum(widths) + BADGE_GAP * (len(widths) - 1) <= room:
        return len(widths)
    used = 0.0
    for shown, w in enumerate(widths):
        if used + w + BADGE_GAP + more_width(len(widths) - shown) > room:
            return shown
        used += w + BADGE_GAP
    return len(widths)


@dataclass(frozen=True)
class Badge:
    """One badge of a node: its text, colour, whether drawn solid (a policy switched off is dashed),
    and what it stands for in words."""

    text: str
    colour: QColor
    solid: bool
    words: str


def badge_row(alarms: list[Badge], others: list[Badge], room: float, width) -> tuple[list[Badge], list[Badge]]:
    """The badges a node shows in ``room`` (``width(text)`` wide each) and those folded into "+N".

    Alarms (faults) come first and are never folded: they are what a node must show during an
    experiment. Too many to show each, they are counted in one badge of their colour; the policies
    then take what room is left, the rest counted in "+N".
    """
    def more(hidden: int) -> float:
        return width(f"+{hidden}")

    if len(alarms) > 1:
        taken = sum(width(a.text) + BADGE_GAP for a in alarms)
        if taken - BADGE_GAP + (BADGE_GAP + more(len(others)) if others else 0) > room:
            alarms = [Badge(f"⚡ {len(alarms)} faults", alarms[0].colour, True, ", ".join(a.words for a in alarms))]
    room -= sum(width(a.text) + BADGE_GAP for a in alarms)
    shown = badges_that_fit([width(b.text) for b in others], room, more)
    hidden = others[shown:]
    folded = [Badge(f"+{len(hidden)}", hidden[0].colour, True, ", ".join(b.words for b in hidden))] if hidden else []
    return [*alarms, *others[:shown], *folded], hidden


BREAKER_LABELS = {"open": "OPEN", "half_open": "HALF-OPEN", "closed": "CLOSED"}

# How closely a node is painted: a box in its colours (zoomed far out), its name alone, everything.
_DETAIL_BOX, _DETAIL_NAME, _DETAIL_ALL = 0, 1, 2
# How much of NodeItem._health_look() a node painted at each detail shows: the box only its border's
# colour, the name alone also the load bar and the tags.
_LOOK_SHOWN = (1, 5, 6)


def _shown(look: tuple | None, detail: int | None) -> tuple | None:
    """What of a health ``look`` a node painted at ``detail`` shows; all of it when not painted."""
    return look if look is None or detail is None else look[:_LOOK_SHOWN[detail]]


# Fixed for every node (called thousands of times per frame, so built once).
_NODE_BOUNDS = QRectF(-NODE_WIDTH / 2 - 3, -NODE_HEIGHT / 2 - 12, NODE_WIDTH + PORT_RADIUS + 6, NODE_HEIGHT + 24)


@dataclass
class NodeView:
    """What a node shows: plain values copied from the model, never the model object itself."""

    name: str
    kind: str
    figures: str
    calls_out: bool
    policies: list[tuple[str, bool]] = field(default_factory=list)  # (kind, enabled)
    faults: list[str] = field(default_factory=list)  # fault kinds in the current experiment
    problems: list[str] = field(default_factory=list)


class NodeItem(LazyToolTipItem):
    """Draws one component; the scene maps component ids to these items and back."""

    def __init__(self, component_id: uuid.UUID, view: NodeView, colours):
        super().__init__()
        self.component_id = component_id
        self.view = view
        self.colours = colours
        self.health: dict | None = None
        self._look: tuple | None = None  # _health_look() of the health it has
        # The closest detail (a _DETAIL_* level) the node was painted at since it was last asked to
        # repaint for its health, None if not painted since: every cached picture of it shows that
        # much of _look.
        self._painted_detail: int | None = None
        self._hover = False
        self._link_target_state: bool | None = None  # True/False while a new link hovers here
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        # Panning a large design then blits cached pixmaps instead of re-rendering text.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)

    # -- state from the scene --------------------------------------------------
    def set_view(self, view: NodeView) -> None:
        self.prepareGeometryChange()
        self.view = view
        self.tooltip_changed()
        self.update()

    def set_colours(self, colours) -> None:
        self.colours = colours
        self._look = self._health_look()
        self.update()

    def set_health(self, health: dict | None) -> None:
        health = dict(health) if health else None
        if health == self.health:
            return
        self.health = health
        self.tooltip_changed()
        # A run recolours the canvas five times a second, and the time slider at every step; most
        # updates change no pixel, and repainting the cached pictures of a thousand nodes for nothing
        # took a sixth of a step. What changes a pixel depends on how closely the node was painted
        # since it was last repainted: zoomed out to a box, only a new colour does.
        look = self._health_look()
        before, self._look = self._look, look
        if _shown(look, self._painted_detail) != _shown(before, self._painted_detail):
            self._painted_detail = None
            self.update()

    def _health_look(self) -> tuple | None:
        """What the node shows of its health, from what a box far out shows to what it shows up close
        (see ``_LOOK_SHOWN``): border colour; load bar's length and colour, tags; figures."""
        h = self.health
        if not h:
            return None
        util = max(0.0, min(1.0, float(h.get("utilisation", 0.0) or 0.0)))
        return (_health_colour(h, self.colours).rgba(),
                round(util * 100), _load_band(util), int(h.get("crashed", 0) or 0), str(h.get("breaker") or ""),
                _health_text(h, short=True))

    def set_link_target_state(self, state: bool | None) -> None:
        if state != self._link_target_state:
            self._link_target_state = state
            self.update()

    def _tooltip_text(self) -> str:
        v = self.view
        kind = COMPONENT_CLASSES[v.kind].label if v.kind in COMPONENT_CLASSES else v.kind
        lines = [f"<b>{_esc(v.name)}</b> — {_esc(kind)}", _esc(v.figures)]
        if v.policies:
            lines.append("Resilience: " + ", ".join(_policy_words(k, on) for k, on in v.policies))
        if v.faults:
            lines.append("Faults in this experiment: " + ", ".join(_fault_words(f) for f in v.faults))
        shown, hidden = self._badges()
        if hidden:
            # what the "+N" badge stands for: a badge of its own has no tooltip
            lines.append(f"“{shown[-1].text}” on the node: {_esc(shown[-1].words)}")
        if self.health:
            lines.append(_health_text(self.health))
        for p in v.problems:
            lines.append(f"<span style='color:#d3362d'>⚠ {_esc(p)}</span>")
        if v.calls_out:
            lines.append("<i>Drag from the dot on the right edge to link to a dependency.</i>")
        return "<br>".join(x for x in lines if x)

    # -- geometry --------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return _NODE_BOUNDS

    def body_rect(self) -> QRectF:
        return QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.body_rect(), 8, 8)
        if self.view.calls_out:
            path.addEllipse(self.port_pos(), PORT_RADIUS + 3, PORT_RADIUS + 3)
        return path

    def port_pos(self) -> QPointF:
        """The outgoing-link handle, local coordinates."""
        return QPointF(NODE_WIDTH / 2, 0)

    def in_pos(self) -> QPointF:
        return QPointF(-NODE_WIDTH / 2, 0)

    def hit_port(self, local: QPointF) -> bool:
        if not self.view.calls_out:
            return False
        d = local - self.port_pos()
        return d.x() * d.x() + d.y() * d.y() <= (PORT_RADIUS + 5) ** 2

    # -- interaction -------------------------------------------------------------
    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self.scene() is not None:
            return self.scene().snapped(value)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene() is not None:
            self.scene().node_moved(self)
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def hoverMoveEvent(self, event):
        self.setCursor(Qt.CursorShape.CrossCursor if self.hit_port(event.pos()) else Qt.CursorShape.ArrowCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self.hit_port(event.pos()) and self.scene() is not None:
            self.scene().begin_link(self, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    # -- painting ------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        c = self.colours
        v = self.view
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        body = self.body_rect()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        detail = _DETAIL_BOX if lod < COARSE_LOD else _DETAIL_NAME if lod * NAME_POINTS < LEGIBLE_POINTS else \
            _DETAIL_ALL
        self._painted_detail = detail if self._painted_detail is None else max(detail, self._painted_detail)
        if detail == _DETAIL_BOX:
            self._paint_coarse(painter, body, selected)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)

        border = QColor(c.node_border)
        width = 1.2
        if self.health:
            border, width = _health_colour(self.health, c), 2.4
        if self._link_target_state is not None:
            border, width = (c.ok if self._link_target_state else c.bad), 2.6
        if selected:
            border, width = c.selection, 2.6
        elif self._hover and self._link_target_state is None and not self.health:
            border = border.darker(130) if not c.dark else border.lighter(140)

        path = QPainterPath()
        path.addRoundedRect(body, 8, 8)
        painter.fillPath(path, c.node_fill)
        # Kind colour as a stripe on the left edge, clipped to the rounded body.
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(body.left(), body.top(), 5, body.height()), kind_colour(v.kind))
        painter.restore()
        painter.setPen(QPen(border, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

        if detail == _DETAIL_NAME:
            self._paint_name_alone(painter, body, lod)
        else:
            self._paint_text(painter, body)

        self._paint_badges(painter, body)
        if self.health:
            self._paint_health(painter, body)
        if v.problems:
            self._paint_warning(painter, body)
        if v.calls_out and (self._hover or selected):
            painter.setPen(QPen(c.node_fill, 2))
            painter.setBrush(c.selection)
            painter.drawEllipse(self.port_pos(), PORT_RADIUS, PORT_RADIUS)
        elif v.calls_out:
            painter.setPen(QPen(c.node_border, 1.2))
            painter.setBrush(c.node_fill)
            painter.drawEllipse(self.port_pos(), PORT_RADIUS - 2, PORT_RADIUS - 2)

    def _paint_text(self, painter: QPainter, body: QRectF) -> None:
        """The kind's icon, the name and the figures (the health's after a run)."""
        c = self.colours
        v = self.view
        pix = kind_pixmap(v.kind, ICON_SIZE)
        painter.drawPixmap(QPointF(body.left() + 11, body.top() + 8), pix)
        text_left = body.left() + 11 + ICON_SIZE + 7
        text_width = body.right() - 10 - text_left
        name_font = _font(NAME_POINTS, True)
        painter.setFont(name_font)
        painter.setPen(c.node_text)
        fm = QFontMetricsF(name_font)
        painter.drawText(QPointF(text_left, body.top() + 7 + fm.ascent()),
                         elided_name(fm, v.name, text_width))
        small = _font(8.5)
        painter.setFont(small)
        painter.setPen(c.node_subtext)
        sfm = QFontMetricsF(small)
        figures = v.figures
        if self.health:
            figures = _health_text(self.health, short=True)
        painter.drawText(QPointF(text_left, body.top() + 25 + sfm.ascent()),
                         sfm.elidedText(figures, Qt.TextElideMode.ElideRight, text_width))

    def _paint_name_alone(self, painter: QPainter, body: QRectF, lod: float) -> None:
        """The name across the whole node at LEGIBLE_POINTS on screen (half points, so that a zoom
        makes few fonts), elided to the node's width; the figures would not be read at this size."""
        name_font = _font(round(2 * LEGIBLE_POINTS / lod) / 2, True)
        painter.setFont(name_font)
        painter.setPen(self.colours.node_text)
        fm = QFontMetricsF(name_font)
        left, right = body.left() + 11, body.right() - 8
        painter.drawText(QPointF(left, body.center().y() + (fm.ascent() - fm.descent()) / 2),
                         elided_name(fm, self.view.name, right - left))

    def _paint_coarse(self, painter: QPainter, body: QRectF, selected: bool) -> None:
        """Zoomed far out: a box in the kind's colour; text would be a few pixels tall."""
        c = self.colours
        pen = QPen(c.selection if selected else (_health_colour(self.health, c) if self.health else c.node_border),
                   2 if selected or self.health else 1)
        pen.setCosmetic(True)  # scaled down, a thin border would fade away
        painter.setPen(pen)
        painter.setBrush(c.node_fill)
        painter.drawRect(body)
        painter.fillRect(QRectF(body.left(), body.top(), 14, body.height()), kind_colour(self.view.kind))
        if self.view.faults:
            painter.fillRect(QRectF(body.right() - 30, body.top(), 30, 18), c.fault)

    def _badges(self) -> tuple[list[Badge], list[Badge]]:
        """The badges the node shows, and the policies folded into its "+N" (see ``badge_row``)."""
        c = self.colours
        fm = QFontMetricsF(_font(*_BADGE_FONT))
        alarms = [Badge(fault_badge(kind), c.fault, True, _fault_words(kind)) for kind in self.view.faults]
        others = [Badge(policy_badge(kind), c.policy, enabled, _policy_words(kind, enabled))
                  for kind, enabled in self.view.policies]
        return badge_row(alarms, others, _BADGE_ROOM, lambda text: fm.horizontalAdvance(text) + 10)

    def _paint_badges(self, painter: QPainter, body: QRectF) -> None:
        painter.setFont(_font(*_BADGE_FONT))
        fm = QFontMetricsF(_font(*_BADGE_FONT))
        x, y = body.left() + 11, body.bottom() - 17
        for badge in self._badges()[0]:
            w = fm.horizontalAdvance(badge.text) + 10
            rect = QRectF(x, y, w, 13)
            colour = QColor(badge.colour)
            if badge.solid:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRoundedRect(rect, 6.5, 6.5)
                painter.setPen(QColor("#ffffff"))
            else:  # a policy switched off
                painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect, 6.5, 6.5)
                painter.setPen(colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, badge.text)
            x += w + BADGE_GAP

    def _paint_health(self, painter: QPainter, body: QRectF) -> None:
        c, h = self.colours, self.health or {}
        util = max(0.0, min(1.0, float(h.get("utilisation", 0.0) or 0.0)))
        bar = QRectF(body.left() + 8, body.bottom() - 4, body.width() - 16, 3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(c.grid_major)
        painter.drawRoundedRect(bar, 1.5, 1.5)
        painter.setBrush((c.ok, c.warn, c.bad)[_load_band(util)])
        painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * util, bar.height()), 1.5, 1.5)
        tags = []
        crashed = int(h.get("crashed", 0) or 0)
        if crashed:
            tags.append((f"{crashed} down", c.bad))
        breaker = str(h.get("breaker") or "")
        if breaker in ("open", "half_open"):
            tags.append((BREAKER_LABELS[breaker], c.bad if breaker == "open" else c.warn))
        font = _font(7.5, True)
        painter.setFont(font)
        fm = QFontMetricsF(font)
        x = body.right()
        for text, colour in tags:
            w = fm.horizontalAdvance(text) + 10
            x -= w
            rect = QRectF(x, body.top() - 8, w, 14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(rect, 7, 7)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x -= 4

    def _paint_warning(self, painter: QPainter, body: QRectF) -> None:
        c = self.colours
        r = QRectF(body.right() - 20, body.top() + 6, 14, 13)
        tri = QPainterPath()
        tri.moveTo(r.center().x(), r.top())
        tri.lineTo(r.right(), r.bottom())
        tri.lineTo(r.left(), r.bottom())
        tri.closeSubpath()
        painter.fillPath(tri, c.warn)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(_font(8, True))
        painter.drawText(r.adjusted(0, 2, 0, 0), Qt.AlignmentFlag.AlignCenter, "!")


_FONTS: dict[tuple[float, bool], QFont] = {}
_BADGE_FONT = (7.5, True)
# The width the badges share: the body less its margins.
_BADGE_ROOM = NODE_WIDTH - 11 - 8


def _policy_words(kind: str, enabled: bool = True) -> str:
    label = POLICY_CLASSES[kind].label.lower() if kind in POLICY_CLASSES else kind
    return label + ("" if enabled else " (off)")


def _fault_words(kind: str) -> str:
    return FAULT_CLASSES[kind].label.lower() if kind in FAULT_CLASSES else kind


def _font(size: float, bold: bool = False) -> QFont:
    key = (size, bold)
    font = _FONTS.get(key)
    if font is None:
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        _FONTS[key] = font
    return font


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _load_band(util: float) -> int:
    """The load bar's colour at ``util``: 0 fine, 1 busy, 2 saturated."""
    return 0 if util < 0.7 else 1 if util < 0.9 else 2


def _health_colour(h: dict, c) -> QColor:
    if int(h.get("crashed", 0) or 0) and int(h.get("crashed", 0)) >= int(h.get("instances", 1) or 1):
        return c.bad
    err = float(h.get("error_rate", 0.0) or 0.0)
    util = float(h.get("utilisation", 0.0) or 0.0)
    if err >= 0.05 or util >= 0.95 or h.get("breaker") == "open":
        return c.bad
    if err >= 0.01 or util >= 0.8 or h.get("breaker") == "half_open" or h.get("crashed"):
        return c.warn
    return c.ok


def _health_text(h: dict, short: bool = False) -> str:
    parts = []
    if "utilisation" in h:
        percent = float(h["utilisation"]) * 100
        parts.append(f"util {percent:.0f}%" if short else f"util {percent:.0f} %")
    if "error_rate" in h:
        err = float(h["error_rate"]) * 100
        # Short form fits beside the node's name: whole percent unless below one.
        parts.append(f"err {err:.0f}%" if short and (err >= 1 or err == 0) else
                     f"err {err:.1f}%" if short else f"err {err:.1f} %")
    if h.get("crashed"):
        parts.append(f"{int(h['crashed'])} crashed")
    if h.get("breaker") and not short:
        parts.append(f"breaker {str(h['breaker']).replace('_', '-')}")
    return " · ".join(parts)
