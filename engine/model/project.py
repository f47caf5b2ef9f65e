"""A project: what one ``.faultline`` file holds, apart from saved run results."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .design import FORMAT_VERSION, Design, DesignError, Problem


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Project(BaseModel):
    """Designs (each with its experiments) under one name."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    # Follows the design format: a project of format 1 holds designs of format 1, which read as 2.
    format: int = Field(FORMAT_VERSION, ge=1, le=2**31 - 1)
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field("Untitled project", min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    created: datetime = Field(default_factory=_now)
    modified: datetime = Field(default_factory=_now)
    designs: list[Design] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _current_format(cls, data: Any) -> Any:
        fmt = data.get("format") if isinstance(data, dict) else None
        if isinstance(fmt, int) and not isinstance(fmt, bool) and 1 <= fmt < FORMAT_VERSION:
            return {**data, "format": FORMAT_VERSION}
        return data

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
