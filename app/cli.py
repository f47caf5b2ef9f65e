"""Headless command line: run, check, report, validate, schema, convert, import, export, lint, params,
sweep, suggest."""
from __future__ import annotations

import argparse
import json
import os
import sys

from engine.version import __version__

SUBCOMMANDS = ("run", "check", "report", "validate", "schema", "convert", "import", "export", "lint",
               "params", "sweep", "suggest")


def _cmd_validate(args) -> int:
    from app.store import ProjectFileError, load_design_from_path
    from engine.model import DesignError

    try:
        design = load_design_from_path(args.design, args.design_name).check()
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None
    print(f'{args.design}: design "{design.name}" is valid ({design.size_text()})')
    return 0


def _cmd_schema(args) -> int:
    from engine.model import Design

    print(json.dumps(Design.model_json_schema(by_alias=True), indent=2))
    return 0


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command; given the ``command`` about to run, the others may be
    registered by name and help only, so that what they need is not imported."""
    parser = argparse.ArgumentParser(prog="faultline", description="Faultline headless commands.")
    parser.add_argument("--version", action="version", version=f"Faultline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a design (JSON or .faultline) and explain what is wrong",
                       description="Check a design against the model and its rules, naming the component and "
                                   "field of every problem. Exit status: 0 valid, 2 invalid or unreadable.")
    v.add_argument("design", help="design JSON, project JSON or .faultline file")
    v.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    v.set_defaults(func=_cmd_validate)
    s = sub.add_parser("schema", help="print the JSON Schema of a design",
                       description="Print the JSON Schema that a design JSON file follows, for editors and "
                                   "validators.")
    s.set_defaults(func=_cmd_schema)
    from app.cli_convert import add_convert_parser
    add_convert_parser(sub)
    from app.cli_run import add_run_parser

    add_run_parser(sub)
    from app.cli_interop import COMMANDS as INTEROP_COMMANDS
    from app.cli_interop import add_interop_parsers

    add_interop_parsers(sub, complete=command is None or command in INTEROP_COMMANDS)
    from app.cli_check import add_check_parser

    add_check_parser(sub)
    from app.cli_report import add_report_parser

    add_report_parser(sub)
    from app.cli_sweep import add_params_parser, add_suggest_parser, add_sweep_parser

    add_params_parser(sub)
    add_sweep_parser(sub)
    add_suggest_parser(sub)
    return parser


# Characters a terminal acts on rather than shows: C0 controls but the line break, DEL, C1
# controls, and the marks that reverse the direction of text.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c != 0x0A}
_CONTROLS.update({c: f"\\u{c:04x}" for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def printable(text: str) -> str:
    """Text with every control character written out (``\\x1b``): a name from a file cannot move
    the cursor, recolour, retitle or reorder what a terminal shows."""
    return text.translate(_CONTROLS)


class _Printable:
    """A text stream that passes everything written to it through ``printable``."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Printable(stdout), _Printable(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except ValueError as exc:
        # imported here: ``--help`` and argparse's own errors never load the engine's models
        from engine.model import DesignError

        if not isinstance(exc, DesignError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (``| head``) went away: nothing more can be written to it, and the
        # interpreter's own flush at exit must not fail again on the closed pipe.
        _silence_stdout()
        print("error: the output was closed before everything was written (broken pipe)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # a file that could not be saved after all (checked before the work, then taken away)
        from app.store.errors import ProjectFileError

        if not isinstance(exc, ProjectFileError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor behind stdout (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
