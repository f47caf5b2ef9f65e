"""``Faultline --self-test``: prove an installed or packaged Faultline works, with no screen and no network.

It runs offscreen (with ``--screen``, on the desktop's screen) and, in order:
checks that the plugins a real screen needs are there and that the dynamic
loader can load them with every library they link (offscreen never loads
them, so a missing system library would otherwise pass unnoticed), shows the
main window (and says how long after the process started it appeared),
opens a bundled example design, runs
one of its experiments, runs it again as two replications in worker
processes (which in a packaged build are the executable started again),
saves the design and the run into a project file in a temporary folder and
reads it back, then opens that file in the window the way a double-click
would. Every step prints one line saying what it did; the
first step that fails is named and the exit status is 1. Nothing is written
outside the temporary folder: the window gets its settings, recent files and
recovery folder there too.

When the window class is not part of this build yet, the window steps print
a line saying they were skipped and the rest still runs.
"""
from __future__ import annotations

import _ctypes
import faulthandler
import inspect
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

FLAG = "--self-test"
SCREEN_FLAG = "--screen"
PREFERRED_EXAMPLE = "three_tier.json"
WATCHDOG_SECONDS = 180
# How far past the end of the last fault window the run goes, so the recovery shows.
RECOVERY_MARGIN = 10.0
_IMPORTED_AT = time.monotonic()


class SelfTestFailure(Exception):
    """A check did not hold; the message says which and why."""


def process_age() -> float | None:
    """Seconds since the operating system started this process, or None where that is unknown.

    Read from /proc (Linux), so it counts the interpreter's own start-up and
    every import before this module, which is what a user waits through.
    """
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of the whole line
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return max(0.0, uptime - started)


def native_platforms(system: str | None = None) -> tuple[str, ...]:
    """Qt platform plugins a desktop of ``system`` (default: this one) opens windows with."""
    system = system or sys.platform
    if system.startswith("linux"):
        return ("qxcb", "qwayland")
    if system == "win32":
        return ("qwindows",)
    if system == "darwin":
        return ("qcocoa",)
    return ()


def plugins_to_load(plugins: Path, frozen: bool, system: str | None = None) -> list[Path]:
    """The Qt plugins whose libraries the self-test has the dynamic loader resolve.

    A bundle keeps only plugins it uses, so each of them must load. The
    sources' PySide6 ships many the application never uses (SQL drivers,
    multimedia back ends), so there only the native screen plugins count.
    """
    if frozen:
        return sorted(p for p in plugins.rglob("*.so") if p.is_file())
    names = native_platforms(system)
    folder = plugins / "platforms"
    found = sorted(folder.glob("*.so")) if folder.is_dir() else []
    return [p for p in found if any(p.stem.removeprefix("lib") == name for name in names)]


# What glibc's dlerror says when a library a loaded file links is nowhere to be found.
_NOT_FOUND = re.compile(r"^(?P<name>[^:\s/][^:\s]*): cannot open shared object file")


def load_problems(paths: Iterable[Path]) -> dict[Path, str]:
    """Each shared library of ``paths`` the dynamic loader cannot load, with what stops it.

    Loading for real resolves every library the file links, and every symbol
    it takes from them, where and as the program will. A library that cannot
    be found is named ("needs libxcb-cursor.so.0, which is neither installed
    nor in the build");
    any other failure is the loader's own message.
    """
    problems: dict[Path, str] = {}
    for path in paths:
        try:
            # _ctypes.dlopen, not ctypes.CDLL: a packaged build wraps CDLL in one that hides the loader's reason.
            _ctypes.dlopen(str(path), os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as exc:
            message = str(exc)
            m = _NOT_FOUND.match(message)
            problems[path] = (f"needs {m['name']}, which is neither installed nor in the build" if m
                              else message.removeprefix(f"{path}: "))
    return problems


def run_duration(experiment) -> float:
    """A run long enough to hold every fault window of ``experiment`` and the recovery after it."""
    end = 0.0
    for fault in experiment.faults:
        if not getattr(fault, "enabled", True):
            continue
        stop = fault.start + (fault.duration or 0.0)
        end = max(end, stop)
    return max(20.0, end + RECOVERY_MARGIN)


def pick_experiment(design):
    """The first experiment of ``design`` with an enabled fault, or None."""
    for experiment in design.experiments:
        if any(getattr(f, "enabled", True) for f in experiment.faults):
            return experiment
    return None


def pick_example(examples: Path) -> Path:
    """The preferred example if bundled, else the first JSON example; SelfTestFailure if none."""
    preferred = examples / PREFERRED_EXAMPLE
    if preferred.is_file():
        return preferred
    found = sorted(examples.glob("*.json"))
    if not found:
        raise SelfTestFailure(f"no example designs in {examples}")
    return found[0]


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


def _ms(x: float) -> str:
    return f"{1000.0 * x:.0f} ms"


@dataclass
class SelfTest:
    """The state the steps share; ``run()`` drives them and reports."""

    out: TextIO
    workdir: Path
    with_window: bool = True
    passed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    design: Any = None
    experiment: Any = None
    result: Any = None
    project_path: Path | None = None
    project: Any = None
    window: Any = None
    qt_app: Any = None

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # -- steps ---------------------------------------------------------------------------
    def step_window(self) -> str:
        try:
            from app import main_window
        except ModuleNotFoundError as exc:
            if exc.name not in ("app.main_window",):
                raise
            self.window = None
            raise _Skip("the main window is not part of this build (app.main_window is missing)") from None
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        self.qt_app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "faultline"])
        if not isinstance(self.qt_app, QApplication):
            raise SelfTestFailure(f"this process already runs a {type(self.qt_app).__name__}, "
                                  "which cannot show widgets")
        self.qt_app.setApplicationName("Faultline")
        self.qt_app.setOrganizationName("Faultline")
        window_class = getattr(main_window, "MainWindow", None)
        if window_class is None:
            raise _Skip("app.main_window has no MainWindow class yet")
        from app.store import Autosave, RecentFiles

        settings = QSettings(str(self.workdir / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("app/started_before", True)  # no first-start example import
        offered = {
            "settings": settings,
            "recent": RecentFiles(self.workdir / "recent"),
            "autosave": Autosave(self.workdir / "recovery"),
        }
        accepted = inspect.signature(window_class).parameters
        kwargs = {k: v for k, v in offered.items() if k in accepted}
        self.window = window_class(**kwargs)
        self.window.show()
        deadline = time.monotonic() + 30
        while not self.window.isVisible() and time.monotonic() < deadline:
            self.qt_app.processEvents()
        self.qt_app.processEvents()
        if not self.window.isVisible():
            raise SelfTestFailure("the main window did not become visible within 30 s")
        screen = self.qt_app.platformName()
        age = process_age()
        when = (f"{age:.2f} s after the process started" if age is not None
                else f"{time.monotonic() - _IMPORTED_AT:.2f} s after the self-test started")
        kept = [k for k in offered if k not in kwargs]
        note = f" (it keeps its own {', '.join(kept)})" if kept else ""
        where = "offscreen" if screen == "offscreen" else f"on the {screen} screen"
        title = self.window.windowTitle().replace("[*]", "")
        return f'{type(self.window).__name__} "{title}" shown {where} {when}{note}'

    def step_qt_plugins(self) -> str:
        """The plugins a real screen needs: offscreen Qt never loads them, so look for them and load them."""
        from PySide6.QtCore import QLibraryInfo
        from PySide6.QtGui import QImageReader

        folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        missing = [name for name in native_platforms() if not any(name in f for f in found)]
        if missing:
            raise SelfTestFailure(f"no {' or '.join(missing)} platform plugin in {folder} (found: "
                                  f"{', '.join(found) or 'nothing'}): the window could not open on a screen")
        loaded = ""
        if sys.platform.startswith("linux"):
            plugins = plugins_to_load(folder.parent, getattr(sys, "frozen", False))
            problems = load_problems(plugins)
            if problems:
                raise SelfTestFailure("the dynamic loader cannot load " + "; ".join(
                    f"{p.relative_to(folder.parent) if p.is_relative_to(folder.parent) else p}: {why}"
                    for p, why in problems.items())
                    + ": the window could not open on a screen")
            loaded = f"; {len(plugins)} plugins load with every library they link"
        formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
        lacking = sorted({"svg", "png", "ico"} - formats)
        if lacking:
            raise SelfTestFailure(f"Qt cannot read {', '.join(lacking)} images: icons would be missing")
        return (f"platform plugins {', '.join(native_platforms())} present in {folder}{loaded}; "
                "svg, png and ico images readable")

    def step_example(self) -> str:
        from app.resources import EXAMPLES
        from engine.model import parse_design

        path = pick_example(EXAMPLES)
        self.design = parse_design(json.loads(path.read_text(encoding="utf-8")))
        problems = self.design.problems() if hasattr(self.design, "problems") else []
        if problems:
            raise SelfTestFailure(f"{path.name} has problems: {'; '.join(map(str, problems))}")
        d = self.design
        return f'{path.name} from {path.parent}: design "{d.name}", {d.size_text()}'

    def step_simulation(self) -> str:
        from engine import RunOptions, simulate

        self.experiment = pick_experiment(self.design)
        if self.experiment is None:
            raise SelfTestFailure(f'the example design "{self.design.name}" has no experiment with a fault')
        duration = run_duration(self.experiment)
        started = time.perf_counter()
        self.result = simulate(self.design, RunOptions(duration=duration, seed=1), experiment=self.experiment.name)
        wall = time.perf_counter() - started
        r = self.result
        if not r.meta.get("finished"):
            raise SelfTestFailure("the run stopped before its end")
        fault_events = r.events_of("fault_started")
        if not fault_events:
            raise SelfTestFailure(f'experiment "{self.experiment.name}" ran but no fault started')
        clients = [name for name, kind in zip(r.components, r.kinds) if kind == "client"]
        if not clients:
            raise SelfTestFailure("the example has no client, so nothing was measured")
        c = r.component_summary(clients[0])
        if not c.get("arrivals"):
            raise SelfTestFailure(f'client "{clients[0]}" sent no requests')
        from engine.version import __version__

        if r.meta.get("faultline_version") != __version__:
            raise SelfTestFailure(f"the results say Faultline {r.meta.get('faultline_version')!r}, "
                                  f"this is Faultline {__version__}")
        first = fault_events[0]
        return (f'experiment "{self.experiment.name}", {duration:.0f} s simulated in {wall:.2f} s '
                f'({r.meta.get("events_processed", 0):,} events); client "{clients[0]}": '
                f'{c["arrivals"]:.0f} requests, {_pct(c["error_rate"])} failed, p99 {_ms(c["latency_p99"])}; '
                f'{len(r.events)} log events, first fault "{first["details"]}" at {first["time"]:.0f} s')

    def step_worker_processes(self) -> str:
        """Replications in parallel processes, as ``faultline run --replications`` does: in a packaged
        build each worker is the executable started again, which must run the engine, not the app."""
        from engine import RunOptions
        from engine.compare import run_comparison

        duration = self.result.meta["options"]["duration"]
        started = time.perf_counter()
        comparison = run_comparison(self.design, RunOptions(duration=duration, seed=1), self.experiment.name,
                                    replications=2, compare=False, processes=2)
        wall = time.perf_counter() - started
        runs = comparison.runs.get("protected", [])
        if len(runs) != 2:
            raise SelfTestFailure(f"2 replications asked for, {len(runs)} came back")
        client = next(name for name, kind in zip(self.result.components, self.result.kinds) if kind == "client")
        mine = self.result.component_summary(client)["arrivals"]
        theirs = [run.component_summary(client)["arrivals"] for run in runs]
        if theirs[0] != mine:
            raise SelfTestFailure(f"seed 1 in a worker process gave {theirs[0]:.0f} requests, "
                                  f"in this process {mine:.0f}: runs are not reproducible")
        if theirs[1] == theirs[0]:
            raise SelfTestFailure("seeds 1 and 2 gave identical runs")
        return (f"2 replications in 2 worker processes in {wall:.2f} s; seed 1 reproduced this process's run "
                f"exactly ({mine:.0f} requests), seed 2 differs ({theirs[1]:.0f})")

    def step_project_file(self) -> str:
        from app.store import SavedRun, open_project, save_project
        from engine.model import Project
        from engine.version import __version__

        self.project = Project(name="Self-test", designs=[self.design])
        run = SavedRun.create(self.design.id, self.result.to_dict(), experiment=self.experiment.name,
                              label="self-test")
        self.project_path = self.workdir / "self-test.faultline"
        save_project(self.project_path, self.project, runs=[run])
        opened = open_project(self.project_path)
        if opened.project != self.project:
            raise SelfTestFailure(f"{self.project_path} read back differs from the project saved")
        if list(opened.runs) != [run]:
            raise SelfTestFailure(f"{self.project_path} read back differs in its saved run")
        if opened.written_by != __version__:
            raise SelfTestFailure(f"{self.project_path} says written by {opened.written_by!r}, "
                                  f"this is Faultline {__version__}")
        size = self.project_path.stat().st_size
        return (f"saved and reopened {self.project_path} ({size / 1024:.0f} KiB): 1 design, 1 saved run, "
                f"written by Faultline {opened.written_by}, identical to what was saved")

    def step_window_opens_file(self) -> str:
        if self.window is None:
            raise _Skip("no main window to open the project in")
        if self.project_path is None:
            raise _Skip("no saved project to open")
        opener = getattr(self.window, "open_path", None)
        if opener is None:
            raise _Skip(f"{type(self.window).__name__} has no open_path yet")
        accepted = inspect.signature(opener).parameters
        ok = opener(self.project_path, ask=False) if "ask" in accepted else opener(self.project_path)
        self.qt_app.processEvents()
        if ok is False:
            raise SelfTestFailure(f"the main window refused to open {self.project_path}")
        title = self.window.windowTitle().replace("[*]", "")
        return f'the main window opened {self.project_path.name}: title "{title}"'

    # -- driver --------------------------------------------------------------------------
    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        # The plugins first: a screen plugin that cannot load would end the process at the window step.
        steps = [
            ("Qt plugins", self.step_qt_plugins),
            ("example", self.step_example),
            ("simulation", self.step_simulation),
            ("worker processes", self.step_worker_processes),
            ("project file", self.step_project_file),
        ]
        if self.with_window:
            steps.insert(1, ("main window", self.step_window))
            steps.append(("open by double-click", self.step_window_opens_file))
        return steps

    def run(self) -> int:
        from engine.version import __version__

        where = (f"bundle {Path(sys.executable).parent}" if getattr(sys, "frozen", False)
                 else f"sources {Path(__file__).resolve().parent.parent}")
        self.say(f"Faultline {__version__} self-test: {where}; Python {platform.python_version()} on "
                 f"{platform.system()} {platform.machine()}; Qt platform {os.environ.get('QT_QPA_PLATFORM')}; "
                 f"work folder {self.workdir}")
        for name, step in self.steps():
            try:
                detail = step()
            except _Skip as skip:
                self.skipped.append(name)
                self.say(f"skip {name}: {skip}")
                continue
            except Exception as exc:  # the point is to name any failure
                self.say(f"FAIL {name}: {type(exc).__name__}: {exc}")
                self.say(f"self-test FAILED at {name!r} (steps passed before it: {len(self.passed)})")
                return 1
            self.passed.append(name)
            self.say(f"ok   {name}: {detail}")
        self._close_window()
        skipped = f", {len(self.skipped)} skipped ({', '.join(self.skipped)})" if self.skipped else ""
        self.say(f"self-test passed: {len(self.passed)} steps ok{skipped}")
        return 0

    def _close_window(self) -> None:
        # hide() rather than close(): closing may ask about unsaved changes, which nobody can answer here.
        if self.window is not None:
            from PySide6.QtCore import QCoreApplication, QEvent

            self.window.hide()
            self.window.deleteLater()
            self.window = None
            # Delete it now, not at interpreter exit where Qt and Python tear down in no fixed order.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QCoreApplication.processEvents()


class _Skip(Exception):
    """A step that cannot apply to this build; reported, not a failure."""


def _output() -> tuple[TextIO, TextIO | None]:
    """stdout, or a file in the temp folder when a windowed Windows build has no console."""
    if sys.stdout is not None:
        return sys.stdout, None
    report = open(Path(tempfile.gettempdir()) / "faultline-self-test.txt", "w", encoding="utf-8")
    return report, report


def run_self_test(out: TextIO | None = None, with_window: bool = True, workdir: str | os.PathLike | None = None,
                  screen: bool = False) -> int:
    """Run every step; 0 when all passed (or were skipped as not applicable), 1 naming the failed step.

    Offscreen, whatever QT_QPA_PLATFORM says, unless ``screen``: then the
    window opens where Qt would open it for real (the desktop's display, or
    the platform QT_QPA_PLATFORM names), which proves the screen plugin works.
    """
    if not screen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out = out or sys.stdout
    if workdir is not None:
        return SelfTest(out, Path(workdir), with_window).run()
    with tempfile.TemporaryDirectory(prefix="faultline-self-test-") as tmp:
        return SelfTest(out, Path(tmp), with_window).run()


def main(argv: list[str] | None = None) -> int:
    """Entry for ``main.py --self-test [--screen]``: a watchdog against hangs, exit status 0 or 1 (2: bad usage)."""
    argv = argv or []
    if argv not in ([], [SCREEN_FLAG]):
        print(f"usage: faultline {FLAG} [{SCREEN_FLAG}]   ({SCREEN_FLAG}: show the window on the desktop's "
              f"screen instead of offscreen; got {' '.join(argv)})", file=sys.stderr)
        return 2
    out, opened = _output()
    if opened is None and sys.stderr is not None:
        # A dialog nobody can answer would hang forever: dump where and give up instead.
        faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    try:
        return run_self_test(out, screen=argv == [SCREEN_FLAG])
    finally:
        faulthandler.cancel_dump_traceback_later()
        if opened is not None:
            opened.close()
