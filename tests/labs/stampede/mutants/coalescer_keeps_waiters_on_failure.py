"""A failed computation forgets the key but never calls its waiters back: everyone who was
waiting for the value waits forever."""

from dslab.labs.stampede.rules import Coalescer as Reference
from dslab.labs.stampede.rules import jittered_ttl_ms, should_refresh_early  # noqa: F401


class Coalescer(Reference):
    def reject(self, key, error):
        self.waiting.pop(key, None)
        return 0
