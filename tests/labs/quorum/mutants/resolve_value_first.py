"""Versions compared by value rather than by timestamp: a bigger number written earlier beats
the latest write."""

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, sloppy_targets, stale_probability  # noqa: F401


def resolve(responses):
    held = [x.version for x in responses if x.version is not None]
    return max(held, key=lambda v: (v.value, v.ts_ms, v.writer)) if held else None
