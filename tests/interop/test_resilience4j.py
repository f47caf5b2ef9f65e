"""Resilience4j Spring Boot configuration: import, export, round trip, and the library's semantics
in a run of the imported design."""
from __future__ import annotations

import pytest
import yaml
from interop_support import FIXTURES, policy

from app.interop import InteropError, callers_to_export, export_design, import_files, preview_text
from app.interop.placing import effective_policy
from engine.model import RunOptions
from engine.simulation import Simulation


def _write(tmp_path, text: str, name: str = "application.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_instances_named_after_components_guard_the_calls_of_the_named_application(three_tier):
    result = import_files([FIXTURES / "shop-api.yml"], three_tier)
    design = result.design
    breaker = policy(design, "api", "circuit_breaker", "db")
    # configs.default via base-config (kebab-case), the ${VAR:default} template, ISO-8601 duration
    assert breaker.sliding_window_size == 20
    assert breaker.minimum_number_of_calls == 10
    assert breaker.wait_duration_in_open_state == 7.0
    assert breaker.slow_call_duration_threshold == 0.25
    assert breaker.slow_call_rate_threshold == 80.0
    assert breaker.permitted_number_of_calls_in_half_open_state == 4
    # a YAML merge key brings the shared retry config; the instance's own key wins
    retry = policy(design, "api", "retry", "cache")
    assert (retry.max_attempts, retry.wait_duration, retry.backoff, retry.multiplier) == (2, 0.05, "exponential", 2.0)
    bulkhead = policy(design, "api", "bulkhead", "db")
    assert (bulkhead.max_concurrent_calls, bulkhead.max_wait_duration) == (12, 0.01)
    timeout = policy(design, "api", "timeout", "db")
    assert timeout.timeout == 0.4 and timeout.cancel_on_timeout is True  # cancelRunningFuture defaults to true
    # spring.application.name = api: the cache's own call to db is not the API's to guard
    assert all(getattr(p, "scope", None) != "db" or p.kind != "timeout" for p in design.component("cache").policies)
    assert design.problems() == []


def test_the_preview_names_what_was_left_out_with_file_and_line(three_tier):
    result = import_files([FIXTURES / "shop-api.yml"], three_tier)
    text = preview_text(result.notes, result.unmapped)
    assert ("shop-api.yml:20: resilience4j.circuitbreaker.configs.default.record-exceptions names Java exceptions"
            in text)
    assert "shop-api.yml:19: resilience4j.circuitbreaker.configs.default.register-health-indicator only changes" in text
    assert 'applies only to the Spring profile "load-test"' in text
    # the profile's bulkhead of 100 was not applied
    assert policy(result.design, "api", "bulkhead", "db").max_concurrent_calls == 12


def test_old_key_names_and_properties_files(shop):
    legacy = import_files([FIXTURES / "legacy.yml"], shop, ["payments=gateway->payments"])
    breaker = policy(legacy.design, "gateway", "circuit_breaker", "payments")
    assert (breaker.sliding_window_size, breaker.minimum_number_of_calls) == (8, 8)  # the ring buffer was both
    assert breaker.permitted_number_of_calls_in_half_open_state == 2
    assert breaker.wait_duration_in_open_state == 3.0  # a bare number is milliseconds
    retry = policy(legacy.design, "gateway", "retry", "payments")
    assert (retry.max_attempts, retry.jitter, retry.randomization_factor) == (4, "randomized", 0.3)
    limiter = policy(legacy.design, "payments", "rate_limiter")
    assert (limiter.limit_for_period, limiter.limit_refresh_period, limiter.timeout_duration) == (20, 1.0, 0.1)

    props = import_files([FIXTURES / "gateway.properties"], shop)
    breaker = policy(props.design, "gateway", "circuit_breaker", "orders")
    assert (breaker.sliding_window_type, breaker.sliding_window_size, breaker.wait_duration_in_open_state) == (
        "time_based", 10, 30.0)
    pool = policy(props.design, "gateway", "thread_pool_bulkhead", "orders")
    assert (pool.core_thread_pool_size, pool.max_thread_pool_size, pool.queue_capacity,
            pool.keep_alive_duration) == (3, 6, 20, 0.02)   # keepAliveDuration left at its default
    timeout = policy(props.design, "gateway", "timeout", "orders")
    assert (timeout.timeout, timeout.cancel_on_timeout) == (2.0, False)
    differs = " ".join(n.text for n in props.of_kind("differs"))
    assert "thread-pool" not in differs and "recordExceptions" in differs  # continued line kept whole


def test_a_policy_the_component_cannot_take_is_named_not_dropped(three_tier, tmp_path):
    path = _write(tmp_path, "resilience4j.ratelimiter.instances.lb.limitForPeriod: 5\n")
    result = import_files([path], three_tier)
    assert not result.design.component("lb").policies
    assert any('rate limiter for browsers -> lb left out: a load balancer takes no inbound policies ("lb")' in n.text
               for n in result.of_kind("not_understood"))


def test_unmatched_instances_are_reported_and_mapped_on_request(shop, tmp_path):
    path = _write(tmp_path, "resilience4j.retry.instances.backendA.maxAttempts: 5\n")
    result = import_files([path], shop)
    assert result.unmapped == ["backendA"]
    assert not any(p.kind == "retry" for c in result.design.components for p in c.policies)
    mapped = import_files([path], shop, ["backendA=orders->orders-db"])
    assert mapped.unmapped == []
    assert policy(mapped.design, "orders", "retry", "orders-db").max_attempts == 5


@pytest.mark.parametrize("text, message", [
    ("resilience4j.retry.instances.x.waitDuration: ${RETRY_WAIT}\n",
     "application.yml:1: resilience4j.retry.instances.x.waitDuration is the placeholder ${RETRY_WAIT} with no default"),
    ("resilience4j.retry.instances.x:\n  baseConfig: missing\n",
     'application.yml:2: resilience4j.retry.instances.x.baseConfig names the config "missing"'),
    ("resilience4j.circuitbreaker.instances.x.failureRateThreshold: 150\n",
     "application.yml:1: resilience4j.circuitbreaker.instances.x.failureRateThreshold must be at most 100"),
    ("resilience4j.retry.instances.x.waitDuration: soon\n",
     "application.yml:1: resilience4j.retry.instances.x.waitDuration must be a duration"),
    ("resilience4j.retry.instances.x.waitDuration: 1.5s\n",
     "application.yml:1: resilience4j.retry.instances.x.waitDuration = 1.5s: Spring takes whole numbers"),
    ("resilience4j:\n  retry: [\n", "application.yml:3: not valid YAML"),
])
def test_bad_input_is_refused_naming_file_line_and_key(shop, tmp_path, text, message):
    with pytest.raises(InteropError) as caught:
        import_files([_write(tmp_path, text)], shop, ["x=gateway->orders"] if "instances.x" in text else [])
    assert message in str(caught.value)


def test_the_preview_spells_values_as_the_file_does(shop, tmp_path):
    path = _write(tmp_path, "resilience4j:\n  timelimiter.instances.orders:\n    timeoutDuration: 2s\n"
                            "    cancelRunningFuture: false\n"
                            "  circuitbreaker.instances.orders.automaticTransitionFromOpenToHalfOpenEnabled: true\n")
    text = preview_text(import_files([path], shop).notes)
    assert "(timeoutDuration 2s, cancelRunningFuture false)" in text
    assert "(automaticTransitionFromOpenToHalfOpenEnabled true)" in text
    assert "False" not in text and "True" not in text


@pytest.mark.parametrize("value, got", [("true", "(got true)"), ("~", "(got null)")])
def test_a_refusal_spells_the_value_as_the_file_does(shop, tmp_path, value, got):
    path = _write(tmp_path, f"resilience4j.retry.instances.orders.maxAttempts: {value}\n")
    with pytest.raises(InteropError) as caught:
        import_files([path], shop)
    assert str(caught.value).endswith(f"maxAttempts must be a number {got}")


def test_a_mapping_must_name_a_call_of_the_design(shop, tmp_path):
    path = _write(tmp_path, "resilience4j.retry.instances.x.maxAttempts: 2\n")
    with pytest.raises(InteropError, match='"web" does not call "orders"'):
        import_files([path], shop, ["x=web->orders"])
    with pytest.raises(InteropError, match='no component named "nowhere"'):
        import_files([path], shop, ["x=gateway->nowhere"])


def test_without_a_design_a_skeleton_is_made_around_the_application(tmp_path):
    result = import_files([FIXTURES / "shop-api.yml"])
    design = result.design
    assert {c.name for c in design.components} == {"clients", "api", "db", "cache"}
    assert policy(design, "api", "circuit_breaker", "db").wait_duration_in_open_state == 7.0
    assert design.problems() == []
    assert any("no design was given" in n.text for n in result.of_kind("differs"))


def test_export_writes_library_names_and_units_and_round_trips(three_tier, tmp_path):
    imported = import_files([FIXTURES / "shop-api.yml"], three_tier).design
    text = export_design(imported, "resilience4j", "api").text
    assert "waitDurationInOpenState: 7s" in text and "slowCallDurationThreshold: 250ms" in text
    assert "spring:\n  application:\n    name: api" in text
    # each calling service's application.yml, back into the example with its own policies removed:
    # the same policies come back
    bare = three_tier.model_copy(deep=True)
    for i, c in enumerate(bare.components):
        bare.components[i] = c.model_copy(update={"policies": []})
    paths = []
    for caller in ("api", "cache"):
        paths.append(tmp_path / caller / "application.yml")
        paths[-1].parent.mkdir()
        paths[-1].write_text(export_design(imported, "resilience4j", caller).text)
    again = import_files(paths, bare).design

    def kept(design):
        return {(c.name, p.kind, getattr(p, "scope", None)): p.model_dump(exclude={"id", "scope"})
                for c in design.components for p in c.policies}

    original = kept(imported)
    # a policy that guards every call comes back as one per dependency, which the engine treats the same
    expanded = {}
    for (owner, kind, scope), values in sorted(original.items(), key=lambda item: item[0][2] is None):
        callees = [l.target for l in imported.links_from(owner)] if scope is None else [scope]
        for callee in callees:
            expanded.setdefault((owner, kind, callee), values)
    assert kept(again) == expanded


def test_a_thread_pool_bulkhead_exports_and_imports_under_its_library_names(shop, tmp_path):
    design = import_files([FIXTURES / "gateway.properties"], shop).design
    text = export_design(design, "resilience4j").text
    assert "threadpoolbulkhead:" in text
    assert "coreThreadPoolSize: 3" in text and "maxThreadPoolSize: 6" in text and "queueCapacity: 20" in text
    assert "keepAliveDuration: 20ms" in text
    again = import_files([_write(tmp_path, text)], shop).design
    pool = policy(again, "gateway", "thread_pool_bulkhead", "orders")
    assert (pool.core_thread_pool_size, pool.max_thread_pool_size, pool.queue_capacity,
            pool.keep_alive_duration) == (3, 6, 20, 0.02)


def test_an_unsized_thread_pool_takes_the_assumed_processors_and_says_so(shop, tmp_path):
    path = _write(tmp_path, "resilience4j.thread-pool-bulkhead.instances.orders.queue-capacity=5\n",
                  "gateway.properties")
    result = import_files([path], shop)
    pool = policy(result.design, "gateway", "thread_pool_bulkhead", "orders")
    assert (pool.core_thread_pool_size, pool.max_thread_pool_size, pool.queue_capacity) == (3, 4, 5)
    assert any("Faultline assumes 4 (core 3, max 4)" in n.text for n in result.of_kind("differs"))


def test_export_comments_what_resilience4j_cannot_say(three_tier):
    design = three_tier.model_copy(deep=True)
    api = design.component("api")
    policies = [p.model_copy(update={"jitter": "full"}) if p.kind == "retry" else p for p in api.policies]
    design.components[[c.name for c in design.components].index("api")] = api.model_copy(update={"policies": policies})
    exported = export_design(design, "resilience4j", "api")
    assert "enableRandomizedWait: false  # Faultline uses full jitter, which Resilience4j has no setting for" \
        in exported.text
    assert any("full jitter" in note for note in exported.notes)


def _breaker_events(design, kind: str, link: str = "api -> db"):
    sim = Simulation(design, RunOptions(duration=120, seed=3), "database outage")
    sim.advance()
    return [e["time"] for e in sim.result().events_of(kind) if e["link"] == link]


def _with(tmp_path, three_tier, **overrides):
    settings = {"slidingWindowSize": 10, "minimumNumberOfCalls": 10, "failureRateThreshold": 100,
                "waitDurationInOpenState": "7s", "automaticTransitionFromOpenToHalfOpenEnabled": "true",
                "permittedNumberOfCallsInHalfOpenState": 4, **overrides}
    text = "resilience4j.circuitbreaker.instances.db:\n" + "".join(f"  {k}: {v}\n" for k, v in settings.items())
    return import_files([_write(tmp_path, text)], three_tier).design


def test_imported_breaker_opens_and_waits_as_the_library_does_in_the_database_outage(tmp_path, three_tier):
    design = _with(tmp_path, three_tier)
    opened = _breaker_events(design, "breaker_opened")
    half_open = _breaker_events(design, "breaker_half_open")
    closed = _breaker_events(design, "breaker_closed")
    # the database hangs from 60 s: no opening before, the first within the outage's first second
    assert 60.0 < opened[0] < 61.0
    # automatic transition: HALF_OPEN exactly waitDurationInOpenState after every opening
    assert half_open == pytest.approx([t + 7.0 for t in opened[:len(half_open)]])
    # it closes only once the database is back (30 s outage, 2 s restart)
    assert closed and closed[0] > 92.0 and not [t for t in opened if 61.0 < t < 67.0]


def test_imported_threshold_and_lazy_wait_follow_the_library(tmp_path, three_tier):
    strict = _breaker_events(_with(tmp_path, three_tier), "breaker_opened")
    # same seed, same calls: at 50 % the breaker opens after 5 failures of 10, before 10 of 10
    half = _breaker_events(_with(tmp_path, three_tier, failureRateThreshold=50), "breaker_opened")
    assert half[0] < strict[0]
    lazy = _with(tmp_path, three_tier, automaticTransitionFromOpenToHalfOpenEnabled="false")
    opened, half_open = _breaker_events(lazy, "breaker_opened"), _breaker_events(lazy, "breaker_half_open")
    # without the automatic transition the next call after the wait (strictly after it) moves it
    for t_open, t_half in zip(opened, half_open):
        assert t_open + 7.0 < t_half < t_open + 7.5


def test_base_resolution_follows_the_library(shop, tmp_path):
    # a config named like the instance is its base; a config used as a base does not inherit default
    text = """\
resilience4j.retry:
  configs:
    default: {maxAttempts: 7, waitDuration: 1s}
    shared: {waitDuration: 200ms}
    orders: {maxAttempts: 5}
  instances:
    orders: {}
    inventory: {baseConfig: shared}
    payments: {waitDuration: 300ms}
"""
    design = import_files([_write(tmp_path, text)], shop).design
    assert (policy(design, "gateway", "retry", "orders").max_attempts,
            policy(design, "gateway", "retry", "orders").wait_duration) == (5, 0.5)
    assert (policy(design, "gateway", "retry", "inventory").max_attempts,
            policy(design, "gateway", "retry", "inventory").wait_duration) == (3, 0.2)
    assert (policy(design, "gateway", "retry", "payments").max_attempts,
            policy(design, "gateway", "retry", "payments").wait_duration) == (7, 0.3)


def test_export_is_one_services_application_yml(three_tier, tmp_path):
    # Spring merges every document of a file that no profile guards: one file holding api's and
    # cache's documents would give each service the other's instances (and one "db" for both)
    with pytest.raises(InteropError, match=r"choose the caller with --caller \(one of: api, cache\)"):
        export_design(three_tier, "resilience4j")
    text = export_design(three_tier, "resilience4j", "cache").text
    documents = list(yaml.safe_load_all(text))
    assert len(documents) == 1
    assert documents[0]["spring"]["application"]["name"] == "cache"
    modules = documents[0]["resilience4j"]
    assert set(modules) == {"circuitbreaker", "timelimiter"}           # api's retry and bulkhead are not there
    assert modules["circuitbreaker"]["instances"]["db"]["slowCallRateThreshold"] == 100   # cache's, not api's 80
    # the file read back guards cache's calls only, with cache's own values
    bare = three_tier.model_copy(deep=True)
    for i, c in enumerate(bare.components):
        bare.components[i] = c.model_copy(update={"policies": []})
    again = import_files([_write(tmp_path, text)], bare).design
    for kind in ("circuit_breaker", "timeout"):
        sent = effective_policy(three_tier, three_tier.component("cache"), "db", kind)
        assert policy(again, "cache", kind, "db").model_dump(exclude={"id", "scope"}) == \
            sent.model_dump(exclude={"id", "scope"})
    assert again.component("api").policies == []


def test_a_caller_with_nothing_to_write_is_refused_and_a_lone_caller_needs_no_name(three_tier, shop):
    with pytest.raises(InteropError) as caught:
        export_design(three_tier, "resilience4j", "db")
    assert str(caught.value) == ('--caller: "db" has no caller-side policy, and calls no component with a rate '
                                 "limiter, to export")
    design = import_files([FIXTURES / "gateway.properties"], shop).design
    assert "name: gateway" in export_design(design, "resilience4j").text


def test_a_rate_limiter_counts_for_the_callers_of_its_component_only(three_tier):
    from engine.model import RateLimiterPolicy

    design = three_tier.model_copy(deep=True)
    for i, c in enumerate(design.components):
        if c.name in ("api", "cache"):
            policies = [RateLimiterPolicy(limit_for_period=50)] if c.name == "api" else []
            design.components[i] = c.model_copy(update={"policies": policies})
    # api's limiter guards the calls into api: lb's file holds it, and api, whose own calls meet
    # no policy, has none to write
    assert callers_to_export(design, "resilience4j") == ["lb"]
    assert "limitForPeriod: 50" in export_design(design, "resilience4j").text


def test_a_mapped_line_says_where_a_value_set_elsewhere_came_from(three_tier, tmp_path):
    """The line pointed at the instance, where maxAttempts read 3; the profile's document set 5, and
    waitDuration came from configs.default, neither of them on the line shown."""
    path = tmp_path / "application.yml"
    path.write_text("spring:\n  profiles:\n    active: prod\nresilience4j:\n  retry:\n    configs:\n      default:\n"
                    "        waitDuration: 200ms\n    instances:\n      db:\n        maxAttempts: 3\n"
                    "        enableExponentialBackoff: false\n---\nspring:\n  config:\n    activate:\n"
                    "      on-profile: prod\nresilience4j:\n  retry:\n    instances:\n      db:\n"
                    "        maxAttempts: 5\n")
    result = import_files([path], three_tier, caller="api")
    assert ("application.yml:11: retry db -> retry on api -> db (waitDuration 200ms from line 8, maxAttempts 5 "
            "from line 22, enableExponentialBackoff false)") in preview_text(result.notes)
