"""The registered labs, in the suggested study order."""

from dslab.labs.hashing.lab import LAB as HASHING
from dslab.labs.raft.lab import LAB as RAFT

LABS = [RAFT, HASHING]
