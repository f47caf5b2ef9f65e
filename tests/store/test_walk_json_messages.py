"""A JSON design that cannot be read says where and why in plain words, and says so when it is cut short."""
from __future__ import annotations

import pytest
from store_builders import shop_design

from app.store import ProjectFileError, export_json, import_json


def _import_error(path) -> str:
    with pytest.raises(ProjectFileError) as caught:
        import_json(path)
    return str(caught.value)


@pytest.mark.parametrize("kept", [0.5, 0.93])
def test_a_design_cut_short_is_said_to_be_cut_short(tmp_path, kept):
    """Half a design read "Unterminated string starting at at line 117 column 7": a stammer, and
    a syntax slip to hunt for at a line that is fine, when the file simply stops early."""
    whole = tmp_path / "whole.json"
    export_json(shop_design("shop"), whole)
    text = whole.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: int(len(text) * kept)], encoding="utf-8")
    message = _import_error(cut)
    assert message.startswith("Cannot open cut.json: it is not valid JSON (")
    assert "cut short" in message and " at at " not in message and "line " in message, message


def test_a_slip_inside_a_design_is_placed_and_not_called_cut_short(tmp_path):
    whole = tmp_path / "whole.json"
    export_json(shop_design("shop"), whole)
    lines = whole.read_text(encoding="utf-8").splitlines()
    slip = next(i for i, line in enumerate(lines) if line.rstrip().endswith(",") and i > 5)
    lines[slip] = lines[slip].rstrip()[:-1]  # a comma lost in an edit by hand
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join(lines), encoding="utf-8")
    message = _import_error(broken)
    assert f"at line {slip + 2} column" in message and "cut short" not in message, message
