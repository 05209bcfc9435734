"""The stampede lab's parameters (names carry units) and the checks that refuse impossible ones.

``CacheParams`` is the service every experiment shares: clients, keys, the cache's TTL and the
database behind it. ``PolicyParams`` compares cache policies side by side on the same requests;
``XFetchParams`` runs XFetch once per beta.
"""

from __future__ import annotations

from dataclasses import dataclass

from dslab.errors import InputError
from dslab.labs.stampede.rules import POLICIES
from dslab.params import param as _p
from dslab.sim.dist import Const, Dist

DISTRIBUTIONS = ("uniform", "zipf")
#: requests one run may send over every policy or beta (about three seconds of simulation)
MAX_REQUESTS = 600_000
MAX_KEYS = 1_000_000


@dataclass(frozen=True)
class CacheParams:
    """Clients reading through a cache (cache-aside) in front of a database."""

    rate_per_s: float = _p(10.0, "client requests per second (Poisson), over all keys")
    keys: int = _p(1, "distinct keys the clients ask for")
    key_distribution: str = _p("uniform", "how requests pick a key: uniform, or zipf (key k "
                               "asked in proportion to 1/k^zipf_s)")
    zipf_s: float = _p(1.1, "zipf: the exponent; larger makes the first key hotter")
    ttl_ms: float = _p(30_000.0, "how long a cached value stays fresh after it is written")
    ttl_jitter: float = _p(0.2, "ttl-jitter policies: each TTL is drawn uniformly within this "
                           "fraction of ttl_ms on either side, in [0, 1)")
    serve_stale: bool = _p(False, "lock policies: readers who find an expired value while its "
                           "refresh is in flight get the stale value at once instead of waiting")
    recompute_ms: Dist = _p(Const(3000), "the database's service time for one recomputation")
    db_servers: int = _p(100, "recomputations the database can run at once")
    db_background_per_s: float = _p(0.0, "other queries a second the database serves (Poisson, "
                                    "same service time as a recomputation): its load from "
                                    "everything but this cache")
    db_queue_limit: int | None = _p(None, "recomputations that may wait for the database; one "
                                    "more is refused and its readers fail (none: no limit)")
    warm_at_ms: float | None = _p(0.0, "when a loader fills every key at once (a cold cache "
                                  "warmed in one go); none: keys are filled on their first miss")
    duration_ms: float = _p(3_600_000.0, "how long clients send requests")

    @property
    def db_capacity_per_s(self) -> float:
        """Recomputations per second the database finishes with every server busy."""
        return self.db_servers * 1000.0 / self.recompute_ms.mean()

    def policies_run(self) -> int:
        """How many simulations of these clients one run makes (policies or betas)."""
        return 1

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe a cache."""
        if not 0 < self.rate_per_s <= 100_000:
            raise InputError(f"rate_per_s must be in (0, 100,000], got {self.rate_per_s:g}.")
        if not 1 <= self.keys <= MAX_KEYS:
            raise InputError(f"keys must be between 1 and {MAX_KEYS:,}, got {self.keys}.")
        if self.key_distribution not in DISTRIBUTIONS:
            raise InputError(f"key_distribution is uniform or zipf, got '{self.key_distribution}'.")
        if not 0 < self.zipf_s <= 10:
            raise InputError(f"zipf_s must be in (0, 10], got {self.zipf_s:g}.")
        if self.ttl_ms <= 0:
            raise InputError(f"ttl_ms must be positive, got {self.ttl_ms:g}.")
        if not 0 <= self.ttl_jitter < 1:
            raise InputError(f"ttl_jitter is a fraction of the TTL in [0, 1), got "
                             f"{self.ttl_jitter:g}.",
                             hint="0.2 draws each TTL between 80% and 120% of ttl_ms.")
        mean = self.recompute_ms.mean()
        if not 0 < mean < float("inf"):
            raise InputError(f"recompute_ms must have a positive, finite mean; "
                             f"{self.recompute_ms} does not.")
        if not 1 <= self.db_servers <= 100_000:
            raise InputError(f"db_servers must be between 1 and 100,000, got {self.db_servers}.")
        if not 0 <= self.db_background_per_s <= 100_000:
            raise InputError(f"db_background_per_s must be in [0, 100,000], got "
                             f"{self.db_background_per_s:g}.")
        if self.db_queue_limit is not None and self.db_queue_limit < 0:
            raise InputError(f"db_queue_limit cannot be negative, got {self.db_queue_limit}.")
        if not 0 < self.duration_ms <= 36_000_000:
            raise InputError(f"duration_ms must be in (0, 36,000,000], got {self.duration_ms:g}.")
        if self.warm_at_ms is not None and not 0 <= self.warm_at_ms < self.duration_ms:
            raise InputError(f"warm_at_ms must fall inside the run [0, {self.duration_ms:g}), "
                             f"got {self.warm_at_ms:g}.")
        sent = ((self.rate_per_s + self.db_background_per_s) * self.duration_ms / 1000
                * self.policies_run())
        if sent > MAX_REQUESTS:
            raise InputError(
                f"{self.rate_per_s:g} requests per second for {self.duration_ms:g} ms over "
                f"{self.policies_run()} simulations is about {sent:,.0f} requests, more than the "
                f"{MAX_REQUESTS:,} one run may send; shorten the run, lower the rate or compare "
                "fewer policies.")


@dataclass(frozen=True)
class PolicyParams(CacheParams):
    """Cache policies compared side by side on the same requests."""

    policy: tuple[str, ...] = _p(POLICIES, "cache policies, compared side by side on the same "
                                 f"requests: {', '.join(POLICIES)}")
    beta: float = _p(1.0, "xfetch: how eagerly it refreshes early (larger is earlier)")

    def policies_run(self) -> int:
        return max(1, len(self.policy))

    def validate(self) -> None:
        if not self.policy:
            raise InputError("give at least one policy, e.g. --set policy=none,lock.")
        for p in self.policy:
            if p not in POLICIES:
                raise InputError(f"'{p}' is not a cache policy; policies: {', '.join(POLICIES)}.")
        if len(set(self.policy)) != len(self.policy):
            raise InputError(f"a policy is listed twice in {','.join(self.policy)}.")
        _check_beta(self.beta, "beta")
        super().validate()


@dataclass(frozen=True)
class XFetchParams(CacheParams):
    """XFetch alone, once per beta, on the same requests."""

    betas: tuple[float, ...] = _p((0.5, 1.0, 2.0, 4.0), "xfetch's beta, one run each")

    def policies_run(self) -> int:
        return max(1, len(self.betas))

    def validate(self) -> None:
        if not self.betas:
            raise InputError("give at least one beta, e.g. --set betas=0.5,1,2.")
        for b in self.betas:
            _check_beta(b, "each beta")
        if len(set(self.betas)) != len(self.betas):
            raise InputError("list each beta once, e.g. --set betas=0.5,1,2.")
        super().validate()


def _check_beta(beta: float, what: str) -> None:
    if not 0 < beta <= 100:
        raise InputError(f"{what} must be positive (and at most 100), got {beta:g}.",
                         hint="beta scales how early XFetch refreshes: 1 is the paper's default; "
                              "0 would never refresh early.")
