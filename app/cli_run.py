"""``faultline run``: simulate a design headless and print what happened."""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine is imported when the command runs, not by ``--help``
    from engine.compare import Comparison
    from engine.results import RunResult


def add_run_parser(sub) -> None:
    p = sub.add_parser(
        "run",
        help="simulate a design (JSON or .faultline) and print a summary",
        description="Simulate a design headless. Results go to stdout as a table, and optionally to "
                    "a results JSON file and a folder of CSV files.",
    )
    p.add_argument("design", help="design JSON, project JSON or .faultline file")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project to run")
    p.add_argument("--experiment", metavar="NAME", help="the experiment (set of faults) to run")
    add_duration_argument(p)
    p.add_argument("--warmup", type=float, default=0.0, metavar="S", help="seconds left out of the summary")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="random seed (default 1): the same seed gives the same run; replication k uses N+k")
    add_bucket_argument(p)
    add_max_buckets_argument(p)
    p.add_argument("--no-resilience", action="store_true", help="disable every resilience policy")
    p.add_argument("--compare", action="store_true",
                   help="also run without resilience on the same random numbers, and show the difference")
    p.add_argument("--baseline", action="store_true", help="with --compare: also run without faults")
    p.add_argument("--replications", type=int, default=1, metavar="R",
                   help="run R seeds (in parallel processes) and report means with 95%% confidence intervals")
    p.add_argument("--memory-budget", metavar="SIZE", default=None,
                   help="memory a run may use, e.g. 512M or 4G (default 2G): a run estimated to need more is "
                        "refused, one that outgrows it stops with its partial results")
    p.add_argument("--json", metavar="OUT", help="write the results JSON here (\"-\": to standard output, "
                   "the summary then going to standard error)")
    p.add_argument("--csv", metavar="DIR", help="write CSV tables into this folder; with --compare, those of the run "
                   "without resilience (and of --baseline's run) into its sub-folders unprotected (and baseline)")
    p.add_argument("--report", metavar="REPORT.html", help="write the HTML report the window's File > Report writes, "
                   "pictures included")
    p.set_defaults(func=cmd_run)


def add_duration_argument(p) -> None:
    p.add_argument("--duration", type=float, default=None, metavar="S",
                   help="simulated seconds (default: 60, or 60 after the experiment's last fault ends "
                        "if that is later)")


def run_duration(args, experiments) -> float:
    """``--duration`` if given, else the length that holds every fault of ``experiments`` and its
    recovery (``engine.model.covering_duration``): the one rule behind run, check, sweep and suggest."""
    from engine.model import covering_duration

    return args.duration if args.duration is not None else covering_duration(experiments)


def duration_note(args, experiments) -> str:
    """How the run length was chosen, for the line that states it: empty when given."""
    from engine.model import duration_reason

    return "" if args.duration is not None else f"{duration_reason(experiments)}; "


def parse_run_options(raw: dict):
    """``engine.model.parse_options`` with each problem said in the name of the option that set
    the value: ``--max-buckets must be at least 1``, not ``run options: max_buckets ...``."""
    from engine.model import DesignError, Problem, parse_options

    try:
        return parse_options(raw)
    except DesignError as exc:
        problems = []
        for problem in exc.problems:
            field, _, rest = problem.message.partition(" ")
            problems.append(Problem("", f"--{field.replace('_', '-')} {rest}") if field in raw else problem)
        raise DesignError(problems) from None


def add_bucket_argument(p) -> None:
    p.add_argument("--bucket", type=float, default=1.0, metavar="S",
                   help="metric bucket width, the resolution of recovery times (default 1 s; a run may be at "
                        "most a million of them long)")


def add_max_buckets_argument(p) -> None:
    p.add_argument("--max-buckets", type=int, default=None, metavar="N",
                   help="buckets a run keeps (default 10000): a longer run doubles the bucket width until it fits")


def bucket_options(args) -> dict:
    """The run options ``--max-buckets`` sets, if given."""
    return {} if args.max_buckets is None else {"max_buckets": args.max_buckets}


def load_design(args):
    """The design named by ``args.design`` (a file) and ``args.design_name`` (which one of a project)."""
    from app.store import ProjectFileError, load_design_from_path
    from engine.model import DesignError

    try:
        return load_design_from_path(args.design, args.design_name)
    except ProjectFileError as exc:
        raise DesignError([str(exc)]) from None


# A file option given as "-" writes to standard output, as in most command-line tools; the
# summary the command prints then goes to standard error, so that the output is the file alone.
STDOUT = "-"


def output_file_problems(to_stdout: tuple[str, ...] = (), **files: str | None) -> list[str]:
    """What keeps each file given by option (``json="out.json"`` for ``--json``) from being written
    where asked, found before any simulation: a run of minutes is not lost to a mistyped folder.
    The options named in ``to_stdout`` may be ``-``, one at a time."""
    problems = []
    piped = [_flag(option) for option, name in files.items() if name == STDOUT and option in to_stdout]
    if len(piped) > 1:
        problems.append(f"{' and '.join(piped)} both ask for standard output (\"-\"); give one of them a file name")
    for option, name in files.items():
        if not name:
            continue
        flag = _flag(option)
        if name == STDOUT:
            if option not in to_stdout:
                problems.append(f"{flag} -: this file cannot go to standard output; give a file name")
            continue
        path = Path(name)
        if path.is_dir():
            problems.append(f'{flag} {name}: "{name}" is a folder; give a file name inside it')
        elif not path.parent.is_dir():
            problems.append(f'{flag} {name}: the folder "{path.parent}" does not exist')
    return problems


def _flag(option: str) -> str:
    return f"--{option.replace('_', '-')}"


def summary_stream(*files: str | None):
    """Where a command prints its summary: standard error when one of its files goes to standard output."""
    return sys.stderr if STDOUT in files else sys.stdout


def output_problems(json_out: str | None, csv_dir: str | None) -> list[str]:
    """What keeps the results from being written where asked, found before any simulation."""
    problems = output_file_problems(("json",), json=json_out)
    if csv_dir:
        path = Path(csv_dir)
        if path.exists() and not path.is_dir():
            problems.append(f'--csv {csv_dir}: "{csv_dir}" is a file, not a folder')
        else:
            parent = next((p for p in path.parents if p.exists()), None)
            if parent is not None and not parent.is_dir():
                problems.append(f'--csv {csv_dir}: "{parent}" is a file, not a folder')
    return problems


_SIZE_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}


def parse_size(text: str, option: str = "--memory-budget") -> int:
    """``512M``, ``4G``, ``1.5GiB``, ``1000000000``: a size in bytes (units are powers of 1024)."""
    from engine.model import DesignError

    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = raw[-1:] if raw[-1:] in _SIZE_UNITS else ""
    number = raw[:-1] if unit else raw
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise DesignError([f"{option} {text!r} is not a size (write it like 512M, 4G or 1.5GiB)"])
    return int(value * _SIZE_UNITS[unit])


def memory_budget(text: str) -> int:
    """``--memory-budget``'s size, said in sizes when out of the range a run's budget may have."""
    from engine import format_bytes
    from engine.model import DesignError
    from engine.model.design import MEMORY_BUDGET_RANGE

    size = parse_size(text)
    low, high = MEMORY_BUDGET_RANGE
    if not low <= size <= high:
        raise DesignError([f"--memory-budget {text}: a run's budget is from {format_bytes(low)} to "
                           f"{format_bytes(high)} (got {format_bytes(size)})"])
    return size


def cmd_run(args) -> int:
    """Simulate as asked and print the summary; status 0, 2 (stopped, invalid) or 130 (Ctrl+C)."""
    from engine.model import DesignError
    from engine.model.validation import experiment_problems

    problems = output_problems(args.json, args.csv) + output_file_problems(report=args.report)
    if problems:
        raise DesignError(problems)
    design = load_design(args).check()
    experiment = design.experiment(args.experiment) if args.experiment else None
    raw_options = {
        "duration": run_duration(args, [experiment]), "warmup": args.warmup, "seed": args.seed,
        "bucket": args.bucket, "resilience": not args.no_resilience,
    }
    if args.memory_budget is not None:
        raw_options["memory_budget"] = memory_budget(args.memory_budget)
    raw_options.update(bucket_options(args))
    options = parse_run_options(raw_options)
    if experiment is not None:
        unfit = experiment_problems(design, experiment, options.duration)
        if unfit:
            raise DesignError(unfit)
    if args.replications < 1:
        raise DesignError(["--replications must be at least 1"])
    if args.baseline and not args.compare:
        raise DesignError(["--baseline needs --compare"])
    if args.compare and args.no_resilience:
        raise DesignError(["--compare already runs without resilience; drop --no-resilience"])
    from engine.plan import RunPlan

    plan = RunPlan(options=options, compare=args.compare, baseline=args.baseline, replications=args.replications)
    note = duration_note(args, [experiment])
    if args.compare or args.replications > 1:
        return _run_comparison(args, design, plan, experiment, note)
    return _run_once(args, design, plan, experiment, note)


def _run_once(args, design, plan, experiment, note: str = "") -> int:
    from engine.simulation import RunStopped, Simulation

    out = summary_stream(args.json)
    sim = Simulation(design, plan.options, experiment)
    status = 0
    try:
        sim.result()
    except RunStopped:
        status = 2
    except KeyboardInterrupt:
        sim.interrupted()
        status = 130
    # The results so far: the whole run, or what was measured before it stopped.
    main_result = sim.snapshot()
    _print_and_write(args, design, {plan.variants[0]: main_result}, None, out, note)
    if sim.stopped:
        # the engine's message says "Interrupted at ..." itself; any other stop is an error
        print(f"{'' if status == 130 else 'error: '}{sim.stop_message}\n"
              f"The results above cover what was measured until then.", file=sys.stderr)
    return status


def _run_comparison(args, design, plan, experiment, note: str = "") -> int:
    from engine.compare import ComparisonInterrupted, run_plan
    from engine.simulation import check_replications

    out = summary_stream(args.json)
    check_replications(design, plan.options, experiment, runs=len(plan.jobs()), at_once=os.cpu_count() or 1)
    def progress(finished: int, planned: int) -> None:
        # on stderr, as each run ends: a long comparison shows it is moving, stdout stays the table
        print(f"{finished} of {planned} runs finished", file=sys.stderr, flush=True)

    try:
        comparison = run_plan(design, plan, experiment, progress=progress)
    except ComparisonInterrupted as stop:
        partial = stop.partial
        if partial is not None:
            _print_comparison_outputs(args, design, partial, out, note)
        print(f"interrupted: {stop.finished} of {stop.planned} replications finished"
              + ("; the results above cover those." if partial is not None else "; nothing to show."),
              file=sys.stderr)
        return 130
    _print_comparison_outputs(args, design, comparison, out, note)
    return 0


def _print_comparison_outputs(args, design, comparison: Comparison, out, note: str = "") -> None:
    _print_and_write(args, design, {v: runs[0] for v, runs in comparison.runs.items() if runs}, comparison, out, note)


def _print_and_write(args, design, results: dict[str, RunResult], comparison: Comparison | None, out,
                     note: str = "") -> None:
    """The files first, then the summary: a reader that stops reading (``| head``) must not keep the
    files from being written, nor a closed output pass for a file that could not be."""
    from engine.model import DesignError

    main_result = comparison.main[0] if comparison is not None else next(iter(results.values()))
    failed: DesignError | None = None
    try:
        written = write_outputs(args, main_result, comparison)
        if args.report:
            from app.cli_report import write_run_report

            written.append(write_run_report(args.report, design, results, comparison))
    except DesignError as exc:
        failed, written = exc, []
    print_summary(main_result, out, note)
    if comparison is not None:
        print_comparison(comparison, out)
    for line in written:
        print(line, file=out)
    if failed is not None:
        raise failed


def write_outputs(args, main_result: RunResult, comparison: Comparison | None) -> list[str]:
    """Write the results JSON and CSV tables asked for; returns what to tell of them. A failed write
    is a message (a DesignError naming the file), not a traceback."""
    from engine.model import DesignError
    from engine.results import dump_json

    said = []
    try:
        if args.json == STDOUT:
            dump_json((comparison or main_result).json_parts(), sys.stdout.write)
            sys.stdout.write("\n")
        elif args.json:
            (comparison or main_result).write_json(args.json)
            said.append(f"\nresults written to {args.json}")
        if args.csv:
            written = main_result.write_csv(args.csv)
            # every other run of a comparison (without resilience, without faults) in a folder of
            # its own name beside the main one: the JSON holds them all, so must the tables
            for variant, runs in (comparison.runs.items() if comparison is not None else ()):
                if runs and runs[0] is not main_result:
                    written += runs[0].write_csv(Path(args.csv) / variant)
            said.append(f"{len(written)} CSV files written to {args.csv}")
    except OSError as exc:
        where = exc.filename or args.json or args.csv
        raise DesignError([f"cannot write {where}: {exc.strerror or exc}"]) from None
    return said


def _ms(seconds: float) -> str:
    from engine.model import format_seconds

    return format_seconds(seconds) if seconds else "-"


def _clock(seconds: float) -> str:
    """A time since the start in plain seconds, as the event log gives it: ``90``, ``1,500,000``
    (``:g`` alone writes ``1.5e+06`` past a million)."""
    return f"{seconds:,.0f}" if abs(seconds) >= 1e4 else f"{seconds:g}"


def _count(value) -> str:
    return "-" if value is None else f"{int(value):,}"


def print_summary(result: RunResult, out, note: str = "") -> None:
    """The run's headline, its table per component, objectives, outcomes and calls; ``note`` says
    how the run length was chosen when it was not given."""
    from engine.grid import BucketGrid
    from engine.simulation import format_bytes

    meta = result.meta
    exp = f', experiment "{meta["experiment"]}"' if meta.get("experiment") else ""
    opts = meta["options"]
    from engine.model import format_seconds

    simulated = (format_seconds(opts["duration"]) if meta.get("finished", True)
                 else f'{format_seconds(meta["simulated_time"])} of {format_seconds(opts["duration"])}')
    print(f'Design "{meta["design"]}"{exp}: {simulated} simulated '
          f'({note}warm-up {format_seconds(opts["warmup"])}, seed {meta["seed"]}, '
          f'resilience {"on" if opts["resilience"] else "off"}) '
          f'in {meta["wall_time"]:.2f} s wall, {meta["events_processed"]:,} events', file=out)
    grid = BucketGrid.of_meta(meta)
    if grid.coarsened:
        print(f"series in {grid.describe()}", file=out)
    header = (f'{"component":<22}{"kind":<14}{"req/s":>9}{"errors":>8}{"p50":>10}{"p99":>10}{"util":>7}{"queue":>10}'
              f'{"peak q":>10}')
    print("\n" + header, file=out)
    print("-" * len(header), file=out)
    for name in result.components:
        s = result.summary["components"][name]
        print(f'{name[:21]:<22}{s["kind"]:<14}{s["throughput"]:>9.1f}{s["error_rate"] * 100:>7.1f}%'
              f'{_ms(s["latency_p50"]):>10}{_ms(s["latency_p99"]):>10}'
              f'{s["utilisation"] * 100:>6.0f}%{s["mean_queue_length"]:>10.1f}{_count(s.get("queue_peak")):>10}',
              file=out)
    memory = meta.get("memory")
    if memory:
        print(f'\nmemory: {format_bytes(memory["used_bytes"])} of the {format_bytes(memory["budget_bytes"])} budget '
              f'(metrics {format_bytes(memory["metrics_bytes"])}, requests and calls in flight at most '
              f'{format_bytes(memory["pools_bytes"])}, results {format_bytes(memory["results_bytes"])})', file=out)
    print_objectives(result, out)
    failing = [(n, s) for n, s in result.summary["components"].items() if s["completed"] and s["error_rate"] > 0]
    if failing:
        print("\noutcomes (non-ok):", file=out)
        for n, s in failing:
            parts = [f"{k} {_count(v)}" for k, v in s["outcomes"].items() if k != "ok" and v]
            print(f"  {n}: " + ", ".join(parts), file=out)
    guarded = [(n, s) for n, s in result.summary["links"].items() if s["retries"] or s["breaker_state"]
               or s["bulkhead_rejected"] or s["breaker_rejected"]]
    if guarded:
        print("\ncalls:", file=out)
        for n, s in guarded:
            extra = f', breaker {s["breaker_state"]}' if s["breaker_state"] else ""
            print(f'  {n}: {_count(s["calls"])} calls, {s["attempts_per_call"]:.2f} attempts/call, '
                  f'{_count(s["retries"])} retries, {_count(s["breaker_rejected"])} short-circuited, '
                  f'{_count(s["bulkhead_rejected"])} bulkhead-rejected{extra}', file=out)
    faults = [e for e in result.events if e["kind"] in ("fault_started", "fault_ended")]
    if meta.get("faults"):
        print("\nfaults:", file=out)
        for f in meta["faults"]:
            starts = [e["time"] for e in faults if e["fault_id"] == f["id"] and e["kind"] == "fault_started"]
            ends = [e["time"] for e in faults if e["fault_id"] == f["id"] and e["kind"] == "fault_ended"]
            when = ", ".join(f"{_clock(s)}-{_clock(ends[i] if i < len(ends) else opts['duration'])} s"
                             for i, s in enumerate(starts))
            print(f'  {f["title"]}: {when or "did not fire"}', file=out)
    others = [e for e in result.events if e["kind"] not in ("fault_started", "fault_ended")]
    if others:
        # One line per kind with its count, then its first entries: a storm of one kind of
        # event must not hide the rarer ones (a breaker opening) that matter more.
        by_kind: dict[str, list] = {}
        for e in others:
            by_kind.setdefault(e["kind"], []).append(e)
        dropped = f", {result.events_dropped} dropped" if result.events_dropped else ""
        print(f"\nevent log ({len(result.events)} events{dropped}):", file=out)
        for kind, entries in by_kind.items():
            print(f"  {kind} x{len(entries)}", file=out)
            for e in entries[:3]:
                where = e["link"] or e["component"] or ""
                print(f'    {e["time"]:9.3f} s  {where:<24} {e["details"]}', file=out)


def print_objectives(result: RunResult, out) -> None:
    """One line per client objective: attainment, met or missed, recovery after each fault."""
    from app.cli_check import attainment_text, met_text, recovery_text
    from engine.objectives import across_replications

    objectives, recoveries = across_replications([result.verdicts()])
    if not objectives:
        return
    print("\nobjectives:", file=out)
    for o in objectives:
        windows = [recovery_text(r) for r in recoveries if (r.client, r.index) == (o.client, o.index)]
        after = f'; {"; ".join(windows)}' if windows else ""
        print(f"  {o.client}: {o.label}: {attainment_text(o)} {met_text(o)}{after}", file=out)


def _fmt_ci(mean: float | None, ci: float | None, scale: float = 1.0, digits: int = 3) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    text = f"{mean * scale:.{digits}g}"
    if ci is not None and not math.isnan(ci):
        text += f" ± {ci * scale:.2g}"
    return text


def print_comparison(comparison: Comparison, out) -> None:
    reps = comparison.replications
    print(f"\ncomparison, {reps} replication(s)" + (" with 95 % confidence intervals" if reps > 1 else ""), file=out)
    from engine.plan import VARIANTS

    variants = [v for v in VARIANTS if v in comparison.runs]
    header = f'{"component":<20}{"metric":<18}' + "".join(f"{v:>22}" for v in variants)
    if {"protected", "unprotected"} <= comparison.runs.keys():
        header += f'{"difference":>22}'
    print(header, file=out)
    print("-" * len(header), file=out)
    shown = ("throughput", "error_rate", "latency_p50", "latency_p99", "utilisation")
    for row in comparison.table:
        if row["metric"] not in shown:
            continue
        metric = row["metric"]
        scale = 100.0 if metric in ("error_rate", "utilisation") else (1000.0 if "latency" in metric else 1.0)
        unit = {100.0: " %", 1000.0: " ms"}.get(scale, "/s")
        line = f'{row["component"][:19]:<20}{row["metric"] + unit:<18}'
        for v in variants:
            line += f'{_fmt_ci(row.get(v), row.get(v + "_ci"), scale):>22}'
        if "difference" in row:
            line += f'{_fmt_ci(row["difference"], row["difference_ci"], scale):>22}'
        print(line, file=out)
