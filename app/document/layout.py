"""A layered left-to-right layout: callers on the left, their dependencies to the right.

Used by Arrange, and on opening a design whose components carry no
positions (hand-written JSON puts them all at the origin).
"""
from __future__ import annotations

from engine.model import Design

COLUMN = 240.0
ROW = 100.0


def layered_positions(design: Design) -> dict[str, tuple[float, float]]:
    """Centre positions by component name: column = longest call path from a root, rows ordered to cut crossings."""
    names = [c.name for c in design.components]
    known = set(names)
    callers: dict[str, list[str]] = {n: [] for n in names}
    callees: dict[str, list[str]] = {n: [] for n in names}
    for link in design.links:
        if link.source in known and link.target in known and link.source != link.target:
            callees[link.source].append(link.target)
            callers[link.target].append(link.source)
    depth: dict[str, int] = {}

    def visit(name: str, trail: frozenset) -> int:
        # Longest path from any root; a cycle (an invalid design) is cut where it closes.
        if name in depth:
            return depth[name]
        parents = [p for p in callers[name] if p not in trail]
        d = 0 if not parents else 1 + max(visit(p, trail | {name}) for p in parents)
        depth[name] = d
        return d

    for name in names:
        visit(name, frozenset())
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


def needs_layout(design: Design) -> bool:
    """True when several components share one position (nothing was ever laid out)."""
    spots = {(c.position.x, c.position.y) for c in design.components}
    return len(design.components) > 1 and len(spots) == 1
