"""``faultline convert IN OUT``: between project files and JSON, in either direction."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = """\
The kind of OUT follows its extension: .faultline writes a project file,
.json writes the engine model's JSON. IN is recognised by its content.
A JSON design becomes a project of one design; a project's saved runs are
kept in .faultline output and left out of JSON.

examples:
  faultline convert shop.faultline shop.json
  faultline convert shop.faultline checkout.json --design checkout
  faultline convert checkout.json checkout.faultline
"""


def add_convert_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``convert`` sub-command on ``sub`` (the CLI's sub-parsers)."""
    parser = sub.add_parser(
        "convert",
        help="convert a project file to JSON or JSON to a project file",
        description="Convert between a Faultline project file (.faultline) and JSON, in either direction.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN", help="a .faultline project, or a JSON project or design")
    parser.add_argument("output", metavar="OUT", help="the file to write: NAME.faultline or NAME.json")
    parser.add_argument("--design", metavar="NAME", help="take only this design of a project")
    parser.add_argument("--without-runs", action="store_true",
                        help="leave saved runs out of a .faultline output (a smaller file to email)")
    parser.set_defaults(func=_cmd_convert)
    return parser


def convert(source: str | Path, target: str | Path, design: str | None = None,
            include_runs: bool = True) -> str:
    """Convert ``source`` into ``target``; return a one-line account of what was written.

    Raises ProjectFileError for unreadable input, an unknown output kind or
    a failed write.
    """
    from app.store import ProjectFileError, export_json, import_json, open_project, save_project
    from app.store.fileio import is_sqlite, read_head
    from engine.model import Design, Project

    source, target = Path(source), Path(target)
    kind = target.suffix.lower()
    if kind not in (".faultline", ".json"):
        raise ProjectFileError(f"Cannot write {target.name}: the output must end in .faultline or .json", target)
    runs = []
    if is_sqlite(read_head(source)):
        opened = open_project(source)
        item: Project | Design = opened.project
        runs = opened.runs
    else:
        item = import_json(source)
    if design is not None:
        designs = [item] if isinstance(item, Design) else item.designs
        chosen = next((d for d in designs if d.name == design), None)
        if chosen is None:
            names = ", ".join(f'"{d.name}"' for d in designs) or "none"
            raise ProjectFileError(f'{source.name} has no design named "{design}" (it has: {names})', source)
        item = chosen
        runs = [r for r in runs if r.design_id == chosen.id]
    notes = []
    if kind == ".faultline":
        project = item if isinstance(item, Project) else Project(name=item.name, designs=[item])
        kept = runs if include_runs else []
        save_project(target, project, kept)
        what = f'project "{project.name}" ({len(project.designs)} design(s), {len(kept)} saved run(s))'
    else:
        export_json(item, target)
        if isinstance(item, Project):
            what = f'project "{item.name}" ({len(item.designs)} design(s))'
        else:
            what = f'design "{item.name}" ({len(item.components)} components)'
        if runs:
            notes.append(f"{len(runs)} saved run(s) are not part of JSON; they stay in {source.name}")
    return "\n".join([f"wrote {target}: {what}"] + [f"note: {n}" for n in notes])


def _cmd_convert(args: argparse.Namespace) -> int:
    from app.store import ProjectFileError

    try:
        print(convert(args.input, args.output, design=args.design, include_runs=not args.without_runs))
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
