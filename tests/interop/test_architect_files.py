"""Files as architects keep them: a key written twice, a multi-document .properties, the profiles a
file activates itself, Envoy retry settings Envoy refuses, and a preview that names everything it
applied, each with the file and line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from interop_support import policy

from app.interop import InteropError, import_files, preview_text


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- YAML as Spring, compose and kubectl read it -----------------------------------------------------

def test_a_key_written_twice_is_refused_with_both_lines(tmp_path, shop):
    path = _write(tmp_path, "application.yml", """\
resilience4j:
  circuitbreaker:
    instances:
      orders:
        slidingWindowSize: 10
        failureRateThreshold: 50
        slidingWindowSize: 20
""")
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert caught.value.where == "application.yml:7"
    assert "the key 'slidingWindowSize' appears twice in the same map (first on line 5)" in caught.value.message


def test_a_merge_key_overridden_is_not_a_key_written_twice(tmp_path, shop):
    path = _write(tmp_path, "application.yml", """\
common: &common
  slidingWindowSize: 10
  failureRateThreshold: 50
resilience4j:
  circuitbreaker:
    instances:
      orders:
        <<: *common
        slidingWindowSize: 30
      inventory: *common
      payments:
        <<: *common
""")
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "circuit_breaker", "orders").sliding_window_size == 30
    assert policy(result.design, "gateway", "circuit_breaker", "payments").sliding_window_size == 10


def test_bad_indentation_says_what_to_look_at(tmp_path, shop):
    path = _write(tmp_path, "application.yml", """\
resilience4j:
  retry:
    instances:
      orders:
        maxAttempts: 3
       waitDuration: 1s
""")
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert caught.value.where == "application.yml:6"
    assert "indented differently from the lines above it" in caught.value.message


# -- Spring profiles --------------------------------------------------------------------------------

def test_a_properties_file_of_two_documents_reads_the_profile_part_only_when_active(tmp_path, shop):
    path = _write(tmp_path, "application.properties", """\
resilience4j.retry.instances.orders.max-attempts=4
resilience4j.circuitbreaker.instances.orders.failure-rate-threshold=40
#---
spring.config.activate.on-profile=prod
resilience4j.retry.instances.orders.max-attempts=2
resilience4j.circuitbreaker.instances.orders.failure-rate-threshold=25
""")
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 4
    assert policy(result.design, "gateway", "circuit_breaker", "orders").failure_rate_threshold == 40
    assert ('application.properties:3: document 2 applies only to the Spring profile "prod"; it was left out'
            in preview_text(result.notes))


def test_the_profile_a_file_activates_is_read(tmp_path, shop):
    path = _write(tmp_path, "application.yml", """\
spring.profiles.active: prod,eu
resilience4j.retry.instances.orders.maxAttempts: 4
---
spring.config.activate.on-profile: prod
resilience4j.retry.instances.orders.maxAttempts: 2
---
spring.config.activate.on-profile: "!eu"
resilience4j.retry.instances.orders.waitDuration: 9s
---
spring.config.activate.on-profile: eu & (prod | staging)
resilience4j.retry.instances.orders.waitDuration: 250ms
""")
    result = import_files([path], shop)
    retry = policy(result.design, "gateway", "retry", "orders")
    assert (retry.max_attempts, retry.wait_duration) == (2, 0.25)
    text = preview_text(result.notes)
    assert 'document 2 (Spring profile "prod") was read: spring.profiles.active is eu, prod' in text
    assert 'document 3 applies only to the Spring profile "!eu"; it was left out' in text
    assert "spring: settings outside resilience4j" not in text


def test_with_no_profile_active_a_negated_profile_document_is_read(tmp_path, shop):
    path = _write(tmp_path, "application.yml", """\
resilience4j.retry.instances.orders.maxAttempts: 4
---
spring.config.activate.on-profile: "!test"
resilience4j.retry.instances.orders.maxAttempts: 5
""")
    result = import_files([path], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 5


# -- Resilience4j shapes Spring cannot bind -----------------------------------------------------------

@pytest.mark.parametrize(("text", "where", "said"), [
    ("resilience4j:\n  circuitbreaker:\n    instances:\n      orders: 5\n", "application.yml:4",
     "resilience4j.circuitbreaker.instances.orders must be a map of settings (got 5)"),
    ("resilience4j:\n  retry: [orders]\n", "application.yml:2",
     "resilience4j.retry must be a map of instances and configs"),
])
def test_a_plain_value_where_settings_belong_is_named(tmp_path, shop, text, where, said):
    with pytest.raises(InteropError) as caught:
        import_files([_write(tmp_path, "application.yml", text)], shop)
    assert caught.value.where == where
    assert said in caught.value.message


def test_the_rate_limiter_note_names_the_file_and_line(tmp_path, shop):
    path = _write(tmp_path, "application.yml", "resilience4j:\n  ratelimiter:\n    instances:\n      orders:\n"
                                               "        limitForPeriod: 10\n")
    result = import_files([path], shop)
    note = next(n for n in result.of_kind("differs") if n.text.startswith("rate limiter"))
    assert note.where == "application.yml:5"


# -- Envoy retry settings Envoy refuses ---------------------------------------------------------------

def _route(retry_policy: str) -> str:
    return ("routes:\n- match: {prefix: /}\n  route:\n    cluster: inventory\n    retry_policy:\n"
            "      retry_on: 5xx\n" + retry_policy)


def test_a_negative_num_retries_is_refused(tmp_path, shop):
    with pytest.raises(InteropError, match=r"num_retries must be 0 or more \(got -2\)"):
        import_files([_write(tmp_path, "envoy.yaml", _route("      num_retries: -2\n"))], shop)


def test_a_max_interval_below_the_base_is_refused(tmp_path, shop):
    path = _write(tmp_path, "envoy.yaml", _route("      retry_back_off: {base_interval: 0.1s, max_interval: 0.01s}\n"))
    with pytest.raises(InteropError, match="max_interval 10 ms is below base_interval 100 ms"):
        import_files([path], shop)


def test_no_retries_is_said_not_dropped(tmp_path, shop):
    result = import_files([_write(tmp_path, "envoy.yaml", _route("      num_retries: 0\n"))], shop)
    assert not [p for p in result.design.component("gateway").policies if p.kind == "retry"]
    assert "envoy.yaml:3: route to inventory: retry_policy num_retries 0 makes no retry" in preview_text(result.notes)


# -- gRPC ---------------------------------------------------------------------------------------------

def test_the_retry_throttling_applied_is_in_the_preview(tmp_path, shop):
    config = {"methodConfig": [{"name": [{"service": "shop.Orders"}],
                                "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s",
                                                "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}],
              "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}}
    result = import_files([_write(tmp_path, "service_config.json", json.dumps(config))], shop)
    assert policy(result.design, "gateway", "retry", "orders").budget is not None
    assert ("shop.Orders retryPolicy maxAttempts 4, initialBackoff 0.1s, maxBackoff 1s, backoffMultiplier 2, with "
            "retryThrottling maxTokens 10, tokenRatio 0.1 -> retry on gateway -> orders") in preview_text(result.notes)


@pytest.mark.parametrize(("written", "said"), [
    ("10 s", "no space before its unit (write 10s)"),
    ("500µs", "Spring writes microseconds as us (write 500us)"),
])
def test_a_duration_spring_would_refuse_is_named(tmp_path, shop, written, said):
    path = _write(tmp_path, "application.yml", "resilience4j:\n  retry:\n    instances:\n      orders:\n"
                                               f"        waitDuration: {written}\n")
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert caught.value.where == "application.yml:5"
    assert said in caught.value.message


def test_a_policy_one_file_replaces_from_another_is_named(tmp_path, shop):
    application = _write(tmp_path, "application.yml", "resilience4j.retry.instances.orders.maxAttempts: 4\n")
    sidecar = _write(tmp_path, "envoy.yaml", "routes:\n- match: {prefix: /}\n  route:\n    cluster: orders\n"
                                             "    retry_policy: {retry_on: 5xx, num_retries: 2}\n")
    result = import_files([application, sidecar], shop)
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 3
    assert ("envoy.yaml: retry on gateway -> orders: replaces the one application.yml set, so application.yml's "
            "is left out") in preview_text(result.notes)
    # the same file read twice replaces nothing of another's
    again = import_files([application, application], shop)
    assert "replaces" not in preview_text(again.notes)
