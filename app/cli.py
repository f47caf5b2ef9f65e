"""Headless command line: run, check, validate, schema, convert, params, sweep."""
from __future__ import annotations

import argparse
import json
import sys

from engine.model import Design, DesignError
from engine.version import __version__

SUBCOMMANDS = ("run", "check", "validate", "schema", "convert", "params", "sweep")


def _cmd_validate(args) -> int:
    from app.store import ProjectFileError, load_design_from_path

    try:
        design = load_design_from_path(args.design, args.design_name).check()
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None
    print(f'{args.design}: design "{design.name}" is valid '
          f"({len(design.components)} components, {len(design.links)} links, "
          f"{len(design.experiments)} experiments)")
    return 0


def _cmd_schema(args) -> int:
    print(json.dumps(Design.model_json_schema(by_alias=True), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faultline", description="Faultline headless commands.")
    parser.add_argument("--version", action="version", version=f"Faultline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a design (JSON or .faultline) and explain what is wrong")
    v.add_argument("design")
    v.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    v.set_defaults(func=_cmd_validate)
    s = sub.add_parser("schema", help="print the JSON Schema of a design")
    s.set_defaults(func=_cmd_schema)
    from app.cli_convert import add_convert_parser
    add_convert_parser(sub)
    from app.cli_run import add_run_parser

    add_run_parser(sub)
    from app.cli_check import add_check_parser

    add_check_parser(sub)
    from app.cli_sweep import add_params_parser, add_sweep_parser

    add_params_parser(sub)
    add_sweep_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DesignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
