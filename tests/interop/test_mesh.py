"""Envoy clusters and routes, Istio DestinationRule and VirtualService: in and out."""
from __future__ import annotations

import pytest
import yaml
from interop_support import FIXTURES, policy

import engine.model as m
from app.interop import InteropError, detect_format, export_design, import_files, preview_text
from engine.model import EnvoyRetryBudget


def test_istio_rules_map_to_the_calls_into_the_host(shop):
    assert detect_format(FIXTURES / "orders-mesh.yaml") == "istio"
    result = import_files([FIXTURES / "orders-mesh.yaml"], shop)
    bulkhead = policy(result.design, "gateway", "bulkhead", "orders")
    assert bulkhead.max_concurrent_calls == 30            # the lower of 40 connections and 30 requests
    retry = policy(result.design, "gateway", "retry", "orders")
    assert retry.max_attempts == 4                        # attempts counts retries; Faultline counts the first call
    assert sorted(retry.retry_on) == ["error", "timeout", "unavailable"]
    assert policy(result.design, "gateway", "timeout", "orders").timeout == 0.8   # per try
    text = preview_text(result.notes)
    outlier = policy(result.design, "gateway", "outlier_detection", "orders")
    assert (outlier.consecutive_5xx, outlier.interval, outlier.base_ejection_time) == (5, 10.0, 30.0)
    assert outlier.enforcing_success_rate == 0.0            # Istio turns success-rate ejection off
    assert ("orders-mesh.yaml:16: DestinationRule orders: outlierDetection as Istio configures Envoy" in text)
    assert "the 10 pending requests queued for a connection are not" in text
    assert policy(result.design, "gateway", "deadline", "orders").deadline == 3.0   # the route's, over every attempt
    assert "timeout 3 s bounds the whole call, every retry included: a deadline in Faultline" in text
    assert "-> retry on gateway -> orders (attempts 3, perTryTimeout 800ms, retryOn 5xx,reset)" in text
    assert ("-> bulkhead on gateway -> orders (tcp.maxConnections 40, http.http2MaxRequests 30, "
            "http.http1MaxPendingRequests 10)") in text
    assert result.design.problems() == []


def test_istio_defaults_apply_where_a_route_says_nothing(shop, tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: orders}\n"
                    "spec:\n  hosts: [orders]\n  http:\n  - route:\n    - destination: {host: orders}\n")
    result = import_files([path], shop)
    retry = policy(result.design, "gateway", "retry", "orders")
    assert retry.max_attempts == 3 and retry.retry_on == ["unavailable"]
    assert "Istio's default applies (2 retries" in preview_text(result.notes)
    assert "-> retry on gateway -> orders (Istio's default attempts 2, retryOn " in preview_text(result.notes)


def test_envoy_cluster_and_route_map_with_their_budget(shop):
    assert detect_format(FIXTURES / "inventory-envoy.yaml") == "envoy"
    result = import_files([FIXTURES / "inventory-envoy.yaml"], shop)
    assert policy(result.design, "gateway", "bulkhead", "inventory").max_concurrent_calls == 20
    retry = policy(result.design, "gateway", "retry", "inventory")
    assert (retry.max_attempts, retry.wait_duration, retry.max_wait_duration, retry.jitter) == (3, 0.05, 0.5, "full")
    assert sorted(retry.retry_on) == ["timeout", "unavailable"]
    assert retry.budget == EnvoyRetryBudget(budget_percent=25.0, min_retry_concurrency=2)
    assert policy(result.design, "gateway", "timeout", "inventory").timeout == 0.4
    text = preview_text(result.notes)
    assert "inventory-envoy.yaml:7: cluster inventory: connect_timeout" in text
    # each mapped line says what the file set, as the Resilience4j lines do
    assert "inventory -> bulkhead on gateway -> inventory (max_requests 20, max_connections 64)" in text
    assert ("inventory -> retry on gateway -> inventory (retry_on gateway-error,retriable-status-codes, "
            "retriable_status_codes 503, num_retries 2, per_try_timeout 0.4s, retry_back_off.base_interval 0.05s, "
            "retry_back_off.max_interval 0.5s)") in text
    assert "inventory -> timeout on gateway -> inventory (per_try_timeout 0.4s)" in text


def test_envoy_outlier_detection_becomes_the_policy_with_envoys_defaults(shop, tmp_path):
    path = tmp_path / "clusters.yaml"
    path.write_text("- name: inventory\n  outlier_detection:\n    consecutive_5xx: 3\n    interval: 5s\n"
                    "    base_ejection_time: {seconds: 20}\n    max_ejection_percent: {value: 50}\n"
                    "    enforcing_failure_percentage: 100\n    max_ejection_time_jitter: 1s\n")
    result = import_files([path], shop, fmt="envoy")
    outlier = policy(result.design, "gateway", "outlier_detection", "inventory")
    assert (outlier.consecutive_5xx, outlier.interval, outlier.base_ejection_time) == (3, 5.0, 20.0)
    assert (outlier.max_ejection_percent, outlier.enforcing_failure_percentage) == (50.0, 100.0)
    assert (outlier.consecutive_gateway_failure, outlier.enforcing_consecutive_gateway_failure) == (5, 0.0)
    assert "max_ejection_time_jitter is not modelled" in preview_text(result.notes)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: inventory\n  outlier_detection:\n    base_ejection_time: 60s\n"
                   "    max_ejection_time: 30s\n")
    with pytest.raises(InteropError, match="max_ejection_time cannot be shorter"):
        import_files([bad], shop, fmt="envoy")


def test_outlier_detection_goes_out_to_envoy_and_comes_back_the_same(shop, tmp_path):
    from app.interop.notes import Target
    from app.interop.placing import put_policy

    design = shop.model_copy(deep=True)
    sent = m.OutlierDetectionPolicy(consecutive_5xx=3, base_ejection_time=20.0, max_ejection_percent=50.0,
                                    enforcing_failure_percentage=100.0)
    assert put_policy(design, Target("gateway", "inventory"), sent) is None
    text = export_design(design, "envoy", "gateway").text
    assert "outlier_detection:" in text and "consecutive_5xx: 3" in text
    path = tmp_path / "sidecar.yaml"
    path.write_text(text)
    back = policy(import_files([path], shop, fmt="envoy").design, "gateway", "outlier_detection", "inventory")
    assert back.model_dump(exclude={"id", "scope"}) == sent.model_dump(exclude={"id", "scope"})


def test_camel_case_protojson_names_read_the_same(shop, tmp_path):
    path = tmp_path / "clusters.yaml"
    path.write_text("- name: inventory\n  connectTimeout: 1s\n  circuitBreakers:\n    thresholds:\n"
                    "    - maxRequests: 7\n      maxConnections: 9\n")
    result = import_files([path], shop, fmt="envoy")
    assert policy(result.design, "gateway", "bulkhead", "inventory").max_concurrent_calls == 7


def test_bad_mesh_durations_are_refused_with_the_line(shop, tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: o}\nspec:\n"
                    "  http:\n  - route:\n    - destination: {host: orders}\n    timeout: soon\n")
    with pytest.raises(InteropError, match=r"vs.yaml:8: VirtualService route to orders timeout must be a duration"):
        import_files([path], shop)


def test_istio_export_round_trips(shop, tmp_path):
    imported = import_files([FIXTURES / "orders-mesh.yaml"], shop).design
    exported = export_design(imported, "istio")
    assert "kind: DestinationRule" in exported.text and "http2MaxRequests: 30" in exported.text
    assert "perTryTimeout: 800ms" in exported.text and "attempts: 3" in exported.text
    path = tmp_path / "exported.yaml"
    path.write_text(exported.text)
    again = import_files([path], shop).design
    for kind in ("bulkhead", "timeout"):
        assert policy(again, "gateway", kind, "orders").model_dump(exclude={"id"}) == \
            policy(imported, "gateway", kind, "orders").model_dump(exclude={"id"})
    assert policy(again, "gateway", "retry", "orders").max_attempts == 4


def test_envoy_export_round_trips_through_the_sidecar_resources(shop, tmp_path):
    imported = import_files([FIXTURES / "inventory-envoy.yaml"], shop).design
    exported = export_design(imported, "envoy", "gateway")
    path = tmp_path / "exported.yaml"
    path.write_text(exported.text)
    again = import_files([path], shop).design
    for kind in ("bulkhead", "retry", "timeout"):
        assert policy(again, "gateway", kind, "inventory").model_dump(exclude={"id"}) == \
            policy(imported, "gateway", kind, "inventory").model_dump(exclude={"id"})


def test_export_names_the_breaker_istio_cannot_express(three_tier):
    exported = export_design(three_tier, "istio")
    assert any("the circuit breaker policy (failure rate 50 % over 50) has no Istio equivalent" in n
               for n in exported.notes)


def _bare(design):
    design = design.model_copy(deep=True)
    for i, c in enumerate(design.components):
        design.components[i] = c.model_copy(update={"policies": []})
    return design


def test_envoy_export_is_a_bootstrap_envoy_loads(three_tier):
    # a file-based xDS "resources:" list holds one resource type, so routes and clusters in one
    # list load as neither; a bootstrap's static_resources holds both
    text = export_design(three_tier, "envoy", "api").text
    data = yaml.safe_load(text)
    assert set(data) == {"node", "static_resources"}
    static = data["static_resources"]
    [listener] = static["listeners"]
    assert listener["address"] == {"socket_address": {"address": "127.0.0.1", "port_value": 15001}}
    [chain] = listener["filter_chains"]
    [manager] = chain["filters"]
    assert manager["name"] == "envoy.filters.network.http_connection_manager"
    hcm = manager["typed_config"]
    assert hcm["@type"] == ("type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
                            "HttpConnectionManager")
    assert hcm["stat_prefix"] == "api_outbound"
    assert hcm["http_filters"] == [{"name": "envoy.filters.http.router", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]
    hosts = {host["name"]: host for host in hcm["route_config"]["virtual_hosts"]}
    assert set(hosts) == {"cache", "db"}
    assert hosts["db"]["domains"] == ["db", "db:*"]
    assert hosts["db"]["routes"] == [{"match": {"prefix": "/"}, "route": {"cluster": "db", "timeout": "0.5s"}}]
    clusters = {cluster["name"]: cluster for cluster in static["clusters"]}
    assert set(clusters) == {"cache", "db"}
    for name, cluster in clusters.items():
        assert "@type" not in cluster   # a static cluster is typed by its field
        assert cluster["type"] == "STRICT_DNS"
        # without an endpoint a STRICT_DNS cluster loads but answers every call "no healthy upstream"
        assert cluster["load_assignment"] == {"cluster_name": name, "endpoints": [{"lb_endpoints": [{"endpoint": {
            "address": {"socket_address": {"address": name, "port_value": 80}}}}]}]}
    assert clusters["db"]["circuit_breakers"]["thresholds"][0]["max_requests"] == 12
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("127.0.0.1:15001" in line for line in header) and any("port 80" in line for line in header)
    assert any("Adjust the listener and the endpoints" in line for line in header)


def test_envoy_bootstrap_round_trips_every_policy_value(shop, tmp_path):
    from app.interop.notes import Target
    from app.interop.placing import put_policy

    design = import_files([FIXTURES / "inventory-envoy.yaml"], shop).design
    outlier = m.OutlierDetectionPolicy(consecutive_5xx=4, interval=5.0, base_ejection_time=15.0,
                                       max_ejection_percent=30.0, enforcing_consecutive_gateway_failure=50.0)
    assert put_policy(design, Target("gateway", "inventory"), outlier) is None
    path = tmp_path / "envoy.yaml"
    path.write_text(export_design(design, "envoy", "gateway").text)
    assert detect_format(path) == "envoy"
    again = import_files([path], _bare(shop)).design

    def kept(d):
        return {(c.name, p.kind, d.name_of(getattr(p, "scope", None))): p.model_dump(exclude={"id", "scope"})
                for c in d.components for p in c.policies}

    assert kept(again) == kept(design)
    assert policy(again, "gateway", "retry", "inventory").budget is not None


def test_a_resources_list_written_by_earlier_versions_still_imports(three_tier):
    path = FIXTURES / "api-envoy-resources.yaml"
    assert detect_format(path) == "envoy"
    design = import_files([path], _bare(three_tier)).design
    assert policy(design, "api", "bulkhead", "db").max_concurrent_calls == 12
    assert policy(design, "api", "timeout", "db").timeout == 0.5
    retry = policy(design, "api", "retry", "cache")
    assert (retry.max_attempts, retry.wait_duration, retry.max_wait_duration) == (2, 0.02, 0.2)
    assert policy(design, "api", "timeout", "cache").timeout == 0.5


def test_envoy_names_a_component_by_a_dns_name(three_tier):
    from app.interop.mesh import _host

    assert [_host(n) for n in ("db", "Orders DB", "orders_db.v2", "¿?")] == ["db", "orders-db", "orders-db-v2",
                                                                            "upstream"]


def test_istio_names_and_hosts_are_dns_names_and_find_their_component_again(shop, tmp_path):
    """A component called "Orders DB" gave metadata.name and host "Orders DB", which Kubernetes refuses."""
    imported = import_files([FIXTURES / "orders-mesh.yaml"], shop).design
    orders = imported.component("orders")
    renamed = imported.model_copy(update={"components": [
        c.model_copy(update={"name": "Orders DB"}) if c.id == orders.id else c for c in imported.components]})
    exported = export_design(renamed, "istio")
    documents = list(yaml.safe_load_all(exported.text))
    assert {d["metadata"]["name"] for d in documents} == {"orders-db"}
    assert [d["spec"]["host"] for d in documents if d["kind"] == "DestinationRule"] == ["orders-db"]
    assert [d["spec"]["hosts"] for d in documents if d["kind"] == "VirtualService"] == [["orders-db"]]
    path = tmp_path / "exported.yaml"
    path.write_text(exported.text)
    again = import_files([path], renamed).design
    assert policy(again, "gateway", "bulkhead", "Orders DB").model_dump(exclude={"id"}) == \
        policy(renamed, "gateway", "bulkhead", "Orders DB").model_dump(exclude={"id"})


def test_a_sidecars_bootstrap_read_back_changes_only_its_services_calls(three_tier, tmp_path):
    """api's sidecar exported and imported again put api's database bulkhead and timeout on
    cache -> db as well: a cluster named db was taken to guard every caller of db."""
    path = tmp_path / "api-envoy.yaml"
    path.write_text(export_design(three_tier, "envoy", "api").text)
    assert yaml.safe_load(path.read_text())["node"] == {"id": "api-sidecar", "cluster": "api"}
    imported = import_files([path], three_tier)
    assert [p.model_dump(exclude={"id"}) for p in imported.design.component("cache").policies] == \
        [p.model_dump(exclude={"id"}) for p in three_tier.component("cache").policies]
    assert policy(imported.design, "api", "bulkhead", "db").model_dump(exclude={"id"}) == \
        policy(three_tier, "api", "bulkhead", "db").model_dump(exclude={"id"})
    said = preview_text(imported.notes)
    assert "node.cluster api: the proxy beside api, so its settings go on api's calls only" in said


def test_a_node_cluster_naming_no_component_leaves_every_caller_guarded(three_tier, tmp_path):
    tree = yaml.safe_load(export_design(three_tier, "envoy", "api").text)
    tree["node"]["cluster"] = "payments"
    path = tmp_path / "other-envoy.yaml"
    path.write_text(yaml.safe_dump(tree))
    imported = import_files([path], _bare(three_tier))
    assert policy(imported.design, "cache", "bulkhead", "db") is not None
    assert "node.cluster payments names no component" in preview_text(imported.notes)


def test_import_caller_names_whose_files_they_are_in_every_format(three_tier, tmp_path):
    from app.cli import main

    grpc_file = tmp_path / "api.json"
    grpc_file.write_text('{"methodConfig": [{"name": [{}], "timeout": "0.3s"}]}')
    # the catch-all entry of api's channel: every call api makes, and nothing else
    imported = import_files([grpc_file], three_tier, caller="api").design
    assert {c.name for c in imported.components if any(p.kind == "deadline" for p in c.policies)} == {"api"}
    assert {imported.name_of(p.scope) for p in imported.component("api").policies if p.kind == "deadline"} == \
        {"cache", "db"}
    tree = yaml.safe_load(export_design(three_tier, "envoy", "api").text)
    del tree["node"]
    envoy_file = tmp_path / "sidecar.yaml"
    envoy_file.write_text(yaml.safe_dump(tree))
    bare = _bare(three_tier)
    assert _kinds(import_files([envoy_file], bare).design, "cache") == {"bulkhead", "timeout"}
    assert _kinds(import_files([envoy_file], bare, caller="api").design, "cache") == set()
    with pytest.raises(InteropError, match='"db" is no calling component'):
        import_files([envoy_file], bare, caller="db")
    out = tmp_path / "out.json"
    path = tmp_path / "three.json"
    path.write_text(bare.model_dump_json())
    assert main(["import", str(envoy_file), "--into", str(path), "--caller", "api", "--out", str(out)]) == 0
    assert _kinds(m.parse_design(out.read_text()), "cache") == set()
    assert _kinds(m.parse_design(out.read_text()), "api") == {"bulkhead", "retry", "timeout"}


def _kinds(design, owner: str) -> set[str]:
    return {p.kind for p in design.component(owner).policies}


def test_import_caller_places_an_application_yml_that_names_no_application(three_tier, tmp_path):
    config = tmp_path / "application.yml"
    config.write_text("resilience4j.bulkhead.instances.db.maxConcurrentCalls: 7\n")
    bare = _bare(three_tier)
    everyone = import_files([config], bare).design
    assert _kinds(everyone, "api") == _kinds(everyone, "cache") == {"bulkhead"}
    only_cache = import_files([config], bare, caller="cache").design
    assert (_kinds(only_cache, "api"), _kinds(only_cache, "cache")) == (set(), {"bulkhead"})
