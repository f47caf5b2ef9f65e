"""A layered left-to-right layout: callers on the left, their dependencies to the right.

Used by Arrange, and on opening a design whose components carry no
positions (hand-written JSON puts them all at the origin).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from engine.model import Design, Position

COLUMN = 240.0
ROW = 100.0


def layered_spots(design: Design) -> dict[uuid.UUID, tuple[float, float]]:
    """Centre positions by component id: column = longest call path from a root, rows ordered to cut crossings.

    By id, not by name: two components of a hand-written design that share a name (a problem the
    design then lists) get a spot each, where by name they were laid exactly one over the other.
    """
    ids: list[uuid.UUID] = [c.id for c in design.components]
    index = {c.id: i for i, c in enumerate(design.components)}
    callers: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    # A link names its ends by id, or by name when the design could not resolve it.
    ends: dict[object, uuid.UUID] = {}
    for c in design.components:
        ends.setdefault(c.name, c.id)
        ends[c.id] = c.id
    for link in design.links:
        source, target = ends.get(link.source), ends.get(link.target)
        if source is not None and target is not None and source != target:
            callers[target].append(source)
    depth = _longest_paths(ids, callers)
    columns: dict[int, list[uuid.UUID]] = {}
    for cid in ids:
        columns.setdefault(depth[cid], []).append(cid)
    order: dict[uuid.UUID, float] = {}
    for col in sorted(columns):
        members = columns[col]
        if col > 0:
            # Barycentre of the callers' rows keeps calls running mostly straight across.
            def key(n: uuid.UUID) -> float:
                rows = [order[p] for p in callers[n] if p in order]
                return sum(rows) / len(rows) if rows else float(index[n])

            members.sort(key=key)
        for i, cid in enumerate(members):
            order[cid] = float(i)
    tallest = max(len(m) for m in columns.values()) if columns else 0
    positions = {}
    for col, members in columns.items():
        offset = (tallest - len(members)) * ROW / 2
        for i, cid in enumerate(members):
            positions[cid] = (col * COLUMN, offset + i * ROW)
    return positions


@dataclass
class _Frame:
    """One component on the walk's path, with where the walk stands among its callers."""

    component: uuid.UUID
    parents: list[uuid.UUID]
    next: int = 0
    deepest: int = -1


def _longest_paths(ids: list[uuid.UUID], callers: dict[uuid.UUID, list[uuid.UUID]]) -> dict[uuid.UUID, int]:
    """Longest call path from any root to each component; a cycle (an invalid design) is cut
    where it closes. Depth-first with an explicit stack, so a chain of thousands of services
    is laid out like any other design."""
    depth: dict[uuid.UUID, int] = {}
    for root in ids:
        if root in depth:
            continue
        on_path = {root}
        # Each frame: a component, its callers not on the path, the next caller to look at, the deepest so far.
        frames = [_Frame(root, list(callers[root]))]
        while frames:
            frame = frames[-1]
            if frame.next < len(frame.parents):
                parent = frame.parents[frame.next]
                frame.next += 1
                if parent in depth:
                    frame.deepest = max(frame.deepest, depth[parent])
                else:
                    frames.append(_Frame(parent, [p for p in callers[parent] if p not in on_path]))
                    on_path.add(parent)
                continue
            depth[frame.component] = frame.deepest + 1
            frames.pop()
            on_path.discard(frame.component)
            if frames:
                frames[-1].deepest = max(frames[-1].deepest, depth[frame.component])
    return depth


def needs_layout(design: Design) -> bool:
    """True when several components share one position (nothing was ever laid out)."""
    spots = {(c.position.x, c.position.y) for c in design.components}
    return len(design.components) > 1 and len(spots) == 1


def laid_out(design: Design) -> Design:
    """A copy of ``design`` with every component at its ``layered_spots`` place: how a design opened
    or imported without positions (hand-written JSON, a configuration import) is first shown."""
    spots = layered_spots(design)
    design = design.model_copy(deep=True)
    for i, c in enumerate(design.components):
        x, y = spots[c.id]
        design.components[i] = c.model_copy(update={"position": Position(x=x, y=y)})
    return design
