"""The hashing lab's parameters (names carry units) and the checks that refuse impossible ones."""

from __future__ import annotations

from dataclasses import dataclass

from dslab.errors import InputError
from dslab.labs.hashing.schemes import SCHEMES
from dslab.params import param as _p

CHANGES = ("none", "join", "leave")
MAX_NODES = 200
MAX_VNODES = 1000
MAX_KEYS = 200_000
MAX_REQUESTS = 400_000
MAX_DURATION_MS = 600_000.0
MIN_PER_WINDOW = 10  # requests a window must expect: an empty one has no hit ratio (0/0)
MAX_WINDOWS = 10_000  # windows the hit ratio is measured in; each costs a pass over the requests


@dataclass(frozen=True)
class RingParams:
    """A cluster and its keys, placed on a ring: what every hashing experiment has."""

    nodes: int = _p(5, "nodes in the cluster before any change")
    vnodes: int = _p(8, "points per node on the ring (ring and bounded)")
    keys: int = _p(20_000, "distinct keys")
    replicas: int = _p(1, "copies of each key, on distinct nodes (the owner and the next ones)")

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe a cluster."""
        if not 1 <= self.nodes <= MAX_NODES:
            raise InputError(f"nodes must be between 1 and {MAX_NODES}, got {self.nodes}.")
        if not 1 <= self.vnodes <= MAX_VNODES:
            raise InputError(f"vnodes must be between 1 and {MAX_VNODES}, got {self.vnodes}.")
        if not 1 <= self.keys <= MAX_KEYS:
            raise InputError(f"keys must be between 1 and {MAX_KEYS:,}, got {self.keys}.")
        smallest = self.fewest_nodes()
        if not 1 <= self.replicas <= smallest:
            raise InputError(
                f"replicas must be between 1 and {smallest} (the fewest nodes this run has), got "
                f"{self.replicas}: each copy needs a node of its own.")

    def fewest_nodes(self) -> int:
        """The fewest nodes the cluster has during the run."""
        return self.nodes


@dataclass(frozen=True)
class VnodesParams(RingParams):
    """The vnodes experiment: the ring's spread against points per node (the ring scheme only)."""


@dataclass(frozen=True)
class PlacementParams(RingParams):
    """The placement experiment: keys per node under a scheme, and what a change moves."""

    scheme: str = _p("ring", "where keys go: modulo, ring, rendezvous, jump or bounded")
    c: float = _p(1.25, "bounded loads' capacity factor: no node above ceil(c * load / nodes)")
    change: str = _p("none", "membership change: none, join (one node joins) or leave (the last "
                     "node leaves)")

    def validate(self) -> None:
        _one_of("scheme", self.scheme, SCHEMES)
        _one_of("change", self.change, CHANGES)
        if self.change == "leave" and self.nodes < 2:
            raise InputError("change=leave needs at least 2 nodes: the last one cannot leave an empty "
                             "cluster.")
        super().validate()
        if not 1 <= self.c <= 10:
            raise InputError(
                f"c must be between 1 and 10, got {self.c}: below 1 the nodes together could not "
                "hold every key.", hint="Bounded loads are usually run with c between 1.1 and 2.")

    def fewest_nodes(self) -> int:
        return self.nodes - (1 if self.change == "leave" else 0)


@dataclass(frozen=True)
class CacheParams(PlacementParams):
    """The cache experiment: a cache cluster under skewed traffic, through a change."""

    change_at_ms: float = _p(8000.0, "when the change happens")
    zipf_s: float = _p(0.9, "skew of key popularity: key i is requested in proportion to "
                       "i^-zipf_s (0 is uniform)")
    request_rate_per_s: float = _p(2000.0, "requests per second to the cache cluster (Poisson)")
    duration_ms: float = _p(20_000.0, "simulated time")
    cache_keys_per_node: int = _p(1000, "keys each cache node holds (LRU)")
    db_latency_ms: float = _p(20.0, "time the database takes to answer a cache miss")
    node_capacity_per_s: float = _p(1000.0, "requests per second one cache node can serve")
    window_ms: float = _p(250.0, "width of the windows hit ratio and database load are measured over")

    def validate(self) -> None:
        super().validate()
        if not 0 <= self.zipf_s <= 5:
            raise InputError(f"zipf_s must be between 0 (uniform) and 5, got {self.zipf_s}.")
        if self.request_rate_per_s <= 0:
            raise InputError(f"request_rate_per_s must be positive, got {self.request_rate_per_s}.")
        if not 0 < self.duration_ms <= MAX_DURATION_MS:
            raise InputError(f"duration_ms must be in (0, {MAX_DURATION_MS:.0f}], got {self.duration_ms}.")
        requests = self.request_rate_per_s * self.duration_ms / 1000
        if requests > MAX_REQUESTS:
            raise InputError(
                f"request_rate_per_s × duration_ms makes {requests:,.0f} requests, more than the "
                f"{MAX_REQUESTS:,} one run simulates; lower one of them.")
        if self.change != "none" and not 0 < self.change_at_ms < self.duration_ms:
            raise InputError(
                f"change_at_ms must fall inside the run (0, {self.duration_ms:g}), got "
                f"{self.change_at_ms:g}.")
        if self.cache_keys_per_node < 1:
            raise InputError(f"cache_keys_per_node must be at least 1, got {self.cache_keys_per_node}.")
        if self.db_latency_ms < 0:
            raise InputError(f"db_latency_ms cannot be negative, got {self.db_latency_ms}.")
        if self.node_capacity_per_s <= 0:
            raise InputError(f"node_capacity_per_s must be positive, got {self.node_capacity_per_s}.")
        if not 0 < self.window_ms <= self.duration_ms / 8:
            raise InputError(
                f"window_ms must be positive and at most duration_ms / 8 ({self.duration_ms / 8:g}), "
                f"got {self.window_ms:g}: the hit ratio needs several windows to show a dip.")
        per_window = self.request_rate_per_s * self.window_ms / 1000
        if per_window < MIN_PER_WINDOW:
            raise InputError(
                f"request_rate_per_s ({self.request_rate_per_s:g}) brings about {per_window:.2g} "
                f"requests per window of {self.window_ms:g} ms, and a hit ratio needs "
                f"{MIN_PER_WINDOW} or more per window; raise request_rate_per_s or window_ms.")
        if self.duration_ms / self.window_ms > MAX_WINDOWS:
            raise InputError(
                f"window_ms must be at least duration_ms / {MAX_WINDOWS:,} "
                f"({self.duration_ms / MAX_WINDOWS:g}), got {self.window_ms:g}: more windows than "
                "that hold too few requests each to measure, and take long to count.")
        if self.change != "none" and not (self.window_ms <= self.change_at_ms
                                          <= self.duration_ms - 2 * self.window_ms):
            raise InputError(
                f"change_at_ms ({self.change_at_ms:g}) must leave a window of window_ms "
                f"({self.window_ms:g}) before it and two after it, so between {self.window_ms:g} and "
                f"{self.duration_ms - 2 * self.window_ms:g}: the dip is measured against the time around it.")


def _one_of(name: str, value: str, options: tuple[str, ...]) -> None:
    if value not in options:
        raise InputError(f"{name} must be one of {', '.join(options)}; got '{value}'.")
