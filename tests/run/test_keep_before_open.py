"""Opening a kept run while the run on screen is not kept asks first: the run of minutes just
finished, and everything it showed, used to be replaced without a word."""
from __future__ import annotations

import pytest
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)


@pytest.mark.parametrize(("answer", "kept", "opened"), [("keep", 2, True), ("discard", 1, True),
                                                        ("cancel", 1, False)])
def test_opening_a_kept_run_over_an_unkept_one_asks_to_keep_it(qtbot, window, answer, kept, opened):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    first = ui.runs_panel.groups[0]
    run_and_wait(qtbot, ui)
    unkept = ui.session
    asked = []
    ui.ask_keep_run = lambda label: asked.append(label) or answer
    session = ui.open_group(first)
    assert asked == [first.label]
    assert len(ui.runs_panel.groups) == kept
    assert unkept.saved == (answer == "keep")
    assert (session is not None) == opened
    assert ui.session is (session if opened else unkept)


def test_opening_a_kept_run_over_a_kept_one_asks_nothing(qtbot, window):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    ui.ask_keep_run = lambda label: pytest.fail(f"asked before opening {label}")
    assert ui.open_group(ui.runs_panel.groups[0]) is not None
    assert ui.open_group(ui.runs_panel.groups[0]) is not None
