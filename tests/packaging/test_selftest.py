"""The self-test run in-process: what it checks, what it prints, and that it fails when it should."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from app import selftest

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = selftest.run_self_test(out, workdir=tmp_path, **kwargs)
    return code, out.getvalue()


def test_self_test_passes_and_names_every_step(tmp_path):
    code, text = run(tmp_path)
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0].startswith("Faultline ") and "self-test" in lines[0]
    assert "Qt platform offscreen" in lines[0]
    assert any(l.startswith("ok   Qt plugins: platform plugins") for l in lines), text
    assert any(l.startswith("ok   example: three_tier.json") for l in lines), text
    assert any(l.startswith('ok   simulation: experiment "database outage"') and "requests" in l
               and 'first fault "crash on db"' in l for l in lines), text
    assert any(l.startswith("ok   worker processes: 2 replications in 2 worker processes")
               and "reproduced this process's run exactly" in l for l in lines), text
    assert any(l.startswith("ok   project file: saved and reopened") and "identical" in l for l in lines), text
    # The window steps run when the editor is present, and say so plainly when not.
    assert any(l.startswith(("ok   main window:", "skip main window:")) for l in lines), text
    assert any(l.startswith(("ok   open by double-click:", "skip open by double-click:")) for l in lines), text
    assert lines[-1].startswith("self-test passed:")
    assert (tmp_path / "self-test.faultline").is_file()


def test_window_step_reports_time_since_process_start(tmp_path):
    pytest.importorskip("app.main_window")
    code, text = run(tmp_path)
    assert code == 0, text
    line = next(l for l in text.splitlines() if l.startswith("ok   main window:"))
    assert "shown offscreen" in line and " s after the " in line


def test_native_platform_plugins_per_system():
    assert selftest.native_platforms("linux") == ("qxcb", "qwayland")
    assert selftest.native_platforms("win32") == ("qwindows",)
    assert selftest.native_platforms("darwin") == ("qcocoa",)


def test_a_build_without_the_screen_plugin_fails(tmp_path, monkeypatch):
    """Offscreen, a bundle without xcb would pass everything else and then fail on the user's screen."""
    monkeypatch.setattr(selftest, "native_platforms", lambda system=None: ("qnosuchscreen",))
    code, text = run(tmp_path, with_window=False)
    assert code == 1
    assert "FAIL Qt plugins: SelfTestFailure: no qnosuchscreen platform plugin in" in text
    assert "the window could not open on a screen" in text


def test_missing_examples_fail_and_name_the_step(tmp_path, monkeypatch):
    import app.resources

    empty = tmp_path / "examples"
    empty.mkdir()
    monkeypatch.setattr(app.resources, "EXAMPLES", empty)
    code, text = run(tmp_path, with_window=False)
    assert code == 1
    assert f"FAIL example: SelfTestFailure: no example designs in {empty}" in text
    assert text.splitlines()[-1] == "self-test FAILED at 'example' (steps passed before it: 1)"
    assert "simulation" not in text


def test_design_without_fault_fails_the_simulation_step(tmp_path, monkeypatch):
    import app.resources

    examples = tmp_path / "examples"
    examples.mkdir()
    source = (app.resources.EXAMPLES / "mmc.json").read_text()
    import json

    data = json.loads(source)
    data["experiments"] = []
    (examples / "calm.json").write_text(json.dumps(data))
    monkeypatch.setattr(app.resources, "EXAMPLES", examples)
    code, text = run(tmp_path, with_window=False)
    assert code == 1
    assert "ok   example: calm.json" in text
    assert "FAIL simulation: SelfTestFailure: the example design" in text and "has no experiment with a fault" in text


def fault(start, duration, enabled=True):
    return SimpleNamespace(start=start, duration=duration, enabled=enabled)


def test_run_duration_covers_every_enabled_fault_window():
    exp = SimpleNamespace(faults=[fault(60, 30), fault(10, 100), fault(500, 10, enabled=False)])
    assert selftest.run_duration(exp) == 110 + selftest.RECOVERY_MARGIN
    assert selftest.run_duration(SimpleNamespace(faults=[fault(70, None)])) == 70 + selftest.RECOVERY_MARGIN
    assert selftest.run_duration(SimpleNamespace(faults=[fault(1, 2)])) == 20.0


def test_pick_experiment_skips_experiments_without_enabled_faults():
    quiet = SimpleNamespace(name="quiet", faults=[fault(1, 1, enabled=False)])
    loud = SimpleNamespace(name="loud", faults=[fault(1, 1)])
    assert selftest.pick_experiment(SimpleNamespace(experiments=[quiet, loud])) is loud
    assert selftest.pick_experiment(SimpleNamespace(experiments=[quiet])) is None


def test_pick_example_prefers_three_tier_then_first_json(tmp_path):
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "a.json").write_text("{}")
    assert selftest.pick_example(tmp_path).name == "a.json"
    (tmp_path / selftest.PREFERRED_EXAMPLE).write_text("{}")
    assert selftest.pick_example(tmp_path).name == selftest.PREFERRED_EXAMPLE


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start time is read from /proc")
def test_process_age_counts_from_process_start():
    age = selftest.process_age()
    assert age is not None
    # This process started before the self-test module was imported, and not in the future.
    assert age >= time.monotonic() - selftest._IMPORTED_AT - 0.05
    assert age < 24 * 3600


def test_extra_arguments_are_refused(capsys):
    assert selftest.main(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert "usage: faultline --self-test [--screen]" in err and "got --bogus" in err
    assert selftest.main(["--screen", "--bogus"]) == 2


def test_on_screen_the_self_test_uses_the_platform_asked_for(tmp_path, monkeypatch):
    """``--screen`` leaves QT_QPA_PLATFORM alone (here offscreen already); without it, offscreen is forced."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "minimal")
    out = io.StringIO()
    assert selftest.run_self_test(out, with_window=False, workdir=tmp_path, screen=True) == 0, out.getvalue()
    assert "Qt platform minimal" in out.getvalue()
    out = io.StringIO()
    assert selftest.run_self_test(out, with_window=False, workdir=tmp_path) == 0, out.getvalue()
    assert "Qt platform offscreen" in out.getvalue()


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries and glibc's loader")


@linux_only
def test_load_problems_names_the_library_that_is_missing(tmp_path, library_needing):
    broken, name = library_needing("libfaultlinegone")
    not_a_library = tmp_path / "libtext.so"
    not_a_library.write_text("no ELF here")
    import _ctypes

    problems = selftest.load_problems([Path(_ctypes.__file__), broken, not_a_library])
    assert list(problems) == [broken, not_a_library]
    assert problems[broken] == f"needs {name}, which is neither installed nor in the build"
    assert "libtext.so" not in problems[not_a_library] and problems[not_a_library]  # the loader's own words


@linux_only
def test_the_screen_plugins_of_these_sources_load():
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    chosen = selftest.plugins_to_load(plugins, frozen=False, system="linux")
    assert sorted(p.name for p in chosen) == ["libqwayland.so", "libqxcb.so"]
    assert selftest.load_problems(chosen) == {}


def test_plugins_to_load_every_bundled_plugin_but_only_the_screens_of_the_sources(tmp_path):
    for rel in ("platforms/libqxcb.so", "platforms/libqwayland.so", "platforms/libqvnc.so",
                "platforms/libqoffscreen.so", "xcbglintegrations/libqxcb-glx-integration.so", "styles/readme.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    frozen = [p.relative_to(tmp_path).as_posix() for p in selftest.plugins_to_load(tmp_path, True, "linux")]
    assert frozen == ["platforms/libqoffscreen.so", "platforms/libqvnc.so", "platforms/libqwayland.so",
                      "platforms/libqxcb.so", "xcbglintegrations/libqxcb-glx-integration.so"]
    sources = [p.name for p in selftest.plugins_to_load(tmp_path, False, "linux")]
    assert sources == ["libqwayland.so", "libqxcb.so"]


@linux_only
def test_a_screen_plugin_that_cannot_load_fails_the_self_test_naming_the_library(tmp_path, monkeypatch,
                                                                                 library_needing):
    """Offscreen never loads the xcb plugin: without this check a missing X11 library passed unnoticed."""
    broken, name = library_needing("libxcbgone")
    real = selftest.plugins_to_load
    monkeypatch.setattr(selftest, "plugins_to_load",
                        lambda plugins, frozen, system=None: real(plugins, frozen) + [broken])
    code, text = run(tmp_path, with_window=False)
    assert code == 1
    line = next(l for l in text.splitlines() if l.startswith("FAIL Qt plugins:"))
    assert f"libneedsmissing.so: needs {name}, which is neither installed nor in the build" in line
    assert "the window could not open on a screen" in line


def test_main_py_routes_self_test_and_writes_nothing_in_home(tmp_path):
    """``python main.py --self-test`` with an empty home: exit 0, and no settings or caches left behind."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="xcb")  # the self-test must switch to offscreen itself
    env.pop("DISPLAY", None)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-test passed" in proc.stdout
    assert "Qt platform offscreen" in proc.stdout
    written = sorted(p.relative_to(home).as_posix() for p in home.rglob("*"))
    # fontconfig may refresh its own cache when the system's is stale; that is the library's, not ours.
    assert [p for p in written if p != ".cache" and not p.startswith(".cache/fontconfig")] == []


def test_the_window_is_gone_when_the_self_test_returns(tmp_path):
    main_window = pytest.importorskip("app.main_window")
    code, text = run(tmp_path)
    assert code == 0, text
    from PySide6.QtWidgets import QApplication

    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, main_window.MainWindow)]


def test_results_stamped_with_another_version_fail_the_simulation_step(tmp_path, monkeypatch):
    import engine.simulation

    monkeypatch.setattr(engine.simulation, "__version__", "9.9.9")
    code, text = run(tmp_path, with_window=False)
    assert code == 1
    assert "FAIL simulation: SelfTestFailure: the results say Faultline '9.9.9', this is Faultline" in text
