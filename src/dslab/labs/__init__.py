"""The registry: every lab's name, in the suggested study order. A lab's module is imported only
when it is asked for, and nothing here is imported by a lab, so the registry has no cycle."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from dslab.errors import InputError

if TYPE_CHECKING:
    from dslab.lab import Lab

#: the labs in study order; a lab ``x`` is ``dslab.labs.x.lab.LAB``
NAMES: tuple[str, ...] = ("raft", "queueing", "hashing", "retries", "quorum", "lsm", "stampede")


def get_lab(name: str) -> Lab:
    """The lab called ``name``; an unknown name is one sentence with a suggestion."""
    if name not in NAMES:
        from dslab.lab import did_you_mean

        raise InputError(f"There is no lab called '{name}'.{did_you_mean(name, NAMES)} "
                         f"Labs: {', '.join(NAMES)}.")
    lab: Lab = import_module(f"dslab.labs.{name}.lab").LAB
    return lab


def all_labs() -> list[Lab]:
    """Every registered lab, in the suggested study order."""
    return [get_lab(name) for name in NAMES]
