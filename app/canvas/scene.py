"""The canvas scene: renders the current design of the document and turns gestures into edits."""
from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView

from ..document import ProjectDocument
from ..theme import current_canvas_colours
from .guides import AlignmentGuides, start_guides, stop_guides
from .link_item import LinkItem, LinkOverview, curve
from .node_item import NodeItem, NodeView
from .tooltips import LazyToolTipItem

GRID = 20.0


def link_label(link) -> str:
    """'0.5 ms', plus the call pattern when it is not one call every time."""
    text = link.latency.describe()
    if link.count != 1:
        text += f" · ×{link.count}"
    if link.probability < 1:
        text += f" · {link.probability * 100:.0f} %"
    return text


class CanvasScene(QGraphicsScene):
    """Keeps one item per component and link, found through id maps; items never hold models.

    The run dashboard colours nodes through ``set_health``.
    """

    message = Signal(str)  # a short note for the status bar (e.g. why a link was refused)
    target_picked = Signal(str)  # a component or link name clicked while picking a fault target
    picking_cancelled = Signal()

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self.colours = current_canvas_colours()
        self.snap_to_grid = True
        self.picking = False
        self.drawing_picture = False  # while exporting: no grid, no editing marks
        self._nodes: dict[uuid.UUID, NodeItem] = {}
        self._links: dict[uuid.UUID, LinkItem] = {}
        self._links_of: dict[uuid.UUID, set[uuid.UUID]] = {}
        self._health: dict[uuid.UUID, dict] = {}
        self._syncing = False
        self._selection_pending = False  # the scene's selection changed during a document batch
        self._press_positions: dict[uuid.UUID, QPointF] | None = None
        self._new_link: _NewLink | None = None
        self._guides: AlignmentGuides | None = None  # while one component is dragged
        self._links_to_adjust: set[uuid.UUID] | None = None  # while many nodes move at once
        # Inside a document batch (a bulk delete's undo, a paste): items made and the scene's extent
        # measured once, when it ends; per step each asked the document for an index it had just dropped.
        self._pending_nodes: dict[uuid.UUID, None] = {}
        self._pending_links: dict[uuid.UUID, None] = {}
        self._rect_stale = False
        self._nodes_rect: QRectF | None = None  # what the node bodies cover, until one moves or goes
        self.nodes_version = 0  # counts the nodes' comings, goings and moves: the minimap's drawing follows it
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.selectionChanged.connect(self._on_scene_selection)
        d = document
        d.design_switched.connect(self.rebuild)
        d.component_added.connect(self._on_component_added)
        d.component_removed.connect(self._on_component_removed)
        d.component_changed.connect(self._on_component_changed)
        d.components_moved.connect(self._on_components_moved)
        d.link_added.connect(self._on_link_added)
        d.link_removed.connect(self._on_link_removed)
        d.link_changed.connect(self._on_link_changed)
        d.experiment_changed.connect(self._refresh_faults)
        d.experiment_removed.connect(self._refresh_faults)
        d.experiment_added.connect(self._refresh_faults)
        d.current_experiment_changed.connect(self._refresh_faults)
        d.selection_changed.connect(self._on_document_selection)
        d.edited.connect(self._on_edited)
        self.rebuild()

    # -- look-ups used by views, panes and tests ---------------------------------
    def node_item(self, component_id: uuid.UUID) -> NodeItem | None:
        return self._nodes.get(component_id)

    def link_item(self, link_id: uuid.UUID) -> LinkItem | None:
        return self._links.get(link_id)

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def link_items(self) -> list[LinkItem]:
        return list(self._links.values())

    # -- building ----------------------------------------------------------------
    def rebuild(self, *_args) -> None:
        """Drop every item and draw the current design afresh."""
        self._new_link = None
        self._guides = None  # cleared with the other items
        self._syncing = True
        self._pending_nodes.clear()
        self._pending_links.clear()
        self._rect_stale = False
        try:
            self.clear()
            self._nodes_changed()
            self.overview = LinkOverview(self)
            self.addItem(self.overview)
            self._nodes.clear()
            self._links.clear()
            self._links_of.clear()
            self._health.clear()
            design = self.doc.design
            faults = self._fault_map()
            problems = self._problem_map()
            for c in design.components:
                self._add_node(c, faults, problems)
            for link in design.links:
                self._add_link(link, faults)
        finally:
            self._syncing = False
        self._update_scene_rect()
        self._on_document_selection(self.doc.selection)

    def _node_view(self, component, faults: dict[str, list[str]], problems: dict) -> NodeView:
        return NodeView(
            name=component.name,
            kind=component.kind,
            figures=component.key_figures(),
            calls_out=component.calls_out,
            policies=[(p.kind, p.enabled) for p in component.policies],
            faults=faults.get(component.id, []),
            problems=problems.get(component.id, []),
        )

    def _add_node(self, component, faults=None, problems=None) -> NodeItem:
        faults = self._fault_map() if faults is None else faults
        problems = self._problem_map() if problems is None else problems
        item = NodeItem(component.id, self._node_view(component, faults, problems), self.colours)
        self._nodes[component.id] = item
        self._nodes_changed()
        self._syncing_add(item)
        item.setPos(component.position.x, component.position.y)
        return item

    def _syncing_add(self, item) -> None:
        was = self._syncing
        self._syncing = True
        try:
            self.addItem(item)
        finally:
            self._syncing = was

    def _add_link(self, link, faults=None) -> LinkItem | None:
        source = self._node_named(link.source)
        target = self._node_named(link.target)
        if source is None or target is None:
            return None  # a link naming an unknown component: the problems list reports it
        faults = self._fault_map() if faults is None else faults
        item = LinkItem(link.id, source, target, link_label(link), self.colours, faults.get(link.id, []))
        item.set_label(link_label(link), faults.get(link.id, []))
        self._links[link.id] = item
        self._links_of.setdefault(source.component_id, set()).add(link.id)
        self._links_of.setdefault(target.component_id, set()).add(link.id)
        self._syncing_add(item)
        self.overview.invalidate()
        return item

    def _node_named(self, name: str | uuid.UUID) -> NodeItem | None:
        component = self.doc.component_named(name)
        return self._nodes.get(component.id) if component is not None else None

    def _fault_map(self) -> dict:
        """Fault kinds of the current experiment by target id (enabled faults only)."""
        out: dict = {}
        experiment = self.doc.current_experiment
        if experiment is None:
            return out
        for fault in experiment.faults:
            if fault.enabled:
                kinds = out.setdefault(fault.target, [])
                if fault.kind not in kinds:
                    kinds.append(fault.kind)
        return out

    def _problem_map(self) -> dict[uuid.UUID, list[str]]:
        out: dict[uuid.UUID, list[str]] = {}
        for problem in self.doc.problems():
            if problem.subject is not None:
                out.setdefault(problem.subject, []).append(problem.message)
        return out

    def _nodes_changed(self) -> None:
        self._nodes_rect = None
        self.nodes_version += 1

    def nodes_rect(self) -> QRectF:
        """What the components' bodies cover (their labels and links left out)."""
        if self._nodes_rect is None:
            # Kept between moves: the minimap asks on every scroll step and every repaint of a run's
            # colours, and measuring a thousand nodes each time cost a frame.
            rect = QRectF()
            for item in self._nodes.values():
                rect = rect.united(item.mapRectToScene(item.body_rect()))
            self._nodes_rect = rect
        return QRectF(self._nodes_rect)

    def drawing_rect(self) -> QRectF:
        """What the design covers: node bodies and links (not the scene's margins)."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        for link_item in self._links.values():
            rect = rect.united(link_item.boundingRect())
        return rect

    def _update_scene_rect(self) -> None:
        if self.doc.batching:
            self._rect_stale = True  # each step of a bulk edit measuring every item was quadratic
            return
        self._rect_stale = False
        rect = self.drawing_rect()
        if rect.isNull():
            rect = QRectF(-400, -300, 800, 600)
        # Generous margins so that panning and dropping beyond the drawing is possible.
        rect = rect.adjusted(-2000, -2000, 2000, 2000)
        self.setSceneRect(rect)
        self.overview.set_bounds(rect)

    # -- document signals ------------------------------------------------------------
    def _on_component_added(self, component_id) -> None:
        if self.doc.batching:
            self._pending_nodes[component_id] = None
            return
        self._add_node(self.doc.component(component_id))
        self._update_scene_rect()
        if len(self._nodes) == 1:
            self._refresh_foreground()

    def _add_pending(self) -> None:
        """Make the items of what a batch added (and still holds), then measure the scene once."""
        nodes, self._pending_nodes = self._pending_nodes, {}
        links, self._pending_links = self._pending_links, {}
        if nodes or links:
            # The problems are drawn once, after the batch (``_refresh_problems``), not worked out per item.
            faults = self._fault_map()
            for cid in nodes:
                if self.doc.kind_of(cid) == "component":
                    self._add_node(self.doc.component(cid), faults, {})
            for lid in links:
                if self.doc.kind_of(lid) == "link":
                    self._add_link(self.doc.link(lid), faults)
            self._on_document_selection(self.doc.selection)
            self._refresh_foreground()
            self._rect_stale = True
        if self._rect_stale:
            self._update_scene_rect()

    def _on_component_removed(self, component_id) -> None:
        self._pending_nodes.pop(component_id, None)
        if self._new_link is not None and self._new_link.source.component_id == component_id:
            self._drop_new_link()
        item = self._nodes.pop(component_id, None)
        self._nodes_changed()
        for link_id in self._links_of.pop(component_id, set()):
            link = self._links.pop(link_id, None)
            if link is not None:
                self.removeItem(link)
        self.overview.invalidate()
        if item is not None:
            self._syncing = True
            try:
                self.removeItem(item)
            finally:
                self._syncing = False
        self._update_scene_rect()
        if not self._nodes:
            self._refresh_foreground()

    def _on_component_changed(self, component_id) -> None:
        item = self._nodes.get(component_id)
        if item is None:
            return
        component = self.doc.component(component_id)
        old_name = item.view.name
        problems = {component_id: item.view.problems} if self.doc.batching else self._problem_map()
        item.set_view(self._node_view(component, self._fault_map(), problems))
        self.nodes_version += 1  # the minimap draws a node in its kind's colour
        pos = QPointF(component.position.x, component.position.y)
        if item.pos() != pos:
            item.setPos(pos)
        if old_name != component.name:
            for link_id in self._links_of.get(component_id, ()):
                self._on_link_changed(link_id)

    def _on_components_moved(self, ids: list) -> None:
        with self._links_follow_once():
            for cid in ids:
                item = self._nodes.get(cid)
                if item is not None:
                    p = self.doc.component(cid).position
                    if item.pos() != QPointF(p.x, p.y):
                        item.setPos(p.x, p.y)
        self._update_scene_rect()

    def _on_link_added(self, link_id) -> None:
        if self.doc.batching:
            self._pending_links[link_id] = None
            return
        self._add_link(self.doc.link(link_id))

    def _on_link_removed(self, link_id) -> None:
        self._pending_links.pop(link_id, None)
        relinking = self._new_link.relink if self._new_link is not None else None
        if relinking is not None and relinking.link_id == link_id:
            self._drop_new_link()
        item = self._links.pop(link_id, None)
        if item is not None:
            self._links_of.get(item.source.component_id, set()).discard(link_id)
            self._links_of.get(item.target.component_id, set()).discard(link_id)
            self.removeItem(item)
            self.overview.invalidate()

    def _on_link_changed(self, link_id) -> None:
        item = self._links.get(link_id)
        if item is None:
            return
        link = self.doc.link(link_id)
        target = self._node_named(link.target)
        if target is not None and target is not item.target:
            # Relinked: the same item now ends at another node.
            self._links_of.get(item.target.component_id, set()).discard(link_id)
            self._links_of.setdefault(target.component_id, set()).add(link_id)
            item.target = target
            item.adjust()
        item.set_label(link_label(link), self._fault_map().get(link.id, []))

    def _refresh_faults(self, *_args) -> None:
        faults = self._fault_map()
        for item in self._nodes.values():
            kinds = faults.get(item.component_id, [])
            if kinds != item.view.faults:
                item.view.faults = kinds
                item.set_view(item.view)
        for lid, link_item in self._links.items():
            link = self.doc.link(lid)
            kinds = faults.get(link.id, [])
            if kinds != link_item.faults:
                link_item.set_label(link_label(link), kinds)

    def _on_edited(self) -> None:
        self._add_pending()
        # After a batch (a bulk delete and its undo): the selection changes its steps made, taken once.
        if self._selection_pending:
            self._selection_pending = False
            self._on_scene_selection()
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        problems = self._problem_map()
        for cid, item in self._nodes.items():
            msgs = problems.get(cid, [])
            if msgs != item.view.problems:
                item.view.problems = msgs
                item.set_view(item.view)

    # -- selection both ways -------------------------------------------------------------
    def _on_scene_selection(self) -> None:
        if self._syncing:
            return
        if self.doc.batching:
            # Items removed one by one inside one command each change Qt's selection: follow it
            # once, when the document announces the whole change (``_on_edited``).
            self._selection_pending = True
            return
        ids = []
        for item in self.selectedItems():
            if isinstance(item, NodeItem):
                ids.append(item.component_id)
            elif isinstance(item, LinkItem):
                ids.append(item.link_id)
        # Keep the order in which things were selected (Qt's is arbitrary): "link selected" needs it.
        in_scene = set(ids)
        previous = [i for i in self.doc.selection if i in in_scene]
        kept = set(previous)
        ids = previous + [i for i in ids if i not in kept]
        self._syncing = True
        try:
            self.doc.set_selection(ids)
        finally:
            self._syncing = False

    def _on_document_selection(self, ids: list) -> None:
        if self._syncing:
            return
        if self._pending_nodes or self._pending_links:
            self._add_pending()  # announced as a batch ends, before ``edited``: select what it added
            return
        wanted = set(ids)
        self._syncing = True
        try:
            for cid, item in self._nodes.items():
                item.setSelected(cid in wanted)
            for lid, link_item in self._links.items():
                link_item.setSelected(lid in wanted)
        finally:
            self._syncing = False

    # -- moves: free while dragging, one undo step on release --------------------------------
    def snapped(self, pos: QPointF) -> QPointF:
        grid = QPointF(round(pos.x() / GRID) * GRID, round(pos.y() / GRID) * GRID) if self.snap_to_grid else pos
        return self._guides.snap(pos, grid) if self._guides is not None else grid

    def node_moved(self, item: NodeItem) -> None:
        self._nodes_changed()
        links = self._links_of.get(item.component_id, ())
        if self._links_to_adjust is not None:
            self._links_to_adjust.update(links)
            return
        for link_id in links:
            link = self._links.get(link_id)
            if link is not None:
                link.adjust()

    @contextmanager
    def _links_follow_once(self) -> Iterator[None]:
        """Adjust each link once after many nodes moved: a link between two moved nodes was
        adjusted for each of its ends, and dragging a selection of thousands did all twice."""
        if self._links_to_adjust is not None:
            yield
            return
        self._links_to_adjust = set()
        try:
            yield
        finally:
            ids, self._links_to_adjust = self._links_to_adjust, None
            for link_id in ids:
                link = self._links.get(link_id)
                if link is not None:
                    link.adjust()

    def mousePressEvent(self, event):
        if self.picking and event.button() == Qt.MouseButton.LeftButton:
            self._pick(event.scenePos())
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.selectedItems():
                if isinstance(item, LinkItem) and item.hit_end(event.scenePos()):
                    # Dragging the arrow head of a selected link points it at another component.
                    self._new_link = _NewLink(self, item.source, event.scenePos(), relink=item)
                    event.accept()
                    return
        super().mousePressEvent(event)
        if self._new_link is None and event.button() == Qt.MouseButton.LeftButton:
            self._press_positions = {i.component_id: i.pos() for i in self.selectedItems() if isinstance(i, NodeItem)}
            if len(self._press_positions) == 1:
                self._guides = start_guides(self, self._nodes[next(iter(self._press_positions))])

    def mouseMoveEvent(self, event):
        if self._new_link is not None:
            self._new_link.move_to(event.scenePos())
            event.accept()
            return
        with self._links_follow_once():
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._new_link is not None:
            interaction, self._new_link = self._new_link, None
            # The node that took the press is the scene's mouse grabber; without releasing it
            # the next drag anywhere would move that node.
            grabber = self.mouseGrabberItem()
            if grabber is not None:
                grabber.ungrabMouse()
            interaction.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.commit_moves()

    def commit_moves(self) -> None:
        """Push one move command for everything dragged since the press."""
        pressed, self._press_positions = self._press_positions, None
        stop_guides(self, self._guides)
        self._guides = None
        if not pressed:
            return
        moved = {}
        for cid, before in pressed.items():
            item = self._nodes.get(cid)
            if item is not None and item.pos() != before:
                moved[cid] = (item.pos().x(), item.pos().y())
        if moved:
            self.doc.edit.move_components(moved)
            self._update_scene_rect()

    # -- new links ----------------------------------------------------------------------------
    def begin_link(self, source: NodeItem, scene_pos: QPointF) -> None:
        self._new_link = _NewLink(self, source, scene_pos)

    def node_at(self, scene_pos: QPointF) -> NodeItem | None:
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def try_link(self, source_id: uuid.UUID, target_id: uuid.UUID) -> str | None:
        """Link two components, or say why not (also on the status bar)."""
        _link_id, reason = self.doc.edit.connect(source_id, target_id)
        if reason:
            self.message.emit(f"Link refused: {reason}")
        return reason

    def cancel_link(self) -> bool:
        """Drop the link being dragged (Escape), if one is: nothing is linked. Whether one was."""
        if self._new_link is None:
            return False
        self._drop_new_link()
        self.message.emit("Link cancelled.")
        return True

    def _drop_new_link(self) -> None:
        # Also when what the gesture starts from goes (an undo, a delete from a pane, mid-drag): every
        # further move would ask the document about a component or link it no longer has.
        interaction, self._new_link = self._new_link, None
        if interaction is not None:
            interaction.clear()

    def cancel_picking(self) -> None:
        if self.picking:
            self.picking = False
            self.message.emit("Target picking cancelled.")
            self.picking_cancelled.emit()

    # -- picking a fault target ----------------------------------------------------------------
    def _pick(self, scene_pos: QPointF) -> None:
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                self.target_picked.emit(item.view.name)
                return
            if isinstance(item, LinkItem):
                self.target_picked.emit(self.doc.link(item.link_id).name)
                return
        self.message.emit("Click a component or a link to aim the fault at it (Esc cancels).")

    def _refresh_foreground(self) -> None:
        """The empty-canvas hint comes and goes with the first component."""
        for view in self.views():
            view.viewport().update()

    # -- health during a run ---------------------------------------------------------------------
    def set_health(self, component_id: uuid.UUID, health: dict | None) -> None:
        """Colour a node by live metrics.

        ``health`` may hold ``utilisation`` (0..1), ``error_rate`` (0..1),
        ``crashed`` (instances down), ``instances`` and ``breaker``
        ('closed', 'open', 'half_open'); None clears it.
        """
        item = self._nodes.get(component_id)
        if health:
            self._health[component_id] = dict(health)
        else:
            self._health.pop(component_id, None)
        if item is not None:
            item.set_health(health)

    def helpEvent(self, event) -> None:
        """Before Qt shows an item's tooltip: the nodes and links under the pointer build theirs,
        which they leave to be asked for (``LazyToolTipItem``)."""
        widget = event.widget()
        view = widget.parentWidget() if widget is not None else None
        if isinstance(view, QGraphicsView):
            # The pixel under the pointer, as Qt looks for the item whose tooltip it shows.
            at = widget.mapFromGlobal(event.screenPos())
            area = view.mapToScene(QRect(at.x() - 1, at.y() - 1, 3, 3)).boundingRect()
        else:
            area = QRectF(event.scenePos() - QPointF(1, 1), QSizeF(2, 2))
        for item in self.items(area):
            if isinstance(item, LazyToolTipItem):
                item.refresh_tooltip()
        super().helpEvent(event)

    def clear_health(self) -> None:
        """Show the design as drawn: no run colours on nodes, no run figures on links."""
        for cid in list(self._health):
            self.set_health(cid, None)
        for item in self._links.values():
            item.set_live("")

    # -- look ------------------------------------------------------------------------------------
    def set_colours(self, colours) -> None:
        self.colours = colours
        for item in self._nodes.values():
            item.set_colours(colours)
        for link_item in self._links.values():
            link_item.set_colours(colours)
        self.overview.update()
        for view in self.views():
            view.resetCachedContent()  # the cached grid has the old colours
        self.update()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        c = self.colours
        painter.fillRect(rect, c.background)
        scale = painter.worldTransform().m11()
        if scale < 0.35 or self.drawing_picture:
            return  # a grid denser than a few pixels is noise
        left = math.floor(rect.left() / GRID) * GRID
        top = math.floor(rect.top() / GRID) * GRID
        minor: list[QLineF] = []
        major: list[QLineF] = []
        x = left
        while x < rect.right():
            (major if round(x / GRID) % 5 == 0 else minor).append(QLineF(x, rect.top(), x, rect.bottom()))
            x += GRID
        y = top
        while y < rect.bottom():
            (major if round(y / GRID) % 5 == 0 else minor).append(QLineF(rect.left(), y, rect.right(), y))
            y += GRID
        # One call per colour: a Python loop of drawLine calls cost milliseconds per frame.
        painter.setPen(QPen(c.grid_minor, 0))
        painter.drawLines(minor)
        painter.setPen(QPen(c.grid_major, 0))
        painter.drawLines(major)


class _NewLink:
    """The gesture of dragging a new link from a node's handle to another node."""

    def __init__(self, scene: CanvasScene, source: NodeItem, pos: QPointF, relink: LinkItem | None = None):
        self.scene = scene
        self.source = source
        self.relink = relink
        self.hovered: NodeItem | None = None
        self.path = QGraphicsPathItem()
        pen = QPen(scene.colours.selection, 2, Qt.PenStyle.DashLine)
        self.path.setPen(pen)
        self.path.setZValue(10)
        scene.addItem(self.path)
        self.note = _Note(scene.colours)
        self.note.setZValue(11)
        scene.addItem(self.note)
        self.move_to(pos)

    def move_to(self, pos: QPointF) -> None:
        start = self.source.mapToScene(self.source.port_pos())
        self.path.setPath(curve(start, pos))
        target = self.scene.node_at(pos)
        if target is self.source:
            target = None
        if target is not self.hovered:
            if self.hovered is not None:
                self.hovered.set_link_target_state(None)
            self.hovered = target
        reason = None
        if target is not None:
            edit = self.scene.doc.edit
            reason = (edit.relink_refusal(self.relink.link_id, target.component_id) if self.relink is not None
                      else edit.link_refusal(self.source.component_id, target.component_id))
            target.set_link_target_state(reason is None)
        self.note.set_text(reason or "")
        self.note.setPos(pos + QPointF(14, 12))

    def clear(self) -> None:
        """Take the gesture's line, note and target mark off the canvas."""
        if self.hovered is not None:
            self.hovered.set_link_target_state(None)
        self.scene.removeItem(self.path)
        self.scene.removeItem(self.note)

    def finish(self, pos: QPointF) -> None:
        self.clear()
        target = self.scene.node_at(pos)
        if target is None or target is self.source:
            return
        if self.relink is not None:
            reason = self.scene.doc.edit.relink(self.relink.link_id, target.component_id)
            if reason:
                self.scene.message.emit(f"Relink refused: {reason}")
            return
        self.scene.try_link(self.source.component_id, target.component_id)


class _Note(QGraphicsItem):
    """Why a link cannot be made, next to the cursor, on a background that keeps it legible over nodes."""

    def __init__(self, colours):
        super().__init__()
        self.colours = colours
        self.text = ""
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self._rect = QRectF()

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self.text = text
        if text:
            from PySide6.QtGui import QFontMetricsF

            fm = QFontMetricsF(self.font)
            self._rect = QRectF(0, 0, min(fm.horizontalAdvance(text), 360) + 12, 0)
            bound = fm.boundingRect(QRectF(0, 0, 360, 400), int(Qt.TextFlag.TextWordWrap), text)
            self._rect = QRectF(0, 0, bound.width() + 12, bound.height() + 8)
        else:
            self._rect = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.text:
            return
        c = self.colours
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(c.bad, 1))
        painter.setBrush(c.node_fill)
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setFont(self.font)
        painter.setPen(c.bad)
        painter.drawText(self._rect.adjusted(6, 4, -6, -4), int(Qt.TextFlag.TextWordWrap), self.text)
