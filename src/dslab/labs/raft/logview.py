"""A read-only view of the terms in a server's log, handed to the rules without copying.

The rules see a log as its entries' terms (``log_terms[i]`` is the term of entry ``i + 1``).
Copying those terms into a list for every AppendEntries and every reply made a run's cost per
event grow with the log, so a long run was quadratic; this view costs O(1) to make and to index.
A rule that slices it gets a plain list, as it would have before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload


class _Terms(Sequence[int]):
    """What the two views share: equal to any sequence of the same terms (as a list is), so
    unhashable, and shown as the list of terms."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=False))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a list: equal to lists, so unhashable

    def __repr__(self) -> str:
        return repr(list(self))


class LogTerms(_Terms):
    """The terms of the first ``length`` entries of ``log`` (a list of ``(term, command)``), as
    the log is now: the view is made, used by one rule call and dropped."""

    __slots__ = ("_log", "_len")

    def __init__(self, log: list[tuple[int, int]], length: int | None = None) -> None:
        self._log = log
        self._len = len(log) if length is None else min(length, len(log))

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [t for t, _ in self._log[: self._len][i]]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("log index out of range")
        return self._log[i][0]


class EntryTerms(_Terms):
    """The terms of the entries an AppendEntries carries (``(term, command)`` pairs), for the
    rules, without copying them."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Sequence[tuple[int, int]]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [t for t, _ in self._entries[i]]
        return self._entries[i][0]
