"""The discrete-event core: simulation, network, faults, distributions, trace and statistics.

It knows nothing about any lab; labs build their processes on top of it.
"""

from dslab.sim.dist import Dist, parse
from dslab.sim.faults import Crash, Heal, Loss, Partition, Restart, Slow
from dslab.sim.network import Network, Node
from dslab.sim.simulation import Simulation
from dslab.sim.trace import Record, Trace

__all__ = [
    "Simulation", "Network", "Node", "Dist", "parse", "Trace", "Record",
    "Partition", "Heal", "Crash", "Restart", "Loss", "Slow",
]
