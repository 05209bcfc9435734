"""A correct solution in another style: numpy's log and comparisons (numpy bools and floats come
back), the TTL from a linear map of rng.random(), and the coalescer as two plain dicts."""

import numpy as np


def should_refresh_early(now_ms, expiry_ms, delta_ms, beta, rng):
    u = 1.0 - rng.random()
    return np.float64(now_ms) - delta_ms * beta * np.log(u) >= expiry_ms


def jittered_ttl_ms(ttl_ms, jitter, rng):
    low, high = ttl_ms * (1 - jitter), ttl_ms * (1 + jitter)
    return low + (high - low) * rng.random()


class Coalescer:
    def __init__(self):
        self.leader = {}
        self.followers = {}

    def request(self, key, callback):
        if key in self.leader:
            self.followers[key].append(callback)
            return False
        self.leader[key] = callback
        self.followers[key] = []
        return True

    def in_flight(self, key):
        return key in self.leader

    def _end(self, key, ok, payload):
        if key not in self.leader:
            return 0
        everyone = [self.leader.pop(key), *self.followers.pop(key)]
        for cb in everyone:
            cb(ok, payload)
        return len(everyone)

    def resolve(self, key, value):
        return self._end(key, True, value)

    def reject(self, key, error):
        return self._end(key, False, error)
