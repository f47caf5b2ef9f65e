"""A developer's first `make`: the venv it makes, repairs when half-made, and one compilation of the engine."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV_VENV = ROOT / "build_scripts" / "dev_venv.sh"

pytestmark = pytest.mark.skipif(not shutil.which("bash") or not shutil.which("make") or sys.platform == "win32",
                                reason="make and bash")


def check(venv: Path) -> int:
    return subprocess.run(["bash", str(DEV_VENV), "check", str(venv)], capture_output=True).returncode


def complete_venv(venv: Path) -> Path:
    """A venv as a finished setup leaves it: a python with pip, both stamps newer than what they depend on."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    later = time.time() + 60
    for stamp, at in ((".deps-installed", later), (".engine-built", later + 1)):
        (venv / stamp).touch()
        os.utime(venv / stamp, (at, at))
    return venv


def make_n(venv: Path, target: str = "test") -> str:
    done = subprocess.run(["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_complete_venv_passes_the_check_and_make_leaves_it_alone(tmp_path):
    venv = complete_venv(tmp_path / "venv")
    assert check(venv) == 0
    plan = make_n(venv)
    assert "dev_venv.sh make" not in plan and "pip install" not in plan
    assert f"{venv}/bin/python -m pytest -q" in plan


@pytest.mark.parametrize("damage", ["no stamp", "no python", "python that does not run", "no pip"])
def test_a_half_made_venv_is_made_again(tmp_path, damage):
    venv = complete_venv(tmp_path / "venv")
    python = venv / "bin" / "python"
    if damage == "no stamp":
        (venv / ".deps-installed").unlink()
    elif damage == "no python":
        python.unlink()
    elif damage == "python that does not run":
        python.unlink()
        python.write_text("#!/bin/sh\nexit 127\n")
        python.chmod(0o755)
    else:
        python.unlink()
        python.write_text(f'#!/bin/sh\n[ "$2" = "import pip" ] && exit 1\nexec {sys.executable} "$@"\n')
        python.chmod(0o755)
    assert check(venv) != 0
    plan = make_n(venv)
    assert f"bash build_scripts/dev_venv.sh make python3 {venv}" in plan
    # The project is installed again after the venv, which compiles the engine.
    assert plan.index("dev_venv.sh make") < plan.index("pip install -q --no-build-isolation --no-deps -e .")


def test_a_fresh_checkout_compiles_the_engine_once(tmp_path):
    plan = make_n(tmp_path / "venv")
    assert plan.count("pip install -q --no-build-isolation --no-deps -e .") == 1
    assert "build_ext" not in plan and "setup.py" not in plan
    assert "-e '.[dev]'" not in plan                         # dependencies alone: no second engine build


def test_changed_engine_sources_compile_it_again_and_nothing_else(tmp_path):
    venv = complete_venv(tmp_path / "venv")
    earlier = time.time() - 3600
    os.utime(venv / ".engine-built", (earlier, earlier))
    plan = make_n(venv)
    assert plan.count("--no-deps -e .") == 1 and "dev_venv.sh make" not in plan


@pytest.mark.parametrize("target", ["test", "run"])
def test_sysdeps_also_asks_for_what_building_needs(tmp_path, target):
    plan = make_n(complete_venv(tmp_path / "venv"), target)
    loop = next(line for line in plan.splitlines() if line.startswith("missing=\"\"; for p in"))
    asked = loop.removeprefix('missing=""; for p in').split("; do")[0].split()
    assert {"python3-venv", "python3-dev", "gcc", "libxcb-cursor0"} <= set(asked)
    assert 'echo "  sudo apt-get install -y --no-install-recommends$missing"' in plan


def fake_python(tmp_path: Path, pip_fails: bool = False) -> Path:
    """A PYTHON whose ``-m venv`` makes a venv whose python logs pip calls instead of downloading."""
    log = tmp_path / "pip.log"
    venv_python = (f'#!/bin/sh\nif [ "$1" = -m ] && [ "$2" = pip ]; then echo "$*" >>{log}; '
                   f'{"exit 1" if pip_fails else "exit 0"}; fi\n'
                   f'[ "$1" = -c ] && [ "$2" = "import pip" ] && exit 0\nexec {sys.executable} "$@"\n')
    python = tmp_path / "python3"
    python.write_text(f'#!/bin/sh\n[ "$1 $2" = "-m venv" ] || exit 3\nmkdir -p "$3/bin"\n'
                      f"cat >\"$3/bin/python\" <<'EOF'\n{venv_python}EOF\nchmod +x \"$3/bin/python\"\n")
    python.chmod(0o755)
    return python


def run_make_venv(python: Path, venv: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(DEV_VENV), "make", str(python), str(venv)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_venv_gets_what_pyproject_asks_for_and_its_stamp_last(tmp_path):
    venv = tmp_path / "venv"
    done = run_make_venv(fake_python(tmp_path), venv)
    assert done.returncode == 0, done.stdout + done.stderr
    requirements = (venv / "requirements.txt").read_text().splitlines()
    assert "Cython>=3.0.10" in requirements and any(r.startswith("pytest") for r in requirements)
    assert any(r.lower().startswith("pyside6") for r in requirements)
    calls = (tmp_path / "pip.log").read_text().splitlines()
    assert calls[-1] == f"-m pip install --progress-bar on -r {venv}/requirements.txt"
    assert (venv / ".deps-installed").is_file() and check(venv) == 0
    assert "== installing" in done.stdout and "== " + str(venv) + " is complete" in done.stdout


def test_an_interrupted_install_leaves_no_stamp_and_the_next_run_starts_over(tmp_path):
    venv = tmp_path / "venv"
    failed = run_make_venv(fake_python(tmp_path, pip_fails=True), venv)
    assert failed.returncode != 0
    assert venv.exists() and not (venv / ".deps-installed").exists() and check(venv) != 0
    (venv / "leftover").touch()
    again = run_make_venv(fake_python(tmp_path), venv)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{venv} is incomplete (a setup that stopped half-way?): making it again" in again.stdout
    assert not (venv / "leftover").exists() and check(venv) == 0


def test_usage_is_named(tmp_path):
    done = subprocess.run(["bash", str(DEV_VENV), "bogus"], capture_output=True, text=True)
    assert done.returncode == 2 and "dev_venv.sh check VENV" in done.stderr
