"""Compose files and Kubernetes manifests as architects keep them: split over files and folders,
wired by environment variables, links, ConfigMaps and proxy labels; and the ways they go wrong."""
from __future__ import annotations

import pytest
from interop_support import FIXTURES, links_of

from app.cli import main as cli_main
from app.interop import InteropError, import_files, preview_text
from engine.model import parse_design

TOPOLOGY = FIXTURES / "topology"
K8S = TOPOLOGY / "k8s"


def compose(tmp_path, text: str, name: str = "docker-compose.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- Kubernetes manifests over several files ----------------------------------------------------------

def test_manifests_split_over_files_are_one_system():
    """kubectl apply -f k8s/*.yaml: the Deployment, its Service, its ConfigMap and its autoscaler
    in different files make one design, named after their namespace."""
    files = sorted(K8S.glob("*.yaml"))
    design = import_files(files).design
    assert design.name == "shop"
    assert {c.name for c in design.components} == {"web", "api", "postgres", "redis", "kafka", "worker", "web users"}
    assert design.component("api").instances == 3                    # no replicas; the autoscaler's minimum
    assert design.component("api").autoscaling.max_replicas == 10    # from api.yaml's HPA
    assert design.component("worker").autoscaling.target_utilization == 60.0   # autoscaling/v1
    assert "web users -> web" in links_of(design)                    # the Ingress exposes web
    assert design.problems() == []


def test_a_folder_of_manifests_reads_as_its_files(tmp_path):
    assert links_of(import_files([K8S]).design) == links_of(import_files(sorted(K8S.glob("*.yaml"))).design)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InteropError, match=r"^empty: is a folder, not a file, with no \.yaml, \.yml or \.json file"):
        import_files([tmp_path / "empty"])


def test_the_cli_imports_a_folder_of_manifests(tmp_path, capsys):
    out = tmp_path / "shop.json"
    assert cli_main(["import", str(K8S), "--out", str(out)]) == 0
    assert parse_design(out.read_text()).component("postgres").kind == "database"
    assert 'design "shop"' in capsys.readouterr().out


def test_configmap_environment_names_the_services_called():
    """api takes DATABASE_URL, REDIS_HOST and KAFKA_BROKERS from its ConfigMap (envFrom)."""
    result = import_files([K8S])
    assert {"api -> postgres", "api -> redis", "api -> kafka"} <= links_of(result.design)
    text = preview_text(result.notes)
    # web's ConfigMap is not among the files: said, not guessed
    assert "web.yaml:4: web takes environment values from ConfigMap web-config, which these files do not " \
           "define" in text


def test_a_configmap_key_reference_names_one_value(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: api\n        image: shop/api\n        env:\n"
        "        - name: DB_HOST\n          valueFrom: {configMapKeyRef: {name: hosts, key: db}}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hosts}\ndata: {db: orders-db, cache: cache}\n"
        "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: orders-db}\nspec:\n  template:\n"
        "    spec: {containers: [{name: pg, image: 'postgres:16'}]}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cache}\nspec:\n  template:\n"
        "    spec: {containers: [{name: r, image: 'redis:7'}]}\n")
    links = links_of(import_files([path]).design)
    assert "api -> orders-db" in links and "api -> cache" not in links   # the key it names, not the whole map


def test_list_items_are_named_by_their_own_line():
    text = preview_text(import_files([K8S]).notes)
    assert "data.yaml:6: postgres -> database (postgres:16), 1 instance" in text
    assert "data.yaml:25: redis -> cache (bitnami/redis:7.2), 3 instances" in text
    assert "data.yaml:40: kafka -> queue (bitnami/kafka:3.7), 3 instances" in text


def test_an_hpa_metric_left_out_is_named_with_its_resource():
    text = preview_text(import_files([K8S]).notes)
    assert "HorizontalPodAutoscaler api: metric 2 (Resource memory) is not modelled" in text


def test_a_workload_name_used_twice_is_said_not_overwritten(tmp_path):
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api, namespace: {ns}}}\nspec:\n"
                  "  replicas: {n}\n  template:\n    spec: {{containers: [{{name: api, image: shop/api}}]}}\n")
    (tmp_path / "a.yaml").write_text(deployment.format(ns="shop", n=2))
    (tmp_path / "b.yaml").write_text(deployment.format(ns="payments", n=5))
    result = import_files([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert result.design.component("api").instances == 2
    assert "b.yaml:3: Deployment api: a second workload of this name" in preview_text(result.notes)


# -- what kubectl and helm would refuse ---------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
     "m.yaml:4: Deployment api has no spec.template, the pods it runs"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n",
     "m.yaml:4: Deployment api has no spec.template"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template: {spec: {containers: []}}\n",
     "m.yaml:3: Deployment api has no containers in spec.template.spec"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {labels: {app: a}}\nspec:\n"
     "  template: {spec: {containers: [{name: a, image: x}]}}\n",
     "m.yaml:3: this Deployment has no metadata.name"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: {{ .Values.replicaCount }}\n"
     "  template: {spec: {containers: [{name: a, image: x}]}}\n",
     r"m.yaml:5: not valid YAML: a key that is itself a map or a list \(column 14\): this is a Helm or Go template"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  labels:\n"
     "    {{- include \"shop.labels\" . | nindent 4 }}\nspec: {}\n",
     "m.yaml:6: not valid YAML: .*this is a Helm or Go template .*render it first \\(helm template\\)"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: \"{{ .Values.n }}\"\n"
     "  template: {spec: {containers: [{name: a, image: x}]}}\n",
     "m.yaml:5: Deployment api spec.replicas is a Helm or Go template"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"{{ .Release.Name }}-api\"}\nspec:\n"
     "  template: {spec: {containers: [{name: a, image: x}]}}\n",
     "m.yaml:3: the name '{{ .Release.Name }}-api' is a Helm or Go template"),
])
def test_a_manifest_kubernetes_or_helm_would_refuse_is_refused_naming_line_and_cause(tmp_path, capsys, text,
                                                                                     message):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(InteropError, match=message):
        import_files([path])
    assert cli_main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: m.yaml:") and "Traceback" not in err


# -- compose ------------------------------------------------------------------------------------------

def test_the_compose_stack_runs_end_to_end():
    """links, environment variables that name services, extends and queue consumers make every
    service of the stack part of the flow."""
    result = import_files([TOPOLOGY / "shop-stack.yml"])
    design = result.design
    assert design.name == "shop"                                        # compose's project name
    assert links_of(design) == {
        "gateway users -> gateway", "gateway -> web",                   # links: [web]
        "web -> api", "api -> db", "api -> cache", "api -> broker",
        "api -> kafka",                                                 # KAFKA_BOOTSTRAP_SERVERS: kafka:9092
        "broker -> worker", "kafka -> worker", "broker -> mailer",      # the consumers
        "worker -> db", "worker -> cache",                              # its environment, from api by extends
    }
    assert design.component("gateway").kind == "load_balancer"
    assert design.problems() == []


def test_links_are_calls_and_their_aliases_addresses(tmp_path):
    path = compose(tmp_path, "services:\n  proxy:\n    image: nginx:1.27\n    ports: ['80:80']\n"
                             "    links: [web]\n  web:\n    image: shop/web\n    links: ['orders-db:database']\n"
                             "    environment: [DB_URL=postgres://database:5432/orders]\n"
                             "  orders-db:\n    image: postgres:16\n")
    design = import_files([path]).design
    assert links_of(design) == {"proxy users -> proxy", "proxy -> web", "web -> orders-db"}
    assert design.component("proxy").kind == "load_balancer"


def test_environment_naming_a_service_is_a_call_and_a_word_among_others_is_not(tmp_path):
    path = compose(tmp_path, "services:\n  api:\n    image: shop/api\n    ports: ['8080:8080']\n"
                             "    environment:\n      DATABASE_URL: postgres://shop:pw@db:5432/shop\n"
                             "      REDIS_HOST: cache\n      ROLES: controller,broker\n"
                             "  db: {image: 'postgres:16'}\n  cache: {image: 'redis:7'}\n"
                             "  broker: {image: 'rabbitmq:3.13'}\n")
    result = import_files([path])
    assert links_of(result.design) == {"api users -> api", "api -> db", "api -> cache"}
    text = preview_text(result.notes)
    assert "calls were also read from environment variables and commands that name another service " \
           "(api -> db, api -> cache)" in text
    assert "broker: nothing in these files calls it and it publishes no port, so it gets no requests" in text


def test_an_argument_that_mentions_a_service_among_others_is_no_call_in_kubernetes_either(tmp_path):
    path = tmp_path / "kafka.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: kafka}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: kafka\n        image: bitnami/kafka:3.7\n"
        "        env: [{name: KAFKA_CFG_PROCESS_ROLES, value: 'controller,broker'}]\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broker}\nspec:\n  template:\n"
        "    spec: {containers: [{name: b, image: shop/broker}]}\n")
    assert not any(link.name == "kafka -> broker" for link in import_files([path]).design.links)


def test_extends_brings_the_base_services_image_and_environment_not_its_dependencies():
    result = import_files([TOPOLOGY / "shop-stack.yml"])
    text = preview_text(result.notes)
    assert "worker -> service (ghcr.io/shop/api:latest), 2 instances" in text
    assert "service worker: resource limits (cpus 1.0, memory 512M)" in text     # deploy merged
    assert "worker -> web" not in links_of(result.design)


def test_extends_of_a_missing_service_or_a_loop_is_refused(tmp_path):
    path = compose(tmp_path, "services:\n  a:\n    image: x\n    extends: {service: b}\n")
    with pytest.raises(InteropError, match=r"docker-compose.yml:4: services.a.extends names the service 'b'"):
        import_files([path])
    path = compose(tmp_path, "services:\n  a:\n    extends: b\n  b:\n    extends: a\n")
    with pytest.raises(InteropError, match=r"docker-compose.yml:5: services.b.extends makes a loop \(a -> b -> a\)"):
        import_files([path])


def test_a_service_that_only_uses_a_queue_consumes_it(tmp_path):
    path = compose(tmp_path, "services:\n  api:\n    image: shop/api\n    ports: ['80:8080']\n"
                             "    depends_on: [queue]\n  queue:\n    image: rabbitmq:3.13\n"
                             "  worker:\n    image: shop/worker\n    depends_on: [queue]\n")
    result = import_files([path])
    assert links_of(result.design) == {"api users -> api", "api -> queue", "queue -> worker"}
    assert "queue -> worker: worker consumes queue's messages (nothing calls worker and it publishes no port)" \
        in preview_text(result.notes)


def test_traefik_routes_to_the_services_its_labels_name(tmp_path):
    design = import_files([TOPOLOGY / "traefik-labels.yml"]).design
    assert links_of(design) == {"traefik users -> traefik", "traefik -> whoami", "traefik -> shop",
                                "shop -> redis"}
    assert design.component("traefik").kind == "load_balancer"
    assert design.component("whoami").kind == "service"        # traefik/whoami is no proxy


def test_tools_named_after_a_store_are_services(tmp_path):
    """An exporter, an admin UI or a migration job is named after its store, but is none."""
    images = {"redis-exporter": "oliver006/redis_exporter:v1.62", "kafka-ui": "provectuslabs/kafka-ui:latest",
              "orders-db-migrations": "flyway/flyway:10", "whoami": "traefik/whoami",
              "edge": "envoyproxy/envoy:v1.30-latest", "events": "confluentinc/cp-kafka:7.6.1",
              "orders-db": "postgres:16"}
    path = compose(tmp_path, "services:\n" + "".join(f"  {name}: {{image: '{image}', depends_on: [api]}}\n"
                                                     for name, image in images.items()) + "  api: {image: shop/api}\n")
    kinds = {c.name: c.kind for c in import_files([path]).design.components if c.name in images}
    assert kinds == {"redis-exporter": "service", "kafka-ui": "service", "orders-db-migrations": "service",
                     "whoami": "service", "edge": "load_balancer", "events": "queue", "orders-db": "database"}


def test_interpolated_images_and_limits_read_as_compose_runs_them():
    text = preview_text(import_files([TOPOLOGY / "shop-stack.yml"]).notes)
    assert "web -> service (ghcr.io/shop/web:2.3.1), 2 instances" in text        # ${REGISTRY:-...}, ${WEB_TAG:-...}
    assert "service api: resource limits (cpus 1.0, memory 512M) are not modelled" in text
    assert "{'cpus'" not in text and "${" not in text


@pytest.mark.parametrize("replicas, message", [
    ("${WEB_REPLICAS}", r"services.web replicas is \$\{WEB_REPLICAS\}, which compose fills from the environment"),
    ("${N:?set N}", r"give it a default as a plain run would get it \(\$\{N:-1\}\)"),
])
def test_a_replica_count_left_to_the_environment_says_so(tmp_path, replicas, message):
    path = compose(tmp_path, f"services:\n  web:\n    image: x\n    deploy:\n      replicas: {replicas}\n")
    with pytest.raises(InteropError, match=message):
        import_files([path])


def test_a_global_service_says_it_runs_one_copy_per_node(tmp_path):
    path = compose(tmp_path, "services:\n  agent:\n    image: x\n    deploy: {mode: global}\n")
    assert "service agent: deploy mode global runs one copy per node; taken as 1 instance" in \
        preview_text(import_files([path]).notes)


def test_a_compose_override_file_is_merged_over_its_base_file(tmp_path, capsys):
    """An override was refused, saying to merge the files with docker compose first."""
    base = compose(tmp_path, "services:\n  web: {image: x}\n")
    override = compose(tmp_path, "services:\n  web: {deploy: {replicas: 3}}\n", "docker-compose.override.yml")
    out = tmp_path / "merged.json"
    assert cli_main(["import", str(override), str(base), "--out", str(out)]) == 0
    assert "-f docker-compose.yml -f docker-compose.override.yml" in capsys.readouterr().out
    design = parse_design(out.read_text())
    assert design.component("web").instances == 3


# -- the window ---------------------------------------------------------------------------------------

def test_the_imported_design_is_shown_whole_on_the_canvas(window, qtbot):
    from app.interop_dialog import ImportConfigurationDialog, apply_import

    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    window.view.set_zoom(1.0)   # the example as the user left it, zoomed in
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-compose.yml"], window)
    qtbot.addWidget(dialog)
    assert apply_import(window, dialog.import_result, dialog.makes_new_design)
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.view.canvas.nodes_rect())
