"""Probability distributions of times, all parameterised in seconds."""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_STANDARD_NORMAL = NormalDist()
# z value of the 99th percentile: lognormal by (p50, p99) uses it to find sigma.
Z99 = _STANDARD_NORMAL.inv_cdf(0.99)
# Seconds in each unit a time may be typed in ("500 ms", "1.5 s", "2 min"): the panes' fields and
# a sweep's values read the same spellings.
TIME_UNITS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True,
                              serialize_by_alias=True)

    def mean(self) -> float:
        raise NotImplementedError

    def quantile(self, p: float) -> float:
        raise NotImplementedError

    def describe(self) -> str:
        """Short human form, e.g. ``exp(mean 20 ms)``."""
        raise NotImplementedError


def format_seconds(value: float) -> str:
    """Render a duration with the unit an architect would use."""
    if value == 0:
        return "0 s"
    # Each unit up to where three digits would round to a thousand of it ("1e+03 ms"). Past a
    # thousand seconds Python's general format writes powers of ten ("3.6e+03 s"): whole seconds
    # up to a few hours, then hours, then days.
    if abs(value) < 0.9995e-3:
        return f"{value * 1e6:.3g} µs"
    if abs(value) < 0.9995:
        return f"{value * 1e3:.3g} ms"
    if abs(value) < 999.5:
        return f"{value:.3g} s"
    if abs(value) < 1e4:
        return f"{value:,.0f} s"
    if abs(value) < 48 * 3600:
        return f"{value / 3600:.3g} h"
    days = value / 86400
    return f"{days:.3g} days" if abs(days) < 1e3 else f"{days:,.0f} days"


class Constant(_Dist):
    kind: Literal["constant"] = "constant"
    value: float = Field(0.0, ge=0, description="the time, in seconds")

    def mean(self) -> float:
        return self.value

    def quantile(self, p: float) -> float:
        return self.value

    def describe(self) -> str:
        return format_seconds(self.value)


class Exponential(_Dist):
    kind: Literal["exponential"] = "exponential"
    mean_: float = Field(..., alias="mean", gt=0, description="mean, in seconds")

    def mean(self) -> float:
        return self.mean_

    def quantile(self, p: float) -> float:
        return -math.log1p(-p) * self.mean_

    def describe(self) -> str:
        return f"exp(mean {format_seconds(self.mean_)})"


class Uniform(_Dist):
    kind: Literal["uniform"] = "uniform"
    low: float = Field(..., ge=0)
    high: float = Field(..., ge=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"high must be at least low (got low {self.low}, high {self.high})")
        return self

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def quantile(self, p: float) -> float:
        return self.low + p * (self.high - self.low)

    def describe(self) -> str:
        return f"uniform({format_seconds(self.low)}..{format_seconds(self.high)})"


class Normal(_Dist):
    """Normal distribution truncated at 0 (resampled, so it never goes negative)."""

    kind: Literal["normal"] = "normal"
    mean_: float = Field(..., alias="mean", ge=0)
    std: float = Field(..., ge=0)

    def _cdf0(self) -> float:
        if self.std == 0:
            return 0.0
        return NormalDist(self.mean_, self.std).cdf(0.0)

    def mean(self) -> float:
        if self.std == 0:
            return self.mean_
        a = -self.mean_ / self.std
        tail = 1 - _STANDARD_NORMAL.cdf(a)
        return self.mean_ + self.std * _STANDARD_NORMAL.pdf(a) / tail

    def quantile(self, p: float) -> float:
        if self.std == 0:
            return self.mean_
        f0 = self._cdf0()
        return NormalDist(self.mean_, self.std).inv_cdf(f0 + p * (1 - f0))

    def describe(self) -> str:
        return f"normal({format_seconds(self.mean_)} ± {format_seconds(self.std)})"


class LogNormal(_Dist):
    """Lognormal, given either by mean and standard deviation or by p50 and p99."""

    kind: Literal["lognormal"] = "lognormal"
    mean_: float | None = Field(None, alias="mean", gt=0)
    std: float | None = Field(None, ge=0)
    p50: float | None = Field(None, gt=0)
    p99: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_parameterisation(self):
        by_moments = self.mean_ is not None or self.std is not None
        by_percentiles = self.p50 is not None or self.p99 is not None
        if by_moments and by_percentiles:
            raise ValueError("give either mean and std, or p50 and p99, not both")
        if by_percentiles:
            if self.p50 is None or self.p99 is None:
                raise ValueError("p50 and p99 must both be given")
            if self.p99 < self.p50:
                raise ValueError(f"p99 must be at least p50 (got p50 {self.p50}, p99 {self.p99})")
        elif self.mean_ is None or self.std is None:
            raise ValueError("give mean and std, or p50 and p99")
        return self

    def mu_sigma(self) -> tuple[float, float]:
        """Parameters of the underlying normal distribution."""
        p50, p99, mean, std = self.p50, self.p99, self.mean_, self.std
        if p50 is not None and p99 is not None:  # the validator allows both or neither
            return math.log(p50), math.log(p99 / p50) / Z99
        assert mean is not None and std is not None  # the validator's other case
        sigma2 = math.log1p((std / mean) ** 2)
        return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)

    def mean(self) -> float:
        mu, sigma = self.mu_sigma()
        return math.exp(mu + sigma * sigma / 2)

    def quantile(self, p: float) -> float:
        mu, sigma = self.mu_sigma()
        if sigma == 0:
            return math.exp(mu)
        return math.exp(mu + sigma * _STANDARD_NORMAL.inv_cdf(p))

    def describe(self) -> str:
        p50, p99, mean, std = self.p50, self.p99, self.mean_, self.std
        if p50 is not None and p99 is not None:  # the validator allows both or neither
            return f"lognormal(p50 {format_seconds(p50)}, p99 {format_seconds(p99)})"
        assert mean is not None and std is not None  # the validator's other case
        return f"lognormal(mean {format_seconds(mean)}, sd {format_seconds(std)})"


class Empirical(_Dist):
    """Draws uniformly among measured points (a bootstrap of observed times)."""

    kind: Literal["empirical"] = "empirical"
    points: list[Annotated[float, Field(ge=0)]] = Field(..., min_length=1, max_length=100_000)

    def mean(self) -> float:
        return sum(self.points) / len(self.points)

    def quantile(self, p: float) -> float:
        ordered = sorted(self.points)
        index = min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))
        return ordered[index]

    def describe(self) -> str:
        return f"empirical({len(self.points)} points, mean {format_seconds(self.mean())})"


Distribution = Annotated[
    Constant | Exponential | Uniform | Normal | LogNormal | Empirical,
    Field(discriminator="kind"),
]

DISTRIBUTION_KINDS = ("constant", "exponential", "uniform", "normal", "lognormal", "empirical")
