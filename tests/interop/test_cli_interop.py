"""``faultline import`` and ``faultline export`` from the command line."""
from __future__ import annotations

import json

from interop_support import EXAMPLES, FIXTURES, policy

from app.cli import main as cli_main
from engine.model import parse_design


def test_import_into_a_design_prints_the_preview_and_writes_json(tmp_path, capsys):
    out = tmp_path / "shop.json"
    code = cli_main(["import", str(FIXTURES / "shop-api.yml"), "--into", str(EXAMPLES / "three_tier.json"),
                     "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "What maps to what:\n  shop-api.yml:25: circuitbreaker db -> circuit breaker on api -> db" in printed
    assert "Modelled differently in Faultline:" in printed
    assert f"wrote {out}" in printed
    design = parse_design(out.read_text())
    assert policy(design, "api", "circuit_breaker", "db").wait_duration_in_open_state == 7.0


def test_map_option_places_an_instance_on_a_call(tmp_path, capsys):
    config = tmp_path / "application.yml"
    config.write_text("resilience4j.bulkhead.instances.backendA.maxConcurrentCalls: 3\n")
    out = tmp_path / "out.json"
    code = cli_main(["import", str(config), "--format", "resilience4j", "--into", str(EXAMPLES / "three_tier.json"),
                     "--map", "backendA=cache->db", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert policy(parse_design(out.read_text()), "cache", "bulkhead", "db").max_concurrent_calls == 3


def test_without_out_the_import_is_a_preview(tmp_path, capsys):
    assert cli_main(["import", str(FIXTURES / "orders_service_config.json")]) == 0
    printed = capsys.readouterr().out
    assert "hedgingPolicy maxAttempts 3" in printed and "preview only" in printed
    assert not list(tmp_path.iterdir())


def test_the_printed_preview_spells_booleans_as_yaml_does(tmp_path, capsys):
    config = tmp_path / "application.yml"
    config.write_text("spring.application.name: checkout\n"
                      "resilience4j.timelimiter.instances.payment.cancelRunningFuture: false\n")
    assert cli_main(["import", str(config), "--into", str(EXAMPLES / "microservices.json")]) == 0
    printed = capsys.readouterr().out
    assert "timelimiter payment -> timeout on checkout -> payment (cancelRunningFuture false)" in printed


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    config = tmp_path / "application.yml"
    config.write_text("resilience4j.retry.instances.x.waitDuration: ${WAIT}\n")
    assert cli_main(["import", str(config)]) == 2
    err = capsys.readouterr().err
    assert "error: application.yml:1: resilience4j.retry.instances.x.waitDuration is the placeholder ${WAIT}" in err
    assert "Traceback" not in err
    assert cli_main(["import", str(tmp_path / "missing.yml")]) == 2
    assert "missing.yml: there is no such file" in capsys.readouterr().err
    assert cli_main(["import", str(config), "--map", "x=a->b"]) == 2
    assert "--map: a mapping needs the design" in capsys.readouterr().err
    unknown = tmp_path / "notes.yml"
    unknown.write_text("hello: world\n")
    assert cli_main(["import", str(unknown)]) == 2
    assert "notes.yml: is not a configuration Faultline recognises" in capsys.readouterr().err


def test_export_writes_each_format(tmp_path, capsys):
    design = str(EXAMPLES / "three_tier.json")
    out = tmp_path / "application.yml"
    assert cli_main(["export", design, "--format", "resilience4j", "--caller", "api", str(out)]) == 0
    text = out.read_text()
    assert "name: api" in text and "failureRateThreshold: 50" in text
    for fmt, name in (("grpc", "sc.json"), ("resilience4j", "application.yml")):
        assert cli_main(["export", design, "--format", fmt, str(tmp_path / name)]) == 2
        assert "choose the caller with --caller (one of: api, cache)" in capsys.readouterr().err
    assert cli_main(["export", design, "--format", "grpc", "--caller", "api", str(tmp_path / "sc.json")]) == 0
    # a caller given where the file holds every caller's settings is refused, not ignored
    assert cli_main(["export", design, "--format", "istio", "--caller", "api", str(out)]) == 2
    assert "--caller is for resilience4j, grpc and envoy: an istio file holds the settings of every calling " \
           "component" in capsys.readouterr().err
    assert cli_main(["export", design, "--format", "resilience4j", "--caller", "api",
                     str(tmp_path / "gone" / "a.yml")]) == 2
    assert f"error: Cannot save a.yml: the folder {tmp_path / 'gone'} does not exist" in capsys.readouterr().err
    config = json.loads((tmp_path / "sc.json").read_text())
    assert [m["name"] for m in config["methodConfig"]] == [[{"service": "cache"}], [{"service": "db"}]]
