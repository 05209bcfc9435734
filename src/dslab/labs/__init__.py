"""The registered labs, in the suggested study order."""

from dslab.labs.raft.lab import LAB as RAFT

LABS = [RAFT]
