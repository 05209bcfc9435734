"""The registered labs, in the suggested study order."""

from dslab.labs.hashing.lab import LAB as HASHING
from dslab.labs.queueing.lab import LAB as QUEUEING
from dslab.labs.raft.lab import LAB as RAFT
from dslab.labs.retries.lab import LAB as RETRIES

LABS = [RAFT, QUEUEING, HASHING, RETRIES]
