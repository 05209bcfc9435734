"""A correct solution in another style: the head start drawn as an exponential variable, the TTL
as a base plus a signed offset, and the coalescer keeping waiters in a defaultdict of deques."""

from __future__ import annotations

from collections import defaultdict, deque


def should_refresh_early(now_ms, expiry_ms, delta_ms, beta, rng):
    # -ln(U) for U uniform on (0, 1] is an exponential draw of mean 1
    head_start = delta_ms * beta * rng.exponential(1.0)
    return now_ms + head_start >= expiry_ms


def jittered_ttl_ms(ttl_ms, jitter, rng):
    offset = rng.uniform(-jitter * ttl_ms, jitter * ttl_ms)
    return float(ttl_ms + offset)


class Coalescer:
    def __init__(self):
        self._queues = defaultdict(deque)

    def request(self, key, callback):
        queue = self._queues[key]
        queue.append(callback)
        return len(queue) == 1

    def in_flight(self, key):
        return bool(self._queues.get(key))

    def _release(self, key, ok, payload):
        queue = self._queues.pop(key, deque())
        released = 0
        while queue:
            queue.popleft()(ok, payload)
            released += 1
        return released

    def resolve(self, key, value):
        return self._release(key, True, value)

    def reject(self, key, error):
        return self._release(key, False, error)
