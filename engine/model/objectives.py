"""Service-level objectives of a user journey (a client), and what "recovered" means for it.

An objective is a target share of good requests over the measured run:

- ``availability``: a request is good when it ends ``ok`` (or ``fallback`` too, if
  ``count_fallback``) and, with a ``latency_threshold``, no slower than it. Every
  request the client completed counts, refusals included.
- ``latency``: the ``percentile``-th percentile of the end-to-end latency is at most
  ``threshold``. Equivalently, at least ``percentile`` % of the answered requests take at
  most ``threshold``; refusals (``rejected``, ``short_circuited``, ``unavailable``) are
  left out, as they are from every latency percentile.

Each field carries its label (``title``), its help (``description``) and its unit
(``json_schema_extra={"unit": ...}``) so that forms and reports read them from here.
"""
from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .distributions import format_seconds

_CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class AvailabilityObjective(BaseModel):
    """A target share of the client's requests that are good."""

    model_config = _CONFIG
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    kind: Literal["availability"] = "availability"
    target: float = Field(
        0.999, gt=0, lt=1, title="Target",
        description="share of requests that must be good, e.g. 99.9 %",
        json_schema_extra={"unit": "ratio"},
    )
    count_fallback: bool = Field(
        False, title="Fallback counts as good",
        description="count requests served degraded (fallback) as good",
    )
    latency_threshold: float | None = Field(
        None, gt=0, le=86_400, title="Latency threshold",
        description="a good request is also no slower than this; empty means any latency",
        json_schema_extra={"unit": "s", "shown_in": "ms"},
    )

    @property
    def title(self) -> str:
        return "Availability"

    def describe(self, swept: Collection[str] = ()) -> str:
        """One line for tables and reports: ``availability 99.9 % (ok, <= 300 ms)``. A ``swept``
        field, which takes another value at each point of a sweep, is named, not given its value."""
        good = "ok or fallback" if self.count_fallback else "ok"
        if "latency_threshold" in swept:
            good += ", <= threshold swept"
        elif self.latency_threshold is not None:
            good += f", <= {_seconds(self.latency_threshold)}"
        target = "target swept" if "target" in swept else _percent(self.target)
        return f"availability {target} ({good})"

    @property
    def good_share_target(self) -> float:
        """The share of good requests that meets the objective."""
        return self.target


class LatencyObjective(BaseModel):
    """The ``percentile``-th percentile of end-to-end latency is at most ``threshold``."""

    model_config = _CONFIG
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    kind: Literal["latency"] = "latency"
    percentile: float = Field(
        99.0, gt=0, lt=100, title="Percentile",
        description="which percentile of the end-to-end latency, e.g. 99 for p99",
        json_schema_extra={"unit": "%"},
    )
    threshold: float = Field(
        0.5, gt=0, le=86_400, title="Threshold",
        description="the percentile must be at most this",
        json_schema_extra={"unit": "s"},
    )

    @property
    def title(self) -> str:
        return "Latency"

    def describe(self, swept: Collection[str] = ()) -> str:
        """One line for tables and reports: ``p99 <= 500 ms``; a ``swept`` field is named, not
        given its value (``percentile swept <= 500 ms``)."""
        percentile = "percentile swept" if "percentile" in swept else f"p{self.percentile:g}"
        threshold = "threshold swept" if "threshold" in swept else _seconds(self.threshold)
        return f"{percentile} <= {threshold}"

    @property
    def good_share_target(self) -> float:
        """The share of answered requests no slower than the threshold that meets the objective."""
        return self.percentile / 100.0


Objective = Annotated[AvailabilityObjective | LatencyObjective, Field(discriminator="kind")]
OBJECTIVE_KINDS = ("availability", "latency")
OBJECTIVE_CLASSES: dict[str, type[AvailabilityObjective] | type[LatencyObjective]] = {
    "availability": AvailabilityObjective, "latency": LatencyObjective}


class RecoverySettings(BaseModel):
    """When a journey counts as recovered after a fault ends.

    Recovered means: attainment is back within ``tolerance`` of its level before the fault,
    and stays there for ``hold`` seconds, judged over those seconds together (one bucket's
    few slow requests more do not undo it; a stalled bucket does). A run that ends before
    that has not recovered.
    """

    model_config = _CONFIG
    tolerance: float = Field(
        0.01, ge=0, lt=1, title="Tolerance",
        description="how far below its pre-fault level attainment may stay and still count as recovered "
                    "(1 % = one percentage point)",
        json_schema_extra={"unit": "ratio"},
    )
    hold: float = Field(
        10.0, gt=0, le=86_400, title="Sustained for",
        description="how long attainment must stay within the tolerance to count as recovered",
        json_schema_extra={"unit": "s"},
    )


def _percent(share: float) -> str:
    return f"{share * 100:.6g} %"


def _seconds(value: float) -> str:
    return format_seconds(value)
