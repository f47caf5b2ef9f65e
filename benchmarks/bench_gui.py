"""How fluid the window stays while the engine runs at full speed in the worker thread.

Prints the longest gap between ticks of a 5 ms QTimer in the GUI thread
during a full-speed run of the three-tier example (offscreen, with the real
main window, dashboard, event log and canvas colouring), the rate at which
snapshots reach the GUI, the dashboard's redraw rate, and how long Stop took.
Figures, not a test: stalls should stay within 16 ms (one frame at 60 Hz), with >= 10 redraws/s.
It also times the one-off work as a whole run starts and as it ends, and the event log's own
cost (taking a batch of events and repainting) as it follows a live comparison.

    python -m benchmarks.bench_gui [seconds] [trials] [--account]
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time

from .qt_app import qt_app, scratch_window

TICK_MS = 5
EXAMPLE = "three_tier.json"
ACCOUNTS: list[str] = []  # with --account: what each trial's longest tick was made of


def measure(seconds: float = 4.0, compare: bool = True) -> dict[str, float]:
    from PySide6.QtCore import QTimer
    app = qt_app()
    from app.gui import keep_startup_out_of_collections
    from app.resources import EXAMPLES
    from app.run.ui import FULL_SPEED_INDEX, install

    window, _folder = scratch_window()
    ui = install(window)
    window.resize(1600, 1000)
    window.show()
    window.import_path(EXAMPLES / EXAMPLE, ask=False)
    experiment = window.document.design.experiments[0].name
    ui.set_experiment(experiment)
    ui.speed_combo.setCurrentIndex(FULL_SPEED_INDEX)
    ui.compare_action.setChecked(compare)
    # Long enough to outlast the measurement (5,000 simulated s a wall second alone); its 10 s
    # buckets arrive by the hundred per second.
    ui.duration_spin.setValue(200_000)
    keep_startup_out_of_collections()  # as the application does once its window is up (app/gui.py)

    frames = 0

    def on_frame(_session) -> None:
        nonlocal frames
        frames += 1

    ui.controller.updated.connect(on_frame)
    ticks: list[float] = []
    cpu_ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)

    def tick() -> None:
        ticks.append(time.perf_counter())
        cpu_ticks.append(time.thread_time())

    timer.timeout.connect(tick)

    for _ in range(20):
        app.processEvents()
    # The same timer with nothing running: what the machine itself allows.
    timer.start()
    idle_start = time.perf_counter()
    while time.perf_counter() - idle_start < 1.0:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    idle_gaps = sorted(b - a for a, b in zip(ticks, ticks[1:]))
    ticks.clear()
    cpu_ticks.clear()
    ui.run()
    # The streaming figures begin once the run's start (measured by measure_ends) is over: its parts
    # take ticks of their own after the click, frames arriving meanwhile.
    while frames == 0 or ui.dashboard.starting:
        app.processEvents()
    drawn0 = ui.dashboard.frames_drawn
    frames = 0
    accounting = getattr(app, "on", None) is not None  # an AccountingApp (gui_account)
    if accounting:
        app.clear()
        app.on = True
    full: list[float] = []  # full garbage collections while streaming, in either thread: ms each
    began: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began.append(time.perf_counter())
            elif began:
                full.append(1000 * (time.perf_counter() - began.pop()))

    gc.callbacks.append(on_gc)
    timer.start()
    start = time.perf_counter()
    cpu0 = time.thread_time()
    while time.perf_counter() - start < seconds and ui.controller.running:
        app.processEvents()
        time.sleep(0.0005)
    elapsed = time.perf_counter() - start
    gui_cpu = time.thread_time() - cpu0
    timer.stop()
    gc.callbacks.remove(on_gc)
    if accounting and len(cpu_ticks) > 1:
        app.on = False
        worst = max(range(len(cpu_ticks) - 1), key=lambda i: cpu_ticks[i + 1] - cpu_ticks[i])
        ACCOUNTS.append(f"{'comparing' if compare else 'one run'}: longest tick "
                        f"{1000 * (cpu_ticks[worst + 1] - cpu_ticks[worst]):.1f} ms CPU, "
                        f"{1000 * (ticks[worst + 1] - ticks[worst]):.1f} ms wall:")
        ACCOUNTS.extend("    " + line for line in app.account(ticks[worst], ticks[worst + 1]))
    drawn = ui.dashboard.frames_drawn - drawn0
    received = frames
    stop_asked = time.perf_counter()
    ui.stop()
    while ui.controller.running:
        app.processEvents()
    stop_s = time.perf_counter() - stop_asked
    ended_s = ui.controller.stop_latency
    simulated = ui.session.variants[ui.session.primary].now
    ui.shutdown()
    window.close()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    gaps.sort()
    # The GUI thread's own work between two ticks (CPU time): the stall the window causes itself,
    # apart from the time the operating system gives other processes on a shared machine.
    work = sorted(b - a for a, b in zip(cpu_ticks, cpu_ticks[1:]))
    return {
        "max_work_ms": 1000 * work[-1] if work else float("nan"),
        "p99_work_ms": 1000 * work[int(0.99 * (len(work) - 1))] if work else float("nan"),
        "idle_max_gap_ms": 1000 * idle_gaps[-1] if idle_gaps else float("nan"),
        "seconds": elapsed,
        "gui_cpu_share": gui_cpu / elapsed,
        "max_gap_ms": 1000 * gaps[-1] if gaps else float("nan"),
        "p99_gap_ms": 1000 * gaps[int(0.99 * (len(gaps) - 1))] if gaps else float("nan"),
        "snapshots_per_s": received / elapsed,
        "redraws_per_s": drawn / elapsed,
        "stop_ms": 1000 * stop_s,
        "stopped_ms": 1000 * ended_s if ended_s is not None else float("nan"),
        "simulated_s_per_s": simulated / elapsed,
        "full_collections": len(full),
        "full_collection_ms": max(full, default=0.0),
    }


def measure_ends(compare: bool, duration: float = 8_000.0) -> dict[str, float]:
    """The GUI thread's longest work between two timer ticks as a whole run starts and as it ends.

    The start (the click on Run: curves built, every axis drawn) and the end (final draw, table,
    verdicts, canvas colours) are one-off jobs that the streaming figures above
    leave out. The run lasts a few wall seconds, so that its end falls well after the quarter
    second of GUI time counted as its start.
    """
    from PySide6.QtCore import QTimer
    app = qt_app()
    from app.gui import keep_startup_out_of_collections
    from app.resources import EXAMPLES
    from app.run.ui import FULL_SPEED_INDEX, install

    window, _folder = scratch_window()
    ui = install(window)
    window.resize(1600, 1000)
    window.show()
    window.import_path(EXAMPLES / EXAMPLE, ask=False)
    ui.set_experiment(window.document.design.experiments[0].name)
    ui.speed_combo.setCurrentIndex(FULL_SPEED_INDEX)
    ui.compare_action.setChecked(compare)
    ui.duration_spin.setValue(duration)
    keep_startup_out_of_collections()
    marks: dict[str, float] = {}
    ui.controller.started.connect(lambda *_: marks.setdefault("started", time.thread_time()))
    ui.controller.ended.connect(lambda *_: marks.setdefault("ended", time.thread_time()))
    cpu_ticks: list[float] = []
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(time.perf_counter())
        cpu_ticks.append(time.thread_time())

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    for _ in range(20):
        app.processEvents()
    accounting = getattr(app, "on", None) is not None  # an AccountingApp (gui_account)
    if accounting:
        app.clear()
        app.on = True
    timer.start()
    # Started from the event loop once the timer ticks, as a click on Run is: the run's set-up and
    # the first paint it causes fall between two ticks (called before the first tick, they were
    # never counted).
    while len(cpu_ticks) < 3:
        app.processEvents()
        time.sleep(0.0005)
    QTimer.singleShot(0, ui.run)
    while "started" not in marks or ui.controller.running:
        app.processEvents()
        time.sleep(0.0005)
    settle = time.perf_counter()
    while time.perf_counter() - settle < 0.5:  # what the end leaves for later ticks counts too
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    if accounting:
        app.on = False
    ui.shutdown()
    window.close()
    gaps = [(i, a, b - a) for i, (a, b) in enumerate(zip(cpu_ticks, cpu_ticks[1:]))]
    start_cpu, end_cpu = marks.get("started", 0.0), marks.get("ended", float("inf"))
    # The start: from the run's first signal for a quarter second of GUI time; the end: from its last signal on.
    at_start = [(g, i) for i, t, g in gaps if start_cpu - 0.05 <= t <= start_cpu + 0.25]
    at_end = [(g, i) for i, t, g in gaps if t >= end_cpu - 0.05]
    what = "comparing" if compare else "one run"
    for when, near in (("start", at_start), ("end", at_end)):
        if accounting and near:
            work, i = max(near)
            ACCOUNTS.append(f"{what}, the run's {when}: longest tick {1000 * work:.1f} ms CPU, "
                            f"{1000 * (ticks[i + 1] - ticks[i]):.1f} ms wall:")
            ACCOUNTS.extend("    " + line for line in app.account(ticks[i], ticks[i + 1]))
    return {"start_work_ms": 1000 * max(near for near, _i in at_start) if at_start else float("nan"),
            "end_work_ms": 1000 * max(near for near, _i in at_end) if at_end else float("nan")}


def measure_event_log(batches: int = 150) -> dict[str, float]:
    """The event log's own cost as a live comparison's events come in batches and it follows the newest.

    Three events of each of two runs a batch, the second run's a little behind so that they sort in
    among the first's; what counts is the GUI thread's CPU time from taking a batch to its repaint.
    """
    from .bench_event_log import add_batch, event_log_window

    app = qt_app()
    window, log, variants = event_log_window(700, 560)
    costs = []
    for step in range(batches):
        add_batch(variants, step, 2.6, details="event {step}.{i} of the run")
        cpu = time.thread_time()
        log.session_updated()
        for _ in range(2):  # the rows laid out (a zero timer) and painted
            app.processEvents()
        costs.append(time.thread_time() - cpu)
    window.close()
    steady = sorted(costs[batches // 3:])  # once the log has scrolled past a viewport's worth
    return {"median_ms": 1000 * statistics.median(steady), "max_ms": 1000 * steady[-1]}


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.bench_gui [seconds] [trials] [--account]``: each configuration ``trials``
    times; ``--account`` also prints what each trial's longest tick was made of (benchmarks/gui_account)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--account" in argv:
        argv = [a for a in argv if a != "--account"]
        from .gui_account import AccountingApp

        qt_app(AccountingApp)
    seconds = float(argv[0]) if argv else 4.0
    trials = int(argv[1]) if len(argv) > 1 else 3
    if hasattr(os, "getloadavg"):
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work competes for them)")
    logged = [measure_event_log() for _ in range(trials)]
    print(f"event log following a live comparison, 6 new events a batch: "
          f"{statistics.median(r['median_ms'] for r in logged):.1f} ms CPU a batch, taken and repainted "
          f"(longest {statistics.median(r['max_ms'] for r in logged):.1f} ms; median of {trials} trials)")
    for compare in (False, True):
        # Several trials, the median reported: one trial's worst tick is at the mercy of whatever
        # else the machine runs at that moment.
        runs = [measure(seconds, compare) for _ in range(trials)]
        r = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        worst = {key: max(run[key] for run in runs) for key in ("max_gap_ms", "max_work_ms")}
        best = {key: min(run[key] for run in runs) for key in ("max_gap_ms", "max_work_ms")}
        what = "with and without resilience (lockstep)" if compare else "one run"
        print(f"GUI during a full-speed run of the {EXAMPLE} example, {what}, {r['seconds']:.1f} s, "
              f"median of {trials} trials:")
        print(f"  longest stall between {TICK_MS} ms timer ticks: {r['max_gap_ms']:.1f} ms "
              f"(best trial {best['max_gap_ms']:.1f} ms, worst {worst['max_gap_ms']:.1f} ms, "
              f"p99 {r['p99_gap_ms']:.1f} ms; bound 16 ms)")
        print(f"  longest work of the GUI thread between two ticks: {r['max_work_ms']:.1f} ms CPU "
              f"(best trial {best['max_work_ms']:.1f} ms, worst {worst['max_work_ms']:.1f} ms, "
              f"p99 {r['p99_work_ms']:.1f} ms): the stall with a core to spare")
        print(f"  the GUI thread was busy {100 * r['gui_cpu_share']:.0f} % of the time (redraws, canvas, log)")
        print(f"  (idle window, same timer: longest gap {r['idle_max_gap_ms']:.1f} ms — the machine's own noise)")
        print(f"  snapshots reaching the GUI: {r['snapshots_per_s']:.1f}/s (cap 30/s); "
              f"dashboard redraws: {r['redraws_per_s']:.1f}/s (floor 10/s)")
        print(f"  simulated {r['simulated_s_per_s']:,.0f} s per wall second")
        collections = sum(run["full_collections"] for run in runs)
        print(f"  full garbage collections while streaming: {collections} in {trials} trials"
              + (f", the longest {max(run['full_collection_ms'] for run in runs):.1f} ms" if collections else ""))
        print(f"  Stop: the run's results reached the window {r['stopped_ms']:.1f} ms after the click (bound 100 ms); "
              f"window updated and thread joined after {r['stop_ms']:.1f} ms")
        for line in ACCOUNTS:
            print(f"  {line}")
        ACCOUNTS.clear()
        ends = [measure_ends(compare) for _ in range(trials)]
        e = {key: statistics.median(run[key] for run in ends) for key in ends[0]}
        b = {key: min(run[key] for run in ends) for key in ends[0]}
        print("  a whole run's start and end: longest GUI work between two ticks "
              f"{e['start_work_ms']:.1f} ms CPU as it starts, {e['end_work_ms']:.1f} ms as it ends "
              f"(median of {trials}; best {b['start_work_ms']:.1f} and {b['end_work_ms']:.1f} ms)")
        for line in ACCOUNTS:
            print(f"  {line}")
        ACCOUNTS.clear()


if __name__ == "__main__":
    main()
