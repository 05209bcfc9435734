"""Latency profiles: one distribution per leg of a request, as in the WARS model of Bailis et
al., "Probabilistically Bounded Staleness for Practical Partial Quorums" (VLDB 2012): W, the
write from coordinator to replica; A, the replica's ack back; R, the read request; S, the
read's response. The production fits are the paper's, with Exp given by its rate (mean 1/rate
ms) and Pareto(xm, alpha) sampled as xm * (1 + numpy.pareto(alpha)), as ``pareto(xm,alpha)``
already means in dslab.
"""

from __future__ import annotations

from typing import NamedTuple

from dslab.sim.dist import Dist, Exp, LogNormal, Mixture, Pareto


class Legs(NamedTuple):
    """The four legs' distributions, in ms."""

    write_ms: Dist
    ack_ms: Dist
    read_ms: Dist
    response_ms: Dist


def _mix(p: float, pareto: Pareto, rate: float) -> Mixture:
    """p of a Pareto and 1 - p of an exponential given by its rate per ms."""
    return Mixture((p, round(1 - p, 6)), (pareto, Exp(1.0 / rate)))


_SSD = _mix(0.9122, Pareto(0.235, 10), 1.66)
_YMMR_ARS = _mix(0.982, Pareto(1.5, 3.8), 0.0217)

#: every profile by name
PROFILES: dict[str, Legs] = {
    # a quiet datacentre network: about a millisecond each way, with a modest tail
    "lan": Legs(*(LogNormal(1.0, 0.5) for _ in range(4))),
    # LinkedIn's Voldemort on SSDs: all four legs alike
    "lnkd-ssd": Legs(_SSD, _SSD, _SSD, _SSD),
    # LinkedIn on spinning disks: the write leg waits on the disk, the rest as on SSDs
    "lnkd-disk": Legs(_mix(0.38, Pareto(1.05, 1.51), 0.183), _SSD, _SSD, _SSD),
    # Yammer's Riak
    "ymmr": Legs(_mix(0.939, Pareto(3, 3.35), 0.0028), _YMMR_ARS, _YMMR_ARS, _YMMR_ARS),
}
