"""``faultline params`` and ``faultline sweep``: a design's parameters by path, and sweeps over them.

``params`` lists every numeric or choice parameter with its value, unit and
valid range, and with ``--set PATH=VALUE`` (and ``--save``) makes a changed,
validated copy of the design. ``sweep`` runs a design over ranges, lists or a
Latin hypercube of parameters, crossed with experiments and replications, on
local processes or a Dask cluster, streaming rows into a CSV it can resume.
"""
from __future__ import annotations

import math
import sys
import time


def _load(args):
    from app.store import ProjectFileError, load_design_from_path
    from engine.model import DesignError

    try:
        return load_design_from_path(args.design, args.design_name).check()
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None


def _pairs(items: list[str] | None, option: str) -> list[tuple[str, str]]:
    from engine.explore.sweep import parse_param_option
    from engine.model import DesignError, Problem

    out = []
    for item in items or []:
        try:
            out.append(parse_param_option(item))
        except DesignError as exc:
            if option == "--set":   # the parser's example is a range, which --set does not take
                raise DesignError([Problem(option, f'"{item}" should be PATH=VALUE, e.g. api.workers=8')]) from None
            raise DesignError([Problem(option, p.message) for p in exc.problems]) from None
    return out


# -- params ---------------------------------------------------------------------------------------
def add_params_parser(sub) -> None:
    """Register ``params`` on the command line's sub-parsers."""
    p = sub.add_parser(
        "params",
        help="list a design's parameters by path, with values, units and ranges",
        description="List every numeric or choice parameter of a design by its path (the names "
                    "`sweep --param` takes), with its current value, unit and valid range. "
                    "--set changes some of them; --save writes the changed design as JSON.",
    )
    p.add_argument("design", help="design JSON, project JSON or .faultline file")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    p.add_argument("--match", metavar="TEXT", help="only the paths that contain TEXT")
    p.add_argument("--set", dest="set_values", action="append", metavar="PATH=VALUE",
                   help="set a parameter (repeatable); the changed design is checked")
    p.add_argument("--save", metavar="OUT.json", help="with --set: write the changed design here")
    p.set_defaults(func=cmd_params)


def cmd_params(args) -> int:
    """List the parameters (after any ``--set``), and save the changed design if asked."""
    from app.cli_run import output_file_problems
    from engine.explore import ParameterSpace, format_value
    from engine.model import DesignError, Problem
    if args.save and not args.set_values:
        raise DesignError([Problem("--save", "needs --set PATH=VALUE: there is nothing changed to save")])
    problems = output_file_problems(save=args.save)
    if problems:
        raise DesignError(problems)
    design = _load(args)
    changes = dict(_pairs(args.set_values, "--set"))
    if changes:
        design = ParameterSpace(design).with_values(changes)
    space = ParameterSpace(design)
    shown = [p for p in space if not args.match or args.match.lower() in p.path.lower()]
    out = sys.stdout
    print(f'Design "{design.name}": {len(space)} parameters'
          + (f', {len(shown)} matching "{args.match}"' if args.match else ""), file=out)
    width = max([len(p.path) for p in shown] + [4])
    unit_width = max([len(p.unit) for p in shown] + [4])
    print(f'\n{"path":<{width}}  {"value":>12}  {"unit":<{unit_width}}  range', file=out)
    print("-" * (width + unit_width + 35), file=out)
    for p in shown:
        print(f"{p.path:<{width}}  {format_value(p.value):>12}  {p.unit:<{unit_width}}  {p.range_text()}", file=out)
    if args.save:
        from app.store import export_json

        export_json(design, args.save)
        print(f"\nchanged design written to {args.save}", file=out)
    return 0


# -- sweep ----------------------------------------------------------------------------------------
def add_sweep_parser(sub) -> None:
    """Register ``sweep`` on the command line's sub-parsers."""
    from app.cli_run import add_bucket_argument, add_duration_argument

    p = sub.add_parser(
        "sweep",
        help="run a design over ranges of parameters, on local processes or a Dask cluster",
        description="Run a design over parameters given by path (see `params`), crossed with "
                    "experiments and replications. SPEC is a range a:b:step, a list a,b,c, or with "
                    "--lhs N an interval a:b. Replication k uses seed SEED+k at every point (common "
                    "random numbers). Rows stream into --out as runs finish; rerunning with the same "
                    "--out resumes. A per-point summary with 95 % confidence intervals is printed "
                    "and written next to it as NAME.summary.csv.",
    )
    p.add_argument("design", help="design JSON, project JSON or .faultline file")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    p.add_argument("--param", action="append", default=[], metavar="PATH=SPEC",
                   help="a parameter and its values: a:b:step, a,b,c, or a:b with --lhs (repeatable)")
    p.add_argument("--experiment", action="append", metavar="NAME",
                   help='an experiment to cross with (repeatable; "none" for a run without faults)')
    p.add_argument("--replications", type=int, default=1, metavar="R", help="seeds per point (default 1)")
    p.add_argument("--lhs", type=int, metavar="N", help="N points of a Latin hypercube instead of a grid")
    add_duration_argument(p)
    p.add_argument("--warmup", type=float, default=0.0, metavar="S", help="seconds left out of the figures")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="seed of replication 0 and of the sample")
    add_bucket_argument(p)
    p.add_argument("--out", metavar="CSV", help="write (and resume) the rows here")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask cluster")
    where.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    where.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: one per core; 1 runs in this process)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--sensitivity", nargs="?", const="", metavar="METRIC",
                   help="after the summary, which parameters move METRIC most (standardized regression "
                        "coefficients and rank correlations; default: the first objective's attainment)")
    p.set_defaults(func=cmd_sweep)


def _plan(args):
    from app.cli_run import parse_run_options, run_duration
    from engine.explore.sweep import plan_sweep

    design = _load(args)
    experiments = None
    if args.experiment:
        experiments = [None if name.strip().lower() in ("none", "") else name for name in args.experiment]
    chosen = [design.experiment(name) for name in experiments or [] if name is not None]
    options = parse_run_options({"duration": run_duration(args, chosen), "warmup": args.warmup, "seed": args.seed,
                                 "bucket": args.bucket})
    return plan_sweep(design, _pairs(args.param, "--param"), options, experiments=experiments,
                      replications=args.replications, lhs=args.lhs)


def _length_note(args, sweep) -> str:
    from app.cli_run import duration_note

    note = duration_note(args, [sweep.design.experiment(n) for n in sweep.experiments if n is not None])
    return f" ({note.removesuffix('; ')})" if note else ""


def cmd_sweep(args) -> int:
    """Plan the sweep, run it with a progress bar, print and write the summary; 130 if stopped."""
    from rich.console import Console

    from app.cli_run import output_file_problems
    from engine.explore.executors import SweepError, make_executor
    from engine.explore.runner import run_sweep
    from engine.explore.sensitivity import sensitivity
    from engine.explore.table import summarise, summary_path, units_path, write_summary, write_units
    from engine.model import DesignError, format_seconds

    unwritable = output_file_problems(out=args.out)
    if unwritable:
        raise DesignError(unwritable)
    sweep = _plan(args)
    if args.sensitivity is not None and (args.sensitivity not in sweep.metric_columns or not sweep.axes):
        # refused now, in the engine's words, rather than after every run of the sweep
        sensitivity(sweep, [], args.sensitivity or None)
    out = sys.stdout
    err = Console(stderr=True)
    total = len(sweep)
    print(f'Sweep of "{sweep.design.name}": {len(sweep.points)} point(s) x {len(sweep.experiments)} '
          f"experiment(s) x {sweep.replications} replication(s) = {total} run(s) of "
          f"{format_seconds(sweep.options.duration)}{_length_note(args, sweep)}", file=out)
    started = time.perf_counter()
    rows: list[dict] = []
    interrupted = False
    with make_executor(args.scheduler, args.dask_local, args.workers) as executor:
        print(f"running on {executor.describe()}", file=out)
        progress, bar = _progress(err, total, quiet=args.quiet)
        try:
            with progress:
                def on_row(row, done, of):
                    progress.update(bar, completed=done)

                def on_start(already, of):
                    if already:
                        print(f"{args.out}: {already} of {of} runs already there; running the rest", file=out)
                    progress.update(bar, completed=already)

                rows = run_sweep(sweep, executor, args.out, on_row=on_row, on_start=on_start)
        except KeyboardInterrupt:
            interrupted = True
        except SweepError as exc:
            kept = f"; the finished runs are in {args.out}: run the same command to resume" if args.out else ""
            print(f"error: {exc}{kept}", file=sys.stderr)
            return 2  # runs that could not finish, as the README's statuses say: not a missed objective
    elapsed = time.perf_counter() - started
    if interrupted:
        kept = f"; the finished runs are in {args.out}: run the same command to resume" if args.out else ""
        print(f"\nstopped after {elapsed:.1f} s{kept}", file=sys.stderr)
        return 130
    summary = summarise(sweep, rows)
    print_summary(sweep, summary, out)
    if args.sensitivity is not None:
        for experiment in sweep.experiments:
            print_sensitivity(sweep, rows, args.sensitivity or None, experiment, out)
    print(f"\n{total} runs in {elapsed:.1f} s ({total / elapsed if elapsed else 0:.1f} runs/s)", file=out)
    print_resent(executor, out)
    if args.out:
        written = write_summary(summary_path(args.out), sweep, summary)
        units = write_units(units_path(args.out), sweep, args.out)
        print(f"rows in {args.out}, summary in {written}, units of their columns in {units}", file=out)
    return 0


def print_resent(executor, out) -> None:
    """Say so when runs held by a worker that stopped answering were run again on another."""
    from engine.model import counted

    if executor.resent:
        print(f"{counted(executor.resent, 'run')} held by a worker that stopped answering ran again on another",
              file=out)


def print_sensitivity(sweep, rows, metric: str | None, experiment: str | None, out) -> None:
    """Which parameters move ``metric`` most under ``experiment``, as a table with text bars."""
    from engine.explore.sensitivity import sensitivity, sensitivity_table

    result = sensitivity(sweep, rows, metric, experiment or "")
    fit = "" if math.isnan(result.r_squared) else f", linear fit R² {result.r_squared:.2f}"
    print(f"\nsensitivity of {result.metric} ({experiment or 'no faults'}; {result.runs} runs{fit})", file=out)
    heads, table = sensitivity_table(result)
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip(), file=out)
    for line in table:
        print("  ".join(c.ljust(w) if i in (0, 3) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))).rstrip(), file=out)


def _progress(console, total: int, quiet: bool):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("left"), TimeRemainingColumn(), console=console,
                        disable=quiet or not console.is_terminal, transient=False)
    bar = progress.add_task("sweep", total=total)
    return progress, bar


def print_summary(sweep, summary: list[dict], out) -> None:
    """The summary table (``engine.explore.table.summary_table``), aligned in columns."""
    from engine.explore.table import summary_table
    from engine.explore.worker import objective_words

    heads, table = summary_table(sweep, summary)
    widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(heads)]
    print("\nsummary per point" + (" (mean ± 95 % interval)" if sweep.replications > 1 else ""), file=out)
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths)), file=out)
    print("-" * (sum(widths) + 2 * (len(widths) - 1)), file=out)
    for line in table:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths)), file=out)
    named = {prefix: words for prefix, words in objective_words(sweep.design, (a.path for a in sweep.axes)).items()
             if any(h.startswith(prefix + " ") for h in heads)}
    for prefix, words in named.items():
        print(f"{prefix}: {words}", file=out)


# -- suggest --------------------------------------------------------------------------------------
def add_suggest_parser(sub) -> None:
    """Register ``suggest`` on the command line's sub-parsers."""
    from app.cli_run import add_bucket_argument, add_duration_argument

    p = sub.add_parser(
        "suggest",
        help="try standard mitigations on a design that misses its objectives, and rank them",
        description="Measure a run without faults, then try timeouts from each callee's p99.9, retries "
                    "with a budget, breakers, bulkheads sized by Little's law, load shedding by queue "
                    "wait, fallbacks on services' calls and more instances or workers, each on the calls "
                    "a fault is felt through; run each candidate under the experiment with the same seeds "
                    "and rank them by objectives met, then attainment, then cost (instances x workers); "
                    "fixes that meet every objective by cost, then the fewest settings changed.",
    )
    p.add_argument("design", help="design JSON, project JSON or .faultline file")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project")
    p.add_argument("--experiment", metavar="NAME", help="the experiment to survive (default: no faults)")
    p.add_argument("--no-resilience", action="store_true",
                   help="start from the design with every resilience policy removed")
    p.add_argument("--replications", type=int, default=3, metavar="R", help="seeds per candidate (default 3)")
    add_duration_argument(p)
    p.add_argument("--warmup", type=float, default=0.0, metavar="S", help="seconds left out of the figures")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="seed of replication 0")
    add_bucket_argument(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="candidates shown (default 10)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run the candidates on this Dask cluster")
    where.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    where.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: one run at a time in this process)")
    p.add_argument("--save", metavar="OUT.json", help="write the best candidate's design here")
    p.set_defaults(func=cmd_suggest)


def cmd_suggest(args) -> int:
    """Rank the candidates and print them; 0 if the best meets every objective, 1 if none does."""
    from app.cli_run import output_file_problems, parse_run_options, run_duration
    from engine.explore.executors import SweepError, make_executor
    from engine.explore.suggest import suggest
    from engine.model import DesignError, Problem

    problems = output_file_problems(save=args.save)
    if problems:
        raise DesignError(problems)
    design = _load(args)
    chosen = [design.experiment(args.experiment)] if args.experiment else []
    options = parse_run_options({"duration": run_duration(args, chosen), "warmup": args.warmup, "seed": args.seed,
                                 "bucket": args.bucket})
    if args.top < 1:
        raise DesignError([Problem("--top", f"must be at least 1 (got {args.top})")])
    started = time.perf_counter()
    local = args.scheduler is None and args.dask_local is None
    try:
        with make_executor(args.scheduler, args.dask_local,
                           1 if local and args.workers is None else args.workers) as executor:
            found = suggest(design, args.experiment, options, replications=args.replications, executor=executor,
                            start_without_resilience=args.no_resilience)
    except SweepError as exc:
        # as a sweep says it: a worker or the cluster went away, which is no fault of the design
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_suggestions(found, args.top, sys.stdout, stripped=args.no_resilience)
    why = found.out_of_reach()
    if why:
        print("\n" + "\n".join(why), file=sys.stdout)
    left_out = f"; {found.left_out}" if found.left_out else ""
    print(f"\n{found.tried} candidates x {found.replications} replications in "
          f"{time.perf_counter() - started:.1f} s{left_out}", file=sys.stdout)
    print_resent(executor, sys.stdout)
    best = found.ranked[0]
    if args.save:
        from app.store import export_json

        export_json(best.design, args.save)
        print(f'design of "{best.name}" written to {args.save}', file=sys.stdout)
    return 0 if best.meets_all else 1


def print_suggestions(found, top: int, out, stripped: bool = False) -> None:
    """The ranked candidates, best first: objectives met, attainment with its interval, cost,
    and each change in words with its parameter paths; ``stripped`` when the search started from
    the design with its resilience removed (``--no-resilience``)."""
    from engine.explore.worker import objective_words
    from engine.model import format_seconds

    # a design that never had a policy is searched "as it is", not "without its resilience"
    start = "without its resilience" if stripped else "as it is"
    print(f'Fixes for "{found.design.name}" ({start}) under '
          f'{found.experiment or "no faults"}: {format_seconds(found.options.duration)}, '
          f"{found.replications} replication(s) each, ranked by objectives met, attainment, cost; "
          "fixes that meet every objective by cost, then the fewest settings changed", file=out)
    objectives = found.objectives
    words = objective_words(found.design)   # each in words, its parameter path after it
    for rank, candidate in enumerate(found.ranked[:top], start=1):
        verdict = "meets every objective" if candidate.meets_all else \
            f"meets {candidate.objectives_met} of {len(objectives)} objectives"
        print(f"\n{rank}. {candidate.name}: {verdict}, cost {candidate.cost}", file=out)
        for objective in objectives:
            mean, ci = candidate.attainment(objective)
            low, high = candidate.met_interval(objective)
            share = candidate.met_share(objective)
            interval = "" if math.isnan(ci) else f" ± {ci * 100:.2f}"
            print(f"   {words.get(objective, objective)} ({objective}): attainment {mean * 100:.2f}{interval} %, "
                  f"met in {round(share * len(candidate.runs))}/{len(candidate.runs)} runs "
                  f"(95 % {low * 100:.0f}–{high * 100:.0f} %)", file=out)
        for line in candidate.describe().splitlines():
            print(f"   - {line}", file=out)
