"""app/run talks to the engine through its public API only, and knows no SQL."""
from __future__ import annotations

import ast
from pathlib import Path

import app.run

PUBLIC_ENGINE = {"engine", "engine.compare", "engine.model", "engine.explore"}
FORBIDDEN = ("sqlalchemy", "sqlite3", "app.store.")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
            found.add(f"app.{node.module}")
    return found


def test_run_modules_use_only_the_public_engine_api_and_no_sql():
    folder = Path(app.run.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert files
    for path in files:
        modules = imported_modules(path)
        engine = {m for m in modules if m == "engine" or m.startswith("engine.")}
        assert engine <= PUBLIC_ENGINE, f"{path.name} imports engine internals: {sorted(engine - PUBLIC_ENGINE)}"
        sql = {m for m in modules if m.startswith(FORBIDDEN)}
        assert not sql, f"{path.name} reaches into storage: {sorted(sql)}"
