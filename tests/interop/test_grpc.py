"""gRPC service config: timeouts, retry policies and throttling in and out."""
from __future__ import annotations

import json

import pytest
from interop_support import FIXTURES, policy

from app.interop import InteropError, export_design, import_files, preview_text
from engine.model import GrpcRetryThrottling


def test_service_config_maps_to_the_calls_into_the_named_service(shop):
    result = import_files([FIXTURES / "orders_service_config.json"], shop)
    retry = policy(result.design, "gateway", "retry", "orders")
    assert (retry.max_attempts, retry.wait_duration, retry.backoff, retry.multiplier, retry.max_wait_duration) == (
        4, 0.1, "exponential", 2.0, 1.0)
    assert (retry.jitter, retry.randomization_factor) == ("randomized", 0.2)   # random(0.8, 1.2)
    assert sorted(retry.retry_on) == ["timeout", "unavailable"]
    assert retry.budget == GrpcRetryThrottling(max_tokens=10, token_ratio=0.1)
    # gRPC's timeout is the call's deadline over every attempt: a deadline policy, not a per-attempt timeout
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 2.0   # the service's own entry
    assert not [p for p in result.design.component("gateway").policies if p.kind == "timeout"]
    assert "shop.Orders timeout 2s -> deadline on gateway -> orders" in preview_text(result.notes)
    assert result.design.problems() == []


def test_a_hedging_policy_maps_to_the_calls_into_its_service_with_the_throttling(shop):
    result = import_files([FIXTURES / "orders_service_config.json"], shop)
    hedging = policy(result.design, "gateway", "hedging", "inventory")
    assert (hedging.max_attempts, hedging.hedging_delay, hedging.non_fatal_outcomes) == (3, 0.05, ["unavailable"])
    assert hedging.throttling == GrpcRetryThrottling(max_tokens=10, token_ratio=0.1)
    # the channel's throttling is named on the hedge it reaches, not applied unsaid
    assert ("shop.Inventory hedgingPolicy maxAttempts 3, hedgingDelay 0.05s, with retryThrottling maxTokens 10, "
            "tokenRatio 0.1 -> hedging on gateway") in preview_text(result.notes)
    exported = json.loads(export_design(result.design, "grpc").text)
    inventory = next(m for m in exported["methodConfig"] if m["name"] == [{"service": "inventory"}])
    assert inventory["hedgingPolicy"] == {"maxAttempts": 3, "hedgingDelay": "0.05s",
                                          "nonFatalStatusCodes": ["UNAVAILABLE"]}


def test_a_method_with_both_retry_and_hedging_keeps_the_retry_and_says_so(shop, tmp_path):
    path = tmp_path / "sc.json"
    path.write_text(json.dumps({"methodConfig": [{"name": [{"service": "orders"}], "retryPolicy": {
        "maxAttempts": 3, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"]}, "hedgingPolicy": {"maxAttempts": 2}}]}))
    result = import_files([path], shop)
    assert "has both a retryPolicy and a hedgingPolicy" in preview_text(result.notes)
    assert not [p for p in result.design.component("gateway").policies if p.kind == "hedging"]
    assert result.design.problems() == []


def test_what_the_model_cannot_express_is_named(shop):
    result = import_files([FIXTURES / "orders_service_config.json"], shop)
    text = preview_text(result.notes)
    assert "methodConfig[1] for shop.Orders/Checkout: Faultline models one call per link" in text
    assert "methodConfig[0].timeout 2s became a deadline over the whole call, every attempt included" in text
    assert "orders_service_config.json:2: loadBalancingConfig" in text
    assert "methodConfig[0].waitForReady only changes how a call waits" in text
    assert not any(p.kind == "retry" for p in result.design.component("gateway").policies
                   if getattr(p, "scope", None) == "inventory")


@pytest.mark.parametrize("policy_text, message", [
    ('{"maxAttempts": 3, "initialBackoff": "soon", "maxBackoff": "1s", "backoffMultiplier": 2, '
     '"retryableStatusCodes": ["UNAVAILABLE"]}', 'retryPolicy.initialBackoff must be a duration in seconds'),
    ('{"maxAttempts": 1, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, '
     '"retryableStatusCodes": ["UNAVAILABLE"]}', "maxAttempts must be at least 2"),
    ('{"maxAttempts": 3, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, '
     '"retryableStatusCodes": ["BROKEN"]}', '"BROKEN" is not a gRPC status code'),
])
def test_bad_retry_policies_are_refused_with_file_line_and_key(shop, tmp_path, policy_text, message):
    path = tmp_path / "sc.json"
    path.write_text('{"methodConfig": [{\n "name": [{"service": "orders"}],\n "retryPolicy": ' + policy_text + "}]}")
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert str(caught.value).startswith("sc.json:") and message in str(caught.value)


def test_a_retry_policy_without_required_fields_is_left_out_and_named(shop, tmp_path):
    path = tmp_path / "sc.json"
    path.write_text(json.dumps({"methodConfig": [{"name": [{"service": "orders"}], "timeout": "3s", "retryPolicy": {
        "initialBackoff": "0.25s", "maxBackoff": "32s", "backoffMultiplier": 1.3,
        "retryableStatusCodes": ["UNAVAILABLE"]}}]}))
    result = import_files([path], shop)
    assert "has no maxAttempts; gRPC requires every field" in preview_text(result.notes)
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 3.0
    assert not [p for p in result.design.component("gateway").policies if p.kind == "retry"]


def test_export_round_trips_and_names_what_grpc_cannot_say(shop, tmp_path):
    imported = import_files([FIXTURES / "orders_service_config.json"], shop).design
    exported = export_design(imported, "grpc")
    config = json.loads(exported.text)
    assert config["retryThrottling"] == {"maxTokens": 10.0, "tokenRatio": 0.1}
    assert config["methodConfig"][0]["retryPolicy"] == {
        "maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2.0,
        "retryableStatusCodes": ["DEADLINE_EXCEEDED", "UNAVAILABLE"]}
    assert config["methodConfig"][0]["timeout"] == "2s"            # the deadline, back where it came from
    path = tmp_path / "service_config.json"
    path.write_text(exported.text)
    again = import_files([path], shop).design
    for kind in ("retry", "deadline"):
        assert policy(again, "gateway", kind, "orders").model_dump(exclude={"id"}) == \
            policy(imported, "gateway", kind, "orders").model_dump(exclude={"id"})


def test_a_per_attempt_timeout_is_written_only_where_it_is_the_whole_call(shop):
    from engine.model import DeadlinePolicy, RetryPolicy, TimeoutPolicy

    design = shop.model_copy(deep=True)
    gateway = design.component("gateway")
    gateway.policies = [TimeoutPolicy(timeout=0.5, scope="orders")]
    config = json.loads(export_design(design, "grpc").text)
    assert config["methodConfig"] == [{"name": [{"service": "orders"}], "timeout": "0.5s"}]   # one attempt

    gateway.policies = [TimeoutPolicy(timeout=0.5, scope="orders"), RetryPolicy(max_attempts=3, scope="orders")]
    exported = export_design(design, "grpc")
    assert "timeout" not in json.loads(exported.text)["methodConfig"][0]
    assert any("per-attempt timeout of 0.5s has no field" in n and "give the call a deadline policy" in n
               for n in exported.notes)

    gateway.policies = [*gateway.policies, DeadlinePolicy(deadline=2.0, scope="orders")]
    exported = export_design(design, "grpc")
    assert json.loads(exported.text)["methodConfig"][0]["timeout"] == "2s"
    assert any("per-attempt timeout of 0.5s has no field" in n for n in exported.notes)
