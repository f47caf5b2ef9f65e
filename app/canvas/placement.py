"""Where pasted and duplicated components land: beside the originals, never on top of another component."""
from __future__ import annotations

from collections.abc import Iterable

from .node_item import NODE_HEIGHT, NODE_WIDTH

PASTE_STEP = 40.0  # each try moves the copies this far right and down
MAX_TRIES = 200  # past this the design is so crowded that any spot will do


def free_offset(placing: Iterable[tuple[float, float]], occupied: Iterable[tuple[float, float]],
                first: int = 1, step: float = PASTE_STEP) -> tuple[float, float]:
    """The smallest diagonal offset (``first`` steps or more) at which no copy covers an occupied spot.

    Positions are node centres; two nodes collide when their boxes overlap.
    ``first`` = 0 allows the copies to land where they were (a cut pasted
    back into its place).
    """
    placing, occupied = list(placing), list(occupied)
    k = first
    for k in range(first, first + MAX_TRIES):
        d = k * step
        if not any(abs(x + d - ox) < NODE_WIDTH and abs(y + d - oy) < NODE_HEIGHT
                   for x, y in placing for ox, oy in occupied):
            break
    return k * step, k * step


def fragment_positions(fragment: dict) -> list[tuple[float, float]]:
    """The positions of the components a clipboard fragment holds (a missing one counts as the origin)."""
    spots: list[tuple[float, float]] = []
    components = fragment.get("components") if isinstance(fragment, dict) else None
    # A fragment edited by hand may hold anything there: the paste itself says what is wrong.
    for raw in components if isinstance(components, list) else []:
        pos = raw.get("position") if isinstance(raw, dict) else None
        pos = pos if isinstance(pos, dict) else {}
        try:
            spots.append((float(pos.get("x", 0)), float(pos.get("y", 0))))
        except (TypeError, ValueError):
            spots.append((0.0, 0.0))
    return spots
