"""How long a step of the dashboard's time slider holds the window after a run of a large design (offscreen).

Runs a design of 1,000 components (and one of 100) at full speed for 120 simulated seconds, fits
the canvas, then moves the time slider through the run a bucket at a time. Each step recolours
every node and relabels every link with that bucket's health, as a user scrubbing the run sees it.
The figure per step is the wall time from the slider's move until the window has processed what
it caused (repaints included), as a user waits for it, beside the window thread's processor time
(what the step costs, steadier on a busy machine). Figures, not a test: a drag of the slider
should follow the mouse, well under 50 ms a step.

    python -m benchmarks.bench_time_slider [components ...] [--profile]

``--profile`` prints where the steps' time goes (cProfile, by cumulative time) at the first size.
"""
from __future__ import annotations

import statistics
import sys
import time

from .qt_app import qt_app, scratch_window

STEPS = 40
RUN_SECONDS = 120


def _finished_run(n: int):
    """A window showing the finished run of an ``n``-component design, and its run UI."""
    app = qt_app()
    from app.run.ui import FULL_SPEED_INDEX, install
    from app.store import save_project
    from benchmarks.bench_canvas import large_design

    window, tmp = scratch_window()
    window.ask_save_changes = lambda: "discard"
    ui = install(window)
    path = tmp / "large.faultline"
    save_project(path, large_design(n))
    window.resize(1400, 900)
    window.show()
    window.open_path(path, ask=False)
    ui.speed_combo.setCurrentIndex(FULL_SPEED_INDEX)
    ui.duration_spin.setValue(RUN_SECONDS)
    ui.confirm = lambda _question: True  # a design that offers more load than it serves runs anyway
    if ui.run() is None:
        raise SystemExit("the run did not start: " + window.statusBar().currentMessage())
    while ui.controller.running:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(20):  # the dashboard's staged work after the end
        app.processEvents()
        time.sleep(0.01)
    window.view.fit()
    app.processEvents()
    return window, ui


def measure(n: int = 1000, profile: bool = False) -> dict[str, float]:
    app = qt_app()
    window, ui = _finished_run(n)
    slider = ui.dashboard.slider
    steps = min(STEPS, slider.maximum())
    values = [slider.maximum() - 1 - i for i in range(steps)]  # backwards: every step a new bucket
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    times, cpu = [], []
    for value in values:
        start, start_cpu = time.perf_counter(), time.thread_time()
        slider.setValue(value)
        app.processEvents()
        times.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.thread_time() - start_cpu))
    if profiler is not None:
        import pstats
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    figures = {"components": float(len(window.document.design.components)), "steps": float(len(times)),
               "median_ms": statistics.median(times), "max_ms": max(times),
               "p90_ms": sorted(times)[int(0.9 * len(times)) - 1], "cpu_median_ms": statistics.median(cpu)}
    ui.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    return figures


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--profile"]
    sizes = [int(a) for a in args if a.isdigit()] or [1000, 100]
    profile = "--profile" in sys.argv[1:]
    print(f"time slider after a {RUN_SECONDS} s run, fitted canvas; wall time per step until the window has caught up")
    for i, n in enumerate(sizes):
        f = measure(n, profile=profile and i == 0)
        print(f"{f['components']:5.0f} components, {f['steps']:.0f} steps: median {f['median_ms']:6.1f} ms, "
              f"p90 {f['p90_ms']:6.1f} ms, max {f['max_ms']:6.1f} ms (target < 50 ms); "
              f"window thread's processor time median {f['cpu_median_ms']:6.1f} ms")


if __name__ == "__main__":
    main()
