"""The canvas view: zoom with the wheel and keys, pan, fit, rubber band, drops from the palette."""
from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QPainter, QPalette, QPen, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from .link_item import LinkItem, anchors, controls
from .minimap import Minimap
from .node_item import NODE_HEIGHT, NODE_WIDTH, NodeItem
from .placement import free_offset
from .scene import GRID, CanvasScene

KIND_MIME = "application/x-faultline-component-kind"
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
# Components added from the keyboard go in rows: room between two for a link's arrow and label.
COLUMN_STEP = NODE_WIDTH + 80.0
ROW_STEP = NODE_HEIGHT + 60.0
VIEW_MARGIN = 40  # pixels kept between a new component and the view's edge
MAX_ROW_STEPS = 200


class CanvasView(QGraphicsView):
    """Shows the scene; the wheel zooms about the cursor, the middle button or Space+drag pans."""

    zoom_changed = Signal(float)
    context_menu_requested = Signal(QPointF, QPoint)  # scene position, global position
    files_dropped = Signal(list)  # local paths of files dropped on the canvas

    def __init__(self, scene: CanvasScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # The grid is redrawn only when the zoom changes; panning scrolls the cached pixmap.
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPointF | None = None
        self._pan_rest = (0.0, 0.0)
        self._space = False
        self._last_added: uuid.UUID | None = None  # the component the keyboard's next one goes beside
        self._row_start: float | None = None  # where that one's row began
        self.setAccessibleName("Design canvas")
        self.minimap = Minimap(self)
        self.focus_ring = _FocusRing(self)
        scene.doc.selection_changed.connect(self.reveal)

    @property
    def canvas(self) -> CanvasScene:
        return self.scene()  # type: ignore[return-value]

    # -- zoom -------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor_under_mouse: bool = False) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        old = self.transformationAnchor()
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setTransform(QTransform.fromScale(factor, factor))
        self.setTransformationAnchor(old)
        self.zoom_changed.emit(factor)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Show the whole design, never enlarged beyond 100 %."""
        # Node bodies, not item bounds: link items reserve room for labels that would skew the fit.
        rect = self.canvas.nodes_rect()
        if rect.isNull():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        elif self.zoom() < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())

    def fit_selection(self) -> None:
        """Show the selected components (all of the design when nothing is selected)."""
        items = [i for i in self.canvas.node_items() if i.isSelected()]
        if not items:
            self.fit()
            return
        rect = QRectF()
        for item in items:
            rect = rect.united(item.mapRectToScene(item.body_rect()))
        rect = rect.adjusted(-80, -80, 80, 80)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.set_zoom(min(self.zoom(), 1.5))
        self.centerOn(rect.center())

    def reveal(self, ids: list) -> None:
        """Bring the selected components into sight when none of them is: a paste into another window
        or a spot scrolled away from put its copies out of sight, and the canvas seemed to do nothing."""
        rect = QRectF()
        for cid in ids:
            item = self.canvas.node_item(cid)
            if item is not None:
                rect = rect.united(item.mapRectToScene(item.body_rect()))
        if not rect.isNull() and not self.visible_scene_rect().intersects(rect):
            self.centerOn(rect.center())

    def wheelEvent(self, event):
        delta = event.angleDelta().y()
        if delta == 0:
            return super().wheelEvent(event)
        self.set_zoom(self.zoom() * (1.0015 ** delta), anchor_under_mouse=True)
        event.accept()

    # -- pan ----------------------------------------------------------------------
    def pan_by(self, dx: float, dy: float) -> None:
        # Scroll bars move in whole pixels; carry the fractions so slow drags do not lag the cursor.
        rx, ry = self._pan_rest
        dx, dy = dx + rx, dy + ry
        ix, iy = round(dx), round(dy)
        self._pan_rest = (dx - ix, dy - iy)
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + ix)
        v.setValue(v.value() + iy)

    def mousePressEvent(self, event):
        self.focus_ring.hide()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (self._space and button == Qt.MouseButton.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent):
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.canvas.picking:
            self.canvas.cancel_picking()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.canvas.cancel_link():
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.canvas.doc.selection:
            # Nothing else to call off: Esc lets go of the selection, as in other editors. The
            # keyboard had no other way back to no selection, where the arrows pan and
            # Properties shows the design.
            self.canvas.doc.set_selection([])
            event.accept()
            return
        if event.key() == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            self.open_menu_for_selection()  # the menu key's twin, where the platform makes none
            event.accept()
            return
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if event.key() in arrows:
            dx, dy = arrows[Qt.Key(event.key())]
            selected = [i for i in self.canvas.doc.selection if self.canvas.doc.kind_of(i) == "component"]
            if selected:
                # One grid step (five with Shift) keeps nudged nodes on the grid.
                step = GRID * (5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
                self.canvas.doc.edit.nudge(selected, dx * step, dy * step)
            else:
                self.pan_by(dx * 60, dy * 60)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent):
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusInEvent(self, event):
        # Outlined when the keyboard brought the focus (Tab, F6), as a field is; not for every click.
        self.focus_ring.setVisible(event.reason() in KEYBOARD_FOCUS)
        super().focusInEvent(event)

    def focusOutEvent(self, event):
        if self._space and self._pan_from is None:
            # Space let go in another window: the hand would stay and promise a pan a drag no longer makes.
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self._space = False
        self.focus_ring.hide()
        super().focusOutEvent(event)

    # -- drops ------------------------------------------------------------------------
    def dragEnterEvent(self, event):
        mime = event.mimeData()
        if mime.hasFormat(KIND_MIME) or _local_files(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        mime = event.mimeData()
        if mime.hasFormat(KIND_MIME) or _local_files(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        mime = event.mimeData()
        if mime.hasFormat(KIND_MIME):
            kind = bytes(mime.data(KIND_MIME)).decode()
            self.drop_component(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        files = _local_files(mime)
        if files:
            self.files_dropped.emit(files)
            event.acceptProposedAction()
            return
        event.ignore()

    def drop_component(self, kind: str, scene_pos: QPointF, row_start: float | None = None):
        """Create a component of ``kind`` centred at ``scene_pos`` (snapped); returns its id.

        The next one added from the keyboard goes beside it, in a row that began at ``row_start``
        (here, by default)."""
        pos = self.canvas.snapped(scene_pos)
        cid = self.canvas.doc.edit.add_component(kind, (pos.x(), pos.y()))
        self._last_added, self._row_start = cid, pos.x() if row_start is None else row_start
        self.setFocus()
        return cid

    def add_at_centre(self, kind: str):
        """Keyboard route to creation: the first new component in the middle of what is visible,
        each next one to the right of the one added before it (a row lower past the view's right
        edge), scrolled into sight. A cascade down and to the right left the view by the third."""
        item = self.canvas.node_item(self._last_added) if self._last_added is not None else None
        if item is not None and self.visible_scene_rect().intersects(item.mapRectToScene(item.body_rect())):
            row_start = self._row_start if self._row_start is not None else item.scenePos().x()
            spot = self._beside(item.scenePos(), row_start)
        else:  # the user has gone elsewhere, or it was deleted: start again in the middle
            spot = self.canvas.snapped(self.mapToScene(self.viewport().rect().center()))
            row_start = spot.x()
        # On along the rows past anything already there: a new node never covers another.
        occupied = [(node.scenePos().x(), node.scenePos().y()) for node in self.canvas.node_items()]
        for _ in range(MAX_ROW_STEPS):
            if not any(abs(spot.x() - x) < NODE_WIDTH and abs(spot.y() - y) < NODE_HEIGHT for x, y in occupied):
                break
            spot = self._beside(spot, row_start)
        else:
            dx, dy = free_offset([(spot.x(), spot.y())], occupied, first=0)
            spot += QPointF(dx, dy)
        cid = self.drop_component(kind, spot, row_start)
        added = self.canvas.node_item(cid)
        if added is not None:
            self.ensureVisible(added.mapRectToScene(added.body_rect()), VIEW_MARGIN, VIEW_MARGIN)
        return cid

    def _beside(self, spot: QPointF, row_start: float) -> QPointF:
        """One column right of ``spot``, or past the view's right edge the next row's first place."""
        right = spot.x() + COLUMN_STEP
        if right + NODE_WIDTH / 2 <= self.visible_scene_rect().right() - VIEW_MARGIN:
            return self.canvas.snapped(QPointF(right, spot.y()))
        return self.canvas.snapped(QPointF(row_start, spot.y() + ROW_STEP))

    EMPTY_HINT = ("Drag a component from the palette to start,\nor double-click one there.\n\n"
                  "Then drag from a component's right-hand dot to what it calls.")

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if self.canvas.node_items():
            return
        # An empty design says how to begin, in the middle of what is visible.
        painter.save()
        painter.resetTransform()
        colour = self.canvas.colours.node_subtext
        painter.setPen(colour)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.EMPTY_HINT)
        painter.restore()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.minimap.refresh()
        self.focus_ring.setGeometry(self.viewport().geometry())

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def open_menu_for_selection(self) -> None:
        """The context menu of the selected component or link (of the canvas, with nothing
        selected), at it: what the menu key and Shift+F10 open."""
        items = [i for i in self.canvas.selectedItems() if i.isVisible()]
        node = next((i for i in items if isinstance(i, NodeItem)), None)
        link = next((i for i in items if isinstance(i, LinkItem)), None)
        if node is not None:
            scene_pos = node.scenePos()
        elif link is not None:
            # its middle, on its curve: the menu is for what is under the point it is given
            start, end, vertical = anchors(link.source, link.target)
            c1, c2 = controls(start, end, vertical)
            scene_pos = (start + (c1 + c2) * 3 + end) / 8
        else:
            scene_pos = self.mapToScene(self.viewport().rect().center())
        place = self.mapFromScene(scene_pos)
        if not self.viewport().rect().contains(place):
            self.centerOn(scene_pos)
            place = self.mapFromScene(scene_pos)
        self.context_menu_requested.emit(scene_pos, self.viewport().mapToGlobal(place))

    def contextMenuEvent(self, event):
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            # The menu key's event is at the top-left corner, not at what is selected: the menu was
            # the empty canvas's, never the selection's policies and faults.
            self.open_menu_for_selection()
            event.accept()
            return
        scene_pos = self.mapToScene(event.pos())
        # Right-clicking an unselected item makes it the selection, as in every editor.
        for item in self.canvas.items(scene_pos):
            if item.isSelected():
                break
            if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                self.canvas.clearSelection()
                item.setSelected(True)
                break
        self.context_menu_requested.emit(scene_pos, event.globalPos())
        event.accept()

    def changeEvent(self, event):
        if event.type() == QEvent.Type.PaletteChange:
            from ..theme import current_canvas_colours

            self.canvas.set_colours(current_canvas_colours())
            self.resetCachedContent()
        super().changeEvent(event)


def _local_files(mime) -> list[str]:
    if not mime.hasUrls():
        return []
    # Any case: "Shop.FAULTLINE" from a Windows share is a project too (the store's suffixes; the
    # canvas does not reach the store).
    return [u.toLocalFile() for u in mime.urls()
            if u.isLocalFile() and u.toLocalFile().lower().endswith((".faultline", ".json"))]


KEYBOARD_FOCUS = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason, Qt.FocusReason.ShortcutFocusReason)


class _FocusRing(QWidget):
    """The canvas's focus outline, over the viewport rather than in it: what the viewport draws
    moves when it scrolls, and an outline drawn there would be dragged along."""

    def __init__(self, view: QGraphicsView):
        super().__init__(view)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.hide()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
        painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
