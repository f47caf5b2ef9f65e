"""The node-graph canvas: scene, items, view and the palette of component kinds."""
from .link_item import LinkItem
from .node_item import NodeItem
from .palette import ComponentPalette
from .scene import GRID, CanvasScene
from .view import KIND_MIME, CanvasView

__all__ = ["CanvasScene", "CanvasView", "ComponentPalette", "GRID", "KIND_MIME", "LinkItem", "NodeItem"]
