"""Paths, designs and look-ups the interop tests share."""
from __future__ import annotations

import json
from pathlib import Path

from app.interop import read_documents, topology
from app.interop.notes import ImportResult
from engine.model import Client, Database, Design, External, Link, Service

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
REAL_CONFIGS = Path("/work/shared/real-configs")
COLLECTOR = FIXTURES / "traces" / "shop-collector.json"


def compose_imported(*paths) -> ImportResult:
    """The compose files ``paths`` as the import reads them together (a folder in name order)."""
    result = ImportResult(Design())
    docs = [doc for path in paths for doc in read_documents(path)]
    result.design = topology.import_topology(docs, None, result, "compose")
    return result


def links_of(design) -> set[str]:
    return {link.name for link in design.links}


def collector_copies(path: Path, copies: int) -> Path:
    """The collector's file ``copies`` times over at ``path``, each copy's traces under ids of their own
    (as much more traffic)."""
    lines = [json.loads(line) for line in COLLECTOR.read_text().splitlines()]
    with path.open("w") as out:
        for copy in range(copies):
            for line in lines:
                for rs in line["resourceSpans"]:
                    for scope in rs["scopeSpans"]:
                        for s in scope["spans"]:
                            s["traceId"] = f"{copy:04x}" + s["traceId"][4:]
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
    return path


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
