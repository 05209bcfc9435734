"""The errors a learner can cause, each carrying one sentence the CLI prints (exit code 2)."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: an unknown name, an impossible value, a file that is not there.

    ``str(err)`` is the sentence to show; ``hint`` is an optional second line.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class BudgetExceeded(RuntimeError):
    """A simulation ran more events than its budget allows: probably a runaway loop."""
