"""The callbacks are called before the key is forgotten: a caller released by them that asks
again joins the finished computation and is never called back."""

from dslab.labs.stampede.rules import jittered_ttl_ms, should_refresh_early  # noqa: F401


class Coalescer:
    def __init__(self):
        self.waiting = {}

    def request(self, key, callback):
        if key in self.waiting:
            self.waiting[key].append(callback)
            return False
        self.waiting[key] = [callback]
        return True

    def in_flight(self, key):
        return key in self.waiting

    def resolve(self, key, value):
        waiters = list(self.waiting.get(key, []))
        for cb in waiters:
            cb(True, value)
        self.waiting.pop(key, None)
        return len(waiters)

    def reject(self, key, error):
        waiters = list(self.waiting.get(key, []))
        for cb in waiters:
            cb(False, error)
        self.waiting.pop(key, None)
        return len(waiters)
