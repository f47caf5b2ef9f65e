"""``faultline check``: run a design's experiments and judge its objectives, for CI pipelines.

Exit status: 0 when every objective is met (in every replication), 1 when any is missed,
2 on invalid input. ``--junit`` writes one test case per objective and run, so any CI
system shows the verdicts; ``--json`` writes them with their intervals.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:  # the engine is imported by the command that runs, not by ``--help``
    from engine.model import RecoverySettings
    from engine.objectives import ReplicatedObjective, ReplicatedRecovery

NO_FAULTS = "(no faults)"
CHECK_FORMAT = "faultline-check"
CHECK_VERSION = 1


def add_check_parser(sub) -> None:
    from app.cli_run import add_bucket_argument, add_duration_argument, add_max_buckets_argument

    p = sub.add_parser(
        "check",
        help="run a design's experiments and judge its objectives (exit 1 when any is missed)",
        description="Simulate a design and judge every client objective: attainment with its "
                    "interval, met or missed, and recovery after each fault. Without --experiment "
                    "the design runs without faults; --all-experiments runs that and every "
                    "experiment. Exit status: 0 all objectives met (in every replication), 1 any "
                    "missed, 2 invalid input.",
    )
    p.add_argument("design", help="design JSON, project JSON or .faultline file")
    p.add_argument("--design", dest="design_name", metavar="NAME", help="which design of a project to check")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--experiment", metavar="NAME", help="judge the objectives under this experiment")
    which.add_argument("--all-experiments", action="store_true",
                       help="judge them without faults and under every experiment of the design")
    p.add_argument("--replications", type=int, default=1, metavar="R",
                   help="run R seeds: the share of replications meeting each objective, with 95%% intervals")
    add_duration_argument(p)
    p.add_argument("--warmup", type=float, default=0.0, metavar="S", help="seconds left out of the verdicts")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="random seed (default 1): the same seed gives the same run; replication k uses N+k")
    add_bucket_argument(p)
    add_max_buckets_argument(p)
    p.add_argument("--no-resilience", action="store_true", help="disable every resilience policy")
    p.add_argument("--tolerance", type=float, metavar="SHARE",
                   help="recovered within this share of the pre-fault attainment (default: each client's own)")
    p.add_argument("--hold", type=float, metavar="S",
                   help="for this many seconds in a row (default: each client's own)")
    p.add_argument("--junit", metavar="OUT.xml", help="write the verdicts as JUnit XML (\"-\": to standard output)")
    p.add_argument("--json", metavar="OUT", help="write the verdicts as JSON (\"-\": to standard output)")
    p.set_defaults(func=cmd_check)


@dataclass
class CheckedRun:
    """The verdicts of one experiment (or of the fault-free run) across replications."""

    experiment: str
    objectives: list[ReplicatedObjective]
    recovery: list[ReplicatedRecovery]

    def missed(self) -> list[ReplicatedObjective]:
        return [o for o in self.objectives if o.met < o.replications]


def cmd_check(args) -> int:
    from app.cli_run import (
        bucket_options,
        duration_note,
        load_design,
        output_file_problems,
        parse_run_options,
        run_duration,
        summary_stream,
    )
    from engine.compare import run_comparison
    from engine.grid import BucketGrid
    from engine.model import DesignError, format_seconds
    from engine.model.validation import experiment_problems
    from engine.objectives import across_replications

    unwritable = output_file_problems(("junit", "json"), junit=args.junit, json=args.json)
    if unwritable:
        raise DesignError(unwritable)
    design = load_design(args).check()
    if not any(getattr(c, "objectives", None) for c in design.components):
        raise DesignError([f'design "{design.name}" has no objectives to check: give a client an '
                           "availability or latency objective"])
    if args.replications < 1:
        raise DesignError(["--replications must be at least 1"])
    recovery = _recovery_override(args)
    if args.experiment:
        experiments = [design.experiment(args.experiment)]
    elif args.all_experiments:
        experiments = [None, *design.experiments]
    else:
        experiments = [None]
    options = parse_run_options({
        "duration": run_duration(args, experiments), "warmup": args.warmup, "seed": args.seed,
        "bucket": args.bucket, "resilience": not args.no_resilience, **bucket_options(args),
    })
    for experiment in experiments:
        problems = experiment_problems(design, experiment, options.duration) if experiment else []
        if problems:
            raise DesignError(problems)

    checked = []
    for experiment in experiments:
        comparison = run_comparison(design, options, experiment, replications=args.replications, compare=False)
        verdicts = [r.verdicts(recovery) for r in comparison.main]
        objectives, recoveries = across_replications(verdicts)
        checked.append(CheckedRun(experiment.name if experiment else NO_FAULTS, objectives, recoveries))

    # Each file whole or not at all, an earlier one kept if the write fails: a CI job that reads
    # the verdicts never reads half of them. A failed save is a message (ProjectFileError). The
    # files come before the table: a reader of the table that stops early (| head) must not cost them.
    written = []
    if args.junit:
        written += _write(args.junit, junit_xml(design.name, checked), "JUnit XML")
    if args.json:
        written += _write(args.json, json.dumps(check_json(design.name, checked, args.replications),
                                                indent=1, allow_nan=False).encode("utf-8"), "verdicts")
    out = summary_stream(args.junit, args.json)
    length = f"{format_seconds(options.duration)} runs ({duration_note(args, experiments)}seed {options.seed})"
    print_verdicts(design.name, checked, args.replications, out, length)
    grid = BucketGrid.of_options(options)
    if grid.coarsened:
        print(f"recovery measured in {grid.describe()}: a dip shorter than a bucket is averaged into it", file=out)
    for line in written:
        print(line, file=out)
    return 1 if any(run.missed() for run in checked) else 0


def _recovery_override(args) -> RecoverySettings | None:
    if args.tolerance is None and args.hold is None:
        return None
    from pydantic import ValidationError

    from engine.model import DesignError, RecoverySettings
    from engine.model.design import field_problems

    values = {k: v for k, v in (("tolerance", args.tolerance), ("hold", args.hold)) if v is not None}
    try:
        return RecoverySettings(**values)
    except ValidationError as exc:
        raise DesignError([f"--{p.message}" for p in field_problems(exc)]) from None


# ---------------------------------------------------------------- rendering
def attainment_text(o: ReplicatedObjective) -> str:
    """``99.62 %``, or with replications ``99.62 % ± 0.11``; a latency objective adds its
    percentile: ``99.95 % (p99 939 ms)``."""
    from engine.model import format_seconds

    if math.isnan(o.attainment):
        return "no requests"
    text = f"{o.attainment * 100:.2f} %"
    if not math.isnan(o.attainment_ci):
        text += f" ± {o.attainment_ci * 100:.2f}"
    if o.measured is not None:
        # the label starts with "pN": show the percentile the objective bounds
        pn = f"{o.label.split()[0]} {format_seconds(o.measured)}"
        if o.measured_ci is not None and not math.isnan(o.measured_ci):
            pn += f" ± {format_seconds(o.measured_ci)}"
        text += f" ({pn})"
    return text


def met_text(o: ReplicatedObjective) -> str:
    """``met`` / ``MISSED``, or with replications ``4/5 met (38-96 %)`` (Wilson 95 %)."""
    if o.replications == 1:
        return "met" if o.met else "MISSED"
    verdict = "met" if o.met == o.replications else "MISSED"
    return (f"{verdict} {o.met}/{o.replications} "
            f"({o.share_met_low * 100:.0f}-{o.share_met_high * 100:.0f} %)")


def recovery_text(r: ReplicatedRecovery) -> str:
    """What happened after one fault, across replications."""
    return _recovery_words(r) + _missed_before(r)


def _recovery_words(r: ReplicatedRecovery) -> str:
    from engine.model import format_seconds

    if not r.fault_ends:
        return f"{r.fault_title}: lasts until the end"
    if r.recovered == 0:
        return f"{r.fault_title}: did not recover by the end of the run"
    if r.recovered == r.replications and math.isnan(r.time_to_impact) and not r.time_to_recover:
        return f"{r.fault_title}: not impacted"   # as the window says it: no run was ever below
    ttr = format_seconds(r.time_to_recover) if r.time_to_recover else "0 s"
    if r.time_to_recover_most > r.time_to_recover_least:   # nan with one run
        # the runs' range, not mean ± t: whole buckets, never negative ("250 ms ± 796 ms" over 0, 0, 0, 1 s)
        least = format_seconds(r.time_to_recover_least) if r.time_to_recover_least else "0 s"
        ttr = f"{least} to {format_seconds(r.time_to_recover_most)} (mean {ttr})"
    share = "" if r.recovered == r.replications else f" in {r.recovered}/{r.replications}"
    return f"{r.fault_title}: recovered in {ttr}{share}"


def _missed_before(r: ReplicatedRecovery) -> str:
    """Recovery returns to the level before the fault: say when that level already missed."""
    if not r.missed_before:
        return ""
    runs = "" if r.missed_before == r.replications else f" in {r.missed_before}/{r.replications}"
    return f"; missed before the fault too{runs}"


def _write(name: str, data: bytes, what: str) -> list[str]:
    """Write ``data`` to the file ``name`` or, for ``-``, to standard output; returns what to tell of it."""
    from app.cli_run import STDOUT
    from app.store import save_file

    if name == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.buffer.flush()
        return []
    save_file(name, data)
    return [f"{what} written to {name}"]


def print_verdicts(design_name: str, checked: list[CheckedRun], replications: int, out, length: str = "") -> None:
    reps = f", {replications} replications with 95 % intervals" if replications > 1 else ""
    print(f'Objectives of design "{design_name}"{", " + length if length else ""}{reps}', file=out)
    rows = []
    for run in checked:
        for o in run.objectives:
            windows = [r for r in run.recovery if (r.client, r.index) == (o.client, o.index)]
            recovery = "; ".join(recovery_text(r) for r in windows) or "-"
            rows.append((f"{o.client}: {o.label}", run.experiment, attainment_text(o), met_text(o), recovery))
    headers = ("objective", "experiment", "attainment", "verdict", "recovery")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip(), file=out)
    print("-" * len(line.rstrip()), file=out)
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=out)
    missed = sum(1 for run in checked for _ in run.missed())
    total = sum(len(run.objectives) for run in checked)
    print(f"\n{total - missed} of {total} objective verdicts met" + (f", {missed} missed" if missed else ""), file=out)


def junit_xml(design_name: str, checked: list[CheckedRun]) -> bytes:
    """JUnit XML: one test suite per experiment, one test case per objective; a miss is a failure."""
    suites = ElementTree.Element("testsuites", name=f"Faultline objectives: {design_name}")
    for run in checked:
        failures = run.missed()
        suite = ElementTree.SubElement(suites, "testsuite", name=f"{design_name} / {run.experiment}",
                                       tests=str(len(run.objectives)), failures=str(len(failures)), errors="0")
        for o in run.objectives:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{design_name}.{o.client}",
                                          name=f"{o.label} [{run.experiment}]")
            windows = [r for r in run.recovery if (r.client, r.index) == (o.client, o.index)]
            if o in failures:
                failure = ElementTree.SubElement(
                    case, "failure", type="ObjectiveMissed",
                    message=f"attainment {attainment_text(o)}, target {_target_text(o)}: {met_text(o)}",
                )
                failure.text = "\n".join(recovery_text(r) for r in windows)
            if windows:
                ElementTree.SubElement(case, "system-out").text = "\n".join(recovery_text(r) for r in windows)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)


def _target_text(o: ReplicatedObjective) -> str:
    return f"{o.target * 100:g} %"


def check_json(design_name: str, checked: list[CheckedRun], replications: int) -> dict:
    """The verdicts as a JSON document (``"format": "faultline-check"``)."""
    return {
        "format": CHECK_FORMAT,
        "version": CHECK_VERSION,
        "design": design_name,
        "replications": replications,
        "passed": not any(run.missed() for run in checked),
        "runs": [{"experiment": run.experiment,
                  "objectives": [o.to_json_dict() for o in run.objectives],
                  "recovery": [r.to_json_dict() for r in run.recovery]} for run in checked],
    }
