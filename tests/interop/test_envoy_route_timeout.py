"""An Envoy route's ``timeout`` bounds the whole request, every retry included (15 s when it is not
written), while ``retry_policy.per_try_timeout`` bounds each attempt: the first is a deadline
policy around the retries, the second a timeout on each attempt; and both go back out."""
from __future__ import annotations

import yaml
from interop_support import policy

from app.interop import export_design, import_files, preview_text
from app.interop.notes import Target
from app.interop.placing import put_policy
from engine.model import DeadlinePolicy, RetryPolicy, TimeoutPolicy

ROUTE = """\
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


def imported(tmp_path, shop, text: str, name: str = "routes.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return import_files([path], shop, fmt="envoy" if "virtual_hosts" in text else None)


def kinds_on(design, owner: str) -> set[str]:
    return {p.kind for p in design.component(owner).policies}


def test_the_route_timeout_is_a_deadline_over_every_attempt(tmp_path, shop):
    result = imported(tmp_path, shop, ROUTE)
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 3.0
    assert policy(result.design, "gateway", "timeout", "orders").timeout == 1.0      # each attempt
    assert policy(result.design, "gateway", "retry", "orders").max_attempts == 4
    text = preview_text(result.notes)
    assert "orders -> deadline on gateway -> orders (timeout 3s, over every attempt)" in text
    assert "orders -> timeout on gateway -> orders (per_try_timeout 1s)" in text
    assert ("route to orders: the route timeout of 3 s bounds the whole call, every retry included: a deadline in "
            "Faultline, which also hands what is left of it to the callee's own calls") in text
    assert "not modelled" not in text
    assert result.design.problems() == []


def test_envoy_s_default_of_15_s_bounds_retries_when_no_timeout_is_written(tmp_path, shop):
    result = imported(tmp_path, shop, ROUTE.replace("      timeout: 3s\n", ""))
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 15.0
    text = preview_text(result.notes)
    assert "orders -> deadline on gateway -> orders (Envoy's default timeout 15s, over every attempt)" in text
    assert "Envoy's default route timeout of 15 s bounds the whole call, every retry included" in text


def test_without_per_try_timeout_each_attempt_has_what_is_left(tmp_path, shop):
    design = imported(tmp_path, shop, ROUTE.replace(", per_try_timeout: 1s", "")).design
    assert policy(design, "gateway", "deadline", "orders").deadline == 3.0
    assert "timeout" not in kinds_on(design, "gateway")   # Envoy bounds each attempt by the time left only


def test_a_route_timeout_of_0s_bounds_nothing_over_the_retries(tmp_path, shop):
    design = imported(tmp_path, shop, ROUTE.replace("timeout: 3s", "timeout: 0s")).design
    assert "deadline" not in kinds_on(design, "gateway")
    assert policy(design, "gateway", "timeout", "orders").timeout == 1.0


def test_a_call_made_once_keeps_one_timeout(tmp_path, shop):
    once = ROUTE.replace('retry_policy: {retry_on: "5xx", num_retries: 3, per_try_timeout: 1s}',
                         "retry_policy: {num_retries: 0, retry_on: 5xx, per_try_timeout: 5s}")
    design = imported(tmp_path, shop, once).design
    assert "deadline" not in kinds_on(design, "gateway")
    assert policy(design, "gateway", "timeout", "orders").timeout == 3.0   # the earlier of the two bounds
    plain = imported(tmp_path, shop, ROUTE.replace('      retry_policy: {retry_on: "5xx", num_retries: 3, '
                                                   'per_try_timeout: 1s}\n', ""), "plain.yaml").design
    assert kinds_on(plain, "gateway") == {"timeout"}


def test_the_deadline_goes_back_out_as_the_route_timeout(tmp_path, shop):
    exported = export_design(imported(tmp_path, shop, ROUTE).design, "envoy", "gateway")
    tree = yaml.safe_load(exported.text)
    routes = tree["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    action = next(vh for vh in routes["route_config"]["virtual_hosts"] if vh["name"] == "orders")["routes"][0]["route"]
    assert action["timeout"] == "3s" and action["retry_policy"]["per_try_timeout"] == "1s"
    assert "gateway -> orders: the deadline of 3s bounds the route timeout, which covers every attempt" \
        in exported.text
    again = tmp_path / "sidecar.yaml"
    again.write_text(exported.text)
    back = import_files([again], shop, fmt="envoy").design
    assert policy(back, "gateway", "deadline", "orders").deadline == 3.0
    assert policy(back, "gateway", "timeout", "orders").timeout == 1.0


def test_export_writes_the_bound_the_design_has(shop):
    design = shop.model_copy(deep=True)
    call = Target("gateway", "orders")
    put_policy(design, call, TimeoutPolicy(timeout=2.0))
    put_policy(design, call, RetryPolicy(max_attempts=3))
    # retries without a deadline: no bound over them, so Envoy's 15 s default is turned off
    assert "timeout: 0s" in export_design(design, "envoy", "gateway").text
    put_policy(design, call, DeadlinePolicy(deadline=4.0))
    assert "timeout: 4s" in export_design(design, "envoy", "gateway").text
    once = shop.model_copy(deep=True)
    put_policy(once, call, TimeoutPolicy(timeout=2.0))
    put_policy(once, call, DeadlinePolicy(deadline=4.0))
    assert "timeout: 2s" in export_design(once, "envoy", "gateway").text   # one attempt: the earlier bound


def test_an_istio_route_timeout_over_retries_is_a_deadline_too(tmp_path, shop):
    service = ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: orders}\nspec:\n"
               "  hosts: [orders]\n  http:\n  - route:\n    - destination: {host: orders}\n    timeout: 3s\n"
               "    retries: {attempts: 2, perTryTimeout: 800ms, retryOn: 5xx}\n")
    result = imported(tmp_path, shop, service, "vs.yaml")
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 3.0
    assert policy(result.design, "gateway", "timeout", "orders").timeout == 0.8
    assert "orders -> deadline on gateway -> orders (timeout 3s, over every attempt)" in preview_text(result.notes)
    text = export_design(result.design, "istio").text
    assert "timeout: 3000ms" in text and "perTryTimeout: 800ms" in text
