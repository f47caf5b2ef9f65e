"""What each command imports: ``--help`` needs no engine, a JSON design no SQL and no Qt."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "resources" / "examples" / "mmc.json")

# Runs main.py's entry in a fresh interpreter and prints which of these modules it loaded.
PROBE = """
import json, sys
sys.argv = ["main.py", *json.loads(sys.argv[1])]
import runpy
try:
    runpy.run_path({main!r}, run_name="__main__")
except SystemExit as exc:
    status = exc.code
else:
    status = 0
watched = {watched!r}
loaded = sorted(m for m in watched if m in sys.modules)
sys.stderr.write("LOADED " + json.dumps(loaded) + " STATUS " + str(status) + "\\n")
"""

HEAVY = ["sqlalchemy", "PySide6", "numpy", "pydantic", "engine.model", "engine._core", "app.selftest", "yaml"]


def loaded_by(*args: str) -> tuple[list[str], int]:
    code = PROBE.format(main=str(ROOT / "main.py"), watched=HEAVY)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(list(args))], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    line = next(line for line in done.stderr.splitlines() if line.startswith("LOADED "))
    loaded, status = line.removeprefix("LOADED ").split(" STATUS ")
    return json.loads(loaded), int(status)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["check", "--help"], ["--version"]])
def test_help_loads_neither_the_engine_nor_sql_nor_qt(args):
    loaded, status = loaded_by(*args)
    assert status == 0
    assert loaded == []


def test_running_a_json_design_loads_the_engine_but_not_sql_nor_qt(tmp_path):
    out = tmp_path / "r.json"
    loaded, status = loaded_by("run", SMALL, "--duration", "5", "--json", str(out))
    assert status == 0 and out.exists()
    assert "engine._core" in loaded and "numpy" in loaded
    assert "sqlalchemy" not in loaded and "PySide6" not in loaded and "app.selftest" not in loaded


def test_a_project_file_still_loads_sql(tmp_path):
    project = tmp_path / "p.faultline"
    from app.cli import main

    assert main(["convert", SMALL, str(project)]) == 0
    loaded, status = loaded_by("run", str(project), "--duration", "5")
    assert status == 0 and "sqlalchemy" in loaded and "PySide6" not in loaded


def test_import_help_still_lists_the_formats(capsys):
    from app.cli import main

    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "resilience4j" in capsys.readouterr().out


def test_the_engine_package_still_offers_its_names_on_first_use():
    import engine

    assert engine.simulate is engine.simulation.simulate
    assert "Simulation" in dir(engine) and set(engine.__all__) <= set(dir(engine))
    with pytest.raises(AttributeError):
        engine.no_such_name  # noqa: B018
