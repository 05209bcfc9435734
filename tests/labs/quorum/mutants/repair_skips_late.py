"""Read repair looks only at the R responses the read used: a replica that answered late, with
an old version, is never repaired."""

from dslab.labs.quorum.rules import is_strict_quorum, resolve, sloppy_targets, stale_probability  # noqa: F401


def repair_targets(responses, r):
    used = responses[:r]
    held = [x.version for x in used if x.version is not None]
    if not held:
        return []
    newest = max(held)
    return sorted(x.replica for x in used if x.version is None or x.version < newest)
