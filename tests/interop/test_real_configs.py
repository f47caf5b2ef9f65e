"""Every configuration file copied from public projects imports, or is refused with a message
that says what is not understood. The files stay outside the repository."""
from __future__ import annotations

import pytest
from interop_support import REAL_CONFIGS

from app.interop import InteropError, import_files, preview_text

FILES = sorted(p for p in REAL_CONFIGS.glob("*/*") if p.is_file()) if REAL_CONFIGS.is_dir() else []


@pytest.mark.skipif(not FILES, reason="the real configuration files are not on this machine")
@pytest.mark.parametrize("path", FILES, ids=[p.name[:60] for p in FILES])
def test_real_file_imports_or_is_refused_with_a_reason(path):
    try:
        result = import_files([path])
    except InteropError as exc:
        message = str(exc)
        assert message.startswith(path.name), message
        assert len(message) > len(path.name) + 10
        return
    assert result.design.problems() == []
    text = preview_text(result.notes, result.unmapped)
    # a file of settings Faultline cannot express (hedging only) imports nothing, and says so
    assert "What maps to what:" in text or "Not understood (left out):" in text
    # nothing silently dropped: every note names where it came from
    assert all(note.where for note in result.notes if note.kind in ("not_understood", "ignored"))


@pytest.mark.skipif(not FILES, reason="the real configuration files are not on this machine")
def test_real_resilience4j_demo_maps_every_module():
    demo = next(p for p in FILES if "spring-boot3-demo" in p.name)
    result = import_files([demo])
    kinds = {p.kind for c in result.design.components for p in c.policies}
    assert kinds == {"circuit_breaker", "retry", "bulkhead", "rate_limiter", "timeout"}
    assert result.design.component("resilience4j-demo")
