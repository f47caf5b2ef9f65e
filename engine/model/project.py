"""A project: what one ``.faultline`` file holds, apart from saved run results."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .design import Design, DesignError, Problem


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Project(BaseModel):
    """Designs (each with its experiments) under one name."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    format: int = Field(1, ge=1, le=2**31 - 1)
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field("Untitled project", min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    created: datetime = Field(default_factory=_now)
    modified: datetime = Field(default_factory=_now)
    designs: list[Design] = Field(default_factory=list, max_length=1000)

    @field_validator("designs")
    @classmethod
    def _unique_design_names(cls, designs: list[Design]) -> list[Design]:
        seen = set()
        for d in designs:
            if d.name in seen:
                raise ValueError(f'two designs are named "{d.name}"')
            seen.add(d.name)
        return designs

    def design(self, name: str) -> Design:
        for d in self.designs:
            if d.name == name:
                return d
        known = ", ".join(f'"{d.name}"' for d in self.designs) or "none"
        raise DesignError([Problem("", f'no design named "{name}" (this project has: {known})')])
