"""Values a hand-edited file may hold (YAML's .nan and .inf, numbers too long for a float,
a folder for a file, a file of another format) are refused in words, never a traceback."""
from __future__ import annotations

import pytest
from interop_support import EXAMPLES, FIXTURES

from app.cli import main as cli_main
from app.interop import InteropError, export_design, import_files
from engine.model import parse_design


@pytest.mark.parametrize("value,shown", [(".nan", "NaN"), (".inf", "Infinity"), ("-.inf", "-Infinity"),
                                         ("1e400", '"1e400"'), ('"1e400"', '"1e400"')])
def test_a_count_that_is_no_finite_number_is_a_message(tmp_path, capsys, value, shown):
    config = tmp_path / "application.yml"
    config.write_text(f"resilience4j.retry.instances.db.maxAttempts: {value}\n")
    assert cli_main(["import", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"application.yml:1: resilience4j.retry.instances.db.maxAttempts must be a finite number (got {shown})" \
        in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name,text", [
    ("application.yml", "resilience4j.retry.instances.db.maxAttempts: 99999999999999999999999999\n"),
    ("application.properties", "resilience4j.retry.instances.db.maxAttempts=99999999999999999999999999\n"),
])
def test_a_long_whole_number_is_quoted_as_written(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InteropError) as caught:
        import_files([path])
    # in the model's words, and the number the file holds, not the float nearest to it
    assert str(caught.value) == (f"{name}:1: resilience4j.retry.instances.db.maxAttempts must be at most 100 "
                                 "(got 99999999999999999999999999)")


def test_grpc_keys_are_written_one_way(capsys):
    assert cli_main(["import", str(FIXTURES / "orders_service_config.json")]) == 0
    out = capsys.readouterr().out
    assert "methodConfig[0].retryPolicy: gRPC caps the backoff" in out
    assert "methodConfig.0" not in out


def test_a_file_read_as_grpc_without_a_method_config_is_refused(capsys):
    assert cli_main(["import", str(FIXTURES / "shop-api.yml"), "--format", "grpc"]) == 2
    assert "error: shop-api.yml: has no methodConfig or retryThrottling" in capsys.readouterr().err


def test_an_envoy_export_for_a_component_that_calls_nothing_is_refused():
    design = parse_design((EXAMPLES / "mmc.json").read_text())
    with pytest.raises(InteropError) as caught:
        export_design(design, "envoy", "server")
    assert str(caught.value) == '--caller: "server" calls no other component: its sidecar has no route to write'


def test_a_folder_given_as_a_file_is_said_so(tmp_path, capsys):
    folder = tmp_path / "configs"
    folder.mkdir()
    assert cli_main(["import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "error: configs: is a folder, not a file" in err


def test_caller_for_a_whole_system_format_reads_as_a_sentence(capsys):
    assert cli_main(["export", str(EXAMPLES / "microservices.json"), "--format", "istio", "--caller", "frontend",
                     "-"]) == 2
    assert "an istio file holds the settings of every calling component" in capsys.readouterr().err


def test_import_into_a_missing_folder_is_refused_before_reading(tmp_path, capsys):
    out = tmp_path / "nowhere" / "out.json"
    assert cli_main(["import", str(FIXTURES / "shop-api.yml"), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert f'error: --out {out}: the folder "{out.parent}" does not exist' in captured.err
    assert captured.out == ""   # no preview of an import whose result cannot be written
