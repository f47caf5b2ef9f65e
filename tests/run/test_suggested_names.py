"""The file name a save dialog offers for a design is one file in the folder it opens on: a
design named "Checkout / EU" pointed the dialog into a folder "Checkout " that does not exist."""
from __future__ import annotations

from test_run_window import window  # noqa: F401  (the fixture)

from app.file_tasks import suggested_file_name


def test_a_name_with_separators_suggests_one_file_with_its_suffix():
    assert suggested_file_name("Checkout / EU", ".json") == "Checkout _ EU.json"
    assert suggested_file_name('a:b*c?"d<e>f|g\\h', ".png") == "a_b_c__d_e_f_g_h.png"
    assert suggested_file_name("shop v1.2", ".faultline") == "shop v1.2.faultline"
    assert suggested_file_name(" ..", ".json") == "faultline.json"


def test_every_export_of_the_design_offers_a_name_without_a_folder(qtbot, window, monkeypatch):  # noqa: F811
    doc = window.document
    doc.edit.rename_design(doc.design.id, "Checkout / EU")
    offered: list[str] = []
    monkeypatch.setattr(window, "choose_save_path",
                        lambda caption, filters, suggested: offered.append(suggested))
    window.export_action.trigger()
    window.run_ui.export_design_picture_dialog("png")
    window.run_ui.export_design_picture_dialog("svg")
    assert len(offered) == 3
    assert offered[0] == "Checkout _ EU.json"
    for name, suffix in zip(offered[1:], (".png", ".svg"), strict=True):
        assert name.startswith("Checkout _ EU - ") and name.endswith(suffix), name
    assert not any("/" in name for name in offered)
