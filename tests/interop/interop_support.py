"""Paths, designs and look-ups the interop tests share."""
from __future__ import annotations

from pathlib import Path

from engine.model import Client, Database, Design, External, Link, Service

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
REAL_CONFIGS = Path("/work/shared/real-configs")


def shop_design() -> Design:
    """web -> gateway -> orders, inventory, payments; orders -> orders-db."""
    return Design(
        name="shop",
        components=[
            Client(name="web"),
            Service(name="gateway", instances=2, workers=16),
            Service(name="orders", instances=2, workers=8),
            Service(name="inventory"),
            External(name="payments"),
            Database(name="orders-db", connections=10),
        ],
        links=[
            Link(source="web", target="gateway"),
            Link(source="gateway", target="orders"),
            Link(source="gateway", target="inventory"),
            Link(source="gateway", target="payments"),
            Link(source="orders", target="orders-db"),
        ],
    )


def policy(design: Design, owner: str, kind: str, scope: str | None = None):
    """The one policy of ``kind`` (and ``scope``) on ``owner``."""
    ref = design.ref_to(scope) if scope is not None else None  # scopes hold ids; tests name them
    found = [p for p in design.component(owner).policies
             if p.kind == kind and getattr(p, "scope", None) == ref]
    assert len(found) == 1, f"{owner} has {len(found)} {kind} policies for {scope}"
    return found[0]
