"""A layered left-to-right layout: callers on the left, their dependencies to the right.

Used by Arrange, and on opening a design whose components carry no
positions (hand-written JSON puts them all at the origin).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.model import Design

COLUMN = 240.0
ROW = 100.0


def layered_positions(design: Design) -> dict[str, tuple[float, float]]:
    """Centre positions by component name: column = longest call path from a root, rows ordered to cut crossings."""
    names = [c.name for c in design.components]
    name_of = design.names()
    callers: dict[str, list[str]] = {n: [] for n in names}
    for link in design.links:
        source, target = design.name_of(link.source, name_of), design.name_of(link.target, name_of)
        if source in callers and target in callers and source != target:
            callers[target].append(source)
    depth = _longest_paths(names, callers)
    columns: dict[int, list[str]] = {}
    for name in names:
        columns.setdefault(depth[name], []).append(name)
    order: dict[str, float] = {}
    for col in sorted(columns):
        members = columns[col]
        if col > 0:
            # Barycentre of the callers' rows keeps calls running mostly straight across.
            def key(n: str) -> float:
                rows = [order[p] for p in callers[n] if p in order]
                return sum(rows) / len(rows) if rows else float(names.index(n))

            members.sort(key=key)
        for i, name in enumerate(members):
            order[name] = float(i)
    tallest = max(len(m) for m in columns.values()) if columns else 0
    positions = {}
    for col, members in columns.items():
        offset = (tallest - len(members)) * ROW / 2
        for i, name in enumerate(members):
            positions[name] = (col * COLUMN, offset + i * ROW)
    return positions


@dataclass
class _Frame:
    """One component on the walk's path, with where the walk stands among its callers."""

    name: str
    parents: list[str]
    next: int = 0
    deepest: int = -1


def _longest_paths(names: list[str], callers: dict[str, list[str]]) -> dict[str, int]:
    """Longest call path from any root to each component; a cycle (an invalid design) is cut
    where it closes. Depth-first with an explicit stack, so a chain of thousands of services
    is laid out like any other design."""
    depth: dict[str, int] = {}
    for root in names:
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
            depth[frame.name] = frame.deepest + 1
            frames.pop()
            on_path.discard(frame.name)
            if frames:
                frames[-1].deepest = max(frames[-1].deepest, depth[frame.name])
    return depth


def needs_layout(design: Design) -> bool:
    """True when several components share one position (nothing was ever laid out)."""
    spots = {(c.position.x, c.position.y) for c in design.components}
    return len(design.components) > 1 and len(spots) == 1
