"""What one request to run asks for, from the window or the command line: the one definition of
a run's variants and replications.

A plan runs the design "protected" (with its resilience patterns) and, when comparing, also
"unprotected" (without them) and, with a baseline, without faults; every variant on the seeds
``seed, seed+1, ...``, one per replication. A variant of one replication shares its seed with the
others, so their difference is the patterns' effect and not noise (common random numbers).
Whoever executes a plan (the window's worker in threads, ``engine.compare`` in processes) takes
its variants, seeds and options from here.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .model import RunOptions

# Every variant a plan may hold, in the order they are run, listed and tabled.
VARIANTS = ("protected", "unprotected", "baseline")


class RunPlan(BaseModel):
    """A run's options, which variants it runs and over how many replications."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    options: RunOptions = Field(default_factory=RunOptions)
    compare: bool = Field(False, description="also run without resilience, on the same seeds")
    baseline: bool = Field(False, description="also run without faults, on the same seeds")
    replications: int = Field(1, ge=1, le=100_000, description="seeds per variant")

    @property
    def variants(self) -> tuple[str, ...]:
        """The variants run, in ``VARIANTS`` order. Alone, a run is "unprotected" when its
        options switch resilience off; in a comparison "protected" always has it on."""
        if not self.compare and not self.baseline:
            return ("protected" if self.options.resilience else "unprotected",)
        return tuple(v for v, on in zip(VARIANTS, (True, self.compare, self.baseline)) if on)

    @property
    def seeds(self) -> range:
        """One seed per replication, from the options' seed on."""
        return range(self.options.seed, self.options.seed + self.replications)

    def jobs(self) -> list[tuple[str, int]]:
        """Every (variant, seed) run, replication by replication."""
        return [(v, seed) for seed in self.seeds for v in self.variants]

    def options_for(self, variant: str, seed: int) -> RunOptions:
        """The options of one variant on one seed."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (one of {', '.join(VARIANTS)})")
        return self.options.model_copy(update={
            "seed": seed,
            "resilience": variant != "unprotected",
            # a run whose options switch faults off keeps them off in every variant
            "faults": self.options.faults and variant != "baseline",
        })
