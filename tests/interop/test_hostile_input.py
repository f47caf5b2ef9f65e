"""Malformed and hostile files are refused with a message naming file, line and key; nothing
raises anything but InteropError, and nothing runs."""
from __future__ import annotations

import pytest

from app.interop import InteropError, import_files
from app.interop.reading import MAX_BYTES

CASES = {
    "grpc.json": ('{"methodConfig": [{"name": "x", "timeout": 5}]}',
                  "grpc.json:1: methodConfig[0].name must be a list"),
    "vs.yaml": ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nspec:\n  http: [1, 2]\n",
                "vs.yaml:4: spec.http[0] must be a map of settings"),
    "dr.yaml": ("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nspec: 5\n",
                "dr.yaml:3: DestinationRule spec must be a map of settings"),
    "envoy.yaml": ("static_resources:\n  clusters:\n  - name: db\n    connect_timeout: 1s\n"
                   "    circuit_breakers: {thresholds: 5}\n", "envoy.yaml:5: cluster db circuit_breakers.thresholds"),
    "compose.yml": ("services:\n  a: {depends_on: 5}\n", "compose.yml:2: services.a.depends_on must be a list"),
    "deploy.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: 5}\n",
                    "deploy.yaml:3: Deployment a spec.template must be a map"),
    "spans.json": ('{"resourceSpans": [{"scopeSpans": [{"spans": [5]}]}]}',
                   "spans.json:1: resourceSpans[0].scopeSpans[0].spans[0] must be a map"),
    "loop.yml": ("a: &a [*a]\n", "loop.yml:1: not valid YAML: an alias refers to a value that contains it"),
    "tabs.yml": ("\t- bad\n", "tabs.yml:1: not valid YAML"),
    "python.yml": ("resilience4j.retry.instances.x.maxAttempts: !!python/object/apply:os.system [echo hi]\n",
                   "python.yml:1: not valid YAML"),
    "laughs.yml": ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
                   "laughs.yml: not valid YAML: the document expands to too many values"),
    "empty.yml": ("---\n---\n", "empty.yml: is empty"),
    ".env": ("A=1\n", ".env: is an environment file"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_files_are_refused_with_where_and_why(tmp_path, name):
    text, message = CASES[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InteropError) as caught:
        import_files([path])
    assert message in str(caught.value)


def test_oversized_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.yml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InteropError, match=r"big.yml: is 5.2 MB; configuration files above 5 MB are refused"):
        import_files([path])


def test_yaml_in_flow_style_is_not_mistaken_for_json(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text("{apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: db},\n"
                    " spec: {http: [{route: [{destination: {host: db}}], timeout: 2s}]}}\n")
    result = import_files([path])
    assert [c.name for c in result.design.components if c.kind == "service"][-1] == "db"


def test_no_files_is_refused_with_a_message():
    with pytest.raises(InteropError, match="no file to import"):
        import_files([])


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_config_saved_as_marked_utf16_or_utf32_is_read(tmp_path, codec):
    """An application.yml redirected by Windows PowerShell was refused as "not UTF-8 text (byte 0)",
    and its line numbers must still be those of the file."""
    text = "resilience4j:\n  retry:\n    instances:\n      backendA:\n        maxAttempts: 0\n"
    (tmp_path / "utf8.yml").write_text(text, encoding="utf-8")
    (tmp_path / "application.yml").write_bytes(text.encode(codec))
    messages = []
    for name in ("utf8.yml", "application.yml"):
        with pytest.raises(InteropError) as caught:
            import_files([tmp_path / name])
        messages.append(str(caught.value).replace(name, "FILE"))
    assert messages[0] == messages[1] and "FILE:5" in messages[1], messages


def test_a_json_configuration_naming_a_key_twice_is_refused_where_it_is(tmp_path, three_tier):
    """JSON readers kept the last "timeout" without a word; gRPC refuses such a service config."""
    path = tmp_path / "service_config.json"
    path.write_text('{\n  "methodConfig": [{\n    "name": [{"service": "shop.Db"}],\n'
                    '    "timeout": "0.5s",\n    "timeout": "2s"\n  }]\n}\n')
    with pytest.raises(InteropError) as refused:
        import_files([path], three_tier)
    assert str(refused.value).startswith('service_config.json:2: the object that begins here names "timeout" twice')
