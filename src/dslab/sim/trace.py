"""Structured event records: what happened, when, where; written out as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One thing that happened at ``t_ms``: a ``kind`` (``"leader"``, ``"partition"``...) and data."""

    t_ms: float
    kind: str
    node: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t_ms": round(self.t_ms, 6), "kind": self.kind}
        if self.node is not None:
            out["node"] = self.node
        out.update(self.data)
        return out


class Trace:
    """An append-only list of records, in simulated-time order (the order they were emitted)."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def emit(self, t_ms: float, kind: str, node: int | None = None, /, **data: Any) -> Record:
        """Append a record. The first three are positional, so ``data`` may use any key (a fault
        that could not resolve its role records the role as ``node=...`` data, not as an id)."""
        rec = Record(t_ms, kind, node, data)
        self.records.append(rec)
        return rec

    def of(self, *kinds: str) -> list[Record]:
        """The records of the given kinds, in order."""
        return [r for r in self.records if r.kind in kinds]

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def to_jsonl(self) -> str:
        """One JSON object a line, keys sorted, so equal traces give equal text."""
        return "".join(json.dumps(r.to_dict(), sort_keys=True) + "\n" for r in self.records)
