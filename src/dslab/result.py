"""What one run of a lab returns: parameters, metrics, theory, checks; stable JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One safety invariant and whether it held; ``detail`` says what was seen, in plain words."""

    name: str
    passed: bool
    detail: str


@dataclass
class Result:
    """One deterministic run. ``series`` and ``story`` feed the plot and the terminal summary;
    the JSON carries the rest."""

    lab: str
    scenario: str
    seed: int
    params: dict[str, Any]
    metrics: dict[str, Any]
    theory: dict[str, Any]
    checks: list[Check]
    series: dict[str, Any] = field(default_factory=dict)
    story: list[str] = field(default_factory=list)
    #: which of the lab's experiments ran (it picks the plot and view; not in the JSON, where the
    #: scenario says it)
    experiment: str = ""

    @property
    def ok(self) -> bool:
        """True when every safety check held."""
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "scenario": self.scenario,
            "seed": self.seed,
            "params": clean(self.params),
            "metrics": clean(self.metrics),
            "theory": clean(self.theory),
            "checks": {c.name: {"passed": c.passed, "detail": c.detail} for c in self.checks},
        }

    def to_json(self) -> str:
        return dumps(self.to_dict())


def clean(value: Any) -> Any:
    """JSON-safe and stable: floats rounded to 6 decimals, NaN and inf as None, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return clean(value.item())
    return str(value)


def dumps(obj: Any) -> str:
    """The one JSON style dslab prints: sorted keys, two-space indent, no NaN."""
    return json.dumps(clean(obj), sort_keys=True, indent=2, allow_nan=False)
