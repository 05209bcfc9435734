"""dslab: distributed-systems ideas you can run, break, measure against theory, and implement."""

__version__ = "0.1.0"
