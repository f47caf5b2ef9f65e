"""Settings that lie: each finding names the components and the numbers."""
from __future__ import annotations

from app.cli import main as cli_main
from app.interop import import_files, lint_design
from engine.model import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    Design,
    LogNormal,
    RetryPolicy,
    ThreadPoolBulkheadPolicy,
    TimeoutPolicy,
)


def _with(design: Design, owner: str, *policies) -> Design:
    design = design.model_copy(deep=True)
    i = [c.name for c in design.components].index(owner)
    design.components[i] = design.components[i].model_copy(update={"policies": list(policies)})
    return design


def _texts(design: Design) -> list[str]:
    return [str(n) for n in lint_design(design)]


def test_the_example_has_no_finding(three_tier):
    assert lint_design(three_tier) == []


def test_retry_through_a_breaker(shop):
    design = _with(shop, "gateway", RetryPolicy(scope="orders", max_attempts=4),
                   CircuitBreakerPolicy(scope="orders", minimum_number_of_calls=20))
    texts = _texts(design)
    assert ("gateway -> orders: the retry (4 attempts) passes every attempt through the circuit breaker: one failing "
            "request records 4 failures, so 5 failing requests reach its minimum of 20 calls") in texts[0]
    assert any("retries calls the open breaker refused: each waits 500 ms" in t for t in texts)


def test_retries_longer_than_the_callers_timeout(shop):
    design = _with(shop, "orders", RetryPolicy(scope="orders-db", max_attempts=3, wait_duration=0.1),
                   TimeoutPolicy(scope="orders-db", timeout=0.5))
    design = _with(design, "gateway", TimeoutPolicy(scope="orders", timeout=1.0))
    assert any("orders -> orders-db: 3 attempts x 500 ms timeout + 200 ms of waits = 1.7 s, longer than the 1 s "
               "timeout of gateway -> orders" in t for t in _texts(design))


def test_timeout_below_the_callees_service_time(shop):
    design = shop.model_copy(deep=True)
    i = [c.name for c in design.components].index("orders")
    design.components[i] = design.components[i].model_copy(update={"service_time": LogNormal(p50=0.1, p99=0.5)})
    design = _with(design, "gateway", TimeoutPolicy(scope="orders", timeout=0.2))
    finding = next(t for t in _texts(design) if "service time" in t)
    assert ("gateway -> orders: timeout 200 ms is below orders's own service time p99 (p50 100 ms, p99 500 ms)"
            in finding)
    assert "about 16 % of calls time out" in finding   # lognormal: 1 - Phi(ln 2 / (ln 5 / z99)) = 0.158


def test_retries_at_several_layers_multiply(shop):
    design = _with(shop, "gateway", RetryPolicy(scope="orders", max_attempts=3))
    design = _with(design, "orders", RetryPolicy(scope="orders-db", max_attempts=4))
    finding = next(t for t in _texts(design) if "multiply" in t)
    assert finding == ("web -> gateway -> orders -> orders-db: retries at 2 layers multiply (gateway -> orders: "
                       "3 attempts, orders -> orders-db: 4 attempts): orders-db may see 12 attempts per request "
                       "when it fails")


def test_bulkhead_wider_than_the_callee(shop):
    design = _with(shop, "orders", BulkheadPolicy(scope="orders-db", max_concurrent_calls=25))
    assert any("orders -> orders-db: the bulkhead allows 25 concurrent calls, more than orders-db serves at once "
               "(1 instance x 10 connections = 10)" in t for t in _texts(design))
    pool = _with(shop, "orders", ThreadPoolBulkheadPolicy(scope="orders-db", core_thread_pool_size=4,
                                                          max_thread_pool_size=16))
    assert any("orders -> orders-db: the thread-pool bulkhead runs up to 16 threads, more than orders-db serves "
               "at once (1 instance x 10 connections = 10)" in t for t in _texts(pool))


def test_import_and_export_and_the_lint_command_report_findings(shop, tmp_path, capsys):
    config = tmp_path / "application.yml"
    config.write_text("spring.application.name: orders\n"
                      "resilience4j.bulkhead.instances.orders-db.maxConcurrentCalls: 25\n")
    result = import_files([config], shop)
    assert [n.where for n in result.of_kind("warning")] == ["orders -> orders-db"]
    out = tmp_path / "d.json"
    out.write_text(result.design.to_json())
    assert cli_main(["lint", str(out)]) == 0
    assert "warning: orders -> orders-db: the bulkhead allows 25" in capsys.readouterr().out
    assert cli_main(["lint", str(out), "--strict"]) == 1
    capsys.readouterr()
    assert cli_main(["export", str(out), "--format", "resilience4j", str(tmp_path / "a.yml")]) == 0
    assert "warning: orders -> orders-db: the bulkhead allows 25" in capsys.readouterr().out
    assert cli_main(["import", str(config), "--into", str(out)]) == 0
    assert "Settings that lie:\n  orders -> orders-db: the bulkhead allows 25" in capsys.readouterr().out


def test_multiplying_retries_are_reported_once_at_the_end_of_the_chain(shop):
    design = _with(shop, "web", RetryPolicy(scope="gateway", max_attempts=2))
    design = _with(design, "gateway", RetryPolicy(scope="orders", max_attempts=3))
    design = _with(design, "orders", RetryPolicy(scope="orders-db", max_attempts=4))
    findings = [t for t in _texts(design) if "multiply" in t]
    assert findings == ["web -> gateway -> orders -> orders-db: retries at 3 layers multiply (web -> gateway: 2 "
                        "attempts, gateway -> orders: 3 attempts, orders -> orders-db: 4 attempts): orders-db may "
                        "see 24 attempts per request when it fails"]
