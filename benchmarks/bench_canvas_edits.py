"""How long the canvas's bulk edits hold the window on a large design (offscreen).

Prints, for a design of 1,000 components (read from a project file and fitted), the time
of Select All, a drag of the whole selection (five mouse moves), its undo and redo,
Delete of everything and its undo, and twenty steps of panning at 100 % with the
minimap shown. Each figure is the wall time until the window has processed what the
gesture caused (repaints included), as a user waits for it. Figures, not a test: an
interaction a user does often should take under 0.3 s, a mouse move under a frame or two.

    python -m benchmarks.bench_canvas_edits [components]
"""
from __future__ import annotations

import sys
import time

from .qt_app import qt_app, scratch_window


def measure(n: int = 1000) -> dict[str, float]:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    app = qt_app()
    from app.store import save_project
    from benchmarks.bench_canvas import large_design

    window, tmp = scratch_window()
    path = tmp / "large.faultline"
    save_project(path, large_design(n))
    window.resize(1400, 900)
    window.show()
    window.open_path(path, ask=False)
    view, doc = window.view, window.document
    view.fit()
    app.processEvents()
    figures: dict[str, float] = {"components": len(doc.design.components)}

    def timed(name: str, action) -> None:
        start = time.perf_counter()
        action()
        app.processEvents()
        figures[name] = 1000 * (time.perf_counter() - start)

    viewport = view.viewport()
    node = window.scene.node_items()[0]
    at = view.mapFromScene(node.mapToScene(node.body_rect().center()))

    def drag() -> None:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
        for i in range(1, 6):
            QTest.mouseMove(viewport, at + QPoint(10 * i, 4 * i))
            app.processEvents()
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at + QPoint(50, 20))

    def pan() -> None:
        for _ in range(20):
            view.pan_by(15, 5)
            app.processEvents()

    timed("select_all_ms", window.select_all)
    timed("drag_5_moves_ms", drag)
    timed("undo_move_ms", doc.undo_stack.undo)
    timed("redo_move_ms", doc.undo_stack.redo)
    timed("delete_all_ms", window.delete_selection)
    timed("undo_delete_ms", doc.undo_stack.undo)
    view.reset_zoom()
    app.processEvents()
    timed("pan_20_steps_ms", pan)
    doc.undo_stack.setClean()
    window.close()
    return figures


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1000
    f = measure(n)
    print(f"design: {f['components']:.0f} components, fitted; wall time until the window has caught up")
    print(f"Select All                        : {f['select_all_ms']:7.1f} ms")
    print(f"drag of the selection, 5 moves    : {f['drag_5_moves_ms']:7.1f} ms "
          f"({f['drag_5_moves_ms'] / 5:.1f} ms a move)")
    print(f"undo / redo of that move          : {f['undo_move_ms']:7.1f} / {f['redo_move_ms']:.1f} ms")
    print(f"Delete everything / its undo      : {f['delete_all_ms']:7.1f} / {f['undo_delete_ms']:.1f} ms "
          "(target < 300 ms)")
    print(f"pan at 100 %, minimap shown       : {f['pan_20_steps_ms'] / 20:7.1f} ms a step")


if __name__ == "__main__":
    main()
