"""docker compose's merge tags (!reset, !override), compose files of several YAML documents, and the
kinds guessed for coordination stores. The semantics are compose-go's loader: a tagged setting of the
files and documents before is dropped, a !reset value is read as never written, an !override value
takes the place of the earlier one whole; documents separated by --- merge in order, as files do."""
from __future__ import annotations

import pytest
from interop_support import FIXTURES, compose_imported, links_of

from app.interop import InteropError, detect_format, import_files, preview_text, read_documents, topology
from app.interop.notes import ImportResult
from engine.model import Design

TAGS = FIXTURES / "topology" / "tags"


def merged(*paths) -> dict:
    docs = [doc for path in paths for doc in read_documents(path)]
    return topology.compose_document(docs, ImportResult(Design())).data


def written(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_override_s_tags_reset_and_replace_the_base_s_settings():
    result = compose_imported(TAGS / "compose.override.yaml", TAGS / "compose.yaml")
    design = result.design
    names = {c.name for c in design.components}
    assert "search" not in names                       # the whole service reset
    assert "api users" not in names                    # ports: !reset [] -> the api publishes nothing
    assert design.component("api").instances == 5
    # environment: !override drops the base's CACHE_HOST, so the api no longer calls the cache
    assert "api -> db" in links_of(design) and "api -> cache" not in links_of(design)
    text = preview_text(result.notes)
    assert "resource limits" not in text               # deploy: !override replaced the base's deploy whole
    assert ("compose.override.yaml:2: compose.override.yaml merged over the files before it: changes api (ports, "
            "environment, deploy); replaces whole services.api.deploy (!override); replaces whole "
            "services.api.environment (!override); resets services.api.ports (!reset); resets services.search "
            "(!reset)") in text
    api = merged(TAGS / "compose.yaml", TAGS / "compose.override.yaml")["services"]["api"]
    assert "ports" not in api
    assert api["environment"] == {"DB_URL": "postgres://shop@db:5432/shop"}
    assert api["deploy"] == {"replicas": 5}


def test_without_tags_the_same_override_merges_key_by_key(tmp_path):
    """The contrast that shows the tags do something: plain values merge into the base's."""
    plain = written(tmp_path, "compose.override.yaml",
                    (TAGS / "compose.override.yaml").read_text().replace(" !reset", "").replace(" !override", ""))
    base = written(tmp_path, "compose.yaml", (TAGS / "compose.yaml").read_text())
    design = compose_imported(base, plain).design
    assert "api -> cache" in links_of(design)
    assert merged(base, plain)["services"]["api"]["deploy"]["resources"] == {"limits": {"cpus": "1"}}


def test_a_reset_in_a_file_alone_removes_the_setting(tmp_path):
    """With no base, !reset still removes the attribute, as compose-go drops the tagged node."""
    alone = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    ports: !reset ['80:80']\n"
                                              "    deploy: !override {replicas: 3}\n")
    data = merged(alone)
    assert data["services"]["api"] == {"image": "shop/api", "deploy": {"replicas": 3}}
    result = compose_imported(alone)
    assert result.design.component("api").instances == 3
    assert "compose.yaml:1: compose.yaml: replaces whole services.api.deploy (!override); resets " \
           "services.api.ports (!reset), as docker compose reads these tags" in preview_text(result.notes)


def test_an_override_on_a_whole_service_replaces_it(tmp_path):
    base = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    depends_on: [db]\n"
                                             "    deploy: {replicas: 4}\n  db:\n    image: postgres\n")
    top = written(tmp_path, "compose.override.yaml", "services:\n  api: !override\n    image: shop/api:2\n")
    design = compose_imported(base, top).design
    assert design.component("api").instances == 1
    assert "api -> db" not in links_of(design)


def test_a_tag_reached_through_an_alias_or_a_merge_key_acts_at_its_place(tmp_path):
    base = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    ports: ['80:80']\n"
                                             "  admin:\n    image: shop/admin\n    ports: ['81:80']\n")
    top = written(tmp_path, "compose.override.yaml", "x-private: &private\n  ports: !reset []\n"
                                                     "x-none: &none !reset []\nservices:\n"
                                                     "  api:\n    <<: *private\n  admin:\n    ports: *none\n")
    services = merged(base, top)["services"]
    assert "ports" not in services["api"] and "ports" not in services["admin"]


def test_a_bad_value_under_a_tag_is_refused_at_its_line(tmp_path):
    base = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n")
    top = written(tmp_path, "compose.override.yaml", "services:\n  api:\n    image: shop/api\n    deploy: !override\n"
                                                     "      mode: replicated\n      replicas: -2\n")
    with pytest.raises(InteropError, match=r"^compose.override.yaml:6: services.api replicas must not be negative"):
        compose_imported(base, top)


def test_a_tagged_setting_is_placed_in_the_file_that_wrote_it_last(tmp_path):
    base = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    deploy:\n"
                                             "      replicas: -1\n")
    top = written(tmp_path, "compose.override.yaml", "services:\n  api:\n    deploy: !override\n      replicas: 2\n")
    docs = [doc for path in (base, top) for doc in read_documents(path)]
    doc = topology.compose_document(docs, ImportResult(Design()))
    assert doc.where(("services", "api", "deploy")) == "compose.override.yaml:3"
    assert doc.where(("services", "api", "deploy", "replicas")) == "compose.override.yaml:4"
    assert doc.where(("services", "api", "image")) == "compose.yaml:3"


@pytest.mark.parametrize("name, text, line", [
    ("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
                        "  replicas: !override 3\n", 6),
    ("application.yml", "resilience4j:\n  retry:\n    instances:\n      api:\n        maxAttempts: !reset 3\n", 5),
    ("envoy.yaml", "static_resources:\n  clusters: !override\n    - name: api\n", 2),
    ("config_dump.yaml", "configs: !reset\n  - name: api\n", 1),   # compose's configs is a map, not a list
])
def test_other_formats_refuse_the_merge_tags_at_their_line(tmp_path, name, text, line):
    path = written(tmp_path, name, text)
    with pytest.raises(InteropError, match=rf"^{name}:{line}: the tag !\w+ is docker compose's merge tag, which "
                                           "only a compose file gives a meaning"):
        read_documents(path)


def test_a_language_tag_in_a_compose_file_is_still_refused(tmp_path):
    path = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: !!python/object/apply:os.system "
                                             "['true']\n")
    with pytest.raises(InteropError, match=r"^compose.yaml:3: not valid YAML: the tag tag:yaml.org,2002:python/"
                                           r"object/apply:os.system is not plain data"):
        read_documents(path)


def test_the_documents_of_one_compose_file_merge_in_order(tmp_path):
    """compose-go loads each --- document as a layer over the ones before (TestLoadMultiDocumentYaml)."""
    path = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    deploy: {replicas: 2}\n"
                                             "    ports: ['80:80']\n---\nservices:\n  api:\n"
                                             "    deploy: {replicas: 6}\n    depends_on: [db]\n  db:\n"
                                             "    image: postgres\n---\n")
    result = compose_imported(path)
    design = result.design
    assert design.component("api").instances == 6
    assert design.component("db").kind == "database" and "api -> db" in links_of(design)
    text = preview_text(result.notes)
    assert "compose.yaml:7: compose.yaml holds 2 YAML documents (separated by ---); docker compose merges them " \
           "in order, each over the ones before, as it merges files" in text
    assert "compose.yaml:7: compose.yaml (document 2) merged over the documents before it: changes api (deploy, " \
           "depends_on); adds db" in text


def test_a_later_document_s_tags_act_on_the_documents_before_it(tmp_path):
    path = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n    ports: ['80:80']\n"
                                             "  worker:\n    image: shop/worker\n---\nservices:\n"
                                             "  api:\n    ports: !reset []\n  worker: !reset {}\n")
    services = merged(path)["services"]
    assert services == {"api": {"image": "shop/api"}}


def test_a_compose_file_of_several_documents_beside_an_override(tmp_path):
    base = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: shop/api\n---\nservices:\n"
                                             "  api:\n    deploy: {replicas: 3}\n")
    top = written(tmp_path, "compose.override.yaml", "services:\n  api:\n    deploy: {replicas: 7}\n")
    assert compose_imported(top, base).design.component("api").instances == 7
    assert compose_imported(base).design.component("api").instances == 3


def test_zookeeper_is_a_store_its_clients_call():
    assert topology.guess_kind("zookeeper", "confluentinc/cp-zookeeper:7.6.0") == "database"
    assert topology.guess_kind("zk", "zookeeper:3.9") == "database"
    assert topology.guess_kind("kafka", "confluentinc/cp-kafka:7.6.0") == "queue"
    assert topology.guess_kind("etcd", "quay.io/coreos/etcd:v3.5.12") == "database"
    assert topology.guess_kind("consultation", "shop/consultation:2") == "service"


def test_kafka_calls_its_zookeeper_rather_than_consuming_it(tmp_path):
    path = written(tmp_path, "compose.yaml", "services:\n  zookeeper:\n    image: confluentinc/cp-zookeeper:7.6.0\n"
                                             "  kafka:\n    image: confluentinc/cp-kafka:7.6.0\n"
                                             "    depends_on: [zookeeper]\n    environment:\n"
                                             "      KAFKA_ZOOKEEPER_CONNECT: zookeeper:2181\n")
    design = compose_imported(path).design
    assert design.component("zookeeper").kind == "database"
    assert "kafka -> zookeeper" in links_of(design)
    assert "zookeeper -> kafka" not in links_of(design)


def test_a_compose_file_with_top_level_configs_is_compose_not_envoy(tmp_path):
    path = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: api\n    configs: [app]\n"
                                             "  db:\n    image: postgres\nconfigs:\n  app:\n    file: ./app.conf\n")
    assert detect_format(path) == "compose"
    assert {c.name for c in import_files([path]).design.components} >= {"api", "db"}


def test_a_compose_shaped_file_read_as_another_format_refuses_the_tags(tmp_path):
    path = written(tmp_path, "compose.yaml", "services:\n  api:\n    image: api\n    ports: !override ['80:80']\n")
    with pytest.raises(InteropError) as refused:
        import_files([path], fmt="kubernetes")
    assert "!override" in str(refused.value) and "compose.yaml:4" in str(refused.value)
