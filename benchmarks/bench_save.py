"""How long Save holds the window of a 500-component project (offscreen).

A 2 ms timer ticks on the window's thread while File > Save runs; the
longest gap between ticks is the longest the window could not answer, and
the processor time of the window's thread through the save is its share. The
same project deep-copied and written on the window's thread, as Save did
before it wrote on a worker, is the figure beside it. Best of five each.
Figures, not a test.

Run holds the window too: the processor time of the window's thread in
Run (the request, its copy of the design, the worker's start) is measured
with the design snapshot and, as a peer in the same process, with the deep
copy Run made before.

    python -m benchmarks.bench_save [components]
"""
from __future__ import annotations

import sys
import time

from .qt_app import qt_app, scratch_window


def measure(n: int = 500, repeats: int = 5) -> dict[str, float]:
    from PySide6.QtCore import QTimer
    app = qt_app()
    from app.store import save_project
    from benchmarks.bench_canvas import large_design

    window, tmp = scratch_window()
    path = tmp / "large.faultline"
    save_project(path, large_design(n))
    window.show()
    window.open_path(path, ask=False)
    app.processEvents()
    doc = window.document

    on_thread, cpu_on_thread, stalls, snapshots, window_cpu = [], [], [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        save_project(path, doc.project.model_copy(deep=True), doc.runs)   # as Save did before
        on_thread.append(time.perf_counter() - t0)
        cpu_on_thread.append(time.process_time() - c0)
        t0 = time.perf_counter()
        doc.snapshot()
        snapshots.append(time.perf_counter() - t0)

        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(2)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        doc.edit.add_component("service")
        timer.start()
        app.processEvents()
        start, cpu = time.perf_counter(), time.thread_time()
        window.save()
        end = time.perf_counter()
        window_cpu.append(time.thread_time() - cpu)
        timer.stop()
        marks = [start, *[t for t in ticks if start <= t <= end], end]
        stalls.append(max(b - a for a, b in zip(marks, marks[1:])))
    window.close()
    return {"components": n, "write_on_window_ms": min(on_thread) * 1000, "write_cpu_ms": min(cpu_on_thread) * 1000,
            "snapshot_ms": min(snapshots) * 1000, "longest_stall_ms": min(stalls) * 1000,
            "window_cpu_ms": min(window_cpu) * 1000}


def measure_run_start(n: int = 500, repeats: int = 5) -> dict[str, float]:
    app = qt_app()
    from app.run.ui import install
    from benchmarks.bench_canvas import large_design

    window, _folder = scratch_window()
    window.ask_save_changes = lambda: "discard"
    ui = install(window)
    window.show()
    window.document.load(large_design(n))
    ui.confirm = lambda _question: True
    ui.duration_auto.setChecked(False)
    ui.duration_spin.setValue(1)
    app.processEvents()
    doc = window.document
    snapshot = doc.design_snapshot

    def start_cpu() -> float:
        cpu = time.thread_time()
        ui.run()
        spent = time.thread_time() - cpu
        ui.controller.stop()
        while ui.controller.running:
            app.processEvents()
            time.sleep(0.005)
        return spent

    figures: dict[str, list[float]] = {"snapshot": [], "deep": []}
    for _ in range(repeats):
        doc.design_snapshot = snapshot  # type: ignore[method-assign]
        figures["snapshot"].append(start_cpu())
        doc.design_snapshot = lambda: doc.design.model_copy(deep=True)  # type: ignore[method-assign]
        figures["deep"].append(start_cpu())
    doc.design_snapshot = snapshot  # type: ignore[method-assign]
    ui.shutdown()
    window.close()
    return {"components": n, "snapshot_cpu_ms": min(figures["snapshot"]) * 1000,
            "deep_cpu_ms": min(figures["deep"]) * 1000}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 500
    f = measure(n)
    print(f"save of {f['components']:.0f} components: written on the window's thread "
          f"{f['write_on_window_ms']:6.1f} ms ({f['write_cpu_ms']:.1f} ms CPU); with the write on a worker the "
          f"window's longest stall is {f['longest_stall_ms']:.1f} ms, its thread's CPU {f['window_cpu_ms']:.1f} ms "
          f"(snapshot {f['snapshot_ms']:.1f} ms)")
    r = measure_run_start(n)
    print(f"run start of {r['components']:.0f} components: the window's thread {r['snapshot_cpu_ms']:.1f} ms CPU "
          f"with the design snapshot, {r['deep_cpu_ms']:.1f} ms with a deep copy as before (best of five)")


if __name__ == "__main__":
    main()
