"""Each down home replica is replaced by the next node past the first n, without asking whether
that stand-in is up itself: a write is sent to a dead node and counted on."""

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, resolve, stale_probability  # noqa: F401


def sloppy_targets(preference, down, n):
    out, spare = [], n
    for node in preference[:n]:
        if node in down and spare < len(preference):
            out.append(preference[spare])
            spare += 1
        elif node not in down:
            out.append(node)
    return out
