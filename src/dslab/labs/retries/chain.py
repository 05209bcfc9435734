"""Family three, amplification across layers: a user's request enters the top of a chain of
``layers`` services; each calls the one below and, when that call fails, retries it. Below the
last service is the dependency they all lean on (a database, say), whose calls fail with
probability ``bottom_failure``. Every layer's retries multiply the ones above, so when the
dependency is down it receives (retries + 1) ** layers attempts for one user request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.params import MAX_CHAIN_CALLS, LayersParams
from dslab.labs.retries.retrier import Retrier, backoff_source
from dslab.labs.retries.rules import Rules
from dslab.sim.dist import Draws, Uniform
from dslab.sim.simulation import Simulation

#: events per call in the chain (the process, its hop, a wait), generously
EVENTS_PER_CALL = 6


@dataclass(frozen=True)
class Chain:
    """What one policy's run through the chain saw."""

    calls: np.ndarray  # calls received by each service, top first, then by the dependency
    succeeded: int
    failed: int
    in_flight: int
    latency_ms: np.ndarray  # per user request: from sending it to its answer or failure


def run_chain(params: LayersParams, policy: str, seed: int, impl: Rules, monitor: Monitor,
              until_ms: float = float("inf")) -> Chain:
    """Send ``requests`` user requests, one every 10 ms, into the chain and run to the end."""
    sim = Simulation(seed, event_budget=EVENTS_PER_CALL * MAX_CHAIN_CALLS + 1000)
    env = sim.env
    hop = Draws(params.hop_ms, sim.rng("hops"))
    fails = Draws(Uniform(0.0, 1.0), sim.rng("failures"))  # the dependency's coin per call
    backoff = backoff_source(impl, sim.rng("backoff"))
    layers = params.layers
    calls = np.zeros(layers + 1, dtype=np.int64)
    # each service has its own client library for the calls it makes to the one below
    clients = [Retrier(impl, policy, params, backoff, monitor) for _ in range(layers)]
    tally = {"ok": 0, "failed": 0}
    latency = np.full(params.requests, np.nan)

    def serve(layer: int):
        """Layer ``layer`` (0 is the top; ``layers`` is the dependency) handles one call; the
        process's value is whether it succeeded."""
        calls[layer] += 1
        yield env.timeout(hop())
        if layer == layers:
            return fails() >= params.bottom_failure
        client = clients[layer]
        client.new_request()
        attempt, waited = 0, None
        while True:
            if not client.allow(sim.now):
                return False
            ok = yield env.process(serve(layer + 1))
            if ok:
                client.succeeded(sim.now)
                return True
            client.failed(sim.now)
            waited = client.delay(attempt, waited)
            if waited is None:
                return False
            yield env.timeout(waited)
            attempt += 1

    def user(i: int):
        yield env.timeout(10.0 * i)
        start = sim.now
        ok = yield env.process(serve(0))
        latency[i] = sim.now - start
        tally["ok" if ok else "failed"] += 1

    for i in range(params.requests):
        env.process(user(i))
    sim.run(until_ms)
    flying = params.requests - tally["ok"] - tally["failed"]
    monitor.tally(f"{policy} through {layers} layers", params.requests, tally["ok"],
                  tally["failed"], flying)
    return Chain(calls, tally["ok"], tally["failed"], flying, latency)
