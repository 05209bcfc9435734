"""The coalescer remembers a failure and hands it to every later caller at once, instead of
letting the next caller try again: one refused query poisons the key for good."""

from dslab.labs.stampede.rules import jittered_ttl_ms, should_refresh_early  # noqa: F401


class Coalescer:
    def __init__(self):
        self.waiting = {}
        self.failed = {}

    def request(self, key, callback):
        if key in self.failed:
            callback(False, self.failed[key])
            return False
        if key in self.waiting:
            self.waiting[key].append(callback)
            return False
        self.waiting[key] = [callback]
        return True

    def in_flight(self, key):
        return key in self.waiting

    def resolve(self, key, value):
        waiters = self.waiting.pop(key, [])
        for cb in waiters:
            cb(True, value)
        return len(waiters)

    def reject(self, key, error):
        self.failed[key] = error
        waiters = self.waiting.pop(key, [])
        for cb in waiters:
            cb(False, error)
        return len(waiters)
