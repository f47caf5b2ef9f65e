"""``faultline report``: the HTML report of a run kept in a project file, as File > Report writes
it, without opening the window (a build server, a colleague's mail); ``run --report`` writes the
report of the run it has just made the same way."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import RunResult
    from engine.compare import Comparison
    from engine.model import Design


def add_report_parser(sub) -> None:
    p = sub.add_parser(
        "report", help="write the HTML report of a run kept in a project file",
        description="Write the report File > Report writes (verdicts, the design's picture with its health, "
                    "the plots, the comparison and the log) of a run kept in a project file, without "
                    "opening the window. Without --run, the run kept last. Exit status: 0 written, 2 "
                    "invalid input or not written.")
    p.add_argument("project", help="a .faultline project file with kept runs")
    p.add_argument("--out", metavar="REPORT.html", help="write the report here")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="a kept run of this design")
    p.add_argument("--run", metavar="NAME", help="the kept run of this name, as the Runs panel lists it")
    p.add_argument("--list", action="store_true", help="list the kept runs and write nothing")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from app.cli_run import output_file_problems
    from app.run.saved import group_runs
    from app.store import ProjectFileError, open_project
    from engine.model import DesignError

    problems = [] if args.list else output_file_problems(out=args.out) if args.out else \
        ["--out REPORT.html: say where to write the report (or --list the kept runs)"]
    if problems:
        raise DesignError(problems)
    try:
        opened = open_project(args.project)
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None
    designs = {d.id: d.name for d in opened.project.designs}
    if args.design_name is not None and args.design_name not in designs.values():
        raise DesignError([f'--design {args.design_name}: {args.project} has no design of that name '
                           f'(it has {", ".join(sorted(designs.values()))})'])
    groups = [g for g in group_runs(opened.runs)
              if args.design_name is None or designs.get(g.design_id) == args.design_name]
    if args.list:
        for group in groups:
            print(f"{group.label}  ({designs.get(group.design_id, 'a design no longer in the project')}, "
                  f"kept {group.created:%Y-%m-%d %H:%M})")
        return 0
    if not groups:
        where = f'design "{args.design_name}" of ' if args.design_name else ""
        raise DesignError([f"{where}{args.project} holds no kept runs: keep a run in the window (Run > Keep Run "
                           "in Project) and save, or write the report of a new run with run --report"])
    if args.run is None:
        chosen = groups[0]  # the newest, listed first as in the Runs panel
        if len(groups) > 1:
            print(f'{len(groups)} kept runs; the report is of the last kept, "{chosen.label}" (choose with --run; '
                  "--list lists them)", file=sys.stderr)
    else:
        named = [g for g in groups if args.run in (g.label, g.short_label)]
        if not named:
            raise DesignError([f'--run {args.run}: no kept run of that name (kept: '
                               + "; ".join(f'"{g.label}"' for g in groups) + ")"])
        chosen = named[0]
    from app.run.headless_report import report_of_kept_run

    written = report_of_kept_run(args.out, opened.project, opened.runs, chosen.id)
    print(f'report of "{chosen.label}" written to {written}')
    return 0


def write_run_report(path: str, design: Design, results: dict[str, RunResult],
                     comparison: Comparison | None = None) -> str:
    """``run --report``: the report of the run just made; returns what to tell of it."""
    from app.run.headless_report import report_of_session, session_of
    from app.store import ProjectFileError
    from engine.model import DesignError, Project

    session = session_of(results, comparison)
    try:
        written = report_of_session(path, Project(name=design.name, designs=[design]), design.name, session)
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None
    return f"report written to {written}"
