"""Real configurations brought in and taken out: every value imported as written or named in the
preview, every refusal a message with file and key, every export a file the library accepts."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from interop_support import policy

from app.interop import InteropError, detect_format, export_design, import_files, preview_text

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _grpc(tmp_path: Path, config: dict, name: str = "service_config.json") -> Path:
    return _write(tmp_path, name, json.dumps(config))


_RETRY = {"maxAttempts": 3, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
          "retryableStatusCodes": ["UNAVAILABLE"]}


# -- gRPC ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "said"), [
    ("initialBackoff", "100000000s", "methodConfig[0].retryPolicy: initialBackoff must be at most"),
    ("maxBackoff", "99999999999s", "methodConfig[0].retryPolicy: maxBackoff must be at most"),
])
def test_a_grpc_backoff_beyond_what_faultline_runs_is_a_message_not_a_traceback(tmp_path, shop, field, value, said):
    path = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}],
                                              "retryPolicy": {**_RETRY, field: value}}]})
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert said in str(caught.value)
    assert str(caught.value).startswith("service_config.json:")
    # the command line prints it as a message and exits 2, no traceback
    run = subprocess.run([sys.executable, "main.py", "import", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and said in run.stderr


def test_a_grpc_hedging_delay_or_token_ratio_out_of_range_is_a_message(tmp_path, shop):
    hedging = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}],
                                                 "hedgingPolicy": {"maxAttempts": 3,
                                                                   "hedgingDelay": "99999999999s"}}]})
    with pytest.raises(InteropError, match=r"hedgingPolicy: hedgingDelay must be at most"):
        import_files([hedging], shop)
    # gRPC reads tokenRatio to three decimals: 0.0001 is 0, which it refuses
    throttled = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}], "retryPolicy": _RETRY}],
                                 "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.0001}}, "throttled.json")
    with pytest.raises(InteropError, match=r"retryThrottling: tokenRatio .* must be greater than 0"):
        import_files([throttled], shop)


def test_a_shrinking_grpc_backoff_multiplier_is_named_where_it_changes(tmp_path, shop):
    path = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}],
                                              "retryPolicy": {**_RETRY, "backoffMultiplier": 0.5}}]})
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "retry", "orders").multiplier == 1.0
    assert any("backoffMultiplier 0.5" in n.text and "imported as 1" in n.text for n in result.of_kind("differs"))


def test_grpc_cancelled_status_codes_are_named_not_dropped(tmp_path, shop):
    path = _grpc(tmp_path, {"methodConfig": [
        {"name": [{"service": "orders"}],
         "retryPolicy": {**_RETRY, "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"]}},
        {"name": [{"service": "inventory"}],
         "hedgingPolicy": {"maxAttempts": 2, "nonFatalStatusCodes": ["CANCELLED", "UNAVAILABLE"]}}]})
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "retry", "orders").retry_on == ["unavailable"]
    text = preview_text(result.notes)
    assert "methodConfig[0].retryPolicy.retryableStatusCodes CANCELLED" in text
    assert "methodConfig[1].hedgingPolicy.nonFatalStatusCodes CANCELLED" in text


def test_a_method_only_grpc_entry_says_it_now_covers_the_whole_service(tmp_path, shop):
    path = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "shop.Orders", "method": "Place"}],
                                              "retryPolicy": _RETRY}]})
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 3
    assert any("shop.Orders/Place only" in n.text and "every call into shop.Orders" in n.text
               for n in result.of_kind("differs"))


def test_grpc_export_writes_max_tokens_as_the_whole_number_grpc_parses(tmp_path, shop):
    path = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}], "retryPolicy": _RETRY}],
                            "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}})
    text = export_design(import_files([path], shop).design, "grpc", "gateway").text
    assert '"maxTokens": 10,' in text   # "10.0" is refused by gRPC's C++ parser of a uint32


# -- Envoy -----------------------------------------------------------------------------------------

_ENVOY_ROUTE = """\
virtual_hosts:
- name: shop
  domains: ["*"]
  routes:
  - match: {prefix: /orders}
    route:
      cluster: orders
      timeout: 3s
      retry_policy: {retry_on: "5xx", num_retries: 3, per_try_timeout: 1s}
"""


def test_an_envoy_route_timeout_beside_per_try_timeout_is_named(tmp_path, shop):
    result = import_files([_write(tmp_path, "routes.yaml", _ENVOY_ROUTE)], shop)
    assert policy(result.design, "gateway", "timeout", "orders").timeout == 1.0
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 3.0   # over every attempt
    assert any("route timeout of 3 s bounds the whole call" in n.text for n in result.of_kind("differs"))
    # without a route timeout Envoy's 15 s still bounds all attempts; it is not "applied" as the per-try one
    default = _ENVOY_ROUTE.replace("      timeout: 3s\n", "")
    notes = import_files([_write(tmp_path, "default.yaml", default)], shop).of_kind("differs")
    assert any("Envoy's default route timeout of 15 s bounds the whole call" in n.text for n in notes)
    assert not any("so Envoy's default of 15 s applies" in n.text for n in notes)


def test_envoy_thresholds_of_another_priority_are_named(tmp_path, shop):
    clusters = """\
static_resources:
  clusters:
  - name: orders
    circuit_breakers:
      thresholds:
      - {priority: DEFAULT, max_requests: 64}
      - {priority: HIGH, max_requests: 500}
"""
    result = import_files([_write(tmp_path, "clusters.yaml", clusters)], shop)
    assert policy(result.design, "gateway", "bulkhead", "orders").max_concurrent_calls == 64
    assert any("priority HIGH" in n.text for n in result.of_kind("not_understood"))


@pytest.mark.parametrize(("text", "said"), [
    ("clusters:\n- name: orders\n  circuit_breakers:\n    thresholds:\n"
     "    - retry_budget: {budget_percent: {value: 150}}\n",
     "clusters.yaml:3: cluster orders circuit_breakers.retry_budget: budget_percent must be at most 100 (got 150)"),
    ("clusters:\n- name: orders\n  outlier_detection: {consecutive_5xx: 0}\n",
     "clusters.yaml:3: cluster orders outlier_detection: consecutive_5xx must be at least 1 (got 0)"),
    ("routes:\n- route: {cluster: orders, timeout: 99999999s}\n",
     "clusters.yaml:2: route to orders: timeout must be at most 10000000 (got 99999999)"),
])
def test_envoy_fragments_are_recognised_and_out_of_range_values_are_messages(tmp_path, shop, text, said):
    path = _write(tmp_path, "clusters.yaml", text)
    assert detect_format(path) == "envoy"   # a bootstrap's clusters or routes alone
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert str(caught.value) == said


def test_long_timeouts_export_as_durations_envoy_and_istio_parse(tmp_path, shop):
    result = import_files([_write(tmp_path, "routes.yaml", "routes:\n- route: {cluster: orders, timeout: 1000s}\n")],
                          shop)
    assert policy(result.design, "gateway", "timeout", "orders").timeout == 1000.0
    istio = export_design(result.design, "istio").text
    assert "timeout: 1000000ms" in istio and "e+" not in istio
    design = result.design.model_copy(deep=True)
    policy(design, "gateway", "timeout", "orders").timeout = 1234.5678
    envoy = export_design(design, "envoy", "gateway").text
    assert "timeout: 1234.5678s" in envoy   # "%g" would have cut it to 1234.57s


# -- Resilience4j ----------------------------------------------------------------------------------

def test_backoff_keys_without_their_switch_are_named_as_without_effect(tmp_path, shop):
    app = """\
resilience4j:
  retry:
    instances:
      orders:
        maxAttempts: 4
        exponentialBackoffMultiplier: 3
        randomizedWaitFactor: 0.3
  circuitbreaker:
    instances:
      orders:
        exponentialBackoffMultiplier: 2
"""
    result = import_files([_write(tmp_path, "application.yml", app)], shop)
    retry = policy(result.design, "gateway", "retry", "orders")
    assert (retry.backoff, retry.jitter) == ("fixed", "none")   # as Resilience4j runs it
    assert policy(result.design, "gateway", "circuit_breaker", "orders").wait_duration_multiplier == 1.0
    ignored = preview_text(result.of_kind("ignored"))
    assert "application.yml:6: resilience4j.retry.instances.orders.exponentialBackoffMultiplier has no effect " \
           "without enableExponentialBackoff: true" in ignored
    assert "application.yml:7: resilience4j.retry.instances.orders.randomizedWaitFactor has no effect without " \
           "enableRandomizedWait: true" in ignored
    assert "application.yml:11: resilience4j.circuitbreaker.instances.orders.exponentialBackoffMultiplier" in ignored


def test_a_profile_document_first_in_the_file_is_left_out_like_any_other(tmp_path, shop):
    app = """\
spring.config.activate.on-profile: prod
resilience4j.retry.instances.orders.maxAttempts: 5
---
resilience4j.retry.instances.orders.maxAttempts: 2
"""
    result = import_files([_write(tmp_path, "application.yml", app)], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 2
    assert 'document 1 applies only to the Spring profile "prod"' in preview_text(result.of_kind("not_understood"))
    # a file of profile documents only: the first is read, and the preview says which profile that assumes
    only = _write(tmp_path, "application-prod.yml", "spring.profiles: prod\n"
                                                    "resilience4j.retry.instances.orders.maxAttempts: 5\n")
    result = import_files([only], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 5
    assert any('as if the profile "prod" were active' in n.text for n in result.of_kind("differs"))


def test_the_retry_through_a_breaker_finding_counts_the_minimum_the_window_allows(tmp_path, shop):
    app = """\
resilience4j.circuitbreaker.instances.orders.slidingWindowSize: 20
resilience4j.retry.instances.orders.maxAttempts: 4
"""
    result = import_files([_write(tmp_path, "application.yml", app)], shop)
    assert policy(result.design, "gateway", "circuit_breaker", "orders").minimum_number_of_calls == 100
    warnings = preview_text(result.of_kind("warning"))
    # a count window of 20 judges after 20 calls, whatever minimumNumberOfCalls (100 by default) says
    assert "so 5 failing requests reach its minimum of 20 calls" in warnings
    assert "minimum of 100" not in warnings


def test_the_dialog_shows_an_out_of_range_grpc_value_instead_of_failing(qtbot, tmp_path, shop):
    from app.interop_dialog import ImportConfigurationDialog

    path = _grpc(tmp_path, {"methodConfig": [{"name": [{"service": "orders"}],
                                              "retryPolicy": {**_RETRY, "initialBackoff": "100000000s"}}]})
    dialog = ImportConfigurationDialog(shop, [path])
    qtbot.addWidget(dialog)
    assert dialog.import_result is None
    assert "initialBackoff must be at most" in dialog.error.text()

