import pytest


@pytest.fixture
def examples_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "resources" / "examples"
