"""What importing the sweep code costs: no Dask or SciPy until used, and on a worker only the engine."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""})
    return set(out.stdout.split())


def test_the_command_line_loads_dask_and_scipy_only_when_a_sweep_needs_them():
    loaded = _modules_after("import engine.explore, app.cli_sweep, app.cli; app.cli.build_parser()")
    assert not loaded & {"dask", "distributed", "scipy", "PySide6"}


def test_a_worker_needs_the_engine_only():
    loaded = _modules_after("from engine.explore.worker import run_batch")
    assert "engine" in loaded
    assert not loaded & {"app", "PySide6", "sqlalchemy", "rich", "dask", "distributed", "scipy"}
