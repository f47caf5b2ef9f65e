"""docker-compose files and Kubernetes manifests become components, links and clients."""
from __future__ import annotations

import pytest
from interop_support import FIXTURES

from app.cli import main as cli_main
from app.interop import InteropError, import_files, preview_text
from engine.model import parse_design


def test_compose_services_become_components_with_replicas_and_calls():
    result = import_files([FIXTURES / "shop-compose.yml"])
    design = result.design
    kinds = {c.name: c.kind for c in design.components}
    assert kinds == {"proxy": "load_balancer", "web": "service", "orders": "service", "orders-db": "database",
                     "carts": "cache", "events": "queue", "proxy users": "client"}
    assert design.component("web").instances == 3
    assert design.component("orders").instances == 2            # ${ORDERS_REPLICAS:-2}
    assert {l.name for l in design.links} == {"proxy users -> proxy", "proxy -> web", "web -> orders",
                                              "web -> carts", "orders -> orders-db", "orders -> events"}
    assert design.component("carts").hit_ratio == 1.0         # no store behind it in the file
    text = preview_text(result.notes)
    assert "shop-compose.yml:28: service loadtest runs only with the profile(s) test; left out" in text
    assert "service web: resource limits" in text
    assert design.problems() == []


def test_kubernetes_workloads_services_and_autoscalers():
    result = import_files([FIXTURES / "shop-k8s.yaml"])
    design = result.design
    assert design.component("orders").instances == 4             # the autoscaler's minimum
    assert design.component("orders-db").kind == "database"
    assert {l.name for l in design.links} == {"web users -> web", "web -> orders", "web -> orders-db",
                                              "orders -> orders-db"}
    text = preview_text(result.notes)
    scaler = design.component("orders").autoscaling
    assert (scaler.enabled, scaler.min_replicas, scaler.max_replicas, scaler.target_utilization) == (True, 4, 12, 80.0)
    assert "HorizontalPodAutoscaler orders -> autoscaling of orders from 4 instances, 4 to 12" in text
    assert design.problems() == []


def test_a_topology_is_refined_by_the_policy_files_given_with_it(tmp_path):
    policies = tmp_path / "application.yml"
    policies.write_text("spring.application.name: web\n"
                        "resilience4j.timelimiter.instances.orders.timeoutDuration: 300ms\n")
    result = import_files([policies, FIXTURES / "shop-compose.yml"])     # the topology is read first
    timeout = next(p for p in result.design.component("web").policies if p.kind == "timeout")
    assert (result.design.name_of(timeout.scope), timeout.timeout) == ("orders", 0.3)


def test_a_topology_is_not_merged_into_a_design(shop):
    with pytest.raises(InteropError, match="describes a whole system; import it without a design"):
        import_files([FIXTURES / "shop-compose.yml"], shop)


def test_autoscaler_alone_says_what_to_import_with_it(tmp_path):
    path = tmp_path / "hpa.yaml"
    path.write_text("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
                    "spec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}\n")
    with pytest.raises(InteropError, match="it autoscales web: import it with the manifest that defines it"):
        import_files([path])


def test_the_cli_writes_a_laid_out_design(tmp_path, capsys):
    out = tmp_path / "shop.json"
    assert cli_main(["import", str(FIXTURES / "shop-k8s.yaml"), "--out", str(out)]) == 0
    design = parse_design(out.read_text())
    spots = {(c.position.x, c.position.y) for c in design.components}
    assert len(spots) == len(design.components)
    column = {c.name: c.position.x for c in design.components}
    assert column["web users"] < column["web"] < column["orders"] < column["orders-db"]   # callers left of callees


def test_an_autoscaling_v2_hpa_brings_its_target_and_windows(tmp_path):
    path = tmp_path / "k8s.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n"
        "  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: shop/api}]\n"
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 2\n  maxReplicas: 9\n"
        "  metrics:\n  - type: Resource\n"
        "    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}\n"
        "  - type: Pods\n    pods: {metric: {name: rps}}\n"
        "  behavior:\n    scaleDown: {stabilizationWindowSeconds: 120}\n")
    result = import_files([path])
    api = result.design.component("api")
    assert api.instances == 2                                     # raised to the autoscaler's minimum
    a = api.autoscaling
    assert (a.min_replicas, a.max_replicas, a.target_utilization, a.scale_down_stabilization) == (2, 9, 60.0, 120.0)
    assert "metric 2 (Pods) is not modelled" in preview_text(result.notes)
