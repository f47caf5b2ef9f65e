"""Canvas gestures: drop from the palette, link by dragging, move, select, delete, clipboard, zoom, health."""
from __future__ import annotations

from editor_helpers import build_three_tier, drag, drop_kind, mouse
from pydantic import BaseModel
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMenu

from app.canvas import GRID, LinkItem, NodeItem


def node_centre(window, cid) -> QPointF:
    return window.scene.node_item(cid).scenePos()


def port(window, cid) -> QPointF:
    item = window.scene.node_item(cid)
    return item.mapToScene(item.port_pos())


def test_drop_from_palette_creates_a_snapped_component(window, qtbot):
    doc = window.document
    window.view.reset_zoom()
    window.view.centerOn(0, 0)
    assert drop_kind(window.view, "service", QPointF(33, 47))
    (component,) = doc.design.components
    assert component.kind == "service"
    assert (component.position.x % GRID, component.position.y % GRID) == (0, 0)
    assert abs(component.position.x - 33) <= GRID and abs(component.position.y - 47) <= GRID
    assert isinstance(window.scene.node_item(component.id), NodeItem)
    assert doc.selection == [component.id]
    doc.undo_stack.undo()
    assert window.scene.node_items() == []


def test_palette_lists_every_kind_with_an_icon_and_adds_on_activation(window):
    palette = window.palette_widget
    kinds = [palette.item(i).data(Qt.ItemDataRole.UserRole) for i in range(palette.count())]
    assert kinds == ["client", "load_balancer", "service", "database", "cache", "queue", "external"]
    assert all(not palette.item(i).icon().isNull() for i in range(palette.count()))
    palette.activated_kind.emit("cache")
    palette.activated_kind.emit("cache")
    comps = window.document.design.components
    assert [c.kind for c in comps] == ["cache", "cache"]
    assert comps[0].position != comps[1].position  # the second steps aside


def test_drag_from_the_handle_links_two_components(window):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("database", (300, 0), name="b")
    window.view.fit()
    drag(window.view, port(window, a), node_centre(window, b))
    (link,) = doc.design.links
    assert link.name == "a -> b"
    assert isinstance(window.scene.link_item(link.id), LinkItem)
    assert doc.undo_stack.undoText() == 'Link "a -> b"'


def test_consecutive_link_drags_move_nothing(window):
    doc = window.document
    a = doc.edit.add_component("client", (0, 0), name="a")
    b = doc.edit.add_component("load_balancer", (240, 0), name="b")
    c = doc.edit.add_component("service", (480, 0), name="c")
    d = doc.edit.add_component("database", (720, 120), name="d")
    window.view.fit()
    before = {x.name: x.position for x in doc.design.components}
    drag(window.view, port(window, a), node_centre(window, b))
    drag(window.view, port(window, b), node_centre(window, c))
    drag(window.view, port(window, c), node_centre(window, d))
    assert [link.name for link in doc.design.links] == ["a -> b", "b -> c", "c -> d"]
    assert {x.name: x.position for x in doc.design.components} == before
    for cid in (a, b, c, d):
        p = doc.component(cid).position
        assert window.scene.node_item(cid).pos() == QPointF(p.x, p.y)


def test_impossible_link_is_refused_with_the_reason(window, qtbot):
    doc = window.document
    db = doc.edit.add_component("database", (0, 0), name="db")
    svc = doc.edit.add_component("service", (300, 0), name="svc")
    client = doc.edit.add_component("client", (0, 200), name="users")
    window.view.fit()
    # A database has no outgoing handle at all: dragging from its edge rubber-bands instead.
    assert not window.scene.node_item(db).view.calls_out
    with qtbot.waitSignal(window.scene.message) as message:
        drag(window.view, port(window, svc), node_centre(window, client))
    assert "receives none" in message.args[0]
    assert doc.design.links == []
    assert "receives none" in window.statusBar().currentMessage()


def test_moving_nodes_is_one_undo_step_per_drag(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()
    web = ids["web"]
    start = node_centre(window, web)
    before = doc.component(web).position
    count = doc.undo_stack.count()
    drag(window.view, start + QPointF(-30, -10), start + QPointF(70, 90), steps=12)
    after = doc.component(web).position
    assert doc.undo_stack.count() == count + 1
    assert (after.x - before.x, after.y - before.y) == (100, 100)
    link = window.scene.link_item(doc.design.link("lb -> web").id)
    end = link._path.pointAtPercent(1.0)
    assert abs(end.x() - window.scene.node_item(web).mapToScene(window.scene.node_item(web).in_pos()).x()) < 3
    doc.undo_stack.undo()
    assert window.scene.node_item(web).pos() == QPointF(before.x, before.y)


def test_arrow_keys_nudge_the_selection_in_one_undo_step(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"], ids["db"]])
    window.view.setFocus()
    count = doc.undo_stack.count()
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert (doc.component(ids["web"]).position.x, doc.component(ids["web"]).position.y) == (80 + 3 * GRID, 5 * GRID)
    assert window.scene.node_item(ids["db"]).pos() == QPointF(320 + 3 * GRID, 120 + 5 * GRID)
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.component(ids["web"]).position.x == 80 and doc.component(ids["db"]).position.y == 120


def test_snap_to_grid_can_be_turned_off(window):
    doc = window.document
    cid = doc.edit.add_component("service", (0, 0))
    window.view.reset_zoom()
    window.view.centerOn(0, 0)
    window.snap_action.trigger()
    assert not window.scene.snap_to_grid
    drag(window.view, QPointF(0, 0), QPointF(13, 7))
    assert (doc.component(cid).position.x, doc.component(cid).position.y) == (13, 7)


def test_rubber_band_selects_several_and_delete_removes_them(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()
    cache, db = window.scene.node_item(ids["cache"]), window.scene.node_item(ids["db"])
    top_left = cache.mapToScene(cache.body_rect().topLeft()) - QPointF(20, 20)
    bottom_right = db.mapToScene(db.body_rect().bottomRight()) + QPointF(20, 20)
    drag(window.view, top_left, bottom_right)
    selected = set(doc.selection)
    assert {ids["cache"], ids["db"]} <= selected
    assert ids["web"] not in selected
    window.view.setFocus()
    window.delete_action.trigger()
    names = [c.name for c in doc.design.components]
    assert names == ["users", "lb", "web"]
    assert [link.name for link in doc.design.links] == ["users -> lb", "lb -> web"]
    doc.undo_stack.undo()
    assert len(doc.design.components) == 5 and len(window.scene.link_items()) == 5


def test_ctrl_click_adds_to_the_selection_and_a_click_selects_a_link(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()
    mouse(window.view, "press", node_centre(window, ids["web"]))
    mouse(window.view, "release", node_centre(window, ids["web"]))
    ctrl = Qt.KeyboardModifier.ControlModifier
    mouse(window.view, "press", node_centre(window, ids["lb"]), modifiers=ctrl)
    mouse(window.view, "release", node_centre(window, ids["lb"]), modifiers=ctrl)
    assert set(doc.selection) == {ids["web"], ids["lb"]}
    link = doc.design.link("web -> db")
    middle = window.scene.link_item(link.id).mapToScene(window.scene.link_item(link.id)._path.pointAtPercent(0.3))
    mouse(window.view, "press", middle)
    mouse(window.view, "release", middle)
    assert doc.selection == [link.id]


def test_copy_paste_duplicate_and_cut(window, qapp):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.setFocus()
    doc.set_selection([ids["web"], ids["db"]])
    window.copy_action.trigger()
    window.paste_action.trigger()
    names = [c.name for c in doc.design.components]
    assert names[-2:] == ["web 2", "db 2"]
    assert "web 2 -> db 2" in [link.name for link in doc.design.links]
    window.duplicate_action.trigger()
    assert [c.name for c in doc.design.components][-2:] == ["web 3", "db 3"]
    doc.set_selection([ids["cache"]])
    window.cut_action.trigger()
    assert "cache" not in [c.name for c in doc.design.components]
    window.paste_action.trigger()
    assert "cache" in [c.name for c in doc.design.components]
    assert len(window.scene.node_items()) == len(doc.design.components)


def test_zoom_with_wheel_keys_and_fit(window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    build_three_tier(window.document)
    view = window.view
    view.reset_zoom()
    window.zoom_in_action.trigger()
    assert abs(view.zoom() - 1.25) < 1e-9
    window.zoom_out_action.trigger()
    window.zoom_out_action.trigger()
    assert abs(view.zoom() - 0.8) < 1e-9
    centre = view.viewport().rect().center()
    wheel = QWheelEvent(QPointF(centre), QPointF(view.viewport().mapToGlobal(centre)), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() > 0.8
    window.fit_action.trigger()
    visible = view.visible_scene_rect()
    for item in window.scene.node_items():
        assert visible.contains(item.sceneBoundingRect())
    assert window.zoom_label.text() == f"{view.zoom() * 100:.0f} %"


def test_middle_button_pans(window):
    build_three_tier(window.document)
    view = window.view
    view.reset_zoom()
    before = view.visible_scene_rect().center()
    count = window.document.undo_stack.count()
    drag(view, QPointF(300, 300), QPointF(400, 350), button=Qt.MouseButton.MiddleButton, viewport=True)
    after = view.visible_scene_rect().center()
    assert abs((before.x() - after.x()) - 100) < 2 and abs((before.y() - after.y()) - 50) < 2
    assert window.document.undo_stack.count() == count  # panning is no edit


def test_nodes_show_figures_badges_and_problems_and_follow_the_document(window):
    doc = window.document
    ids = build_three_tier(doc)
    web = window.scene.node_item(ids["web"])
    assert web.view.figures == "1 x 8 workers"
    doc.edit.set_component_fields(ids["web"], {"instances": 3})
    assert web.view.figures == "3 x 8 workers"
    doc.edit.add_policy(ids["web"], "circuit_breaker")
    exp = doc.edit.add_experiment()
    doc.edit.add_fault(exp, "crash", "web")
    doc.edit.add_fault(exp, "latency", "web -> db")
    assert web.view.policies == [("circuit_breaker", True)]
    assert web.view.faults == ["crash"]
    assert window.scene.link_item(doc.design.link("web -> db").id).faults == ["latency"]
    doc.set_current_experiment(None)
    assert web.view.faults == []
    lonely = doc.edit.add_component("client", (0, 400))
    assert any("sends to nothing" in p for p in window.scene.node_item(lonely).view.problems)
    assert "to fix before a run" in window.problems_label.text()


def test_items_hold_ids_not_model_objects(window):
    ids = build_three_tier(window.document)
    items = window.scene.node_items() + window.scene.link_items()
    for item in items:
        for value in vars(item).values():
            assert not isinstance(value, BaseModel)
        for value in vars(getattr(item, "view", object())).values() if hasattr(item, "view") else ():
            assert not isinstance(value, BaseModel)
    assert window.scene.node_item(ids["web"]).component_id == ids["web"]


def test_set_health_colours_nodes_and_clears(window):
    ids = build_three_tier(window.document)
    item = window.scene.node_item(ids["web"])
    health = {"utilisation": 0.97, "error_rate": 0.12, "crashed": 1, "instances": 3, "breaker": "open"}
    window.scene.set_health(ids["web"], health)
    assert item.health == health
    assert "breaker open" in item.toolTip() and "util 97 %" in item.toolTip()
    image = item.scene().views()[0].grab()  # paints the health overlay without error
    assert not image.isNull()
    window.scene.clear_health()
    assert item.health is None


def test_health_repaints_a_node_only_when_what_it_shows_changes(window, monkeypatch):
    ids = build_three_tier(window.document)
    item = window.scene.node_item(ids["web"])
    updates = []
    monkeypatch.setattr(item, "update", lambda *args: updates.append(args))
    window.scene.set_health(ids["web"], {"utilisation": 0.401, "error_rate": 0.0})
    window.scene.set_health(ids["web"], {"utilisation": 0.404, "error_rate": 0.0})  # same text, colour and bar
    assert len(updates) == 1
    assert "util 40 %" in item.toolTip()
    window.scene.set_health(ids["web"], {"utilisation": 0.62, "error_rate": 0.0})
    window.scene.set_health(ids["web"], {"utilisation": 0.62, "error_rate": 0.0, "breaker": "open"})
    window.scene.clear_health()
    assert len(updates) == 4


def test_renaming_relabels_nodes_and_links(window):
    doc = window.document
    ids = build_three_tier(doc)
    doc.edit.rename_component(ids["db"], "orders")
    assert window.scene.node_item(ids["db"]).view.name == "orders"
    assert window.scene.link_item(doc.design.link("web -> orders").id) is not None


def test_picking_a_fault_target_on_the_canvas(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()
    window.faults.add_fault("crash")
    form = window.faults.form
    form.target.pick.click()
    assert window.scene.picking
    mouse(window.view, "press", node_centre(window, ids["cache"]))
    mouse(window.view, "release", node_centre(window, ids["cache"]))
    assert not window.scene.picking
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "cache"
    form.target.pick.click()
    window.view.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.scene.picking and not form.target.pick.isChecked()
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "cache"


def test_context_menu_offers_policies_faults_and_creation(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()

    def actions(menu):
        out = {}
        for a in menu.actions():
            if a.menu() is not None:
                out.update({f"{a.text()}/{s.text()}": s for s in a.menu().actions()})
            elif a.text():
                out[a.text()] = a
        return out

    on_web = actions(window.context_menu(node_centre(window, ids["web"])))
    on_web["Add Resilience Policy/Circuit breaker"].trigger()
    assert [p.kind for p in doc.component(ids["web"]).policies] == ["circuit_breaker"]
    on_web["Inject Fault/Component crash"].trigger()
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "web"
    on_db = actions(window.context_menu(node_centre(window, ids["db"])))
    assert not on_db["Add Resilience Policy/Retry"].isEnabled()
    link_item = window.scene.link_item(doc.design.link("web -> db").id)
    on_link = actions(window.context_menu(link_item.mapToScene(link_item._path.pointAtPercent(0.3))))
    assert "Inject Fault/Partition" in on_link and "Inject Fault/Component crash" not in on_link
    on_link["Add Policy on This Call/Retry"].trigger()
    retry = next(p for p in doc.component(ids["web"]).policies if p.kind == "retry")
    assert doc.design.name_of(retry.scope) == "db"  # the calls along the link, not all of web's calls
    assert window.resilience.title.text() == "Resilience of the calls web → db"
    # judged on the call it would guard: hedging clashes with the retry on web -> db, not on web -> cache
    on_link = actions(window.context_menu(link_item.mapToScene(link_item._path.pointAtPercent(0.3))))
    assert not on_link["Add Policy on This Call/Hedging"].isEnabled()
    assert "retry" in on_link["Add Policy on This Call/Hedging"].toolTip()
    cache_link = window.scene.link_item(doc.design.link("web -> cache").id)
    on_cache_link = actions(window.context_menu(cache_link.mapToScene(cache_link._path.pointAtPercent(0.3))))
    assert on_cache_link["Add Policy on This Call/Hedging"].isEnabled()
    on_empty = actions(window.context_menu(QPointF(-2000, -2000)))
    on_empty["Add Component Here/Queue"].trigger()
    queue = doc.design.components[-1]
    assert queue.kind == "queue" and (queue.position.x, queue.position.y) == (-2000, -2000)


def test_problems_button_lists_problems_and_jumps_to_them(window):
    doc = window.document
    ids = build_three_tier(doc)
    lonely = doc.edit.add_component("client", (0, 400), name="lonely")
    exp = doc.edit.add_experiment()
    fault = doc.edit.add_fault(exp, "crash", "db")
    doc.edit.rename_component(ids["db"], "orders")  # the fault follows the rename: still no problem there
    doc.set_selection([])
    window._fill_problems()
    texts = [a.text() for a in window.problems_menu.actions()]
    assert any("lonely" in t and "sends to nothing" in t for t in texts)
    problem = next(p for p in doc.design.problems() if p.subject == lonely)
    window.show_problem(problem)
    assert doc.selection == [lonely]
    assert fault in [f.id for f in doc.current_experiment.faults]


def test_zoomed_far_out_links_are_drawn_by_the_overview(window):
    doc = window.document
    ids = build_three_tier(doc)
    exp = doc.edit.add_experiment()
    doc.edit.add_fault(exp, "latency", "web -> db")
    view = window.view
    view.set_zoom(0.2)
    view.centerOn(window.scene.node_item(ids["web"]))
    image = view.viewport().grab().toImage()
    overview = window.scene.overview
    assert not overview._dirty
    # Six segments and two arrow strokes per link; the faulty link is drawn dashed in its own list.
    assert (len(overview._normal), len(overview._faulty)) == (4 * 8, 8)
    link_colour = window.scene.colours.link.rgb()
    web, db = window.scene.node_item(ids["web"]), window.scene.node_item(ids["lb"])
    middle = view.mapFromScene((web.mapToScene(web.in_pos()) + db.mapToScene(db.port_pos())) / 2)
    assert any(image.pixel(middle.x() + dx, middle.y() + dy) & 0xFFFFFF == link_colour & 0xFFFFFF
               for dx in range(-2, 3) for dy in range(-2, 3))
    doc.edit.delete([ids["cache"]])
    assert overview._dirty


def test_link_selected_follows_the_order_of_selection(window):
    doc = window.document
    api = doc.edit.add_component("service", (0, 0), name="api")
    db = doc.edit.add_component("database", (300, 0), name="db")
    window.view.fit()
    ctrl = Qt.KeyboardModifier.ControlModifier
    mouse(window.view, "press", node_centre(window, db))
    mouse(window.view, "release", node_centre(window, db))
    mouse(window.view, "press", node_centre(window, api), modifiers=ctrl)
    mouse(window.view, "release", node_centre(window, api), modifiers=ctrl)
    assert doc.selection == [db, api]
    window.link_action.trigger()
    assert doc.design.links == [] and "makes no calls" in window.statusBar().currentMessage()
    mouse(window.view, "press", node_centre(window, api))
    mouse(window.view, "release", node_centre(window, api))
    mouse(window.view, "press", node_centre(window, db), modifiers=ctrl)
    mouse(window.view, "release", node_centre(window, db), modifiers=ctrl)
    window.link_action.trigger()
    assert [link.name for link in doc.design.links] == ["api -> db"]


def test_with_one_component_selected_ctrl_l_lists_what_it_may_call(window, qtbot):
    doc = window.document
    web = doc.edit.add_component("service", (0, 0), name="web")
    db = doc.edit.add_component("database", (300, 0), name="db")
    users = doc.edit.add_component("client", (-300, 0), name="users")
    doc.edit.connect(users, web)
    doc.set_selection([db])
    assert window.link_selected() is None  # a database calls nothing: said so, no menu
    assert "Nothing to link db to: A database makes no calls" in window.statusBar().currentMessage()
    doc.set_selection([web])
    window.link_action.trigger()  # Ctrl+L
    menu = next(m for m in window.findChildren(QMenu) if m.title() == "Link web to")
    assert menu.isVisible()
    choices = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    assert menu.activeAction() is choices["db"]  # Enter takes the first it may call
    assert set(choices) == {"db", "users"}
    assert not choices["users"].isEnabled() and "receives none" in choices["users"].toolTip()
    choices["db"].trigger()
    menu.close()
    assert [link.name for link in doc.design.links] == ["users -> web", "web -> db"]


def test_dragging_a_selected_links_head_relinks_it(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.fit()
    exp = doc.edit.add_experiment()
    doc.edit.add_fault(exp, "latency", "web -> cache")
    doc.edit.add_policy(ids["web"], "circuit_breaker", scope="cache")
    other = doc.edit.add_component("service", (320, 300), name="search")
    window.view.fit()
    link = doc.design.link("web -> cache")
    doc.set_selection([link.id])
    item = window.scene.link_item(link.id)
    drag(window.view, item._path.pointAtPercent(1.0), node_centre(window, other))
    moved = doc.link(link.id)
    assert moved.name == "web -> search" and moved.latency == link.latency
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "web -> search"
    assert doc.design.name_of(doc.component(ids["web"]).policies[0].scope) == "search"
    assert window.scene.link_item(link.id).target is window.scene.node_item(other)
    assert doc.undo_stack.undoText() == 'Relink "web -> cache" to "web -> search"'
    doc.undo_stack.undo()
    assert doc.link(link.id).name == "web -> cache"
    assert window.scene.link_item(link.id).target is window.scene.node_item(ids["cache"])
    doc.set_selection([link.id])
    drag(window.view, window.scene.link_item(link.id)._path.pointAtPercent(1.0), node_centre(window, ids["users"]))
    assert doc.link(link.id).name == "web -> cache"
    assert "Relink refused" in window.statusBar().currentMessage()


def test_an_empty_canvas_says_how_to_begin(window):
    view = window.view

    def hint_pixels() -> int:
        image = view.viewport().grab().toImage()
        colour = window.scene.colours.node_subtext.rgb() & 0xFFFFFF
        w, h = image.width(), image.height()
        return sum(1 for x in range(w // 4, 3 * w // 4, 2) for y in range(h // 3, 2 * h // 3, 2)
                   if image.pixel(x, y) & 0xFFFFFF == colour)

    assert hint_pixels() > 20
    window.document.edit.add_component("service", (5000, 5000))
    view.centerOn(0, 0)  # the new component, brought into sight, is looked away from: only the hint can differ
    assert hint_pixels() == 0
    window.document.undo_stack.undo()
    assert hint_pixels() > 20


def test_find_a_component_and_fit_the_selection(window, qtbot):
    from editor_helpers import type_text

    doc = window.document
    ids = build_three_tier(doc)
    window.view.reset_zoom()
    window.view.centerOn(-3000, -3000)
    window.find_action.trigger()
    assert window.find_box.hasFocus()
    type_text(qtbot, window.find_box, "cach")
    assert doc.selection == [ids["cache"]]
    assert window.view.visible_scene_rect().contains(window.scene.node_item(ids["cache"]).scenePos())
    assert not window.find_box.go_to("nothing like it")
    doc.set_selection([ids["users"], ids["lb"]])
    window.fit_selection_action.trigger()
    visible = window.view.visible_scene_rect()
    assert visible.contains(window.scene.node_item(ids["users"]).sceneBoundingRect())
    assert not visible.contains(window.scene.node_item(ids["db"]).sceneBoundingRect())


def test_edit_shortcuts_in_a_spin_box_act_on_its_text_not_the_design(window, qapp, monkeypatch):
    from PySide6.QtWidgets import QApplication, QSpinBox

    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    spin = QSpinBox(window)
    spin.setRange(0, 999)
    spin.setValue(250)
    # a spin box takes the focus itself (its line edit is internal), as the forms' number fields do
    monkeypatch.setattr(QApplication, "focusWidget", staticmethod(lambda: spin))
    count = len(doc.design.components)
    window.select_all()
    assert spin.lineEdit().selectedText() == "250"
    window.copy()
    assert QApplication.clipboard().text() == "250"
    window.cut()
    assert spin.lineEdit().text() == ""
    window.paste()
    assert spin.lineEdit().text() == "250"
    assert len(doc.design.components) == count and doc.selection == [ids["web"]]


def test_escape_drops_a_link_being_dragged_and_nothing_is_linked(window, qtbot):
    """Escape left the dashed link up, and the release still made the link as an undo step."""
    from PySide6.QtWidgets import QGraphicsPathItem

    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("database", (300, 0), name="b")
    window.view.fit()
    links, steps = len(doc.design.links), doc.undo_stack.count()
    target = node_centre(window, b)
    mouse(window.view, "press", port(window, a))
    mouse(window.view, "move", target)
    assert any(isinstance(i, QGraphicsPathItem) for i in window.scene.items())   # the dashed line
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not any(isinstance(i, QGraphicsPathItem) for i in window.scene.items())
    mouse(window.view, "release", target)
    assert len(doc.design.links) == links and doc.undo_stack.count() == steps
    assert window.statusBar().currentMessage() == "Link cancelled."


def test_delete_pressed_outside_the_canvas_leaves_the_canvas_selection_alone(window, qtbot):
    """Delete in the faults list (or the palette) deleted the component selected on the canvas."""
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["db"]])
    window.palette_widget.setFocus()
    qtbot.keyClick(window.palette_widget, Qt.Key.Key_Delete)
    qtbot.keyClick(window.palette_widget, Qt.Key.Key_Backspace)
    assert len(doc.design.components) == 5
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)           # on the canvas, the key deletes
    assert [c.name for c in doc.design.components] == ["users", "lb", "web", "cache"]


def test_a_component_inserted_from_the_menu_covers_none_already_there(window):
    """Insert > Service put "service 2" over half of the components beside the middle of the view."""
    from app.canvas.node_item import NODE_HEIGHT, NODE_WIDTH

    doc = window.document
    window.view.reset_zoom()
    window.view.centerOn(0, 0)
    doc.edit.add_component("load_balancer", (0, 0), name="lb")
    doc.edit.add_component("service", (200, 40), name="api")
    for _ in range(3):
        window.view.add_at_centre("service")
    spots = [(c.position.x, c.position.y) for c in doc.design.components]
    assert len(spots) == 5
    for i, (x, y) in enumerate(spots):
        for ox, oy in spots[i + 1:]:
            assert abs(x - ox) >= NODE_WIDTH or abs(y - oy) >= NODE_HEIGHT, spots
