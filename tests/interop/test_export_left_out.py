"""Every export names each policy its format cannot hold, in the same words whatever the format."""
from __future__ import annotations

from app.interop import export_design
from engine.model import FallbackPolicy, HedgingPolicy, RateLimiterPolicy


def _with(design, owner: str, *policies):
    design = design.model_copy(deep=True)
    index = next(i for i, c in enumerate(design.components) if c.name == owner)
    component = design.components[index]
    design.components[index] = component.model_copy(update={"policies": [*component.policies, *policies]})
    return design


def test_grpc_names_the_breaker_and_bulkhead_it_drops(three_tier):
    notes = export_design(three_tier, "grpc", "api").notes
    assert "api -> db: the circuit breaker policy (failure rate 50 % over 50) has no gRPC equivalent; left out" \
        in notes
    assert "api -> db: the bulkhead policy has no gRPC equivalent; left out" in notes


def test_grpc_envoy_and_istio_name_a_breaker_alike(three_tier):
    for fmt, tool in (("grpc", "gRPC"), ("envoy", "Envoy"), ("istio", "Istio")):
        notes = export_design(three_tier, fmt, "api" if fmt != "istio" else None).notes
        said = f"api -> db: the circuit breaker policy (failure rate 50 % over 50) has no {tool} equivalent; left out"
        assert any(n.startswith(said) for n in notes), (fmt, notes)


def test_grpc_names_a_fallback_a_rate_limiter_and_a_hedging_beside_a_retry(three_tier):
    db, cache = three_tier.ref_to("db"), three_tier.ref_to("cache")
    design = _with(three_tier, "api", FallbackPolicy(scope=db), HedgingPolicy(scope=cache))
    design = _with(design, "db", RateLimiterPolicy())
    notes = export_design(design, "grpc", "api").notes
    assert "api -> db: the fallback policy has no gRPC equivalent; left out" in notes
    assert "api -> db: db's own rate limiter policy has no gRPC equivalent; left out" in notes
    assert any(n.startswith("api -> cache: the hedging policy has no gRPC equivalent; left out (a method config "
                            "holds a retry policy or a hedging policy, not both") for n in notes)


def test_jitter_is_named_in_words(three_tier):
    for fmt in ("grpc", "envoy"):
        notes = " ".join(export_design(three_tier, fmt, "api").notes)
        assert "none jitter" not in notes and "no jitter" in notes, fmt


def test_resilience4j_names_a_hedging_it_has_no_module_for(three_tier):
    cache = three_tier.ref_to("cache")
    notes = export_design(_with(three_tier, "api", HedgingPolicy(scope=cache)), "resilience4j", "api").notes
    assert "api -> cache: the hedging policy has no Resilience4j equivalent; left out" in notes
    # what it has a module for, or a note of its own, is not said twice
    assert not any("circuit breaker policy" in n or "fallback policy" in n for n in notes)
