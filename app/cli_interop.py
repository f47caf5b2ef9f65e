"""``faultline import``, ``export`` and ``lint``: other tools' configuration files in and out, and
the settings in them that contradict each other."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

IMPORT_EPILOG = """\
The format of each FILE is recognised from its content unless --format says it.
Resilience4j instances named after a component guard the calls to it (from the
application named by spring.application.name when that is a component); gRPC
services, Envoy clusters and Istio hosts guard the calls into the component of
their name. Map anything else with --map NAME=CALLER->CALLEE (a gRPC entry
that names no service is mapped as *). Quote the mapping: the shell reads >.
Without --into, a small design is made around the imported settings.

examples:
  faultline import application.yml --into shop.json --out shop-r4j.json
  faultline import application.yml --into shop.json --map 'backendA=api->db' --out out.json
  faultline import service_config.json --format grpc --into shop.json --out out.json
  faultline import destination-rule.yaml virtual-service.yaml --into shop.json --out out.json
"""

EXPORT_EPILOG = """\
examples:
  faultline export shop.json --format resilience4j --caller api application.yml
  faultline export shop.json --format grpc --caller api service_config.json
  faultline export shop.json --format envoy --caller api envoy.yaml
  faultline export shop.json --format istio istio.yaml
"""


COMMANDS = {
    "import": "apply other tools' configuration files to a design",
    "export": "write a design's resilience settings in another tool's format",
    "lint": "find resilience settings that contradict each other or the system",
}


def add_interop_parsers(sub: argparse._SubParsersAction, complete: bool = True) -> None:
    """Register ``import``, ``export`` and ``lint`` on the CLI's sub-parsers. With ``complete``
    false (another command was chosen) only their names and help are registered: the list of
    formats would import every reader, and the engine's models with them."""
    if not complete:
        for name, text in COMMANDS.items():
            sub.add_parser(name, help=text)
        return
    from app.interop import EXPORT_FORMATS, IMPORT_FORMATS

    p = sub.add_parser("import", help=COMMANDS["import"],
                       description="Read Resilience4j, gRPC, Envoy, Istio, docker-compose, Kubernetes or OTLP\n"
                                   "trace files into a design, print what maps to what and what was left out,\n"
                                   "and write the design as JSON.",
                       epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE", help="configuration files to read, applied in turn")
    p.add_argument("--format", choices=IMPORT_FORMATS, help="the format of every FILE (default: recognised)")
    p.add_argument("--into", metavar="DESIGN", help="the design (JSON or .faultline) the settings apply to")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project --into names")
    p.add_argument("--map", action="append", default=[], metavar="NAME=CALLER->CALLEE",
                   help="the call an instance or service guards (repeatable)")
    p.add_argument("--caller", metavar="NAME",
                   help="the component whose files these are (its application.yml, its gRPC service config, its "
                        "sidecar's Envoy file): they guard its calls only (default: the component the file names, "
                        "else every caller)")
    p.add_argument("--out", metavar="OUT.json", help="write the resulting design here (without it: preview only)")
    p.set_defaults(func=cmd_import)

    e = sub.add_parser("export", help=COMMANDS["export"],
                       description="Write the resilience policies of a design as another tool's configuration.",
                       epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("design", metavar="DESIGN", help="design JSON, project JSON or .faultline file")
    e.add_argument("output", metavar="OUT", help="the file to write ('-' for standard output)")
    e.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="the tool whose configuration to write")
    e.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    e.add_argument("--caller", metavar="NAME",
                   help="Resilience4j, gRPC and Envoy: the component whose calls the file describes (its "
                        "application.yml, service config or sidecar); needed when several have any to export")
    e.set_defaults(func=cmd_export)

    lint = sub.add_parser("lint", help=COMMANDS["lint"],
                          description="Check a design's policies the way an experienced operator would: retries "
                                      "that inflate a breaker's failure rate, retries longer than the caller's "
                                      "timeout, timeouts below the callee's service time, retries that multiply "
                                      "across layers, bulkheads wider than the callee's capacity.")
    lint.add_argument("design", metavar="DESIGN", help="design JSON, project JSON or .faultline file")
    lint.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    lint.add_argument("--strict", action="store_true", help="exit with status 1 when there is a finding")
    lint.set_defaults(func=cmd_lint)


def _load(path: str, name: str | None):
    from app.store import ProjectFileError, load_design_from_path
    from engine.model import DesignError

    try:
        return load_design_from_path(path, name)
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None


def cmd_import(args: argparse.Namespace) -> int:
    """Import, print the preview, and write the design when --out is given."""
    from app.cli_run import output_file_problems
    from app.document.layout import laid_out, needs_layout
    from app.interop import InteropError, design_changes, import_files, nothing_applies, preview_text
    from app.store import ProjectFileError, export_json
    from engine.model import DesignError

    unwritable = output_file_problems(out=args.out)
    if unwritable:
        raise DesignError(unwritable)
    design = _load(args.into, args.design_name) if args.into else None
    try:
        result = import_files(args.files, design, args.map, args.format, args.caller)
    except InteropError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(preview_text(result.notes, result.unmapped))
    problems = result.design.problems()
    if problems:
        print("error: the imported design cannot run:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if design is not None and not design_changes(design, result.design):
        why = nothing_applies([Path(f).name for f in args.files], design.name, result, "command line")
        if not result.of_kind("mapped"):
            # the design written back unchanged would pass for an import in a script
            print(f"error: {why}" + (f" {args.out} was not written." if args.out else ""), file=sys.stderr)
            return 1
        print(why)   # settings already there: the same import run again, which a script may well do
    if args.out is None:
        print("(preview only: give --out OUT.json to write the design)")
        return 0
    try:
        # readable positions when its components have none yet (a new design)
        export_json(laid_out(result.design) if needs_layout(result.design) else result.design, Path(args.out))
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f'wrote {args.out}: design "{result.design.name}" ({len(result.design.components)} components)')
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the design's settings in the chosen format; say what the format cannot hold."""
    from app.interop import PER_CALLER_FORMATS, InteropError, export_design
    from app.store import ProjectFileError, save_file

    if args.caller and args.format not in PER_CALLER_FORMATS:
        article = "an" if args.format[0] in "aeiou" else "a"
        formats = ", ".join(PER_CALLER_FORMATS[:-1]) + f" and {PER_CALLER_FORMATS[-1]}"
        print(f"error: --caller is for {formats}: {article} {args.format} file holds the settings of every calling "
              "component", file=sys.stderr)
        return 2
    design = _load(args.design, args.design_name)
    try:
        exported = export_design(design, args.format, args.caller)
    except InteropError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = sys.stderr if args.output == "-" else sys.stdout
    for note in exported.notes:
        print(f"note: {note}", file=report)
    for warning in exported.warnings:
        print(f"warning: {warning}", file=report)
    if args.output == "-":
        sys.stdout.write(exported.text)
        return 0
    try:
        save_file(args.output, exported.text.encode("utf-8"))
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({args.format})")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """Print every finding; with --strict a finding makes the exit status 1."""
    from app.interop import lint_design

    design = _load(args.design, args.design_name)
    findings = lint_design(design)
    for finding in findings:
        print(f"warning: {finding}")
    if not findings:
        print(f'design "{design.name}": no contradictory resilience settings found')
    return 1 if findings and args.strict else 0
