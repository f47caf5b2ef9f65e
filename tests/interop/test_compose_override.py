"""Compose files merged as docker compose merges them: a base file and its override (read by
default from one folder), or several -f files in order."""
from __future__ import annotations

import pytest
from interop_support import FIXTURES, compose_imported, links_of

from app.interop import InteropError, import_files, preview_text, topology

OVERRIDE = FIXTURES / "topology" / "override"


def test_a_folder_s_override_goes_over_its_base_file():
    """``docker compose up`` in the folder: compose.yaml, then compose.override.yaml over it, although
    the folder lists the override first."""
    result = compose_imported(OVERRIDE / "compose.override.yaml", OVERRIDE / "compose.yaml")
    design = result.design
    assert design.name == "shop"
    assert design.description.startswith("Made from compose.yaml, compose.override.yaml:")
    assert design.component("api").instances == 4                    # deploy.replicas overridden
    assert design.component("cache").kind == "cache"                 # a service the override adds
    # calls of both files: depends_on (list in one, map in the other), the merged environment
    # (a list of NAME=value and a map) and the override's command, which replaces the base's
    assert {"web -> api", "api -> db", "api -> cache", "api -> worker"} <= links_of(design)
    text = preview_text(result.notes)
    assert ("compose files merged in this order, each over the ones before, as docker compose -f compose.yaml "
            "-f compose.override.yaml merges them") in text
    assert ("compose.override.yaml:1: compose.override.yaml merged over the files before it: changes api "
            "(command, environment, depends_on, ports, deploy); adds cache, worker") in text
    # a service is where its base file defines it; the count where the override sets it
    assert "compose.yaml:11: api -> service (shop/api:1.4), 4 instances" in text
    assert design.problems() == []


def test_files_given_in_order_merge_in_that_order(tmp_path):
    """docker compose -f docker-compose.yml -f docker-compose.prod.yml: the later file wins."""
    base = tmp_path / "docker-compose.yml"
    base.write_text("services:\n  api:\n    image: shop/api\n    deploy: {replicas: 2}\n    ports: ['8080:80']\n")
    prod = tmp_path / "docker-compose.prod.yml"
    prod.write_text("services:\n  api:\n    deploy: {replicas: 6}\n")
    assert compose_imported(base, prod).design.component("api").instances == 6
    assert compose_imported(prod, base).design.component("api").instances == 6   # the default file is the base
    staging = tmp_path / "staging.yml"
    staging.write_text("services:\n  api:\n    scale: 3\n    deploy: {replicas: 5}\n")
    assert compose_imported(base, prod, staging).design.component("api").instances == 5


def test_the_merge_order_puts_each_override_after_its_base():
    order = topology.merge_order
    assert order(["compose.override.yaml", "compose.yaml"]) == ["compose.yaml", "compose.override.yaml"]
    assert order(["docker-compose.override.yml", "docker-compose.prod.yml", "docker-compose.yml"]) == \
        ["docker-compose.yml", "docker-compose.override.yml", "docker-compose.prod.yml"]
    assert order(["base.yml", "extra.yml"]) == ["base.yml", "extra.yml"]
    assert order(["stack.override.yml", "stack.yaml", "other.yml"]) == ["stack.yaml", "stack.override.yml",
                                                                         "other.yml"]
    assert order(["lone.override.yml", "other.yml"]) == ["lone.override.yml", "other.yml"]


def test_the_merge_rules_are_compose_s():
    merged = topology.compose_merged
    base = {"services": {"api": {
        "image": "a", "command": ["serve", "--port", "80"], "environment": ["A=1", "B=2"],
        "labels": {"tier": "back"}, "depends_on": ["db"], "links": ["db:database"], "ports": ["80:80"],
        "dns": ["1.1.1.1"], "deploy": {"replicas": 2, "resources": {"limits": {"cpus": "1"}}},
        "healthcheck": {"test": ["CMD", "true"], "interval": "5s"}}}}
    top = {"services": {"api": {
        "command": "serve", "environment": {"B": "3", "C": "4"}, "labels": ["owner=shop"],
        "depends_on": {"cache": {"condition": "service_healthy"}}, "links": ["db:database", "cache"],
        "ports": ["80:80", "443:443"], "dns": ["8.8.8.8"], "deploy": {"replicas": 5},
        "healthcheck": {"test": ["CMD", "false"]}}, "cache": {"image": "redis"}}}
    api = merged(base, top)["services"]["api"]
    assert api["command"] == "serve"                                   # replaced, not appended
    assert api["environment"] == {"A": "1", "B": "3", "C": "4"}         # by name, list or map
    assert api["labels"] == {"tier": "back", "owner": "shop"}
    assert set(api["depends_on"]) == {"db", "cache"}
    assert api["links"] == ["db:database", "cache"] and api["ports"] == ["80:80", "443:443"]
    assert api["dns"] == ["1.1.1.1", "8.8.8.8"]                        # other lists are appended
    assert api["deploy"] == {"replicas": 5, "resources": {"limits": {"cpus": "1"}}}
    assert api["healthcheck"] == {"test": ["CMD", "false"], "interval": "5s"}
    assert merged(base, {"services": {"api": None}})["services"]["api"] == base["services"]["api"]


def test_a_bad_value_in_the_override_is_refused_at_its_line(tmp_path):
    base = tmp_path / "compose.yaml"
    base.write_text("services:\n  api:\n    image: shop/api\n")
    override = tmp_path / "compose.override.yaml"
    override.write_text("services:\n  api:\n    deploy:\n      replicas: -2\n")
    with pytest.raises(InteropError, match=r"^compose.override.yaml:4: services.api replicas must not be negative"):
        compose_imported(override, base)


def test_one_compose_file_alone_says_nothing_of_merging():
    result = compose_imported(OVERRIDE / "compose.yaml")
    assert result.design.component("api").instances == 2
    assert "merged" not in preview_text(result.notes)


def test_the_import_of_a_folder_merges_its_override():
    result = import_files([OVERRIDE])
    assert result.design.component("api").instances == 4
    assert "api -> cache" in links_of(result.design)
