"""Offered load against capacity: the figures, the warning before a run, and progress during one."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from run_builders import make_three_tier

from app.main_window import MainWindow
from app.run.capacity import capacity, offered_rates, overloads
from app.run.formatting import run_progress_text, time_left
from app.run.session import FINISHED
from app.run.ui import install
from app.store import Autosave, RecentFiles
from engine.model import (
    Cache,
    Client,
    ClosedLoop,
    Constant,
    Database,
    Design,
    Exponential,
    Link,
    LoadBalancer,
    OpenLoop,
    Project,
    Queue,
    RateRamp,
    RateSpike,
    RateStep,
    Service,
)


def fan_design() -> Design:
    """web (100/s) -> lb -> a, b; a -> cache (hit 0.75) -> db; a calls db with p 0.5, 2 calls."""
    return Design(
        name="fan",
        components=[
            Client(name="web", workload=OpenLoop(rate=100)),
            LoadBalancer(name="lb"),
            Service(name="a", instances=2, workers=8, service_time=Constant(value=0.1)),
            Service(name="b", instances=1, workers=10, service_time=Exponential(mean=0.2)),
            Cache(name="cache", instances=1, workers=8, hit_ratio=0.75, hit_time=Constant(value=0.001)),
            Database(name="db", instances=1, connections=5, query_time=Constant(value=0.05)),
        ],
        links=[Link(source="web", target="lb"), Link(source="lb", target="a"), Link(source="lb", target="b"),
               Link(source="a", target="cache"), Link(source="cache", target="db"),
               Link(source="a", target="db", probability=0.5, count=2)],
    )


def test_offered_rates_follow_the_call_graph():
    rates = offered_rates(fan_design())
    assert rates["lb"] == pytest.approx(100)
    assert rates["a"] == pytest.approx(50) and rates["b"] == pytest.approx(50)  # the balancer's share each
    assert rates["cache"] == pytest.approx(50)
    # misses of the cache (a quarter of 50) plus a's own calls: half its requests, two calls each
    assert rates["db"] == pytest.approx(50 * 0.25 + 50 * 0.5 * 2)


def test_capacity_is_servers_over_the_mean_service_time():
    d = {c.name: c for c in fan_design().components}
    assert capacity(d["a"]) == pytest.approx(2 * 8 / 0.1)
    assert capacity(d["b"]) == pytest.approx(10 / 0.2)
    assert capacity(d["db"]) == pytest.approx(5 / 0.05)
    assert capacity(d["cache"]) == pytest.approx(8 / 0.001)
    assert capacity(Queue(name="q", consumers=3, process_time=Constant(value=0.5))) == pytest.approx(6)
    assert capacity(d["lb"]) is None and capacity(d["web"]) is None


def test_a_non_blocking_component_needs_a_worker_for_its_work_and_its_continuation():
    loop = Service(name="loop", workers=4, service_time=Constant(value=0.002), call_mode="non_blocking",
                   continuation_time=Constant(value=0.003))
    assert capacity(loop) == pytest.approx(4 / 0.005)
    assert capacity(loop.model_copy(update={"call_mode": "blocking"})) == pytest.approx(4 / 0.002)


def test_only_components_far_above_capacity_are_named_most_overloaded_first():
    design = fan_design()
    assert overloads(design) == []  # db: 62.5 of 100, b: 50 of 50 — busy, not far above
    design = design.model_copy(update={"components": [
        c.model_copy(update={"workload": OpenLoop(rate=400)}) if c.name == "web" else c for c in design.components]})
    found = overloads(design)
    assert [o.component for o in found] == ["b", "db"]
    # b: 200 of 50 (4x); db: 250 of 100 (2.5x); a: 200 of 160, not far above
    assert found[0].factor == pytest.approx(4.0)
    assert found[0].describe() == "b: offered 200 req/s against a capacity of 50 req/s (4.0×)"


def test_a_client_offers_its_highest_sustained_level_and_a_closed_loop_its_users_over_think_time():
    schedule = [RateStep(at=10, rate=300), RateRamp(start=20, end=30, to_rate=500), RateSpike(at=40, duration=1,
                                                                                              rate=9000)]
    design = Design(name="d", components=[
        Client(name="open", workload=OpenLoop(rate=100, schedule=schedule)),
        Client(name="closed", workload=ClosedLoop(users=20, think_time=Exponential(mean=2.0))),
        Service(name="s", instances=1, workers=1, service_time=Constant(value=0.001)),
    ], links=[Link(source="open", target="s"), Link(source="closed", target="s")])
    assert offered_rates(design)["s"] == pytest.approx(500 + 10)


def test_time_left_and_the_progress_text():
    assert time_left(0.01, 10) is None  # too early to judge the pace
    assert time_left(0.25, 10) == pytest.approx(30)
    assert time_left(1.0, 10) is None
    assert run_progress_text(75, 300, 30) == "simulated 75.0 s of 300.0 s · about 30 s left"
    assert run_progress_text(75, 3600, None) == "simulated 75.0 s of 1:00:00"
    assert run_progress_text(75, 300, 600).endswith("about 10 min left")


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    ui.speed_combo.setCurrentIndex(ui.speed_combo.count() - 1)
    ui.duration_spin.setValue(20)
    yield w
    ui.shutdown()
    w.close()


def test_an_overloaded_design_asks_before_running_and_can_be_declined(qtbot, window):
    ui = window.run_ui
    # 150 req/s into api (3 x 16 workers at 10 ms: 4800 req/s) is fine; 20 000 req/s is not.
    window.document.load(Project(name="p", designs=[make_three_tier(rate=150)]))
    asked = []
    ui.confirm = lambda text: asked.append(text) or False
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        assert ui.run() is not None
    assert asked == []
    window.document.load(Project(name="p", designs=[make_three_tier(rate=20_000)]))
    assert ui.run() is None
    assert len(asked) == 1 and "api: offered 20,000 req/s against a capacity of 4,800 req/s (4.2×)" in asked[0]
    assert asked[0].index("• db: offered 20,000 req/s") < asked[0].index("• api")  # the worst first
    assert not ui.controller.running
    assert window.statusBar().currentMessage().startswith("Run not started: db: offered 20,000 req/s")


def test_a_run_shows_its_progress_in_simulated_time_on_the_status_bar(qtbot, window):
    ui = window.run_ui
    window.document.load(Project(name="p", designs=[make_three_tier(rate=150)]))
    seen = []
    ui.controller.updated.connect(lambda *_: seen.append(ui.progress_label.text()))
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        ui.run()
    assert ui.session.status == FINISHED
    assert seen and all(t.startswith("simulated ") and t.split(" of ")[1].startswith("20.0 s") for t in seen)
    assert ui.progress_label.text() == "" and ui.progress_label.isHidden()
    assert ui.progress_label.parent() is window.statusBar() or window.statusBar().isAncestorOf(ui.progress_label)
