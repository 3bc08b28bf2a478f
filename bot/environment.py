"""The environment variables Lede reads, as ``--help`` lists them: grouped, each with its default and an example.

:mod:`bot.config` reads the variables and fills in the defaults from its own
constants; ``tests/bot/test_help.py`` fails when the code reads a variable
that this list does not document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    meaning: str
    default: str
    example: str


def describe(groups: Sequence[tuple[str, Sequence[Variable]]]) -> str:
    """The ``--help`` epilog: each group's title, then each variable, its default and an example, indented."""
    lines = ["environment variables (flags win over them):"]
    for title, variables in groups:
        lines += ["", f"  {title}:"]
        for variable in variables:
            lines += [f"    {variable.name}", f"        {variable.meaning}",
                      f"        default: {variable.default}; e.g. {variable.name}={variable.example}"]
    return "\n".join(lines)
