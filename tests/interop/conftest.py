"""Fixtures of the interop tests."""
from __future__ import annotations

import pytest
from interop_support import EXAMPLES, shop_design

from engine.model import Design, parse_design


@pytest.fixture
def three_tier() -> Design:
    return parse_design((EXAMPLES / "three_tier.json").read_text())


@pytest.fixture
def shop() -> Design:
    return shop_design()
