"""What a run keeps of each write-then-read pair, as plain records the measures and checks read."""

from __future__ import annotations

from dataclasses import dataclass, field

from dslab.labs.quorum.rules import Version


@dataclass(slots=True)
class Answer:
    """One replica's answer to a read: who, the version it held, when the read reached it and
    when its answer reached the coordinator."""

    replica: int
    version: Version | None
    asked_ms: float
    back_ms: float


@dataclass(slots=True)
class Pair:
    """A write and the read that follows it once the write has committed."""

    index: int
    key: int
    writer: int  # the client coordinating the write
    reader: int  # the client coordinating the read
    version: Version
    start_ms: float
    targets: list[int] = field(default_factory=list)  # where the write was sent
    acks: dict[int, float] = field(default_factory=dict)  # replica -> when its ack came back
    commit_ms: float | None = None
    failed: bool = False  # the write timed out short of w acks
    stand_ins: int = 0  # acks from sloppy stand-ins among the first w
    read_start_ms: float | None = None
    answers: list[Answer] = field(default_factory=list)  # in arrival order
    answer: Version | None = None
    read_done_ms: float | None = None
    read_failed: bool = False
    repaired: list[int] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        """Did the read return this write or a newer one?"""
        return self.answer is not None and self.answer >= self.version
