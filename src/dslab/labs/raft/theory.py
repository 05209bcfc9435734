"""Closed-form predictions for a Raft election, after the model in chapter 9 of Ongaro's
dissertation: the servers that can still win race their randomized timeouts, the earliest one
becomes a candidate, and a split happens when others time out before its RequestVote reaches them.

With ``m`` racing servers whose timeouts are uniform on ``[a, a + w]`` and a one-way delay ``d``:

* the earliest timeout comes ``a + w / (m + 1)`` after the timers were last reset;
* after a leader is lost, the timers were last reset by its final heartbeat, which arrived ``d``
  after being sent, on average ``heartbeat_ms / 2`` before the loss;
* another server times out before the first candidate's request reaches it with probability
  ``P(gap < L)``, ``1 - (1 - d/w)^m`` for a constant delay (the gap between the two smallest of
  ``m`` uniforms is Beta(1, m) scaled by ``w``);
* with a constant delay, voters hear the first candidate first, so the round splits only if so
  many others became candidates that it cannot gather a quorum;
* winning takes one more round trip, ``2d``; a split costs another timeout and round trip;
* with PreVote, a server whose timer fires first gathers pre-votes, one more round trip ``2d``
  before it stands (the metrics time the real candidacy), in the first round and in each retry.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dslab.labs.raft.params import RaftParams
from dslab.labs.raft.rules import quorum
from dslab.sim.dist import Const, Dist, Exp, Uniform


def racing_servers(p) -> tuple[int, bool]:
    """How many servers race for the election that is measured, and whether they start together
    at time 0 (the first election) rather than after losing a leader."""
    alive = p.nodes - len(p.failed)
    if p.crash_leader_at_ms is not None and (p.partition_at_ms is None
                                             or p.crash_leader_at_ms <= p.partition_at_ms):
        return alive - 1, False
    if p.partition_at_ms is not None:
        return alive - p.minority, False
    return alive, True


def _latency_terms(latency: Dist):
    """For a one-way delay L: ``P(L > g)`` and ``P(L1 - L2 < g)`` for two independent delays,
    as functions of an array ``g``. Exact for const, uniform and exp; other shapes are treated
    as a constant delay at their mean."""
    if isinstance(latency, Uniform) and latency.b > latency.a:
        a, b = latency.a, latency.b
        r = b - a

        def diff_cdf(g):  # L1 - L2 is triangular on [-r, r]
            x = np.clip(g, -r, r)
            return np.where(x < 0, (x + r) ** 2 / (2 * r * r), 1 - (r - x) ** 2 / (2 * r * r))

        return (lambda g: np.clip((b - g) / r, 0.0, 1.0)), diff_cdf
    if isinstance(latency, Exp):
        mu = latency.mean_value
        return (lambda g: np.exp(-g / mu)), (lambda g: 1 - 0.5 * np.exp(-g / mu))
    d = latency.mean()
    return (lambda g: (g < d).astype(float)), (lambda g: (g > 0).astype(float))


def _one_stands(m: int, width_ms: float, latency: Dist, grid: int):
    """The gap ``g`` from the earliest timeout to the second, on a grid, with the density that the
    second server stands (times out before the first's RequestVote reaches it) while no third
    times out within one mean delay: ``m/w (1 - max(d, g)/w)^(m-1) P(L > g)``. (Integrating out
    the earliest timeout leaves that closed form; ``max(d, g)`` is what keeps the rest away.)"""
    d = min(latency.mean(), width_ms)
    survive, first_wins = _latency_terms(latency)
    g = np.linspace(0.0, width_ms, grid)
    keep_away = np.maximum(d, g) if m > 2 else g  # with two servers there is no third
    density = m / width_ms * (1.0 - keep_away / width_ms) ** (m - 1) * survive(g)
    return g, density, first_wins(g)


def _crowd(m: int, width_ms: float, delay_ms: float, at_least: int, grid: int) -> float:
    """Probability that ``at_least`` of the other ``m - 1`` servers time out within ``delay_ms``
    of the earliest one (the constant-delay model), for at least 2 of them."""
    if at_least > m - 1:
        return 0.0
    x = min(1.0, delay_ms / width_ms)
    u = np.linspace(0.0, 1.0, grid)[:-1]  # the earliest timeout, scaled to [0, 1)
    density = m * (1.0 - u) ** (m - 1)
    within = np.minimum(1.0, x / (1.0 - u))
    tail = np.zeros_like(u)
    for j in range(max(at_least, 2), m):
        tail += math.comb(m - 1, j) * within**j * (1.0 - within) ** (m - 1 - j)
    return float(np.trapezoid(density * tail, u))


def p_contested(m: int, width_ms: float, latency: Dist, grid: int = 4001) -> float:
    """Probability that the first round has two candidates or more: exactly one other server
    stands, or several time out within a mean delay of the first. For a constant delay ``d``
    this is ``1 - (1 - d/w)^m``."""
    if m < 2:
        return 0.0
    if width_ms <= 0:
        return 1.0
    g, one, _ = _one_stands(m, width_ms, latency, grid)
    return min(1.0, float(np.trapezoid(one, g)) + _crowd(m, width_ms, latency.mean(), 2, grid))


def p_split(m: int, cluster: int, width_ms: float, latency: Dist, grid: int = 4001) -> float:
    """Probability that the first round of an election ends with no leader.

    Two disjoint ways to split, added: (1) exactly one other server stands, and the remaining
    voters, each siding with whichever request reaches it first, leave both candidates short of
    a quorum; (2) so many servers time out within one mean delay of the first that it cannot
    gather a quorum even with every other vote (constant-delay model). Each is a part of the
    matching term of :func:`p_contested`, so a split is never likelier than a contest.
    """
    q = quorum(cluster)
    if m < q:
        return 1.0
    if width_ms <= 0:
        return 1.0 if m >= 2 else 0.0
    if m < 2:
        return 0.0
    g, one, p = _one_stands(m, width_ms, latency, grid)
    voters = m - 2
    two_way = np.zeros_like(g)
    for x in range(voters + 1):  # x voters side with the first candidate
        if 1 + x < q and 1 + voters - x < q:
            two_way += math.comb(voters, x) * p**x * (1 - p) ** (voters - x)
    split2 = float(np.trapezoid(one * two_way, g))
    need = m + 1 - q  # others standing at once that leave the first short even of all the rest
    return min(1.0, split2 + _crowd(m, width_ms, latency.mean(), need, grid))


def theory(p: RaftParams, impl: Any = None) -> dict[str, Any]:
    """Predictions keyed like the metrics they sit beside; None where the model says nothing.
    They come from the timing model alone, so a learner's rules (``impl``) do not change them."""
    m, from_start = racing_servers(p)
    out: dict[str, float | None] = {
        "first_timeout_ms": None, "election_time_ms": None,
        "first_election_contested": None, "first_election_split": None,
    }
    if m < quorum(p.nodes):
        return out  # no majority can form: no election time to predict
    t = p.election_timeout_ms
    if not isinstance(t, (Uniform, Const)):
        return out  # the closed form assumes uniform timeouts
    a, w = t.low(), t.high() - t.low()
    d = p.latency_ms.mean()
    earliest = a + w / (m + 1)
    if from_start:
        first = earliest
    elif p.crash_leader_at_ms is not None and m == p.nodes - len(p.failed) - 1:
        # A crash still lets the last heartbeat already on the wire arrive.
        first = earliest + d - p.heartbeat_ms / 2
    else:
        # A partition drops it, so the last one heard was sent uniformly within a period.
        first = earliest - p.heartbeat_ms / 2
    pre = 2 * d if p.pre_vote else 0.0  # the pre-vote round before each real candidacy
    first += pre
    contested = p_contested(m, w, p.latency_ms)
    split = p_split(m, p.nodes, w, p.latency_ms)
    out["first_timeout_ms"] = first
    out["first_election_contested"] = contested
    out["first_election_split"] = split
    if split < 1.0:
        retry = earliest + 2 * d + pre
        out["election_time_ms"] = first + 2 * d + split / (1.0 - split) * retry
    return out
