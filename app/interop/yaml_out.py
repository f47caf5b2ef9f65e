"""Writing YAML with comments beside the values that need one (PyYAML writes no comments)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Commented:
    """A value and the comment written after it; a None value is written as a comment only."""

    value: Any
    comment: str


def scalar(value: Any) -> str:
    """One value in YAML's flow form, quoted only when plain text would read differently."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text[:-3].strip() if text.endswith("\n...") else text


def _lines(tree: Any, indent: int) -> list[str]:
    pad = "  " * indent
    out: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            key_text = scalar(str(key))
            if isinstance(value, Commented):
                if value.value is None:
                    out.append(f"{pad}# {key_text}: {value.comment}")
                else:
                    out.append(f"{pad}{key_text}: {scalar(value.value)}  # {value.comment}")
            elif isinstance(value, (dict, list)) and value:
                out.append(f"{pad}{key_text}:")
                out += _lines(value, indent + 1)
            else:
                out.append(f"{pad}{key_text}: {scalar(value)}")
    elif isinstance(tree, list):
        for item in tree:
            if isinstance(item, (dict, list)) and item:
                inner = _lines(item, indent + 1)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out += inner[1:]
            else:
                out.append(f"{pad}- {scalar(item)}")
    return out


def dump(tree: Any, header: Sequence[str] = ()) -> str:
    """``tree`` as block YAML, ``header`` lines as leading comments."""
    return "\n".join([f"# {line}" for line in header] + _lines(tree, 0)) + "\n"


def dump_documents(documents: list[tuple[Any, list[str]]]) -> str:
    """Several documents, separated by ``---``, each with its header comments."""
    return "---\n".join(dump(tree, header) for tree, header in documents)
